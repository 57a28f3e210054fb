"""Hostile submissions for the value checks: NaN, inf, and values of the wrong type.

Each case is the reference layers.py with some functions replaced (``layers``: their source)
and, when ``net`` is not None, the reference fc_net.py with ``net`` appended (it rebinds
methods of FullyConnectedNet). ``fails`` maps a hidden test to words its message must hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from judge_helpers import REFERENCE_LAYERS, REFERENCE_NET

from grader.audit.catalogue import replace_functions


@dataclass(frozen=True)
class Case:
    layers: str = ""  # functions replacing the reference's
    net: str | None = None  # appended to the reference fc_net.py; None: no fc_net.py
    fails: dict[str, str] = field(default_factory=dict)  # test function -> words of its message
    score: float | None = None  # exactly this score, when it is known

    def sources(self) -> tuple[str, str | None]:
        layers = replace_functions(REFERENCE_LAYERS, self.layers) if self.layers else (
            REFERENCE_LAYERS)
        return layers, None if self.net is None else REFERENCE_NET + self.net


def forward(train: str, test: str = "out = x", cache: str = "(dropout_param, mask)") -> str:
    """A dropout_forward: the reference's mask, then ``train`` or ``test`` sets out."""
    return (
        "def dropout_forward(x, dropout_param):\n"
        "    p, mode = dropout_param['p'], dropout_param['mode']\n"
        "    if 'seed' in dropout_param:\n"
        "        np.random.seed(dropout_param['seed'])\n"
        "    mask = None\n"
        "    if mode == 'train':\n"
        "        mask = ((np.random.rand(*x.shape) < p) / p).astype(x.dtype)\n"
        f"        {train}\n"
        "    else:\n"
        f"        {test}\n"
        f"    return out, {cache}\n")


def backward(train: str, test: str = "dx = dout") -> str:
    """A dropout_backward: ``train`` or ``test`` sets dx."""
    return (
        "def dropout_backward(dout, cache):\n"
        "    dropout_param, mask = cache\n"
        "    if dropout_param['mode'] == 'train':\n"
        f"        {train}\n"
        "    else:\n"
        f"        {test}\n"
        "    return dx\n")


def net_loss(body: str) -> str:
    """FullyConnectedNet.loss replaced: ``body`` sees ``result``, the reference's value."""
    lines = "".join(f"    {line}\n" for line in body.splitlines())
    return ("\n\n_reference_loss = FullyConnectedNet.loss\n\n\n"
            "def _hostile_loss(self, X, y=None):\n"
            "    result = _reference_loss(self, X, y)\n"
            f"{lines}\n\nFullyConnectedNet.loss = _hostile_loss\n")


def net_init(body: str) -> str:
    lines = "".join(f"    {line}\n" for line in body.splitlines())
    return ("\n\n_reference_init = FullyConnectedNet.__init__\n\n\n"
            "def _hostile_init(self, *args, **kwargs):\n"
            "    _reference_init(self, *args, **kwargs)\n"
            f"{lines}\n\nFullyConnectedNet.__init__ = _hostile_init\n")


NAN = "where the reference is finite"
# A broken forward costs the forward's points only: the backward checks run on a cache the
# suite builds in the skeleton's format, so these cases' correct backward keeps its 17.
BACKWARD_ONLY = 17
GRADS = "if y is None:\n    return result\nloss, grads = result\n"

