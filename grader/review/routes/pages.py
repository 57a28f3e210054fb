"""The home page (what is left to grade, per folder), the export button, error pages."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse

from ...errors import GraderError
from .. import inline
from ..decisions import Conflict
from ..export import export as export_folder
from ..items import groups, quiz_items
from .common import folder, form, render, settings


def overview(f) -> list[dict]:
    """One row per question of a folder: answers, groups, and how many are left."""
    rows = []
    if f.kind == "quiz":
        by_question: dict[str, list] = {}
        for item in quiz_items(f):
            by_question.setdefault(item.target, []).append(item)
        names = [(q["id"], f"{q['id'].upper()}: {q['title']}") for q in f.questions()]
    else:
        by_question = {}
        for item in inline.inline_items(f):
            by_question.setdefault(item.target, []).append(item)
        names = [(label, label) for label in inline.questions(f)]
    for qid, title in names:
        items = by_question.get(qid, [])
        rows.append({"id": qid, "title": title, "answers": len(items),
                     "groups": len(groups(items)),
                     "left": sum(i.undecided for i in items),
                     "stale": sum(i.stale for i in items)})
    return rows


async def home(request: Request):
    sections = []
    for n, f in enumerate(settings(request).folders):
        title = f.title if f.kind == "quiz" else f"Class in {f.out.name}"
        sections.append({"n": n, "folder": f, "title": title, "questions": overview(f)})
    return render(request, "home.html", sections=sections,
                  message=request.query_params.get("message", ""))


async def export(request: Request):
    f = folder(request)
    await form(request)
    s = settings(request)
    written = export_folder(f, submissions=s.submissions, deadline=s.deadline)
    names = ", ".join(p.name for p in written)
    return RedirectResponse(f"/?message=wrote {names} in {f.out.name}", 303)


async def _http_error(request: Request, error: HTTPException):
    return render(request, "error.html", status_code=error.status_code, message=error.detail)


async def _grader_error(request: Request, error: GraderError):
    status = 409 if isinstance(error, Conflict) else 400
    return render(request, "error.html", status_code=status, message=str(error),
                  back=request.headers.get("referer", ""))


HANDLERS = {HTTPException: _http_error, GraderError: _grader_error}
