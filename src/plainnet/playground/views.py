"""What the page draws of a model: its answer over the plane, each neuron's, its weights.

The plane ``[-EXTENT, EXTENT]^2`` is sampled on a ``GRID x GRID`` grid of
points (row 0 at the top, ``x2 = +EXTENT``). One forward pass over the grid
gives the model's output at every point and, on the way, the output of
every hidden neuron. Each picture is sent as bytes (0 to 255, one per grid
point, base64 text), which the page turns into colours:

* the output: a probability ``p`` as ``round(255 p)``; a regression value
  ``v`` as ``round(255 (v + s) / (2 s))`` with ``s`` the largest ``|y|`` of the data;
* a hidden neuron ``a``: ``round(127.5 (1 + a / max|a|))``, so 128 is 0 and
  the sign shows whatever the activation's range.
"""

from __future__ import annotations

import base64

import numpy as np

from ..layers import Dense
from ..model import Sequential

__all__ = ["EXTENT", "GRID", "NEURON_GRID", "SHOWN_NEURONS", "encode", "grid_points",
           "model_pictures"]

EXTENT = 1.3  # the page shows x1 and x2 from -EXTENT to EXTENT
GRID = 60  # points per side of the output picture
NEURON_GRID = 20  # points per side of a neuron's picture: every third grid point
SHOWN_NEURONS = 16  # neurons per layer drawn (their weights and pictures)


def grid_points(size: int = GRID) -> np.ndarray:
    """The ``size * size`` points of the plane, row by row from the top: shape (size**2, 2)."""
    ticks = np.linspace(-EXTENT, EXTENT, size)
    x2, x1 = np.meshgrid(ticks[::-1], ticks, indexing="ij")  # x2 falls down the rows
    return np.column_stack([x1.ravel(), x2.ravel()])


def encode(values: np.ndarray) -> str:
    """Numbers in [0, 1] as base64 text of one byte each, ``round(255 * value)``."""
    data = np.round(255.0 * np.clip(values, 0.0, 1.0)).astype(np.uint8)
    return base64.b64encode(data.tobytes()).decode("ascii")


def _hidden_outputs(model: Sequential, X: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The output of each hidden layer (after its activation) and of the model, for ``X``.

    The layers run one by one in inference mode (dropout off): the output of
    hidden layer ``i`` is what the Dense layer number ``i + 1`` receives.
    """
    hidden, x, seen_dense = [], X.astype(model.dtype), False
    for layer in model.layers:
        if isinstance(layer, Dense):
            if seen_dense:
                hidden.append(x)
            seen_dense = True
        x = layer.forward(x, training=False)
    model.clear_caches()
    return hidden, x[:, 0]


def model_pictures(model: Sequential, regression: bool, target_scale: float) -> dict:
    """The pictures and weights the page draws, as JSON-able values.

    Parameters
    ----------
    model : Sequential
        A built model with 2 inputs and 1 output, as
        :func:`~plainnet.playground.recipe.build_model` makes.
    regression : bool
        Whether the output is a value (else a probability).
    target_scale : float
        The largest ``|y|`` of a regression set (colours span ``[-s, s]``).

    Returns
    -------
    dict
        ``output``: the output picture; ``neurons``: for each hidden layer,
        the pictures of its first :data:`SHOWN_NEURONS` neurons; ``weights``:
        for each Dense layer, its weights between the drawn neurons, a list
        of rows (one per input neuron) rounded to 4 decimals.
    """
    hidden, output = _hidden_outputs(model, grid_points())
    if regression:
        scale = max(target_scale, 1e-12)
        output_picture = encode((output + scale) / (2.0 * scale))
    else:
        output_picture = encode(output)
    step = GRID // NEURON_GRID
    neurons = []
    for activations in hidden:
        pictures = activations.reshape(GRID, GRID, -1)[::step, ::step, :SHOWN_NEURONS]
        peak = np.abs(pictures).max(axis=(0, 1))
        peak = np.where(peak > 0, peak, 1.0)
        scaled = 0.5 * (1.0 + pictures / peak)  # (NEURON_GRID, NEURON_GRID, neurons)
        neurons.append([encode(scaled[:, :, j]) for j in range(scaled.shape[2])])
    weights = [np.round(layer.weights[:SHOWN_NEURONS, :SHOWN_NEURONS].astype(float), 4).tolist()
               for layer in model.layers if isinstance(layer, Dense)]
    return {"output": output_picture, "neurons": neurons, "weights": weights}
