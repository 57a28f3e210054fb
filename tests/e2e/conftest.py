"""The hostile class, graded once per available sandbox level (see hostile_class.py)."""

from hostile_class import graded  # noqa: F401 - the module-scoped fixture
