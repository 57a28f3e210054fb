"""report.html: one self-contained page for the instructor (inline CSS and SVG, no scripts).

Every string that came from a submission - ids, messages, exception text - goes through
:func:`esc`; links to student folders are percent-encoded and relative. A Content
Security Policy that forbids scripts and network loads backs this up.
"""

from __future__ import annotations

import html
import re
import statistics
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

from ..results import STATUSES, SubmissionResult
from .files import atomic_write
from .gradebook import test_names
from .words import adjustment_text, grader_notes, sandbox_text, status_label

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.25em .7em;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}th{background:#f6f6f6}td.n{text-align:right}
.bar{background:#4a7fd4;height:.8em;display:inline-block}.muted{color:#777}
.msg{font-family:ui-monospace,monospace;font-size:.85em;white-space:pre-wrap;max-width:40em}
"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def esc(text: object) -> str:
    return html.escape(_CONTROL.sub("\N{REPLACEMENT CHARACTER}", str(text)), quote=True)


def _href(folder: str, name: str) -> str:
    # "./" first: a folder called "javascript:..." must stay a relative path.
    return esc("./" + quote(folder, safe="") + "/" + name)


def histogram_svg(percents: list[float], *, width: int = 520, height: int = 160) -> str:
    bins = [0] * 10
    for p in percents:
        bins[min(9, max(0, int(p // 10)))] += 1
    top = max(bins) or 1
    bar_w = width / 10
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 30}" '
             f'role="img" aria-label="score histogram">')]
    for i, count in enumerate(bins):
        h = (height - 15) * count / top
        x, y = i * bar_w, height - h
        parts.append(f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar_w - 4:.1f}" height="{h:.1f}" '
                     f'fill="#4a7fd4"><title>{i * 10}-{i * 10 + 10} %: {count}</title></rect>')
        if count:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" font-size="11" '
                         f'text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{height + 14}" font-size="11" '
                     f'text-anchor="middle">{i * 10}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def _percent(r: SubmissionResult) -> float:
    return 100.0 * r.score / r.max_score if r.max_score else 0.0


def render(results: list[SubmissionResult], *, folders: dict[str, str], facts) -> str:
    results = sorted(results, key=lambda r: r.student)
    statuses = Counter(r.status for r in results)
    percents = [_percent(r) for r in results]
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
           f"<title>Grading report: {esc(facts.assignment)}</title><style>{_CSS}</style>",
           "</head><body>", f"<h1>Grading report: {esc(facts.assignment)}</h1>",
           (f'<p class="muted">{len(results)} submissions; written '
           f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}; suite version "
           f"{esc(facts.suite_version)}</p>")]
    if percents:
        out.append(f"<p>Mean score {statistics.mean(percents):.1f} %, median "
                   f"{statistics.median(percents):.1f} %.</p>")
    out += ["<h2>Scores</h2>", histogram_svg(percents), "<h2>Statuses</h2>",
            "<table><tr><th>status</th><th>submissions</th></tr>"]
    for status in [s for s in STATUSES if statuses[s]] + sorted(set(statuses) - set(STATUSES)):
        out.append(f'<tr><td>{esc(status_label(status))}</td><td class="n">{statuses[status]}</td></tr>')
    out.append("</table>")
    out += _tests_table(results)
    out += _slowest(results, folders)
    out += _sandbox(results, facts)
    out += ["<h2>Students</h2>", ("<table><tr><th>student</th><th>score</th><th>status</th>"
            "<th>files</th><th>notes from the grader</th></tr>")]
    for r in results:
        folder = folders[r.student]
        out.append(f'<tr><td><a href="{_href(folder, "feedback.md")}">{esc(r.student)}</a></td>'
                   f'<td class="n">{r.score:g} / {r.max_score:g}{_changed(r)}</td>'
                   f"<td>{esc(status_label(r.status))}</td>"
                   f'<td><a href="{_href(folder, "results.json")}">results.json</a></td>'
                   f"<td>{_notes(r)}</td></tr>")
    out += ["</table>", "</body></html>"]
    return "\n".join(out) + "\n"


