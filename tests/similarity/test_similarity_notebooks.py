"""Notebooks: their code cells are compared like files; they are read as data, never run."""

import nbformat
from nbformat import v4
from similarity_cases import (
    INDEPENDENT_ONE,
    ORIGINAL,
    ORIGINAL_HELPER,
    ROOT,
    SKELETON,
    filled,
    pair_rows,
    run_similarity,
    write_class,
)

RELEASED = nbformat.read(ROOT / "assignment" / "Dropout.ipynb", as_version=4)

EXPERIMENT = '''# Train two nets, with and without dropout, and compare them
histories = {}
for keep_prob in [1.0, 0.25]:
    network = FullyConnectedNet([500], dropout=keep_prob, seed=7)
    trainer = Solver(network, small_data, num_epochs=25, batch_size=100,
                     update_rule="adam", optim_config={"learning_rate": 5e-4},
                     verbose=False)
    trainer.train()
    histories[keep_prob] = (trainer.train_acc_history, trainer.val_acc_history)
best = max(histories, key=lambda k: max(histories[k][1]))
print("best keep probability", best, "val", max(histories[best][1]))
open("/tmp/pwned", "w").write("the notebook was run")
'''


def notebook(extra_code: str, *, rename: dict[str, str] = {}) -> str:  # noqa: B006
    nb = nbformat.from_dict(RELEASED)
    code = extra_code
    for old, new in rename.items():
        code = code.replace(old, new)
    nb.cells.append(v4.new_code_cell("%matplotlib inline\n" + code))
    return nbformat.writes(nb)


def test_copied_code_cells_are_found_and_the_released_cells_are_not(tmp_path):
    root = write_class(tmp_path / "class", {
        "ana/layers.py": filled(ORIGINAL, ORIGINAL_HELPER),
        "ana/Dropout.ipynb": notebook(EXPERIMENT),
        "bea/layers.py": filled(INDEPENDENT_ONE),
        "bea/Dropout.ipynb": notebook(EXPERIMENT, rename={
            "histories": "results", "keep_prob": "kp", "network": "net", "trainer": "s",
            "# Train two nets, with and without dropout, and compare them": "# experiment"}),
        "cy/layers.py": SKELETON,
        "cy/Dropout.ipynb": nbformat.writes(RELEASED),
        "dan/Dropout.ipynb": nbformat.writes(RELEASED),
    })
    _, rows, html = run_similarity(root, tmp_path / "out")
    pairs = pair_rows(rows)
    found = pairs[frozenset({"ana", "bea"})]
    assert "Dropout.ipynb" in found["functions"]
    # the released notebook and the skeleton match nothing
    assert not {"cy", "dan"} & {s for r in rows for s in (r["student_a"], r["student_b"])}
    assert "4 with a notebook" in html
    assert not (tmp_path / "pwned").exists()
    assert "# %matplotlib inline" in html or "%matplotlib" not in html


def test_a_broken_notebook_is_a_note_not_a_failure(tmp_path):
    root = write_class(tmp_path / "class", {
        "ana/layers.py": filled(ORIGINAL, ORIGINAL_HELPER),
        "ana/Dropout.ipynb": "{ this is not json",
        "bea/layers.py": filled(ORIGINAL, ORIGINAL_HELPER),
    })
    code, rows, html = run_similarity(root, tmp_path / "out")
    assert code == 0 and len(rows) == 1
    assert "Dropout.ipynb" in html and "not compared" in html
