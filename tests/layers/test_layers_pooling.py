"""``MaxPool2D``, ``AveragePool2D``, ``GlobalAveragePool2D``: values, ties, padding, errors.

Shapes, config, save/load, dtypes and finite-difference gradients are checked by
the layer-contract harness (``test_layers_contract.py``); agreement with PyTorch
by ``test_layers_pooling_torch.py``. Here: a plain-loop reference (Keras' padding
rule written out), which element wins a tie, overlapping windows, the shapes
and the error messages.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from layer_contract import CASES, built, inputs

from core_helpers import build_layer
from plainnet import Dense, Flatten, ReLU, Sequential
from plainnet.layers import AveragePool2D, GlobalAveragePool2D, MaxPool2D


# ----------------------------------------------------------------- reference
def reference_pool(x, pool, strides, padding, kind, grad_output=None):
    """Pooling by loops over every output cell: ``(y, dL/dx)``, Keras' padding rule."""
    batch, height, width, channels = x.shape
    (ph, pw), (sh, sw) = pool, strides
    if padding == "valid":
        out_h, out_w, top, left = (height - ph) // sh + 1, (width - pw) // sw + 1, 0, 0
    else:
        out_h, out_w = -(-height // sh), -(-width // sw)
        top = max((out_h - 1) * sh + ph - height, 0) // 2
        left = max((out_w - 1) * sw + pw - width, 0) // 2
    y = np.zeros((batch, out_h, out_w, channels))
    grad_x = np.zeros(x.shape)
    for b, r, s, c in itertools.product(range(batch), range(out_h), range(out_w),
                                        range(channels)):
        cells = [(r * sh + i - top, s * sw + j - left) for i in range(ph) for j in range(pw)]
        cells = [(i, j) for i, j in cells if 0 <= i < height and 0 <= j < width]  # real ones
        values = [x[b, i, j, c] for i, j in cells]
        g = 0.0 if grad_output is None else grad_output[b, r, s, c]
        if kind == "max":
            y[b, r, s, c] = max(values)
            i, j = cells[int(np.argmax(values))]  # the first maximum, row-major
            grad_x[b, i, j, c] += g
        else:
            y[b, r, s, c] = sum(values) / len(values)
            for i, j in cells:
                grad_x[b, i, j, c] += g / len(values)
    return y, grad_x


SETTINGS = [  # pool, strides, padding, input shape: odd sizes, overlaps, gaps, both paddings
    ((2, 2), (2, 2), "valid", (5, 7, 2)),
    ((2, 2), (2, 2), "same", (5, 7, 2)),
    ((3, 3), (1, 1), "same", (4, 5, 3)),
    ((3, 2), (2, 1), "valid", (7, 4, 2)),
    ((2, 3), (1, 2), "same", (6, 5, 1)),
    ((2, 2), (3, 3), "valid", (7, 8, 2)),  # strides > pool: some elements in no window
    ((2, 2), (3, 3), "same", (7, 8, 2)),
    ((4, 4), (1, 1), "same", (3, 3, 2)),  # pool larger than the image: padding makes room
]


@pytest.mark.parametrize("cls, kind", [(MaxPool2D, "max"), (AveragePool2D, "average")])
@pytest.mark.parametrize("pool, strides, padding, shape", SETTINGS)
def test_forward_and_backward_match_a_loop_over_windows(cls, kind, pool, strides, padding,
                                                        shape):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, *shape))
    layer = build_layer(cls(pool, strides, padding), shape)
    y = layer.forward(x)
    grad_output = rng.normal(size=y.shape)
    expected_y, expected_grad = reference_pool(x, pool, strides, padding, kind, grad_output)
    np.testing.assert_allclose(y, expected_y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.backward(grad_output), expected_grad, rtol=1e-12,
                               atol=1e-12)
    assert y.shape[1:] == layer.output_shape == layer.compute_output_shape(shape)


# ---------------------------------------------------------------------- max
@pytest.mark.parametrize("case", [case for case in CASES if case.type_name == "MaxPool2D"],
                         ids=lambda case: case.id)
def test_harness_inputs_of_max_pool_cases_have_no_ties(case):
    """Finite differences need one clear winner per window (a gap far above eps = 1e-6)."""
    for batch in case.batch_sizes:  # the inputs check_gradients uses
        layer = built(case, seed=batch)
        windows = layer.windows(inputs(case, batch, seed=batch))
        top_two = np.sort(windows.reshape(*windows.shape[:4], -1), axis=-1)[..., -2:]
        assert (top_two[..., 1] - top_two[..., 0]).min() > 1e-3, case.id


