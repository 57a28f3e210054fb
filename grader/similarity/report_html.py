"""similarity.html: the ranked pairs and, for the top ones, the matching code side by side.

One self-contained page (inline CSS, no script, no network). Every string that came from
a submission - ids, file text, function names, notes - is escaped; a Content Security
Policy that forbids scripts and loads backs this up.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone

from ..reports.safe_text import printable

CONTEXT = 2  # lines shown around a matched region
MAX_REGION_LINES = 80
MAX_REGIONS = 12  # per pair; the CSV counts them all
MAX_LINE_CHARS = 300
_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:90em;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}
h3{font-size:1.05em;margin:1.5em 0 .3em}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.25em .7em;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}th{background:#f6f6f6}td.n{text-align:right}
.bar{background:#c8553d;height:.8em;display:inline-block}.muted{color:#777}
.box{border:1px solid #d9c27a;background:#fffbea;padding:.6em 1em;border-radius:4px}
.side{display:grid;grid-template-columns:1fr 1fr;gap:1em;margin:.3em 0 1.2em}
.code{font:12.5px/1.35 ui-monospace,monospace;border:1px solid #ddd;overflow-x:auto;margin:0}
.code div{white-space:pre;padding:0 .5em}.code .m{background:#ffe08a}.code .mp{background:#fff4cf}
.key{padding:0 .4em}
.code .ln{color:#999;display:inline-block;width:3.5em;user-select:none}
.label{font-weight:600;font-size:.9em;margin-bottom:.2em}
"""


def esc(text: object) -> str:
    return html.escape(printable(str(text)), quote=True)


def render(report) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
           f"<title>Code similarity: {report.submissions} submissions</title>",
           f"<style>{_CSS}</style></head><body>",
           f"<h1>Code similarity: {report.submissions} submissions</h1>",
           (f'<p class="muted">written {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC} in '
            f"{report.elapsed:.1f} s; {report.compared} submissions had code of their own "
            f"to compare ({report.notebooks} with a notebook)</p>")]
    out += _reading_guide(report)
    out += _ranking(report)
    for listed in report.pairs[:report.top]:
        out += _pair_section(listed, report)
    out += _notes(report)
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _reading_guide(report) -> list[str]:
    return [
        ('<div class="box"><p><strong>This report ranks pairs for a person to look at. It is '
        "not a finding of misconduct and labels no one.</strong> In a short exercise the "
        "correct solution is a few lines, and students who never worked together write the "
        "same lines. A high score means &ldquo;read these two side by side&rdquo;; only a "
        "person who knows the course and talks to the students can decide more.</p>"),
        ("<p><strong>What it sees.</strong> Code is compared after normalisation: comments, "
        "docstrings, blank lines and layout are dropped; every name the file chooses itself "
        "(variables, parameters, functions, attributes it sets) and every number and string "
        "is replaced by a placeholder; library calls (<code>np.random.rand</code>) and "
        "builtins are kept. It then compares fingerprints of runs of "
        f"{report.k} tokens, and any shared run of {report.k + report.window - 1} tokens "
        "or more is always found. So renamed variables, reordered functions, rewritten "
        "comments, changed constants, and code moved between the submitted files and the "
        "notebook's code cells still match. Files that are "
        "not valid Python are compared by their tokens.</p>"),
        ("<p><strong>What it cannot see.</strong> Changes beyond that normalisation: "
        "code rewritten statement by statement (<code>x * mask</code> made "
        "<code>mask * x</code>, a loop made a vectorised call, a different library call "
        "that does the same thing), statements interleaved with new ones every few lines "
        f"(runs shorter than {report.k} tokens), a shared source outside this class (the web, "
        "earlier years) unless two submissions both used it, and files other than the "
        "assignment's own and its notebook.</p>"),
        ("<p><strong>What it leaves out.</strong> Code provided in the released skeleton "
        f"(<code>{esc(report.skeleton)}</code>) never counts, so students who kept the starter "
        f"code do not match. Code found in more than {report.cutoff} of the "
        f"{report.submissions} submissions ({report.common_fraction:.0%} of the class, never "
        f"fewer than 3) is common code, not evidence, and is ignored "
        f"({report.common_count} fingerprints). Pairs below {report.threshold:.0%} are not "
        "listed.</p>"),
        ("<p><strong>Scores.</strong> <em>A in B</em> is the share of A's fingerprints also "
        "found in B, <em>B in A</em> the reverse; the score is their mean. A small submission "
        "copied into a larger one shows as a high share on one side only.</p></div>")]


