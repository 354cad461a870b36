"""plainnet: a small, readable neural-network library written from scratch on NumPy.

>>> import numpy as np
>>> from plainnet import Sequential, Dense, Sigmoid
>>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
>>> y = np.array([0, 1, 1, 0])
>>> model = Sequential([Dense(2, 8, activation="tanh"), Dense(8, 1), Sigmoid()], seed=0)
>>> model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
>>> history = model.fit(X, y, epochs=500, batch_size=4, verbose=0)
>>> model.predict(X).round().ravel().tolist()
[0.0, 1.0, 1.0, 0.0]
"""

from __future__ import annotations

from . import (
    activations,
    callbacks,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    schedules,
)
from .callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    History,
    LearningRateScheduler,
    ReduceLROnPlateau,
)
from .errors import DivergenceWarning, ModelFileError, NotCompiledError, TrainingDivergedError
from .gradcheck import gradcheck
from .layers import (
    GELU,
    GRU,
    LSTM,
    AveragePool2D,
    BatchNormalization,
    Conv1D,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    GlobalAveragePool2D,
    Identity,
    Layer,
    LayerNormalization,
    LeakyReLU,
    MaxPool2D,
    MultiHeadAttention,
    PositionalEmbedding,
    ReLU,
    Reshape,
    Residual,
    Sigmoid,
    SimpleRNN,
    Softmax,
    Tanh,
)
from .losses import MAE, MSE, BinaryCrossEntropy, CategoricalCrossEntropy, Huber
from .model import Sequential
from .optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from .schedules import CosineDecay, ExponentialDecay, StepDecay, WarmupCosineDecay
from .training import lr_find
from .tutorial import NeuralNetwork

__version__ = "0.1.0"


def __getattr__(name: str):
    # ModelCheckpoint lives in plainnet.io, imported on first use (see plainnet.callbacks)
    if name == "ModelCheckpoint":
        return callbacks.ModelCheckpoint
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load(path):
    """Load a model saved with ``save`` (see :func:`plainnet.io.load`)."""
    from . import io

    return io.load(path)


__all__ = [
    "MSE",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "AveragePool2D",
    "BatchNormalization",
    "BinaryCrossEntropy",
    "CSVLogger",
    "Callback",
    "CategoricalCrossEntropy",
    "Conv1D",
    "Conv2D",
    "CosineDecay",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "ExponentialDecay",
    "Flatten",
    "GlobalAveragePool2D",
    "History",
    "Identity",
    "Layer",
    "LeakyReLU",
    "LearningRateScheduler",
    "MaxPool2D",
    "ModelCheckpoint",
    "ModelFileError",
    "NeuralNetwork",
    "NotCompiledError",
    "RMSprop",
    "ReLU",
    "Reshape",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "StepDecay",
    "Tanh",
    "TrainingDivergedError",
    "DivergenceWarning",
    "GELU",
    "GRU",
    "LSTM",
    "Embedding",
    "LayerNormalization",
    "MultiHeadAttention",
    "PositionalEmbedding",
    "Residual",
    "SimpleRNN",
    "MAE",
    "Huber",
    "WarmupCosineDecay",
    "ReduceLROnPlateau",
    "lr_find",
    "activations",
    "callbacks",
    "gradcheck",
    "initializers",
    "layers",
    "load",
    "losses",
    "metrics",
    "optimizers",
    "schedules",
    "__version__",
]
