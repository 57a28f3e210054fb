"""Normalisation and winnowing: what is abstracted, what is kept, and that any text at all
is tokenized without error."""

from pathlib import Path

import numpy as np
import pytest

from grader.similarity.fingerprint import WINDOW, K, all_kgrams, fingerprint, winnow
from grader.similarity.normalise import _abstract, _drop_docstrings, _raw_tokens, normalise

ROOT = Path(__file__).resolve().parents[2]


def test_renamed_variables_comments_and_layout_normalise_the_same():
    one = normalise('def f(x, p):\n    """Doc."""\n    mask = x < p  # keep\n'
                    '    return x * mask / 2.0\n')
    two = normalise("def go(inputs, keep):\n    # a different comment\n"
                    "    m = inputs < keep; return inputs * m / 3\n")
    assert one.tokens == two.tokens
    assert "S" not in one.tokens  # the docstring is gone, not abstracted


def test_library_calls_builtins_and_keyword_names_are_kept():
    tokens = normalise("import numpy as np\nsize = 3\n"
                       "y = np.random.binomial(1, 0.5, size=x.shape)\nn = len(y)\n").tokens
    assert {"random", "binomial", "shape", "len", "size"} <= set(tokens)
    assert "np" not in tokens and "numpy" not in tokens and "y" not in tokens


def test_attributes_the_file_sets_are_abstracted():
    tokens = normalise("class A:\n    def __init__(self):\n        self.cache_x = 1\n"
                       "    def f(self):\n        return self.cache_x + self.shape\n").tokens
    assert "cache_x" not in tokens and "shape" in tokens


def test_a_builtin_name_the_student_rebinds_is_abstracted():
    one = normalise("max = 3\nprint(max)\n").tokens
    two = normalise("top = 3\nprint(top)\n").tokens
    assert one == two


def test_the_fallback_tokenizer_agrees_with_tokenize_on_valid_code():
    text = (ROOT / "solutions" / "cs231n" / "layers.py").read_text()
    fallback = tuple(t for t, _, _ in _abstract(_drop_docstrings(_raw_tokens(text))))
    assert fallback == normalise(text).tokens


@pytest.mark.parametrize("text", [
    "print 'python 2'\nexec code in ns\nx = `y`\n",  # Python 2
    'def f(:\n    s = """never closed\n',  # tokenize gives up: the fallback takes over
    "\x00\x01\xff binary \ud800 junk ((((",
    "x = (" * 5000,  # deeply nested: ast gives up
])
def test_any_text_is_tokenized(text):
    norm = normalise(text)
    assert not norm.parsed
    assert len(norm.tokens) == len(norm.lines) > 3


def test_functions_are_found_with_or_without_a_parse():
    text = "def a():\n    return 1\n\nclass B:\n    def c(self):\n        pass\n"
    assert [f[2] for f in normalise(text).functions] == ["a", "B.c"]
    broken = text + "def d(:\n    pass\n"
    assert [f[2] for f in normalise(broken).functions] == ["a", "B.c", "d"]


def test_winnowing_finds_every_shared_run_of_the_guaranteed_length():
    rng = np.random.default_rng(0)
    for _ in range(50):
        a = rng.integers(1, 10**9, 300).astype(np.uint64)
        b = rng.integers(1, 10**9, 200).astype(np.uint64)
        start = int(rng.integers(0, 200 - (K + WINDOW)))
        b[start:start + K + WINDOW - 1] = a[100:100 + K + WINDOW - 1]
        from grader.similarity.fingerprint import kgram_hashes
        ha, hb = kgram_hashes(a), kgram_hashes(b)
        assert set(ha[winnow(ha)].tolist()) & set(hb[winnow(hb)].tolist())


def test_the_skeleton_has_no_fingerprints_once_masked():
    text = (ROOT / "assignment" / "cs231n" / "layers.py").read_text()
    norm = normalise(text)
    assert len(fingerprint(norm).hashes) > 50  # without the mask it has plenty
    assert len(fingerprint(norm, all_kgrams(norm)).hashes) == 0