def _ranking(report) -> list[str]:
    out = [f"<h2>Ranked pairs ({len(report.pairs)} at or above {report.threshold:.0%})</h2>"]
    if report.candidates > len(report.pairs):
        out.append(f'<p class="muted">{report.candidates} pairs qualified; the first '
                   f"{len(report.pairs)} are listed here and in similarity.csv.</p>")
    if not report.pairs:
        out.append("<p>No pair of submissions shares enough code of its own to list.</p>")
        return out
    out.append("<table><tr><th>#</th><th>student A</th><th>student B</th><th>score</th>"
               "<th>A in B</th><th>B in A</th><th>shared fingerprints</th>"
               "<th>matched lines A / B</th><th>where (A = B)</th></tr>")
    for p in report.pairs:
        rank = (f'<a href="#pair-{p.rank}">{p.rank}</a>' if p.rank <= report.top
                else str(p.rank))
        where = "<br>".join(f"{esc(a)} = {esc(b)}" for a, b, _ in p.detail.functions[:3])
        out.append(
            f'<tr><td class="n">{rank}</td><td>{esc(p.student_a)}</td>'
            f"<td>{esc(p.student_b)}</td><td>{p.pair.score:.0%} "
            f'<span class="bar" style="width:{4 * p.pair.score:.2f}em"></span></td>'
            f'<td class="n">{p.pair.share_a:.0%}</td><td class="n">{p.pair.share_b:.0%}</td>'
            f'<td class="n">{p.pair.shared}</td>'
            f'<td class="n">{p.detail.lines_a} / {p.detail.lines_b}</td><td>{where}</td></tr>')
    out.append("</table>")
    return out


def _pair_section(listed, report) -> list[str]:
    p, d = listed.pair, listed.detail
    a, b = report.prints[listed.student_a], report.prints[listed.student_b]
    out = [(f'<h2 id="pair-{listed.rank}">#{listed.rank}: {esc(listed.student_a)} and '
           f"{esc(listed.student_b)}</h2>"),
           (f"<p>score {p.score:.0%}: {p.shared} shared fingerprints; {p.share_a:.0%} of "
           f"{esc(listed.student_a)}'s {p.size_a} are in {esc(listed.student_b)}'s code and "
           f"{p.share_b:.0%} of {esc(listed.student_b)}'s {p.size_b} in "
           f"{esc(listed.student_a)}'s. Matched: {d.tokens_a} / {d.tokens_b} normalised "
           f"tokens, {d.lines_a} / {d.lines_b} lines, in {len(d.regions)} "
           f"region{'s' * (len(d.regions) != 1)}.</p>")]
    if d.functions:
        out.append(f"<table><tr><th>in {esc(listed.student_a)}</th><th>in "
                   f"{esc(listed.student_b)}</th><th>shared fingerprints</th></tr>")
        out += [f'<tr><td>{esc(fa)}</td><td>{esc(fb)}</td><td class="n">{n}</td></tr>'
                for fa, fb, n in d.functions[:10]]
        out.append("</table>")
    if d.regions:
        out.append('<p class="muted">Highlighted: <span class="key" style="background:#ffe08a">'
                   'matched code</span> <span class="key" style="background:#fff4cf">matched, '
                   "but the line is also in the skeleton</span>. Comment lines never count."
                   "</p>")
    for number, region in enumerate(d.regions[:MAX_REGIONS], 1):
        out.append(f"<h3>region {number}: {region.fingerprints} fingerprint"
                   f"{'s' * (region.fingerprints != 1)}</h3>")
        out.append('<div class="side">')
        out.append(_excerpt(listed.student_a, a, region.file_a, region.lines_a,
                            region.function_a, region.marked_a, report.provided_lines))
        out.append(_excerpt(listed.student_b, b, region.file_b, region.lines_b,
                            region.function_b, region.marked_b, report.provided_lines))
        out.append("</div>")
    if len(d.regions) > MAX_REGIONS:
        out.append(f'<p class="muted">{len(d.regions) - MAX_REGIONS} smaller regions are not '
                   "shown.</p>")
    return out


def _excerpt(student: str, prints, name: str, span: tuple[int, int], function: str,
             marked: frozenset[int], provided: frozenset[str]) -> str:
    text = next((f.text for f in prints.files if f.name == name), "")
    lines = text.split("\n")
    first, last = span
    start, stop = max(1, first - CONTEXT), min(len(lines), last + CONTEXT)
    stop = min(stop, start + MAX_REGION_LINES - 1)
    rows = []
    for number in range(start, stop + 1):
        line = lines[number - 1].expandtabs(4)
        cls = ""
        if number in marked:
            cls = ' class="mp"' if line.strip() in provided else ' class="m"'
        if len(line) > MAX_LINE_CHARS:
            line = line[:MAX_LINE_CHARS] + " …"
        rows.append(f'<div{cls}><span class="ln">{number}</span>{esc(line)}</div>')
    if last > stop:
        rows.append(f'<div class="muted">… {last - stop} more matched lines</div>')
    where = f"{name}, lines {first}-{last}" + (f", in {function}" if function else "")
    return (f'<div><div class="label">{esc(student)}: {esc(where)}</div>'
            f'<div class="code">{"".join(rows)}</div></div>')


def _notes(report) -> list[str]:
    out = []
    if report.no_own_code:
        out += ["<h2>Nothing of their own to compare</h2>",
                "<p>Once the provided code is removed nothing is left (the untouched skeleton, "
                "or only code common in this class): "
                + ", ".join(esc(s) for s in report.no_own_code) + ".</p>"]
    if report.notes:
        out += ["<h2>Notes on the files</h2><table><tr><th>student</th><th>note</th></tr>"]
        out += [f"<tr><td>{esc(s)}</td><td>{esc(n)}</td></tr>" for s, n in report.notes]
        out.append("</table>")
    return out
