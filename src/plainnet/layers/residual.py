"""``Residual``: a skip connection ``y = x + f(x)`` around a few layers, inside a ``Sequential``.

A transformer block is two residual branches (pre-norm, as GPT-2)::

    Sequential([
        Embedding(vocab, 64), PositionalEmbedding(context),
        Residual([LayerNormalization(), MultiHeadAttention(4, 16, causal=True)]),
        Residual([LayerNormalization(), Dense(256, activation="gelu"), Dense(64)]),
        LayerNormalization(), Dense(vocab),
    ])

The branch ``f`` is the inner layers applied in turn; it must give back the
shape it was given, so that ``x + f(x)`` can be added. Backward is the chain
rule through a sum: the gradient reaches ``x`` along both paths::

    dL/dx = g + f'(x).T g          # g = dL/dy: straight through, and through the branch

The straight path is why deep residual networks train: whatever the
branch does, the gradient arrives undiminished.

Nested parameters are named by path: the branch's layers are named as a
model names its layers (``dense``, ``dense_1``, ...), and the container's
``param_names`` are ``"dense/weights"``, ``"dense/bias"``, ...; a model adds its
own layer name in front (``residual_1/dense/weights``). ``getattr``/``setattr`` on
a path reach the inner layer's array (``grad_dense/weights`` its gradient), so
optimizers, saving and the packing of ``fit`` treat the container like any
other layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Layer, Shape
from .dense import Dense
from .normalization import BatchNormalization
from .stack import build_stack, name_layers, unpack_layers

__all__ = ["Residual"]


class Residual(Layer):
    """``y = x + f(x)``, with ``f`` the given layers applied in turn.

    Parameters
    ----------
    layers : list of Layer (or of ``{"type": ..., "config": ...}`` dicts, as saved)
        The branch. Its output must have the shape of its input.

    Attributes
    ----------
    layers : list of Layer
        The branch's layers, named ``dense``, ``dense_1``, ... (activation
        shortcuts such as ``Dense(8, activation="relu")`` become layers of their own).
    param_names, state_names : tuple of str
        The inner layers' arrays by path, ``"<inner layer>/<array>"``.

    Notes
    -----
    ``trainable`` applies to the whole container. A mask (padding) given to
    ``forward`` is passed to each inner layer that honours masks.
    """

    supports_masking = True
    nests_layers = True  # io saves and loads ``layers`` one by one, each checked

    def __init__(self, layers: list[Any]) -> None:
        super().__init__()
        if isinstance(layers, (list, tuple)):
            layers = [_layer_from_config(entry) if isinstance(entry, dict) else entry
                      for entry in layers]
        self.layers = unpack_layers(layers)
        name_layers(self.layers)

    # ------------------------------------------------------ arrays by path
    @property
    def param_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"{layer.name}/{name}" for layer in self.layers
                     for name in layer.param_names)

    @property
    def state_names(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(f"{layer.name}/{name}" for layer in self.layers
                     for name in layer.state_names)

    def _locate(self, path: str) -> tuple[Layer, str]:
        """``("grad_")dense/weights`` -> (the inner layer ``dense``, ``("grad_")weights``)."""
        prefix = "grad_" if path.startswith("grad_") else ""
        head, _, rest = path[len(prefix):].partition("/")
        for layer in self.__dict__.get("layers", ()):
            if layer.name == head:
                return layer, prefix + rest
        raise AttributeError(f"{self.name} (Residual) has no inner layer {head!r} (in {path!r})")

    def __getattr__(self, name: str) -> Any:
        # only called for names not found the usual way: a path reaches an inner layer
        if "/" not in name:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        layer, attribute = self._locate(name)
        return getattr(layer, attribute)

    def __setattr__(self, name: str, value: Any) -> None:
        if "/" in name:
            layer, attribute = self._locate(name)
            setattr(layer, attribute, value)
        else:
            super().__setattr__(name, value)

    # ------------------------------------------------------------ shapes
    def compute_output_shape(self, input_shape: Shape) -> Shape:
        """The input's shape (checked against the branch by :meth:`parameter_shapes`)."""
        self.parameter_shapes(input_shape)
        return tuple(input_shape)

    def parameter_shapes(self, input_shape: Shape) -> dict[str, tuple[int, ...]]:
        """The shapes of the inner arrays by path, from the settings alone (nothing allocated)."""
        shapes, shape = {}, tuple(input_shape)
        for layer in self.layers:
            width = shape[-1] if shape else None
            if isinstance(layer, Dense):
                inner = {"weights": (width, layer.units), "bias": (layer.units,)}
                shape = (*shape[:-1], layer.units)
            elif isinstance(layer, BatchNormalization):
                inner = {name: (width,) for name in layer.param_names + layer.state_names}
            elif hasattr(layer, "parameter_shapes"):
                inner = layer.parameter_shapes(shape)
                shape = tuple(layer.compute_output_shape(shape))
            elif layer.param_names or layer.state_names:
                raise ValueError(f"{self.name} (Residual) cannot tell the sizes of a "
                                 f"{type(layer).__name__} layer")
            else:
                inner = {}
                if hasattr(layer, "compute_output_shape"):
                    shape = tuple(layer.compute_output_shape(shape))
            shapes.update({f"{layer.name}/{name}": tuple(s) for name, s in inner.items()})
        self._check_branch_shape(tuple(input_shape), shape)
        return shapes

    def _check_branch_shape(self, input_shape: Shape, output_shape: Shape) -> None:
        if output_shape != input_shape:
            raise ValueError(f"{self.name} (Residual) adds its input to its branch's output, "
                             f"so the branch must keep the shape {input_shape}, but it gives "
                             f"{output_shape}")

    def build(self, input_shape: Shape, rng: np.random.Generator, dtype: np.dtype) -> Shape:
        self.dtype = np.dtype(dtype)
        output_shape = build_stack(self.layers, tuple(input_shape), rng, self.dtype)
        self._check_branch_shape(tuple(input_shape), output_shape)
        return tuple(input_shape)

    # ------------------------------------------------------------- maths
    def forward(self, x: np.ndarray, training: bool = False,
                mask: np.ndarray | None = None) -> np.ndarray:
        h = x
        for layer in self.layers:  # the branch f(x)
            if mask is not None and getattr(layer, "supports_masking", False):
                h = layer.forward(h, training, mask=mask)
            else:
                h = layer.forward(h, training)
        return x + h  # the skip connection

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        grad_branch = grad_output
        for layer in reversed(self.layers):  # back through f, setting each layer's gradients
            grad_branch = layer.backward(grad_branch)
        return grad_output + grad_branch  # dL/dx: straight through, plus through the branch

    def regularization_loss(self) -> float:
        return float(sum(layer.regularization_loss() for layer in self.layers))

    def compute_mask(self, x: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray | None:
        """Positions stay where they are: the mask goes on unchanged."""
        return mask

    def clear_cache(self) -> None:
        super().clear_cache()
        for layer in self.layers:
            layer.clear_cache()

    def get_config(self) -> dict[str, Any]:
        return {"layers": [{"type": type(layer).__name__, "config": layer.get_config()}
                           for layer in self.layers]}


def _layer_from_config(entry: dict) -> Layer:
    """A layer from ``{"type": name, "config": {...}}``, by plainnet's own registry only."""
    from . import LAYER_TYPES  # the registry lists this module's class: imported when needed

    if set(entry) != {"type", "config"} or not isinstance(entry["config"], dict):
        raise ValueError(f"each entry of Residual's layers must be a layer or a dict "
                         f"{{'type': ..., 'config': {{...}}}}, got {entry!r}")
    cls = LAYER_TYPES.get(entry["type"]) if isinstance(entry["type"], str) else None
    if cls is None:
        raise ValueError(f"unknown layer type {entry['type']!r} in Residual's layers; "
                         f"expected one of {sorted(LAYER_TYPES)}")
    return cls(**entry["config"])
