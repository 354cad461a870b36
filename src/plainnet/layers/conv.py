"""``Conv2D`` and ``Conv1D``: one small filter slid over an image or a sequence.

A convolution is a ``Dense`` layer applied to every patch of the input with
the same weights. Cut the (padded) input into patches of the kernel's size,
lay each patch out as one row, and the whole layer is one matrix product::

    x        (batch, height, width, in_channels)        channels last
    patches  (batch * out_h * out_w, kh * kw * in_channels)
    kernel   (kh, kw, in_channels, filters) -> W of shape (kh * kw * in_channels, filters)
    y        = patches @ W + bias  -> (batch * out_h * out_w, filters)
                                   -> (batch, out_h, out_w, filters)

A sequence ``(time, channels)`` is an image one row high, so ``Conv1D`` runs
the same code on ``(1, time, channels)``.

Sizes follow Keras. With ``padding="valid"`` the kernel stays inside the input,
``out = floor((in - k) / stride) + 1``; with ``padding="same"``,
``out = ceil(in / stride)`` and the input gets ``max((out - 1) * stride + k - in, 0)``
zeros in all, half before (rounded down) and the rest after, so an odd extra
row or column goes at the bottom or right.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import initializers
from .._validation import check_choice, check_int
from . import activation as activations
from .base import Layer, Shape

__all__ = ["Conv1D", "Conv2D", "output_length", "padding_widths"]

PADDINGS = ("valid", "same")


def output_length(size: int, kernel: int, stride: int, padding: str) -> int:
    """Length of the output along one axis: ``ceil(size / stride)`` for ``"same"``,
    ``floor((size - kernel) / stride) + 1`` for ``"valid"`` (``size >= kernel``)."""
    if padding == "same":
        return math.ceil(size / stride)
    return (size - kernel) // stride + 1


def padding_widths(size: int, kernel: int, stride: int, padding: str) -> tuple[int, int]:
    """Zeros ``(before, after)`` added to one axis; Keras's ``"same"`` puts the odd one after."""
    if padding == "valid":
        return 0, 0
    total = max((output_length(size, kernel, stride, padding) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _as_tuple(name: str, value: Any, rank: int) -> tuple[int, ...]:
    """``value`` (an int, or a tuple or list of ``rank`` ints; each >= 1) as a tuple."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return (check_int(name, value, 1),) * rank
    example = "3" if rank == 1 else "3 or (3, 3)"
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{name} must be an integer or a tuple of length {rank} (e.g. "
                        f"{example}), got {value!r}")
    if len(value) != rank:
        raise ValueError(f"{name} must be an integer or a tuple of length {rank} (e.g. "
                         f"{example}), got {tuple(value)}")
    return tuple(check_int(f"{name}[{i}]", v, 1) for i, v in enumerate(value))


class _Convolution(activations.ActivationShortcut, Layer):
    """What ``Conv2D`` and ``Conv1D`` share: arguments, shapes, and the maths on images.

    ``rank`` is the number of axes the kernel slides along (2 for images,
    1 for sequences). The maths below is written for images; a sequence
    enters it as an image one row high.
    """

    rank = 2
    param_names = ("kernel", "bias")
    cache_names = ("patches", "padded_shape", "pads")
    _axes = "(height, width, channels)"

    def __init__(self, filters: int, kernel_size: int | tuple[int, ...] | list[int],
                 strides: int | tuple[int, ...] | list[int] = 1, padding: str = "valid",
                 activation: str | None = None, kernel_init: str = "glorot_uniform",
                 bias_init: str = "zeros") -> None:
        super().__init__()
        self.filters = check_int("filters", filters, 1)
        self.kernel_size = _as_tuple("kernel_size", kernel_size, self.rank)
        self.strides = _as_tuple("strides", strides, self.rank)
        self.padding = check_choice("padding", padding, PADDINGS)
        self.set_activation(activation)
        self.kernel_init = kernel_init
        self.bias_init = bias_init
        initializers.get(kernel_init), initializers.get(bias_init)  # fail early on bad names

    # ------------------------------------------------------------------ shapes
    def _check_input_shape(self, input_shape: Shape) -> tuple[tuple[int, ...], int]:
        """``(spatial sizes, channels)`` of ``input_shape``, or a ValueError naming the layer."""
        shape = tuple(input_shape)
        if len(shape) != self.rank + 1:
            raise ValueError(f"{self.name} expects inputs of shape {self._axes}, got {shape}")
        if any(d is None for d in shape):
            raise ValueError(f"{self.name} expects inputs of shape {self._axes} with every size "
                             f"known, got {shape}")
        spatial, channels = shape[:-1], shape[-1]
        if self.padding == "valid" and any(n < k for n, k in zip(spatial, self.kernel_size)):
            raise ValueError(
                f"{self.name} expects inputs at least as large as its kernel_size "
                f"{self.kernel_size} (padding='valid'), got inputs of shape {shape}; use a "
                "smaller kernel_size or padding='same'")
        return spatial, channels

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """``(*out_sizes, filters)`` for inputs of ``input_shape`` (allocates nothing)."""
        spatial, _ = self._check_input_shape(input_shape)
        return (*(output_length(n, k, s, self.padding)
                  for n, k, s in zip(spatial, self.kernel_size, self.strides)), self.filters)

    def parameter_shapes(self, input_shape: Shape) -> dict[str, tuple[int, ...]]:
        """``{"kernel": (*kernel_size, in_channels, filters), "bias": (filters,)}``."""
        _, channels = self._check_input_shape(input_shape)
        return {"kernel": (*self.kernel_size, channels, self.filters), "bias": (self.filters,)}

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        output_shape = self.compute_output_shape(input_shape)
        shapes = self.parameter_shapes(input_shape)
        self.dtype = np.dtype(dtype)
        # initializers count the receptive field: fan_in = kh * kw * in_channels
        self.kernel = initializers.get(self.kernel_init)(shapes["kernel"], rng, self.dtype)
        self.bias = initializers.get(self.bias_init)(shapes["bias"], rng, self.dtype)
        self.grad_kernel = np.zeros_like(self.kernel)
        self.grad_bias = np.zeros_like(self.bias)
        return self.build_activation(output_shape, rng, dtype)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        image = self.as_image(x)  # (batch, height, width, cin); a sequence is 1 row high
        return self.activate(self.from_image(self._convolve(image)), training)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output = self.activation_backward(grad_output)
        return self.from_image(self._convolve_backward(self.as_image(grad_output)))

    # ------------------------------------------------------------------- maths
    def _image_geometry(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """``(kh, kw), (sh, sw)``: a sequence's kernel is one row high, ``(1, k)``."""
        ones = (1,) * (2 - self.rank)
        return (*ones, *self.kernel_size), (*ones, *self.strides)

    def _convolve(self, x: np.ndarray) -> np.ndarray:
        """``y = patches @ W + bias`` for images ``x`` of shape ``(batch, height, width, cin)``."""
        (kh, kw), (sh, sw) = self._image_geometry()
        self.pads = [padding_widths(n, k, s, self.padding)
                     for n, k, s in zip(x.shape[1:3], (kh, kw), (sh, sw))]
        x = np.pad(x, [(0, 0), *self.pads, (0, 0)])  # (batch, padded_h, padded_w, cin)
        self.padded_shape = x.shape
        # every kh x kw window, then every stride-th one: (batch, out_h, out_w, cin, kh, kw)
        windows = sliding_window_view(x, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
        batch, out_h, out_w, cin = windows.shape[:4]
        # one patch per row, in the kernel's (kh, kw, cin) order (this copies)
        self.patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(batch * out_h * out_w,
                                                                    kh * kw * cin)
        weights = self.kernel.reshape(kh * kw * cin, self.filters)
        y = self.patches @ weights + self.bias  # (b*oh*ow, kh*kw*cin) @ (kh*kw*cin, f) + (f,)
        return y.reshape(batch, out_h, out_w, self.filters)

    def _convolve_backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Set ``grad_kernel``, ``grad_bias`` from ``dL/dy`` (images); return ``dL/dx``."""
        (kh, kw), (sh, sw) = self._image_geometry()
        batch, out_h, out_w, filters = grad_output.shape
        g = grad_output.reshape(batch * out_h * out_w, filters)  # one row per patch
        weights = self.kernel.reshape(-1, filters)  # (kh*kw*cin, filters)
        self.grad_kernel = (self.patches.T @ g).reshape(self.kernel.shape)  # (kh*kw*cin, f)
        self.grad_bias = g.sum(axis=0)  # (filters,)
        grad_patches = g @ weights.T  # (b*oh*ow, f) @ (f, kh*kw*cin) -> (b*oh*ow, kh*kw*cin)
        grad_patches = grad_patches.reshape(batch, out_h, out_w, kh, kw, -1)
        # col2im: each patch entry goes back to the input pixel it was copied from;
        # a pixel in several patches collects the sum
        grad_padded = np.zeros(self.padded_shape, dtype=grad_patches.dtype)
        for p in range(kh):
            for q in range(kw):
                # offset (p, q) of patch (i, j) is pixel (i * sh + p, j * sw + q)
                grad_padded[:, p:p + sh * out_h:sh, q:q + sw * out_w:sw] += \
                    grad_patches[:, :, :, p, q]
        (top, bottom), (left, right) = self.pads
        height, width = self.padded_shape[1] - bottom, self.padded_shape[2] - right
        return grad_padded[:, top:height, left:width]  # the padding's gradient is dropped

    def get_config(self) -> dict[str, Any]:
        return {
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "strides": list(self.strides),
            "padding": self.padding,
            "activation": self.activation,
            "kernel_init": self.kernel_init,
            "bias_init": self.bias_init,
        }


class Conv2D(_Convolution):
    """2-D convolution over images ``(height, width, channels)``, channels last, as in Keras.

    ``y[b, i, j, f] = bias[f] + sum over p, q, c of
    x_padded[b, i * sh + p, j * sw + q, c] * kernel[p, q, c, f]``

    Parameters
    ----------
    filters : int
        Number of output channels (one kernel each).
    kernel_size : int or tuple of 2 ints
        ``(kh, kw)``; an int ``k`` means ``(k, k)``.
    strides : int or tuple of 2 ints, default 1
        Step between patches, ``(sh, sw)``.
    padding : {"valid", "same"}, default "valid"
        ``"valid"``: no padding, ``out = floor((in - k) / s) + 1``; ``"same"``:
        zeros around the input so that ``out = ceil(in / s)``, the odd one
        at the bottom/right (as Keras; PyTorch pads both sides alike).
    activation : str or None, default None
        Shortcut: ``Conv2D(8, 3, activation="relu")`` applies ``ReLU`` after the
        convolution. Inside a ``Sequential`` model it becomes a layer of its own.
    kernel_init, bias_init : str
        Names of initializers (see :mod:`plainnet.initializers`); they count
        the receptive field, ``fan_in = kh * kw * in_channels``.

    Attributes
    ----------
    kernel : ndarray of shape (kh, kw, in_channels, filters)
        ``in_channels`` is taken from the input.
    bias : ndarray of shape (filters,)
    grad_kernel, grad_bias : ndarray
        Gradients of the loss from the last ``backward``.

    Notes
    -----
    With ``P`` the patch matrix ``(batch * out_h * out_w, kh * kw * in_channels)``,
    ``W = kernel.reshape(kh * kw * in_channels, filters)`` and
    ``G = dL/dy`` reshaped to ``(batch * out_h * out_w, filters)``::

        y            = P @ W + bias   # the forward pass: one product
        grad_kernel  = P.T @ G        # (kh*kw*cin, b*oh*ow) @ (b*oh*ow, f) -> (kh*kw*cin, f)
        grad_bias    = G.sum(axis=0)  # (filters,)
        dL/dP        = G @ W.T        # (b*oh*ow, f) @ (f, kh*kw*cin) -> (b*oh*ow, kh*kw*cin)

    and ``dL/dx`` adds each row of ``dL/dP`` back onto the pixels its patch
    was cut from ("col2im"), then drops the padding.

    Examples
    --------
    >>> from plainnet import Sequential, Conv2D, Flatten, Dense
    >>> model = Sequential([Conv2D(4, 3, activation="relu"), Flatten(), Dense(10)],
    ...                    input_shape=(8, 8, 1))
    >>> model.layers[0].kernel.shape, model.output_shape
    ((3, 3, 1, 4), (10,))
    """

    rank = 2
    _axes = "(height, width, channels)"

    @staticmethod
    def as_image(x: np.ndarray) -> np.ndarray:
        return x  # (batch, height, width, channels) already

    @staticmethod
    def from_image(y: np.ndarray) -> np.ndarray:
        return y


class Conv1D(_Convolution):
    """1-D convolution over sequences ``(time, channels)``, channels last, as in Keras.

    ``y[b, t, f] = bias[f] + sum over p, c of x_padded[b, t * stride + p, c] * kernel[p, c, f]``

    A sequence is an image one row high: the layer runs ``Conv2D``'s maths on
    ``(batch, 1, time, channels)`` with a ``(1, k)`` kernel.

    Parameters
    ----------
    filters : int
        Number of output channels.
    kernel_size : int or tuple of 1 int
        Length ``k`` of the window.
    strides : int or tuple of 1 int, default 1
    padding : {"valid", "same"}, default "valid"
        As for :class:`Conv2D` (``"same"``: the odd zero goes at the end).
    activation : str or None, default None
        Shortcut for an activation layer after this one.
    kernel_init, bias_init : str
        Names of initializers; ``fan_in = k * in_channels``.

    Attributes
    ----------
    kernel : ndarray of shape (k, in_channels, filters)
    bias : ndarray of shape (filters,)
    grad_kernel, grad_bias : ndarray
    """

    rank = 1
    _axes = "(time, channels)"

    @staticmethod
    def as_image(x: np.ndarray) -> np.ndarray:
        return x[:, None]  # (batch, time, channels) -> (batch, 1, time, channels)

    @staticmethod
    def from_image(y: np.ndarray) -> np.ndarray:
        return y[:, 0]  # (batch, 1, time, filters) -> (batch, time, filters)
