"""Domain blocks: the subject-matter meanings a quiz opts into, kept with the quiz.

The engine reads notation (products, derivatives, masks, grids, sums) and knows no
subject. What words and names mean in one subject (that ``p`` is a keep probability,
which sentences claim a form, what a student reads when a formula misses its mask) is a
domain block, named in quiz.toml and stored beside it::

    [domain]
    name = "..."            # for people; the files below are what count
    data = "domain.toml"    # messages, symbol defaults, review rules (default: this name)
    module = "domain.py"    # optional: code the data cannot say (reading prose ...)

The data file holds ``[messages]`` (default feedback, which a question's own
``[questions.messages]`` overrides), ``[symbols]`` (a question's symbol given as ``D =
"domain"`` takes the domain's kind and aliases), ``[[accepted_review]]`` (words that send
an accepted formula to review), ``[consistency]`` hints and ``describe`` (which facts
from the words the reading shows). The module is quiz content, trusted instructor code
(never student code); it is imported by path under a name of its own, lazily, so a quiz
can travel to worker processes as data. Hooks it may define: ``read_prose(text)``
(facts from an answer's words) and the code kind's ``code_inputs``, ``code_reference``
and ``code_diagnose``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from ..errors import InputFileError

_MODULES: dict[str, object] = {}


@dataclass(frozen=True)
class Domain:
    name: str = ""
    messages: dict = field(default_factory=dict, compare=False, hash=False)
    symbols: dict = field(default_factory=dict, compare=False, hash=False)
    accepted_review: tuple = ()
    consistency: dict = field(default_factory=dict, compare=False, hash=False)
    describe: tuple = ()
    diagnose: dict = field(default_factory=dict, compare=False, hash=False)
    module_path: str = ""

    def hook(self, name: str):
        """The module's function ``name``, or None (no module, or no such hook)."""
        if not self.module_path:
            return None
        return getattr(_load_module(self.module_path), name, None)


def _load_module(path: str):
    module = _MODULES.get(path)
    if module is None:
        unique = "grader_quiz_domain_" + hashlib.sha256(path.encode()).hexdigest()[:12]
        spec = importlib.util.spec_from_file_location(unique, path)
        if spec is None or spec.loader is None:
            raise InputFileError("cannot load this domain module", path=Path(path))
        module = importlib.util.module_from_spec(spec)
        sys.modules[unique] = module  # classes it defines stay picklable by name
        spec.loader.exec_module(module)
        _MODULES[path] = module
    return module


def load_domain(reader, quiz_dir: Path) -> Domain:
    """The ``[domain]`` block of quiz.toml (``reader`` reads the whole file); no block:
    the empty domain, in which only the engine's generic meanings apply."""
    table = reader.get("domain", dict, None)
    if table is None:
        return Domain()
    from .model import _Reader

    r = _Reader(table, "domain.", reader.path)
    name = r.get("name", str, "")
    data_path = quiz_dir / r.get("data", str, "domain.toml")
    module = r.get("module", str, "")
    module_path = quiz_dir / module if module else None
    if module_path is not None and not module_path.is_file():
        r.fail("module", f"no file {module_path.name} beside quiz.toml")
    data: dict = {}
    if data_path.is_file():
        try:
            data = tomllib.loads(data_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise InputFileError(f"not valid TOML: {error}", path=data_path) from None
    elif "data" in table:
        r.fail("data", f"no file {data_path.name} beside quiz.toml")
    d = _Reader(data, "", data_path)
    messages = d.get("messages", dict, {})
    if not all(isinstance(v, str) for v in messages.values()):
        d.fail("messages", "every message must be text")
    rules = []
    unknown = set(data) - {"name", "messages", "symbols", "accepted_review", "consistency",
                           "describe", "diagnose"}
    if unknown:
        d.fail(min(unknown), "unknown key (a key after a [table] belongs to it)")
    for rule in d.tables("accepted_review"):
        extra = set(rule.data) - {"flag", "forms", "unless", "setting", "message"}
        if extra:
            rule.fail(min(extra), "unknown key")
        rules.append((rule.get("flag", str, required=True),
                      tuple(rule.get("forms", list, [])), rule.get("unless", str, ""),
                      rule.get("setting", str, ""), rule.get("message", str, required=True)))
    describe = tuple(tuple(pair) for pair in d.get("describe", list, []))
    if not all(len(pair) == 2 and all(isinstance(x, str) for x in pair) for pair in describe):
        d.fail("describe", "expected a list of [fact, label] pairs")
    return Domain(name or data.get("name", ""), dict(messages), d.get("symbols", dict, {}),
                  tuple(rules), d.get("consistency", dict, {}), describe,
                  d.get("diagnose", dict, {}),
                  str(module_path.resolve()) if module_path else "")
