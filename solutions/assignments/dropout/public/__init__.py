"""The Dropout exercise's public checks, for `grader check` (they ship to students)."""

from ..suite.facade import attach as prepare_student  # noqa: F401 - the judge calls it
