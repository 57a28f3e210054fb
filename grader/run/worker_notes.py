"""What a worker tells the grader besides replies: notes, and the help behind them.

Shipped beside worker_main.py and imported by it inside the sandbox, so it imports only
the standard library. Notes are lines on the output pipe that start with :data:`NOTE`;
the reports take them out of "Output printed by your code":

- imports the grader cannot satisfy: a module the worker does not have, imported by the
  student's own file outside a ``try`` that catches ImportError, becomes a placeholder
  that fails only when used (:class:`Placeholders`), and the student reads which import
  was skipped or used;
- Python 2 code: the line and construct that is Python 2, and its Python 3 form;
- Python warnings raised while the tests ran the student's code (:class:`WarningNotes`).
"""

from __future__ import annotations

import ast
import importlib
import importlib.abc
import importlib.util
import linecache
import os
import re
import sys
import types

# A line of the worker's output that starts with this is the grader's note, not something
# the student printed: the reports take such lines out of "Output printed by your code".
NOTE = "[grader note] "
MAX_WARNINGS = 5  # distinct Python warnings reported per worker
# Written by staging beside the package: one "<path in the package>\t<name the student
# knows>" line per submitted file, read before any student code runs.
SUBMITTED = ".submitted-files"
COURSE = "cs231n"
_IMPORT_LINE = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))")
_CATCHES_IMPORT = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def submitted_text(files) -> str:
    """The SUBMITTED file for (path in the package, name the student knows) pairs."""
    return "".join(f"{path}\t{shown}\n" for path, shown in files)


def student_modules(root: str) -> dict[str, str]:
    """The submission's own files under ``root``: staged path -> the name the student knows."""
    try:
        with open(os.path.join(root, SUBMITTED), encoding="utf-8") as handle:
            lines = handle.read(65536).splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        path, _, shown = line.partition("\t")
        if path and shown:
            found[path] = shown
    return found


def text_of(obj) -> str:
    try:
        text = str(obj)
        return text if type(text) is str else "<unprintable>"
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise anything
        return "<unprintable>"


def flush_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001, S110 - the student may have replaced the stream
            pass


def note(text: str) -> None:
    """One line for the grader's reports, written straight to the output pipe."""
    flush_streams()
    data = (NOTE + " ".join(text.split()) + "\n").encode("utf-8", "backslashreplace")
    try:
        os.write(1, data)
    except OSError:
        pass


# --- Helpers of the student's own layer_utils.py -----------------------------------------

_HELPER = re.compile(r"^\w+_(?:forward|backward)$")


def missing_helper(exc: BaseException) -> str:
    """For an undefined layer function, where it is or what to do about it; else ''.

    Students add helpers of their own to a utility module of the package, or
    lose a star import on the way (a skipped module's line, a flat layout).
    """
    name = getattr(exc, "name", None) if isinstance(exc, NameError) else None
    if not isinstance(name, str) or not _HELPER.match(name):
        return ""
    home = next((module for module, loaded in sorted(sys.modules.items())
                 if module.startswith("cs231n.") and name in vars(loaded or object)), None)
    if home:
        return (f"{name} is defined in {home}, but the module that uses it does not import "
                f"it: add `from {home} import *` (or import {name}) at its top")
    return (f"{name} is not defined in the released {COURSE} package; if it is a helper you "
            "wrote in another file of the package, submit that file too, or define it in the "
            "file that uses it")


# --- NumPy 1 code ---------------------------------------------------------------------------

# What NumPy 2 removed that real CS231n solutions use, as the error's text shows it.
_NUMPY_REMOVED = (
    ("unexpected keyword argument 'newshape'",
     "reshape(..., newshape=...) is NumPy 1; use x.reshape(shape) or np.reshape(x, shape)"),
    ("'newshape' is an invalid keyword",
     "reshape(newshape=...) is NumPy 1; use x.reshape(shape) or np.reshape(x, shape)"),
    ("np.sum(generator) is deprecated",
     "np.sum(<generator>) is NumPy 1; use the built-in sum(...) or np.sum(np.fromiter(...))"),
    ("module 'numpy' has no attribute 'float'", "np.float was removed; use float or np.float64"),
    ("module 'numpy' has no attribute 'int'", "np.int was removed; use int or np.int64"),
)


