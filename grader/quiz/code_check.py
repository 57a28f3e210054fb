"""Code questions (Q4): the student's code runs in the sandbox, never in this process.

The code block is wrapped into a module defining ``conv_forward(x, w, b, pad, stride)``
(the handout's loop snippet becomes the body; a student's own ``def`` is called through
an adapter), staged with a numpy-backed ``torch`` shim, imported in a sandboxed worker
(:mod:`grader.run.sandbox`) and called on seeded random inputs for several (pad, stride)
pairs. The results come back as plain arrays and are compared here with a reference
convolution; near misses are named (flipped kernel, missing bias, stride or padding
ignored). When no sandbox can run, the answer goes to review: student code is never
executed in the grader's own process.
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
_SIGNATURE_HINTS = {"x", "w", "b"}


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


def _student_function(tree: ast.Module) -> ast.FunctionDef | None:
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    for f in funcs:
        params = {a.arg for a in f.args.args}
        if _SIGNATURE_HINTS <= params:
            return f
    return funcs[0] if len(funcs) == 1 else None


def wrap(code: str, *, function: str = "conv_forward", strip_lines=()) -> str:
    """Source of the staged module. Raises SyntaxError if the student's code has one.

    Parsing (never running) the code here decides the wrapping: a ``def`` of the
    student's is kept and called through an adapter, a bare snippet becomes the body.
    """
    code = textwrap.dedent(_strip(code.replace("\t", "    "), list(strip_lines))).strip("\n")
    tree = ast.parse(code)
    head = ("import numpy as np\nimport numpy\nimport torch\n"
            "import torch.nn.functional as F\n\n")
    student = _student_function(tree)
    if student is None:
        body = textwrap.indent(code, "    ")
        source = (f"{head}def {function}(x, w, b, pad, stride):\n"
                  f"    N, C, H, W = x.shape\n{body}\n    return out\n")
    else:
        params = [a.arg for a in student.args.args]
        if "conv_param" in params or any(p.endswith("param") for p in params):
            call = (f"{student.name}(x, w, b, {{'pad': pad, 'stride': stride}})")
        else:
            named = {"x": "x", "w": "w", "b": "b", "pad": "pad", "stride": "stride",
                     "padding": "pad", "s": "stride", "p": "pad"}
            args = ", ".join(named.get(p, "None") for p in params)
            call = f"{student.name}({args})"
        source = (f"{head}{code}\n\n\ndef {function}(x, w, b, pad, stride):\n"
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


def reference_conv(x, w, b, pad: int, stride: int, *, flip: bool = False,
                   bias: bool = True) -> np.ndarray:
    """The naive convolution layer forward (cross-correlation unless ``flip``).

    It is the conv assignment's reference, ``conv_forward_naive`` of the reference
    ``cs231n`` package (solutions/), so the quiz and the assignment can never disagree on
    what a convolution is. ``flip`` and ``bias=False`` feed it the two classic near misses
    (a flipped kernel, a forgotten bias) for the feedback.
    """
    from ..run.proxy import reference_package  # solutions/ is imported only when needed

    x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, w, b))
    if flip:
        w = w[:, :, ::-1, ::-1]
    if not bias:
        b = np.zeros_like(b)
    out, _ = reference_package().layers.conv_forward_naive(
        x, w, b, {"stride": stride, "pad": pad})
    return out


def _inputs(settings: dict, seed: int, k: int):
    rng = np.random.default_rng(seed * 1000 + k)
    x = rng.standard_normal(tuple(settings.get("x_shape", (2, 3, 7, 8))))
    w = rng.standard_normal(tuple(settings.get("w_shape", (4, 3, 3, 2))))
    b = rng.standard_normal(w.shape[0])
    return x, w, b


class _Slot:
    """One sandbox slot per grading process, started on first use."""

    slot = None
    broken = ""
    level = "auto"  # set by the quiz command once it has chosen and announced the level

    @classmethod
    def get(cls):
        if cls.slot is None and not cls.broken:
            try:
                from ..config import Limits
                from ..run.sandbox import SandboxSlot  # the sandbox room's contract
                work = Path(tempfile.mkdtemp(prefix="grader-quiz-"))
                cls.slot = SandboxSlot(level=cls.level, workdir=work / "slot", limits=Limits(
                    call_timeout=10.0, submission_timeout=60.0, cpu_seconds=60))
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


def _run(source: str, settings: dict, seed: int, function: str) -> tuple:
    """(parts, tags, error) of running ``source``; raises RuntimeError without a sandbox."""
    from ..run.errors import LimitExceeded, StudentError, WorkerFailure

    slot = _Slot.get()
    if slot is None:
        raise RuntimeError(_Slot.broken or "no sandbox")
    configs = [tuple(c) for c in settings.get("configs", [[0, 1], [1, 1], [1, 2]])]
    parts: list[Part] = []
    tags: list[str] = []
    part_tags: list[str] = []  # the mistake of each part, "" when right
    with tempfile.TemporaryDirectory(prefix="grader-q4-") as tmp:
        staged = stage(source, Path(tmp) / "staged")
        with slot.open(staged) as session:
            try:
                session.import_module(MODULE)
            except StudentError as error:
                return [], ["code_error"], feedback.message(
                    "code_error", None, error=f"{error.type_name}: {error.message}",
                    pad="-", stride="-"), []
            except WorkerFailure as error:
                return [], ["code_limit"], feedback.message("code_limit", None,
                                                            error=error), []
            for k, (pad, stride) in enumerate(configs):
                x, w, b = _inputs(settings, seed, k)
                name = f"pad={pad}, stride={stride}"
                try:
                    got = session.call(f"{MODULE}:{function}", x, w, b, pad, stride)
                except StudentError as error:
                    parts.append(Part(name, False, feedback.message(
                        "code_error", None, error=f"{error.type_name}: {error.message}",
                        pad=pad, stride=stride)))
                    tags.append("code_error")
                    part_tags.append("code_error")
                    continue
                except (LimitExceeded, WorkerFailure) as error:
                    parts.append(Part(name, False, feedback.message("code_limit", None,
                                                                    error=error)))
                    tags.append("code_limit")
                    part_tags.append("code_limit")
                    continue
                ok, text, tag = _judge(np.asarray(got) if isinstance(got, np.ndarray) else got,
                                       x, w, b, pad, stride)
                parts.append(Part(name, ok, text))
                part_tags.append(tag)
                if tag:
                    tags.append(tag)
    return parts, tags, "", part_tags


def _judge(got, x, w, b, pad, stride) -> tuple[bool, str, str]:
    want = reference_conv(x, w, b, pad, stride)
    if not isinstance(got, np.ndarray) or got.shape != want.shape:
        shape = getattr(got, "shape", type(got).__name__)
        return False, feedback.message("code_shape", None, got=shape, expected=want.shape,
                                       pad=pad, stride=stride), "code_shape"
    if np.allclose(got, want, rtol=1e-5, atol=1e-6):
        return True, "", ""
    for tag, alt in (("code_flipped", reference_conv(x, w, b, pad, stride, flip=True)),
                     ("code_no_bias", reference_conv(x, w, b, pad, stride, bias=False))):
        if np.allclose(got, alt, rtol=1e-5, atol=1e-6):
            return False, feedback.message(tag, None), tag
    if stride > 1:
        return False, feedback.message("code_stride", None, stride=stride), "code_stride"
    if pad > 0:
        return False, feedback.message("code_pad", None, pad=pad), "code_pad"
    diff = float(np.max(np.abs(got - want)))
    return False, feedback.message("code_wrong", None, pad=pad, stride=stride, diff=diff), \
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
    function = settings.get("function", "conv_forward")
    try:
        source = wrap(code, function=function, strip_lines=settings.get("strip_lines", ()))
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
            _CACHE[key] = _run(source, settings, seed, function)
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
    if len(messages) > 1 and all(t == "code_stride" for t in part_tags if t):
        messages = messages[:1]
    if verdict == "correct":
        messages = [feedback.message("code_ok", question)]
    return replace(base, verdict=verdict, score=round(pts * share, 4), reading=code,
                   messages=tuple(messages), parts=tuple(parts),
                   tags=tuple(dict.fromkeys(tags)))
