"""The CIFAR-10 loader on data in the real on-disk format, and its synthetic fallback."""

import pickle
import time

import numpy as np
import pytest
from cs231n import data_utils

PER_BATCH = 4  # images per batch file in the miniature dataset


def image_rows(first_index, count):
    # Row k of image i: a value that tells image, channel and pixel apart, so a
    # wrong reshape or transpose lands on a visibly different number.
    i = np.arange(first_index, first_index + count)[:, None]
    k = np.arange(3072)[None, :]
    return ((7 * i + k) % 251).astype(np.uint8)


def write_batch(path, first_index, bytes_keys):
    data = image_rows(first_index, PER_BATCH)
    labels = [(first_index + j) % 10 for j in range(PER_BATCH)]
    batch = {"batch_label": "batch", "data": data, "labels": labels,
             "filenames": [f"img_{first_index + j}.png" for j in range(PER_BATCH)]}
    if bytes_keys:
        batch = {key.encode(): value for key, value in batch.items()}
    with open(path, "wb") as f:
        pickle.dump(batch, f, protocol=2)


@pytest.fixture(params=[True, False], ids=["bytes-keys", "str-keys"])
def mini_cifar(request, tmp_path):
    """cifar-10-batches-py with 5 x 4 training and 4 test images.

    The real batches are Python 2 pickles: loaded with latin1 their keys are str;
    a dict loaded with encoding="bytes" and pickled again has b'data' keys. Both
    must load.
    """
    root = tmp_path / "cifar-10-batches-py"
    root.mkdir()
    for b in range(1, 6):
        write_batch(root / f"data_batch_{b}", (b - 1) * PER_BATCH, request.param)
    write_batch(root / "test_batch", 1000, request.param)
    return root


def test_a_batch_loads_channels_last_with_each_pixel_in_place(mini_cifar):
    X, y = data_utils.load_CIFAR_batch(str(mini_cifar / "data_batch_2"))
    raw = image_rows(PER_BATCH, PER_BATCH)
    assert X.shape == (PER_BATCH, 32, 32, 3) and X.dtype == np.float64
    # Row layout: 1024 red values, then green, then blue, each row-major 32 x 32.
    assert X[1, 2, 3, 1] == raw[1, 1024 + 2 * 32 + 3]
    assert X[3, 31, 0, 2] == raw[3, 2048 + 31 * 32]
    assert y.tolist() == [4, 5, 6, 7]


def test_load_cifar10_concatenates_the_five_batches(mini_cifar):
    Xtr, Ytr, Xte, _ = data_utils.load_CIFAR10(str(mini_cifar))
    assert Xtr.shape == (5 * PER_BATCH, 32, 32, 3) and Ytr.shape == (5 * PER_BATCH,)
    assert Xte.shape == (PER_BATCH, 32, 32, 3)
    assert Ytr.tolist() == [i % 10 for i in range(20)]
    assert Xte[0, 0, 0, 0] == image_rows(1000, 1)[0, 0]


def test_get_data_splits_centres_and_transposes(mini_cifar, monkeypatch, no_cifar):
    monkeypatch.setenv("CIFAR10_DIR", str(mini_cifar))
    data = data_utils.get_CIFAR10_data(num_training=15, num_validation=5, num_test=3)
    assert list(data) == ["X_train", "y_train", "X_val", "y_val", "X_test", "y_test"]
    assert data["X_train"].shape == (15, 3, 32, 32)
    assert data["X_val"].shape == (5, 3, 32, 32) and data["X_test"].shape == (3, 3, 32, 32)
    assert data["y_val"].tolist() == [i % 10 for i in range(15, 20)]

    raw = image_rows(0, 20).astype(np.float64)
    k = 1024 + 5 * 32 + 9  # channel 1, row 5, column 9
    mean = raw[:15, k].mean()  # the mean image comes from the training split only
    assert data["X_train"][2, 1, 5, 9] == pytest.approx(raw[2, k] - mean, abs=1e-12)
    assert data["X_val"][0, 1, 5, 9] == pytest.approx(raw[15, k] - mean, abs=1e-12)
    test_raw = image_rows(1000, 3).astype(np.float64)
    assert data["X_test"][1, 1, 5, 9] == pytest.approx(test_raw[1, k] - mean, abs=1e-12)
    assert np.abs(data["X_train"].mean(axis=0)).max() < 1e-12
    assert data_utils.data_source() == str(mini_cifar) and not data_utils.is_synthetic()


def test_without_mean_subtraction_pixels_keep_their_values(mini_cifar, monkeypatch):
    monkeypatch.setenv("CIFAR10_DIR", str(mini_cifar))
    data = data_utils.get_CIFAR10_data(num_training=15, num_validation=5, num_test=3,
                                       subtract_mean=False)
    assert data["X_train"][7, 2, 0, 31] == image_rows(7, 1)[0, 2048 + 31]


