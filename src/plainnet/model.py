"""``Sequential``: a stack of layers with a Keras-style training loop.

Training is mini-batch gradient descent. For each batch::

    outputs = forward(x)                      # layer by layer, training=True
    loss, grad = loss.value_and_gradient(y, outputs)
    for layer in reversed(layers):            # backpropagation: the chain rule
        grad = layer.backward(grad)           # sets grad_weights, grad_bias, ...
    optimizer.step(parameters)                # e.g. weights -= lr * grad_weights

When the loss is a cross-entropy and the last layer is the matching
``Softmax``/``Sigmoid``, that layer is skipped during training and the loss
works on its inputs (the logits): the gradient ``softmax(z) - onehot(y)`` is
exact and stable where the two steps separately would lose precision.

For speed, the parameters of plainnet's own layers live in one flat vector
(:class:`plainnet.base.PackedParameters`): each layer's ``weights`` and
``grad_weights`` are views into it, so the layers do not notice, while
plainnet's optimizers update the whole model with a few vectorised calls. The
vector is double-buffered, which is how a diverging run gets its previous
weights back without copying them at every step.
"""

from __future__ import annotations

import copy
import math
import numbers
import signal
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from ._validation import (
    all_finite,
    as_float_array,
    check_bool,
    check_dtype,
    check_float,
    check_int,
    check_X,
)
from .activations import Sigmoid, Softmax
from .base import Layer, PackedParameters
from .callbacks import Callback, EpochLogger, History, ProgressBar, _warn_interrupted
from .errors import NotCompiledError, TrainingDivergedError
from .layers import LAYER_TYPES, BatchNormalization, Dense

__all__ = ["Sequential"]

#: Layer types whose ``backward`` writes gradients into the arrays it was given
#: (so their parameters may live in one flat vector): plainnet's own.
_PACKABLE = frozenset(LAYER_TYPES.values())
#: Optimizers whose update rule is element-wise, so it may run on the flat vector
#: block by block: plainnet's own (a subclass may override ``step``, or look at shapes).
_PACKED_STEP = frozenset(optimizers_module.OPTIMIZER_TYPES.values())