def _notes(result: SubmissionResult, shown: int = 3) -> str:
    """The grader's notes on a submission (a convention assumed, an import skipped), so a
    TA sees from the class page which feedback says more than the tests."""
    notes = grader_notes(result.output)
    items = "".join(f'<div class="msg">{esc(note[:300])}</div>' for note in notes[:shown])
    more = len(notes) - shown
    return items + (f'<span class="muted">and {more} more</span>' if more > 0 else "")


def _changed(result: SubmissionResult) -> str:
    """A mark on a score changed after grading, with the changes as its tooltip."""
    if not result.adjustments:
        return ""
    title = esc("; ".join(adjustment_text(a) for a in result.adjustments))
    stale = any(a.stale for a in result.adjustments)
    mark = "changed, one change is stale" if stale else "changed"
    return f' <span class="muted" title="{title}">({mark})</span>'


def _tests_table(results: list[SubmissionResult]) -> list[str]:
    out = ["<h2>Tests: where the class loses points</h2>",
           ("<table><tr><th>test</th><th>points</th><th>passed</th><th></th>"
           "<th>most common failure messages</th></tr>")]
    for name in test_names(results):
        runs = [t for r in results for t in r.tests if t.name == name]
        passed = sum(t.passed for t in runs)
        rate = 100.0 * passed / len(runs) if runs else 0.0
        messages = Counter(t.output.strip()[:300] for t in runs if not t.passed and t.output)
        common = "".join(f'<div class="msg">{count} x {esc(text)}</div>'
                         for text, count in messages.most_common(3))
        out.append(f"<tr><td>{esc(name)}<br><span class=\"muted\">{esc(runs[0].visibility)}"
                   f'</span></td><td class="n">{runs[0].max_score:g}</td>'
                   f'<td class="n">{passed}/{len(runs)} ({rate:.0f} %)</td>'
                   f'<td><span class="bar" style="width:{rate * 0.8:.0f}px"></span></td>'
                   f"<td>{common}</td></tr>")
    out.append("</table>")
    return out


def _slowest(results: list[SubmissionResult], folders: dict[str, str]) -> list[str]:
    out = ["<h2>Slowest submissions</h2>",
           "<table><tr><th>student</th><th>seconds</th><th>status</th></tr>"]
    for r in sorted(results, key=lambda r: -r.execution_time)[:10]:
        out.append(f'<tr><td><a href="{_href(folders[r.student], "feedback.md")}">'
                   f'{esc(r.student)}</a></td><td class="n">{r.execution_time:.2f}</td>'
                   f"<td>{esc(status_label(r.status))}</td></tr>")
    out.append("</table>")
    return out


def _sandbox(results: list[SubmissionResult], facts) -> list[str]:
    used = Counter(r.sandbox for r in results if r.sandbox)
    out = ["<h2>Sandbox</h2>", f"<p>Requested level: {esc(facts.sandbox)}.</p><ul>"]
    for level, count in sorted(used.items()):
        described = facts.sandbox_descriptions.get(level) or sandbox_text(level)
        out.append(f"<li><b>{esc(level)}</b> ({count} submissions): {esc(described)}</li>")
    out.append("</ul>")
    limits = facts.limits
    if limits is not None:
        out.append(f"<p>Limits per submission: {limits.submission_timeout:g} s in all, "
                   f"{limits.call_timeout:g} s per call, {limits.cpu_seconds} s CPU, "
                   f"{limits.memory_mb} MB memory, {limits.max_processes} processes, "
                   f"{limits.max_open_files} open files.</p>")
    return out


def write(results: list[SubmissionResult], out_dir: Path, *, folders: dict[str, str],
          facts) -> Path:
    path = Path(out_dir) / "report.html"
    atomic_write(path, render(results, folders=folders, facts=facts))
    return path
