"""Question kinds: a registry from a kind's name (``kind = "formula"`` in quiz.toml) to
how its questions are checked when the quiz is loaded, graded and warmed up.

The grading loop, the worker pool and the command ask a question's kind what it needs
(``kinds.get(question.kind).sandboxed``) instead of naming kinds, so a new kind is one
class and one :func:`register` call. The built-in kinds import their graders lazily:
loading a quiz must not import sympy or the sandbox.
"""

from __future__ import annotations

from ..errors import InputFileError


class Kind:
    """What the engine needs to know about one kind of question."""

    name = ""
    # Runs student code: checked here through the sandbox, not in the math workers, and
    # never remembered by its text (the run is cached by the code's syntax tree).
    sandboxed = False
    # Its answers' words are read for definitions, carried to a later question that is
    # ``consistent_with`` it (a backward pass read with the forward pass's definitions).
    reads_prose = False

    def parse_settings(self, r, question: dict) -> None:
        """Check the question's table (a :class:`grader.quiz.model._Reader`); a mistake is
        ``r.fail(key, what)``, which names the file and the key."""

    def grade(self, quiz, question, section, *, facts=None, carry=None, export=None):
        raise NotImplementedError

    def warm_up(self, quiz, question) -> None:
        """Fill caches before any answer's time budget starts (worker processes)."""


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind (or replace one of the same name); returns it, so it can decorate."""
    if isinstance(kind, type):
        kind = kind()
    _KINDS[kind.name] = kind
    return kind


def names() -> tuple[str, ...]:
    return tuple(_KINDS)


def get(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise InputFileError(f"no question kind {name!r} (kinds: {', '.join(_KINDS)})") \
            from None


@register
class Formula(Kind):
    """One formula for a target, read with sympy and compared with accepted forms."""

    name = "formula"
    reads_prose = True

    def parse_settings(self, r, question: dict) -> None:
        if not question["accepted"]:
            r.fail("accepted", "a formula question needs at least one accepted form")
        names = {s.name for s in question["symbols"]}
        for key in ("target", "source"):
            value = r.get(key, str, "")
            if key == "target" and not value:
                r.fail("target", "missing")
            if value and value not in names:
                r.fail(key, f"{value!r} is not one of the symbols ({', '.join(sorted(names))})")

    def grade(self, quiz, question, section, *, facts=None, carry=None, export=None):
        from .verdict import facts_for, grade_formula

        facts = facts if facts is not None else facts_for(question, section)
        return grade_formula(question, section, policy=quiz.policy, seed=quiz.seed,
                             facts=facts, carry=carry, export=export)

    def warm_up(self, quiz, question) -> None:
        from .answers import Section
        from .grade import grade_question

        grade_question(quiz, question, Section(question.id, question.accepted[0].text, 1))


@register
class Outputs(Kind):
    """Each output of a small grid operation, computed from its definition by sympy."""

    name = "outputs"

    def grade(self, quiz, question, section, *, facts=None, carry=None, export=None):
        from .q3 import grade_outputs

        return grade_outputs(question, section, seed=quiz.seed)

    def warm_up(self, quiz, question) -> None:
        from .q3 import reference

        for variant in ("cross_correlation", *(f.text for f in question.wrong)):
            try:
                reference(question, variant)
            except ValueError:  # a wrong form that is not a computed variant
                pass


@register
class Code(Kind):
    """A code block run in the sandbox on seeded inputs, compared with a reference."""

    name = "code"
    sandboxed = True

    def parse_settings(self, r, question: dict) -> None:
        settings = question["settings"]
        if not isinstance(settings.get("function", "answer"), str):
            r.fail("settings.function", "expected text")
        if question["domain"].hook("code_reference") is None:
            raise InputFileError(f"{r.where}kind: a code question needs a domain module "
                                 "with code_inputs and code_reference", path=r.path)

    def grade(self, quiz, question, section, *, facts=None, carry=None, export=None):
        from .code_check import grade_code

        return grade_code(question, section, seed=quiz.seed)


@register
class Positions(Kind):
    """A set of entries of a grid (which inputs feed an output), in either numbering."""

    name = "positions"

    def parse_settings(self, r, question: dict) -> None:
        from .positions import check_settings

        check_settings(r, question)

    def grade(self, quiz, question, section, *, facts=None, carry=None, export=None):
        from .positions import grade_positions

        return grade_positions(question, section)


@register
class Claims(Kind):
    """Statements in words, code or formulas, recognised by the quiz's patterns."""

    name = "claims"

    def parse_settings(self, r, question: dict) -> None:
        from .claims import check_settings

        check_settings(r, question)

    def grade(self, quiz, question, section, *, facts=None, carry=None, export=None):
        from .claims import grade_claims

        return grade_claims(question, section)
