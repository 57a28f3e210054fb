"""Forks busy children that spin, to take CPU from every other slot."""
import os


def spin_children(count):
    for _ in range(count):
        if os.fork() == 0:
            while True:
                pass
    return count
