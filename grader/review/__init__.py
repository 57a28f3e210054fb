"""``grader review``: TAs grade answers by hand and override scores, in the browser.

Reads the output folders of ``grader run`` and ``grader quiz``; every decision goes to
the folder's SQLite file with who, when and why (:mod:`decisions`), and reaches the
reports through the same paths a regrade takes: overrides through the adjustment
sources of ``grader run`` (:mod:`overrides`), quiz verdicts through ``grader quiz``
(:mod:`quizdata`), inline-question verdicts in ``inline_grades.csv`` (:mod:`export`).
The web app (:mod:`app`, :mod:`routes`) binds to 127.0.0.1 with a random token;
``--export`` rewrites the reports without it.
"""

from __future__ import annotations

import getpass
import socket
from pathlib import Path

from ..errors import UsageError

DEFAULT_PORT = 8531


def main(*, outs: list[Path], host: str = "127.0.0.1", port: int | None = None,
         grader_name: str | None = None, export: bool = False,
         submissions: Path | None = None, deadline: Path | None = None, echo=print) -> int:
    """Serve the review app for ``outs`` (or, with ``export``, only rewrite their reports)."""
    from .export import export as export_folder
    from .folders import open_folder

    if not outs:
        raise UsageError("give at least one output folder of `grader run` or `grader quiz`")
    folders = [open_folder(Path(out)) for out in outs]
    if export:
        for f in folders:
            written = export_folder(f, submissions=submissions, deadline=deadline)
            echo(f"wrote {', '.join(str(p) for p in written)}")
        return 0
    name = _grader_name(grader_name)
    sock = _bind(host, port)
    from .app import Settings, create_app

    settings = Settings(folders=folders, grader_name=name, submissions=submissions,
                        deadline=deadline, cookie=f"grader_review_{sock.getsockname()[1]}")
    app = create_app(settings)
    shown = f"[{host}]" if ":" in host else host
    echo(f"grader review: grading as {name}; open this address (Ctrl-C to stop):")
    echo(f"    http://{shown}:{sock.getsockname()[1]}/?token={settings.token}")
    try:
        serve(app, sock)
    finally:
        sock.close()
        for f in folders:  # the reports say what the TAs decided, also when nobody exported
            written = export_folder(f, submissions=submissions, deadline=deadline)
            echo(f"wrote {', '.join(str(p) for p in written)}")
    return 0


def serve(app, sock: socket.socket) -> None:
    import uvicorn

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            server_header=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after stopping: it is how one stops
        pass


def _grader_name(given: str | None) -> str:
    if given is None:
        try:
            given = getpass.getuser()
        except (KeyError, OSError):
            given = "ta"
    name = " ".join(str(given).split())
    if not name or len(name) > 80:
        raise UsageError("--grader-name must be 1 to 80 characters")
    return name


def _bind(host: str, port: int | None) -> socket.socket:
    """A listening socket on ``port``, or the first free one after the default."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    tries = [port] if port is not None else range(DEFAULT_PORT, DEFAULT_PORT + 20)
    last = None
    for candidate in tries:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
            sock.listen(128)
            sock.set_inheritable(True)
            return sock
        except OSError as error:
            sock.close()
            last = error
    raise UsageError(f"cannot listen on {host}:{port or DEFAULT_PORT} "
                     f"({getattr(last, 'strerror', last)}); pick another --port")
