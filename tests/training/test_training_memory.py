"""Memory: ``fit`` works on the data in place, and input checks make no full-size temporaries.

Measured with ``tracemalloc``, which sees NumPy's array allocations. The
target (issue 7): what ``fit`` allocates beyond the data stays under 20 % of
the data's size, and at most one converted copy is made when the dtype differs.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from plainnet import Dense, Sequential
from plainnet._validation import all_finite, check_X, count_non_finite


def peak_allocated(function) -> int:
    """Peak bytes allocated while ``function()`` runs, beyond what existed before."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def mnist_like(n=20_000, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 784), dtype=np.float32).astype(dtype), rng.integers(0, 10, n)


def small_model(dtype=np.float32):
    net = Sequential([Dense(784, 16, activation="relu"), Dense(16, 10, activation="softmax")],
                     seed=0, dtype=dtype)
    net.compile("categorical_crossentropy", "sgd", metrics=["accuracy"])
    return net


def test_fit_allocates_under_a_fifth_of_the_data():
    X, y = mnist_like()
    net = small_model()
    extra = peak_allocated(lambda: net.fit(X, y, epochs=1, batch_size=256, verbose=0,
                                           validation_split=0.1))
    assert extra < 0.2 * X.nbytes, f"fit allocated {extra / X.nbytes:.1%} of the data's size"


def test_fit_on_another_dtype_makes_one_converted_copy():
    X, y = mnist_like(n=10_000, dtype=np.float64)
    net = small_model(np.float32)
    extra = peak_allocated(lambda: net.fit(X, y, epochs=1, batch_size=256, verbose=0))
    converted = X.size * 4  # one float32 copy
    assert converted <= extra < converted + 0.2 * X.nbytes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_input_checks_make_no_full_size_temporary(dtype):
    X, _ = mnist_like(n=10_000, dtype=dtype)
    extra = peak_allocated(lambda: check_X(X, 784, np.dtype(dtype)))
    assert extra < 0.02 * X.nbytes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_all_finite_finds_one_bad_value_in_a_large_array(dtype, bad):
    a = np.ones((300, 400), dtype=dtype)
    assert all_finite(a)
    a[-1, -1] = bad
    assert not all_finite(a) and count_non_finite(a) == 1
    assert not all_finite(a[:, 1::2].T) and all_finite(a[:, ::2].T)  # strided views too
    a[0, 0] = bad
    assert count_non_finite(a) == 2 and count_non_finite(a.T) == 2


def test_all_finite_with_huge_finite_values_whose_sum_overflows():
    a = np.full(200_000, 1e308)
    with np.errstate(over="raise"):  # nothing may warn or raise
        assert all_finite(a)
    a[5] = np.nan
    assert not all_finite(a)


def test_huge_float64_values_for_a_float32_model_are_reported_clearly():
    X = np.ones((70_000, 2))
    X[3, 1] = 1e300
    net = Sequential([Dense(2, 1)], seed=0)
    with pytest.raises(ValueError, match="too large for float32"):
        net.predict(X)


def test_integer_labels_are_used_as_they_are():
    from plainnet.losses import CategoricalCrossEntropy

    y = np.arange(1000, dtype=np.intp) % 10
    assert CategoricalCrossEntropy().prepare_targets(y, 10, np.dtype(np.float32)) is y
    with pytest.raises(ValueError, match=r"labels in \[0, 9\].*from 0 to 10"):
        CategoricalCrossEntropy().prepare_targets(np.append(y, 10), 10, np.dtype(np.float32))
