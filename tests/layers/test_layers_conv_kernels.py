"""``layers._conv_kernels``: the fast Conv2D (+ ReLU) (+ MaxPool2D(2)) equal the plain layers."""

from __future__ import annotations

import copy
import gc
import weakref

import numpy as np
import pytest

from core_helpers import build_layer
from plainnet import Conv2D, Dense, Flatten, MaxPool2D, Sequential, Softmax
from plainnet.layers import ReLU
from plainnet.layers._conv_kernels import ConvBlock, conv_block_applies
from plainnet.training import kernels

TOLERANCE = {np.float32: 2e-5, np.float64: 1e-12}

# (input (h, w, cin), filters, kernel_size, strides, padding)
GEOMETRIES = [
    ((28, 28, 1), 6, 5, 1, "same"),  # LeNet-5's first convolution
    ((14, 14, 6), 16, 5, 1, "valid"),  # and its second
    ((9, 11, 2), 3, 3, 2, "same"),  # odd sizes, stride 2: odd outputs (5, 6) to pool
    ((10, 7, 3), 4, (3, 2), (1, 2), "valid"),  # rectangular kernel and strides
    ((8, 8, 2), 3, 2, 1, "same"),  # even kernel: the extra zero at the bottom/right
    ((7, 7, 8), 5, 3, 1, "same"),  # many channels in, odd image: the last row/column unpooled
    ((5, 6, 1), 2, 5, 1, "valid"),  # a single output row
]


def plain_and_block(geometry, relu, pool, dtype, block=None):
    """The layers (built, random bias) and a ConvBlock doing the same with a copy of them."""
    input_shape, filters, kernel_size, strides, padding = geometry
    conv = build_layer(Conv2D(filters, kernel_size, strides=strides, padding=padding,
                              bias_init="normal"), input_shape, dtype=dtype)
    shape = conv.compute_output_shape(input_shape)
    layers = [conv]
    if relu:
        layers.append(build_layer(ReLU(), shape, dtype=dtype))
    if pool:
        layers.append(build_layer(MaxPool2D(2), shape, dtype=dtype))
    fast = copy.deepcopy(layers)
    block = ConvBlock(fast[0], fast[1] if relu else None, fast[-1] if pool else None,
                      block=block)
    return layers, block


def assert_close(actual, expected, dtype, what):
    assert actual.shape == expected.shape, what
    assert actual.dtype == dtype, what
    scale = max(1.0, float(np.max(np.abs(expected))))
    np.testing.assert_allclose(actual, expected, rtol=0, atol=TOLERANCE[dtype] * scale,
                               err_msg=what)


def run_both(layers, block, dtype, batch=3, seed=0, input_grad=True):
    """Forward and backward through the plain layers, then through the block."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, *layers[0].input_shape)).astype(dtype)
    y = x
    for layer in layers:
        y = layer.forward(y, training=True)
    g = rng.normal(size=y.shape).astype(dtype)
    grad = g
    for layer in layers[::-1]:
        grad = layer.backward(grad)
    y_fast = block.forward(x, training=True)
    grad_fast = block.backward(g, input_grad=input_grad)
    return (y, grad, layers[0]), (y_fast, grad_fast, block.conv)


BLOCKS = [(geometry, relu, pool) for geometry in GEOMETRIES
          for relu in (True, False) for pool in (True, False)
          if not (pool and geometry is GEOMETRIES[-1])]  # one output row: no 2 x 2 window


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("geometry, relu, pool", BLOCKS, ids=lambda v: str(v))
def test_block_equals_the_layers(geometry, relu, pool, dtype):
    layers, block = plain_and_block(geometry, relu, pool, dtype)
    grad_kernel, grad_bias = block.conv.grad_kernel, block.conv.grad_bias
    (y, dx, conv), (y_fast, dx_fast, conv_fast) = run_both(layers, block, dtype, batch=3)
    assert_close(y_fast, y, dtype, "output")
    assert_close(dx_fast, dx, dtype, "dL/dx")
    assert_close(conv_fast.grad_kernel, conv.grad_kernel, dtype, "grad_kernel")
    assert_close(conv_fast.grad_bias, conv.grad_bias, dtype, "grad_bias")
    # written into the layer's own arrays (the packed gradient vector's views in fit)
    assert conv_fast.grad_kernel is grad_kernel and conv_fast.grad_bias is grad_bias


@pytest.mark.parametrize("width", [2, 4, 14, 28])
def test_every_block_width_gives_the_same_numbers(width):
    """``J`` output columns per row of the patch matrix: J = 2 is im2col's pairs, 28 a full row."""
    layers, block = plain_and_block(GEOMETRIES[0], True, True, np.float64, block=width)
    (y, dx, conv), (y_fast, dx_fast, conv_fast) = run_both(layers, block, np.float64)
    assert block.passes[0][1].J == width
    assert_close(y_fast, y, np.float64, "output")
    assert_close(dx_fast, dx, np.float64, "dL/dx")
    assert_close(conv_fast.grad_kernel, conv.grad_kernel, np.float64, "grad_kernel")


