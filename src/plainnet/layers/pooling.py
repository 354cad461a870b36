"""Pooling: shrink an image by summarising each small window of it.

``MaxPool2D`` keeps each window's largest value, ``AveragePool2D`` its mean,
``GlobalAveragePool2D`` the mean of the whole image, channel by channel.
None has parameters. Images are channels-last, one sample
``(height, width, channels)``.

The windows are a view of the input (no copy)::

    x_padded                                        # (batch, H, W, channels)
    windows = sliding_window_view(x_padded, (ph, pw), axis=(1, 2))[:, ::sh, ::sw]
                                                    # (batch, out_h, out_w, channels, ph, pw)

and the backward pass adds each window's gradient back where the window came
from (:func:`add_windows`): a window that overlaps another one
(``strides < pool_size``) adds to the same input elements.

Padding follows Keras: ``"valid"`` uses only whole windows inside the image,
``out = floor((in - pool) / stride) + 1``; ``"same"`` gives ``out = ceil(in /
stride)`` and pads ``total = max((out - 1) * stride + pool - in, 0)`` cells,
``total // 2`` at the top/left and the rest (one more, when ``total`` is odd)
at the bottom/right. Padded cells never take part: they are ``-inf`` for the
maximum and left out of the count for the mean.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._validation import check_choice, check_int
from .base import Layer, Shape

__all__ = ["AveragePool2D", "GlobalAveragePool2D", "MaxPool2D", "add_windows", "pooled_length"]

Pair = tuple[int, int]


def pooled_length(size: int, pool: int, stride: int, padding: str) -> tuple[int, int, int]:
    """``(out, pad_before, pad_after)`` along one axis of length ``size`` (Keras' rule).

    ``out`` is 0 when a ``"valid"`` pool does not fit (``pool > size``).
    """
    if padding == "valid":
        return max((size - pool) // stride + 1, 0), 0, 0
    out = -(-size // stride)  # ceil(size / stride)
    total = max((out - 1) * stride + pool - size, 0)
    return out, total // 2, total - total // 2


def add_windows(grad_windows: np.ndarray, padded_shape: tuple[int, ...],
                strides: Pair) -> np.ndarray:
    """The transpose of taking windows: add each window's values back where it came from.

    ``grad_windows`` of shape ``(batch, out_h, out_w, channels, ph, pw)``
    becomes ``(batch, H, W, channels)`` (``padded_shape``); input elements
    shared by overlapping windows receive the sum. One step per offset
    ``(i, j)`` inside the window, each a strided slice of the whole batch.
    """
    _, out_h, out_w, _, ph, pw = grad_windows.shape
    sh, sw = strides
    grad = np.zeros(padded_shape, dtype=grad_windows.dtype)
    for i in range(ph):
        for j in range(pw):
            # offset (i, j) of window (r, s) is the input element (r * sh + i, s * sw + j)
            grad[:, i:i + (out_h - 1) * sh + 1:sh, j:j + (out_w - 1) * sw + 1:sw, :] += \
                grad_windows[..., i, j]
    return grad


def _pair(owner: str, name: str, value: Any) -> Pair:
    """``value`` (an int, or a tuple/list of 2 ints) as ``(height, width)``, each >= 1."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{owner}: {name} must be an integer or a tuple of 2 integers "
                             f"(height, width), got {value!r}")
        names, values = (f"{name}[0]", f"{name}[1]"), value
    else:
        names, values = (name, name), (value, value)
    try:
        return check_int(names[0], values[0], 1), check_int(names[1], values[1], 1)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{owner}: {error}") from None


def _image_shape(layer: Layer, input_shape: Shape) -> tuple:
    """``input_shape`` if it is ``(height, width, channels)``; a ValueError naming the layer."""
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"{layer.name} expects inputs of shape (height, width, channels), "
                         f"got {input_shape}")
    return input_shape


