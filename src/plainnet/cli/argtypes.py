"""Argument types for the commands' options: each value checked as argparse reads it."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

__all__ = ["fraction", "non_negative_float", "non_negative_int", "number", "port",
           "positive_float", "positive_int"]


def number(convert: Callable[[str], Any], accepts: Callable[[Any], bool],
           expected: str) -> Callable[[str], Any]:
    """An argparse ``type=`` that converts with ``convert`` and checks with ``accepts``
    (NaN is never accepted)."""

    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if value != value or not accepts(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text}")
        return value

    return parse


positive_int = number(int, lambda v: v >= 1, "a positive integer")
non_negative_int = number(int, lambda v: v >= 0, "an integer >= 0")
positive_float = number(float, lambda v: math.isfinite(v) and v > 0, "a positive number")
non_negative_float = number(float, lambda v: math.isfinite(v) and v >= 0, "a number >= 0")
fraction = number(float, lambda v: 0.0 <= v < 1.0, "a number in [0, 1)")
port = number(int, lambda v: 0 <= v <= 65535, "a port number from 0 to 65535")
