"""Tests for plainnet.data.split: train_test_split and batches."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plainnet.data import batches, train_test_split


def _rows(n: int) -> tuple[np.ndarray, np.ndarray]:
    """X whose row i is [i, 10 i] and y = i, so alignment can be checked."""
    index = np.arange(n)
    return np.column_stack([index, 10 * index]).astype(float), index


@pytest.mark.parametrize(
    ("n", "test_size", "n_test"), [(100, 0.25, 25), (10, 0.25, 3), (100, 0.07, 7), (10, 4, 4)]
)
def test_split_sizes_disjoint_cover_and_aligned(n, test_size, n_test):
    X, y = _rows(n)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, seed=0)
    assert len(X_test) == len(y_test) == n_test
    assert len(X_train) == len(y_train) == n - n_test
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == list(range(n))
    np.testing.assert_array_equal(X_train[:, 0], y_train)
    np.testing.assert_array_equal(X_test[:, 1], 10 * y_test)


def test_split_shuffles_deterministically():
    X, y = _rows(50)
    first = train_test_split(X, y, seed=1)
    second = train_test_split(X, y, seed=1)
    other = train_test_split(X, y, seed=2)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[3], other[3])
    assert not np.all(np.diff(first[2]) > 0)  # training order is shuffled


def test_split_without_shuffle_keeps_order_and_puts_tail_in_test():
    X, y = _rows(10)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=3, shuffle=False)
    assert y_train.tolist() == list(range(7)) and y_test.tolist() == [7, 8, 9]


def test_stratified_split_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [60, 30, 10])
    X = np.arange(100)[:, None]
    _, _, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=True, seed=0)
    assert np.bincount(y_test).tolist() == [12, 6, 2]
    assert np.bincount(y_train).tolist() == [48, 24, 8]


def test_stratify_with_separate_group_array():
    y = np.arange(40)  # unique targets: stratify on groups instead
    groups = np.repeat([0, 1], [30, 10])
    _, _, y_train, y_test = train_test_split(y[:, None], y, test_size=0.5, stratify=groups, seed=0)
    assert np.bincount(groups[y_test]).tolist() == [15, 5]
    assert np.bincount(groups[y_train]).tolist() == [15, 5]


def test_stratified_split_without_shuffle_takes_last_of_each_class():
    y = np.array([0, 1, 0, 1, 0, 1, 0, 1])
    X_train, X_test, y_train, y_test = train_test_split(
        np.arange(8), y, test_size=4, stratify=True, shuffle=False
    )
    assert X_train.tolist() == [0, 1, 2, 3] and X_test.tolist() == [4, 5, 6, 7]
    assert y_train.tolist() == [0, 1, 0, 1] and y_test.tolist() == [0, 1, 0, 1]


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 30), min_size=1, max_size=6),
    fraction=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**32 - 1),
)
def test_stratified_split_property(counts, fraction, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    n = len(y)
    n_test = int(np.ceil(round(fraction * n, 9)))
    if not 0 < n_test < n:
        with pytest.raises(ValueError):
            train_test_split(y, y, test_size=fraction, stratify=True, seed=seed)
        return
    _, _, y_train, y_test = train_test_split(y, y, test_size=fraction, stratify=True, seed=seed)
    assert len(y_test) == n_test and len(y_train) == n - n_test
    test_counts = np.bincount(y_test, minlength=len(counts))
    ideal = np.array(counts) * n_test / n
    assert np.all(np.abs(test_counts - ideal) < 1.0)  # each class within one of its share
    np.testing.assert_array_equal(test_counts + np.bincount(y_train, minlength=len(counts)), counts)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"test_size": 0}, ValueError),
        ({"test_size": 10}, ValueError),
        ({"test_size": 12}, ValueError),
        ({"test_size": -1}, ValueError),
        ({"test_size": 0.0}, ValueError),
        ({"test_size": 1.0}, ValueError),
        ({"test_size": 0.99}, ValueError),  # ceil(9.9) = 10 leaves no training data
        ({"test_size": "0.2"}, TypeError),
        ({"test_size": True}, TypeError),
        ({"stratify": np.zeros(3)}, ValueError),
        ({"shuffle": "yes"}, TypeError),
        ({"seed": "0"}, TypeError),
    ],
)
def test_split_validation(kwargs, error):
    X, y = _rows(10)
    with pytest.raises(error):
        train_test_split(X, y, **kwargs)


def test_split_rejects_length_mismatch():
    with pytest.raises(ValueError, match="10 and 9"):
        train_test_split(np.zeros((10, 2)), np.zeros(9))


@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_cover_every_sample_once(shuffle):
    X, y = _rows(103)
    parts = list(batches(X, y, batch_size=10, shuffle=shuffle, seed=0))
    assert [len(xb) for xb, _ in parts] == [10] * 10 + [3]
    seen = np.concatenate([yb for _, yb in parts])
    assert sorted(seen.tolist()) == list(range(103))
    for xb, yb in parts:  # rows stay paired with their targets
        np.testing.assert_array_equal(xb[:, 0], yb)
    assert (seen.tolist() == list(range(103))) is not shuffle


def test_unshuffled_batches_are_views():
    X, y = _rows(20)
    for xb, yb in batches(X, y, batch_size=8):
        assert np.shares_memory(xb, X) and np.shares_memory(yb, y)


def test_shuffled_batches_are_deterministic_per_seed():
    X = np.arange(50)
    first = np.concatenate([xb for xb, _ in batches(X, batch_size=8, shuffle=True, seed=3)])
    again = np.concatenate([xb for xb, _ in batches(X, batch_size=8, shuffle=True, seed=3)])
    other = np.concatenate([xb for xb, _ in batches(X, batch_size=8, shuffle=True, seed=4)])
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_batches_without_targets_and_large_batch():
    parts = list(batches(np.ones((5, 2)), batch_size=100))
    assert len(parts) == 1
    assert parts[0][0].shape == (5, 2) and parts[0][1] is None


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"y": np.zeros(9)}, ValueError),
        ({"batch_size": 0}, ValueError),
        ({"batch_size": "8"}, TypeError),
        ({"batch_size": 8.0}, TypeError),
        ({"shuffle": 1}, TypeError),
    ],
)
def test_batches_validate_when_called(kwargs, error):
    with pytest.raises(error):
        batches(np.zeros((10, 2)), **kwargs)  # no iteration needed to get the error
