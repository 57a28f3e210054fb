import os
import sys


def quit_politely():
    sys.exit(3)


def quit_hard():
    os._exit(0)
