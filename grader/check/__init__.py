"""``grader check``: the public checks a student runs on their own work."""


def main(**kwargs) -> int:
    from .command import main as check_main
    return check_main(**kwargs)
