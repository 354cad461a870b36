"""The model a session trains, and the Python code that builds and trains the same one.

The page promises that its "Python" panel is the exact program behind what
it shows. So both come from the same :class:`~plainnet.playground.settings.Settings`:
:func:`make_data` and :func:`build_model` are what the server runs, and
:func:`python_code` writes the same calls out as a program. A test runs that
program and compares its weights with the server's.

For settings ``hidden=(8, 8)``, ``activation="tanh"`` on a two-class set the model is::

    Dense(8, tanh) -> Dense(8, tanh) -> Dense(1, sigmoid)      binary cross-entropy

(``Dropout(rate)`` after each hidden layer when ``dropout > 0``; a plain
``Dense(1)`` and the mean squared error for the regression set).
"""

from __future__ import annotations

import numpy as np

from ..data import train_test_split
from ..layers import Dense, Dropout
from ..model import Sequential
from ..optimizers import OPTIMIZER_TYPES
from .datasets import make_dataset, task_of
from .settings import Settings

__all__ = ["build_model", "make_data", "python_code", "test_size"]


def test_size(settings: Settings) -> float:
    """The fraction of the points held out for testing, ``1 - train_ratio`` (6 decimals)."""
    return round(1.0 - settings.train_ratio, 6)


def make_data(settings: Settings) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The data set of ``settings``, split: ``X_train, X_test, y_train, y_test``."""
    X, y = make_dataset(settings.dataset, n_points=settings.n_points, noise=settings.noise,
                        seed=settings.seed)
    return train_test_split(X, y, test_size=test_size(settings), seed=settings.seed)


def _loss(settings: Settings) -> tuple[str, list[str]]:
    if task_of(settings.dataset) == "regression":
        return "mse", []
    return "binary_crossentropy", ["accuracy"]


def build_model(settings: Settings) -> Sequential:
    """A compiled, built ``Sequential`` for ``settings`` (2 inputs, 1 output)."""
    layers = []
    for units in settings.hidden:
        layers.append(Dense(units, activation=settings.activation, l2=settings.l2))
        if settings.dropout > 0:
            layers.append(Dropout(settings.dropout))
    regression = task_of(settings.dataset) == "regression"
    layers.append(Dense(1, l2=settings.l2) if regression
                  else Dense(1, activation="sigmoid", l2=settings.l2))
    model = Sequential(layers, seed=settings.seed, input_shape=(2,))
    loss, metrics = _loss(settings)
    optimizer = OPTIMIZER_TYPES[settings.optimizer](learning_rate=settings.learning_rate)
    model.compile(loss=loss, optimizer=optimizer, metrics=metrics)
    return model


def _dense_line(units: int, activation: str | None, l2: float) -> str:
    arguments = [str(units)]
    if activation is not None:
        arguments.append(f'activation="{activation}"')
    if l2:
        arguments.append(f"l2={l2!r}")
    return f"    Dense({', '.join(arguments)}),"


def python_code(settings: Settings, epochs: int) -> str:
    """A Python program that builds ``settings``' model and trains it for ``epochs`` epochs.

    Run as it is, it gives the same weights as the playground after the same
    number of epochs, and saves them to ``playground.pnet``.
    """
    regression = task_of(settings.dataset) == "regression"
    layers = []
    for units in settings.hidden:
        layers.append(_dense_line(units, settings.activation, settings.l2))
        if settings.dropout > 0:
            layers.append(f"    Dropout({settings.dropout!r}),")
    layers.append(_dense_line(1, None if regression else "sigmoid", settings.l2))
    loss, metrics = _loss(settings)
    optimizer = OPTIMIZER_TYPES[settings.optimizer].__name__
    imports = "Dense, Dropout" if settings.dropout > 0 else "Dense"
    metrics_text = ',\n              metrics=["accuracy"]' if metrics else ""
    return "\n".join([
        "import plainnet",
        "from plainnet.data import train_test_split",
        f"from plainnet.layers import {imports}",
        "from plainnet.playground.datasets import make_dataset",
        "",
        f'X, y = make_dataset("{settings.dataset}", '
        f"n_points={settings.n_points}, "
        f"noise={settings.noise!r}, seed={settings.seed})",
        f"X_train, X_test, y_train, y_test = train_test_split(X, y, "
        f"test_size={test_size(settings)!r}, seed={settings.seed})",
        "",
        "model = plainnet.Sequential([",
        *layers,
        f"], seed={settings.seed}, input_shape=(2,))",
        f'model.compile(loss="{loss}", '
        f"optimizer=plainnet.{optimizer}(learning_rate={settings.learning_rate!r})"
        f"{metrics_text})",
        f"model.fit(X_train, y_train, epochs={epochs}, batch_size={settings.batch_size},",
        "          validation_data=(X_test, y_test), verbose=0)",
        "print(model.evaluate(X_test, y_test))",
        'model.save("playground.pnet")',
        "",
    ])
