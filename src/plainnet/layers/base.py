"""The contract every layer follows.

A layer is a function ``y = f(x; parameters)`` that knows its own derivative:

* ``build(input_shape, rng, dtype)`` creates the parameters for inputs of
  ``input_shape`` and returns the output shape. Shapes never include the
  batch axis: ``(features,)`` for a table, ``(height, width, channels)`` for
  images, ``(time, features)`` for sequences.
* ``forward(x, training=False)`` returns ``y`` and keeps what ``backward``
  will need (usually ``x`` or ``y``).
* ``backward(grad_output)`` receives ``dL/dy`` and returns ``dL/dx``. On the
  way it sets the gradients of the layer's parameters, ``grad_<name> =
  dL/d<name>``, as new arrays or written into the old ones, as you like;
  they describe exactly one batch (never accumulated across calls).
* Parameters are attributes named in ``param_names`` (``weights``, ``bias``);
  their gradients are ``grad_weights``, ``grad_bias``. Other arrays to save
  (running statistics) are named in ``state_names``. This is how optimizers,
  saving and gradient checks treat every layer alike.
* ``get_config()`` returns the constructor arguments as JSON-able values, so
  a model can be rebuilt from a file without running any code from it.

A layer written for plainnet 0.1's contract, ``build(self, n_inputs, rng,
dtype) -> int`` on ``(batch, features)`` inputs, still works: when the first
argument of its ``build`` is named ``n_inputs``, it is given the width of a
``(features,)`` input and its integer result is read as ``(width,)``
(see :func:`build_layer`).
"""

from __future__ import annotations

import inspect
import numbers
import re
from typing import Any

import numpy as np

__all__ = ["Layer", "Shape", "build_layer", "default_name", "describe_shape"]

#: A shape without the batch axis; ``None`` stands for a length not known in advance.
Shape = tuple[int | None, ...]


class Layer:
    """Base class of all layers.

    Subclasses set ``param_names`` (trainable arrays, updated by optimizers)
    and ``state_names`` (other arrays that must be saved, e.g. running
    statistics), and implement ``forward``, ``backward`` and ``get_config``;
    layers with parameters also implement ``build``.

    Attributes
    ----------
    name : str
        Unique within a model (``dense``, ``dense_1``, ...), set by the model.
    input_shape, output_shape : tuple of int, or None before ``build``
        Shapes of one sample (no batch axis).
    trainable : bool, default True
        When False, ``fit`` leaves the layer's parameters as they are
        (a frozen layer still passes gradients back to the layers before it).
    """

    param_names: tuple[str, ...] = ()
    state_names: tuple[str, ...] = ()
    #: attributes ``forward`` keeps for ``backward`` (inputs, outputs, masks);
    #: they are dropped by :meth:`clear_cache` and when a layer is copied or pickled
    cache_names: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.name: str = default_name(type(self))
        self.dtype: np.dtype = np.dtype(np.float64)
        self.built = False
        self.trainable = True
        self.input_shape: Shape | None = None
        self.output_shape: Shape | None = None

    # ---------------------------------------------------------------- building
    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        """Create the parameters for inputs of ``input_shape``; return the output shape.

        The default suits layers without parameters that keep the shape.
        """
        self.dtype = np.dtype(dtype)
        if isinstance(input_shape, numbers.Integral):  # super().build(n_inputs, ...) of an
            return int(input_shape)                    # old-contract layer: a width
        return tuple(input_shape)

    # ------------------------------------------------------------------- maths
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Return the layer's output for a batch ``x`` of shape ``(batch, *input_shape)``."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Given ``dL/dy``, set the parameter gradients and return ``dL/dx``."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward()")

    def regularization_loss(self) -> float:
        """Penalty this layer adds to the loss (0 unless it has L1/L2 terms)."""
        return 0.0

    # -------------------------------------------------------------- parameters
    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``(name, parameter, gradient)`` for each parameter, in a fixed order.

        A gradient not set yet (no ``backward`` so far) starts as zeros.
        """
        return [(name, getattr(self, name), self.gradient(name)) for name in self.param_names]

    def gradient(self, name: str) -> np.ndarray:
        """``grad_<name>``, created as zeros if the layer has not set it yet."""
        grad = getattr(self, "grad_" + name, None)
        if grad is None:
            grad = np.zeros_like(getattr(self, name))
            setattr(self, "grad_" + name, grad)
        return grad

    def arrays(self) -> dict[str, np.ndarray]:
        """All arrays that define the layer: parameters, then saved state."""
        return {name: getattr(self, name) for name in self.param_names + self.state_names}

    def count_params(self) -> int:
        """Number of scalars in the parameters (trainable or frozen)."""
        return int(sum(getattr(self, name).size for name in self.param_names))

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as JSON-able values."""
        return {}

    def clear_cache(self) -> None:
        """Forget what the last ``forward`` kept for ``backward`` (frees that memory)."""
        for name in self.cache_names:
            self.__dict__.pop(name, None)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        for name in self.cache_names:
            state.pop(name, None)
        return state

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def default_name(cls: type) -> str:
    """A layer type's name in snake case: ``MaxPool2D`` -> ``max_pool2d``, ``ReLU`` -> ``relu``."""
    # a word starts at a capital after a lower-case letter or digit, or at the last capital
    # of a run followed by lower case: SimpleRNN -> simple_rnn, LSTM -> lstm, GELU -> gelu
    out = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", cls.__name__).lower()
    return out.replace("re_lu", "relu").replace("2_d", "2d").replace("1_d", "1d")


