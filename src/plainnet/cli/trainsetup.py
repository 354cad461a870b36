"""What ``plainnet train`` decides before it trains: task, targets, split, model, record.

Each step is a function of the data and the options alone, so that a run
resumed with ``--resume`` makes the same decisions (and a checkpoint made
with other data or options is recognised and refused).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from .._validation import make_rng
from ..activations import Sigmoid, Softmax
from ..data.scaling import Scaling
from ..layers import BatchNormalization, Conv2D, Dense, Dropout, Flatten, MaxPool2D
from ..layers.activation import get as activation_layer
from ..model import Sequential
from ..optimizers import OPTIMIZER_TYPES
from .errors import CommandError
from .imagedata import PixelScaling
from .models import metadata as saved_metadata
from .report import shorten
from .tabledata import Data

__all__ = ["RESUME_KEYS", "Split", "build_image_model", "build_model", "choose_task",
           "new_model", "resume_model", "shuffle_and_split", "training_metadata",
           "training_targets"]


class Split(NamedTuple):
    """The rows to train on, to validate on and to test on at the end (possibly none)."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None


def choose_task(data: Data, task: str) -> tuple[str, str]:
    """``(task, why)``: the task asked for, or the one the target suggests."""
    if task == "regression" and (data.classes is not None or data.generated):
        raise CommandError(f"{data.name}: the target holds class labels (text), so the task "
                           "cannot be regression")
    if task != "auto":
        return task, "--task"
    if data.generated:
        return "classification", "a built-in data set"
    if data.classes is not None:
        return "classification", "the target is text"
    values = np.unique(data.y)
    few = min(20, max(2, len(data.y) // 2))
    if np.all(values == np.round(values)) and len(values) <= few:
        return "classification", f"the target has {len(values)} distinct whole numbers"
    return "regression", "the target is numbers"


def training_targets(data: Data, task: str) -> tuple[np.ndarray, list | None]:
    """``(y, classes)``: class codes 0..k-1 and their labels, or the values for regression."""
    if task == "regression":
        return data.y.astype(np.float64), None
    if data.classes is not None:
        return data.y, list(data.classes)
    values = np.unique(data.y)
    if np.any(values != np.round(values)):
        raise CommandError(f"{data.name}: the target has fractional values, so they are not "
                           "class labels; use --task regression")
    if len(values) < 2:
        raise CommandError(f"{data.name}: the target has a single class ({values[0]:g}); "
                           "a classifier needs at least 2")
    if data.generated:  # labels 0..k-1, every class named even if absent
        values = np.arange(int(values.max()) + 1)
    return np.searchsorted(values, data.y).astype(np.int64), [int(v) for v in values]


def shuffle_and_split(X: np.ndarray, y: np.ndarray, fraction: float, seed: int,
                      test_fraction: float = 0.0) -> Split:
    """Shuffle the rows (a file may be sorted by class), then hold out the last
    ``test_fraction`` to test and, before them, ``fraction`` to validate."""
    n = len(X)
    order = make_rng(seed).permutation(n)
    X, y = X[order], y[order]
    n_test = int(round(n * test_fraction))
    n_val = int(round(n * fraction))
    if n_val + n_test >= n:
        options = f"--validation-split {fraction}" + (
            f" with --test-size {test_fraction}" if test_fraction else "")
        raise CommandError(f"{options} leaves no rows to train on out of {n}")
    n_train, n_rest = n - n_val - n_test, n - n_test
    return Split(X[:n_train], y[:n_train], X[n_train:n_rest], y[n_train:n_rest],
                 X[n_rest:], y[n_rest:])


def training_metadata(data: Data, task: str, classes: list | None,
                      scaling: Scaling | PixelScaling, args: argparse.Namespace) -> dict[str, Any]:
    """What the model file records about its data, preprocessing and settings."""
    record: dict[str, Any] = {"task": task}
    if data.generated:
        record["dataset"] = data.name
    elif data.images is not None:
        record["images"] = data.images
    else:
        record["target"] = data.target
        if data.features is not None:
            record["features"] = list(data.features)
        if data.encoder is not None and not data.encoder.is_plain:
            record["encoding"] = data.encoder.to_json()
    if classes is not None:
        record["classes"] = classes
    record["scaling"] = {**scaling.to_json(), "folded": False}
    record["training"] = {
        "hidden": list(args.hidden), "activation": args.activation,
        "optimizer": args.optimizer, "learning_rate": args.learning_rate,
        "batch_size": args.batch_size, "epochs": args.epochs,
        "validation_split": args.validation_split, "early_stopping": args.patience,
        "seed": args.seed, "standardize": args.standardize,
    }
    extra = {"l2": args.l2 or None, "dropout": args.dropout or None,
             "batch_norm": args.batch_norm or None, "clipnorm": args.clipnorm,
             "class_weight": args.class_weight, "test_size": args.test_size or None,
             "missing": None if args.missing == "error" else args.missing}
    record["training"].update({k: v for k, v in extra.items() if v is not None})
    if data.images is not None:  # images are scaled on reading, never standardised
        del record["training"]["standardize"]
        if args.conv:
            record["training"] = {"conv": list(args.conv), **record["training"]}
    return record


def build_model(n_inputs: int, hidden: Sequence[int], activation: str, n_classes: int | None,
                seed: int, l2: float = 0.0, dropout: float = 0.0,
                batch_norm: bool = False) -> Sequential:
    """A Dense stack for ``n_classes`` classes (None: regression with one output).

    Parameters
    ----------
    n_inputs : int
    hidden : sequence of int
        Sizes of the hidden layers.
    activation : str
        Activation after each hidden layer.
    n_classes : int or None
        2: one output and a sigmoid; more: ``n_classes`` outputs and a softmax;
        None: one linear output.
    seed : int
    l2 : float, default 0.0
        L2 penalty of every Dense layer's weights.
    dropout : float, default 0.0
        Rate of a ``Dropout`` layer after each hidden layer (0: none).
    batch_norm : bool, default False
        Each hidden layer is ``Dense -> BatchNormalization -> activation``.

    Returns
    -------
    Sequential
        Not compiled.
    """
    layers: list = []
    width = n_inputs
    for size in hidden:
        if batch_norm:
            layers += [Dense(width, size, l2=l2), BatchNormalization(),
                       activation_layer(activation)]
        else:
            layers.append(Dense(width, size, activation=activation, l2=l2))
        if dropout:
            layers.append(Dropout(dropout))
        width = size
    if n_classes is None:
        layers.append(Dense(width, 1, l2=l2))
    elif n_classes == 2:
        layers += [Dense(width, 1, l2=l2), Sigmoid()]
    else:
        layers += [Dense(width, n_classes, l2=l2), Softmax()]
    return Sequential(layers, seed=seed)


def build_image_model(input_shape: Sequence[int], conv: Sequence[int], hidden: Sequence[int],
                      activation: str, n_classes: int, seed: int) -> Sequential:
    """A classifier of images ``(height, width, channels)``: convolutions, then Dense layers.

    Each entry ``f`` of ``conv`` adds ``Conv2D(f, 3, padding="same")`` with
    ``activation`` and ``MaxPool2D(2)`` (halving height and width); then
    ``Flatten`` and the Dense stack of :func:`build_model`. Without ``conv``
    the image is flattened into that Dense stack (an MLP).

    Returns
    -------
    Sequential
        Built for ``input_shape``, not compiled.
    """
    layers: list = []
    for filters in conv:
        layers += [Conv2D(filters, 3, padding="same", activation=activation), MaxPool2D(2)]
    layers.append(Flatten())
    for size in hidden:
        layers.append(Dense(units=size, activation=activation))
    if n_classes == 2:
        layers += [Dense(units=1), Sigmoid()]
    else:
        layers += [Dense(units=n_classes), Softmax()]
    return Sequential(layers, seed=seed, input_shape=tuple(input_shape))


def new_model(args: argparse.Namespace, n_inputs: int, classes: list | None,
              input_shape: Sequence[int] | None = None) -> Sequential:
    """The model to train, compiled with the loss and metrics of the task.

    ``input_shape`` (images) builds :func:`build_image_model` with ``--conv``.
    """
    n_classes = None if classes is None else len(classes)
    if input_shape is not None and n_classes is not None:
        model = build_image_model(input_shape, args.conv or (), args.hidden, args.activation,
                                  n_classes, args.seed)
    else:
        model = build_model(n_inputs, args.hidden, args.activation, n_classes, args.seed,
                            l2=args.l2, dropout=args.dropout, batch_norm=args.batch_norm)
    optimizer = OPTIMIZER_TYPES[args.optimizer](learning_rate=args.learning_rate,
                                                clipnorm=args.clipnorm)
    if n_classes is None:
        model.compile(loss="mse", optimizer=optimizer, metrics=["mae", "r2"])
    else:
        loss = "binary_crossentropy" if n_classes == 2 else "categorical_crossentropy"
        model.compile(loss=loss, optimizer=optimizer, metrics=["accuracy"])
    return model


#: The metadata a checkpoint must share with the current command to be resumed.
RESUME_KEYS = ("task", "target", "features", "encoding", "classes", "dataset", "images",
               "training", "scaling")


def resume_model(args: argparse.Namespace, metadata: dict[str, Any]) -> Sequential:
    """The model of ``--checkpoint``, checked to be this command's interrupted run."""
    from .. import io

    path = args.checkpoint
    model = io.load(path)
    saved = saved_metadata(model)
    if not isinstance(model, Sequential) or saved.get("scaling", {}).get("folded") is not False:
        raise CommandError(f"{path} is not a checkpoint written by plainnet train "
                           "--checkpoint")
    for key in RESUME_KEYS:
        before, now = saved.get(key), metadata.get(key)
        if key == "training":  # more epochs may be asked for; nothing else may change
            before = {k: v for k, v in (before or {}).items() if k != "epochs"}
            now = {k: v for k, v in now.items() if k != "epochs"}
        if before != now:
            raise CommandError(f"cannot resume from {path}: it was made with another "
                               f"{_difference(key, before, now)}; give the same data and "
                               "options, or start again without --resume")
    if model.epochs_done > args.epochs:
        raise CommandError(f"cannot resume from {path}: it has already trained "
                           f"{model.epochs_done} epochs, more than --epochs {args.epochs}")
    return model


def _difference(key: str, before: Any, now: Any) -> str:
    """``--batch-size (32 in the checkpoint, 16 now)``: what differs, for a message."""
    if key == "training":  # name the option
        key = next(f"--{k.replace('_', '-')}" for k in sorted(set(before) | set(now))
                   if before.get(k) != now.get(k))
        before, now = before.get(key[2:].replace("-", "_")), now.get(key[2:].replace("-", "_"))
    return (f"{key} ({shorten(json.dumps(before), 40)} in the checkpoint, "
            f"{shorten(json.dumps(now), 40)} now)")
