"""Category C: imports the grader cannot satisfy, and the complete course package.

A TA deletes an unused import and grades the code; the grader skips it and says so. When
the graded code does use it, the student gets one message naming the import and its line.
"""

from __future__ import annotations

from fairness_cases import FC_NET, LAYERS, MASK


def failures(result):
    return [t for t in result.tests if not t.passed]


def test_an_unused_torch_import_is_skipped_and_named(grade):
    result, feedback = grade(layers="import torch\nimport matplotlib.pyplot as plt\n" + LAYERS)
    assert (result.status, result.score) == ("graded", 100)
    assert ("layers.py line 1: `import torch` was skipped: torch is not available to the "
            "grader; your graded functions do not use it") in feedback
    assert "line 2: `import matplotlib.pyplot as plt` was skipped" in feedback
    assert "Output printed by your code" not in feedback
    assert "[grader note]" not in feedback


def test_a_used_unavailable_import_gives_one_clear_message(grade):
    layers = "import torch\n" + LAYERS.replace(MASK, "mask = torch.rand(*x.shape).numpy() < p")
    result, feedback = grade(layers=layers)
    failed = failures(result)
    assert failed and result.status == "graded"
    shown = [t.output for t in failed if t.visibility == "visible" and t.output]
    assert shown and all("torch is not available to the grader (`import torch`, layers.py "
                         "line 1)" in text for text in shown)
    assert all("Traceback" not in text and "NoneType" not in text for text in shown)
    assert "your code uses it, so the checks that reach it fail" in feedback
    # the backward and the test-mode forward do not touch torch: they still score
    assert any(t.passed for t in result.tests)


def test_numpy_internals_removed_in_numpy_2_are_skipped(grade):
    layers = ("from numpy.lib.function_base import select\n"
              "from numpy.testing._private.nosetester import NoseTester\n" + LAYERS)
    result, feedback = grade(layers=layers)
    assert (result.status, result.score) == ("graded", 100)
    assert "numpy.lib.function_base is not available to the grader (NumPy" in feedback


def test_the_complete_course_package_is_staged(grade):
    layers = ("from cs231n.im2col import *\nfrom cs231n.fast_layers import *\n"
              "from cs231n.layer_utils import *\nfrom cs231n.optim import *\n"
              "from cs231n.solver import Solver\n"
              "from cs231n.gradient_check import eval_numerical_gradient\n" + LAYERS)
    net = FC_NET.replace("import numpy as np\n", "import numpy as np\n"
                         "from cs231n.layer_utils import conv_relu_pool_forward\n"
                         "from cs231n.fast_layers import conv_forward_fast\n", 1)
    result, feedback = grade(layers=layers, fc_net=net)
    assert (result.status, result.score) == ("graded", 100)
    assert "was skipped" not in feedback


def test_a_forked_course_package_name_reads_as_cs231n(grade):
    result, feedback = grade(fc_net=FC_NET.replace("from cs231n.", "from cs6353."),
                             layers=LAYERS)
    assert (result.status, result.score) == ("graded", 100)
    assert "`from cs6353.layers import *` was read as cs231n.layers" in feedback


def test_a_flat_layout_import_reads_as_the_course_module(grade):
    net = FC_NET.replace("from cs231n.layer_utils import", "from layer_utils import").replace(
        "from cs231n.layers import", "from layers import")
    assert net != FC_NET
    result, feedback = grade(fc_net=net, layers=LAYERS)
    assert (result.status, result.score) == ("graded", 100)
    assert "was read as cs231n.layer_utils" in feedback


def test_a_fallback_for_a_missing_module_runs_as_on_the_students_machine(grade):
    layers = ("try:\n    import torch\nexcept ImportError:\n    torch = None\n"
              + LAYERS.replace(MASK, "assert torch is None\n        " + MASK))
    result, feedback = grade(layers=layers)
    assert (result.status, result.score) == ("graded", 100)
    assert "skipped" not in feedback


def test_a_module_that_exists_is_never_replaced(grade):
    layers = "import json, numpy.linalg\n" + LAYERS.replace(
        MASK, "assert json.dumps([1]) == '[1]'\n        " + MASK)
    result, feedback = grade(layers=layers)
    assert (result.status, result.score) == ("graded", 100)
    assert "skipped" not in feedback