@pytest.mark.parametrize("full_width", [True, False])
@pytest.mark.parametrize("geometry", GEOMETRIES[:-1], ids=str)
@pytest.mark.parametrize("width", [None, "row"])
def test_both_input_gradient_products_give_the_same_numbers(geometry, width, full_width):
    """``dL/dx`` through the full-width band ``W``, or block by block (layers too large for W)."""
    input_shape, _, kernel_size, strides, padding = geometry
    conv = Conv2D(1, kernel_size, strides=strides, padding=padding)
    row = conv.compute_output_shape(input_shape)[1] if width == "row" else None
    layers, block = plain_and_block(geometry, True, True, np.float64,
                                    block=row - row % 2 if row else None)
    block.full_width_limit = ConvBlock.full_width_limit if full_width else 0
    (_, dx, _), (_, dx_fast, _) = run_both(layers, block, np.float64, batch=2)
    assert (block.passes[0][1].W is not None) == full_width
    assert_close(dx_fast, dx, np.float64, "dL/dx")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_batch_in_pieces_gives_the_same_numbers(dtype):
    """A batch larger than ``piece`` goes through in pieces (2, 2, then 1 sample here)."""
    layers, block = plain_and_block(GEOMETRIES[2], True, True, dtype)
    block.piece = 2
    (y, dx, conv), (y_fast, dx_fast, conv_fast) = run_both(layers, block, dtype, batch=5)
    assert [start for start, _ in block.passes] == [0, 2, 4]
    assert_close(y_fast, y, dtype, "output")
    assert_close(dx_fast, dx, dtype, "dL/dx")
    assert_close(conv_fast.grad_kernel, conv.grad_kernel, dtype, "grad_kernel")
    assert_close(conv_fast.grad_bias, conv.grad_bias, dtype, "grad_bias")


def test_a_block_width_must_divide_the_row():
    _, block = plain_and_block(GEOMETRIES[0], True, True, np.float64, block=10)
    with pytest.raises(ValueError, match="block must be a multiple of 2 dividing 28, got 10"):
        block.forward(np.zeros((2, 28, 28, 1)))


def test_the_first_layer_skips_the_input_gradient_only():
    layers, block = plain_and_block(GEOMETRIES[0], True, True, np.float32)
    (_, _, conv), (_, dx_fast, conv_fast) = run_both(layers, block, np.float32, input_grad=False)
    assert dx_fast is None
    assert_close(conv_fast.grad_kernel, conv.grad_kernel, np.float32, "grad_kernel")
    assert_close(conv_fast.grad_bias, conv.grad_bias, np.float32, "grad_bias")


def test_buffers_are_reused_but_what_leaves_is_new():
    _, block = plain_and_block(GEOMETRIES[1], True, True, np.float32)
    rng = np.random.default_rng(1)
    x1, x2 = (rng.normal(size=(4, 14, 14, 6)).astype(np.float32) for _ in range(2))
    y1 = block.forward(x1)
    kept = y1.copy()
    dx1 = block.backward(np.ones_like(y1))
    kept_dx = dx1.copy()
    patches = block.passes[0][1].R
    y2 = block.forward(x2)
    block.backward(np.ones_like(y2))
    assert block.passes[0][1].R is patches  # the same buffers, step after step
    np.testing.assert_array_equal(y1, kept)  # earlier outputs are left alone
    np.testing.assert_array_equal(dx1, kept_dx)
    # another batch size (the last, partial batch of an epoch) gets its own buffers
    y3 = block.forward(x1[:3])
    np.testing.assert_array_equal(y3, kept[:3])


def tie_block(values, bias, dtype=np.float32):
    """A 1 x 1 convolution with kernel 1 (so y = x + bias), then ReLU and MaxPool2D(2)."""
    layers, block = plain_and_block(((2, 2, 1), 1, 1, 1, "valid"), True, True, dtype)
    for conv in (layers[0], block.conv):
        conv.kernel[...] = 1
        conv.bias[...] = bias
    x = np.asarray(values, dtype).reshape(1, 2, 2, 1)
    return layers, block, x


def plain_pass(layers, x):
    y = x
    for layer in layers:
        y = layer.forward(y, training=True)
    grad = np.ones_like(y)
    for layer in layers[::-1]:
        grad = layer.backward(grad)
    return y, grad


@pytest.mark.parametrize("values", [[3, 3, 3, 3], [1, 3, 3, 3], [1, 2, 3, 3], [2, 1, 2, 2]])
def test_max_pool_ties_go_to_the_first_maximum_like_the_layer(values):
    """Equal values in a window: the first in row-major order gets the gradient, as documented."""
    layers, block, x = tie_block(values, bias=0.5)
    y, grad = plain_pass(layers, x)
    y_fast = block.forward(x)
    grad_fast = block.backward(np.ones_like(y_fast))
    np.testing.assert_array_equal(y_fast, y)
    np.testing.assert_array_equal(grad_fast, grad)
    assert grad_fast.sum() == 1 and grad_fast.ravel()[int(np.argmax(values))] == 1


