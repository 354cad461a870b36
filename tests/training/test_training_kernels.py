"""``training.kernels``: the fast Dense forward/backward equal ``Dense.forward``/``backward``."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from core_helpers import build_layer
from plainnet import Dense
from plainnet.layers import ReLU
from plainnet.training import kernels


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("input_shape", [(5,), (3, 5), (2, 3, 5)], ids=["2d", "3d", "4d"])
@pytest.mark.parametrize("l1, l2", [(0.0, 0.0), (0.01, 0.0), (0.0, 0.02), (0.03, 0.05)])
def test_kernels_equal_the_layers_own_methods(l1, l2, input_shape, dtype):
    fast = build_layer(Dense(4, bias_init="normal", l1=l1, l2=l2), input_shape, dtype=dtype)
    plain = copy.deepcopy(fast)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(7, *input_shape)).astype(dtype)
    g = rng.normal(size=(7, *input_shape[:-1], 4)).astype(dtype)
    grad_weights, grad_bias = fast.grad_weights, fast.grad_bias
    y_fast, y_plain = kernels.forward(fast, x, training=True), plain.forward(x, training=True)
    assert y_fast.dtype == y_plain.dtype == dtype
    np.testing.assert_array_equal(y_fast, y_plain)
    dx_fast, dx_plain = kernels.backward(fast, g), plain.backward(g)
    np.testing.assert_array_equal(dx_fast, dx_plain)
    np.testing.assert_array_equal(fast.grad_weights, plain.grad_weights)
    np.testing.assert_array_equal(fast.grad_bias, plain.grad_bias)
    # written into the layer's own gradient arrays (the packed views in fit)
    assert fast.grad_weights is grad_weights and fast.grad_bias is grad_bias
    assert grad_weights.dtype == dtype
    # the first layer needs no gradient for its input (the data): same parameter gradients
    assert kernels.backward(fast, g, input_grad=False) is None
    np.testing.assert_array_equal(fast.grad_weights, plain.grad_weights)
    np.testing.assert_array_equal(fast.grad_bias, plain.grad_bias)


class MyDense(Dense):
    pass


def test_only_plainnets_own_dense_has_a_kernel():
    assert kernels.has_kernel(build_layer(Dense(2), 3))
    assert not kernels.has_kernel(build_layer(Dense(2, activation="tanh"), 3))
    assert not kernels.has_kernel(build_layer(MyDense(2), 3))
    assert not kernels.has_kernel(build_layer(ReLU(), 3))
    patched = build_layer(Dense(2), 3)
    patched.backward = lambda g: g
    assert not kernels.has_kernel(patched)


def test_layers_without_a_kernel_use_their_own_methods():
    calls = []

    class Spy(MyDense):
        def forward(self, x, training=False):
            calls.append(("forward", training))
            return super().forward(x, training)

        def backward(self, grad_output):
            calls.append("backward")
            return super().backward(grad_output)

    layer = build_layer(Spy(2), 3)
    x = np.ones((4, 3))
    y = kernels.forward(layer, x, training=True)
    grad = kernels.backward(layer, np.ones_like(y), input_grad=False)
    assert calls == [("forward", True), "backward"]
    assert grad.shape == x.shape  # a layer's own backward always gives dL/dx
    activated = build_layer(Dense(2, activation="tanh"), 3)
    np.testing.assert_array_equal(kernels.forward(activated, x, True),
                                  np.tanh(x @ activated.weights + activated.bias))


def test_without_kernels_fit_runs_the_layers_own_methods_with_the_same_numbers(monkeypatch):
    """USE_KERNELS = False: fit calls Dense.forward/backward themselves (a learner's edit
    of them then shows), and trains to the same weights."""
    import plainnet
    from plainnet.training import kernels as kernels_module

    X = np.random.default_rng(0).normal(size=(16, 3))
    y = (X[:, 0] > 0).astype(int)

    def trained():
        model = plainnet.Sequential([plainnet.Dense(4, "tanh"), plainnet.Dense(1),
                                     plainnet.Sigmoid()], seed=0, dtype=np.float64)
        model.compile("binary_crossentropy", plainnet.SGD(0.1))
        model.fit(X, y, epochs=3, batch_size=4, verbose=0)
        return model.get_weights()

    fast = trained()
    calls = []
    original = plainnet.Dense.backward
    monkeypatch.setattr(plainnet.Dense, "backward",
                        lambda self, g: calls.append(1) or original(self, g))
    monkeypatch.setattr(kernels_module, "USE_KERNELS", False)
    plain = trained()
    assert calls  # the layer's own backward ran
    for a, b in zip(fast, plain):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