@pytest.mark.parametrize("window, winner", [
    ([[1.0, 1.0], [1.0, 1.0]], (0, 0)),   # all equal: the first
    ([[0.0, 2.0], [2.0, 1.0]], (0, 1)),   # first in row-major order, not column-major
    ([[0.0, -1.0], [3.0, 3.0]], (1, 0)),
])
def test_a_tie_gives_the_whole_gradient_to_the_first_maximum_in_row_major_order(window,
                                                                                winner):
    layer = build_layer(MaxPool2D(2), (2, 2, 1))
    x = np.array(window).reshape(1, 2, 2, 1)
    assert layer.forward(x)[0, 0, 0, 0] == np.max(window)
    grad = layer.backward(np.full((1, 1, 1, 1), 5.0))[0, :, :, 0]
    expected = np.zeros((2, 2))
    expected[winner] = 5.0
    np.testing.assert_array_equal(grad, expected)


def test_overlapping_windows_add_up_at_an_element_that_wins_several():
    x = np.zeros((1, 4, 4, 1))
    x[0, 1, 2, 0] = 9.0  # inside all four 3x3 windows (stride 1)
    layer = build_layer(MaxPool2D(3, strides=1), (4, 4, 1))
    np.testing.assert_array_equal(layer.forward(x), np.full((1, 2, 2, 1), 9.0))
    grad_output = np.array([1.0, 2.0, 3.0, 4.0]).reshape(1, 2, 2, 1)
    grad = layer.backward(grad_output)
    assert grad[0, 1, 2, 0] == 10.0
    assert np.count_nonzero(grad) == 1


def test_same_padding_never_wins_even_when_every_real_value_is_negative():
    x = -np.arange(1.0, 10.0).reshape(1, 3, 3, 1)  # -1 ... -9
    layer = build_layer(MaxPool2D(2, padding="same"), (3, 3, 1), dtype=np.float32)
    y = layer.forward(x.astype(np.float32))
    # windows: rows {0, 1}, {2, pad}; columns {0, 1}, {2, pad}
    np.testing.assert_array_equal(y[0, :, :, 0], [[-1.0, -3.0], [-7.0, -9.0]])
    assert y.dtype == np.float32 and np.isfinite(y).all()
    grad = layer.backward(np.ones_like(y))
    assert np.isfinite(grad).all() and grad.sum() == 4.0


# ------------------------------------------------------------------ average
def test_average_pool_same_divides_by_the_real_elements_only():
    x = np.arange(1.0, 10.0).reshape(1, 3, 3, 1)  # [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    layer = build_layer(AveragePool2D(2, padding="same"), (3, 3, 1))
    y = layer.forward(x)[0, :, :, 0]
    np.testing.assert_array_equal(y, [[(1 + 2 + 4 + 5) / 4, (3 + 6) / 2],
                                      [(7 + 8) / 2, 9.0]])
    grad = layer.backward(np.ones((1, 2, 2, 1)))[0, :, :, 0]
    np.testing.assert_array_equal(grad, [[0.25, 0.25, 0.5], [0.25, 0.25, 0.5], [0.5, 0.5, 1.0]])


def test_global_average_pool_is_the_mean_of_each_channel():
    x = np.random.default_rng(0).normal(size=(3, 4, 5, 2))
    layer = build_layer(GlobalAveragePool2D(), (4, 5, 2))
    np.testing.assert_allclose(layer.forward(x), x.mean(axis=(1, 2)), rtol=1e-15)
    g = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    grad = layer.backward(g)
    np.testing.assert_array_equal(grad, np.broadcast_to(g[:, None, None, :] / 20, x.shape))
    grad[0, 0, 0, 0] = 7.0  # a real array the layer below may change, not a broadcast view


# ------------------------------------------------------------------- shapes
@pytest.mark.parametrize("layer, input_shape, output_shape", [
    (MaxPool2D(), (28, 28, 6), (14, 14, 6)),
    (MaxPool2D(2), (5, 7, 3), (2, 3, 3)),                       # floor((in - 2) / 2) + 1
    (MaxPool2D(2, padding="same"), (5, 7, 3), (3, 4, 3)),       # ceil(in / 2)
    (MaxPool2D((3, 1), strides=(1, 2)), (5, 7, 1), (3, 4, 1)),
    (AveragePool2D(3, strides=1, padding="same"), (5, 7, 4), (5, 7, 4)),
    (AveragePool2D(5), (5, 5, 2), (1, 1, 2)),
    (AveragePool2D(6, padding="same"), (5, 5, 2), (1, 1, 2)),   # pool > image, padded
    (MaxPool2D(2), (None, 8, 3), (None, 4, 3)),                 # unknown height stays unknown
    (GlobalAveragePool2D(), (7, 3, 5), (5,)),
    (GlobalAveragePool2D(), (None, None, 5), (5,)),
])
def test_compute_output_shape_allocates_nothing(layer, input_shape, output_shape):
    before = dict(vars(layer))
    assert layer.compute_output_shape(input_shape) == output_shape
    assert vars(layer) == before and not layer.built


