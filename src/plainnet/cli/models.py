"""A saved model as the commands use it: its metadata, classes, probabilities and scores.

``plainnet train`` records in ``model.metadata`` (saved in the file):

==========  ================================================================
task        "classification" or "regression"
target      the target column's name (its number for a file without a header)
features    the feature columns' names, in the order the model reads them
encoding    how those columns become inputs (:class:`plainnet.data.ColumnEncoder`):
            "missing" (error, drop, mean, median) and per column its "name", the
            "categories" of a text column (one input each, one-hot) or the "fill"
            of a number column's missing cells; absent when every column is a number
classes     the class labels: output i is classes[i] (text, or whole numbers)
dataset     the name of a built-in data set, instead of target and features
scaling     the standardisation (:meth:`plainnet.data.scaling.Scaling.to_json`);
            "folded": true once it is folded into the weights, so the model
            takes raw inputs (a --checkpoint file has false: a training state)
images      for a model of images: their shape [height, width, channels], the
            file's dtype, and divide_by (255 for uint8 pixels), which predict and
            evaluate apply to the images they are given
training    the settings: conv (images), hidden, activation, optimizer, learning_rate,
            batch_size, epochs, validation_split, early_stopping, seed, standardize;
            and, only when given: l2, dropout, batch_norm, clipnorm, class_weight,
            test_size, missing
result      epochs trained, whether it stopped early, final train/validation (and
            test) metrics
==========  ================================================================

Models without metadata (made in Python) work too: their classes are numbered.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ..activations import Sigmoid, Softmax, sigmoid, softmax
from ..losses import BinaryCrossEntropy, CategoricalCrossEntropy
from ..metrics import mae, mse, r2
from ..model import Sequential
from ..tutorial import NeuralNetwork
from .errors import CommandError
from .report import shorten

__all__ = ["Model", "check_width", "class_names", "is_classifier", "load_model", "metadata",
           "n_inputs", "n_outputs", "probabilities", "saved_classes", "saved_features",
           "scores"]

Model = Sequential | NeuralNetwork


def load_model(path: str) -> Model:
    """The model in ``path``; a training checkpoint (standardised inputs) is refused."""
    from .. import io

    model = io.load(path)
    scaling = metadata(model).get("scaling")
    if isinstance(scaling, dict) and scaling.get("folded") is False:
        raise CommandError(f"{path} is a training checkpoint (it works on standardised "
                           "inputs); use the model that train saved with --out, or finish "
                           "training with --resume")
    return model


def metadata(model: Model | None) -> dict[str, Any]:
    """``model.metadata`` if it is a dict, else ``{}``."""
    found = getattr(model, "metadata", None)
    return found if isinstance(found, dict) else {}


def is_classifier(model: Model) -> bool:
    """Whether the model's outputs are class probabilities (or logits)."""
    if isinstance(model, NeuralNetwork):
        return True  # sigmoid outputs between 0 and 1, read as probabilities
    task = metadata(model).get("task")
    if task in ("classification", "regression"):
        return task == "classification"
    if model.compiled and isinstance(model.loss, (BinaryCrossEntropy, CategoricalCrossEntropy)):
        return True
    return isinstance(model.layers[-1], (Sigmoid, Softmax))


def n_outputs(model: Model) -> int:
    """The width of the model's output."""
    return model.output_layer if isinstance(model, NeuralNetwork) else model.n_outputs


def n_inputs(model: Model) -> int:
    """The number of features the model reads."""
    return model.input_layer if isinstance(model, NeuralNetwork) else model.n_inputs


def saved_classes(model: Model) -> list[str | int] | None:
    """The class labels saved in a classifier's metadata (label i for output i), or None."""
    if "classes" not in metadata(model):
        return None
    classes = metadata(model)["classes"]
    k = max(n_outputs(model), 2)
    if not (type(classes) is list and len(classes) == k
            and all(type(c) in (str, int) for c in classes)
            and len({str(c) for c in classes}) == k):
        raise CommandError(f"the model's metadata['classes'] must be a list of {k} distinct "
                           f"class labels (text or integers), one per class; got "
                           f"{shorten(json.dumps(classes))}")
    return classes


def class_names(model: Model) -> list[str]:
    """The label of each output class as text: the saved labels, or 0, 1, ..."""
    classes = saved_classes(model)
    if classes is None:
        classes = list(range(max(n_outputs(model), 2)))
    return [str(c) for c in classes]


def saved_features(model: Model) -> list[str] | None:
    """The input columns' names saved in the model's metadata, or None."""
    features = metadata(model).get("features")
    encoding = metadata(model).get("encoding")
    # with an encoding (one-hot categories), a column may give several inputs
    width = (len(encoding["columns"]) if isinstance(encoding, dict)
             and isinstance(encoding.get("columns"), list) else n_inputs(model))
    if (type(features) is list and len(features) == width
            and all(type(name) is str for name in features)):
        return features
    return None


def check_width(model: Model, X: np.ndarray, source: str) -> None:
    """``X`` fits the model's inputs (columns, or images), or a message naming ``source``."""
    shape = getattr(model, "input_shape", None)
    if shape is not None and len(shape) > 1:  # the model takes images (or sequences)
        expected = "x".join(str(d) for d in shape)
        if X.ndim == 2:
            raise CommandError(f"{source} is a table, but the model takes images of shape "
                               f"{expected}: give an IDX file or a .npz with X")
        if tuple(X.shape[1:]) != tuple(shape):
            raise CommandError(f"{source} has images of shape "
                               f"{'x'.join(str(d) for d in X.shape[1:])}, but the model "
                               f"takes {expected}")
        return
    if X.ndim != 2:
        raise CommandError(f"{source} holds images, but the model reads rows of "
                           f"{n_inputs(model)} features (a CSV file)")
    if X.shape[1] != n_inputs(model):
        raise CommandError(f"{source} has {X.shape[1]} feature columns, but the model expects "
                           f"{n_inputs(model)}")


def probabilities(model: Model, X: np.ndarray) -> np.ndarray:
    """Class probabilities ``(n, k)`` of a classifier (k >= 2)."""
    outputs = np.asarray(model.predict(X), dtype=np.float64)
    if getattr(model, "outputs_are_logits", False):
        outputs = sigmoid(outputs) if outputs.shape[1] == 1 else softmax(outputs)
    if outputs.shape[1] == 1:
        return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
    return outputs


def scores(model: Model, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Classifiers: loss and accuracy; regression: MSE, MAE and R², on raw data."""
    if not is_classifier(model):
        outputs = np.asarray(model.predict(X), dtype=np.float64).reshape(len(X), -1)
        targets = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        return {"mse": float(mse(targets, outputs)), "mae": float(mae(targets, outputs)),
                "r2": float(r2(targets, outputs))}
    predicted = probabilities(model, X).argmax(axis=1)
    result = {"accuracy": float(np.mean(predicted == y))}
    if isinstance(model, NeuralNetwork):
        result["loss"] = float(model.loss(X, y))  # the tutorial's mean squared error
    elif model.compiled:
        result["loss"] = float(model.evaluate(X, y)["loss"])
    return dict(sorted(result.items(), key=lambda item: item[0] != "loss"))
