"""
An offline stand-in for CIFAR-10, used by data_utils.get_CIFAR10_data() when
the real batches are not on disk.

Each image is a class template (a smooth, low-frequency colour pattern) plus a
per-image smooth pattern that no class owns, plus pixel noise, on the 0..255
scale of real CIFAR-10. A small net therefore learns something from a few
hundred examples without reaching perfect validation accuracy, which keeps the
regularization experiment meaningful. It is not CIFAR-10: accuracies and losses
will not match published numbers.
"""

import numpy as np

SEED = 231
NUM_CLASSES = 10
# Images are generated in fixed blocks, each from its own seeded stream, so
# image i is the same whatever number of images is asked for.
BLOCK = 1024
_FREQS = 4  # cosine frequencies per axis in the smooth patterns
_TEMPLATE_SCALE = 6.0  # pixel-value spread of the class templates (weak on purpose)
_NUISANCE_SCALE = 40.0  # spread of the class-free smooth pattern
_NOISE_SCALE = 40.0  # standard deviation of the per-pixel noise
_MEAN_PIXEL = 120.0


def _cosine_basis():
    # Separable 2-D DCT-II basis of the lowest frequencies: shape (F*F, 32*32).
    n = np.arange(32) + 0.5
    waves = np.cos(np.pi * np.outer(np.arange(_FREQS), n) / 32)  # (F, 32)
    basis = np.einsum("ki,lj->klij", waves, waves).reshape(_FREQS * _FREQS, 32 * 32)
    return basis.astype(np.float32)


def _templates(basis):
    rng = np.random.default_rng([SEED, 0])
    coefs = rng.standard_normal((NUM_CLASSES * 3, basis.shape[0])).astype(np.float32)
    templates = coefs @ basis
    templates /= templates.std(axis=1, keepdims=True)
    return (_TEMPLATE_SCALE * templates).reshape(NUM_CLASSES, 3, 32, 32)


def _fill(X, y, stream, basis, templates):
    """Write images and labels of one split into X (N, 3, 32, 32) and y (N,)."""
    for b, start in enumerate(range(0, X.shape[0], BLOCK)):
        stop = min(start + BLOCK, X.shape[0])
        n = stop - start
        rng = np.random.default_rng([SEED, stream, b])
        labels = rng.integers(NUM_CLASSES, size=BLOCK)[:n]
        coefs = rng.standard_normal((BLOCK * 3, basis.shape[0]), dtype=np.float32)[: n * 3]
        coefs *= _NUISANCE_SCALE / _FREQS
        block = X[start:stop]
        np.matmul(coefs, basis, out=block.reshape(n * 3, 32 * 32))
        block += templates[labels]
        # Uniform rather than normal noise: it is drawn about four times faster,
        # which keeps the full 51000-image set well under two seconds.
        noise = rng.random((BLOCK, 3, 32, 32), dtype=np.float32)[:n]
        noise -= 0.5
        noise *= _NOISE_SCALE * np.sqrt(12.0)
        block += noise
        block += _MEAN_PIXEL
        y[start:stop] = labels


def synthetic_CIFAR10(num_train, num_test):
    """
    Generate a deterministic CIFAR-10-shaped dataset.

    Inputs:
    - num_train: Number of training images to generate (training + validation)
    - num_test: Number of test images to generate

    Returns a tuple of:
    - X_train: float32 array of shape (num_train, 3, 32, 32), channels first
    - y_train: int64 array of shape (num_train,) of labels in 0..9
    - X_test: float32 array of shape (num_test, 3, 32, 32)
    - y_test: int64 array of shape (num_test,)
    """
    basis = _cosine_basis()
    templates = _templates(basis)
    out = []
    for stream, n in ((1, num_train), (2, num_test)):
        X = np.empty((n, 3, 32, 32), dtype=np.float32)
        y = np.empty(n, dtype=np.int64)
        _fill(X, y, stream, basis, templates)
        out += [X, y]
    return tuple(out)