def describe_shape(shape: Shape) -> str:
    """``(None, 28, 28, 1)``: a shape as a summary shows it, batch axis first."""
    return "(" + ", ".join(["None"] + [str(d) for d in shape]) + ")"


def _uses_old_contract(layer: Layer) -> bool:
    """Whether ``layer.build`` is plainnet 0.1's ``build(n_inputs, rng, dtype) -> int``."""
    build = type(layer).build
    if build is Layer.build:
        return False
    parameters = list(inspect.signature(build).parameters)
    return len(parameters) > 1 and parameters[1] == "n_inputs"


def _check_shape(layer: Layer, shape: Any) -> Shape:
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        raise TypeError(
            f"{layer.name} ({type(layer).__name__}).build returned the integer {shape}, but "
            "build(input_shape, rng, dtype) must return the output shape as a tuple, e.g. "
            f"({shape},); a layer written for the old contract names its first argument "
            "n_inputs: build(self, n_inputs, rng, dtype) -> int"
        )
    if not isinstance(shape, tuple) or not all(
            d is None or (isinstance(d, numbers.Integral) and not isinstance(d, bool) and d > 0)
            for d in shape):
        raise TypeError(
            f"{layer.name} ({type(layer).__name__}).build must return the output shape as a "
            f"tuple of positive integers (None for a length not known), got {shape!r}"
        )
    return tuple(None if d is None else int(d) for d in shape)


def build_layer(layer: Layer, input_shape: Shape, rng: np.random.Generator,
                dtype: np.dtype) -> Shape:
    """Build ``layer`` for ``input_shape`` and return its (checked) output shape.

    This is what a model calls: it records ``input_shape``/``output_shape``
    on the layer and adapts layers written for the old contract
    (``build(n_inputs, rng, dtype) -> int``, inputs of shape ``(features,)`` only).
    """
    input_shape = tuple(input_shape)
    if _uses_old_contract(layer):
        if len(input_shape) != 1 or input_shape[0] is None:
            raise ValueError(
                f"{layer.name} ({type(layer).__name__}) is written for the old contract "
                f"build(n_inputs, rng, dtype), which takes inputs of shape (features,) only, "
                f"but it receives inputs of shape {input_shape}; write its build as "
                "build(self, input_shape, rng, dtype) -> output_shape"
            )
        output_shape = layer.build(input_shape[0], rng, dtype)
        if isinstance(output_shape, numbers.Integral) and not isinstance(output_shape, bool):
            output_shape = (int(output_shape),)
    else:
        output_shape = layer.build(input_shape, rng, dtype)
    output_shape = _check_shape(layer, output_shape)
    layer.input_shape, layer.output_shape = input_shape, output_shape
    layer.dtype = np.dtype(dtype)
    layer.built = True
    return output_shape
