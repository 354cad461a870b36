"""All trainable parameters of a model as views into one flat vector.

A speed trick, nothing more. A model's parameters are many small arrays;
an optimizer that updates them one by one makes a few NumPy calls per
array. Here every ``weights``, ``bias``, ... of the trainable layers becomes a
*view* into one flat ``param`` vector, and every ``grad_weights``, ... a view
into one flat ``grad`` vector, so that :mod:`plainnet.training.fused` can
update the whole model in a handful of vectorised calls. The layers do not
notice: they read their arrays as usual.

The parameters are double-buffered: a step writes the new values into
``spare`` and :meth:`PackedParameters.flip` makes it the live vector, so the
values before the step are still there (in the new ``spare``) when training
diverges and the step must be undone, without a copy at every step.
(Measured: that copy cost 4 % of an Adam step of a 784-256-128-10 network at
batch 32; see benchmarks/RESULTS.md.) After ``fit``, :meth:`settle` makes
buffer 0 live again, so a layer's arrays are the same objects as before.

Layers are free to be written the textbook way: a ``backward`` that sets
``self.grad_weights = x.T @ g`` (a new array each time) or code that
replaces a parameter (``layer.weights = new``) is noticed by the identity
checks of :meth:`collect` and the new values are copied in, once per step.
"""

from __future__ import annotations

import numpy as np

from ..layers.base import Layer

__all__ = ["PackedParameters"]


class PackedParameters:
    """Every trainable array of ``layers`` laid out in one flat vector (twice).

    Parameters
    ----------
    layers : list of Layer
        The model's layers; those with ``trainable=False`` are left out.
    dtype : numpy dtype

    Attributes
    ----------
    param, spare, grad : ndarray of shape (n_params,)
        The live values (the layers' arrays are views into them), the other
        buffer, and the gradients (``grad_weights``, ... are views into it).
    segments : list of (name, start, stop, shape)
        ``param[start:stop].reshape(shape)`` is the parameter ``name``
        (e.g. ``"dense/weights"``, the name the optimizer's state uses).
    """

    def __init__(self, layers: list[Layer], dtype: np.dtype) -> None:
        self.entries = [(layer, name) for layer in layers if layer.trainable
                        for name in layer.param_names]
        shapes = [getattr(layer, name).shape for layer, name in self.entries]
        total = sum(int(np.prod(shape)) for shape in shapes)
        self.buffers = (np.empty(total, dtype=dtype), np.empty(total, dtype=dtype))
        self.grad = np.zeros(total, dtype=dtype)
        self.segments: list[tuple[str, int, int, tuple[int, ...]]] = []
        views: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
        self.grad_views: list[np.ndarray] = []
        start = 0
        for (layer, name), shape in zip(self.entries, shapes):
            stop = start + int(np.prod(shape))
            for buffer, buffer_views in zip(self.buffers, views):
                buffer_views.append(buffer[start:stop].reshape(shape))
            self.grad_views.append(self.grad[start:stop].reshape(shape))
            self.segments.append((f"{layer.name}/{name}", start, stop, shape))
            start = stop
        self.all_views = views
        # per buffer: what collect() checks, one tuple per parameter
        self._slots = tuple([(layer, name, "grad_" + name, view, grad_view)
                             for (layer, name), view, grad_view
                             in zip(self.entries, buffer_views, self.grad_views)]
                            for buffer_views in views)
        self.live = 0
        self.sync_params()

    @property
    def param(self) -> np.ndarray:
        """The live parameter vector (the layers' arrays are views into it)."""
        return self.buffers[self.live]

    @property
    def spare(self) -> np.ndarray:
        """The other buffer: where the next step is written; after it, the values before."""
        return self.buffers[1 - self.live]

    @property
    def views(self) -> list[np.ndarray]:
        """The live views, one per parameter, shaped like the layers' arrays."""
        return self.all_views[self.live]

    def flip(self) -> None:
        """Swap ``param`` and ``spare``, and point every layer at the new live views."""
        self.live = 1 - self.live
        for (layer, name), view in zip(self.entries, self.views):
            setattr(layer, name, view)

    def settle(self) -> None:
        """Make buffer 0 live again (copying the values): the arrays the layers had before."""
        if self.live:
            np.copyto(self.buffers[0], self.buffers[1])
            self.flip()

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
        """Point every layer at its live views, copying in any parameter that replaced one."""
        for layer, name, grad_name, view, grad_view in self._slots[self.live]:
            current = getattr(layer, name)
            if current is not view:
                np.copyto(view, current)
                setattr(layer, name, view)
            if getattr(layer, grad_name, None) is not grad_view:
                setattr(layer, grad_name, grad_view)

    def collect(self) -> None:
        """After a backward pass: copy in new gradient arrays and replaced parameters.

        A ``backward`` that set ``grad_weights`` as a new array, and anything
        that replaced ``weights`` (a callback, the layer itself), is noticed
        here by identity and copied into the flat vectors. This runs at every step.
        """
        for layer, name, grad_name, view, grad_view in self._slots[self.live]:
            grad = getattr(layer, grad_name)
            if grad is not grad_view:
                np.copyto(grad_view, grad)
                setattr(layer, grad_name, grad_view)
            param = getattr(layer, name)
            if param is not view:
                np.copyto(view, param)
                setattr(layer, name, view)

    def triples(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``(name, parameter, gradient)`` live views, as ``Sequential.parameters()`` gives."""
        return [(segment[0], param, grad) for segment, param, grad
                in zip(self.segments, self.views, self.grad_views)]
