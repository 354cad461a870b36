"""``FusedStep``: plainnet's update rules fused and in place, bit for bit the plain rules.

Each built-in optimizer steps one packed vector of several blocks (the sizes are
chosen so that blocks end inside arrays and the last block is partial) with
``FusedStep``, and a copy of the same parameters as separate arrays with the
optimizer's own ``step`` (the formula in ``plainnet.optimizers``). Parameters
and state must agree to the last bit, in float32 and float64, step after step.
"""

from __future__ import annotations

import numpy as np
import pytest

import plainnet.training.fused as fused_module
from plainnet import Dense, Sequential
from plainnet.optimizers import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop
from plainnet.schedules import ExponentialDecay
from plainnet.training.fused import BLOCK_BYTES, FUSED_RULES, FusedStep, block_size
from plainnet.training.packing import PackedParameters

OPTIMIZERS = {
    "sgd": lambda: SGD(0.05),
    "momentum": lambda: SGD(0.05, momentum=0.9),
    "nesterov": lambda: SGD(0.05, momentum=0.9, nesterov=True),
    "adam": lambda: Adam(0.01),
    "adam-betas": lambda: Adam(0.02, beta_1=0.5, beta_2=0.7, epsilon=1e-3),
    "adam-schedule": lambda: Adam(ExponentialDecay(0.01, decay_steps=1, decay_rate=0.7)),
    "adamw": lambda: AdamW(0.01, weight_decay=0.1),
    "rmsprop": lambda: RMSprop(0.01, rho=0.8),
    "adagrad": lambda: Adagrad(0.05, initial_accumulator_value=0.1),
}


def packed_model(dtype, hidden=257, n_inputs=301):
    """A model of 78,388 parameters: 2 float32 blocks, 3 float64 blocks, the last partial."""
    model = Sequential([Dense(hidden, bias_init="normal"), Dense(3)], seed=0, dtype=dtype,
                       input_shape=(n_inputs,))
    return model, PackedParameters(model.layers, np.dtype(dtype))


def segment_views(flat, packed):
    return [flat[start:stop].reshape(shape) for _, start, stop, shape in packed.segments]


