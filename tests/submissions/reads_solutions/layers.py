# Knows exactly where the grader keeps the reference solution and the hidden tests (the
# test fills in the real paths) and uses the reference's dropout if it can read it.
SOLUTION = "@SOLUTION@"
SUITES = "@SUITES@"
import os

SEEN = [path for path in (SOLUTION, SUITES) if os.path.exists(path)]
try:
    with open(SOLUTION) as handle:
        exec(compile(handle.read(), SOLUTION, "exec"))  # the reference's dropout
except OSError:
    def dropout_forward(x, dropout_param):
        raise RuntimeError(f"could not read the solution; saw {SEEN}")

    def dropout_backward(dout, cache):
        raise RuntimeError(f"could not read the solution; saw {SEEN}")
