# Knows where the grader keeps the submissions, its output and its store (the test fills
# in the real paths) and tries to change them, plus every folder it can reach nearby.
import os

MARK = "PWNED-by-writes_everywhere"
TARGETS = @TARGETS@
for target in TARGETS:
    for root, dirs, files in os.walk(target):
        try:
            with open(os.path.join(root, MARK), "w") as handle:
                handle.write("x")
        except OSError:
            pass
        for name in files:
            try:
                with open(os.path.join(root, name), "a") as handle:
                    handle.write(MARK)
            except OSError:
                pass
for path in ["/tmp", os.getcwd(), os.path.dirname(os.getcwd()), os.path.expanduser("~")]:
    try:
        with open(os.path.join(path, MARK), "w") as handle:
            handle.write("x")
    except OSError:
        pass


def dropout_forward(x, dropout_param):
    raise NotImplementedError


def dropout_backward(dout, cache):
    raise NotImplementedError
