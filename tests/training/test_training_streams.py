"""fit, evaluate and predict on streams of batches (iterables and generators), as Keras does."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from plainnet import Dense, Sequential
from plainnet.optimizers import SGD


def regression(seed=0):
    model = Sequential([Dense(4, activation="tanh"), Dense(1)], seed=seed, input_shape=(3,),
                       dtype=np.float64)
    model.compile(loss="mse", optimizer=SGD(learning_rate=0.05))
    return model


def data(n=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ np.array([1.0, -2.0, 0.5])


def batches(X, y, size, weights=None):
    for start in range(0, len(X), size):
        rows = slice(start, start + size)
        yield (X[rows], y[rows]) if weights is None else (X[rows], y[rows], weights[rows])


class Loader:
    """A re-iterable source with a length, like a data loader."""

    def __init__(self, X, y, size):
        self.X, self.y, self.size = X, y, size

    def __iter__(self):
        return batches(self.X, self.y, self.size)

    def __len__(self):
        return -(-len(self.X) // self.size)


def test_an_iterable_trains_exactly_like_the_arrays_in_order():
    X, y = data()
    a, b = regression(), regression()
    ha = a.fit(X, y, epochs=3, batch_size=5, shuffle=False, verbose=0)
    hb = b.fit(Loader(X, y, 5), epochs=3, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-13)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-13)


def test_a_generator_needs_steps_per_epoch_and_is_read_on_across_epochs():
    X, y = data()
    with pytest.raises(ValueError, match="steps_per_epoch must be given when x is a generator"):
        regression().fit(batches(X, y, 5), epochs=2, verbose=0)

    def forever():
        while True:
            yield from batches(X, y, 5)

    a, b = regression(), regression()
    a.fit(X, y, epochs=2, batch_size=5, shuffle=False, verbose=0)
    history = b.fit(forever(), epochs=2, steps_per_epoch=4, verbose=0,
                    validation_data=Loader(X, y, 10))
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-13)
    assert len(history.history["val_loss"]) == 2
    assert history.history["val_loss"][-1] == pytest.approx(b.evaluate(X, y)["loss"])


def test_a_generator_that_runs_out_stops_training_with_a_warning():
    X, y = data()
    model = regression()
    with pytest.warns(RuntimeWarning, match="ran out of batches after 0 of 4 steps"):
        history = model.fit(batches(X, y, 5), epochs=3, steps_per_epoch=4, verbose=0)
    assert len(history.history["loss"]) == 1 and model.epochs_done == 1


def test_evaluate_and_predict_take_streams():
    X, y = data()
    model = regression()
    w = np.linspace(0, 1, len(X))
    expected = model.evaluate(X, y, sample_weight=w)
    assert model.evaluate(batches(X, y, 6, w), steps=4)["loss"] == pytest.approx(
        expected["loss"], rel=1e-12)
    np.testing.assert_allclose(model.predict(iter([X[:7], X[7:]]), steps=2), model.predict(X))
    np.testing.assert_allclose(model.predict(Loader(X, y, 8)), model.predict(X))


def test_streams_build_the_model_from_the_first_batch():
    X, y = data()
    model = Sequential([Dense(2), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer="sgd")
    model.fit(Loader(X, y, 5), epochs=1, verbose=0)
    assert model.input_shape == (3,)


@pytest.mark.parametrize("kwargs, message", [
    ({"y": np.zeros(20)}, "y must be None when x is a stream of batches"),
    ({"validation_split": 0.2}, "validation_split cannot split a stream"),
    ({"class_weight": "balanced"}, "class_weight='balanced' needs the labels"),
])
def test_stream_misuse_is_refused(kwargs, message):
    X, y = data()
    with pytest.raises(ValueError, match=message):
        regression().fit(Loader(X, y, 5), verbose=0, **kwargs)


def test_bad_batches_get_the_array_messages():
    X, y = data()
    model = regression()
    with pytest.raises(ValueError, match="X has 2 features, but the model expects 3"):
        model.fit([(X[:5, :2], y[:5])].__iter__(), steps_per_epoch=1, verbose=0)
    with pytest.raises(ValueError, match=r"must be \(X, y\) or \(X, y, sample_weight\)"):
        model.fit(iter([(X, y, None, None)]), steps_per_epoch=1, verbose=0)
    with pytest.raises(ValueError, match="must hold targets"):
        model.fit(iter([X]), steps_per_epoch=1, verbose=0)


def test_fit_without_y_says_so():
    X, _ = data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="y is missing"):
            regression().fit(X, verbose=0)
