"""`grader run` with the scripted judge, as its own process (for kill and interrupt tests).

usage: python grade_with_fake_judge.py SUBMISSIONS OUT ASSIGNMENT SUITE
"""

import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fakejudge

from grader.run import pipeline

if __name__ == "__main__":  # judge processes are spawned and re-import this file
    # As typed at a terminal: when the tests themselves run in the background (`pytest &`,
    # some CI runners) SIGINT is ignored, this process inherits that and never sees Ctrl-C.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    submissions, out, assignment, suite = map(Path, sys.argv[1:5])
    sys.exit(pipeline.main(submissions=submissions, out=out, jobs=2, judge=fakejudge.judge,
                           slot_factory=fakejudge.FakeSlot, assignment_dir=assignment,
                           suite_dir=suite))
