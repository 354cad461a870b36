"""``Conv2D`` and ``Conv1D``: the definition by loops, Keras's sizes and padding, bad input.

Shapes, config, save/load, dtypes and finite-difference gradients of several
convolutions (strides 1 and 2, both paddings, odd sizes) are checked by the
layer-contract harness (``test_layers_contract.py``); PyTorch parity is in
``test_layers_conv_torch.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

from core_helpers import build_layer
from plainnet import SGD, Conv1D, Conv2D, Dense, Flatten, ReLU, Sequential, Tanh
from plainnet.layers.conv import output_length, padding_widths


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


def convolve_by_loops(x, kernel, bias, strides, pads):
    """The definition, one output value at a time: y[b, i, j, f] = bias[f] + sum(patch * kernel)."""
    (top, bottom), (left, right) = pads
    x = np.pad(x, [(0, 0), (top, bottom), (left, right), (0, 0)])
    kh, kw, _, filters = kernel.shape
    sh, sw = strides
    out_h, out_w = (x.shape[1] - kh) // sh + 1, (x.shape[2] - kw) // sw + 1
    y = np.zeros((len(x), out_h, out_w, filters))
    for b in range(len(x)):
        for i in range(out_h):
            for j in range(out_w):
                patch = x[b, i * sh:i * sh + kh, j * sw:j * sw + kw, :]  # (kh, kw, cin)
                for f in range(filters):
                    y[b, i, j, f] = bias[f] + np.sum(patch * kernel[..., f])
    return y


# ------------------------------------------------------------------- the maths
@pytest.mark.parametrize("kernel_size, strides, padding, input_shape, pads", [
    ((3, 3), (1, 1), "valid", (5, 6, 2), ((0, 0), (0, 0))),
    ((3, 2), (2, 3), "valid", (7, 8, 3), ((0, 0), (0, 0))),
    ((3, 3), (1, 1), "same", (5, 6, 2), ((1, 1), (1, 1))),
    # even kernels: Keras puts the odd zero at the bottom/right
    ((2, 4), (1, 1), "same", (5, 6, 1), ((0, 1), (1, 2))),
    ((4, 2), (2, 2), "same", (7, 5, 2), ((1, 2), (0, 1))),
])
def test_forward_is_the_definition(kernel_size, strides, padding, input_shape, pads):
    layer = build_layer(Conv2D(3, kernel_size, strides, padding, bias_init="normal"),
                        input_shape)
    layer.bias[...] = rand(3, seed=3)
    x = rand(2, *input_shape, seed=1)
    expected = convolve_by_loops(x, layer.kernel, layer.bias, strides, pads)
    y = layer.forward(x)
    assert y.shape == (2, *layer.output_shape)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


def test_backward_formulas_on_the_patch_matrix():
    layer = build_layer(Conv2D(4, 3, strides=2), (7, 6, 2))
    x, g = rand(3, 7, 6, 2, seed=1), rand(3, 3, 2, 4, seed=2)
    layer.forward(x)
    grad_x = layer.backward(g)
    patches = layer.patches  # (batch * out_h * out_w, kh * kw * cin)
    assert patches.shape == (3 * 3 * 2, 3 * 3 * 2)
    g_rows = g.reshape(-1, 4)
    np.testing.assert_allclose(layer.grad_kernel.reshape(-1, 4), patches.T @ g_rows, rtol=1e-13)
    np.testing.assert_allclose(layer.grad_bias, g_rows.sum(axis=0), rtol=1e-13)
    # dL/dx through the definition: the sum over outputs of g * (d y / d x)
    kernel = layer.kernel
    expected = np.zeros_like(x)
    for i in range(3):
        for j in range(2):
            expected[:, 2 * i:2 * i + 3, 2 * j:2 * j + 3, :] += np.einsum(
                "bf,pqcf->bpqc", g[:, i, j], kernel)
    np.testing.assert_allclose(grad_x, expected, rtol=1e-12, atol=1e-12)
    assert grad_x[:, 6].any()  # row 6 is used (out_h = 3 covers rows 0..6)


def test_conv1d_is_conv2d_on_an_image_one_row_high():
    conv1d = build_layer(Conv1D(3, 4, strides=2, padding="same", bias_init="normal"), (9, 2))
    conv2d = build_layer(Conv2D(3, (1, 4), strides=(1, 2), padding="same"), (1, 9, 2))
    assert conv1d.kernel.shape == (4, 2, 3)
    conv2d.kernel[...] = conv1d.kernel[None]
    conv2d.bias[...] = conv1d.bias
    x, g = rand(2, 9, 2, seed=1), rand(2, 5, 3, seed=2)
    np.testing.assert_allclose(conv1d.forward(x), conv2d.forward(x[:, None])[:, 0], rtol=1e-14)
    grad_x = conv1d.backward(g)
    np.testing.assert_allclose(grad_x, conv2d.backward(g[:, None])[:, 0], rtol=1e-14)
    np.testing.assert_allclose(conv1d.grad_kernel, conv2d.grad_kernel[0], rtol=1e-14)
    np.testing.assert_allclose(conv1d.grad_bias, conv2d.grad_bias, rtol=1e-14)


# ------------------------------------------------------------ sizes (Keras's)
@pytest.mark.parametrize("size, kernel, stride, padding, out, pads", [
    (28, 5, 1, "valid", 24, (0, 0)),
    (28, 5, 1, "same", 28, (2, 2)),
    (7, 3, 2, "valid", 3, (0, 0)),
    (8, 3, 2, "valid", 3, (0, 0)),  # the last row is left over
    (7, 2, 1, "same", 7, (0, 1)),  # even kernel: the extra zero after
    (7, 4, 2, "same", 4, (1, 2)),
    (6, 1, 2, "same", 3, (0, 0)),
    (3, 5, 2, "same", 2, (2, 2)),  # a kernel larger than the input fits once padded
])
def test_output_length_and_padding_follow_keras(size, kernel, stride, padding, out, pads):
    assert output_length(size, kernel, stride, padding) == out
    assert padding_widths(size, kernel, stride, padding) == pads
    before, after = pads
    assert (size + before + after - kernel) // stride + 1 == out


def test_shapes_are_known_without_building():
    layer = Conv2D(8, (3, 5), strides=2, padding="same")
    assert layer.compute_output_shape((9, 10, 3)) == (5, 5, 8)
    assert layer.parameter_shapes((9, 10, 3)) == {"kernel": (3, 5, 3, 8), "bias": (8,)}
    assert not layer.built and not hasattr(layer, "kernel")
    assert Conv1D(4, 3).parameter_shapes((10, 6)) == {"kernel": (3, 6, 4), "bias": (4,)}
    assert Conv1D(4, 3, strides=3).compute_output_shape((10, 6)) == (3, 4)


def test_summary_shows_keras_like_shapes_and_parameter_counts():
    model = Sequential([Conv2D(4, 3, activation="relu"), Conv2D(8, 3, strides=2, padding="same"),
                        Flatten(), Dense(10)], input_shape=(8, 8, 1))
    lines = []
    model.summary(print_fn=lines.append)
    text = lines[0]
    rows = {line.split()[0]: line.split(maxsplit=2)[2] for line in text.splitlines()
            if line.startswith(("conv2d", "relu", "flatten", "dense"))}
    assert rows == {
        "conv2d": "(None, 6, 6, 4)        40",  # 3*3*1*4 + 4
        "relu": "(None, 6, 6, 4)         0",
        "conv2d_1": "(None, 3, 3, 8)       296",  # 3*3*4*8 + 8
        "flatten": "(None, 72)              0",
        "dense": "(None, 10)            730",  # 72*10 + 10
    }
    assert "Total params: 1,066" in text
    assert model.count_params() == 1066


# ------------------------------------------------------- activation shortcut
def test_activation_shortcut_becomes_its_own_layer_in_a_sequential():
    model = Sequential([Conv2D(2, 3, activation="tanh"), Flatten(), Dense(1)],
                       input_shape=(5, 5, 1), seed=0)
    assert [type(layer) for layer in model.layers] == [Conv2D, Tanh, Flatten, Dense]
    assert model.layers[0].activation is None and model.layers[0].get_config()["activation"] is None
    sequence = Sequential([Conv1D(3, 2, activation="relu")], input_shape=(6, 2), seed=0)
    assert [type(layer) for layer in sequence.layers] == [Conv1D, ReLU]


def test_activation_shortcut_alone_applies_after_the_convolution():
    layer = build_layer(Conv2D(2, 3, activation="relu", bias_init="normal"), (5, 5, 1))
    plain = build_layer(Conv2D(2, 3), (5, 5, 1))
    plain.kernel[...], plain.bias[...] = layer.kernel, layer.bias
    x, g = rand(2, 5, 5, 1), rand(2, 3, 3, 2, seed=1)
    z = plain.forward(x)
    np.testing.assert_array_equal(layer.forward(x), np.maximum(z, 0))
    np.testing.assert_array_equal(layer.backward(g), plain.backward(g * (z > 0)))


# ----------------------------------------------------------------- training
def test_a_small_cnn_learns_in_fit():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6, 6, 1))
    y = (x[:, :3].sum(axis=(1, 2, 3)) > x[:, 3:].sum(axis=(1, 2, 3))).astype(int)
    model = Sequential([Conv2D(4, 3, activation="relu"), Conv2D(4, 2, strides=2), Flatten(),
                        Dense(1, "sigmoid")], seed=0, input_shape=(6, 6, 1))
    model.compile(loss="binary_crossentropy", optimizer=SGD(0.1), metrics=["accuracy"])
    before = model.evaluate(x, y)
    model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    after = model.evaluate(x, y)
    assert after["loss"] < 0.5 * before["loss"]


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize("layer, input_shape, message", [
    (Conv2D(2, 3), (28, 28), r"conv2d expects inputs of shape \(height, width, channels\), "
                             r"got \(28, 28\)"),
    (Conv2D(2, 3), (4, 28, 28, 1), r"got \(4, 28, 28, 1\)"),
    (Conv1D(2, 3), (28, 28, 1), r"conv1d expects inputs of shape \(time, channels\), got"),
    (Conv2D(2, (3, 5)), (6, 4, 1), r"conv2d expects inputs at least as large as its "
                                   r"kernel_size \(3, 5\) \(padding='valid'\), got inputs of "
                                   r"shape \(6, 4, 1\)"),
    (Conv1D(2, 5), (4, 3), r"conv1d expects inputs at least as large as its kernel_size \(5,\)"),
    (Conv2D(2, 3), (None, 8, 1), "with every size known"),
])
def test_a_shape_that_does_not_fit_is_refused_at_build(layer, input_shape, message):
    with pytest.raises(ValueError, match=message):
        build_layer(layer, input_shape)
    with pytest.raises(ValueError, match=message):
        layer.compute_output_shape(input_shape)
    assert not layer.built


def test_a_model_names_the_layer_that_does_not_fit_and_keeps_nothing_built():
    with pytest.raises(ValueError, match="conv2d_1 expects inputs at least as large"):
        Sequential([Conv2D(2, 3), Conv2D(2, 5)], input_shape=(6, 6, 1))


def test_a_batch_with_the_wrong_channel_count_is_refused():
    model = Sequential([Conv2D(2, 3)], input_shape=(5, 5, 3))
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 5, 5, 3\), got an "
                                         r"array of shape \(2, 5, 5, 1\)"):
        model.predict(np.zeros((2, 5, 5, 1)))


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(padding="smae"), ValueError, r"padding must be one of \['valid', 'same'\], got 'smae'"),
    (dict(strides=0), ValueError, "strides must be >= 1, got 0"),
    (dict(strides=(1, 0)), ValueError, r"strides\[1\] must be >= 1, got 0"),
    (dict(kernel_size=0), ValueError, "kernel_size must be >= 1, got 0"),
    (dict(kernel_size=(3, 3, 3)), ValueError, r"kernel_size must be an integer or a tuple of "
                                              r"length 2 \(e.g. 3 or \(3, 3\)\), got \(3, 3, 3\)"),
    (dict(kernel_size="3"), TypeError, "kernel_size must be an integer or a tuple of length 2"),
    (dict(kernel_size=2.0), TypeError, "kernel_size must be an integer or a tuple of length 2"),
    (dict(kernel_size=(2, 1.5)), TypeError, r"kernel_size\[1\] must be an integer"),
    (dict(filters=0), ValueError, "filters must be >= 1, got 0"),
    (dict(filters=True), TypeError, "filters must be an integer"),
    (dict(activation="rleu"), ValueError, "unknown activation 'rleu'"),
    (dict(activation=np.tanh), TypeError, "activation must be a name"),
    (dict(kernel_init="xavier"), ValueError, "unknown initializer 'xavier'"),
])
def test_bad_arguments_are_refused_naming_them(kwargs, error, message):
    arguments = {"filters": 2, "kernel_size": 3, **kwargs}
    with pytest.raises(error, match=message):
        Conv2D(**arguments)


def test_conv1d_takes_one_size_per_axis():
    assert Conv1D(2, (3,), strides=[2]).get_config()["kernel_size"] == [3]
    with pytest.raises(ValueError, match=r"kernel_size must be an integer or a tuple of length 1 "
                                         r"\(e.g. 3\), got \(3, 3\)"):
        Conv1D(2, (3, 3))
