"""Fast convolution and pooling layers, as in the course's package (pure numpy, no Cython).

Kept so that code written against the full course package (``from cs231n.fast_layers
import *``, the layer_utils helpers) imports and runs as on the student's own machine.
"""

import numpy as np

from cs231n.im2col import col2im_indices, im2col_indices


def conv_forward_im2col(x, w, b, conv_param):
    """Convolution of x (N, C, H, W) with filters w (F, C, HH, WW) via im2col."""
    N, C, H, W = x.shape
    num_filters, _, filter_height, filter_width = w.shape
    stride, pad = conv_param["stride"], conv_param["pad"]
    if (W + 2 * pad - filter_width) % stride or (H + 2 * pad - filter_height) % stride:
        raise ValueError("width or height does not work with this stride and padding")
    out_height = (H + 2 * pad - filter_height) // stride + 1
    out_width = (W + 2 * pad - filter_width) // stride + 1
    x_cols = im2col_indices(x, filter_height, filter_width, pad, stride)
    res = w.reshape((num_filters, -1)).dot(x_cols) + b.reshape(-1, 1)
    out = res.reshape(num_filters, out_height, out_width, N).transpose(3, 0, 1, 2)
    return out, (x, w, b, conv_param, x_cols)


def conv_backward_im2col(dout, cache):
    """Gradients (dx, dw, db) of conv_forward_im2col."""
    x, w, b, conv_param, x_cols = cache
    stride, pad = conv_param["stride"], conv_param["pad"]
    db = np.sum(dout, axis=(0, 2, 3))
    num_filters, _, filter_height, filter_width = w.shape
    dout_reshaped = dout.transpose(1, 2, 3, 0).reshape(num_filters, -1)
    dw = dout_reshaped.dot(x_cols.T).reshape(w.shape)
    dx_cols = w.reshape(num_filters, -1).T.dot(dout_reshaped)
    dx = col2im_indices(dx_cols, x.shape, filter_height, filter_width, pad, stride)
    return dx, dw, db


conv_forward_fast = conv_forward_im2col
conv_backward_fast = conv_backward_im2col


def max_pool_forward_fast(x, pool_param):
    """Max pooling of x (N, C, H, W); tiles that cover the input exactly are reshaped,
    any other pooling goes through im2col."""
    N, C, H, W = x.shape
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    if ph == pw == stride and H % ph == 0 and W % pw == 0:
        x_reshaped = x.reshape(N, C, H // ph, ph, W // pw, pw)
        out = x_reshaped.max(axis=3).max(axis=4)
        return out, ("reshape", (x, x_reshaped, out))
    out_h, out_w = (H - ph) // stride + 1, (W - pw) // stride + 1
    x_split = x.reshape(N * C, 1, H, W)
    x_cols = im2col_indices(x_split, ph, pw, padding=0, stride=stride)
    x_cols_argmax = np.argmax(x_cols, axis=0)
    out = x_cols[x_cols_argmax, np.arange(x_cols.shape[1])]
    out = out.reshape(out_h, out_w, N, C).transpose(2, 3, 0, 1)
    return out, ("im2col", (x, x_cols, x_cols_argmax, pool_param))


def max_pool_backward_fast(dout, cache):
    """Gradient dx of max_pool_forward_fast."""
    method, real_cache = cache
    if method == "reshape":
        x, x_reshaped, out = real_cache
        dx_reshaped = np.zeros_like(x_reshaped)
        out_newaxis = out[:, :, :, np.newaxis, :, np.newaxis]
        mask = x_reshaped == out_newaxis
        dout_newaxis = dout[:, :, :, np.newaxis, :, np.newaxis]
        dout_broadcast, _ = np.broadcast_arrays(dout_newaxis, dx_reshaped)
        dx_reshaped[mask] = dout_broadcast[mask]
        dx_reshaped /= np.sum(mask, axis=(3, 5), keepdims=True)
        return dx_reshaped.reshape(x.shape)
    x, x_cols, x_cols_argmax, pool_param = real_cache
    N, C, H, W = x.shape
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dout_reshaped = dout.transpose(2, 3, 0, 1).flatten()
    dx_cols = np.zeros_like(x_cols)
    dx_cols[x_cols_argmax, np.arange(dx_cols.shape[1])] = dout_reshaped
    dx = col2im_indices(dx_cols, (N * C, 1, H, W), ph, pw, padding=0, stride=stride)
    return dx.reshape(x.shape)
