"""The contract every layer follows.

A layer is a function ``y = f(x; parameters)`` that knows its own derivative:

* ``forward(x, training=False)`` returns ``y`` and keeps what ``backward``
  will need (usually ``x`` or ``y``).
* ``backward(grad_output)`` receives ``dL/dy`` and returns ``dL/dx``. On the
  way it **overwrites** the gradients of the layer's parameters,
  ``grad_<name> = dL/d<name>`` — gradients are never accumulated across
  calls, so each ``backward`` describes exactly one batch.
* Parameters are attributes named in ``param_names`` (``weights``, ``bias``);
  their gradients are the attributes ``grad_weights``, ``grad_bias``. This is
  how optimizers, saving and gradient checks treat every layer alike.
* ``get_config()`` returns the constructor arguments as JSON-able values, so
  a model can be rebuilt from a file without running any code from it.

Shapes throughout: a batch is ``(batch, features)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Layer:
    """Base class of all layers.

    Subclasses set ``param_names`` (trainable arrays, updated by optimizers)
    and ``state_names`` (other arrays that must be saved, e.g. running
    statistics), and implement ``forward``, ``backward`` and ``get_config``.
    """

    param_names: tuple[str, ...] = ()
    state_names: tuple[str, ...] = ()
    #: attributes ``forward`` keeps for ``backward`` (inputs, outputs, masks);
    #: they are dropped by :meth:`clear_cache` and when a layer is copied or pickled
    cache_names: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.name: str = type(self).__name__.lower()
        self.dtype: np.dtype = np.dtype(np.float64)
        self.built = False
        self.n_inputs: int | None = None
        self.n_outputs: int | None = None

    # ---------------------------------------------------------------- building
    def build(self, n_inputs: int, rng: np.random.Generator, dtype: np.dtype) -> int:
        """Create the parameters for inputs of width ``n_inputs``; return the output width.

        The default suits layers without parameters that keep the width.
        """
        self.n_inputs = self.n_outputs = int(n_inputs)
        self.dtype = np.dtype(dtype)
        self.built = True
        return self.n_outputs

    # ------------------------------------------------------------------- maths
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """Return the layer's output for a batch ``x`` of shape ``(batch, n_inputs)``."""
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        """Given ``dL/dy``, overwrite the parameter gradients and return ``dL/dx``."""
        raise NotImplementedError(f"{type(self).__name__} must implement backward()")

    def regularization_loss(self) -> float:
        """Penalty this layer adds to the loss (0 unless it has L1/L2 terms)."""
        return 0.0

    # -------------------------------------------------------------- parameters
    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``(name, parameter, gradient)`` for each trainable array, in a fixed order."""
        return [(name, getattr(self, name), getattr(self, "grad_" + name))
                for name in self.param_names]

    def arrays(self) -> dict[str, np.ndarray]:
        """All arrays that define the layer: parameters, then saved state."""
        return {name: getattr(self, name) for name in self.param_names + self.state_names}

    def count_params(self) -> int:
        """Number of trainable scalars."""
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
