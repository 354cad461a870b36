"""Kept so ``from plainnet.base import Layer`` works; see :mod:`plainnet.layers.base`."""

from __future__ import annotations

from .layers.base import Layer

__all__ = ["Layer"]
