"""Every layer type of ``plainnet.layers.LAYER_TYPES`` through the layer-contract harness.

The checks themselves are in ``layer_contract.py``; a new layer type is covered
by adding a line to its ``CASES``.
"""

from __future__ import annotations

import numpy as np
import pytest
from layer_contract import (
    CASES,
    LayerCase,
    case_ids,
    check_config_round_trip,
    check_copies,
    check_dtype,
    check_gradients,
    check_save_load,
    check_shapes,
)

from plainnet.layers import LAYER_TYPES, Dense, Layer, Sigmoid, Tanh


@pytest.mark.parametrize("type_name", sorted(LAYER_TYPES))
def test_every_layer_type_goes_through_the_harness(type_name):
    covered = {case.type_name for case in CASES}
    assert type_name in covered, (
        f"{type_name} is in plainnet.layers.LAYER_TYPES but has no case in the layer-contract "
        "harness: add it to CASES in tests/layers/layer_contract.py")
    cls = LAYER_TYPES[type_name]
    assert issubclass(cls, Layer) and cls.__name__ == type_name


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_each_case_is_a_registered_layer_type(case):
    assert LAYER_TYPES.get(case.type_name) is type(case.make()), (
        f"{case.type_name} is not in plainnet.layers.LAYER_TYPES, so a saved model holding it "
        "cannot be loaded")



@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_shapes(case):
    check_shapes(case)


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_config_round_trip(case):
    check_config_round_trip(case)


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_copies_drop_the_cache(case):
    check_copies(case)


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_save_load_round_trip(case, tmp_path):
    check_save_load(case, tmp_path)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_dtype_is_kept(case, dtype):
    check_dtype(case, dtype)


@pytest.mark.parametrize("training", [False, True], ids=["inference", "training"])
@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_gradients_match_finite_differences(case, training):
    for batch in case.batch_sizes:
        check_gradients(case, training, batch)


# ------------------------------------------------------- the harness can fail
class TanhWithoutDerivative(Tanh):
    def backward(self, grad_output):
        return grad_output


class DenseWithMeanBiasGradient(Dense):
    def backward(self, grad_output):
        grad_input = super().backward(grad_output)
        self.grad_bias = grad_output.mean(axis=0)
        return grad_input


class DenseAccumulating(Dense):
    def backward(self, grad_output):
        previous = self.grad_weights.copy()
        grad_input = super().backward(grad_output)
        self.grad_weights += previous
        return grad_input


class SigmoidInFloat64(Sigmoid):
    def forward(self, x, training=False):
        return super().forward(x.astype(np.float64), training)


class DenseLosingTheTimeAxis(Dense):
    def forward(self, x, training=False):
        return super().forward(x.reshape(len(x), -1)[:, :self.n_inputs], training)


@pytest.mark.parametrize("case, check, message", [
    (LayerCase("bad-tanh", TanhWithoutDerivative, (4,), (4,)),
     lambda case: check_gradients(case, False, 3), "input gradient"),
    (LayerCase("bad-bias", lambda: DenseWithMeanBiasGradient(2), (3,), (2,)),
     lambda case: check_gradients(case, False, 3), "grad_bias"),
    (LayerCase("accumulating", lambda: DenseAccumulating(2), (3,), (2,)),
     lambda case: check_gradients(case, True, 3), "accumulates"),
    (LayerCase("float64", SigmoidInFloat64, (3,), (3,)),
     lambda case: check_dtype(case, np.float32), "output"),
    (LayerCase("n-d", lambda: DenseLosingTheTimeAxis(2), (3, 4), (3, 2)),
     check_shapes, None),
], ids=["input-gradient", "parameter-gradient", "accumulation", "dtype", "shape"])
def test_the_harness_catches_a_broken_layer(case, check, message):
    with pytest.raises(AssertionError, match=message):
        check(case)
