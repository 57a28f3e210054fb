"""``grader run``: grade a folder of submissions in isolated workers."""


def main(**kwargs):
    from .pipeline import main as pipeline_main
    return pipeline_main(**kwargs)
