from __future__ import print_function

import os
import pickle

import numpy as np

CIFAR10_DIRNAME = "cifar-10-batches-py"
DATASETS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "datasets")

# Where the arrays returned by the last get_CIFAR10_data() call came from: a
# folder, "synthetic", or None before the first call. Read it through
# data_source() / is_synthetic(); the data dict itself keeps only X_/y_ keys.
_last_source = None


def load_pickle(f):
    # The CIFAR-10 batches were pickled by Python 2. latin1 maps each of its byte
    # strings (numpy's raw buffers included) one-to-one onto a str, so the
    # arrays come back intact.
    return pickle.load(f, encoding="latin1")


def _field(datadict, name):
    # Batches pickled by Python 2 give str keys under latin1; batches re-written
    # from a dict loaded with encoding="bytes" give bytes keys. Accept both.
    for key in (name, name.encode("ascii")):
        if key in datadict:
            return datadict[key]
    raise KeyError("CIFAR-10 batch has no %r entry (keys: %s)" % (name, sorted(map(str, datadict))))


def load_CIFAR_batch(filename):
    """
    Load a single batch of CIFAR-10 in the cifar-10-batches-py pickle format.

    Inputs:
    - filename: Path of a batch file (data_batch_1, ..., test_batch)

    Returns a tuple of:
    - X: float64 array of shape (N, 32, 32, 3), pixel values 0..255
    - Y: int array of shape (N,) of labels in 0..9
    """
    with open(filename, "rb") as f:
        datadict = load_pickle(f)
    X = np.asarray(_field(datadict, "data"))
    Y = np.array(_field(datadict, "labels"))
    # Rows are stored as 1024 red, then 1024 green, then 1024 blue values.
    X = X.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).astype("float")
    return X, Y


def load_CIFAR10(ROOT):
    """
    Load all of CIFAR-10 from the extracted cifar-10-batches-py folder ROOT.

    Returns a tuple of:
    - Xtr: Training images, of shape (50000, 32, 32, 3)
    - Ytr: Training labels, of shape (50000,)
    - Xte: Test images, of shape (10000, 32, 32, 3)
    - Yte: Test labels, of shape (10000,)
    """
    xs = []
    ys = []
    for b in range(1, 6):
        f = os.path.join(ROOT, "data_batch_%d" % (b,))
        X, Y = load_CIFAR_batch(f)
        xs.append(X)
        ys.append(Y)
    Xtr = np.concatenate(xs)
    Ytr = np.concatenate(ys)
    Xte, Yte = load_CIFAR_batch(os.path.join(ROOT, "test_batch"))
    return Xtr, Ytr, Xte, Yte


def find_CIFAR10():
    """
    Return the folder holding the real CIFAR-10 batches, or None.

    Looks at $CIFAR10_DIR first, then at cs231n/datasets/cifar-10-batches-py.
    """
    candidates = []
    if os.environ.get("CIFAR10_DIR"):
        candidates.append(os.environ["CIFAR10_DIR"])
    candidates.append(os.path.join(DATASETS_DIR, CIFAR10_DIRNAME))
    for root in candidates:
        if os.path.isfile(os.path.join(root, "data_batch_1")):
            return root
    return None


def data_source():
    """Folder of the data returned by the last get_CIFAR10_data(), or "synthetic"."""
    return _last_source


def is_synthetic():
    """True when the last get_CIFAR10_data() returned the offline synthetic stand-in."""
    return _last_source == "synthetic"


def get_CIFAR10_data(num_training=49000, num_validation=1000, num_test=1000,
                     subtract_mean=True, allow_synthetic=True):
    """
    Load the CIFAR-10 dataset from disk and perform preprocessing to prepare
    it for classifiers. These are the same steps as we used for the SVM, but
    condensed to a single function.

    Without the real data (see cs231n/datasets/README.md) this falls back to a
    synthetic dataset of the same shapes and prints a one-line notice; pass
    allow_synthetic=False to get a FileNotFoundError instead.

    Returns a dict with keys X_train (num_training, 3, 32, 32), y_train
    (num_training,), X_val, y_val, X_test, y_test; images are channels first
    and, with subtract_mean, centred on the training mean image.
    """
    global _last_source
    root = find_CIFAR10()
    if root is None:
        where = os.path.join(DATASETS_DIR, CIFAR10_DIRNAME)
        if os.environ.get("CIFAR10_DIR"):
            where = "%s or %s" % (os.environ["CIFAR10_DIR"], where)
        if not allow_synthetic:
            raise FileNotFoundError(
                "CIFAR-10 not found in %s: extract cifar-10-python.tar.gz there "
                "or set CIFAR10_DIR (see cs231n/datasets/README.md)" % where)
        # Imported here so the real-data path never pays for it.
        from cs231n.synthetic_data import synthetic_CIFAR10
        print("NOTE: CIFAR-10 not found in %s; using a SYNTHETIC stand-in with the same "
              "shapes (numbers will differ from real CIFAR-10; see "
              "cs231n/datasets/README.md to install it)" % where)
        X_train, y_train, X_test, y_test = synthetic_CIFAR10(
            num_training + num_validation, num_test)
        channels_last = False
        _last_source = "synthetic"
    else:
        X_train, y_train, X_test, y_test = load_CIFAR10(root)
        channels_last = True
        _last_source = root

    # Subsample the data. Slices rather than index lists: at 49000 images a
    # fancy-indexed copy would briefly double the memory held.
    X_val = X_train[num_training:num_training + num_validation]
    y_val = y_train[num_training:num_training + num_validation]
    X_train = X_train[:num_training]
    y_train = y_train[:num_training]
    X_test = X_test[:num_test].copy()
    y_test = y_test[:num_test].copy()

    # Normalize the data: subtract the mean image
    if subtract_mean:
        mean_image = np.mean(X_train, axis=0)
        X_train -= mean_image
        X_val -= mean_image
        X_test -= mean_image

    # Transpose so that channels come first
    if channels_last:
        X_train = X_train.transpose(0, 3, 1, 2).copy()
        X_val = X_val.transpose(0, 3, 1, 2).copy()
        X_test = X_test.transpose(0, 3, 1, 2).copy()

    # Package data into a dictionary
    return {
        "X_train": X_train,
        "y_train": y_train,
        "X_val": X_val,
        "y_val": y_val,
        "X_test": X_test,
        "y_test": y_test,
    }
