"""Categories M, E and Q: the headline names the file that failed and agrees with the
score; Python 2 code is called Python 2; the grader's own warnings are not shown as the
student's printed output."""

from __future__ import annotations

from fairness_cases import FC_NET, LAYERS, MASK


def test_a_syntax_error_in_fc_net_only_names_fc_net_and_the_layer_checks_count(grade):
    result, feedback = grade(layers=LAYERS, fc_net=FC_NET + "\ndef broken(:\n    pass\n")
    assert result.status == "syntax_error" and result.score == 75
    headline = feedback.split("\n")[4]
    assert headline.startswith("Your fc_net.py does not compile")
    assert "your layers.py was imported and its checks ran" in headline
    assert "no test could run" not in feedback


def test_a_bad_import_in_fc_net_only_names_fc_net(grade):
    result, feedback = grade(layers=LAYERS, fc_net="from cs231n.layers import no_such_name\n"
                             + FC_NET)
    assert result.status == "import_error" and result.score == 75
    assert feedback.split("\n")[4].startswith("Importing your fc_net.py failed, so the checks "
                                              "that use it could not run; your layers.py was")
    assert "Make sure importing it runs no experiments" not in feedback


def test_python_2_print_is_named_python_2_with_its_line(grade):
    layers = LAYERS + "\n\ndef debug(x):\n    print 'shape', x.shape\n"
    line = layers.splitlines().index("    print 'shape', x.shape") + 1
    result, feedback = grade(layers=layers)
    assert (result.status, result.score) == ("syntax_error", 0)
    assert "Your layers.py is Python 2 code" in feedback.split("\n")[4]
    assert f"layers.py line {line} is Python 2 code (print without parentheses" in feedback


def test_python_2_names_and_methods_say_what_to_use_instead(grade):
    net = FC_NET.replace("for i in range(", "for i in xrange(")
    assert net != FC_NET
    result, feedback = grade(layers=LAYERS, fc_net=net)
    assert result.score == 75
    assert "xrange is Python 2; in Python 3 use range" in feedback


def test_python_2_except_syntax_in_fc_net(grade):
    net = FC_NET + "\ntry:\n    pass\nexcept ValueError, e:\n    pass\n"
    result, feedback = grade(layers=LAYERS, fc_net=net)
    assert (result.status, result.score) == ("syntax_error", 75)
    assert "Your fc_net.py is Python 2 code" in feedback
    assert "`except X, e` instead of `except X as e`" in feedback


def test_warnings_from_the_tests_inputs_are_not_shown_as_printed_output(grade):
    # The 2016/17 convention (p drops) in a net built with dropout=1: 0/0 in the mask.
    layers = LAYERS.replace(MASK, "mask = (np.random.rand(*x.shape) >= p) / (1 - p)")
    net = FC_NET.replace("self.use_dropout = dropout != 1", "self.use_dropout = dropout > 0")
    assert net != FC_NET
    result, feedback = grade(layers=layers, fc_net=net)
    assert "Output printed by your code" not in feedback
    assert "RuntimeWarning" not in result.output.partition("Output printed")[2]
    assert "[grader note]" not in result.output
    assert ("Python warning (not printed by your code): RuntimeWarning: invalid value "
            "encountered in divide (layers.py line") in feedback


def test_what_the_student_printed_is_still_shown(grade):
    layers = LAYERS.replace("def dropout_backward(dout, cache):\n",
                            "def dropout_backward(dout, cache):\n    print('debug dx')\n")
    result, feedback = grade(layers=layers)
    assert result.score == 100
    assert "Output printed by your code:\ndebug dx" in feedback
    assert "Notes from the grader" not in feedback
