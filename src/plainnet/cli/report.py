"""How the commands print numbers, lists and tables."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["METRIC_NAMES", "NO_BREAK", "format_confusion", "format_scores", "list_text",
           "metric_name", "shorten"]

#: How the metrics are named on the screen.
METRIC_NAMES = {"loss": "loss", "accuracy": "accuracy", "mse": "MSE", "mae": "MAE", "r2": "R²"}

#: Joins an option to its value so that wrapping the line never parts them.
NO_BREAK = "\u00a0"


def shorten(text: str, limit: int = 80) -> str:
    """``text``, cut to ``limit`` characters with ``...`` if it is longer."""
    return text if len(text) <= limit else text[:limit - 3] + "..."


def list_text(labels: Sequence[Any], limit: int = 10, quote: bool | None = None) -> str:
    """``a, b, c and 4 more``: the first ``limit`` labels, text quoted if ``quote``
    (None: only when a label holds a comma or spaces at its ends, which would make the
    list ambiguous: ``'x, y', 'z'``)."""
    if quote is None:
        quote = any(isinstance(label, str) and ("," in label or label != label.strip())
                    for label in labels)
    shown = ", ".join(repr(label) if quote and isinstance(label, str) else str(label)
                      for label in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def metric_name(key: str) -> str:
    """The display name of a metric; R2 where the terminal cannot show "R²"."""
    name = METRIC_NAMES.get(key, key)
    try:
        name.encode(sys.stdout.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        name = name.replace("²", "2")
    return name


def format_scores(scores: dict[str, Any]) -> str:
    """``loss 0.1234  accuracy 0.9667``: fractions with four decimals, others four digits."""
    return "  ".join(f"{metric_name(k)} {v:.4f}" if k in ("accuracy", "r2") and abs(v) < 1e4
                     else f"{metric_name(k)} {v:.4g}"  # (an absurd R² such as -2.2e+12 too)
                     for k, v in scores.items() if isinstance(v, float))


def format_confusion(matrix: np.ndarray, names: Sequence[str]) -> str:
    """A table with the true classes as rows and the predicted ones as columns."""
    names = [str(n) for n in names]
    first = max(len("true \\ predicted"), *(len(n) for n in names))
    widths = [max(len(n), len(str(matrix.max()))) for n in names]
    lines = ["true \\ predicted".ljust(first) + "".join(f"  {n:>{w}}"
                                                        for n, w in zip(names, widths))]
    for name, row in zip(names, matrix):
        lines.append(name.ljust(first) + "".join(f"  {v:>{w}}" for v, w in zip(row, widths)))
    return "\n".join(lines)