class _Pool2D(Layer):
    """What max and average pooling share: arguments, shapes, padding and windows."""

    cache_names = ("input_hw",)
    pad_value = 0.0

    def __init__(self, pool_size: int | tuple[int, int] = 2,
                 strides: int | tuple[int, int] | None = None, padding: str = "valid") -> None:
        super().__init__()
        owner = type(self).__name__
        self.pool_size = _pair(owner, "pool_size", pool_size)
        self.strides = self.pool_size if strides is None else _pair(owner, "strides", strides)
        try:
            self.padding = check_choice("padding", padding, ("valid", "same"))
        except (TypeError, ValueError) as error:
            raise type(error)(f"{owner}: {error}") from None

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """``(out_h, out_w, channels)`` for inputs ``(height, width, channels)``; no arrays made.

        Raises
        ------
        ValueError
            If the input is not ``(height, width, channels)``, or (``"valid"``)
            the pool is larger than the image.
        """
        height, width, channels = _image_shape(self, input_shape)
        out = []
        for axis, size, pool, stride in zip(("height", "width"), (height, width),
                                            self.pool_size, self.strides):
            if size is None:  # a length not known in advance stays unknown
                out.append(None)
                continue
            length = pooled_length(size, pool, stride, self.padding)[0]
            if length < 1:
                raise ValueError(
                    f"{self.name} pool_size {self.pool_size} does not fit inputs of shape "
                    f"{tuple(input_shape)}: the {axis} {size} is smaller than the pool "
                    f"{pool} (padding='valid'; use a smaller pool or padding='same')")
            out.append(length)
        return (*out, channels)

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        self.dtype = np.dtype(dtype)
        return self.compute_output_shape(input_shape)

    def padding_amounts(self, height: int, width: int) -> tuple[Pair, Pair]:
        """``((top, bottom), (left, right))``: cells padded around a ``height x width`` image."""
        rows = pooled_length(height, self.pool_size[0], self.strides[0], self.padding)
        cols = pooled_length(width, self.pool_size[1], self.strides[1], self.padding)
        if rows[0] < 1 or cols[0] < 1:
            self.compute_output_shape((height, width, None))  # raises the usual error
        return rows[1:], cols[1:]

    def windows(self, x: np.ndarray) -> np.ndarray:
        """``(batch, height, width, channels) -> (batch, out_h, out_w, channels, ph, pw)``.

        A view of ``x`` padded with :attr:`pad_value` (no copy when there is no padding).
        """
        (top, bottom), (left, right) = self.padding_amounts(*x.shape[1:3])
        if top or bottom or left or right:
            x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)),
                       constant_values=self.pad_value)
        sh, sw = self.strides
        return sliding_window_view(x, self.pool_size, axis=(1, 2))[:, ::sh, ::sw]

    def input_gradient(self, grad_windows: np.ndarray) -> np.ndarray:
        """dL/dx from each window's gradient ``(batch, out_h, out_w, channels, ph, pw)``."""
        height, width = self.input_hw
        (top, bottom), (left, right) = self.padding_amounts(height, width)
        batch, channels = grad_windows.shape[0], grad_windows.shape[3]
        padded_shape = (batch, top + height + bottom, left + width + right, channels)
        grad = add_windows(grad_windows, padded_shape, self.strides)  # (batch, H, W, channels)
        return grad[:, top:top + height, left:left + width, :]  # the padding gets nothing

    def get_config(self) -> dict[str, Any]:
        return {"pool_size": list(self.pool_size), "strides": list(self.strides),
                "padding": self.padding}


