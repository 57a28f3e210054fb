"""Code questions: the student's code runs in the sandbox, never in this process.

The code block is wrapped into a module defining the question's function (``function``
and its ``parameters`` in the question's settings; the handout's snippet becomes the
body, a student's own ``def`` is called through an adapter), staged with a numpy-backed
``torch`` shim, imported in a sandboxed worker (:mod:`grader.run.sandbox`) and called
on seeded inputs for every entry of ``configs``. The results come back as plain arrays
and are compared here with the reference. What the inputs are, what the reference
computes, and which near misses have names are the quiz's domain hooks
(``code_inputs``, ``code_reference``, ``code_diagnose``): the engine knows no subject.
When no sandbox can run, the answer goes to review: student code is never executed in
the grader's own process.
"""

from __future__ import annotations

import ast
import atexit
import hashlib
import tempfile
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np

from . import feedback
from .answers import Section
from .model import Question
from .result import Part, QuestionResult
from .torch_shim import FILES as SHIM_FILES

MODULE = "quiz_answer"


def extract_code(section: Section) -> str | None:
    """The answer's code: its largest fenced block, else the text if it reads as code."""
    blocks = [b for b in section.code_blocks if b.strip()]
    if blocks:
        return max(blocks, key=len)
    text = section.text.strip()
    if "for " in text and ("out[" in text or "out =" in text):
        return text
    return None


def _strip(code: str, lines: list[str]) -> str:
    drop = {line.strip() for line in lines}
    return "\n".join(line for line in code.split("\n") if line.strip() not in drop)


def _student_function(tree: ast.Module, hints: set[str]) -> ast.FunctionDef | None:
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    for f in funcs:
        params = {a.arg for a in f.args.args}
        if hints <= params:
            return f
    return funcs[0] if len(funcs) == 1 else None


def wrap_settings(settings: dict) -> dict:
    """The keywords of :func:`wrap` from a code question's settings."""
    return {"function": settings.get("function", "answer"),
            "parameters": tuple(settings.get("parameters", ())),
            "config_parameters": tuple(settings.get("config_parameters", ())),
            "aliases": dict(settings.get("parameter_aliases", {})),
            "prelude": tuple(settings.get("prelude", ())),
            "result": settings.get("result", "out"),
            "strip_lines": tuple(settings.get("strip_lines", ()))}


def wrap(code: str, *, function: str = "answer", parameters=(), config_parameters=(),
         aliases=None, prelude=(), result: str = "out", strip_lines=()) -> str:
    """Source of the staged module. Raises SyntaxError if the student's code has one.

    Parsing (never running) the code here decides the wrapping: a ``def`` of the
    student's is kept and called through an adapter (a parameter named ``...param``
    gets the ``config_parameters`` as a dict), a bare snippet becomes the body after
    the ``prelude`` lines and returns ``result``.
    """
    code = textwrap.dedent(_strip(code.replace("\t", "    "), list(strip_lines))).strip("\n")
    tree = ast.parse(code)
    head = ("import numpy as np\nimport numpy\nimport torch\n"
            "import torch.nn.functional as F\n\n")
    signature = ", ".join(parameters)
    data = [p for p in parameters if p not in config_parameters]
    student = _student_function(tree, set(data))
    if student is None:
        body = textwrap.indent(code, "    ")
        lines = "".join(f"    {line}\n" for line in prelude)
        source = (f"{head}def {function}({signature}):\n"
                  f"{lines}{body}\n    return {result}\n")
    else:
        params = [a.arg for a in student.args.args]
        if any(p.endswith("param") for p in params):
            config = ", ".join(f"{c!r}: {c}" for c in config_parameters)
            call = f"{student.name}({', '.join(data)}, {{{config}}})"
        else:
            named = {**{p: p for p in parameters}, **(aliases or {})}
            args = ", ".join(named.get(p, "None") for p in params)
            call = f"{student.name}({args})"
        source = (f"{head}{code}\n\n\ndef {function}({signature}):\n"
                  f"    result = {call}\n"
                  f"    return result[0] if isinstance(result, tuple) else result\n")
    ast.parse(source)
    return source