def numpy_removed(exc: BaseException) -> str:
    """What to use instead, when ``exc`` comes from something newer NumPy no longer has."""
    text = str(exc)
    for needle, advice in _NUMPY_REMOVED:
        if needle in text:
            numpy = sys.modules.get("numpy")
            version = getattr(numpy, "__version__", "2")
            return f"{advice} (the grader runs NumPy {version})"
    return ""


# --- Python 2 code --------------------------------------------------------------------

_PY2_NAMES = {"xrange": "range", "unicode": "str", "basestring": "str",
              "raw_input": "input", "unichr": "chr", "long": "int", "execfile": "exec(open(...).read())",
              "reduce": "functools.reduce", "cmp": "(a > b) - (a < b)"}
_PY2_METHODS = {"iteritems": ".items()", "itervalues": ".values()", "iterkeys": ".keys()",
                "has_key": "the in operator"}
_PY2_SYNTAX = (
    (re.compile(r"^\s*print\s+[^\s(=]"), "a print statement without parentheses"),
    (re.compile(r"^\s*print\s*$"), "a print statement without parentheses"),
    (re.compile(r"^\s*except\s+[\w.]+\s*,\s*\w+\s*:"), "`except X, e` instead of `except X as e`"),
    (re.compile(r"^\s*exec\s+[\"']"), "an exec statement"),
    (re.compile(r"^\s*raise\s+[\w.]+\s*,"), "`raise X, message` instead of `raise X(message)`"),
    (re.compile(r"<>"), "the <> operator instead of !="),
    (re.compile(r"`[^`]+`"), "backticks instead of repr()"),
    (re.compile(r"(?<![\w.])0\d+(?![\w.])"), "an octal literal such as 0777 instead of 0o777"),
)


def python2_syntax(exc: SyntaxError) -> str:
    """What in the line of a SyntaxError is Python 2 syntax, or '' when nothing is."""
    message = text_of(getattr(exc, "msg", ""))
    text = exc.text or ""
    if "Missing parentheses in call to 'print'" in message:
        return f"print without parentheses: {text.strip()[:80]}"
    if "Missing parentheses in call to 'exec'" in message:
        return f"exec without parentheses: {text.strip()[:80]}"
    for pattern, what in _PY2_SYNTAX:
        if pattern.search(text):
            return f"{what}: {text.strip()[:80]}"
    return ""


def python2_name(exc: BaseException) -> str:
    """The Python 3 replacement when ``exc`` comes from a Python 2 name or method."""
    if type(exc) is NameError and getattr(exc, "name", None) in _PY2_NAMES:
        name = exc.name
        return f"{name} is Python 2; in Python 3 use {_PY2_NAMES[name]}"
    if type(exc) is AttributeError and getattr(exc, "name", None) in _PY2_METHODS:
        name = exc.name
        return f".{name}() is Python 2; in Python 3 use {_PY2_METHODS[name]}"
    return ""


# --- imports the grader cannot satisfy ----------------------------------------------------

class Unavailable:
    """What a skipped import binds: anything done with it fails with one clear message."""

    __slots__ = ("_owner", "_what")

    def __init__(self, what: str, owner: Placeholders) -> None:
        object.__setattr__(self, "_what", what)
        object.__setattr__(self, "_owner", owner)

    def _fail(self, *args, **kwargs):
        what = object.__getattribute__(self, "_what")
        raise object.__getattribute__(self, "_owner").used(what)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        what = object.__getattribute__(self, "_what")
        return Unavailable(f"{what}.{name}", object.__getattribute__(self, "_owner"))

    def __repr__(self) -> str:
        return f"<{object.__getattribute__(self, '_what')}: not available to the grader>"

    __call__ = __getitem__ = __setitem__ = __iter__ = __len__ = __bool__ = _fail
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _fail
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __pow__ = __neg__ = _fail
    __lt__ = __le__ = __gt__ = __ge__ = __array__ = __float__ = __int__ = __index__ = _fail
    __enter__ = __exit__ = __contains__ = __setattr__ = __mro_entries__ = _fail