def test_strides_default_to_the_pool_and_config_holds_lists():
    assert MaxPool2D(3).get_config() == {"pool_size": [3, 3], "strides": [3, 3],
                                         "padding": "valid"}
    layer = AveragePool2D([2, 3], strides=np.int64(1), padding="same")
    assert (layer.pool_size, layer.strides) == ((2, 3), (1, 1))
    assert GlobalAveragePool2D().get_config() == {}


def test_names_in_a_model_and_summary():
    model = Sequential([MaxPool2D(), AveragePool2D(), MaxPool2D(), GlobalAveragePool2D(),
                        Dense(2)], input_shape=(8, 8, 3))
    assert [layer.name for layer in model.layers] == [
        "max_pool2d", "average_pool2d", "max_pool2d_1", "global_average_pool2d", "dense"]
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "max_pool2d (MaxPool2D)" in text and "(None, 4, 4, 3)" in text
    assert "global_average_pool2d (GlobalAveragePool2D)" in text and "Total params: 8" in text


def test_a_model_with_pooling_trains():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 6, 6, 2))
    y = (X[:, :3].mean(axis=(1, 2, 3)) > X[:, 3:].mean(axis=(1, 2, 3))).astype(float)
    model = Sequential([AveragePool2D(3, strides=1, padding="same"), MaxPool2D(3, strides=2),
                        Flatten(), Dense(8), ReLU(), Dense(1)], seed=0)
    model.compile(loss="mse", optimizer="adam")
    history = model.fit(X, y, epochs=15, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize("make, error, message", [
    (lambda: MaxPool2D(0), ValueError, r"MaxPool2D: pool_size must be >= 1, got 0"),
    (lambda: MaxPool2D(2, strides=0), ValueError, r"MaxPool2D: strides must be >= 1, got 0"),
    (lambda: AveragePool2D(2, strides=(1, 0)), ValueError,
     r"AveragePool2D: strides\[1\] must be >= 1, got 0"),
    (lambda: MaxPool2D(padding="smae"), ValueError,
     r"MaxPool2D: padding must be one of \['valid', 'same'\], got 'smae'"),
    (lambda: MaxPool2D((2, 2, 2)), ValueError,
     r"MaxPool2D: pool_size must be an integer or a tuple of 2 integers \(height, width\)"),
    (lambda: AveragePool2D(2.0), TypeError, r"AveragePool2D: pool_size must be an integer"),
    (lambda: MaxPool2D(True), TypeError, r"MaxPool2D: pool_size must be an integer"),
    (lambda: MaxPool2D(padding=None), TypeError, r"MaxPool2D: padding must be one of"),
])
def test_bad_arguments_are_refused_by_the_constructor(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("layers, input_shape, message", [
    ([MaxPool2D()], (28, 28),
     r"^max_pool2d expects inputs of shape \(height, width, channels\), got \(28, 28\)$"),
    ([Dense(4), GlobalAveragePool2D()], (3,),
     r"^global_average_pool2d expects inputs of shape \(height, width, channels\), "
     r"got \(4,\)$"),
    ([MaxPool2D(), AveragePool2D(3)], (5, 9, 1),
     r"^average_pool2d pool_size \(3, 3\) does not fit inputs of shape \(2, 4, 1\): the "
     r"height 2 is smaller than the pool 3 \(padding='valid'; use a smaller pool or "
     r"padding='same'\)$"),
    ([MaxPool2D((1, 4))], (5, 3, 2), r"^max_pool2d pool_size \(1, 4\) .* the width 3 is"),
])
def test_shapes_that_do_not_fit_fail_at_build_time_naming_the_layer(layers, input_shape,
                                                                     message):
    with pytest.raises(ValueError, match=message):
        Sequential(layers, input_shape=input_shape)
    assert not any(layer.built for layer in layers)


def test_data_of_the_wrong_rank_fails_before_any_arithmetic():
    model = Sequential([MaxPool2D()])
    with pytest.raises(ValueError, match=r"max_pool2d expects inputs of shape \(height, width, "
                                         r"channels\), got \(6,\)"):
        model.predict(np.ones((3, 6)))
    assert not model.built