CASES = {
    # -- NaN and inf --------------------------------------------------------------------
    "forward_all_nan": Case(forward("out = x * mask * np.nan", "out = x * np.nan"), fails={
        "test_test_mode_identity": f"out contains NaN {NAN} (600 of 600 entries)",
        "test_zero_fraction": f"out contains NaN {NAN}"}, score=BACKWARD_ONLY),
    "forward_nan_where_kept": Case(forward("out = np.where(mask > 0, np.nan, 0.0)"), fails={
        # The zero fraction and the independence of the mask used to pass on NaN.
        "test_zero_fraction": f"out contains NaN {NAN}",
        "test_units_dropped_independently": f"out contains NaN {NAN}"}),
    "forward_inf_where_kept": Case(forward("out = np.where(mask > 0, np.inf, 0.0)"), fails={
        "test_zero_fraction": f"out contains inf {NAN}",
        "test_fresh_masks_without_seed": f"out contains inf {NAN}"}),
    "forward_one_nan": Case(forward("out = mask * x\n        out.flat[0] = np.nan"), fails={
        "test_zero_fraction": f"out contains NaN {NAN} (1 of 10000 entries)",
        "test_seed_repeatable": f"out contains NaN {NAN} (1 of 10000 entries)"}),
    "backward_all_nan": Case(backward("dx = np.full(dout.shape, np.nan)"), fails={
        # Passed before: max(1e-8, nan) is 1e-8, and nan > tol is False.
        "test_gradient_check": f"dx contains NaN {NAN} (120 of 120 entries)",
        "test_uses_forward_mask": f"dx contains NaN {NAN}",
        "test_gradient_check_with_dropout": f"grads['W1'] contains NaN {NAN}"}),
    "backward_inf": Case(backward("dx = dout * np.inf"), fails={
        "test_gradient_check": f"dx contains inf {NAN} (120 of 120 entries)"}),
    "backward_one_nan": Case(backward("dx = dout * mask\n        dx.flat[7] = np.nan"), fails={
        "test_gradient_check": f"dx contains NaN {NAN} (1 of 120 entries)",
        "test_uses_forward_mask": f"dx contains NaN {NAN} (1 of 600 entries)"}),
    "net_grads_all_nan": Case(net=net_loss(
        GRADS + "return loss, {k: v * np.nan for k, v in grads.items()}"), fails={
        "test_gradient_check_with_dropout": f"grads['W1'] contains NaN {NAN} (300 of 300",
        "test_matches_reference_without_dropout": f"grads['W1'] contains NaN {NAN}",
        "test_runs_with_and_without_seed": f"contains NaN {NAN}"}, score=75),
    "net_grads_one_nan": Case(net=net_loss(
        GRADS + "grads = {k: v.copy() for k, v in grads.items()}\n"
                "grads['W2'].flat[5] = np.nan\nreturn loss, grads"), fails={
        "test_gradient_check_with_dropout": f"grads['W2'] contains NaN {NAN} (1 of 600",
        "test_matches_reference_without_dropout": f"grads['W2'] contains NaN {NAN}"}),
    "net_grads_inf": Case(net=net_loss(
        GRADS + "return loss, {k: v * np.inf for k, v in grads.items()}"), fails={
        "test_gradient_check_with_dropout": f"inf {NAN}"}),  # 0 * inf is NaN
    "net_loss_nan": Case(net=net_loss(GRADS + "return np.nan, grads"), fails={
        "test_matches_reference_without_dropout": f"the loss that loss(X, y) returned is NaN {NAN}",
        "test_dropout_applied_in_training": f"is NaN {NAN}"}, score=75),
    "net_scores_nan": Case(net=net_loss("return result * np.nan if y is None else result"),
                           fails={"test_test_mode_ignores_dropout": f"contains NaN {NAN}",
                                  "test_matches_reference_without_dropout": "NaN"}),
    # -- values of the wrong type ---------------------------------------------------------
    "forward_returns_dict": Case(forward("out = mask * x", cache="(dropout_param, mask)}")
                                 .replace("return out, ", "return {'out': out, 'cache': "),
                                 fails={"test_zero_fraction": "must return a tuple (out, cache)"},
                                 score=BACKWARD_ONLY),
    "forward_0d": Case(forward("out = np.array(1.0)", "out = np.array(1.0)"), fails={
        "test_zero_fraction": "out has shape (); it must have shape (100, 100)",
        "test_test_mode_identity": "out has shape (); it must have shape (20, 30)"},
        score=BACKWARD_ONLY),
    "forward_strings": Case(forward("out = (mask * x).astype(str)", "out = x.astype(str)"),
                            fails={"test_zero_fraction": "not plain data"},
                            score=BACKWARD_ONLY),
    "forward_bool": Case(forward("out = mask > 0"), fails={
        # Crashed the gradient check (bool minus bool): internal_error before.
        "test_gradient_check": "dx relative error",
        "test_kept_units_scaled": "kept outputs were"}),
    "mask_of_dtype_object": Case(
        forward("mask = mask.astype(object)\n        out = (x * mask).astype(x.dtype)")
        + backward("dx = dout * mask"), fails={
            "test_gradient_check": "dropout_backward must return dx as a numpy array",
            "test_uses_forward_mask": "an object that is not plain data"}),
    "cache_is_a_generator": Case(
        forward("out = mask * x", cache="(part for part in (dropout_param, mask))")
        + backward("dx = dout * cache[1]").replace(
            "    dropout_param, mask = cache\n    if dropout_param['mode'] == 'train':",
            "    if not isinstance(cache, tuple):"), fails={
            "test_gradient_check": "dropout_backward raised TypeError"}),
    "backward_broadcastable": Case(backward("dx = (dout * mask)[:, :1]"), fails={
        "test_gradient_check": "dx has shape (10, 1); it must have shape (10, 12)",
        "test_uses_forward_mask": "dx has shape (20, 1); it must have shape (20, 30)"}),
    "net_seed_array": Case(net=net_init(
        "if 'seed' in self.dropout_param:\n"
        "    self.dropout_param['seed'] = np.array([self.dropout_param['seed']] * 2)"), fails={
        # `array != 123` is an array, and `if` on it raised: internal_error before.
        "test_runs_with_and_without_seed":
            "dropout_param['seed'] is an array of dtype int64 and shape (2,), not 123"},
        score=97),
    "net_loss_string": Case(net=net_loss(GRADS + "return str(loss), grads"), fails={
        # float('1.96') parsed it: full marks before.
        "test_matches_reference_without_dropout": "must be a number; it is a str"}, score=75),
    "net_loss_huge_int": Case(net=net_loss(GRADS + "return 10**400, grads"), fails={
        # float() raised OverflowError: internal_error in six tests before.
        "test_gradient_check_with_dropout": "integer of more than 60 digits, too large"},
        score=75),
    "net_scores_huge_broadcast": Case(net=net_loss(
        "return np.zeros((200000, 1, 1)) if y is None else result"), fails={
        "test_matches_reference_without_dropout":
            "has shape (200000, 1, 1); it must have shape (3, 10)"}),
    "net_params_not_a_dict": Case(net=net_init("self.params = list(self.params.items())"),
                                  fails={"test_gradient_check_with_dropout": "AttributeError"},
                                  score=75),
}

# Not hostile, only unusual: a list of two unpacks like the tuple. Full marks.
TOLERATED = {"forward_returns_list": Case(forward("out = mask * x").replace(
    "return out, (dropout_param, mask)", "return [out, (dropout_param, mask)]"), score=100)}
