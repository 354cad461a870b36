"""All trainable parameters of a model as views into one flat vector.

A speed trick, nothing more. A model's parameters are many small arrays;
an optimizer that updates them one by one makes a few NumPy calls per
array. Here every ``weights``, ``bias``, ... of the trainable layers becomes a
*view* into one flat ``param`` vector, and every ``grad_weights``, ... a view
into one flat ``grad`` vector, so that :mod:`plainnet.training.fused` can
update the whole model in a handful of vectorised calls. The layers do not
notice: they read their arrays as usual.

Layers are free to be written the textbook way: a ``backward`` that sets
``self.grad_weights = x.T @ g`` (a new array each time) or code that
replaces a parameter (``layer.weights = new``) is noticed by the identity
checks below and the new values are copied in, once per step.
"""

from __future__ import annotations

import numpy as np

from ..layers.base import Layer

__all__ = ["PackedParameters"]


class PackedParameters:
    """Every trainable array of ``layers`` laid out in one flat vector.

    Parameters
    ----------
    layers : list of Layer
        The model's layers; those with ``trainable=False`` are left out.
    dtype : numpy dtype

    Attributes
    ----------
    param, grad : ndarray of shape (n_params,)
        The values and the gradients; the layers' arrays are views into them.
    segments : list of (name, start, stop, shape)
        ``param[start:stop].reshape(shape)`` is the parameter ``name``
        (e.g. ``"dense/weights"``, the name the optimizer's state uses).
    """

    def __init__(self, layers: list[Layer], dtype: np.dtype) -> None:
        self.entries = [(layer, name) for layer in layers if layer.trainable
                        for name in layer.param_names]
        shapes = [getattr(layer, name).shape for layer, name in self.entries]
        total = sum(int(np.prod(shape)) for shape in shapes)
        self.param = np.empty(total, dtype=dtype)
        self.grad = np.zeros(total, dtype=dtype)
        self.segments: list[tuple[str, int, int, tuple[int, ...]]] = []
        self.views: list[np.ndarray] = []
        self.grad_views: list[np.ndarray] = []
        start = 0
        for (layer, name), shape in zip(self.entries, shapes):
            stop = start + int(np.prod(shape))
            self.views.append(self.param[start:stop].reshape(shape))
            self.grad_views.append(self.grad[start:stop].reshape(shape))
            self.segments.append((f"{layer.name}/{name}", start, stop, shape))
            start = stop
        self.sync_params()

    def fits(self, layers: list[Layer]) -> bool:
        """Whether these are still the same trainable arrays, with the same shapes."""
        entries = [(layer, name) for layer in layers if layer.trainable
                   for name in layer.param_names]
        return (len(entries) == len(self.entries)
                and all(a is b and n == m for (a, n), (b, m) in zip(entries, self.entries))
                and all(getattr(layer, name).shape == view.shape
                        for (layer, name), view in zip(self.entries, self.views))
                and all(getattr(layer, name).dtype == self.param.dtype
                        for layer, name in self.entries))

    def sync_params(self) -> None:
        """Point every layer at its views, copying in any parameter that replaced one."""
        for (layer, name), view, grad_view in zip(self.entries, self.views, self.grad_views):
            current = getattr(layer, name)
            if current is not view:
                np.copyto(view, current)
                setattr(layer, name, view)
            if getattr(layer, "grad_" + name, None) is not grad_view:
                setattr(layer, "grad_" + name, grad_view)

    def gather_grads(self) -> None:
        """Copy into ``grad`` the gradients a ``backward`` set as new arrays."""
        for (layer, name), view in zip(self.entries, self.grad_views):
            current = getattr(layer, "grad_" + name)
            if current is not view:
                np.copyto(view, current)

    def triples(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``(name, parameter, gradient)`` views, as ``Sequential.parameters()`` gives."""
        return [(segment[0], param, grad) for segment, param, grad
                in zip(self.segments, self.views, self.grad_views)]