@pytest.mark.parametrize("block_bytes", [65_536, BLOCK_BYTES], ids=["blocks", "one-block"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_fused_steps_are_bit_identical_to_the_plain_rule(name, dtype, block_bytes,
                                                         monkeypatch):
    monkeypatch.setattr(fused_module, "BLOCK_BYTES", block_bytes)
    _, packed = packed_model(dtype)
    size = packed.param.size
    if block_bytes < BLOCK_BYTES:  # several blocks, the last one short
        assert size > block_size(dtype) and size % block_size(dtype)
    else:
        assert size <= block_size(dtype)
    fused, plain = OPTIMIZERS[name](), OPTIMIZERS[name]()
    step = FusedStep(fused, packed)
    assert step.rule is FUSED_RULES[type(fused)]  # the fused path, not the plain fallback
    names = [segment[0] for segment in packed.segments]
    params = [view.copy() for view in segment_views(packed.param, packed)]  # separate arrays
    rng = np.random.default_rng(0)
    for _ in range(4):
        grad = rng.normal(size=size).astype(dtype)
        grad[::7] = 0.0  # some zero gradients (Adagrad's and RMSprop's sqrt(0) + eps)
        packed.grad[...] = grad
        step()
        plain.step(list(zip(names, params, segment_views(grad, packed))))
        for key, a, b in zip(names, params, segment_views(packed.param, packed)):
            assert a.dtype == b.dtype == dtype
            np.testing.assert_array_equal(b, a, err_msg=f"{name} {key}")
    assert fused.iterations == plain.iterations == 4
    plain_state = {key: slots for key, slots in plain.state.items() if slots}  # SGD: none
    assert {key for key, slots in fused.state.items() if slots} == plain_state.keys()
    for key, slots in plain_state.items():
        assert fused.state[key].keys() == slots.keys()
        for slot, array in slots.items():
            np.testing.assert_array_equal(fused.state[key][slot], array, err_msg=(key, slot))
            assert fused.state[key][slot].dtype == dtype


def test_block_size_is_a_fixed_number_of_bytes():
    for dtype in (np.float32, np.float64):
        assert block_size(dtype) * np.dtype(dtype).itemsize == BLOCK_BYTES
    assert block_size(np.float32) == 2 * block_size(np.float64)


def test_the_state_is_views_into_one_vector_per_slot():
    _, packed = packed_model(np.float64)
    optimizer = Adam(0.01)
    step = FusedStep(optimizer, packed)
    packed.grad[...] = 1.0
    step()
    m = [optimizer.state[name]["m"] for name, *_ in packed.segments]
    flat = m[0].base
    assert flat is not None and flat.size == packed.param.size
    assert all(array.base is flat for array in m)
    np.testing.assert_allclose(m[0], 0.1)


def test_state_replaced_from_outside_is_taken_over():
    """Loading, ``reset()`` or the plain ``step`` replace the state arrays: the next fused
    step starts from what ``optimizer.state`` holds then."""
    _, packed = packed_model(np.float64)
    fused, plain = Adam(0.01), Adam(0.01)
    step = FusedStep(fused, packed)
    names = [segment[0] for segment in packed.segments]
    params = [view.copy() for view in segment_views(packed.param, packed)]
    rng = np.random.default_rng(1)
    grad = rng.normal(size=packed.param.size)
    packed.grad[...] = grad
    step()
    plain.step(list(zip(names, params, segment_views(grad, packed))))
    # as a loaded file would: new, separate arrays with the same values
    fused.state = {key: {slot: a.copy() * 1.0 for slot, a in slots.items()}
                   for key, slots in fused.state.items()}
    grad = rng.normal(size=packed.param.size)
    packed.grad[...] = grad
    step()
    plain.step(list(zip(names, params, segment_views(grad, packed))))
    for a, b in zip(params, segment_views(packed.param, packed)):
        np.testing.assert_array_equal(b, a)
    fused.reset()
    plain.reset()
    step()
    plain.step(list(zip(names, params, segment_views(grad, packed))))
    for a, b in zip(params, segment_views(packed.param, packed)):
        np.testing.assert_array_equal(b, a)
    assert fused.iterations == 1


class MySGD(Optimizer):
    def update(self, p, g, state, lr):
        return p - lr * g


class SubclassedAdam(Adam):
    """Same rule; a subclass may have its own, so it takes the plain path."""


@pytest.mark.parametrize("make", [lambda: MySGD(0.1), SubclassedAdam,
                                  lambda: Adam(0.01, clipnorm=0.5),
                                  lambda: SGD(0.1, clipnorm=1.0)],
                         ids=["own-optimizer", "subclass", "adam-clipnorm", "sgd-clipnorm"])
def test_other_optimizers_take_their_own_step_on_the_packed_views(make):
    _, packed = packed_model(np.float64, hidden=9, n_inputs=5)
    optimizer, plain = make(), make()
    step = FusedStep(optimizer, packed)
    assert step.rule is None
    names = [segment[0] for segment in packed.segments]
    params = [view.copy() for view in segment_views(packed.param, packed)]
    grad = np.random.default_rng(0).normal(size=packed.param.size) * 3
    for _ in range(2):
        packed.grad[...] = grad
        step()
        plain.step(list(zip(names, params, segment_views(grad, packed))))
    for a, b in zip(params, segment_views(packed.param, packed)):
        np.testing.assert_array_equal(b, a)


@pytest.mark.parametrize("make", [lambda: Adam(0.1), lambda: MySGD(0.1)], ids=["fused", "plain"])
def test_undo_puts_back_the_parameters_of_before_the_last_step(make):
    _, packed = packed_model(np.float32)
    step = FusedStep(make(), packed)
    step.undo()  # no step yet: nothing to undo
    initial = packed.param.copy()
    packed.grad[...] = 1.0
    step()
    after_one = packed.param.copy()
    assert not np.array_equal(after_one, initial)
    step()
    step.undo()
    np.testing.assert_array_equal(packed.param, after_one)
