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


class PackedParameters:
    """Every trainable array of a model laid out in one flat vector.

    ``param`` and ``grad`` are 1-D arrays; each layer's ``weights``,
    ``grad_weights``, ... is a *view* into them (a reshaped slice), so
    layers read and write their own arrays as usual while an optimizer can
    update the whole model with a handful of vectorised calls instead of a
    few per parameter. ``segments`` says which slice is which parameter.

    The parameters are double-buffered: an optimizer step writes the new
    values into ``spare`` and calls :meth:`flip`, which makes ``spare`` the
    live vector (and points the layers at it). The previous values then sit
    in ``spare`` untouched, so undoing a step is another ``flip``, with no
    copy of the weights kept "just in case" at every step.

    Attributes
    ----------
    param, spare, grad : ndarray of shape (n_params,)
    segments : list of (name, start, stop, shape)
        ``param[start:stop].reshape(shape)`` is the parameter ``name``
        (e.g. ``"dense/weights"``).
    """

    def __init__(self, layers: list[Layer], dtype: np.dtype) -> None:
        named = [(layer, name) for layer in layers for name in layer.param_names]
        total = sum(getattr(layer, name).size for layer, name in named)
        self._buffers = (np.empty(total, dtype=dtype), np.empty(total, dtype=dtype))
        self.grad = np.zeros(total, dtype=dtype)
        self.segments: list[tuple[str, int, int, tuple[int, ...]]] = []
        self._named = named
        self._views: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
        self._grad_views: list[np.ndarray] = []
        start = 0
        for layer, name in named:
            value = getattr(layer, name)
            stop = start + value.size
            for buffer, views in zip(self._buffers, self._views):
                views.append(buffer[start:stop].reshape(value.shape))
            self._views[0][-1][...] = value
            grad_view = self.grad[start:stop].reshape(value.shape)
            grad_view[...] = getattr(layer, "grad_" + name)
            setattr(layer, "grad_" + name, grad_view)
            self._grad_views.append(grad_view)
            self.segments.append((f"{layer.name}/{name}", start, stop, value.shape))
            start = stop
        self._live = 1
        self.flip()  # the layers now hold views into buffer 0

    @property
    def param(self) -> np.ndarray:
        """The live parameter vector (what the layers' arrays are views of)."""
        return self._buffers[self._live]

    @property
    def spare(self) -> np.ndarray:
        """The other buffer: where the next step is written; after it, the previous values."""
        return self._buffers[1 - self._live]

    def flip(self) -> None:
        """Swap ``param`` and ``spare`` and point every layer at the new live views."""
        self._live = 1 - self._live
        for (layer, name), view in zip(self._named, self._views[self._live]):
            setattr(layer, name, view)

    def settle(self) -> None:
        """Make buffer 0 the live one again (copying the values), so the layers'
        arrays are the same objects before and after training."""
        if self._live:
            np.copyto(self._buffers[0], self._buffers[1])
            self.flip()

    def is_current(self, layers: list[Layer]) -> bool:
        """Whether ``layers`` still hold exactly the views handed out (nobody replaced one)."""
        if sum(len(layer.param_names) for layer in layers) != len(self._named):
            return False
        return all(getattr(layer, name) is param and getattr(layer, "grad_" + name) is grad
                   for (layer, name), param, grad
                   in zip(self._named, self._views[self._live], self._grad_views))

    def triples(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``(name, parameter, gradient)`` views of the live vector, as ``parameters()`` gives."""
        return [(segment[0], param, grad) for segment, param, grad
                in zip(self.segments, self._views[self._live], self._grad_views)]
