"""The Dropout exercise's hidden suite: test_1_forward, test_2_backward, test_3_net."""

from .facade import attach as prepare_student  # noqa: F401 - the judge calls it per test
