"""Solution markers: parsing, the TODO banner and stub, and one-line errors naming file:line."""

import pytest

from grader.errors import GraderError, InputFileError
from grader.release.markers import banner, find_regions, stub_regions

GOOD = (
    "import numpy as np\n"
    "\n"
    "\n"
    "def dropout_forward(x, p):\n"
    "    if True:\n"
    "        # BEGIN SOLUTION: Implement training phase forward pass for inverted dropout. "
    "Store the dropout mask in the mask variable.\n"
    "        mask = (np.random.rand(*x.shape) < p) / p\n"
    "        out = x * mask\n"
    "        # END SOLUTION\n"
    "    return out\n"
)


def stub(text, label="solutions/cs231n/layers.py"):
    return stub_regions(text, label=label, module="cs231n/layers.py")


def test_a_region_becomes_the_cs231n_banner_with_a_teaching_stub():
    lines = stub(GOOD).splitlines()
    start = lines.index("    if True:") + 1
    assert lines[start:start + 17] == [
        "        " + "#" * 71,
        "        # TODO: Implement training phase forward pass for inverted dropout.   #",
        "        # Store the dropout mask in the mask variable.                        #",
        "        " + "#" * 71,
        "        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****",
        "",
        "        raise NotImplementedError(",
        '            "dropout_forward: Implement training phase forward pass for "',
        '            "inverted dropout. Store the dropout mask in the mask variable. "',
        '            "(your TODO in cs231n/layers.py)"',
        "        )",
        "",
        "        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****",
        "        " + "#" * 71,
        "        #                           END OF YOUR CODE                          #",
        "        " + "#" * 71,
        "    return out",
    ]
    assert "np.random.rand" not in stub(GOOD)


def test_the_stub_raises_its_message_when_called():
    namespace = {}
    exec(compile(stub(GOOD), "layers.py", "exec"), namespace)  # noqa: S102 - our own text
    with pytest.raises(NotImplementedError) as raised:
        namespace["dropout_forward"](None, 0.5)
    assert str(raised.value) == (
        "dropout_forward: Implement training phase forward pass for inverted dropout. "
        "Store the dropout mask in the mask variable. (your TODO in cs231n/layers.py)")


def test_methods_are_named_with_their_class_and_quotes_survive():
    text = ('class Net:\n    def __init__(self, seed):\n'
            '        # BEGIN SOLUTION: Store it under the key "seed".\n'
            '        self.seed = seed\n        # END SOLUTION\n')
    namespace = {}
    exec(stub(text), namespace)  # noqa: S102 - our own text
    with pytest.raises(NotImplementedError, match=r'^Net\.__init__: Store it under the key "seed"\.'):
        namespace["Net"](1)


def test_the_box_narrows_with_deeper_indentation_and_lines_stay_within_79_columns():
    lines = banner(" " * 12, "word " * 40, "f: " + "word " * 40)
    assert lines[0] == " " * 12 + "#" * 67
    assert all(len(line) <= 79 for line in lines)
    assert all(line == "" or line.startswith(" " * 12) for line in lines)


def test_files_without_regions_and_line_endings_are_kept_byte_for_byte():
    plain = "x = 1\r\n# a comment about solutions\r\n"
    assert stub(plain) == plain
    crlf = GOOD.replace("\n", "\r\n")
    assert stub(crlf) == stub(GOOD).replace("\n", "\r\n")


def test_regions_are_found_with_their_lines_indent_and_todo():
    [region] = find_regions(GOOD, label="x")
    assert (region.begin, region.end, region.indent) == (6, 9, "        ")
    assert region.todo.startswith("Implement training phase")


BAD = {
    "unbalanced": ("def f():\n    return 1\n    # END SOLUTION\n", 3, "without a BEGIN"),
    "nested": (("def f():\n    # BEGIN SOLUTION: a\n    # BEGIN SOLUTION: b\n    x = 1\n"
                "    # END SOLUTION\n    # END SOLUTION\n"), 3, "cannot nest"),
    "unterminated": ("def f():\n    x = 1\n    # BEGIN SOLUTION: a\n    return x\n",
                     3, "never closed"),
    "no todo text": ("def f():\n    # BEGIN SOLUTION:\n    pass\n    # END SOLUTION\n",
                     2, "needs the student's TODO"),
    "misspelt": ("def f():\n    # BEGIN SOLUTON: a\n    pass\n    # END SOLUTION\n",
                 2, "malformed"),
    "no colon": ("def f():\n    # BEGIN SOLUTION a\n    pass\n    # END SOLUTION\n",
                 2, "malformed"),
    "dedented body": (("def f():\n    if x:\n        # BEGIN SOLUTION: a\n        y = 1\n"
                       "    z = 2\n        # END SOLUTION\n"), 5, "indented less"),
    # The unclosed bracket is reported where it opens, in the source's numbering.
    "region cuts a statement": (("def f():\n    y = (1 +\n    # BEGIN SOLUTION: a\n    2)\n"
                                 "    # END SOLUTION\n"), 2, "would not compile"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_markers_are_one_line_errors_naming_file_and_line(case):
    text, line, words = BAD[case]
    with pytest.raises(InputFileError) as raised:
        stub(text)
    message = str(raised.value)
    assert isinstance(raised.value, GraderError)
    assert message.startswith(f"solutions/cs231n/layers.py:{line}: "), message
    assert words in message and "\n" not in message