def stage(source: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    (dest / f"{MODULE}.py").write_text(source, encoding="utf-8")
    for rel, text in SHIM_FILES.items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return dest


class _Slot:
    """One sandbox slot per grading process, started on first use."""

    slot = None
    broken = ""
    level = "auto"  # set by the quiz command once it has chosen and announced the level
    limits = None  # the command's config.limits; None: the quiz's defaults

    @classmethod
    def get(cls):
        if cls.slot is None and not cls.broken:
            try:
                from ..config import Limits
                from ..run.sandbox import SandboxSlot  # the sandbox room's contract
                work = Path(tempfile.mkdtemp(prefix="grader-quiz-"))
                limits = cls.limits or Limits(call_timeout=10.0, submission_timeout=60.0,
                                              cpu_seconds=60)
                cls.slot = SandboxSlot(level=cls.level, workdir=work / "slot", limits=limits)
                cls.slot.start()
                atexit.register(cls.close)
            except Exception as error:  # noqa: BLE001 - any failure means: no sandbox here
                cls.broken = f"{type(error).__name__}: {error}"
                cls.slot = None
        return cls.slot

    @classmethod
    def close(cls) -> None:
        if cls.slot is not None:
            cls.slot.close()
            cls.slot = None


_CACHE: dict[str, tuple] = {}


def _details(names: list[str], config) -> dict:
    """A config's values by name, and all of them as ``config`` ("pad=1, stride=2")."""
    values = dict(zip(names, config))
    return {**values, "config": ", ".join(f"{k}={v}" for k, v in values.items())}


def _run(source: str, question: Question, seed: int, function: str) -> tuple:
    """(parts, tags, error, part_tags) of running ``source``; raises RuntimeError
    without a sandbox."""
    from ..run.errors import LimitExceeded, StudentError, WorkerFailure

    slot = _Slot.get()
    if slot is None:
        raise RuntimeError(_Slot.broken or "no sandbox")
    settings = question.settings
    names = list(settings.get("config_parameters", ()))
    inputs = question.domain.hook("code_inputs")
    configs = [tuple(c) for c in settings.get("configs", [[]])]
    parts: list[Part] = []
    tags: list[str] = []
    part_tags: list[str] = []  # the mistake of each part, "" when right
    message = lambda key, **d: feedback.message(key, question, **d)
    with tempfile.TemporaryDirectory(prefix="grader-code-") as tmp:
        staged = stage(source, Path(tmp) / "staged")
        with slot.open(staged) as session:
            unknown = _details(names, ["-"] * len(names))
            try:
                session.import_module(MODULE)
            except StudentError as error:
                return [], ["code_error"], message(
                    "code_error", error=f"{error.type_name}: {error.message}", **unknown), []
            except WorkerFailure as error:
                return [], ["code_limit"], message("code_limit", error=error), []
            for k, config in enumerate(configs):
                args = tuple(inputs(settings, seed, k))
                details = _details(names, config)
                name = details["config"]
                try:
                    got = session.call(f"{MODULE}:{function}", *args, *config)
                except StudentError as error:
                    parts.append(Part(name, False, message(
                        "code_error", error=f"{error.type_name}: {error.message}",
                        **details)))
                    tags.append("code_error")
                    part_tags.append("code_error")
                    continue
                except (LimitExceeded, WorkerFailure) as error:
                    parts.append(Part(name, False, message("code_limit", error=error)))
                    tags.append("code_limit")
                    part_tags.append("code_limit")
                    continue
                ok, text, tag = _judge(got, question, args, config, details)
                parts.append(Part(name, ok, text))
                part_tags.append(tag)
                if tag:
                    tags.append(tag)
    return parts, tags, "", part_tags


def _judge(got, question: Question, args, config, details) -> tuple[bool, str, str]:
    settings = question.settings
    reference = question.domain.hook("code_reference")
    want = reference(settings, args, config)
    if not isinstance(got, np.ndarray) or got.shape != want.shape:
        shape = getattr(got, "shape", type(got).__name__)
        return False, feedback.message("code_shape", question, got=shape,
                                       expected=want.shape, **details), "code_shape"
    if np.allclose(got, want, rtol=1e-5, atol=1e-6):
        return True, "", ""
    for tag in settings.get("near_misses", ()):
        if np.allclose(got, reference(settings, args, config, variant=tag), rtol=1e-5,
                       atol=1e-6):
            return False, feedback.message(tag, question, **details), tag
    diagnose = question.domain.hook("code_diagnose")
    found = diagnose(settings, config) if diagnose is not None else None
    if found:
        key, extra = found
        return False, feedback.message(key, question, **{**details, **extra}), key
    diff = float(np.max(np.abs(got - want)))
    return False, feedback.message("code_wrong", question, diff=diff, **details), \
        "code_wrong"


def grade_code(question: Question, section: Section | None, *, seed: int) -> QuestionResult:
    pts = question.points
    base = QuestionResult(question.id, "missing", 0.0, pts,
                          answer=section.text if section else "")
    if section is None or section.is_blank:
        return replace(base, messages=(feedback.message("missing", question),))
    code = extract_code(section)
    if code is None:
        text = feedback.message("code_missing", question)
        if len(section.text.split()) < 15:  # "ran out of time": no answer to grade
            return replace(base, messages=(text,))
        return replace(base, verdict="review", score=None, review_reason=text,
                       messages=(text,))
    settings = question.settings
    function = settings.get("function", "answer")
    try:
        source = wrap(code, **wrap_settings(settings))
    except SyntaxError as error:
        text = feedback.message("code_syntax", question, error=f"line {error.lineno}: "
                                                               f"{error.msg}")
        return replace(base, verdict="review", score=None, review_reason=text,
                       reading=code, messages=(text,))
    # The parsed module, not its text, keys the cache: the same code with other
    # spacing or comments is the same run.
    key = hashlib.sha256(f"{seed}\0{settings}\0{ast.dump(ast.parse(source))}".encode()
                         ).hexdigest()
    try:
        if key not in _CACHE:
            _CACHE[key] = _run(source, question, seed, function)
        parts, tags, error, part_tags = _CACHE[key]
    except RuntimeError as failure:
        text = feedback.message("sandbox_unavailable", question)
        return replace(base, verdict="review", score=None, review_reason=f"{text} ({failure})",
                       reading=code, messages=(text,))
    if error:
        return replace(base, verdict="incorrect", score=0.0, reading=code, messages=(error,),
                       tags=tuple(tags))
    credits = settings.get("partial_credit", {})
    earned = sum(1.0 if p.ok else credits.get(tag, 0.0) for p, tag in zip(parts, part_tags))
    share = earned / len(parts) if parts else 0.0
    verdict = "correct" if share == 1 else "incorrect" if share == 0 else "partial"
    messages = list(dict.fromkeys(p.message for p in parts if not p.ok and p.message))
    once = settings.get("say_once", ())  # mistakes said once, not once per input
    if len(messages) > 1 and all(t in once for t in part_tags if t):
        messages = messages[:1]
    if verdict == "correct":
        messages = [feedback.message("code_ok", question)]
    return replace(base, verdict=verdict, score=round(pts * share, 4), reading=code,
                   messages=tuple(messages), parts=tuple(parts),
                   tags=tuple(dict.fromkeys(tags)))
