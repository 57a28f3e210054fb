"""Whitelisted Python AST of a formula -> sympy, with the meaning of each notation.

Products: ``*`` (from ``⊙ ∘ .* *``) is element-wise; ``%`` (juxtaposition, ``·``) is
element-wise too but noted, so a quiz can send ``H = DY`` to review; ``@``, ``np.dot``,
``.dot`` and ``np.matmul`` between arrays stay an opaque ``matmul`` that can never equal an
element-wise product. Random draws are read by what they make: ``rand(...) < q`` is a
Bernoulli(q) keep mask, ``rand(...) > q`` a Bernoulli(1-q) one, ``randn(...) < p`` the
Gaussian-threshold mistake. A Bernoulli mask keeping with the quiz's p is the mask symbol
``D``; with 1-p it is ``1 - D``; with anything else an opaque ``bern(q)``.

Nothing here evaluates student text: the converter walks nodes that
:mod:`grader.quiz.parse` already checked against its whitelist.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import sympy as sp

from .bounds import MAX_STEPS, check_count, check_expr, check_power, check_value
from .errors import NormalizeError
from .parse import Side
from .symbols import BERN, MATMUL, Role, Vocab, entry_symbol, grid_symbol, transpose
from .values import (
    GAUSS,
    GAUSS_LT,
    IDENTITY,
    MODULES,
    NORMAL,
    SHAPE,
    UNIFORM,
    Dist,
    Draw,
    Matrix,
    P,
)

__all__ = ["GAUSS", "GAUSS_LT", "Converter", "Dist", "Draw", "Matrix", "P", "Scope"]

@dataclass
class Scope:
    """Per-answer state shared by the statements of one question."""

    vocab: Vocab
    drop_convention: bool = False  # the answer says p is the drop probability
    env: dict[str, object] = field(default_factory=dict)
    canonical: tuple[str, ...] | None = None
    index_env: dict[str, int] = field(default_factory=dict)
    zero_based: bool = False
    notes: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)
    draws: int = 0
    rename: dict[str, str] = field(default_factory=dict)  # raw name -> role, this statement
    steps: int = 0  # nodes converted for this answer, bounded (nested sums, long chains)

    @property
    def arrays(self) -> frozenset[str]:
        return frozenset(r.name for r in self.vocab.roles.values()
                         if r.kind in ("array", "mask"))

    @property
    def mask_role(self) -> Role | None:
        return next((r for r in self.vocab.roles.values() if r.kind == "mask"), None)

    def p(self) -> sp.Expr:
        return 1 - P if self.drop_convention else P

    def mask(self, q: sp.Expr) -> sp.Expr:
        """The keep mask with keep probability ``q`` (already in the quiz's convention)."""
        role = self.mask_role
        d = sp.Symbol(role.name if role else "D")
        if sp.expand(q - P) == 0:
            return d
        if sp.expand(q - (1 - P)) == 0:
            return 1 - d
        return BERN(q)

    def is_array(self, value: object) -> bool:
        if not isinstance(value, sp.Basic):
            return False
        names = self.arrays | {"gauss", "gauss_lt"}
        for s in value.free_symbols:
            base = s.name.rstrip("ᵀ").split("[")[0]
            if base in names:
                return True
        return value.has(MATMUL) or value.has(BERN)


def _fail(side: Side, node: ast.AST, message: str) -> NormalizeError:
    pos = None
    if isinstance(node, ast.Name) and node.id.startswith("_n"):
        pos = side.name(node).pos
    return NormalizeError(message, pos=pos, text="")


def _int(value: object, side: Side, node: ast.AST) -> int:
    if isinstance(value, sp.Integer) or (isinstance(value, sp.Basic) and value.is_integer):
        return int(value)
    raise _fail(side, node, "an index must be a whole number")


class Converter:
    def __init__(self, scope: Scope, side: Side) -> None:
        self.scope, self.side = scope, side

    # ------------------------------------------------------------------ entry points
    def sympy(self, node: ast.AST | None = None) -> sp.Expr:
        value = self.value(self.side.tree if node is None else node)
        return self.as_expr(value, node or self.side.tree)

    def as_expr(self, value: object, node: ast.AST) -> sp.Expr:
        if isinstance(value, Draw):
            if value.dist == "normal":
                return GAUSS
            raise _fail(self.side, node, "a uniform random draw is used as a number; "
                                         "compare it with p to make a mask")
        if isinstance(value, (bool, int, float)):
            return sp.sympify(value)
        if not isinstance(value, sp.Basic):
            raise _fail(self.side, node, "this part is not a number or an array")
        return value

    # ------------------------------------------------------------------ nodes
    def value(self, node: ast.AST) -> object:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise _fail(self.side, node, f"cannot read {type(node).__name__}")
        self.scope.steps += 1
        check_count(self.scope.steps, "steps to read (sums too long or nested)", MAX_STEPS)
        return check_value(method(node))

    def _Constant(self, node: ast.Constant) -> object:
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, float):
            return sp.Rational(repr(node.value))
        return sp.Integer(node.value)

    def _Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.value(e) for e in node.elts)

    _List = _Tuple

    def _Starred(self, node: ast.Starred) -> object:
        return SHAPE

    def _UnaryOp(self, node: ast.UnaryOp) -> sp.Expr:
        value = self.sympy(node.operand)
        return -value if isinstance(node.op, ast.USub) else value

    def _BinOp(self, node: ast.BinOp) -> sp.Expr:
        a = self.as_expr(self.value(node.left), node.left)
        b = self.as_expr(self.value(node.right), node.right)
        op = node.op
        if isinstance(op, ast.Add):
            return a + b
        if isinstance(op, ast.Sub):
            return a - b
        if isinstance(op, (ast.Div, ast.FloorDiv)):  # // in code: an exact division
            return a / b
        if isinstance(op, ast.Pow):
            check_power(a, b)
            return a ** b
        if isinstance(op, ast.Mult):
            return a * b
        both = self.scope.is_array(a) and self.scope.is_array(b)
        if isinstance(op, ast.Mod):
            if both and self.scope.canonical is None:  # m_i y_i: entries, no ambiguity
                self.scope.notes.add("implicit")
            return a * b
        if isinstance(op, ast.MatMult):
            return MATMUL(a, b) if both else a * b
        raise _fail(self.side, node, "unsupported operator")

    def _Compare(self, node: ast.Compare) -> sp.Expr:
        if len(node.ops) != 1:
            raise _fail(self.side, node, "one comparison at a time")
        left, right = self.value(node.left), self.value(node.comparators[0])
        op = node.ops[0]
        less = isinstance(op, (ast.Lt, ast.LtE))
        more = isinstance(op, (ast.Gt, ast.GtE))
        if isinstance(right, Draw) and (less or more):
            left, right, less, more = right, left, more, less
        if isinstance(left, Draw):
            q = self.as_expr(right, node)
            if left.dist == "uniform":
                return self.scope.mask(q if less else 1 - q)
            if sp.expand(q - self.scope.p()) == 0 or sp.expand(q - P) == 0:
                return GAUSS_LT if less else 1 - GAUSS_LT
            return BERN(sp.Symbol("Phi")(q) if less else 1 - sp.Symbol("Phi")(q))
        lhs, rhs = self.as_expr(left, node), self.as_expr(right, node)
        if rhs == 0 and (more or isinstance(op, ast.NotEq)):
            return lhs  # mask > 0, mask != 0
        if isinstance(op, ast.Eq) and rhs in (0, 1):
            return lhs if rhs == 1 else 1 - lhs
        raise _fail(self.side, node, "cannot read this comparison")

    def _Attribute(self, node: ast.Attribute) -> object:
        if node.attr == "T":
            value = self.as_expr(self.value(node.value), node.value)
            return transpose(value, self.scope.arrays)
        if node.attr in ("shape", "size", "dtype"):
            return SHAPE
        raise _fail(self.side, node, f"cannot read '.{node.attr}' here")

    def _Subscript(self, node: ast.Subscript) -> sp.Expr:
        indices: list[ast.AST] = []
        base: ast.AST = node
        while isinstance(base, ast.Subscript):
            sl = base.slice
            indices[:0] = list(sl.elts) if isinstance(sl, ast.Tuple) else [sl]
            base = base.value
        if not (isinstance(base, ast.Name) and base.id.startswith("_n")):
            raise _fail(self.side, node, "cannot index this")
        tok = self.side.name(base)
        if len(indices) == 1 and isinstance(indices[0], ast.Constant) and \
                isinstance(indices[0].value, str):
            # layer_param['p']: a parameter looked up by its name
            role = self.scope.vocab.role(indices[0].value)
            if role is not None and role.kind == "scalar":
                return self._role_value(role, None, indices[0].value)
            raise _fail(self.side, node, f"unknown parameter {indices[0].value!r}")
        role, _ = self.scope.vocab.resolve(tok)
        if role is None:
            raise _fail(self.side, base, f"unknown name '{tok.raw or tok.text}'")
        if any(isinstance(i, ast.Slice) for i in indices):
            raise _fail(self.side, node, "slices cannot be graded as a formula")
        if role.kind == "grid":
            nums = [_int(self.value(i), self.side, i) for i in indices]
            if len(nums) != 2:
                raise _fail(self.side, node, "write two indices, row and column")
            shift = 1 if self.scope.zero_based else 0
            return grid_symbol(role, nums[0] + shift, nums[1] + shift)
        names = tuple(ast.unparse(i) if not isinstance(i, ast.Name) else
                      (self.side.name(i).raw or self.side.name(i).text) for i in indices)
        return self._role_value(role, names, tok.raw or tok.text)

    def _Name(self, node: ast.Name) -> object:
        if not node.id.startswith("_n"):
            raise _fail(self.side, node, f"'{node.id}' is not a value")
        tok = self.side.name(node)
        raw = tok.raw or tok.text
        scope = self.scope
        if raw in scope.index_env:
            return sp.Integer(scope.index_env[raw])
        if raw in scope.rename:
            role = scope.vocab.roles[scope.rename[raw]]
            return self._role_value(role, None, raw)
        if raw in scope.env:
            scope.used.add(raw)
            return scope.env[raw]
        role, index = scope.vocab.resolve(tok)
        if role is not None:
            if role.kind == "grid":
                return self._grid(role, tok, node)
            return self._role_value(role, index, raw)
        letters = scope.vocab.split_letters(tok.text) if not tok.sub else None
        if letters:
            value: sp.Expr = sp.Integer(1)
            for letter in letters:
                value = value * self._role_value(scope.vocab.role(letter), None, letter)
            scope.notes.add("implicit")
            return value
        scope.unknown.add(raw)
        return sp.Symbol("?" + raw)

    def _grid(self, role: Role, tok, node: ast.AST) -> sp.Expr:
        if not tok.sub:
            return sp.Symbol(role.name + "_*")  # the whole grid, e.g. O = [[...]]
        parts = _grid_index(tok, self.scope)
        if parts is None or len(parts) != 2:
            raise _fail(self.side, node, f"cannot read the indices of '{tok.raw}'")
        shift = 1 if self.scope.zero_based else 0
        return grid_symbol(role, parts[0] + shift, parts[1] + shift)

    def _role_value(self, role: Role, index: tuple[str, ...] | None, raw: str) -> sp.Expr:
        scope = self.scope
        if role.kind == "grid":
            return sp.Symbol(role.name + "_*")
        if index is not None and role.kind != "scalar" and scope.canonical is None:
            scope.canonical = tuple(index)
        if role.name in scope.env:
            scope.used.add(role.name)
            value = scope.env[role.name]
            symbol = entry_symbol(role, index, scope.canonical)
            if symbol.name.endswith("ᵀ") and isinstance(value, sp.Basic):
                return transpose(value, scope.arrays)
            return value
        if role.kind == "scalar":
            return scope.p() if role.name == "p" else sp.Symbol(role.name)
        symbol = entry_symbol(role, index, scope.canonical)
        if role.kind == "mask" and symbol.name == role.name:
            return scope.mask(P)  # "the mask" keeps with the keep probability
        return symbol

    def _Call(self, node: ast.Call) -> object:
        func = node.func
        if isinstance(func, ast.Name) and not func.id.startswith("_n"):
            return self._reserved(func.id, node)
        path, receiver = _path(func, self.side)
        leaf = path[-1] if path else ""
        args = [self.value(a) for a in node.args]
        kwargs = {self._keyword(k.arg): self.value(k.value) for k in node.keywords if k.arg}
        if receiver is not None:  # a method on a value: x.astype(float), mask.dot(x)
            value = self.as_expr(self.value(receiver), receiver)
            if leaf in IDENTITY:
                return value
            if leaf in ("dot", "matmul", "mm"):
                return MATMUL(value, self.as_expr(args[0], node))
            if leaf in ("mul", "multiply"):
                return value * self.as_expr(args[0], node)
            raise _fail(self.side, node, f"cannot read the method '.{leaf}()'")
        if len(path) > 1 and path[0] not in MODULES:
            raise _fail(self.side, node, f"unknown function '{'.'.join(path)}'")
        return self._function(leaf, path, args, kwargs, node)

    def _keyword(self, arg: str) -> str:
        return self.side.names[int(arg[2:])].text if arg.startswith("_n") else arg

    def _function(self, leaf: str, path: list[str], args: list, kwargs: dict,
                  node: ast.Call) -> object:
        expr = lambda v: self.as_expr(v, node)
        if leaf in UNIFORM:
            self.scope.draws += 1
            return Draw("uniform")
        if leaf in NORMAL:
            self.scope.draws += 1
            return Draw("normal")
        if leaf == "binomial":
            self.scope.draws += 1
            n = args[0] if args else kwargs.get("n")
            q = args[1] if len(args) > 1 else kwargs.get("p")
            if n != 1 or q is None:
                raise _fail(self.side, node, "binomial(1, p, ...) is a Bernoulli mask; "
                                             "other counts cannot be graded")
            return self.scope.mask(expr(q))
        if leaf == "bernoulli" and len(path) > 1:
            self.scope.draws += 1
            return self.scope.mask(expr(args[0] if args else kwargs.get("p")))
        if leaf in ("Bernoulli", "bernoulli", "Bern", "Ber", "B", "Binomial", "binomial",
                    "Bernouli", "Bernoulii"):
            if not args:
                raise _fail(self.side, node, "Bernoulli needs its probability")
            return Dist("bernoulli", expr(args[-1]))
        if leaf in ("N", "Normal", "normal", "Gaussian", "gaussian"):
            return Dist("gaussian")
        if leaf in ("U", "Uniform"):
            return Dist("uniform")
        if leaf == "multiply":
            return expr(args[0]) * expr(args[1])
        if leaf in ("dot", "matmul", "mm", "inner"):
            a, b = expr(args[0]), expr(args[1])
            both = self.scope.is_array(a) and self.scope.is_array(b)
            return MATMUL(a, b) if both else a * b
        if leaf in ("divide", "true_divide", "div"):
            return expr(args[0]) / expr(args[1])
        if leaf == "where" and len(args) == 3:
            c = expr(args[0])
            return c * expr(args[1]) + (1 - c) * expr(args[2])
        if leaf in ("ones_like", "ones"):
            return sp.Integer(1)
        if leaf in ("zeros_like", "zeros"):
            return sp.Integer(0)
        if leaf in ("full_like", "full") and len(args) >= 2:
            return expr(args[1])
        if leaf in IDENTITY and args:
            return args[0]
        if leaf in ("sqrt", "exp", "log"):
            return getattr(sp, leaf)(expr(args[0]))
        call = f"{leaf}({','.join(ast.unparse(a) for a in node.args)})"
        alias = self._call_alias(leaf, node)
        if alias is not None:
            return alias
        raise _fail(self.side, node, f"unknown function '{call.split('(')[0]}'")

    def _call_alias(self, leaf: str, node: ast.Call) -> object | None:
        if len(node.args) == 1 and isinstance(node.args[0], ast.Name):
            tok = self.side.name(node.args[0])
            key = f"{leaf}({tok.raw or tok.text})"
            role = self.scope.vocab.calls.get(key)
            if role is not None:
                return self._role_value(self.scope.vocab.roles[role], None, key)
        return None

    def _reserved(self, name: str, node: ast.Call) -> object:
        if name == "_sqrt_":
            return sp.sqrt(self.sympy(node.args[0]))
        if name == "_matrix_":
            return Matrix(tuple(tuple(self.value(c) for c in row.elts)
                                for row in node.args if isinstance(row, ast.Tuple)))
        if name == "_sum_":
            return self._sum(node)
        if name == "_cases_":
            return self._cases(node)
        raise _fail(self.side, node, f"cannot read {name}")

    def _sum(self, node: ast.Call) -> sp.Expr:
        var, lo, hi, body = node.args
        tok = self.side.name(var)
        name = tok.raw or tok.text
        start, stop = _int(self.value(lo), self.side, lo), _int(self.value(hi), self.side, hi)
        if stop - start > 50:
            raise _fail(self.side, node, "the sum's range is too long to expand")
        total = sp.Integer(0)
        saved = self.scope.index_env.get(name)
        for k in range(start, stop + 1):
            self.scope.index_env[name] = k
            total += self.sympy(body)
        if saved is None:
            self.scope.index_env.pop(name, None)
        else:
            self.scope.index_env[name] = saved
        return total

    def _cases(self, node: ast.Call) -> sp.Expr:
        pairs = list(zip(node.args[0::2], node.args[1::2]))
        total, covered = sp.Integer(0), sp.Integer(0)
        mask_role = self.scope.mask_role
        d = self.scope.mask(P) if mask_role else sp.Integer(1)
        for value_node, cond_node in pairs:
            cond = self.value(cond_node)
            if cond == "otherwise":
                indicator = 1 - covered
            elif cond == "kept":
                indicator = d
            elif cond == "dropped":
                indicator = 1 - d
            else:
                indicator = self.as_expr(cond, cond_node)
            covered = covered + indicator
            total += indicator * self.sympy(value_node)
        return sp.expand(check_expr(total))


