"""What every page needs: the templates, the folder a URL names, a checked form."""

from __future__ import annotations

import time
from functools import lru_cache
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from ..app import HERE, token_ok


@lru_cache(maxsize=1)
def environment() -> Environment:
    # Autoescaping for every template: a student's <script> is shown as text.
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["points"] = lambda v: "" if v is None else f"{float(v):g}"
    env.filters["when"] = lambda at: time.strftime("%Y-%m-%d %H:%M", time.localtime(at or 0))
    env.globals["query"] = lambda **kw: urlencode({k: v for k, v in kw.items() if v})
    return env


def settings(request: Request):
    return request.app.state.settings


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    s = settings(request)
    page = environment().get_template(name).render(
        token=s.token, who=s.grader_name, folders=list(enumerate(s.folders)), **context)
    return HTMLResponse(page, status_code=status_code)


def folder(request: Request, kind: str | None = None):
    folders = settings(request).folders
    n = request.path_params["n"]
    if not 0 <= n < len(folders) or (kind and folders[n].kind != kind):
        raise HTTPException(404, "no such folder")
    return folders[n]


async def form(request: Request) -> dict[str, str]:
    """The POSTed form, after checking the token it must carry (the CSRF guard)."""
    data = await request.form()
    if not token_ok(settings(request), data.get("token")):
        raise HTTPException(403, "the form's token is missing or wrong; reload the page")
    return {k: str(v) for k, v in data.items()}


def number(raw: str, *, most: float, what: str) -> float:
    """Points typed by a TA: a number between 0 and ``most``."""
    try:
        value = float(raw.replace(",", ".").strip())
    except ValueError:
        raise HTTPException(400, f"{what}: {raw!r} is not a number") from None
    if not 0 <= value <= most:
        raise HTTPException(400, f"{what}: {value:g} is not between 0 and {most:g}")
    return value
