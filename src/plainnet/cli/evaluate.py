"""``plainnet evaluate``: metrics on labelled data, with a confusion matrix for classes."""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from ..metrics import classification_report, confusion_matrix
from .models import check_width, class_names, is_classifier, load_model, probabilities, scores
from .report import format_confusion, metric_name
from .tabledata import labels_for, load_data, rows_text

__all__ = ["cmd_evaluate"]


def cmd_evaluate(args: argparse.Namespace) -> int:
    """``plainnet evaluate``: metrics on labelled data, with a confusion matrix for classes."""
    model = load_model(args.model)
    data = load_data(args, model)
    check_width(model, data.X, data.name)
    y = labels_for(model, data)
    results: dict[str, Any] = scores(model, data.X, y)
    matrix = report = None
    if is_classifier(model):
        names = class_names(model)
        predicted = probabilities(model, data.X).argmax(axis=1)
        matrix = confusion_matrix(y, predicted, len(names))
        report = per_class_report(y, predicted, names, args.json)
    if args.json:
        extra = {} if matrix is None else {"classes": names, "confusion_matrix": matrix.tolist(),
                                           "per_class": report}
        print(json.dumps({**results, **extra, "samples": len(data.X)}, ensure_ascii=False))
        return 0
    print(f"{args.model} on {data.name} ({rows_text(len(data.X))})")
    for note in data.notes:
        print(f"note: {note}")
    for key, value in results.items():
        print(f"{metric_name(key) + ':':<10}{value:.6g}")
    if matrix is not None:
        print("confusion matrix (rows: true class, columns: predicted class):")
        print(format_confusion(matrix, names))
        print("per class (precision: right among those predicted so; recall: found among "
              "those truly so):")
        print(str(report).rstrip("\n"))
    return 0


def per_class_report(y: np.ndarray, predicted: np.ndarray, names: list[str],
                     as_dict: bool) -> str | dict:
    """Precision, recall, F1 and support of each class (all the model's classes, in order)."""
    return classification_report(y, predicted, labels=list(range(len(names))),
                                 target_names=names, digits=4, output_dict=as_dict,
                                 zero_division=0.0)
