"""Question by question: one group of identical answers at a time, decided in one go.

The page shows the answer as text, every student who wrote it, the checker's verdict
and reason (quiz) or the prompt (inline questions), and the current decision. The form
posts accept, partial (with points), reject, a comment or a withdrawal for the whole
group, then the next group that matches the filters opens. The ids of the decisions the
TA saw travel with the form, so a decision another TA made meanwhile is never
overwritten unseen.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from .. import inline
from ..decisions import Decision
from ..items import FILTERS, groups, quiz_items
from .common import folder, form, number, render, settings

ACTIONS = ("accept", "partial", "reject", "comment", "clear")


def _question(f, qid: str) -> tuple[str, str, list]:
    """(title, prompt, items) of one question of a folder; 404 for an unknown one."""
    if f.kind == "quiz":
        f.reload()  # a `grader quiz` re-run may have changed the answers meanwhile
        known = {q["id"]: q for q in f.questions()}
        if qid not in known:
            raise HTTPException(404, "no such question")
        q = known[qid]
        return f"{qid.upper()}: {q['title']}", q.get("text", ""), quiz_items(f, qid)
    if qid not in inline.questions(f):
        raise HTTPException(404, "no such question")
    return qid, inline.prompts().get(qid, ""), inline.inline_items(f, qid)


def _filters(source) -> dict[str, str]:
    show = source.get("show", "undecided")
    return {"show": show if show in FILTERS else "undecided",
            "verdict": source.get("verdict", ""), "student": source.get("student", "")}


async def show(request: Request):
    f = folder(request)
    qid = request.query_params.get("q", "")
    title, prompt, items = _question(f, qid)
    filters = _filters(request.query_params)
    everything = groups(items)
    chosen = [g for g in everything if g.matches(**filters)]
    at = request.query_params.get("at", "")
    index = next((n for n, g in enumerate(chosen) if g.key == at), 0)
    group = chosen[index] if chosen else None
    verdicts = sorted({i.checker for i in items if i.checker} | {i.verdict for i in items
                                                                   if i.verdict})
    return render(request, "question.html", f=f, n=request.path_params["n"], qid=qid,
                  title=title, prompt=prompt, group=group, position=index + 1,
                  total=len(chosen), groups_all=len(everything),
                  left=sum(i.undecided for i in items), filters=filters, filter_names=FILTERS,
                  verdicts=verdicts, students=sorted({i.student for i in items}),
                  previous=chosen[index - 1].key if len(chosen) > 1 else "",
                  next=chosen[(index + 1) % len(chosen)].key if len(chosen) > 1 else "",
                  seen=",".join(str(i.decision.id if i.decision else 0)
                                for i in (group.items if group else ())))


async def decide(request: Request):
    f = folder(request)
    data = await form(request)
    qid, key, action = data.get("q", ""), data.get("key", ""), data.get("action", "")
    if action not in ACTIONS:
        raise HTTPException(400, f"unknown action {action!r}")
    _title, _prompt, items = _question(f, qid)
    everything = groups(items)
    group = next((g for g in everything if g.key == key), None)
    if group is None:
        raise HTTPException(409, "this answer changed or is gone since the page was shown; "
                                 "look again")
    most = group.first.max_points
    points = (number(data.get("points", ""), most=most, what="points")
              if action == "partial" else None)
    seen = data.get("seen", "").split(",")
    if len(seen) != len(group.items):
        raise HTTPException(409, "the students who wrote this answer changed; look again")
    who = settings(request).grader_name
    comment = data.get("comment", "").strip()
    # A comment on a decided answer keeps its verdict: only the words change.
    decisions = [Decision(i.kind, i.student, i.target, i.content_hash, i.decision.verdict,
                          i.decision.points, comment, who)
                 if action == "comment" and i.decided else
                 Decision(i.kind, i.student, i.target, i.content_hash, action, points,
                          comment, who) for i in group.items]
    try:
        expect = {(i.kind, i.student, i.target): int(s or 0)
                  for i, s in zip(group.items, seen)}
    except ValueError:
        raise HTTPException(400, "malformed form") from None
    f.decisions.record(decisions, expect=expect)
    filters = _filters(data)
    return RedirectResponse(_next_url(request, f, qid, group, filters), 303)


def _next_url(request: Request, f, qid: str, decided, filters: dict) -> str:
    """The next group after the one just decided that still matches the filters; the
    next question with answers left when this one is done; else the overview."""
    from urllib.parse import urlencode

    n = request.path_params["n"]
    _title, _prompt, items = _question(f, qid)
    chosen = [g for g in groups(items) if g.matches(**filters)]
    after = [g for g in chosen if g.first.student > decided.first.student]
    target = (after or chosen or [None])[0]
    if target is not None:
        query = {"q": qid, "at": target.key, **{k: v for k, v in filters.items() if v}}
        return f"/f/{n}/question?{urlencode(query)}"
    from .pages import overview
    for row in overview(f):
        if row["left"]:
            return f"/f/{n}/question?{urlencode({'q': row['id']})}"
    return "/?" + urlencode({"message": "nothing left to grade in " + f.out.name})
