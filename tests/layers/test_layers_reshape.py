"""``Flatten`` and ``Reshape``: the numbers stay, in order; shape errors name the layer.

Shapes, config, dtypes and gradients are checked by the layer-contract harness
(``test_layers_contract.py``).
"""

from __future__ import annotations

import numpy as np
import pytest

from core_helpers import build_layer
from plainnet import Dense, Sequential
from plainnet.layers import Flatten, ReLU, Reshape


def test_flatten_keeps_each_samples_values_in_order():
    layer = build_layer(Flatten(), (4, 3, 2))
    x = np.arange(2 * 24, dtype=float).reshape(2, 4, 3, 2)
    y = layer.forward(x)
    np.testing.assert_array_equal(y, [np.arange(24), np.arange(24, 48)])
    g = np.random.default_rng(0).normal(size=(2, 24))
    np.testing.assert_array_equal(layer.backward(g), g.reshape(2, 4, 3, 2))


def test_reshape_then_flatten_gives_the_input_back():
    model = Sequential([Reshape((28, 28, 1)), Flatten(), Dense(10)], seed=0, input_shape=(784,))
    assert [layer.output_shape for layer in model.layers] == [(28, 28, 1), (784,), (10,)]
    reshape, flatten, _ = model.layers
    x = np.random.default_rng(0).normal(size=(3, 784))
    images = reshape.forward(x)
    assert images.shape == (3, 28, 28, 1)
    np.testing.assert_array_equal(images[1, 2, 5, 0], x[1, 2 * 28 + 5])
    np.testing.assert_array_equal(flatten.forward(images), x)


@pytest.mark.parametrize("target, input_shape, output_shape", [
    ((3, -1), (6,), (3, 2)),
    ((-1,), (2, 3, 4), (24,)),
    ((2, -1, 3), (4, 3), (2, 2, 3)),
    (5, (5,), (5,)),
    ([2, 3], (6,), (2, 3)),
])
def test_reshape_target_shapes(target, input_shape, output_shape):
    layer = build_layer(Reshape(target), input_shape)
    assert layer.output_shape == output_shape
    x = np.arange(2 * int(np.prod(input_shape)), dtype=float).reshape(2, *input_shape)
    np.testing.assert_array_equal(layer.forward(x), x.reshape(2, *output_shape))


@pytest.mark.parametrize("target", [(), (0, 3), (2, -2), (-1, -1), (2.0, 3), (True, 2), "6",
                                    None, [[2, 3]]])
def test_reshape_refuses_bad_target_shapes(target):
    with pytest.raises(ValueError, match="target_shape"):
        Reshape(target)


def test_shape_errors_name_the_layer_at_build_time():
    with pytest.raises(ValueError, match=r"reshape expects inputs of 8 values to reshape to "
                                         r"\(2, 4\), got shape \(6,\) \(6 values\)"):
        Sequential([Reshape((2, 4))], input_shape=(6,))
    with pytest.raises(ValueError, match=r"reshape_1 cannot reshape inputs of shape \(2, 3\) "
                                         r"\(6 values\) to \(4, -1\)"):
        Sequential([Reshape((2, 3)), Reshape((4, -1))], input_shape=(6,))
    with pytest.raises(ValueError, match=r"flatten expects an input shape with every size "
                                         r"known, got \(None, 3\)"):
        Sequential([Flatten()], input_shape=(None, 3))
    # the data of the first predict is checked the same way, before any arithmetic
    model = Sequential([ReLU(), Reshape((2, 4))])
    with pytest.raises(ValueError, match="reshape expects inputs of 8 values"):
        model.predict(np.ones((3, 6)))
    assert not model.built
