import sys


def read_all():
    return sys.stdin.read()


def ask():
    return input("answer? ")