class PlaceholderModule(types.ModuleType):
    """A module the grader does not have, imported by a student file: names in it are
    :class:`Unavailable`, a star import gets nothing."""

    def __getattr__(self, name: str):
        if name == "__all__":
            return []
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Unavailable(f"{self.__name__}.{name}", self.__dict__["_grader_owner"])


class Placeholders(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """The last finder on ``sys.meta_path``: it answers only for modules no real finder
    found (so it never hides a module that exists), and only when the import statement
    is in one of the student's files and not inside a ``try`` that catches ImportError
    (the student's own fallback then runs as on their machine).

    A bare or foreign-package name of a course module (``from layer_utils import *``,
    ``from cs6353.layers import *``) is read as that module of the staged cs231n package;
    anything else becomes a :class:`PlaceholderModule`. Each is reported once as a note.
    """

    def __init__(self, root: str) -> None:
        self.root = root
        self.student_modules = student_modules(root)
        self.origins: dict[str, tuple[str, int, str]] = {}  # module -> (file, line, statement)
        self.reported: set[str] = set()
        self.star_skipped: list[str] = []
        self.guarded: dict[str, list[tuple[int, int]]] = {}
        self.install()

    def install(self) -> None:
        if self not in sys.meta_path:
            sys.meta_path.append(self)

    # finder
    def find_spec(self, fullname, path=None, target=None):
        if fullname == COURSE or fullname.startswith(COURSE + "."):
            return None  # the course package is staged: what is not there really is missing
        where = self.importer()
        if where is None:
            return None
        filename, lineno, shown = where
        if self.inside_fallback(filename, lineno):
            return None
        statement = linecache.getline(filename, lineno).strip()
        self.origins[fullname] = (shown, lineno, statement)
        return importlib.util.spec_from_loader(fullname, self, is_package=True)

    def importer(self):
        """(file, line, shown name) of the student's statement that started this import."""
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_code.co_filename
            if not (name.startswith("<frozen importlib") or name == __file__
                    or name.endswith(("importlib/__init__.py", "importlib/_bootstrap.py"))):
                break
            frame = frame.f_back
        if frame is None or not frame.f_code.co_filename.startswith(self.root):
            return None
        shown = self.student_modules.get(frame.f_code.co_filename[len(self.root):])
        return (frame.f_code.co_filename, frame.f_lineno, shown) if shown else None

    def inside_fallback(self, filename: str, lineno: int) -> bool:
        if filename not in self.guarded:
            ranges = []
            try:
                with open(filename, "rb") as handle:
                    tree = ast.parse(handle.read())
                for node in ast.walk(tree):
                    if isinstance(node, ast.Try) and any(_catches_import(h) for h in node.handlers):
                        ranges.append((node.body[0].lineno, node.body[-1].end_lineno or 0))
            except Exception:  # noqa: BLE001, S110 - unreadable: treat nothing as guarded
                pass
            self.guarded[filename] = ranges
        return any(start <= lineno <= end for start, end in self.guarded[filename])

    # loader
    def create_module(self, spec):
        name = spec.name
        target = course_module(name)
        shown, lineno, statement = self.origins.get(name, ("", 0, ""))
        if target:
            module = importlib.import_module(target)
            self.report(name, f"{shown} line {lineno}: `{statement}` was read as {target}: "
                              f"{name} is not available to the grader, and the course "
                              f"package it grades is {COURSE}.")
            return module
        module = PlaceholderModule(name)
        module.__dict__["_grader_owner"] = self
        top = _IMPORT_LINE.match(statement)
        imported = top and (top.group(1) or top.group(2)) or name
        if name.rpartition(".")[0] in self.origins:
            return module  # inside a package that was skipped: that one was reported
        if imported.startswith(name + ".") and course_module(imported):
            return module  # another package's name for the course package: see its module
        if statement.startswith("from ") and statement.rstrip().endswith("*"):
            self.star_skipped.append(statement)
        self.report(name, f"{shown} line {lineno}: `{statement}` was skipped: {name} is not "
                          f"available to the grader{_numpy_note(name)}.")
        return module

    def exec_module(self, module) -> None:
        pass

    def report(self, name: str, text: str) -> None:
        if name not in self.reported:
            self.reported.add(name)
            note(f"skipped import: {text}")

    def used(self, what: str) -> ModuleNotFoundError:
        """The error for using a skipped module, reported once as a note as well."""
        module = what
        while module and module not in self.origins:
            module = module.rpartition(".")[0]
        shown, lineno, statement = self.origins.get(module, ("your file", 0, what))
        text = (f"your code used {what}, but {module or what} is not available to the grader "
                f"(`{statement}`, {shown} line {lineno}); use numpy instead")
        if f"used:{module}" not in self.reported:
            self.reported.add(f"used:{module}")
            note(f"used import: {module} was used by your code ({shown} line {lineno}).")
        return ModuleNotFoundError(text, name=module)


def course_module(name: str) -> str:
    """``cs231n.<x>`` for a bare or foreign-package name of a staged course module."""
    parts = name.split(".")
    for start in (0, 1):
        rest = parts[start:]
        if not rest or (start == 0 and len(parts) > 1):
            continue
        for prefix in ((COURSE,), (COURSE, "classifiers")):
            candidate = ".".join(prefix + tuple(rest))
            try:
                if importlib.util.find_spec(candidate) is not None:
                    return candidate
            except (ImportError, ValueError):
                continue
    return ""


def _catches_import(handler) -> bool:
    kinds = handler.type
    if kinds is None:
        return True
    names = kinds.elts if isinstance(kinds, ast.Tuple) else [kinds]
    return any(getattr(n, "id", getattr(n, "attr", "")) in _CATCHES_IMPORT for n in names)


def _numpy_note(name: str) -> str:
    if name == "numpy" or not name.startswith("numpy."):
        return ""
    try:
        import numpy
        return f" (NumPy {numpy.__version__} does not have it)"
    except Exception:  # noqa: BLE001
        return ""


# --- warnings -------------------------------------------------------------------------

class WarningNotes:
    """Python warnings raised while the tests ran the student's code (numpy's "invalid
    value encountered in divide" on the tests' inputs): reported as the grader's notes,
    never as output the student printed. A UserWarning is what ``warnings.warn`` issues,
    the student's own words: it is printed as Python prints it."""

    def __init__(self, root: str, printed) -> None:
        self.root = root
        self.student_modules = student_modules(root)
        self.printed = printed  # how Python shows a warning (warnings.showwarning)
        self.seen: set[tuple] = set()

    def show(self, message, category, filename, lineno, file=None, line=None) -> None:
        if category is UserWarning:
            self.printed(message, category, filename, lineno, file, line)
            return
        key = (category.__name__, str(message), str(filename), lineno)
        if key in self.seen or len(self.seen) >= MAX_WARNINGS:
            return
        self.seen.add(key)
        filename = str(filename)
        if filename.startswith(self.root):
            rel = filename[len(self.root):]
            place = f"{self.student_modules.get(rel, rel)} line {lineno}"
        else:
            place = f"{os.path.basename(filename)}, called from your code"
        note(f"warning: {category.__name__}: {message} ({place}). Python raised this "
             "warning while your code ran with the tests' inputs; your code did not print it.")
