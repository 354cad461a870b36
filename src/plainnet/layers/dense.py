"""``Dense``: the fully connected layer ``y = x @ weights + bias``."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import initializers
from .._validation import check_float, check_int
from . import activation as activations
from .base import Layer, Shape

__all__ = ["Dense"]


class Dense(activations.ActivationShortcut, Layer):
    """Fully connected layer ``y = x @ weights + bias``, on the last axis of ``x``.

    ``Dense(units)`` is the usual form: the input width is taken from the
    layer before it (or from the data), as in Keras. ``Dense(n_inputs,
    units)`` with two integers also works and fixes the input width.
    ``Dense(64, "relu")`` is 64 units with a ReLU.

    Parameters
    ----------
    units : int
        Width of the output (``n_outputs`` is accepted as another name).
    activation : str or None, default None
        Shortcut: ``Dense(8, activation="relu")`` applies ``ReLU`` after the
        affine map. Inside a ``Sequential`` model the activation becomes a
        layer of its own, right after this one, so ``model.layers`` shows it.
    weight_init, bias_init : str
        Names of initializers (see :mod:`plainnet.initializers`).
    l1, l2 : float, default 0.0
        Penalties ``l1 * sum(|weights|) + l2 * sum(weights**2)`` added to the
        loss (the bias is not penalised).
    n_inputs : int or None, default None
        Width of the input, when you want it checked; inferred otherwise.

    Attributes
    ----------
    weights : ndarray of shape (n_inputs, units)
    bias : ndarray of shape (units,)
    grad_weights, grad_bias : ndarray
        Gradients of the loss from the last ``backward``.

    Notes
    -----
    With ``x`` of shape ``(batch, in)`` and ``g = dL/dy`` of shape ``(batch, out)``::

        grad_weights = x.T @ g        # (in, batch) @ (batch, out) -> (in, out)
        grad_bias    = g.sum(axis=0)  # (out,)
        dL/dx        = g @ weights.T  # (batch, out) @ (out, in) -> (batch, in)

    An input with more axes, ``(batch, ..., in)`` (a sequence, say), is the
    same map applied at every position: the leading axes are merged into
    one batch axis for the gradients, and the output is ``(batch, ..., out)``.

    Inside ``fit`` the same maths runs from :mod:`plainnet.training.kernels`,
    written into the packed gradient vector (tested equal to this class). To
    train with an edited copy of the methods below, subclass ``Dense`` (a
    subclass runs its own methods) or set
    ``plainnet.training.kernels.USE_KERNELS = False``.
    """

    param_names = ("weights", "bias")
    cache_names = ("input",)

    def __init__(self, *args: Any, activation: str | None = None,
                 weight_init: str = "glorot_uniform", bias_init: str = "zeros",
                 l1: float = 0.0, l2: float = 0.0, units: int | None = None,
                 n_inputs: int | None = None, n_outputs: int | None = None) -> None:
        super().__init__()
        units, n_inputs, activation = _read_arguments(args, units, n_outputs, n_inputs,
                                                      activation)
        self.units = check_int("units", units, 1)
        self.n_inputs = None if n_inputs is None else check_int("n_inputs", n_inputs, 1)
        self.set_activation(activation)
        self.weight_init = weight_init
        self.bias_init = bias_init
        initializers.get(weight_init), initializers.get(bias_init)  # fail early on bad names
        self.l1 = check_float("l1", l1, 0.0)
        self.l2 = check_float("l2", l2, 0.0)

    @property
    def n_outputs(self) -> int:
        """Width of the output (the same as ``units``)."""
        return self.units

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        width = input_shape[-1] if input_shape else None
        if width is None:
            raise ValueError(
                f"{self.name} expects inputs of shape (..., features) with a known number of "
                f"features, got {tuple(input_shape)}"
            )
        if self.n_inputs is not None and width != self.n_inputs:
            raise ValueError(
                f"{self.name} expects {self.n_inputs} inputs, but the layer before it "
                f"gives {width}"
            )
        self.n_inputs = width
        self.dtype = np.dtype(dtype)
        shape = (self.n_inputs, self.units)
        self.weights = initializers.get(self.weight_init)(shape, rng, self.dtype)
        self.bias = initializers.get(self.bias_init)((self.units,), rng, self.dtype)
        self.grad_weights = np.zeros_like(self.weights)
        self.grad_bias = np.zeros_like(self.bias)
        return self.build_activation((*input_shape[:-1], self.units), rng, dtype)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        self.input = x  # (batch, ..., in), kept for grad_weights
        z = x @ self.weights + self.bias  # (batch, ..., in) @ (in, out) -> (batch, ..., out)
        return self.activate(z, training)

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_output = self.activation_backward(grad_output)
        x = self.input.reshape(-1, self.n_inputs)  # (batch, in): leading axes merged
        g = grad_output.reshape(-1, self.units)  # (batch, out)
        self.grad_weights = x.T @ g  # (in, batch) @ (batch, out) -> (in, out)
        self.grad_bias = g.sum(axis=0)  # (out,)
        if self.l1:
            self.grad_weights += self.l1 * np.sign(self.weights)
        if self.l2:
            self.grad_weights += 2.0 * self.l2 * self.weights
        return grad_output @ self.weights.T  # (batch, ..., out) @ (out, in) -> (batch, ..., in)

    def regularization_loss(self) -> float:
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.abs(self.weights).sum())
        if self.l2:
            penalty += self.l2 * float(np.square(self.weights).sum())
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "activation": self.activation,
            "weight_init": self.weight_init,
            "bias_init": self.bias_init,
            "l1": self.l1,
            "l2": self.l2,
            "n_inputs": self.n_inputs,
        }


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _read_arguments(args: tuple, units: Any, n_outputs: Any, n_inputs: Any,
                     activation: Any) -> tuple[Any, Any, Any]:
    """``(units, n_inputs, activation)`` from the forms ``Dense`` accepts.

    ``Dense(units)``, ``Dense(units, activation)``, ``Dense(n_inputs, units)``,
    ``Dense(n_inputs, units, activation)``, and the keywords.
    """
    args = list(args)
    if args:
        check_int("units" if len(args) < 2 or not _is_int(args[1]) else "n_inputs", args[0], 1)
    if len(args) >= 2 and _is_int(args[0]) and _is_int(args[1]):
        positional_inputs, positional_units, rest = args[0], args[1], args[2:]
    elif args:
        positional_inputs, positional_units, rest = None, args[0], args[1:]
    else:
        positional_inputs, positional_units, rest = None, None, []
    if len(rest) > 1:
        raise TypeError(
            f"Dense takes at most (n_inputs, units, activation) positionally, got {len(args)} "
            "arguments; pass weight_init, bias_init, l1 and l2 by name"
        )
    if rest:
        if activation is not None:
            raise TypeError("Dense got activation twice: positionally and by name")
        activation = rest[0]
    if activation is not None and not isinstance(activation, str):
        raise TypeError(f"activation must be a name such as 'relu' or None, got {activation!r}")
    named_units = [u for u in (units, n_outputs) if u is not None]
    if positional_units is not None and named_units or len(named_units) > 1:
        raise TypeError("Dense got the number of units twice (units, n_outputs or positional)")
    if positional_inputs is not None and n_inputs is not None:
        raise TypeError("Dense got n_inputs twice: positionally and by name")
    units = positional_units if positional_units is not None else (named_units or [None])[0]
    if units is None:
        raise TypeError("Dense needs the number of units, e.g. Dense(64) or Dense(64, 'relu')")
    return units, positional_inputs if positional_inputs is not None else n_inputs, activation
