"""``Dropout``: inverted scaling in training, the identity at inference, masks from the model's
generator.

Shapes, config, dtypes and the gradient with a fixed mask are checked by the
layer-contract harness (``test_layers_contract.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from core_helpers import build_layer
from plainnet import Dense, Dropout, Sequential


def test_inverted_scaling_in_training():
    layer = Dropout(0.3)
    model = Sequential([Dense(100), layer], seed=0, input_shape=(1,))
    assert layer.rng is model.rng  # built with the model's generator
    x = np.ones((1000, 100), dtype=np.float32)
    out = layer.forward(x, training=True)
    assert np.mean(out == 0) == pytest.approx(0.3, abs=0.01)
    assert set(np.unique(out)) == {0.0, np.float32(1 / 0.7)}  # survivors scaled by 1/(1-rate)
    assert out.mean() == pytest.approx(1.0, abs=0.02)  # the expectation is preserved
    assert out.dtype == np.float32
    grad = layer.backward(np.full_like(x, 2.0))
    np.testing.assert_array_equal(grad, 2.0 * out)  # the same mask and scale on the way back


def test_a_mask_has_the_shape_of_the_input():
    layer = build_layer(Dropout(0.5), (4, 3), seed=1)
    out = layer.forward(np.ones((200, 4, 3)), training=True)
    assert layer.mask.shape == out.shape == (200, 4, 3)
    # every value of every sample is dropped on its own: no axis shares one mask
    rates = np.mean(out == 0, axis=0)  # (4, 3): the drop rate at each position
    assert np.all((rates > 0.3) & (rates < 0.7)), rates
    assert len({row.tobytes() for row in out == 0}) > 100


def test_the_identity_at_inference():
    layer = Dropout(0.5)
    Sequential([Dense(2), layer], seed=0, input_shape=(2,))
    x = np.arange(6.0).reshape(3, 2)
    assert layer.forward(x, training=False) is x
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))
    model = Sequential([Dense(20), Dropout(0.5), Dense(1)], seed=0, input_shape=(3,))
    X = np.random.default_rng(0).normal(size=(10, 3))
    np.testing.assert_array_equal(model.predict(X), model.predict(X))


def test_rate_zero_is_the_identity_in_training():
    layer = build_layer(Dropout(0.0), 3)
    x = np.random.default_rng(0).normal(size=(2, 3))
    np.testing.assert_array_equal(layer.forward(x, training=True), x)


@pytest.mark.parametrize("rate, error", [(1.0, ValueError), (-0.1, ValueError),
                                         ("0.5", TypeError)])
def test_rate_validation(rate, error):
    with pytest.raises(error, match="rate must be"):
        Dropout(rate)


def test_masks_come_from_the_models_generator():
    x = np.ones((50, 20))

    def masks(seed):
        layer = Dropout(0.5)
        Sequential([Dense(20), layer], seed=seed, dtype=np.float64, input_shape=(20,))
        return [layer.forward(x, training=True) for _ in range(3)]

    first, again, other = masks(0), masks(0), masks(1)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])  # a new mask each batch
    assert not np.array_equal(first[0], other[0])


def test_the_global_numpy_state_is_not_touched():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    layer = Dropout(0.5)
    Sequential([Dense(2), layer], seed=0, input_shape=(2,))
    layer.forward(np.ones((10, 2)), training=True)
    assert np.random.random() == expected
