"""similarity.csv: one row per listed pair, best first, for a spreadsheet."""

from __future__ import annotations

import csv
import io

from ..reports.safe_text import csv_cell

COLUMNS = ("rank", "student_a", "student_b", "score", "a_in_b", "b_in_a",
           "shared_fingerprints", "fingerprints_a", "fingerprints_b", "matched_tokens_a",
           "matched_tokens_b", "matched_lines_a", "matched_lines_b", "regions", "functions")


def render(report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for listed in report.pairs:
        pair, detail = listed.pair, listed.detail
        functions = "; ".join(f"{a} = {b} ({n})" for a, b, n in detail.functions[:10])
        writer.writerow([
            listed.rank, csv_cell(listed.student_a), csv_cell(listed.student_b),
            f"{pair.score:.3f}", f"{pair.share_a:.3f}", f"{pair.share_b:.3f}",
            pair.shared, pair.size_a, pair.size_b, detail.tokens_a, detail.tokens_b,
            detail.lines_a, detail.lines_b, len(detail.regions), csv_cell(functions)])
    return buffer.getvalue()
