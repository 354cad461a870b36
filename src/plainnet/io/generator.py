"""The state of a model's random generator in a file, both ways.

A ``Sequential`` draws from one ``numpy.random.Generator`` (initial weights,
shuffling, dropout). Its bit generator's state is saved as JSON under
``"random_state"``, so that training after a round trip shuffles and drops
out exactly as it would have without one. Only the bit generators of
:data:`BIT_GENERATORS` can be saved: loading builds one from that table,
never from a class named by the file.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .schema import (
    Invalid,
    expect_list,
    expect_object,
    expect_type,
    json_value,
    lookup,
    registered_name,
)

__all__ = ["BIT_GENERATORS", "generator_from_json", "generator_to_json"]

#: The random bit generators whose state can be saved, by name.
BIT_GENERATORS: dict[str, type[np.random.BitGenerator]] = {
    cls.__name__: cls
    for cls in (np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937, np.random.Philox,
                np.random.SFC64)
}


def generator_to_json(rng: np.random.Generator) -> dict[str, Any]:
    """``{"bit_generator": "PCG64", "state": {...}}``; ValueError for another bit generator."""
    bit_generator = rng.bit_generator
    name = registered_name(bit_generator, type(bit_generator).__name__, BIT_GENERATORS,
                           "random bit generator")
    return {"bit_generator": name, "state": json_value(bit_generator.state)}


def generator_from_json(value: Any) -> np.random.Generator:
    """A new generator in the saved state (the bit generator from a fixed table)."""
    expect_object(value, ["bit_generator", "state"], "random_state")
    cls = lookup(BIT_GENERATORS, value["bit_generator"], "random bit generator",
                 "random_state.bit_generator")
    state = value["state"]
    _check_state(state, "random_state.state")
    bit_generator = cls()
    try:
        bit_generator.state = state  # NumPy checks the layout and the ranges
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise Invalid(f"random_state.state is not a valid {cls.__name__} state ({error})"
                      ) from None
    return np.random.Generator(bit_generator)


def _check_state(value: Any, where: str, depth: int = 0) -> None:
    """A bit generator's state is objects of integers, lists of integers and names."""
    if type(value) is dict and depth < 3:
        for key, item in value.items():
            _check_state(item, f"{where}.{key}", depth + 1)
    elif type(value) is list:
        expect_list(value, int, where)
    else:
        expect_type(value, (int, str), where)