class MaxPool2D(_Pool2D):
    """Keep the largest value of each ``pool_size`` window, channel by channel.

    With windows ``x[b, r*sh : r*sh + ph, s*sw : s*sw + pw, c]`` of the (padded) input::

        y[b, r, s, c] = max over (i, j) of x[b, r*sh + i, s*sw + j, c]

    and the gradient goes, whole, to the element that won::

        dL/dx[b, r*sh + i*, s*sw + j*, c] += dL/dy[b, r, s, c]   # (i*, j*) = argmax

    On ties the winner is the **first** maximum in row-major order within
    the window (the smallest ``i * pw + j``, as ``numpy.argmax`` and PyTorch
    choose): only that element receives the window's gradient. Where windows
    overlap (``strides < pool_size``) an element that wins several windows
    receives the sum of their gradients.

    Parameters
    ----------
    pool_size : int or tuple of 2 ints, default 2
        ``(ph, pw)``, the window's height and width; an int is used for both.
    strides : int or tuple of 2 ints, default ``pool_size``
        ``(sh, sw)``, the step between windows (equal to the pool: no overlap).
    padding : {"valid", "same"}, default "valid"
        ``"same"`` pads with ``-inf`` (Keras' rule, see :mod:`plainnet.layers.pooling`),
        so a padded cell never wins.

    Examples
    --------
    ``MaxPool2D(2)`` halves the height and the width of a ``(28, 28, 6)`` image: ``(14, 14, 6)``.
    """

    cache_names = ("input_hw", "argmax")
    pad_value = -np.inf

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.input_hw = x.shape[1:3]  # (height, width), for backward
        windows = self.windows(x)  # (batch, out_h, out_w, channels, ph, pw), padded with -inf
        patches = windows.reshape(*windows.shape[:4], -1)  # (..., ph * pw): one row per window
        self.argmax = patches.argmax(axis=-1)  # (batch, out_h, out_w, channels), first maximum
        return np.take_along_axis(patches, self.argmax[..., None], axis=-1)[..., 0]

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        ph, pw = self.pool_size
        winner = np.arange(ph * pw) == self.argmax[..., None]  # (..., ph * pw), one True a row
        grad_windows = winner * grad_output[..., None]  # (batch, out_h, out_w, channels, ph*pw)
        return self.input_gradient(grad_windows.reshape(*grad_windows.shape[:4], ph, pw))


class AveragePool2D(_Pool2D):
    """Replace each ``pool_size`` window by the mean of its values, channel by channel.

    With ``n[r, s]`` the number of real (not padded) elements in window ``(r, s)``::

        y[b, r, s, c] = sum over (i, j) of x[b, r*sh + i, s*sw + j, c] / n[r, s]
        dL/dx[b, r*sh + i, s*sw + j, c] += dL/dy[b, r, s, c] / n[r, s]   # every (i, j)

    The padding of ``"same"`` is excluded from the mean, as in Keras: a
    window at the border is the mean of its real elements only (PyTorch's
    ``count_include_pad=False``). Overlapping windows add their shares.

    Parameters
    ----------
    pool_size : int or tuple of 2 ints, default 2
        ``(ph, pw)``, the window's height and width; an int is used for both.
    strides : int or tuple of 2 ints, default ``pool_size``
        ``(sh, sw)``, the step between windows.
    padding : {"valid", "same"}, default "valid"
        Keras' rule, see :mod:`plainnet.layers.pooling`.
    """

    cache_names = ("input_hw", "counts")

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.input_hw = x.shape[1:3]  # (height, width), for backward
        windows = self.windows(x)  # (batch, out_h, out_w, channels, ph, pw), padded with 0
        # n[r, s]: the same windows over an image of ones, padded with zeros
        ones = np.ones_like(x[:1, :, :, :1])  # (1, height, width, 1)
        self.counts = self.windows(ones).sum(axis=(-2, -1))  # (1, out_h, out_w, 1)
        return windows.sum(axis=(-2, -1)) / self.counts  # (batch, out_h, out_w, channels)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        share = grad_output / self.counts  # (batch, out_h, out_w, channels)
        grad_windows = np.broadcast_to(share[..., None, None], (*share.shape, *self.pool_size))
        return self.input_gradient(grad_windows)  # every element of a window gets its share


class GlobalAveragePool2D(Layer):
    """The mean of each channel over the whole image: ``(height, width, channels) -> (channels,)``.

    ::

        y[b, c] = sum over (i, j) of x[b, i, j, c] / (height * width)
        dL/dx[b, i, j, c] = dL/dy[b, c] / (height * width)

    Often the last step of a convolutional network before its ``Dense``
    classifier, in place of ``Flatten``: it has no parameters and does not
    depend on the image size.
    """

    cache_names = ("input_shape_seen",)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """``(channels,)`` for inputs ``(height, width, channels)``; no arrays made."""
        return (_image_shape(self, input_shape)[2],)

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        self.dtype = np.dtype(dtype)
        return self.compute_output_shape(input_shape)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.input_shape_seen = x.shape  # (batch, height, width, channels)
        return x.mean(axis=(1, 2))  # (batch, channels)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        height, width = self.input_shape_seen[1:3]
        share = grad_output[:, None, None, :] / (height * width)  # (batch, 1, 1, channels)
        return np.broadcast_to(share, self.input_shape_seen).copy()  # (batch, h, w, channels)
