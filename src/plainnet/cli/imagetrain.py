"""What ``plainnet train`` decides and prints for images (the table case is in ``train``)."""

from __future__ import annotations

import argparse

import numpy as np

from ..model import Sequential
from .errors import CommandError, UsageError
from .imagedata import image_shape_text
from .tabledata import Data

__all__ = ["check_image_task", "image_model_text", "print_image_data"]


def check_image_task(data: Data, args: argparse.Namespace) -> tuple[str, str]:
    """``(task, why)`` for images: always classification, the labels being the classes."""
    if args.task == "regression":
        raise UsageError("images are classified (their labels are the classes); --task "
                         "regression goes with a CSV file")
    if data.classes is None:
        values = np.unique(data.y)
        fractional = values[values != np.round(values)]
        if len(fractional):
            raise CommandError(f"{data.name}: the labels must be whole numbers or text (the "
                               f"classes of the images); found {fractional[0]:g}")
    return "classification", "images: the labels are the classes"


def print_image_data(data: Data) -> None:
    """``data: X.npz, 200 images of 8x8x1`` and how the pixels were scaled."""
    record = data.images or {}
    print(f"data: {data.name}, {len(data.X)} images of {image_shape_text(record['shape'])}")
    divide_by = record["divide_by"]
    if divide_by != 1:
        print(f"pixels: {record['dtype']} divided by {divide_by:g}, so they lie in [0, 1] "
              "(predict and evaluate divide the same way)")
    else:
        print(f"pixels: {record['dtype']}, used as they are")


def image_model_text(model: Sequential, conv: tuple[int, ...], hidden: tuple[int, ...]) -> str:
    """``8x8x1 -> conv 4x4x16 -> flatten 256 -> 32 -> 1``: the shapes along the model."""
    shape = tuple(model.input_shape or ())
    height, width = shape[0], shape[1]
    steps = [image_shape_text(shape)]
    channels = shape[2]
    for filters in conv:  # Conv2D(filters, 3, padding="same") then MaxPool2D(2)
        height, width, channels = height // 2, width // 2, filters
        steps.append(f"conv {image_shape_text((height, width, channels))}")
    steps.append(f"flatten {height * width * channels}")
    steps += [str(size) for size in (*hidden, model.n_outputs)]
    return " -> ".join(steps)
