"""Student by student: the score table, one student's tests, notebook and overrides.

An override sets a test's points (or the total) with a reason the student reads. It is
stored with the submission's content hash; when the student's files change, the page
shows it as stale with buttons to apply it to the new version or withdraw it.
"""

from __future__ import annotations

import base64
import json
import re

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse

from ...adjust import adjusted
from .. import inline
from ..decisions import Decision
from ..export import run_sources
from ..items import quiz_items
from .common import folder, form, number, render, settings

_IMAGE = re.compile(r"^[A-Za-z0-9_.-]{1,120}\.(png|jpe?g|svg)$")


def _adjusted(request: Request, f) -> dict:
    s = settings(request)
    sources = run_sources(f, submissions=s.submissions, deadline=s.deadline)
    return {student: adjusted(r, sources) for student, r in f.results().items()}


async def table(request: Request):
    f = folder(request)
    if f.kind == "quiz":
        f.reload()
        from .. import quizdata
        results = quizdata.decided(f.results(), f.out)
        return render(request, "quiz_students.html", f=f, n=request.path_params["n"],
                      results=results, questions=f.questions())
    results = _adjusted(request, f)
    return render(request, "students.html", f=f, n=request.path_params["n"],
                  results=[results[s] for s in sorted(results)])


def _student(request: Request) -> str:
    student = request.query_params.get("id")
    if student is None:
        raise HTTPException(404, "no student given")
    return student


async def show(request: Request):
    f = folder(request)
    student = _student(request)
    n = request.path_params["n"]
    if f.kind == "quiz":
        f.reload()
        items = [i for i in quiz_items(f) if i.student == student]
        if not items:
            raise HTTPException(404, "no such student")
        return render(request, "quiz_student.html", f=f, n=n, student=student, items=items)
    results = _adjusted(request, f)
    if student not in results:
        raise HTTPException(404, "no such student")
    result = results[student]
    current = f.decisions.current("override")
    seen = {key[2]: d.id for key, d in current.items() if key[1] == student}
    notebook = f.notebook(student)
    images = [name for name in notebook.get("images") or [] if _IMAGE.match(str(name))]
    items = [i for i in inline.inline_items(f) if i.student == student]
    return render(request, "student.html", f=f, n=n, student=student, result=result,
                  seen=seen, notebook=notebook, images=images, inline_items=items,
                  history=f.decisions.history("override", student))


async def override(request: Request):
    f = folder(request, "run")
    data = await form(request)
    student, target = data.get("student", ""), data.get("target", "")
    result = f.results().get(student)
    if result is None:
        raise HTTPException(404, "no such student")
    action = data.get("action", "override")
    if target:
        test = next((t for t in result.tests if t.name == target), None)
        if test is None:
            raise HTTPException(404, "no such test")
        most = test.max_score
    else:
        most = result.max_score
    reason = data.get("reason", "").strip()
    who = settings(request).grader_name
    if action == "clear":
        decision = Decision("override", student, target, result.content_hash, "clear",
                            None, reason or "withdrawn", who)
    elif action == "confirm":  # the stale override, applied to the current submission
        old = f.decisions.current("override").get(("override", student, target))
        if old is None or old.withdrawn:
            raise HTTPException(409, "there is no override to confirm; look again")
        decision = Decision("override", student, target, result.content_hash, "override",
                            old.points, old.reason, who)
    else:
        if not reason:
            raise HTTPException(400, "an override needs a reason: the student reads it")
        points = number(data.get("points", ""), most=most, what="points")
        decision = Decision("override", student, target, result.content_hash, "override",
                            points, reason, who)
    try:
        seen = int(data.get("seen") or 0)
    except ValueError:
        raise HTTPException(400, "malformed form") from None
    f.decisions.record([decision], expect={decision.key: seen})
    from urllib.parse import urlencode
    return RedirectResponse(f"/f/{request.path_params['n']}/student?"
                            + urlencode({"id": student}), 303)


async def image(request: Request):
    """A plot the student's notebook made, from the run's own copy of it."""
    f = folder(request, "run")
    student, name = _student(request), request.query_params.get("name", "")
    listed = f.notebook(student).get("images") or []
    if not _IMAGE.match(name) or name not in listed:
        raise HTTPException(404, "no such image")
    path = f.out / f.folders[student] / "notebook" / "notebook_images" / name
    if not path.is_file() or path.is_symlink():
        raise HTTPException(404, "no such image")
    # An SVG is served as a download-free image, never as a page of its own.
    return FileResponse(path, headers={"content-security-policy": "default-src 'none'"})


async def notebook(request: Request):
    """The executed notebook: markdown and code as text, outputs as text and images."""
    f = folder(request, "run")
    student = _student(request)
    recorded = f.notebook(student)
    executed = recorded.get("executed_path")
    if not executed or "/" in str(executed) or student not in f.folders:
        raise HTTPException(404, "no executed notebook for this student")
    path = f.out / f.folders[student] / "notebook" / str(executed)
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        raise HTTPException(404, "the executed notebook cannot be read") from None
    return render(request, "notebook.html", f=f, n=request.path_params["n"], student=student,
                  cells=[_cell(c) for c in cells if isinstance(c, dict)][:500])


def _text(value) -> str:
    return "".join(map(str, value)) if isinstance(value, list) else str(value or "")


def _cell(cell: dict) -> dict:
    outputs = []
    for output in cell.get("outputs") or []:
        if not isinstance(output, dict):
            continue
        data = output.get("data") if isinstance(output.get("data"), dict) else {}
        png = _text(data.get("image/png", "")).strip()
        if png and _is_base64(png):
            outputs.append({"image": "data:image/png;base64," + png})
        elif output.get("output_type") == "stream":
            outputs.append({"text": _text(output.get("text"))[:20000]})
        elif "text/plain" in data:
            outputs.append({"text": _text(data["text/plain"])[:20000]})
        elif output.get("output_type") == "error":
            outputs.append({"text": f"{output.get('ename', '')}: {output.get('evalue', '')}"})
    return {"type": str(cell.get("cell_type", "")), "source": _text(cell.get("source"))[:50000],
            "outputs": outputs}


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text.replace("\n", ""), validate=True)
        return True
    except ValueError:
        return False
