"""The layer contract itself: ``Layer``'s defaults, ``build_layer`` and its checks of ``build``."""

from __future__ import annotations

import numpy as np
import pytest

import plainnet
from core_helpers import build_layer
from plainnet.layers import Dense, Flatten, Layer, ReLU
from plainnet.layers.base import describe_shape


class Shaped(Layer):
    """Returns whatever ``build`` is told to return."""

    def __init__(self, result):
        super().__init__()
        self.result = result

    def build(self, input_shape, rng, dtype):
        return self.result

    def forward(self, x, training=False):
        return x

    def backward(self, grad_output):
        return grad_output


def test_defaults_of_a_new_layer():
    layer = ReLU()
    assert layer.name == "relu" and layer.trainable is True and not layer.built
    assert layer.input_shape is None and layer.output_shape is None
    assert layer.parameters() == [] and layer.arrays() == {} and layer.count_params() == 0
    assert layer.regularization_loss() == 0.0
    assert plainnet.Layer is Layer


def test_the_base_layer_requires_forward_and_backward():
    layer = Layer()
    with pytest.raises(NotImplementedError, match="Layer must implement forward"):
        layer.forward(np.zeros((1, 1)))
    with pytest.raises(NotImplementedError, match="Layer must implement backward"):
        layer.backward(np.zeros((1, 1)))


def test_the_default_build_keeps_the_shape():
    layer = Layer()
    assert layer.build((3, 4), np.random.default_rng(0), np.dtype(np.float32)) == (3, 4)
    assert layer.dtype == np.float32
    # an old-contract layer calling super().build(n_inputs, ...) gets its width back
    assert Layer().build(5, np.random.default_rng(0), np.dtype(np.float64)) == 5


def test_build_layer_records_the_shapes_and_the_dtype():
    layer = Flatten()
    shape = plainnet.layers.build_layer(layer, [np.int64(4), 3], np.random.default_rng(0),
                                        np.dtype(np.float32))
    assert shape == (12,) and type(shape[0]) is int
    assert (layer.input_shape, layer.output_shape) == ((4, 3), (12,))
    assert layer.built and layer.dtype == np.float32


def test_a_build_returning_an_int_is_told_what_to_return():
    with pytest.raises(TypeError, match=r"shaped \(Shaped\)\.build returned the integer 3, but "
                                        r"build\(input_shape, rng, dtype\) must return the "
                                        r"output shape as a tuple, e\.g\. \(3,\).*n_inputs"):
        build_layer(Shaped(3), 4)


@pytest.mark.parametrize("result", [[3], (0,), (3, -1), (True,), (2.0,), None, "3"])
def test_a_build_returning_something_else_than_a_shape_is_refused(result):
    with pytest.raises(TypeError, match=r"shaped \(Shaped\)\.build must return the output "
                                        r"shape as a tuple of positive integers"):
        build_layer(Shaped(result), 4)


def test_a_build_may_return_unknown_lengths():
    assert build_layer(Shaped((None, 3)), 4).output_shape == (None, 3)


def test_describe_shape_puts_the_batch_axis_first():
    assert describe_shape((28, 28, 1)) == "(None, 28, 28, 1)"
    assert describe_shape((10,)) == "(None, 10)"


def test_clear_cache_forgets_what_forward_kept():
    layer = build_layer(Dense(2), 3)
    layer.forward(np.ones((4, 3)))
    assert hasattr(layer, "input")
    layer.clear_cache()
    assert not hasattr(layer, "input")
    layer.clear_cache()  # nothing left: still fine
    weights = layer.weights
    assert layer.weights is weights  # parameters stay


def test_repr_shows_the_constructor_arguments():
    assert repr(plainnet.LeakyReLU(0.3)) == "LeakyReLU(alpha=0.3)"
    assert repr(ReLU()) == "ReLU()"
