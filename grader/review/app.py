"""The review web app: a Starlette application served by uvicorn on 127.0.0.1.

Every request needs the access token printed at start: in the URL once (it is then kept
in an HttpOnly, SameSite=Strict cookie and the address bar is cleaned), or in the form
of every POST. A missing or wrong token gets 403, compared in constant time. A POST must
also carry the token in its form and, when the browser says where it comes from
(``Origin``), come from this app: another site cannot make a TA's browser decide.

Pages are rendered from Jinja2 templates with autoescaping on, so every student string
is text; the Content-Security-Policy allows only this app's own script and style, and
no network, even if an escape were ever missed.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).parent
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


@dataclass
class Settings:
    folders: list  # RunFolder | QuizFolder, in the order given on the command line
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    grader_name: str = "ta"
    submissions: Path | None = None  # for the late-penalty source, as grader run has it
    deadline: Path | None = None
    cookie: str = "grader_review"


def token_ok(settings: Settings, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode("utf-8", "replace"),
                                               settings.token.encode())


class TokenGate:
    """ASGI middleware: 403 without the token; a token in the URL becomes a cookie."""

    def __init__(self, app, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        in_url = request.query_params.get("token")
        if token_ok(self.settings, in_url) and request.method == "GET":
            # Keep the token out of the address bar, history and any Referer.
            query = "&".join(f"{k}={v}" for k, v in _raw_pairs(scope) if k != "token")
            response = RedirectResponse(scope["path"] + (f"?{query}" if query else ""), 303)
            response.set_cookie(self.settings.cookie, self.settings.token, httponly=True,
                                samesite="strict", path="/")
            await _secured(response)(scope, receive, send)
            return
        if not (token_ok(self.settings, request.cookies.get(self.settings.cookie))
                or token_ok(self.settings, in_url)):
            await _secured(_forbidden())(scope, receive, send)
            return
        if request.method == "POST" and not _same_origin(request):
            await _secured(_forbidden("cross-site request refused"))(scope, receive, send)
            return

        async def secured_send(message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + _HEADERS
            await send(message)

        await self.app(scope, receive, secured_send)


def _raw_pairs(scope) -> list[tuple[str, str]]:
    raw = scope.get("query_string", b"").decode("latin-1")
    return [tuple(p.split("=", 1)) if "=" in p else (p, "") for p in raw.split("&") if p]


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True  # no Origin (a plain client): the form's token still has to match
    return urlsplit(origin).netloc == request.headers.get("host", "")


_HEADERS = [(b"content-security-policy", CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),  # "no-referrer" makes Origin "null"
            (b"x-frame-options", b"DENY"),
            (b"cache-control", b"no-store")]


def _secured(response):
    for name, value in _HEADERS:
        response.headers[name.decode()] = value.decode()
    return response


def _forbidden(text: str = "forbidden: open the address with the token that "
                           "`grader review` printed") -> PlainTextResponse:
    return PlainTextResponse(text + "\n", status_code=403)


def create_app(settings: Settings) -> Starlette:
    from .routes import pages, questions, students

    routes = [
        Route("/", pages.home),
        Route("/f/{n:int}/question", questions.show),
        Route("/f/{n:int}/decide", questions.decide, methods=["POST"]),
        Route("/f/{n:int}/students", students.table),
        Route("/f/{n:int}/student", students.show),
        Route("/f/{n:int}/override", students.override, methods=["POST"]),
        Route("/f/{n:int}/image", students.image),
        Route("/f/{n:int}/notebook", students.notebook),
        Route("/f/{n:int}/export", pages.export, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers=pages.HANDLERS)
    app.state.settings = settings
    return TokenGate(app, settings)
