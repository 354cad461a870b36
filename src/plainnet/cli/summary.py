"""``plainnet summary`` (or ``info``): a saved model's layers and training record."""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any

from ..tutorial import NeuralNetwork
from .models import Model, load_model, metadata
from .report import NO_BREAK, format_scores, list_text, shorten

__all__ = ["DESCRIBED_KEYS", "cmd_summary"]

#: Metadata that ``summary`` shows in its own words; anything else is listed as it is.
DESCRIBED_KEYS = ("task", "target", "features", "encoding", "classes", "dataset", "images",
                  "scaling", "training", "result")


def cmd_summary(args: argparse.Namespace) -> int:
    """``plainnet summary`` (or ``info``): the layers and the training record."""
    model = load_model(args.model)
    print(f"{args.model}:")
    if isinstance(model, NeuralNetwork):
        _print_network(model)
    else:
        model.summary()
    print()
    print("Training record:")
    for label, value in _training_record(model):
        print(textwrap.fill(value, width=100, initial_indent=f"  {label + ':':<12}",
                            subsequent_indent=" " * 14,
                            break_on_hyphens=False).replace(NO_BREAK, " "))
    other = {k: v for k, v in metadata(model).items() if k not in DESCRIBED_KEYS}
    if other:
        print("Other metadata:")
        for key, value in other.items():
            print(f"  {key}: {shorten(json.dumps(value, ensure_ascii=False), 100)}")
    return 0


def _print_network(network: NeuralNetwork) -> None:
    print(f"{network!r}: the tutorial's network")
    for name, array in network.get_weights().items():
        print(f"  {name:<9} shape {array.shape}")
    print(f"Total params: {sum(a.size for a in network.get_weights().values()):,}")


def _training_record(model: Model) -> list[tuple[str, str]]:
    """``(label, text)`` lines: what the model file says about its training."""
    saved = metadata(model)
    lines = []
    for key in ("task", "dataset", "target"):
        if key in saved:
            lines.append((key, str(saved[key])))
    images = saved.get("images")
    if isinstance(images, dict) and isinstance(images.get("shape"), list):
        lines.append(("images", "x".join(str(d) for d in images["shape"])
                      + f", pixels divided by {images.get('divide_by')}"))
    for key in ("features", "classes"):
        if isinstance(saved.get(key), list):
            lines.append((key, f"{list_text(saved[key], 12)} ({len(saved[key])})"))
    encoding = saved.get("encoding")
    if isinstance(encoding, dict) and isinstance(encoding.get("columns"), list):
        lines.append(("encoding", _encoding_text(encoding)))
    settings = saved.get("training")
    if isinstance(settings, dict):
        lines.append(("settings", _format_settings(settings)))
    lines += _epoch_lines(model, saved.get("result"))
    if not lines:
        lines.append(("epochs", "0 (not trained)"))
    return lines


def _encoding_text(encoding: dict[str, Any]) -> str:
    """``colour one-hot (3 categories); missing cells: mean``."""
    parts = [f"{column.get('name')} one-hot ({len(column['categories'])} categories)"
             for column in encoding["columns"]
             if isinstance(column, dict) and isinstance(column.get("categories"), list)]
    parts.append(f"missing cells: {encoding.get('missing')}")
    return "; ".join(parts)


def _format_settings(settings: dict[str, Any]) -> str:
    """The options ``train`` was given, as they would be typed."""
    options = []
    for key, value in settings.items():
        if isinstance(value, list):
            value = ",".join(str(v) for v in value) or "0"
        if key == "standardize":
            options += [] if value else ["--no-standardize"]
        elif value is True:
            options.append(f"--{key.replace('_', '-')}")
        elif value is not None:  # kept on one line: "--batch-size 32"
            options.append(f"--{key.replace('_', '-')}{NO_BREAK}{value}")
    return " ".join(options)


def _epoch_lines(model: Model, result: Any) -> list[tuple[str, str]]:
    """Epochs and final metrics: from ``train``'s record, else from the saved history."""
    if isinstance(model, NeuralNetwork):
        losses = model.loss_history
        if not losses:
            return []
        return [("epochs", str(len(losses))), ("final", f"loss {losses[-1]:.6g}")]
    if isinstance(result, dict):
        lines = [("epochs", f"{result.get('epochs')}"
                  + (" (stopped early)" if result.get("stopped_early") else ""))]
        for part in ("train", "validation"):
            if isinstance(result.get(part), dict):
                values = {k: float(v) for k, v in result[part].items() if v is not None}
                lines.append((part, format_scores(values)))
        return lines
    if not model.epochs_done:
        return []
    last = {k: float(v[-1]) for k, v in model.history.history.items() if v} \
        if model.history else {}
    return [("epochs", str(model.epochs_done)), ("last epoch", format_scores(last))]
