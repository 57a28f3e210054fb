"""Write the conv assignment's example class: one folder per (fictional) student.

Each layers.py is the reference solution with some functions replaced by an audit
variant (../audit/variants), or the released skeleton untouched, so the examples stay
one known mistake away from the reference whenever it changes.

    python solutions/assignments/conv/examples/make_examples.py           # rewrite
    python solutions/assignments/conv/examples/make_examples.py --check   # exit 1 on drift
"""

from __future__ import annotations

import sys
from pathlib import Path

from grader.audit.catalogue import replace_functions

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
VARIANTS = HERE.parent / "audit" / "variants"
REFERENCE = ROOT / "solutions" / "cs231n" / "layers.py"
SKELETON = ROOT / "assignment" / "cs231n" / "layers.py"

# student -> the variant their layers.py carries ("" = the reference; None = the skeleton)
STUDENTS = {
    "amara_okafor": "",  # correct
    "elif_demir": "loops_manual_padding.py",  # correct, one loop per index
    "bjorn_halvorsen": "flipped_kernel.py",  # convolution in the signal-processing sense
    "chiara_russo": "db_averaged.py",  # db divided by the batch size
    "daniel_kim": "pool_grad_every_position.py",  # max-pool gradient to the whole window
    "farah_haddad": None,  # handed in the skeleton
}


def layers_for(variant: str | None) -> str:
    if variant is None:
        return SKELETON.read_text(encoding="utf-8")
    text = REFERENCE.read_text(encoding="utf-8")
    return replace_functions(text, (VARIANTS / variant).read_text("utf-8")) if variant else text


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for student, variant in STUDENTS.items():
        path = HERE / student / "layers.py"
        text = layers_for(variant)
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(student)
            continue
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if stale:
        print(f"examples out of date: {', '.join(stale)}; run {Path(__file__).name}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
