"""Settings every test shares."""

from __future__ import annotations

import os
import sys

from grader import course, paths

# The course has several assignments; the tests that do not name one grade the Dropout
# exercise, as an instructor would with `export GRADER_ASSIGNMENT=dropout`. Tests of the
# choice itself set or remove it.
os.environ.setdefault("GRADER_ASSIGNMENT", "dropout")

# The assignments' own modules (diagnoses, statistics, inputs) are tested directly as
# ``assignments.<name>.suite.<module>``, the names the judge imports them under.
if str(paths.solutions_dir()) not in sys.path:
    sys.path.append(str(paths.solutions_dir()))
DROPOUT = course.find("dropout")
