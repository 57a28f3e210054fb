"""The quiz as data: ``quizzes/<quiz>/quiz.toml`` loaded into frozen data classes.

Every mistake in the file is reported as one line naming the file and the key
(``quiz.toml: questions[1].accepted[0].form: missing``), never as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from ..errors import InputFileError, UsageError
from . import kinds
from .domain import Domain, load_domain

SYMBOL_KINDS = ("array", "mask", "scalar", "grid")


@dataclass(frozen=True)
class SymbolSpec:
    name: str  # canonical name, e.g. "D"
    kind: str  # array | mask | scalar | grid
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    """An accepted form (``name`` is its label) or a known wrong one (``name`` is a tag)."""

    name: str
    text: str
    message: str = ""
    credit: float = 0.0
    test_text: str = ""  # accepted forms: what the test-time pass must then be
    patterns: tuple[str, ...] = ()  # claims: every one must be said (regular expressions)
    part: str = ""  # claims: the part of the answer this form is about


@dataclass(frozen=True)
class Policy:
    implicit_product: str = "accept"  # "accept" (with a note) or "review"
    consistency_credit: float = 0.5
    test_time_credit: float = 0.5
    answer_seconds: float = 5.0  # wall time one math answer may take before review


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    points: float
    title: str
    text: str
    target: str = ""
    source: str = ""
    symbols: tuple[SymbolSpec, ...] = ()
    accepted: tuple[Form, ...] = ()
    wrong: tuple[Form, ...] = ()
    consistent_with: str = ""
    settings: dict = field(default_factory=dict, compare=False, hash=False)
    messages: dict = field(default_factory=dict, compare=False, hash=False)
    # The quiz's domain block: the meanings its words and names have (grader.quiz.domain).
    domain: Domain = field(default=Domain(), compare=False, hash=False)

    def symbol(self, name: str) -> SymbolSpec | None:
        return next((s for s in self.symbols if s.name == name), None)


@dataclass(frozen=True)
class Quiz:
    title: str
    seed: int
    questions: tuple[Question, ...]
    policy: Policy
    path: Path
    domain: Domain = field(default=Domain(), compare=False, hash=False)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid.lower():
                return q
        known = ", ".join(q.id for q in self.questions)
        raise UsageError(f"no question {qid!r} in {self.path.name} (questions: {known})")

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)


class _Reader:
    """Typed access to a TOML table that names the key path in every error."""

    def __init__(self, data: dict, where: str, path: Path) -> None:
        self.data, self.where, self.path = data, where, path

    def fail(self, key: str, what: str):
        raise InputFileError(f"{self.where}{key}: {what}", path=self.path)

    def get(self, key: str, kind: type | tuple, default=None, *, required: bool = False):
        if key not in self.data:
            if required:
                self.fail(key, "missing")
            return default
        value = self.data[key]
        if isinstance(value, bool) and kind is not bool:
            self.fail(key, f"expected {_kind_name(kind)}, got {value!r}")
        if not isinstance(value, kind):
            self.fail(key, f"expected {_kind_name(kind)}, got {type(value).__name__}")
        return value

    def tables(self, key: str) -> list[_Reader]:
        items = self.get(key, list, [])
        out = []
        for n, item in enumerate(items):
            if not isinstance(item, dict):
                self.fail(f"{key}[{n}]", "expected a table")
            out.append(_Reader(item, f"{self.where}{key}[{n}].", self.path))
        return out


def _kind_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "text", int: "a whole number", float: "a number", list: "a list",
             dict: "a table", bool: "true or false"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _form(r: _Reader, *, wrong: bool) -> Form:
    name = r.get("tag" if wrong else "name", str, required=True)
    credit = float(r.get("credit", (int, float), 0.0 if wrong else 1.0))
    if not 0.0 <= credit <= 1.0:
        r.fail("credit", f"must be between 0 and 1, got {credit}")
    text = r.get("form", str, "")
    patterns = r.get("patterns", list, [])
    if not all(isinstance(p, str) for p in patterns):
        r.fail("patterns", "expected a list of text")
    if not text and not r.get("variant", str, "") and not patterns:
        r.fail("form", "missing")
    return Form(name, text or r.get("variant", str, ""), r.get("message", str, ""), credit,
                r.get("test_form", str, ""), tuple(patterns), r.get("part", str, ""))


def _symbols(r: _Reader, domain: Domain) -> tuple[SymbolSpec, ...]:
    table = r.get("symbols", dict, {})
    out = []
    for name, spec in table.items():
        if spec == "domain":  # the domain's meaning of this name
            spec = domain.symbols.get(name)
            if not isinstance(spec, dict):
                r.fail(f"symbols.{name}", f"the domain {domain.name!r} defines no symbol "
                                          f"{name!r}")
        if not isinstance(spec, dict):
            r.fail(f"symbols.{name}", "expected a table with kind and aliases")
        sr = _Reader(spec, f"{r.where}symbols.{name}.", r.path)
        kind = sr.get("kind", str, required=True)
        if kind not in SYMBOL_KINDS:
            sr.fail("kind", f"must be one of {', '.join(SYMBOL_KINDS)}, got {kind!r}")
        aliases = sr.get("aliases", list, [])
        if not all(isinstance(a, str) for a in aliases):
            sr.fail("aliases", "expected a list of text")
        out.append(SymbolSpec(name, kind, tuple(aliases)))
    return tuple(out)


def _question(r: _Reader, seen: set[str], domain: Domain) -> Question:
    qid = r.get("id", str, required=True).lower()
    if qid in seen:
        r.fail("id", f"duplicate question id {qid!r}")
    seen.add(qid)
    kind = r.get("kind", str, required=True)
    if kind not in kinds.names():
        r.fail("kind", f"must be one of {', '.join(kinds.names())}, got {kind!r}")
    points = float(r.get("points", (int, float), required=True))
    if points <= 0:
        r.fail("points", "must be positive")
    accepted = tuple(_form(x, wrong=False) for x in r.tables("accepted"))
    wrong = tuple(_form(x, wrong=True) for x in r.tables("wrong"))
    symbols = _symbols(r, domain)
    target = r.get("target", str, "")
    settings = r.get("settings", dict, {})
    messages = r.get("messages", dict, {})
    if not all(isinstance(v, str) for v in messages.values()):
        r.fail("messages", "every message must be text")
    # The kind checks the rest of its table (a formula needs a target, ...).
    kinds.get(kind).parse_settings(r, {"accepted": accepted, "wrong": wrong,
                                       "symbols": symbols, "settings": settings,
                                       "domain": domain})
    return Question(qid, kind, points, r.get("title", str, qid.upper()),
                    r.get("text", str, ""), target, r.get("source", str, ""), symbols,
                    accepted, wrong, r.get("consistent_with", str, "").lower(),
                    dict(settings), {**domain.messages, **messages}, domain)


def load_quiz(quiz_dir: Path) -> Quiz:
    """Load ``quiz_dir/quiz.toml``; every problem is an :class:`InputFileError`."""
    if not quiz_dir.exists():
        raise UsageError(f"quiz folder {quiz_dir} does not exist")
    path = quiz_dir / "quiz.toml" if quiz_dir.is_dir() else quiz_dir
    if not path.is_file():
        raise InputFileError("no quiz.toml in this folder", path=quiz_dir)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InputFileError(f"not valid TOML: {error}", path=path) from None
    except UnicodeDecodeError:
        raise InputFileError("not UTF-8 text", path=path) from None
    r = _Reader(data, "", path)
    domain = load_domain(r, path.parent)
    seen: set[str] = set()
    questions = tuple(_question(q, seen, domain) for q in r.tables("questions"))
    if not questions:
        r.fail("questions", "the quiz has no [[questions]]")
    pr = _Reader(r.get("policy", dict, {}), "policy.", path)
    policy = Policy(pr.get("implicit_product", str, "accept"),
                    float(pr.get("consistency_credit", (int, float), 0.5)),
                    float(pr.get("test_time_credit", (int, float), 0.5)),
                    float(pr.get("answer_seconds", (int, float), 5.0)))
    if not 0 < policy.answer_seconds <= 600:
        pr.fail("answer_seconds", f"must be between 0 and 600, got {policy.answer_seconds}")
    if policy.implicit_product not in ("accept", "review"):
        pr.fail("implicit_product", "must be 'accept' or 'review'")
    for q in questions:
        if q.consistent_with and q.consistent_with not in seen:
            raise InputFileError(f"questions: {q.id}.consistent_with names no question "
                                 f"{q.consistent_with!r}", path=path)
    return Quiz(r.get("title", str, quiz_dir.name), int(r.get("seed", int, 8)), questions,
                policy, path, domain)