def _path(func: ast.AST, side: Side) -> tuple[list[str], ast.AST | None]:
    """``np.random.rand`` -> (["np", "random", "rand"], None); ``x.astype`` -> (["astype"], x)."""
    attrs: list[str] = []
    node = func
    while isinstance(node, ast.Attribute):
        attrs.insert(0, node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id.startswith("_n"):
        tok = side.name(node)
        root = tok.raw or tok.text
        if not attrs or root in MODULES:
            return [root] + attrs, None
        return attrs[-1:], _rebuild(func)
    if attrs:
        return attrs[-1:], _rebuild(func)
    raise NormalizeError("cannot read this call")


def _rebuild(func: ast.Attribute) -> ast.AST:
    """The receiver of a method call: everything left of the last attribute."""
    return func.value


def _grid_index(tok, scope: Scope) -> tuple[int, ...] | None:
    from .parse import parse_side  # local: the index of X_{i+m-1,j+n-1} is a formula

    text = "".join(t.text for t in tok.sub)
    if text.isdigit() and len(text) == 2:
        return int(text[0]), int(text[1])
    pieces: list[list] = [[]]
    for t in tok.sub:
        if t.kind == "OP" and t.text == ",":
            pieces.append([])
        else:
            pieces[-1].append(t)
    if len(pieces) == 1 and len(pieces[0]) == 1 and pieces[0][0].kind == "NAME" and \
            len(pieces[0][0].text) == 2 and not pieces[0][0].sub:
        word = pieces[0][0].text
        if all(c in scope.index_env for c in word):
            return tuple(scope.index_env[c] for c in word)
    out = []
    for piece in pieces:
        if not piece:
            return None
        side = parse_side(piece, "".join(t.text for t in piece))
        value = Converter(scope, side).sympy()
        if not value.is_integer:
            return None
        out.append(int(value))
    return tuple(out)