def make_rng(seed: Any) -> np.random.Generator:
    """A ``np.random.Generator`` from ``None``, a non-negative int, or a Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"seed must be None, a non-negative integer or a numpy Generator, got "
            f"{type(seed).__name__}"
        )
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    return np.random.default_rng(int(seed))


def _snake_name(layer: Layer) -> str:
    name = type(layer).__name__
    out = "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))
    return out.replace("re_l_u", "relu")  # ReLU, LeakyReLU -> relu, leaky_relu


class Sequential:
    """A neural network as a list of layers applied one after the other.

    Parameters
    ----------
    layers : sequence of Layer
        For example ``[Dense(2, 4, activation="tanh"), Dense(4, 1), Sigmoid()]``.
        ``Dense(..., activation=name)`` is split into the ``Dense`` layer and
        its activation layer.
    seed : int, numpy Generator or None
        Feeds the single random generator used for initialisation, shuffling
        and dropout. Never the global NumPy state.
    dtype : float32 (default) or float64
        Precision of every parameter, gradient, optimizer state and output.

    Attributes
    ----------
    layers : list of Layer
    n_inputs, n_outputs : int
    rng : numpy.random.Generator
    seed : int or None
        The ``seed`` given, if it was an int (saved with the model).
    compiled : bool
        Whether ``compile`` has been called.
    outputs_are_logits : bool
        Whether ``predict`` gives raw scores that the loss reads as logits
        (a cross-entropy on a model that does not end in ``Sigmoid``/``Softmax``).
    history : History or None
        The record of the last ``fit``.
    epochs_done : int
        Complete epochs of the current run (the ones ``history`` records):
        those of the last ``fit`` without ``resume``, plus those of any
        ``fit(resume=True)`` that continued it, which starts from here.
    metadata : dict
        Your own notes, saved with the model and given back by ``load``;
        empty at first. Keys are strings; values are ``None``, bools, ints,
        finite floats, strings, and lists and dicts of them (at most 32
        levels deep, 1 MiB as JSON), e.g.
        ``model.metadata["classes"] = ["blue", "green", "red"]``. ``save``
        refuses anything else. The ``plainnet`` command line keeps the task,
        target, feature names and class labels here.

    Examples
    --------
    >>> from plainnet import Sequential, Dense, Sigmoid
    >>> model = Sequential([Dense(2, 8, activation="tanh"), Dense(8, 1), Sigmoid()], seed=0)
    >>> model.compile(loss="binary_crossentropy", optimizer="adam")
    """

    def __init__(self, layers: Sequence[Layer], seed: Any = None, dtype: Any = np.float32):
        if isinstance(layers, Layer):
            layers = [layers]
        if not isinstance(layers, Iterable) or isinstance(layers, (str, bytes)):
            raise TypeError(
                f"layers must be a list of plainnet layers, got {type(layers).__name__}"
            )
        layers = list(layers)
        if not layers:
            raise ValueError("layers is empty: a model needs at least one layer")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layers[{i}] must be a plainnet layer, got {type(layer).__name__}"
                )
        if len({id(layer) for layer in layers}) != len(layers):
            raise ValueError("the same layer object appears twice in layers; create a new one")
        self.dtype = check_dtype(dtype)
        self.seed = seed if seed is None or isinstance(seed, numbers.Integral) else None
        self.rng = make_rng(seed)
        self.layers: list[Layer] = []
        for layer in layers:
            if layer.built:
                raise ValueError(
                    f"{type(layer).__name__} layer is already part of a model; create a new "
                    "layer for each model"
                )
        shortcuts = [(layer, layer.activation, layer.activation_layer) for layer in layers
                     if isinstance(layer, Dense) and layer.activation_layer is not None]
        for layer in layers:
            self.layers.append(layer)
            if isinstance(layer, Dense) and layer.activation_layer is not None:
                self.layers.append(layer.pop_activation())
        try:
            self.n_inputs = self._infer_n_inputs()
            self._build()
        except Exception:  # give the caller's layers back as they were, to reuse them
            for layer in self.layers:
                layer.built = False
            for dense, name, activation_layer in shortcuts:
                dense.activation, dense.activation_layer = name, activation_layer
            raise
        # until compile() says otherwise, every layer is applied and outputs are plain values
        self._fused = self._from_logits = self.outputs_are_logits = False
        self._body = self.layers
        self._metrics: list = []
        self.compiled = False
        self.loss: losses_module.Loss | None = None
        self.optimizer: optimizers_module.Optimizer | None = None
        self.metric_names: list[str] = []
        self.history: History | None = None
        self.epochs_done = 0
        self.stop_training = False
        self.metadata: dict[str, Any] = {}

    # ------------------------------------------------------------------ building
    def _infer_n_inputs(self) -> int:
        for layer in self.layers:
            if isinstance(layer, Dense):
                return layer.n_inputs
            if isinstance(layer, BatchNormalization) and layer.n_features is not None:
                return layer.n_features
        raise ValueError(
            "cannot tell how many inputs the model takes: put a Dense(n_inputs, n_outputs) "
            "layer (or BatchNormalization(n_features=...)) before any other layer that changes "
            "the width"
        )

    def _build(self) -> None:
        width = self.n_inputs
        counts: dict[str, int] = {}
        for layer in self.layers:
            base = _snake_name(layer)
            counts[base] = counts.get(base, 0) + 1
            layer.name = base if counts[base] == 1 else f"{base}_{counts[base] - 1}"
            width = layer.build(width, self.rng, self.dtype)
        self.n_outputs = width
        # the layers that may add a penalty to the loss (the others always add 0)
        self._penalizable = [layer for layer in self.layers if type(layer).regularization_loss
                             is not Layer.regularization_loss]
        if isinstance(self.layers[0], Dense):  # its input is the data: no gradient needed
            self.layers[0].needs_input_grad = False
        self._packed_parameters()

    def _packed_parameters(self) -> PackedParameters | None:
        """All parameters as views into one flat vector (see ``PackedParameters``).

        Packing lets an optimizer update the whole model in a few vectorised
        calls. It is done when the model is built and redone if an array was
        replaced since (e.g. ``layer.weights = new_array``). Models with layer
        types of their own are not packed: their ``backward`` might rebind a
        gradient instead of writing into it.
        """
        if any(type(layer) not in _PACKABLE for layer in self.layers):
            return None
        packed = self.__dict__.get("_packed")
        if packed is None or not packed.is_current(self.layers):
            packed = self._packed = PackedParameters(self.layers, self.dtype)
        return packed

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state.pop("_packed", None)  # views do not survive copying: packed again when needed
        return state

    # ---------------------------------------------------------------- compiling
    def compile(self, loss: Any, optimizer: Any = "adam", metrics: Any = ()) -> None:
        """Choose the loss, the optimizer and the metrics to report.

        Parameters
        ----------
        loss : str or Loss
            ``"mse"``, ``"binary_crossentropy"``, ``"categorical_crossentropy"``
            or a :mod:`plainnet.losses` object.
        optimizer : str or Optimizer, default "adam"
            ``"sgd"``, ``"adam"``, ``"adamw"``, ``"rmsprop"``, ``"adagrad"`` (default
            settings) or a configured :mod:`plainnet.optimizers` object.
        metrics : sequence of str
            Names from :mod:`plainnet.metrics`, e.g. ``["accuracy"]``.
        """
        loss = losses_module.get(loss)
        optimizer = optimizers_module.get(optimizer)
        for name, param, _ in self.parameters():  # state left by another model is refused
            for array in optimizer.state.get(name, {}).values():
                if array.shape != param.shape or array.dtype != param.dtype:
                    raise ValueError(
                        f"the optimizer holds state for a parameter {name!r} of shape "
                        f"{array.shape} ({array.dtype}), but this model's has shape "
                        f"{param.shape} ({param.dtype}): it was used by another model; pass a "
                        "new optimizer, or call optimizer.reset() first"
                    )
        self.loss, self.optimizer = loss, optimizer
        if isinstance(metrics, str):
            metrics = [metrics]
        if not isinstance(metrics, Iterable):
            raise TypeError(f"metrics must be a list of names, got {type(metrics).__name__}")
        metrics = list(metrics)
        for name in metrics:
            metrics_module.get(name)  # validates the name
        self.metric_names = metrics
        self._resolve_output_mode()
        self.compiled = True

    def _resolve_output_mode(self) -> None:
        """Decide whether the loss sees probabilities or logits, and whether to fuse."""
        loss, last = self.loss, self.layers[-1]
        self._fused = False
        self._from_logits = False
        if isinstance(loss, (losses_module.CategoricalCrossEntropy,
                             losses_module.BinaryCrossEntropy)):
            categorical = isinstance(loss, losses_module.CategoricalCrossEntropy)
            matching = Softmax if categorical else Sigmoid
            if isinstance(last, matching):
                if loss.from_logits is True:
                    raise ValueError(
                        "the loss has from_logits=True, but the model ends in "
                        f"{type(last).__name__}, so its outputs are probabilities; drop "
                        "from_logits (the gradient is fused automatically) or remove the last layer"
                    )
                self._fused = self._from_logits = True
            elif isinstance(last, (Sigmoid, Softmax)):
                self._from_logits = bool(loss.from_logits)
            else:
                self._from_logits = loss.from_logits is not False
        self._body = self.layers[:-1] if self._fused else self.layers
        # the outputs of predict() are logits when the loss reads them as logits unfused
        self.outputs_are_logits = self._from_logits and not self._fused
        accuracy_kind = {
            losses_module.BinaryCrossEntropy: metrics_module.binary_accuracy,
            losses_module.CategoricalCrossEntropy: metrics_module.categorical_accuracy,
        }.get(type(loss), metrics_module.accuracy)
        self._metrics = [
            (name, accuracy_kind if name.lower() in ("accuracy", "acc")
             else metrics_module.get(name))
            for name in self.metric_names
        ]

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise NotCompiledError(
                f"call compile(loss=..., optimizer=...) before {what}(); the model does not "
                "know its loss yet"
            )

    # ------------------------------------------------------------------- maths
    def _forward_body(self, x: np.ndarray, training: bool) -> np.ndarray:
        """Outputs of every layer but a fused final one: the loss's input."""
        for layer in self._body:
            x = layer.forward(x, training)
        return x

    def _final(self, body_output: np.ndarray) -> np.ndarray:
        """The model's outputs from the body's outputs (applies a fused final layer)."""
        return self.layers[-1].forward(body_output) if self._fused else body_output

    def _regularization_loss(self) -> float:
        """Sum of the layers' L1/L2 penalties (0 for layers without any)."""
        return sum(layer.regularization_loss() for layer in self._penalizable)

    def _forward_backward(self, x: np.ndarray, y: np.ndarray, training: bool = True,
                          backward: bool = True) -> tuple[float, np.ndarray]:
        """Loss of one batch and (if ``backward``) every parameter's gradient.

        Returns the loss (data term + regularisation) and the body's output.
        """
        body_output = self._forward_body(x, training)
        loss, grad = self.loss.value_and_gradient(y, body_output, from_logits=self._from_logits)
        if backward:
            for layer in reversed(self._body):
                grad = layer.backward(grad)
        if self._penalizable:
            loss += self._regularization_loss()
        return loss, body_output

    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``("layer/param", parameter, gradient)`` for every trainable array."""
        return [(f"{layer.name}/{name}", param, grad)
                for layer in self.layers for name, param, grad in layer.parameters()]

    # ----------------------------------------------------------- input checks
    def _check_xy(self, X: Any, y: Any, name: str = "") -> tuple[np.ndarray, np.ndarray]:
        X = check_X(X, self.n_inputs, self.dtype, name=f"X{name}")
        y = self.loss.prepare_targets(y, self.n_outputs, self.dtype, name=f"y{name}")
        if len(y) != len(X):
            raise ValueError(
                f"X{name} has {len(X)} samples but y{name} has {len(y)}; they must match"
            )
        return X, y

    # --------------------------------------------------------------- training
    def fit(
        self,
        X: Any,
        y: Any,
        epochs: int = 1,
        batch_size: int = 32,
        shuffle: bool = True,
        validation_split: float = 0.0,
        validation_data: tuple[Any, Any] | None = None,
        callbacks: Sequence[Callback] = (),
        verbose: int = 1,
        checkpoint: Any = None,
        resume: bool = False,
    ) -> History:
        """Train with mini-batch gradient descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_inputs)
        y : array-like
            Targets: ``(n_samples,)`` or ``(n_samples, n_outputs)``; class labels
            or one-hot rows for ``categorical_crossentropy``.
        epochs : int, default 1
            Passes over the data. With ``resume=True``: the total to reach.
        batch_size : int, default 32
            Samples per gradient step (capped at ``n_samples``).
        shuffle : bool or callable, default True
            Reshuffle the samples each epoch, with the model's generator. A
            callable ``shuffle(n_samples) -> order`` (an integer index array)
            gives each epoch's order instead, e.g. to follow another library's
            random sequence (:mod:`plainnet.sklearn` does).
        validation_split : float in [0, 1), default 0.0
            Hold out this last fraction of ``X``/``y`` (taken before shuffling)
            and report ``val_loss`` and ``val_<metric>`` each epoch.
        validation_data : (X_val, y_val) or None
            Explicit validation set (instead of ``validation_split``).
        callbacks : Callback or sequence of Callback
        verbose : {0, 1, 2}, default 1
            0 silent, 1 a progress bar per epoch, 2 one line per epoch.
        checkpoint : path or None
            Save the model atomically after every epoch (see :mod:`plainnet.io`).
        resume : bool, default False
            Continue a run: train only the epochs still missing to reach ``epochs``.

        Returns
        -------
        History
            ``history.history["loss"]`` etc., one value per epoch.

        Raises
        ------
        TrainingDivergedError
            When the loss becomes NaN or infinite; the weights of the last
            finite step are restored first.

        Notes
        -----
        Ctrl-C stops training after the current batch, keeps the weights and
        the history of the completed epochs, and warns.
        """
        self._require_compiled("fit")
        epochs = check_int("epochs", epochs, 1)
        batch_size = check_int("batch_size", batch_size, 1)
        if not callable(shuffle):
            shuffle = check_bool("shuffle", shuffle)
        resume = check_bool("resume", resume)
        verbose = check_int("verbose", verbose, 0)
        if verbose > 2:
            raise ValueError(f"verbose must be 0, 1 or 2, got {verbose}")
        validation_split = check_float("validation_split", validation_split, 0.0, 1.0,
                                       max_inclusive=False)
        X, y = self._check_xy(X, y)
        if validation_data is not None and validation_split:
            raise ValueError("give either validation_split or validation_data, not both")
        X, y, validation = self._validation_set(X, y, validation_split, validation_data)
        if isinstance(callbacks, Callback):
            callbacks = [callbacks]
        if not isinstance(callbacks, Iterable):
            raise TypeError(f"callbacks must be a list of plainnet Callbacks, got "
                            f"{type(callbacks).__name__}")
        callbacks = list(callbacks)
        for i, cb in enumerate(callbacks):
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks[{i}] must be a plainnet Callback, got "
                                f"{type(cb).__name__}")
        if checkpoint is not None:
            from .callbacks import ModelCheckpoint

            callbacks.append(ModelCheckpoint(checkpoint))

        if resume:  # continue numbering (and the history) where the last run stopped
            previous = self.history
            history = History(previous.history, previous.epoch) if previous else History()
        else:  # a new run: its epochs are counted from 0, as its history is
            self.epochs_done = 0
            history = History()
        all_callbacks = [history, *callbacks]
        if verbose == 1:
            all_callbacks.append(ProgressBar(epochs, len(X)))
        elif verbose == 2:
            all_callbacks.append(EpochLogger(epochs))
        self.history = history
        self._train(X, y, validation, self.epochs_done, epochs, min(batch_size, len(X)),
                    shuffle, all_callbacks)
        return history

    def _validation_set(self, X, y, split, data):
        if data is not None:
            if not isinstance(data, (tuple, list)) or len(data) != 2:
                raise TypeError("validation_data must be a tuple (X_val, y_val)")
            return (X, y, self._check_xy(data[0], data[1], name="_val"))
        if not split:
            return X, y, None
        n_train = int(len(X) * (1.0 - split))
        if n_train == 0 or n_train == len(X):
            raise ValueError(
                f"validation_split={split} of {len(X)} samples leaves "
                f"{n_train} for training and {len(X) - n_train} for validation; both need "
                "at least one"
            )
        return X[:n_train], y[:n_train], (X[n_train:], y[n_train:])

    def _train(self, X, y, validation, initial_epoch, total_epochs, batch_size, shuffle,
               callbacks) -> None:
        n = len(X)
        # the callbacks that do something at the start of an epoch and after a batch
        begin_callbacks = [cb for cb in callbacks
                           if type(cb).on_epoch_begin is not Callback.on_epoch_begin]
        batch_callbacks = [cb for cb in callbacks
                           if type(cb).on_batch_end is not Callback.on_batch_end]
        # Every array (parameters and state such as running statistics) and a copy of
        # it from before the latest step: restored if the next loss is not finite.
        # (A packed model keeps its previous parameters in packed.spare instead.)
        packed, arrays, backup = self._arrays_to_restore()
        # A callback of your own might replace a layer's array (plainnet's never do).
        check_swaps = packed is not None and any(
            type(cb).__module__ != Callback.__module__ for cb in callbacks)
        # The weights after each epoch's last step are checked before callbacks see them
        # (a checkpoint must not save NaNs); with no callback that looks at weights, the
        # next epoch's loss catches a blow-up, and only the final epoch needs the check.
        check_every_epoch = any(not isinstance(cb, (History, ProgressBar, EpochLogger))
                                for cb in callbacks)
        interrupted = {"flag": False}
        restore_handler = self._catch_ctrl_c(interrupted)
        self.stop_training = False
        for cb in callbacks:
            cb.set_model(self)
        started = []  # on_train_end goes to these only: the others have nothing to end
        failed = False
        try:
            for cb in callbacks:
                cb.on_train_begin({})
                started.append(cb)
            for epoch in range(initial_epoch, total_epochs):
                if self.stop_training:  # a callback said so (at the end of an epoch, or
                    break               # on_train_begin of a resumed run that had stopped)
                begin_logs: dict[str, float] = {}  # what callbacks log here (learning_rate)
                for cb in begin_callbacks:
                    cb.on_epoch_begin(epoch, begin_logs)
                if check_swaps and not packed.is_current(self.layers):
                    packed, arrays, backup = self._arrays_to_restore()  # a callback swapped one
                order = None
                if callable(shuffle):
                    order = self._check_order(shuffle(n), n)
                elif shuffle and batch_size < n:  # one batch of everything: order is moot
                    order = self.rng.permutation(n)
                loss_sum, outputs = 0.0, []
                for batch, start in enumerate(range(0, n, batch_size)):
                    stop = start + batch_size
                    if order is None:
                        xb, yb = X[start:stop], y[start:stop]
                    else:  # gather each batch's rows: no copy of the whole data set
                        rows = order[start:stop]
                        xb, yb = X.take(rows, axis=0), y.take(rows, axis=0)
                    loss, body_output = self._forward_backward(xb, yb)
                    if not math.isfinite(loss):
                        self._diverged(loss, epoch, batch, packed, arrays, backup)
                    for array, saved in zip(arrays, backup):
                        np.copyto(saved, array)
                    if packed is None:
                        self.optimizer.step(self.parameters())
                    else:
                        self.optimizer.step_packed(packed)
                    loss_sum += loss * len(xb)
                    if self._metrics:
                        outputs.append(body_output)
                    if batch_callbacks:
                        batch_logs = {"loss": loss, "size": len(xb)}
                        for cb in batch_callbacks:
                            cb.on_batch_end(batch, batch_logs)
                    if interrupted["flag"]:
                        _warn_interrupted(epoch, batch)
                        return
                if ((check_every_epoch or epoch + 1 == total_epochs)
                        and not self._weights_finite(packed, arrays)):  # after the last step
                    self._diverged("non-finite weights", epoch, batch, packed, arrays, backup)
                logs = {"loss": loss_sum / n}
                if self._metrics:
                    y_epoch = y if order is None else y.take(order, axis=0)
                    logs.update(self._metric_values(y_epoch, np.concatenate(outputs)))
                if validation is not None:
                    scores = self._evaluate_arrays(*validation)
                    logs.update({f"val_{k}": v for k, v in scores.items()})
                logs.update(begin_logs)
                self.epochs_done += 1
                for cb in callbacks:
                    cb.on_epoch_end(epoch, logs)
                if interrupted["flag"]:  # Ctrl-C during validation or a callback
                    _warn_interrupted(epoch, batch)
                    return
        except BaseException:
            failed = True  # e.g. TrainingDivergedError: tell on_train_end
            raise
        finally:
            restore_handler()
            if packed is not None:
                packed.settle()  # the layers' arrays are the same objects as before fit
            for cb in started:
                cb.on_train_end({"failed": True} if failed else {})

    @staticmethod
    def _check_order(order: Any, n: int) -> np.ndarray:
        """The sample order a ``shuffle`` callable returned, checked: a permutation of n rows."""
        order = np.asarray(order)
        if (order.shape != (n,) or order.dtype.kind not in "iu"
                or not np.array_equal(np.sort(order), np.arange(n))):
            raise ValueError(
                f"the shuffle callable must return a permutation of range({n}) as integers, "
                f"got an array of shape {order.shape} and dtype {order.dtype}"
            )
        return order

    def _arrays_to_restore(self):
        """``(packed, arrays, backup)``: what ``_train`` copies before each step.

        ``arrays`` are the layers' arrays (parameters and saved state). For a
        packed model they are only the saved state (running statistics): the
        optimizer leaves the previous parameters in ``packed.spare``, which
        starts as a copy of the live ones.
        """
        packed = self._packed_parameters()
        if type(self.optimizer) not in _PACKED_STEP:
            packed = None
        if packed is None:
            arrays = [array for layer in self.layers for array in layer.arrays().values()]
        else:
            arrays = [getattr(layer, name) for layer in self.layers
                      for name in layer.state_names]
        backup = [array.copy() for array in arrays]
        if packed is not None:
            np.copyto(packed.spare, packed.param)
        return packed, arrays, backup

    @staticmethod
    def _weights_finite(packed, arrays) -> bool:
        return (packed is None or all_finite(packed.param)) and all(map(all_finite, arrays))

    def _diverged(self, loss, epoch, batch, packed, arrays, backup) -> None:
        for array, saved in zip(arrays, backup):
            np.copyto(array, saved)
        if packed is not None:
            packed.flip()  # back to the parameters before the last step
        what = loss if isinstance(loss, str) else f"a loss of {loss}"
        raise TrainingDivergedError(
            f"training diverged: {what} at epoch {epoch + 1}, batch {batch + 1}; "
            "the weights of the last step with a finite loss were restored. Try a smaller "
            "learning rate, scaling the inputs, or clipnorm on the optimizer"
        )

    @staticmethod
    def _catch_ctrl_c(state: dict) -> Any:
        """Turn the first Ctrl-C into a flag checked after each batch; return the undo."""
        if threading.current_thread() is not threading.main_thread():
            return lambda: None
        previous = signal.getsignal(signal.SIGINT)
        if previous is signal.SIG_IGN or previous is None:  # ignored, or not Python's to restore
            return lambda: None

        def handler(signum, frame):
            state["flag"] = True
            signal.signal(signal.SIGINT, previous)  # a second Ctrl-C stops at once

        try:
            signal.signal(signal.SIGINT, handler)
        except ValueError:  # not allowed here (e.g. an embedded interpreter)
            return lambda: None
        return lambda: signal.signal(signal.SIGINT, previous)

    def _metric_values(self, y: np.ndarray, body_output: np.ndarray) -> dict[str, float]:
        outputs = self._final(body_output)
        return {name: fn(y, outputs, from_logits=self.outputs_are_logits)
                for name, fn in self._metrics}

    # ------------------------------------------------------------- inference
    def predict(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """Outputs of the model for ``X``, shape ``(n_samples, n_outputs)``.

        Probabilities if the model ends in ``Softmax``/``Sigmoid``; raw
        scores (logits) or values otherwise. Dropout is off, batch
        normalisation uses its running statistics.
        """
        X = check_X(X, self.n_inputs, self.dtype)
        outputs = self._final(self._predict_body(X, batch_size))
        self.clear_caches()
        return outputs

    def clear_caches(self) -> None:
        """Free what the layers kept from the last forward pass (``predict`` does this)."""
        for layer in self.layers:
            layer.clear_cache()

    def _predict_body(self, X: np.ndarray, batch_size: int | None) -> np.ndarray:
        body = self._body
        if batch_size is None:
            batch_size = len(X)
        batch_size = check_int("batch_size", batch_size, 1)
        chunks = []
        for start in range(0, len(X), batch_size):
            out = X[start:start + batch_size]
            for layer in body:
                out = layer.forward(out, training=False)
            chunks.append(out)
        return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)

    def evaluate(self, X: Any, y: Any, batch_size: int | None = None) -> dict[str, float]:
        """Loss (including any L1/L2 penalty) and metrics on ``(X, y)``, as a dict."""
        self._require_compiled("evaluate")
        X, y = self._check_xy(X, y)
        scores = self._evaluate_arrays(X, y, batch_size)
        self.clear_caches()
        return scores

    def _evaluate_arrays(self, X, y, batch_size=None) -> dict[str, float]:
        body_output = self._predict_body(X, batch_size)
        loss = self.loss(y, body_output, from_logits=self._from_logits)
        scores = {"loss": loss + self._regularization_loss()}
        scores.update(self._metric_values(y, body_output))
        return scores

    # ------------------------------------------------------------- weights
    def get_weights(self) -> list[np.ndarray]:
        """Copies of every layer's arrays (parameters, then state), layer by layer."""
        return [array.copy() for layer in self.layers for array in layer.arrays().values()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Set every array from a list shaped like :meth:`get_weights`'s result.

        All arrays are checked (count, shape, finite numbers) before any is changed.
        """
        targets = [(layer, name, array) for layer in self.layers
                   for name, array in layer.arrays().items()]
        if not isinstance(weights, Iterable) or isinstance(weights, (str, bytes, dict)):
            raise TypeError(f"weights must be a list of arrays (as get_weights() returns), "
                            f"got {type(weights).__name__}")
        weights = list(weights)
        if len(weights) != len(targets):
            raise ValueError(f"weights has {len(weights)} arrays, but the model has "
                             f"{len(targets)}")
        converted = []
        for (layer, name, current), new in zip(targets, weights):
            new = as_float_array(f"{layer.name}.{name}", new, self.dtype)
            if new.shape != current.shape:
                raise ValueError(f"{layer.name}.{name} must have shape {current.shape}, got "
                                 f"{new.shape}")
            converted.append(new)
        for (_, _, current), new in zip(targets, converted):
            np.copyto(current, new)

    def count_params(self) -> int:
        """Number of trainable scalars."""
        return sum(layer.count_params() for layer in self.layers)

    # --------------------------------------------------------------- display
    def summary(self, print_fn=print) -> None:
        """Print a table of the layers, their output shapes and parameter counts."""
        rows = [("Layer (type)", "Output shape", "Params")]
        for layer in self.layers:
            rows.append((f"{layer.name} ({type(layer).__name__})", f"(None, {layer.n_outputs})",
                         f"{layer.count_params():,}"))
        widths = [max(len(r[i]) for r in rows) + 2 for i in range(3)]
        rule = "-" * sum(widths)
        lines = [f'Model: "sequential" ({self.n_inputs} inputs, dtype {self.dtype.name})', rule]
        for i, row in enumerate(rows):
            lines.append(row[0].ljust(widths[0]) + row[1].ljust(widths[1])
                         + row[2].rjust(widths[2]))
            if i == 0:
                lines.append("=" * sum(widths))
        lines += [rule, f"Total params: {self.count_params():,}"]
        if self.compiled:
            lines.append(f"Loss: {self.loss!r}  Optimizer: {self.optimizer!r}")
        print_fn("\n".join(lines))

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}], dtype={self.dtype.name})"

    def get_config(self) -> dict[str, Any]:
        """Layer types and constructor arguments, and the dtype, as JSON-able values."""
        return {
            "dtype": self.dtype.name,
            "layers": [{"type": type(layer).__name__, "config": layer.get_config()}
                       for layer in self.layers],
        }

    # ------------------------------------------------------------------ files
    def save(self, path: Any) -> None:
        """Save the model to one file, atomically (see :func:`plainnet.io.save`)."""
        from . import io

        io.save(self, path)

    def copy(self) -> Sequential:
        """An independent deep copy (weights, optimizer state, generator)."""
        return copy.deepcopy(self)


