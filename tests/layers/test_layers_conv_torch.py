"""Parity of ``Conv2D``/``Conv1D`` with ``torch.nn.functional.conv2d``/``conv1d`` (float64).

For random shapes, kernels, strides and paddings, the same weights give the
same output and the same gradients dL/dx, dL/dkernel, dL/dbias to 1e-5, for
``L = sum(y * G)`` with a random ``G``.

PyTorch is channels first: images ``(batch, channels, height, width)`` and
weights ``(out_channels, in_channels, kh, kw)``, so arrays are transposed on the
way in and out. Keras's ``"same"`` puts the odd zero at the bottom/right, which
torch's symmetric ``padding=`` cannot express for every stride: the zeros are
added with ``F.pad`` (left/top = total // 2, right/bottom = the rest). Skipped
when torch is not installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from core_helpers import build_layer  # noqa: E402
from plainnet import Conv1D, Conv2D  # noqa: E402

TOL = 1e-5


def keras_padding(size: int, kernel: int, stride: int, padding: str) -> tuple[int, int]:
    """Zeros before/after one axis, from Keras's rule (written here independently)."""
    if padding == "valid":
        return 0, 0
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def random_config(rng: np.random.Generator, rank: int) -> dict:
    kernel = tuple(int(k) for k in rng.integers(1, 5, size=rank))
    strides = tuple(int(s) for s in rng.integers(1, 4, size=rank))
    padding = str(rng.choice(["valid", "same"]))
    # sizes from 1 to kernel + 6 ("same"), at least the kernel ("valid")
    low = [1 if padding == "same" else k for k in kernel]
    spatial = tuple(int(rng.integers(lo, k + 7)) for lo, k in zip(low, kernel))
    return dict(filters=int(rng.integers(1, 5)), kernel_size=kernel, strides=strides,
                padding=padding, spatial=spatial, channels=int(rng.integers(1, 4)),
                batch=int(rng.integers(1, 4)))


def tensor(array: np.ndarray, requires_grad: bool = False):
    """A torch tensor holding a contiguous copy of ``array`` (torch's backward wants that)."""
    return torch.tensor(np.ascontiguousarray(array), requires_grad=requires_grad)


def assert_close(actual: np.ndarray, expected, what: str) -> None:
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    assert actual.shape == expected.shape, what
    np.testing.assert_allclose(actual, expected, rtol=TOL, atol=TOL, err_msg=what)


CONFIGS_2D = [random_config(np.random.default_rng(seed), 2) for seed in range(24)]
CONFIGS_1D = [random_config(np.random.default_rng(100 + seed), 1) for seed in range(16)]


def describe(config: dict) -> str:
    return (f"k{config['kernel_size']}-s{config['strides']}-{config['padding']}-"
            f"in{config['spatial']}x{config['channels']}-f{config['filters']}")


@pytest.mark.parametrize("config", CONFIGS_2D, ids=[describe(c) for c in CONFIGS_2D])
def test_conv2d_matches_torch(config):
    (height, width), channels = config["spatial"], config["channels"]
    layer = build_layer(Conv2D(config["filters"], config["kernel_size"], config["strides"],
                               config["padding"], bias_init="normal"),
                        (height, width, channels))
    rng = np.random.default_rng(7)
    x = rng.normal(size=(config["batch"], height, width, channels))
    layer.bias[...] = rng.normal(size=layer.bias.shape)
    y = layer.forward(x)
    g = rng.normal(size=y.shape)
    grad_x = layer.backward(g)

    x_t = tensor(x.transpose(0, 3, 1, 2), requires_grad=True)  # (b, c, h, w)
    kernel_t = tensor(layer.kernel.transpose(3, 2, 0, 1), requires_grad=True)  # (f, c, kh, kw)
    bias_t = tensor(layer.bias, requires_grad=True)
    (kh, kw), (sh, sw) = config["kernel_size"], config["strides"]
    top, bottom = keras_padding(height, kh, sh, config["padding"])
    left, right = keras_padding(width, kw, sw, config["padding"])
    y_t = F.conv2d(F.pad(x_t, (left, right, top, bottom)), kernel_t, bias_t, stride=(sh, sw))
    (y_t * tensor(g.transpose(0, 3, 1, 2))).sum().backward()

    assert_close(y, y_t.permute(0, 2, 3, 1), "output")
    assert_close(grad_x, x_t.grad.permute(0, 2, 3, 1), "dL/dx")
    assert_close(layer.grad_kernel, kernel_t.grad.permute(2, 3, 1, 0), "dL/dkernel")
    assert_close(layer.grad_bias, bias_t.grad, "dL/dbias")


@pytest.mark.parametrize("config", CONFIGS_1D, ids=[describe(c) for c in CONFIGS_1D])
def test_conv1d_matches_torch(config):
    (time,), channels = config["spatial"], config["channels"]
    layer = build_layer(Conv1D(config["filters"], config["kernel_size"], config["strides"],
                               config["padding"], bias_init="normal"), (time, channels))
    rng = np.random.default_rng(8)
    x = rng.normal(size=(config["batch"], time, channels))
    y = layer.forward(x)
    g = rng.normal(size=y.shape)
    grad_x = layer.backward(g)

    x_t = tensor(x.transpose(0, 2, 1), requires_grad=True)  # (b, c, t)
    kernel_t = tensor(layer.kernel.transpose(2, 1, 0), requires_grad=True)  # (f, c, k)
    bias_t = tensor(layer.bias, requires_grad=True)
    (k,), (s,) = config["kernel_size"], config["strides"]
    before, after = keras_padding(time, k, s, config["padding"])
    y_t = F.conv1d(F.pad(x_t, (before, after)), kernel_t, bias_t, stride=s)
    (y_t * tensor(g.transpose(0, 2, 1))).sum().backward()

    assert_close(y, y_t.permute(0, 2, 1), "output")
    assert_close(grad_x, x_t.grad.permute(0, 2, 1), "dL/dx")
    assert_close(layer.grad_kernel, kernel_t.grad.permute(2, 1, 0), "dL/dkernel")
    assert_close(layer.grad_bias, bias_t.grad, "dL/dbias")


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize("kernel_size", [(2, 2), (4, 3), (3, 4), (1, 2)])
def test_same_with_stride_1_is_torchs_own_same_padding(kernel_size):
    """At stride 1 torch's ``padding="same"`` also puts the odd zero after: the same numbers."""
    layer = build_layer(Conv2D(3, kernel_size, padding="same", bias_init="normal"), (5, 6, 2))
    x = np.random.default_rng(9).normal(size=(2, 5, 6, 2))
    y_t = F.conv2d(tensor(x.transpose(0, 3, 1, 2)), tensor(layer.kernel.transpose(3, 2, 0, 1)),
                   tensor(layer.bias), padding="same")
    assert_close(layer.forward(x), y_t.permute(0, 2, 3, 1), "output")


def test_the_configurations_cover_strides_paddings_and_even_kernels():
    """The random draws include what the parity must cover (so a reseed cannot lose it)."""
    configs = CONFIGS_2D + CONFIGS_1D
    assert {c["padding"] for c in configs} == {"valid", "same"}
    assert any(max(c["strides"]) >= 2 for c in configs)
    assert any(c["padding"] == "same" and any(k % 2 == 0 for k in c["kernel_size"])
               and any(s >= 2 for s in c["strides"]) for c in configs)
    assert any(c["padding"] == "same" and any(k > n for k, n in zip(c["kernel_size"],
                                                                     c["spatial"]))
               for c in configs)
