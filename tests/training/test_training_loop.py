"""``TrainingRun``: fit's loop gives the textbook loop's numbers; the order of the batches;
rollback on divergence, and which callbacks may see the weights first.

Ctrl-C is in ``test_training_ctrl_c.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

import plainnet
from core_helpers import assert_weights_equal, regression_data, textbook_fit
from plainnet import (
    SGD,
    Adagrad,
    Adam,
    AdamW,
    BatchNormalization,
    Callback,
    Dense,
    Dropout,
    ReLU,
    RMSprop,
    Sequential,
    Softmax,
    TrainingDivergedError,
)
from plainnet.schedules import StepDecay


def small_classifier(seed=0, dtype=np.float64, optimizer=None):
    model = Sequential([Dense(2, 8, activation="tanh"), Dense(8, 3), Softmax()], seed=seed,
                       dtype=dtype)
    model.compile(loss="categorical_crossentropy", optimizer=optimizer or Adam(0.01),
                  metrics=["accuracy"])
    return model


class WeightRecorder(Callback):
    """Copies of the weights after every batch and every epoch."""

    def __init__(self):
        super().__init__()
        self.after_batch, self.after_epoch, self.batch_losses = [], [], []

    def on_batch_end(self, batch, logs=None):
        self.after_batch.append(self.model.get_weights())
        self.batch_losses.append(logs["loss"])

    def on_epoch_end(self, epoch, logs=None):
        self.after_epoch.append(self.model.get_weights())


# ----------------------------------------------- the same numbers as the textbook
OPTIMIZERS = {
    "sgd": lambda: SGD(0.05),
    "nesterov": lambda: SGD(0.05, momentum=0.9, nesterov=True),
    "adam": lambda: Adam(0.01),
    "adam-schedule": lambda: Adam(StepDecay(0.02, step_size=3, gamma=0.5)),
    "adamw": lambda: AdamW(0.01, weight_decay=0.1),
    "rmsprop": lambda: RMSprop(0.01),
    "adagrad": lambda: Adagrad(0.05),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_fit_gives_the_textbook_loops_numbers_bit_for_bit(name, dtype):
    """Packing, the Dense kernels and the fused updates change nothing: fit equals
    compute_gradients + optimizer.step batch after batch (the loop fit's docstring shows)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 6)), rng.integers(0, 3, size=50)

    def make():
        model = Sequential([Dense(9, l2=0.01), ReLU(), BatchNormalization(), Dropout(0.2),
                            Dense(7, "tanh"), Dense(3), Softmax()], seed=0, dtype=dtype,
                           input_shape=(6,))
        model.compile("categorical_crossentropy", OPTIMIZERS[name]())
        return model

    model, reference = make(), make()
    history = model.fit(X, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    losses = textbook_fit(reference, X, y, epochs=2, batch_size=16)
    assert_weights_equal(model.get_weights(), reference.get_weights())  # BN statistics too
    sizes = np.array([16, 16, 16, 2])
    expected = [float(np.dot(losses[i:i + 4], sizes)) / 50 for i in (0, 4)]
    np.testing.assert_allclose(history.history["loss"], expected, rtol=1e-12)
    for key, slots in reference.optimizer.state.items():
        for slot, array in slots.items():
            np.testing.assert_array_equal(model.optimizer.state[key][slot], array)


def test_epoch_loss_is_the_sample_weighted_mean_of_the_batch_losses():
    X, y = regression_data(n=23)
    model = Sequential([Dense(3, 1)], seed=0, dtype=np.float64)
    model.compile(loss="mse", optimizer=SGD(0.01))
    recorder = WeightRecorder()
    history = model.fit(X, y, epochs=1, batch_size=10, callbacks=[recorder], verbose=0)
    sizes = [10, 10, 3]
    expected = sum(s * loss for s, loss in zip(sizes, recorder.batch_losses)) / 23
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-12)
    assert np.mean(recorder.batch_losses) != pytest.approx(expected, rel=1e-6)  # it matters


def test_a_shuffle_callable_gives_the_order_and_must_return_a_permutation():
    X, y = regression_data(n=12)
    order = np.array([3, 0, 11, 5, 1, 2, 10, 4, 9, 6, 8, 7])

    def make():
        model = Sequential([Dense(3, 1)], seed=0, dtype=np.float64)
        model.compile(loss="mse", optimizer=SGD(0.05))
        return model

    model, reference = make(), make()
    model.fit(X, y, epochs=2, batch_size=5, shuffle=lambda n: order, verbose=0)
    textbook_fit(reference, X[order], y[order], epochs=2, batch_size=5)
    assert_weights_equal(model.get_weights(), reference.get_weights())
    for bad in (lambda n: np.arange(n - 1), lambda n: np.zeros(n, dtype=int),
                lambda n: np.arange(n) * 1.0):
        with pytest.raises(ValueError, match="must return a permutation of range"):
            model.fit(X, y, shuffle=bad, verbose=0)


# ------------------------------------------------------------------ divergence
class SnapshotSGD(SGD):
    """SGD that keeps a copy of every parameter before each step."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.before_step = []

    def step(self, params):
        params = list(params)
        self.before_step.append([p.copy() for _, p, _ in params])
        super().step(params)


def diverging_fit(layers, dtype=np.float32, lr=1e6, epochs=50):
    X, y = regression_data(n=40)
    y = 100 * y
    model = Sequential(layers, seed=0, dtype=dtype, input_shape=(3,))
    optimizer = SnapshotSGD(lr)
    model.compile(loss="mse", optimizer=optimizer)
    with pytest.raises(TrainingDivergedError) as info, np.errstate(all="ignore"):
        model.fit(X, y, epochs=epochs, batch_size=8, verbose=0)
    return model, optimizer, info.value


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_learning_rate_raises_training_diverged(dtype):
    model, optimizer, error = diverging_fit([Dense(8, activation="relu"), Dense(1)],
                                            dtype=dtype)
    assert isinstance(error, ValueError)
    # the non-finite loss came from the batch after the last step taken; that step was
    # taken back, its count included (the optimizer's state is rolled back with the weights)
    steps, batches_per_epoch = optimizer.iterations + 1, 5
    epoch, batch = divmod(steps, batches_per_epoch)
    assert f"epoch {epoch + 1}, batch {batch + 1}" in str(error)
    assert "diverged" in str(error) and "learning rate" in str(error)
    # the weights are those before the last (diverging) step, and finite
    params = [p for _, p, _ in model.parameters()]
    for param, saved in zip(params, optimizer.before_step[-1]):
        np.testing.assert_array_equal(param, saved)
        assert np.isfinite(param).all() and param.dtype == dtype
    assert np.isfinite(model.predict(regression_data(n=5)[0])).all()


def test_divergence_restores_batch_normalization_statistics():
    # here the diverging forward pass puts NaN into the running statistics
    model, _, _ = diverging_fit([Dense(8), ReLU(), Dense(8), BatchNormalization(), Dense(1)],
                                lr=1e6)
    assert model.layers[3].moving_mean.dtype == np.float32
    for array in model.get_weights():
        assert np.isfinite(array).all()
    assert np.isfinite(model.predict(regression_data(n=5)[0])).all()


class Snapshots(Callback):
    """The weights after every step."""

    def __init__(self):
        super().__init__()
        self.after_step = []

    def on_batch_end(self, batch, logs=None):
        self.after_step.append(self.model.get_weights())


def test_divergence_of_a_model_of_several_blocks_restores_the_weights_before_the_last_step():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 5))
    y = 100 * rng.normal(size=(40, 1))
    net = Sequential([Dense(5000, activation="relu"), Dense(1)], seed=0, input_shape=(5,))
    net.compile("mse", SGD(1e6))
    snapshots = Snapshots()
    with pytest.raises(TrainingDivergedError), np.errstate(all="ignore"):
        net.fit(X, y, epochs=50, batch_size=8, callbacks=[snapshots], verbose=0)
    assert len(snapshots.after_step) >= 2
    assert_weights_equal(net.get_weights(), snapshots.after_step[-2])
    net.compile("mse", SGD(0.0))  # and training can go on from there
    net.fit(X, y, epochs=1, verbose=0)
    assert_weights_equal(net.get_weights(), snapshots.after_step[-2])


def test_divergence_at_the_first_batch_keeps_the_initial_weights():
    X = np.full((6, 2), 1e30, dtype=np.float32)  # finite inputs whose squared outputs overflow
    model = Sequential([Dense(2, 1, weight_init="ones")], seed=0)
    model.compile(loss="mse", optimizer="sgd")
    initial = model.get_weights()
    with pytest.raises(TrainingDivergedError, match="epoch 1, batch 1"), \
            np.errstate(all="ignore"):
        model.fit(X, np.zeros(6), epochs=2, batch_size=3, verbose=0)
    assert_weights_equal(model.get_weights(), initial)
    assert model.optimizer.iterations == 0


def test_last_step_that_breaks_the_weights_is_reported_and_undone():
    # One batch, one epoch: the only loss is computed with the initial (finite) weights,
    # and the step after it overflows float32. fit must not return non-finite weights.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3)).astype(np.float32)
    y = rng.normal(size=(8, 1)).astype(np.float32)
    model = Sequential([Dense(3, 4, activation="relu"), Dense(4, 1)], seed=0)
    model.compile(loss="mse", optimizer=SGD(learning_rate=1e300, momentum=0.9))
    before = model.get_weights()
    expected = "the optimizer's update overflowed .* at epoch 1, batch 1"
    with pytest.raises(TrainingDivergedError, match=expected):
        model.fit(X, y, epochs=1, batch_size=8, verbose=0)
    assert_weights_equal(model.get_weights(), before)
    assert model.epochs_done == 0
    # the optimizer's state is put back too: no step counted, velocities as before (zero)
    assert model.optimizer.iterations == 0
    for slots in model.optimizer.state.values():
        assert all(np.array_equal(v, np.zeros_like(v)) for v in slots.values())


class JumpsToInfinity(SGD):
    """An update that makes weights infinite without any floating-point overflow."""

    def update(self, p, g, state, lr):
        return p + np.inf


class SeesWeights(Callback):
    def __init__(self):
        super().__init__()
        self.finite = []

    def on_epoch_end(self, epoch, logs=None):
        self.finite.append(all(np.isfinite(w).all() for w in self.model.get_weights()))


@pytest.mark.parametrize("with_callback", [True, False])
def test_a_callback_never_sees_non_finite_weights(with_callback):
    """With a callback that may look at the weights, every epoch's weights are checked before
    it runs; without one, the next batch's loss (or the last epoch's check) finds them."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)).astype(np.float32), rng.normal(size=(8, 1))
    model = Sequential([Dense(4, activation="relu"), Dense(1)], seed=0, input_shape=(3,))
    model.compile(loss="mse", optimizer=JumpsToInfinity(learning_rate=0.1))
    callback = SeesWeights()
    expected = ("non-finite weights at epoch 1, batch 1" if with_callback
                else "a loss of (nan|inf) at epoch 2, batch 1")
    with pytest.raises(TrainingDivergedError, match=expected):
        model.fit(X, y, epochs=3, batch_size=8, verbose=0,
                  callbacks=[callback] if with_callback else [])
    assert callback.finite == []


def test_diverged_error_is_exported():
    assert issubclass(plainnet.TrainingDivergedError, ValueError)
