"""``grader ci``: one submission graded for an autograder platform or a CI pipeline."""


def main(**kwargs) -> int:
    from .command import main as ci_main
    return ci_main(**kwargs)