@pytest.fixture(scope="module")
def synthetic_default(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CIFAR10_DIR", raising=False)
        mp.setattr(data_utils, "DATASETS_DIR", str(tmp_path_factory.mktemp("empty")))
        state = np.random.get_state()[1].copy()
        started = time.perf_counter()
        data = data_utils.get_CIFAR10_data()
        elapsed = time.perf_counter() - started
        untouched = np.array_equal(state, np.random.get_state()[1])
    return data, elapsed, untouched, data_utils.is_synthetic()


def test_synthetic_fallback_has_the_notebook_shapes(synthetic_default):
    data, elapsed, untouched, synthetic = synthetic_default
    shapes = {k: v.shape for k, v in data.items()}
    assert shapes == {"X_train": (49000, 3, 32, 32), "y_train": (49000,),
                      "X_val": (1000, 3, 32, 32), "y_val": (1000,),
                      "X_test": (1000, 3, 32, 32), "y_test": (1000,)}
    assert synthetic
    assert untouched, "generating the data must not disturb np.random's global state"
    # Centred in float32: what remains of the mean is rounding, ~1e-3 on pixel
    # values of spread ~60.
    assert np.abs(data["X_train"].mean(axis=0, dtype=np.float64)).max() < 1e-2
    assert set(np.unique(data["y_train"])) == set(range(10))
    # Generation takes about 1.5 s; the bound only catches a pathological slowdown.
    assert elapsed < 15


def test_synthetic_classes_are_learnable(synthetic_default):
    data = synthetic_default[0]
    X = data["X_train"][:5000].reshape(5000, -1)
    y = data["y_train"][:5000]
    means = np.stack([X[y == c].mean(axis=0) for c in range(10)])
    Xv = data["X_val"].reshape(1000, -1)
    scores = Xv @ means.T - 0.5 * (means ** 2).sum(axis=1)
    accuracy = (scores.argmax(axis=1) == data["y_val"]).mean()
    assert accuracy > 0.3, accuracy  # chance is 0.1


def test_synthetic_fallback_prints_one_notice_and_is_deterministic(no_cifar, capsys):
    first = data_utils.get_CIFAR10_data(num_training=30, num_validation=10, num_test=10)
    notice = capsys.readouterr().out
    assert notice.count("\n") == 1
    assert notice.startswith("NOTE: CIFAR-10 not found") and "SYNTHETIC" in notice
    assert "cifar-10-batches-py" in notice and "datasets/README.md" in notice
    second = data_utils.get_CIFAR10_data(num_training=30, num_validation=10, num_test=10,
                                         subtract_mean=False)
    bigger = data_utils.get_CIFAR10_data(num_training=2000, num_validation=10, num_test=10,
                                         subtract_mean=False)
    # Image i depends on i only, whatever the requested size. Labels come straight
    # from seeded integer streams, so they must match exactly: the validation split
    # continues the training stream and the test split is its own stream.
    np.testing.assert_array_equal(first["y_train"], bigger["y_train"][:30])
    np.testing.assert_array_equal(second["y_val"], bigger["y_train"][30:40])
    np.testing.assert_array_equal(second["y_test"], bigger["y_test"])
    # Pixels are float32 and include a (rows, 16) @ (16, 1024) BLAS product whose
    # rounding depends on how BLAS blocks and threads the rows, which changes with
    # the number of rows (30 vs 2010 here) and the thread count: one or two float32
    # ulps (~3e-5 at values up to ~320). The worst case for reordering a 16-term
    # float32 sum of these magnitudes is ~5e-4; 1e-3 stays above it and five orders
    # below the gap between any two distinct images (> 100), so a different seed,
    # stream, block or image order still fails.
    assert np.abs(bigger["X_train"][1:31] - bigger["X_train"][:30]).max() > 100
    for got, want in ((second["X_train"], bigger["X_train"][:30]),
                      (second["X_test"], bigger["X_test"])):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-3)
    assert data_utils.data_source() == "synthetic"


def test_a_wrong_cifar10_dir_is_named_in_the_notice(no_cifar, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CIFAR10_DIR", str(tmp_path / "nowhere"))
    data_utils.get_CIFAR10_data(num_training=10, num_validation=2, num_test=2)
    assert str(tmp_path / "nowhere") in capsys.readouterr().out


def test_synthetic_fallback_can_be_refused(no_cifar):
    with pytest.raises(FileNotFoundError, match="CIFAR10_DIR"):
        data_utils.get_CIFAR10_data(allow_synthetic=False)
