import pytest
from similarity_cases import constructed_files, write_class


@pytest.fixture
def constructed_class(tmp_path):
    """An original, its disguised copy, two independent solutions and the skeleton."""
    return write_class(tmp_path / "class", constructed_files())
