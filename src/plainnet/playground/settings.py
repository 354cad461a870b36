"""What the page may ask for: the settings of a session, checked field by field.

A request body is JSON from a browser, and the server trusts none of it:
:func:`parse_settings` accepts only the fields of :class:`Settings`, each of
the right type and inside its bounds, and raises :class:`BadRequest` (one
line, naming the field) for anything else. The bounds keep every request
cheap: at most 8 hidden layers of 128 neurons, 5,000 points, 10,000 epochs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .._validation import check_choice, check_float, check_int
from ..optimizers import OPTIMIZER_TYPES
from .datasets import DATASETS

__all__ = ["ACTIVATIONS", "LIMITS", "OPTIMIZERS", "BadRequest", "Settings", "parse_settings"]

ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu", "linear")
OPTIMIZERS = tuple(OPTIMIZER_TYPES)  # sgd, adam, adamw, rmsprop, adagrad

#: The bounds of every number a request may set: (smallest, largest).
LIMITS: dict[str, tuple[float, float]] = {
    "noise": (0.0, 1.0),
    "train_ratio": (0.1, 0.9),
    "n_points": (20, 5000),
    "layers": (0, 8),
    "neurons": (1, 128),
    "learning_rate": (1e-6, 10.0),
    "l2": (0.0, 1.0),
    "dropout": (0.0, 0.9),
    "batch_size": (1, 5000),
    "epochs": (1, 10000),
    "seed": (0, 2**31 - 1),
}


class BadRequest(ValueError):
    """A request the server refuses: answered with status 400 and this one-line message."""


@dataclass(frozen=True)
class Settings:
    """Everything that decides the data, the model and its training.

    Attributes
    ----------
    dataset : str
        One of :data:`~plainnet.playground.datasets.DATASETS`.
    noise : float
        From 0 (clean) to 1 (very noisy).
    train_ratio : float
        Fraction of the points to train on; the rest are the test points.
    n_points : int
        Points in the data set, train and test together.
    hidden : tuple of int
        Neurons of each hidden layer (at most 8 layers of 128).
    activation, optimizer : str
        Activation of the hidden layers; update rule.
    learning_rate, l2, dropout : float
        Step size; L2 penalty ``l2 * sum(weights**2)`` of every Dense layer;
        dropout rate after each hidden layer (0: no Dropout layer).
    batch_size, epochs, seed : int
        Samples per step; the epoch at which Run stops; seed of data and weights.
    """

    dataset: str = "circle"
    noise: float = 0.1
    train_ratio: float = 0.5
    n_points: int = 400
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "relu"
    optimizer: str = "adam"
    learning_rate: float = 0.01
    l2: float = 0.0
    dropout: float = 0.0
    batch_size: int = 10
    epochs: int = 1000
    seed: int = 0

    def to_json(self) -> dict[str, Any]:
        """The settings as a JSON object (``hidden`` as a list)."""
        values = dataclasses.asdict(self)
        values["hidden"] = list(self.hidden)
        return values


FIELDS = tuple(field.name for field in dataclasses.fields(Settings))


def parse_settings(values: Any, base: Settings | None = None) -> Settings:
    """Check ``values`` (decoded JSON) and return ``base`` with them applied.

    Parameters
    ----------
    values : dict
        Some or all of the fields of :class:`Settings`; no others.
    base : Settings, optional
        The settings the missing fields are taken from (default: the defaults).

    Raises
    ------
    BadRequest
        If ``values`` is not an object, names an unknown field, or holds a
        value of the wrong type or out of bounds.
    """
    if not isinstance(values, dict):
        raise BadRequest(f"settings must be a JSON object, got {_json_type(values)}")
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise BadRequest(f"unknown settings field {unknown[0][:40]!r}; the fields are "
                         f"{', '.join(FIELDS)}")
    checked = {}
    for name, value in values.items():
        try:
            checked[name] = _check_field(name, value)
        except OverflowError:  # float(10**400)
            raise BadRequest(f"{name} must be a number of ordinary size, got a huge "
                             "integer") from None
        except (TypeError, ValueError) as error:
            raise BadRequest(" ".join(str(error).split())) from None
    return dataclasses.replace(base or Settings(), **checked)


def _check_field(name: str, value: Any) -> Any:
    """One field, checked: its type, then its bounds."""
    if name == "dataset":
        return check_choice(name, value, DATASETS)
    if name == "activation":
        return check_choice(name, value, ACTIVATIONS)
    if name == "optimizer":
        return check_choice(name, value, OPTIMIZERS)
    if name == "hidden":
        return _check_hidden(value)
    low, high = LIMITS[name]
    if isinstance(low, int):
        number = check_int(name, value, minimum=low)
        if number > high:
            raise ValueError(f"{name} must be <= {high}, got {number}")
        return number
    return check_float(name, value, low, high)


def _check_hidden(value: Any) -> tuple[int, ...]:
    """A list of at most 8 layer sizes, each from 1 to 128."""
    if not isinstance(value, list):
        raise TypeError(f"hidden must be a list of layer sizes, got {_json_type(value)}")
    most_layers = int(LIMITS["layers"][1])
    if len(value) > most_layers:
        raise ValueError(f"hidden may have at most {most_layers} layers, got {len(value)}")
    fewest, most = LIMITS["neurons"]
    sizes = tuple(check_int("hidden layer size", size, minimum=int(fewest)) for size in value)
    if any(size > most for size in sizes):
        raise ValueError(f"a hidden layer may have at most {most} neurons, got {max(sizes)}")
    return sizes


def _json_type(value: Any) -> str:
    """The JSON name of a decoded value's type: object, array, string, number, ..."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
