"""Let the tests import your ``cs231n`` package from the folder above ``tests/``.

Run them from the assignment folder with ``pytest tests`` (or just ``pytest``).
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # the folder that holds cs231n/

if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import cs231n  # noqa: E402

if Path(cs231n.__file__).resolve().parent != HERE / "cs231n":
    raise RuntimeError(
        f"these tests would check the cs231n package at {cs231n.__file__}, "
        f"not yours at {HERE / 'cs231n'}; run pytest from {HERE} in a fresh process")
