"""Auto-graded assignments and quizzes for machine-learning courses.

Student code runs only in sandboxed worker processes; verdicts are computed in the
trusted process (see docs/architecture.md).
"""

__version__ = "0.1.0"