def test_max_pool_before_the_bias_a_rounding_tie_goes_to_the_larger_value():
    """The documented difference: pooling before adding the bias (same outputs).

    ``1`` and the next float32 after it differ, but ``+ 1`` rounds both to
    ``2``: the plain layers see a tie and give the gradient to the first
    element; the kernel compared them before the bias and gives it to the
    larger one. Both choices are a maximum of the window.
    """
    after_one = np.nextafter(np.float32(1), np.float32(2))
    layers, block, x = tie_block([1, after_one, 0, 0], bias=1.0)
    y, grad = plain_pass(layers, x)
    y_fast = block.forward(x)
    grad_fast = block.backward(np.ones_like(y_fast))
    np.testing.assert_array_equal(y_fast, y)  # 2.0 both
    np.testing.assert_array_equal(grad.ravel(), [1, 0, 0, 0])
    np.testing.assert_array_equal(grad_fast.ravel(), [0, 1, 0, 0])


def test_all_negative_windows_pass_no_gradient():
    layers, block, x = tie_block([-3, -1, -2, -1], bias=0.5)
    y, grad = plain_pass(layers, x)
    grad_fast = block.backward(np.ones_like(block.forward(x)))
    np.testing.assert_array_equal(grad_fast, grad)
    assert not grad_fast.any()


# ----------------------------------------------------------------- in the model


class MyConv2D(Conv2D):
    pass


def test_which_layers_run_as_one_block():
    conv, relu, pool = Conv2D(2, 3), ReLU(), MaxPool2D(2)
    assert conv_block_applies(conv, relu, pool)
    assert conv_block_applies(conv, pool=pool)
    assert not conv_block_applies(Conv2D(2, 3, activation="relu"))  # its own activation inside
    assert not conv_block_applies(MyConv2D(2, 3))
    assert not conv_block_applies(conv, relu, MaxPool2D(3))
    assert not conv_block_applies(conv, relu, MaxPool2D(2, strides=1))
    assert not conv_block_applies(conv, relu, MaxPool2D(2, padding="same"))
    patched = Conv2D(2, 3)
    patched.forward = lambda x, training=False: x
    assert not conv_block_applies(patched)
    steps = kernels.conv_blocks([conv, relu, pool, Flatten(), Dense(3)])
    assert isinstance(steps[0], ConvBlock) and steps[0].layers == [conv, relu, pool]
    assert len(steps) == 3
    assert kernels.conv_blocks([conv, relu, pool])[0] is steps[0]  # the same while in use
    block = weakref.ref(steps[0])
    del steps
    gc.collect()
    assert block() is None  # its buffers go with the last step that used it
    lone = kernels.conv_blocks([relu, MyConv2D(2, 3), relu, pool])
    assert not any(isinstance(step, ConvBlock) for step in lone)


def lenet(dtype, frozen=False):
    model = Sequential([
        Conv2D(3, 3, padding="same", activation="relu", bias_init="normal"),
        MaxPool2D(2),
        Conv2D(4, 3, activation="relu"),
        MaxPool2D(2),
        Flatten(),
        Dense(5, activation="relu"),
        Dense(3),
        Softmax(),
    ], seed=0, input_shape=(11, 10, 2), dtype=dtype)
    if frozen:
        model.layers[0].trainable = False
    return model


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("frozen", [False, True], ids=["trainable", "first-conv-frozen"])
def test_fit_with_and_without_kernels_gives_the_same_weights(monkeypatch, dtype, frozen):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 11, 10, 2)).astype(dtype), rng.integers(0, 3, 10)
    weights, calls = [], []
    forward = ConvBlock.forward
    monkeypatch.setattr(ConvBlock, "forward",
                        lambda self, x, training=True: calls.append(x.shape) or forward(self, x))
    for use in (True, False):
        monkeypatch.setattr(kernels, "USE_KERNELS", use)
        calls.clear()
        model = lenet(dtype, frozen)
        before = model.layers[0].kernel.copy()
        model.compile("sparse_categorical_crossentropy", "sgd")
        model.fit(X, y, epochs=2, batch_size=4, verbose=0)  # 4, 4, then a batch of 2
        # with kernels, both convolutions ran as blocks: 3 batches (4, 4, 2) x 2 epochs each
        assert len(calls) == (12 if use else 0)
        weights.append([a.copy() for layer in model.layers for a in
                        (getattr(layer, name) for name in layer.param_names)])
        if frozen:
            np.testing.assert_array_equal(model.layers[0].kernel, before)
    for fast, plain in zip(*weights):
        assert fast.dtype == dtype
        assert_close(fast, plain, dtype, "weights after fit")
