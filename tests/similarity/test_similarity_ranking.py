"""The ranking on constructed pairs: a disguised copy outranks independent solutions, the
untouched skeleton matches nothing, and both shares of a pair are reported."""

from similarity_cases import (
    INDEPENDENT_ONE,
    ORIGINAL,
    ORIGINAL_HELPER,
    SKELETON,
    disguised_original,
    filled,
    pair_rows,
    run_similarity,
    write_class,
)


def test_a_disguised_copy_ranks_above_independent_solutions(constructed_class, tmp_path):
    code, rows, _ = run_similarity(constructed_class, tmp_path / "out")
    assert code == 0
    assert {rows[0]["student_a"], rows[0]["student_b"]} == {"olga", "chris"}
    pairs = pair_rows(rows)
    copy = float(pairs[frozenset({"olga", "chris"})]["score"])
    assert copy >= 0.6
    independent = pairs.get(frozenset({"indy", "pat"}))
    assert independent is None or float(independent["score"]) < copy - 0.3
    # every other pair (original or copy against an independent solution) ranks lower
    assert all(float(r["score"]) < copy for r in rows[1:])


def test_the_copy_matches_function_by_function_despite_the_new_order(constructed_class,
                                                                       tmp_path):
    _, rows, _ = run_similarity(constructed_class, tmp_path / "out")
    functions = pair_rows(rows)[frozenset({"olga", "chris"})]["functions"]
    assert "dropout_forward = layers.py: dropout_forward" in functions
    assert "dropout_backward = layers.py: dropout_backward" in functions
    assert "make_mask = layers.py: _keep_mask" in functions or \
        "_keep_mask = layers.py: make_mask" in functions


def test_the_untouched_skeleton_matches_nothing(constructed_class, tmp_path):
    _, rows, html = run_similarity(constructed_class, tmp_path / "out")
    assert not any("sam" in (r["student_a"], r["student_b"]) for r in rows)
    notes = html[html.index("Nothing of their own to compare"):]
    assert "sam" in notes


def test_two_students_who_kept_the_starter_code_do_not_match(tmp_path):
    root = write_class(tmp_path / "class", {
        "ann/layers.py": SKELETON, "ben/cs231n/layers.py": SKELETON,
        "cat/layers.py": filled(INDEPENDENT_ONE)})
    _, rows, _ = run_similarity(root, tmp_path / "out")
    assert rows == []


def test_both_shares_are_reported_when_one_side_adds_code(tmp_path):
    extra = ORIGINAL_HELPER + '''

def report_statistics(values, bins=10):
    """Histogram of values, printed for debugging."""
    counts, edges = np.histogram(values, bins=bins)
    for count, left, right in zip(counts, edges[:-1], edges[1:]):
        print(f"[{left:8.3f}, {right:8.3f}) {'#' * int(count)}")
    total = counts.sum()
    return {"total": int(total), "largest": int(counts.max()), "bins": len(counts)}


def running_mean(values, window=5):
    out = []
    for index in range(len(values) - window + 1):
        chunk = values[index:index + window]
        out.append(sum(chunk) / window)
    return np.asarray(out)
'''
    root = write_class(tmp_path / "class", {
        "olga/layers.py": filled(ORIGINAL, ORIGINAL_HELPER),
        "max/layers.py": filled(ORIGINAL, extra),
        "indy/layers.py": filled(INDEPENDENT_ONE)})
    _, rows, _ = run_similarity(root, tmp_path / "out")
    row = pair_rows(rows)[frozenset({"olga", "max"})]
    shares = {row["student_a"]: float(row["a_in_b"]), row["student_b"]: float(row["b_in_a"])}
    assert shares["olga"] > 0.9  # all of the original is in the larger file
    assert shares["max"] < 0.7  # most of max's code is his own
    assert float(row["score"]) == round((shares["olga"] + shares["max"]) / 2, 3) or \
        abs(float(row["score"]) - (shares["olga"] + shares["max"]) / 2) < 0.002


def test_a_copy_that_no_longer_parses_still_matches(tmp_path):
    broken = disguised_original().replace("def dropout_forward(x, dropout_param):",
                                          "def dropout_forward(x, dropout_param)", 1)
    root = write_class(tmp_path / "class", {
        "olga/layers.py": filled(ORIGINAL, ORIGINAL_HELPER), "chris/layers.py": broken,
        "indy/layers.py": filled(INDEPENDENT_ONE)})
    _, rows, html = run_similarity(root, tmp_path / "out")
    assert {rows[0]["student_a"], rows[0]["student_b"]} == {"olga", "chris"}
    assert float(rows[0]["score"]) > 0.6
    assert "not valid Python 3; compared by its tokens" in html


def test_the_threshold_and_top_options_limit_what_is_listed(constructed_class, tmp_path):
    _, rows, html = run_similarity(constructed_class, tmp_path / "out", threshold=0.5, top=0)
    assert [frozenset((r["student_a"], r["student_b"])) for r in rows] == \
        [frozenset({"olga", "chris"})]
    assert 'id="pair-1"' not in html  # --top 0: ranked, but no side-by-side section
    _, _, html = run_similarity(constructed_class, tmp_path / "out2", threshold=0.5, top=5)
    assert 'id="pair-1"' in html and 'class="m"' in html


def test_common_code_is_ignored_and_the_cutoff_is_stated(tmp_path):
    # Six students hand in the same extra helper: common code, not evidence.
    shared = '''

def clip_gradient(values, limit=5.0):
    norm = float(np.sqrt(np.sum(values * values)))
    if norm > limit:
        values = values * (limit / norm)
    return values, norm
'''
    files = {f"s{i}/layers.py": filled(INDEPENDENT_ONE, shared) for i in range(6)}
    files["olga/layers.py"] = filled(ORIGINAL, ORIGINAL_HELPER)
    files["chris/layers.py"] = disguised_original()
    files.update({f"t{i}/layers.py": SKELETON for i in range(12)})
    root = write_class(tmp_path / "class", files)
    _, rows, html = run_similarity(root, tmp_path / "out", common=0.2)
    assert {rows[0]["student_a"], rows[0]["student_b"]} == {"olga", "chris"}
    assert not any(r["student_a"].startswith("s") and r["student_b"].startswith("s")
                   for r in rows)
    assert "more than 4 of the 20 submissions" in html


def test_worker_processes_give_the_same_report_as_one_process(tmp_path):
    files = {f"v{i:02d}/layers.py": filled(INDEPENDENT_ONE, f"\n\ndef own_{i}(a):\n"
                                           f"    return [a * {i} + k for k in range({i})]\n")
             for i in range(40)}
    files["olga/layers.py"] = filled(ORIGINAL, ORIGINAL_HELPER)
    files["chris/layers.py"] = disguised_original()
    root = write_class(tmp_path / "class", files)
    _, one, _ = run_similarity(root, tmp_path / "one", jobs=1)
    _, two, _ = run_similarity(root, tmp_path / "two", jobs=2)
    assert one == two
    assert {one[0]["student_a"], one[0]["student_b"]} == {"olga", "chris"}
