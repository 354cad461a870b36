"""``plainnet predict``: one output row per input row, in the original label names."""

from __future__ import annotations

import argparse
import csv
import io
import sys

import numpy as np

from ..data.table import numeric_columns, read_table
from . import models
from .errors import CommandError, UsageError
from .files import write_text_atomically
from .imagedata import is_image_file, read_images, saved_divisor
from .models import Model
from .tabledata import (
    MODEL_MISSING_HINT,
    csv_path,
    feature_columns,
    find_column,
    saved_encoder,
)

__all__ = ["cmd_predict"]


def cmd_predict(args: argparse.Namespace) -> int:
    """``plainnet predict``: one output row per input row, in the original label names."""
    model = models.load_model(args.model)
    path = csv_path(args)
    if is_image_file(path):
        if args.target is not None:
            raise UsageError("--target goes with a CSV file; images have no columns")
        X = read_images(path, None, saved_divisor(models.metadata(model)), need_labels=False)[0]
    else:
        table = read_table(path, header=args.header, delimiter=args.delimiter)
        exclude = find_column(table, args.target, "--target") if args.target else None
        columns = feature_columns(model, table, exclude)
        encoder = saved_encoder(model)
        X = (encoder.transform(table, columns, hint=MODEL_MISSING_HINT)
             if encoder is not None else numeric_columns(table, columns))
    models.check_width(model, X, path)
    if models.is_classifier(model):
        header, rows = _class_predictions(model, X, args.proba)
    elif args.proba:
        raise CommandError(f"--proba needs a classifier, but {args.model} is a regression "
                           "model")
    else:
        outputs = np.asarray(model.predict(X), dtype=np.float64)
        header = (["prediction"] if outputs.shape[1] == 1
                  else [f"prediction_{i}" for i in range(outputs.shape[1])])
        rows = [[f"{v:.6g}" for v in row] for row in outputs]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if args.out:
        write_text_atomically(args.out, buffer.getvalue())
        print(f"wrote {len(rows)} prediction{'' if len(rows) == 1 else 's'} to {args.out}")
    else:
        sys.stdout.write(buffer.getvalue())
        sys.stdout.flush()
    return 0


def _class_predictions(model: Model, X: np.ndarray, proba: bool
                       ) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a classifier's predictions (and probabilities)."""
    p = models.probabilities(model, X)
    names = models.class_names(model)
    predicted = [names[i] for i in p.argmax(axis=1)]
    if not proba:
        return ["prediction"], [[label] for label in predicted]
    header = ["prediction", *(f"probability_{name}" for name in names)]
    return header, [[label, *(f"{v:.6g}" for v in row)]
                    for label, row in zip(predicted, p)]
