"""Weight initializers: how a layer's parameters start.

Each initializer is a function ``init(shape, rng, dtype) -> array``. For a
``Dense`` weight matrix of shape ``(fan_in, fan_out)``:

===============  ==========================================  ==========================
name             distribution                                scale
===============  ==========================================  ==========================
glorot_uniform   U(-limit, limit)                            limit = sqrt(6 / (in + out))
glorot_normal    N(0, std**2)                                std = sqrt(2 / (in + out))
he_uniform       U(-limit, limit)                            limit = sqrt(6 / in)
he_normal        N(0, std**2)                                std = sqrt(2 / in)
normal           N(0, 1), the tutorial's ``np.random.randn``
uniform          U(-0.05, 0.05), Keras's start for embeddings
orthogonal       a random orthogonal matrix                  gain 1
zeros            all zeros
ones             all ones
===============  ==========================================  ==========================

A convolution kernel ``(kh, kw, in_channels, filters)`` counts its receptive
field: ``fan_in = kh * kw * in_channels``, ``fan_out = kh * kw * filters``.

Glorot (Xavier) keeps the variance of activations roughly constant through
sigmoid/tanh layers; He does the same for ReLU layers, which zero half
their inputs. (Keras and PyTorch use untruncated normals with these same
standard deviations for the ``*_normal`` forms here.)

``orthogonal`` is the usual start for the recurrent weights of an RNN: an
orthogonal ``U`` keeps the length of ``h @ U``, so repeating it over many time
steps neither blows the state up nor shrinks it to nothing (Saxe et al., 2014).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._validation import lookup

Initializer = Callable[[tuple[int, ...], np.random.Generator, np.dtype], np.ndarray]

__all__ = [
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "normal",
    "ones",
    "orthogonal",
    "uniform",
    "zeros",
]


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of ``shape``; a 1-D shape counts as (n, n).

    A convolution kernel ``(kh, kw, in_channels, out_channels)`` (or ``(k,
    in_channels, out_channels)``) connects each output to a whole receptive
    field: ``fan_in = kh * kw * in_channels``, ``fan_out = kh * kw *
    out_channels`` (as Keras and PyTorch count them).
    """
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = int(np.prod(shape[:-2]))  # kh * kw (or k)
    return receptive_field * shape[-2], receptive_field * shape[-1]


def _uniform(limit: float, shape, rng, dtype) -> np.ndarray:
    return rng.uniform(-limit, limit, size=shape).astype(dtype, copy=False)


def _normal(std: float, shape, rng, dtype) -> np.ndarray:
    return (std * rng.standard_normal(size=shape)).astype(dtype, copy=False)


def glorot_uniform(shape, rng, dtype=np.float32) -> np.ndarray:
    """Uniform on ``[-limit, limit]`` with ``limit = sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _fans(shape)
    return _uniform(np.sqrt(6.0 / (fan_in + fan_out)), shape, rng, dtype)


def glorot_normal(shape, rng, dtype=np.float32) -> np.ndarray:
    """Normal with ``std = sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _fans(shape)
    return _normal(np.sqrt(2.0 / (fan_in + fan_out)), shape, rng, dtype)


def he_uniform(shape, rng, dtype=np.float32) -> np.ndarray:
    """Uniform on ``[-limit, limit]`` with ``limit = sqrt(6 / fan_in)``."""
    fan_in, _ = _fans(shape)
    return _uniform(np.sqrt(6.0 / fan_in), shape, rng, dtype)


def he_normal(shape, rng, dtype=np.float32) -> np.ndarray:
    """Normal with ``std = sqrt(2 / fan_in)``."""
    fan_in, _ = _fans(shape)
    return _normal(np.sqrt(2.0 / fan_in), shape, rng, dtype)


def normal(shape, rng, dtype=np.float32) -> np.ndarray:
    """Standard normal ``N(0, 1)``, as the tutorial's ``np.random.randn``."""
    return _normal(1.0, shape, rng, dtype)


def uniform(shape, rng, dtype=np.float32) -> np.ndarray:
    """Uniform on ``[-0.05, 0.05]`` (Keras's ``RandomUniform()``, its default for embeddings)."""
    return _uniform(0.05, shape, rng, dtype)


def orthogonal(shape, rng, dtype=np.float32) -> np.ndarray:
    """A random orthogonal matrix: orthonormal columns (or rows, if it is wide).

    The Q of the QR decomposition of a standard normal matrix, with the signs
    of its columns fixed by the diagonal of R so that Q is uniformly
    distributed (Mezzadri, 2007)::

        A = N(0, 1) of shape (max(n, m), min(n, m))
        Q, R = qr(A);  Q = Q * sign(diag(R))        # Q.T @ Q = I
        weights = Q  (or Q.T when n < m)              # (n, m)

    A shape with more than two axes is treated as ``(prod(shape[:-1]), shape[-1])``.
    """
    rows, cols = int(np.prod(shape[:-1])), int(shape[-1])
    a = rng.standard_normal(size=(max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)  # q: (max, min) with orthonormal columns
    q = q * np.sign(np.diag(r))  # a sign per column: uniform over orthogonal matrices
    if rows < cols:
        q = q.T  # (min, max): orthonormal rows
    return q.reshape(shape).astype(dtype, copy=False)


def zeros(shape, rng=None, dtype=np.float32) -> np.ndarray:
    """All zeros (the usual choice for biases)."""
    return np.zeros(shape, dtype=dtype)


def ones(shape, rng=None, dtype=np.float32) -> np.ndarray:
    """All ones (the usual start for batch-normalisation scales)."""
    return np.ones(shape, dtype=dtype)


_REGISTRY: dict[str, Initializer] = {
    f.__name__: f
    for f in (glorot_uniform, glorot_normal, he_uniform, he_normal, normal, uniform, orthogonal,
              zeros, ones)
}


def get(name: str) -> Initializer:
    """Return the initializer called ``name`` (e.g. ``"he_normal"``)."""
    if not isinstance(name, str):
        raise TypeError(f"initializer must be a name such as 'glorot_uniform', got {name!r}")
    return lookup("initializer", name, _REGISTRY)
