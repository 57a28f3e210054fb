"""Derivatives written every way students write them, collapsed into one name token.

``\\frac{\\partial L}{\\partial Y}``, ``dL/dY``, ``∂L/∂Y``, ``d L / d Y``, ``\\nabla_Y L``,
``δY`` and ``∂Y`` all become the name ``dY`` (the gradient of the loss with respect to
Y), which the question's aliases then resolve (``dx``, ``dout`` ...). A derivative of
something other than the loss, such as the chain-rule factor ``∂H/∂Y``, becomes
``dH/dY``: a step of the derivation, not an answer.
"""

from __future__ import annotations

from .errors import ParseError
from .lexer import Token

LOSS_NAMES = frozenset({"L", "J", "E", "loss", "Loss", "l", "ell"})


def _is(tok: Token, *texts: str) -> bool:
    return tok.kind == "OP" and tok.text in texts


def _match(tokens: list[Token], i: int, open_: str, close: str) -> int:
    depth = 0
    for j in range(i, len(tokens)):
        if _is(tokens[j], open_):
            depth += 1
        elif _is(tokens[j], close):
            depth -= 1
            if depth == 0:
                return j
    raise ParseError(f"unbalanced '{open_}'", pos=tokens[i].pos)


def _group(tokens: list[Token], i: int) -> tuple[list[Token], int]:
    """Argument at ``tokens[i]``: a {group} or a single token; returns (inner, next)."""
    if i >= len(tokens):
        raise ParseError("missing argument", pos=tokens[-1].end if tokens else 0)
    if _is(tokens[i], "{"):
        j = _match(tokens, i, "{", "}")
        return tokens[i + 1:j], j + 1
    return [tokens[i]], i + 1


def _deriv_operand(toks: list[Token]) -> Token | None:
    """``∂L``, ``dL``, ``d L``, ``\\partial \\mathbf{Y}`` -> the name token differentiated."""
    toks = [t for t in toks if not _is(t, "(", ")")]
    if len(toks) == 2 and (toks[0].kind == "PARTIAL" or
                           (toks[0].kind == "NAME" and toks[0].text == "d" and not toks[0].sub)):
        return toks[1] if toks[1].kind == "NAME" else None
    if len(toks) == 1 and toks[0].kind == "NAME" and len(toks[0].text) >= 2 and \
            toks[0].text[0] == "d" and not toks[0].font:
        t = toks[0]
        return Token("NAME", t.text[1:], t.pos + 1, t.end, t.sub, t.sup, t.raw[1:])
    return None


def _deriv_token(num: Token, den: Token, pos: int, end: int) -> Token:
    if num.text in LOSS_NAMES and not num.sub:
        text = "d" + den.text
    else:
        text = f"d{num.text}/d{den.text}"  # a Jacobian such as dH/dY: an intermediate
    return Token("NAME", text, pos, end, den.sub, None, text)


def collapse_derivatives(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "FRAC" and i + 1 < len(tokens):
            num, j = _group(tokens, i + 1)
            if j < len(tokens):
                den, k = _group(tokens, j)
                n, d = _deriv_operand(num), _deriv_operand(den)
                if n is not None and d is not None:
                    out.append(_deriv_token(n, d, t.pos, tokens[k - 1].end))
                    i = k
                    continue
        if t.kind == "NABLA":
            j = i + 1
            if j < len(tokens) and _is(tokens[j], "_"):
                wrt, j = _group(tokens, j + 1)
            else:
                raise ParseError("write the gradient as dL/dY or \\nabla_Y L", pos=t.pos)
            if j < len(tokens) and tokens[j].kind == "NAME" and tokens[j].text in LOSS_NAMES:
                j += 1
            if len(wrt) == 1 and wrt[0].kind == "NAME":
                loss = Token("NAME", "L", t.pos, t.pos)
                out.append(_deriv_token(loss, wrt[0], t.pos, tokens[j - 1].end))
                i = j
                continue
        # ∂L/∂Y, dL/dY, d L / d Y (with optional parentheses around the whole)
        for width_num in (2, 1):
            for width_den in (2, 1):
                jn = i + width_num
                jd = jn + 1 + width_den
                if jd <= len(tokens) and _is(tokens[jn] if jn < len(tokens) else t, "/"):
                    n = _deriv_operand(tokens[i:jn])
                    d = _deriv_operand(tokens[jn + 1:jd])
                    if n is not None and d is not None:
                        out.append(_deriv_token(n, d, t.pos, tokens[jd - 1].end))
                        i = jd
                        break
            else:
                continue
            break
        else:
            if (t.kind == "PARTIAL" or (t.kind == "NAME" and t.text == "delta" and not t.sub)) \
                    and i + 1 < len(tokens) and tokens[i + 1].kind == "NAME" and \
                    len(tokens[i + 1].text) <= 3:
                nxt = tokens[i + 1]
                out.append(Token("NAME", "d" + nxt.text, t.pos, nxt.end, nxt.sub, nxt.sup,
                                 "d" + nxt.text))
                i += 2
                continue
            out.append(t)
            i += 1
    return out
