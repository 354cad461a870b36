"""``Sequential``: a stack of layers with a Keras-style training loop.

Training is mini-batch gradient descent. For each batch (see ``_train``)::

    output = forward(x)                             # layer by layer, training=True
    loss, grad = loss.value_and_gradient(y, output)
    backward(grad)                                  # the chain rule, last layer first:
                                                    # sets grad_weights, grad_bias, ...
    optimizer.step()                                # e.g. weights -= lr * grad_weights

When the loss is a cross-entropy and the last layer is the matching
``Softmax``/``Sigmoid``, that layer is skipped during training and the loss
works on its inputs (the logits): the gradient ``softmax(z) - onehot(y)`` is
exact and stable where the two steps separately would lose precision.

Everything else ``fit`` does (batches, speed, rollback when training
diverges, Ctrl-C, callbacks, progress) lives in :mod:`plainnet.training`.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from . import losses as losses_module
from . import metrics as metrics_module
from . import optimizers as optimizers_module
from ._validation import check_dtype, make_rng
from .errors import NotCompiledError
from .layers import Layer, stack
from .layers.base import Shape
from .training import setup as fit_setup
from .training.callbacks import Callback, History
from .training.data import ArrayData, StreamData, is_batch_source
from .training.evaluation import body_outputs, forward_with_mask, stream_outputs
from .training.inputs import check_data, check_samples
from .training.loop import TrainingRun, packed_parameters
from .training.masking import loss_weights, metric_weights

__all__ = ["Sequential"]


class Sequential:
    """A neural network as a list of layers applied one after the other.

    Parameters
    ----------
    layers : sequence of Layer
        For example ``[Dense(8, activation="tanh"), Dense(1), Sigmoid()]``.
        ``Dense(..., activation=name)`` is split into the ``Dense`` layer and
        its activation layer.
    seed : int, numpy Generator or None
        Feeds the single random generator used for initialisation, shuffling
        and dropout. Never the global NumPy state.
    dtype : float32 (default) or float64
        Precision of every parameter, gradient, optimizer state and output.
    input_shape : tuple of int or None
        Shape of one sample, without the batch axis: ``(features,)``,
        ``(height, width, channels)``, ... When None, it is read from the
        first layer (``Dense(n_inputs, units)``) or else from the data of the
        first ``fit``/``predict``/``evaluate``, which then builds the model.

    Attributes
    ----------
    layers : list of Layer
    input_shape, output_shape : tuple of int (None until built)
    n_inputs, n_outputs : int
        Values in one input sample (the features of a table) and the width
        of the output's last axis (e.g. the number of classes).
    built : bool
    rng : numpy.random.Generator
    seed : int or None
        The ``seed`` given, if it was an int (saved with the model).
    compiled : bool
    outputs_are_logits : bool
        Whether ``predict`` gives raw scores that the loss reads as logits
        (a cross-entropy on a model that does not end in ``Sigmoid``/``Softmax``).
    history : History or None
        The record of the last ``fit``.
    epochs_done : int
        Complete epochs of the current run (the ones ``history`` records).
    metadata : dict
        Your own notes (JSON values, see :mod:`plainnet.io`), saved with the
        model and given back by ``load``. The command line keeps the task,
        target, feature names and class labels here.

    Examples
    --------
    >>> from plainnet import Sequential, Dense, Sigmoid
    >>> model = Sequential([Dense(8, activation="tanh"), Dense(1), Sigmoid()], seed=0,
    ...                    input_shape=(2,))
    >>> model.compile(loss="binary_crossentropy", optimizer="adam")
    """

    def __init__(self, layers: Sequence[Layer], seed: Any = None, dtype: Any = np.float32,
                 input_shape: Any = None):
        shortcuts = [(layer, layer.activation, layer.activation_layer) for layer in layers
                     if getattr(layer, "activation_layer", None) is not None] if (
            isinstance(layers, (list, tuple))) else []
        self.layers = stack.unpack_layers(layers)
        stack.name_layers(self.layers)
        self.dtype = check_dtype(dtype)
        self.seed = seed if seed is None or isinstance(seed, numbers.Integral) else None
        self.rng = make_rng(seed)
        self.built = False
        self.input_shape: Shape | None = None
        self.output_shape: Shape | None = None
        if input_shape is None:
            input_shape = stack.declared_input_shape(self.layers)
        if input_shape is not None:
            try:
                self.build(input_shape)
            except Exception:  # give the caller's Dense layers back with their activations
                for dense, name, activation_layer in shortcuts:
                    dense.activation, dense.activation_layer = name, activation_layer
                raise
        # until compile() says otherwise, every layer is applied and outputs are plain values
        self._fused = self._from_logits = self.outputs_are_logits = False
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
    def build(self, input_shape: Any) -> None:
        """Create every layer's parameters for samples of ``input_shape`` (no batch axis).

        Each layer is built for the output shape of the one before it; a
        layer that does not fit raises a ``ValueError`` naming it.
        """
        if self.built:
            raise ValueError(f"the model is already built for inputs of shape "
                             f"{self.input_shape}")
        input_shape = stack.check_input_shape(input_shape)
        shape = stack.build_stack(self.layers, input_shape, self.rng, self.dtype)
        self.input_shape, self.output_shape = input_shape, shape
        self.built = True
        packed_parameters(self)  # the parameters as views of one vector, from the start
        # the layers that may add a penalty to the loss (the others always add 0)
        self._penalizable = [layer for layer in self.layers if type(layer).regularization_loss
                             is not Layer.regularization_loss]

    @property
    def n_inputs(self) -> int | None:
        """Values in one input sample: the number of features for a table."""
        return None if self.input_shape is None else int(np.prod(self.input_shape))

    @property
    def n_outputs(self) -> int | None:
        """Width of the output's last axis (classes, or regression targets)."""
        return None if self.output_shape is None else self.output_shape[-1]

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
        if isinstance(metrics, str):
            metrics = [metrics]
        if not isinstance(metrics, Iterable):
            raise TypeError(f"metrics must be a list of names, got {type(metrics).__name__}")
        metrics = [name for name in metrics if metrics_module.get(name)]  # each name checked
        self.loss, self.optimizer, self.metric_names = loss, optimizer, metrics
        if self.built:
            self.optimizer.check_state(self.parameters())
        self._fused, self._from_logits = losses_module.output_mode(loss, self.layers[-1])
        self.outputs_are_logits = self._from_logits and not self._fused
        accuracy = metrics_module.accuracy_for(loss)
        self._metrics = [(name, accuracy if name.lower() in ("accuracy", "acc")
                          else metrics_module.get(name)) for name in metrics]
        self.compiled = True

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise ValueError(
                f"the model is not built yet, so it has no weights for {what}(): pass "
                "input_shape=... to Sequential, or call fit, predict or build first")

    def _require_compiled(self, what: str) -> None:
        if not self.compiled:
            raise NotCompiledError(f"call compile(loss=..., optimizer=...) before {what}(); "
                                   "the model does not know its loss yet")

    # ------------------------------------------------------------------- maths
    def body_layers(self) -> list[Layer]:
        """The layers applied in training: all but a final activation fused into the loss."""
        return self.layers[:-1] if self._fused else self.layers

    def _final(self, body_output: np.ndarray) -> np.ndarray:
        """The model's outputs from the body's outputs (applies a fused final layer)."""
        return self.layers[-1].forward(body_output) if self._fused else body_output

    def _regularization_loss(self) -> float:
        return sum(layer.regularization_loss() for layer in self._penalizable)

    def compute_gradients(self, X: Any, y: Any, training: bool = True,
                          backward: bool = True) -> float:
        """Loss of one batch and, with ``backward``, every parameter's gradient.

        The plain, unoptimised path: forward through every layer, the loss
        (with any L1/L2 penalty), then each layer's ``backward``, last layer
        first, which sets its ``grad_<name>`` arrays. ``fit`` does the same
        faster; :func:`plainnet.gradcheck` checks this path.

        Returns
        -------
        float
            The loss.
        """
        self._require_compiled("compute_gradients")
        X, y = self._check_xy(X, y)
        output, mask = forward_with_mask(self, X, training)  # layer by layer (mask: padding)
        loss, grad = self._loss_and_gradient(y, output, loss_weights(None, mask, self.dtype))
        if backward:
            for layer in reversed(self.body_layers()):
                grad = layer.backward(grad)
        return loss + self._regularization_loss()

    def parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """``("layer/param", parameter, gradient)`` for every parameter, frozen ones too."""
        self._require_built("parameters")
        return [(f"{layer.name}/{name}", param, grad)
                for layer in self.layers for name, param, grad in layer.parameters()]

    def trainable_parameters(self) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """As :meth:`parameters`, for the layers with ``trainable=True`` only."""
        return [(f"{layer.name}/{name}", param, grad) for layer in self.layers
                if layer.trainable for name, param, grad in layer.parameters()]

    # ----------------------------------------------------------- input checks
    def _check_X(self, X: Any, name: str = "X") -> np.ndarray:
        return check_samples(self, X, name)

    def _check_xy(self, X: Any, y: Any, name: str = "") -> tuple[np.ndarray, np.ndarray]:
        return check_data(self, X, y, name)

    # --------------------------------------------------------------- training
    def fit(self, X: Any, y: Any = None, epochs: int = 1, batch_size: int = 32,
            shuffle: bool = True, validation_split: float = 0.0, validation_data: Any = None,
            callbacks: Sequence[Callback] = (), verbose: int = 1, checkpoint: Any = None,
            resume: bool = False, sample_weight: Any = None, class_weight: Any = None,
            steps_per_epoch: int | None = None, validation_steps: int | None = None,
            strategy: Any = None) -> History:
        """Train with mini-batch gradient descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, *input_shape), or a stream of batches
            Or an iterable/generator of ``(X, y[, sample_weight])`` batches (then
            ``y`` is None; see :mod:`plainnet.training.data`).
        y : array-like
            Targets: ``(n_samples,)`` or ``(n_samples, n_outputs)``; class labels
            or one-hot rows for ``categorical_crossentropy``.
        epochs : int, default 1
            Passes over the data. With ``resume=True``: the total to reach.
        batch_size : int, default 32
            Samples per gradient step (capped at ``n_samples``; a stream's own).
        shuffle : bool or callable, default True
            Reshuffle the samples each epoch, with the model's generator, or in
            the order ``shuffle(n_samples)`` returns. Streams keep their order.
        validation_split : float in [0, 1), default 0.0
            Hold out this last fraction of ``X``/``y`` (taken before shuffling)
            and report ``val_loss`` and ``val_<metric>`` each epoch.
        validation_data : (X_val, y_val[, sample_weight_val]), a stream, or None
            Explicit validation set (instead of ``validation_split``).
        callbacks : Callback or sequence of Callback
        verbose : {0, 1, 2}, default 1
            0 silent, 1 a progress bar per epoch, 2 one line per epoch.
        checkpoint : path or None
            Save the model atomically after every epoch (see :mod:`plainnet.io`).
        resume : bool, default False
            Continue a run: train only the epochs still missing to reach ``epochs``.
        sample_weight : array-like of shape (n_samples,) or None
            How much each sample counts: the loss is ``sum_i w_i l_i / batch_size``
            (Keras's rule); the metrics are weighted too.
        class_weight : dict {class: weight}, "balanced" or None
            A weight per class (classes left out weigh 1), multiplied into
            ``sample_weight``; ``"balanced"`` is ``n / (n_classes * count)``.
            See :mod:`plainnet.training.weights`.
        steps_per_epoch, validation_steps : int or None
            Batches per epoch of a stream (needed for a generator).
        strategy : None, "mpi" or MPIStrategy
            Train on all ``mpiexec`` processes, ``batch_size`` global (:mod:`plainnet.distributed`).

        Returns
        -------
        History
            ``history.history["loss"]`` etc., one value per epoch.

        Raises
        ------
        TrainingDivergedError
            When the loss becomes NaN or infinite, or an update overflows (the weights
            and optimizer state of the last finite step are restored first); training
            that blows up while staying finite warns (:class:`~plainnet.errors.DivergenceWarning`).

        Notes
        -----
        Layers with ``trainable=False`` keep their parameters. Ctrl-C stops training after
        the current batch, keeps the weights and the history of the completed epochs, and warns.
        """
        self._require_compiled("fit")
        checked = fit_setup.check_fit_arguments(epochs, batch_size, shuffle, resume, verbose,
                                                validation_split)
        epochs, batch_size, shuffle, resume, verbose, validation_split = checked
        data, validation = fit_setup.fit_data(self, X, y, validation_split, validation_data,
                                    sample_weight, class_weight, steps_per_epoch,
                                    validation_steps)
        self.optimizer.check_state(self.parameters())
        strategy, batch_size = fit_setup.fit_strategy(strategy, self, data, validation, batch_size)
        if resume:  # continue numbering (and the history) where the last run stopped
            previous = self.history
            history = History(previous.history, previous.epoch) if previous else History()
        else:  # a new run: its epochs are counted from 0, as its history is
            self.epochs_done = 0
            history = History()
        callbacks = fit_setup.fit_callbacks(callbacks, checkpoint, history, verbose, epochs,
                                            data.n_samples, strategy)
        self.history = history
        self._train(data, validation, epochs, batch_size, shuffle, callbacks, strategy)
        return history

    def _train(self, data, validation, epochs, batch_size, shuffle, callbacks, strategy=None):
        """The loop: for each batch, forward, loss, backward, step."""
        with TrainingRun(self, callbacks, epochs, strategy) as run:
            for _ in run.epochs(first=self.epochs_done):
                for xb, yb, wb in run.batches(data, batch_size, shuffle):
                    output = run.forward(xb)
                    loss, grad = self._loss_and_gradient(yb, output, run.loss_weights(wb))
                    if self._penalizable:
                        loss += self._regularization_loss()  # L1/L2 penalties
                    run.check(loss)  # not finite: roll back the last step and raise
                    run.backward(grad)
                    run.step()
                    if run.batch_done(loss, output, yb, wb):
                        return  # Ctrl-C
                logs = run.epoch_logs()
                if validation is not None and logs:
                    scores = run.validate(validation)
                    logs.update({f"val_{k}": v for k, v in scores.items()})
                if run.epoch_done(logs):
                    return  # Ctrl-C, or a stream that ran out

    def _loss_and_gradient(self, y, output, weights=None) -> tuple[float, np.ndarray]:
        """The loss of a batch and ``dL/d(output)``, weighted if there are weights."""
        return self.loss.value_and_gradient(y, output, from_logits=self._from_logits,
                                            **self._weighted(weights))

    @staticmethod
    def _weighted(weights) -> dict[str, Any]:  # losses of one's own may not take weights
        return {} if weights is None else {"sample_weight": weights}

    def metric_values(self, y: np.ndarray, body_output: np.ndarray,
                      weights: np.ndarray | None = None) -> dict[str, float]:
        """The compiled metrics of outputs of the body (what the loss reads) against ``y``."""
        outputs, weighted = self._final(body_output), self._weighted(weights)
        return {name: fn(y, outputs, from_logits=self.outputs_are_logits, **weighted)
                for name, fn in self._metrics}

    # ------------------------------------------------------------- inference
    def predict(self, X: Any, batch_size: int | None = None,
                steps: int | None = None) -> np.ndarray:
        """Outputs of the model for ``X``, shape ``(n_samples, *output_shape)``.

        Probabilities if the model ends in ``Softmax``/``Sigmoid``; raw
        scores (logits) or values otherwise. Dropout is off, batch
        normalisation uses its running statistics. ``X`` may be a stream of
        batches (``X`` or ``(X, ...)`` tuples; ``steps`` of them for a generator).
        """
        body_output = stream_outputs(self, X, steps, self._check_X) if is_batch_source(X) else (
            body_outputs(self, ArrayData(self._check_X(X), None, None), batch_size)[0])
        outputs = self._final(body_output)
        self.clear_caches()
        return outputs

    def generate(self, prompt_tokens: Any, n: int, **options: Any) -> np.ndarray:
        """``n`` tokens sampled after the prompt: :func:`plainnet.generation.generate`
        (``temperature``, ``top_k``, ``seed``, ``context``)."""
        from .generation import generate  # a language model's sampler, reached when used

        return generate(self, prompt_tokens, n, **options)

    def clear_caches(self) -> None:
        """Free what the layers kept from the last forward pass (``predict`` does this)."""
        for layer in self.layers:
            layer.clear_cache()

    def evaluate(self, X: Any, y: Any = None, batch_size: int | None = None,
                 sample_weight: Any = None, steps: int | None = None) -> dict[str, float]:
        """Loss (including any L1/L2 penalty) and metrics on ``(X, y)``, as a dict.

        ``sample_weight`` weights the loss and metrics as in :meth:`fit`; ``X``
        may be a stream of ``(X, y[, sample_weight])`` batches (``steps`` of
        them for a generator).
        """
        self._require_compiled("evaluate")
        if is_batch_source(X):
            data = StreamData(X, steps, fit_setup.batch_checker(self), "x", "steps")
        else:
            data = fit_setup.validation_data_of(self, (X, y, sample_weight), "X", suffix="")
        scores = self._evaluate_data(data, batch_size)
        self.clear_caches()
        return scores

    def _evaluate_data(self, data: ArrayData | StreamData,
                       batch_size: int | None = None) -> dict[str, float]:
        """Loss and metrics over every batch of ``data`` (padded steps left out)."""
        body_output, y, weights, mask = body_outputs(self, data, batch_size)
        loss = self.loss(y, body_output, from_logits=self._from_logits,
                         **self._weighted(loss_weights(weights, mask, self.dtype)))
        return {"loss": loss + self._regularization_loss(),
                **self.metric_values(y, body_output, metric_weights(weights, mask))}

    # ------------------------------------------------------------- weights
    def get_weights(self) -> list[np.ndarray]:
        """Copies of every layer's arrays (parameters, then state), layer by layer."""
        self._require_built("get_weights")
        return [array.copy() for layer in self.layers for array in layer.arrays().values()]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Set every array from a list shaped like :meth:`get_weights`'s result.

        All arrays are checked (count, shape, finite numbers) before any is changed.
        """
        self._require_built("set_weights")
        stack.set_arrays(self.layers, weights, self.dtype)

    def count_params(self) -> int:
        """Number of scalars in the parameters."""
        self._require_built("count_params")
        return sum(layer.count_params() for layer in self.layers)

    # --------------------------------------------------------------- display
    def summary(self, print_fn=print) -> None:
        """Print a table of the layers, their output shapes and parameter counts."""
        if not self.built:
            raise ValueError("the model is not built yet, so its shapes are unknown: pass "
                             "input_shape=... to Sequential, or call fit, predict or build first")
        lines = stack.summary_lines(self.layers, self.input_shape, self.dtype)
        if self.compiled:
            lines.append(f"Loss: {self.loss!r}  Optimizer: {self.optimizer!r}")
        print_fn("\n".join(lines))

    def __repr__(self) -> str:
        inner = ", ".join(repr(layer) for layer in self.layers)
        return f"Sequential([{inner}], dtype={self.dtype.name})"

    def get_config(self) -> dict[str, Any]:
        """Layer types and constructor arguments, dtype and input shape, as JSON-able values."""
        return {
            "dtype": self.dtype.name,
            "input_shape": None if self.input_shape is None else list(self.input_shape),
            "layers": [{"type": type(layer).__name__, "config": layer.get_config()}
                       for layer in self.layers],
        }

    # ------------------------------------------------------------------ files
    def save(self, path: Any) -> None:
        """Save the model to one file, atomically (see :func:`plainnet.io.save`)."""
        from . import io  # io builds models when loading: it sits above this module

        self._require_built("save")
        io.save(self, path)

    def copy(self, dtype: Any = None) -> Sequential:
        """An independent deep copy (weights, optimizer state, generator).

        With ``dtype``, every array of the copy (parameters, gradients, state,
        optimizer state) is converted to it (``gradcheck`` uses float64).
        """
        clone = copy.deepcopy(self)
        if dtype is None:
            return clone
        clone.dtype = check_dtype(dtype)
        stack.convert_dtype(clone.layers, clone.dtype)
        if clone.optimizer is not None:
            clone.optimizer.convert_state(clone.dtype)
        return clone
