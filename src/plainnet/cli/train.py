"""``plainnet train``: read, build (or resume), fit, report, save.

The features (and a regression target) are standardised with the training
rows' statistics (:class:`plainnet.data.scaling.Scaling`); after training the
scaling is folded into the weights, so the saved model takes raw inputs.
``--checkpoint``/``--resume`` and ``--early-stopping`` are the library's
``fit(checkpoint=..., resume=...)`` and ``EarlyStopping`` (whose best weights
are kept in ``FILE.best`` across a resume).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from typing import Any

import numpy as np

from ..data.scaling import Scaling
from ..model import Sequential
from ..training.callbacks import Callback, EarlyStopping
from ..training.csv_logger import CSVLogger
from .errors import EXIT_INTERRUPTED, PROG, CommandError, UsageError
from .files import check_writable
from .imagedata import PixelScaling
from .imagetrain import check_image_task, image_model_text, print_image_data
from .models import scores
from .plot import history_figure, prepare_figure_file, save_figure
from .progress import EpochLines, ProgressLine
from .report import format_scores, list_text
from .tabledata import Data, load_data, rows_text
from .trainsetup import (
    Split,
    choose_task,
    new_model,
    resume_model,
    shuffle_and_split,
    training_metadata,
    training_targets,
)

__all__ = ["cmd_train"]


def cmd_train(args: argparse.Namespace) -> int:
    """``plainnet train``: read, build (or resume), fit, report, save."""
    strategy = _strategy(args)
    chief = strategy is None or strategy.rank == 0  # under MPI, rank 0 alone writes
    _check_train_files(args)
    data = load_data(args)
    if data.images is not None:
        task, reason = check_image_task(data, args)
    else:
        if args.conv:
            raise UsageError("--conv needs images (an IDX file with --labels, or a .npz with "
                             "X and y); a table is learned by Dense layers (--hidden)")
        _check_features(data)
        task, reason = choose_task(data, args.task)
    if args.class_weight and task != "classification":
        raise UsageError(f"--class-weight {args.class_weight} weights classes, but the task is "
                         f"{task}")
    y, classes = training_targets(data, task)
    split = shuffle_and_split(data.X, y, args.validation_split, args.seed, args.test_size)
    scaling: Scaling | PixelScaling
    if data.images is not None:
        scaling = PixelScaling(data.images["divide_by"])
    elif not args.standardize:
        scaling = Scaling.identity(data.X.shape[1])
    else:
        scaling = Scaling.fit(split.X_train, split.y_train if task == "regression" else None)
    metadata = training_metadata(data, task, classes, scaling, args)
    shape = None if data.images is None else data.images["shape"]
    model = (resume_model(args, metadata) if args.resume
             else new_model(args, data.X.shape[1], classes, shape))
    model.metadata = metadata
    _print_plan(data, task, reason, classes, split, model, args)

    finished = _fit(model, split, scaling, args, task, strategy)
    if not finished:  # Ctrl-C: fit kept the completed epochs (and the checkpoint has them)
        hint = "; run again with --resume to go on" if args.checkpoint else ""
        print(f"{PROG}: interrupted after {model.epochs_done} epochs; the model was not "
              f"saved{hint}", file=sys.stderr)
        return EXIT_INTERRUPTED

    scaling.fold_into(model)
    result = _report(model, split, args)
    model.metadata = {**metadata, "scaling": {**scaling.to_json(), "folded": True},
                      "result": result}
    if not chief:
        return 0
    model.save(args.out)
    print(f"saved the model to {args.out}")
    if args.plot:
        save_figure(history_figure(model, args.out), args.plot, "the learning curves")
    return 0


def _strategy(args: argparse.Namespace) -> Any:
    """``MPIStrategy()`` with ``--distributed`` (only rank 0 then prints), else None."""
    if not args.distributed:
        if os.environ.get("PMI_SIZE", "1") != "1":
            print(f"{PROG}: note: started by mpiexec with {os.environ['PMI_SIZE']} processes, "
                  "each training alone; add --distributed to train one model together",
                  file=sys.stderr)
        return None
    from ..distributed import MPIStrategy  # its ImportError names the extra: exit status 2

    strategy = MPIStrategy()
    if strategy.rank != 0:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - rank 0 alone prints
    return strategy


def _check_train_files(args: argparse.Namespace) -> None:
    """Fail before any training: options that clash, folders that do not exist."""
    if args.resume and not args.checkpoint:
        raise UsageError("--resume needs --checkpoint FILE: the checkpoint to go on from")
    if args.checkpoint and os.path.abspath(args.checkpoint) == os.path.abspath(args.out):
        raise UsageError("--checkpoint and --out must be different files")
    if args.resume and not os.path.isfile(args.checkpoint):
        raise CommandError(f"cannot resume: there is no checkpoint {args.checkpoint} (run "
                           "without --resume to start)")
    for option, path in (("--out", args.out), ("--checkpoint", args.checkpoint),
                         ("--log", args.log)):
        if path is not None:
            check_writable(option, path)
    if args.plot:
        prepare_figure_file(args.plot)


def _check_features(data: Data) -> None:
    """At least one feature column, and names that tell the columns apart."""
    if data.X.shape[1] == 0:
        raise CommandError(f"{data.name}: there is no feature column besides the target "
                           f"{data.target!r}")
    names = data.features or []
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise CommandError(f"{data.name}: the header names the column {repeated[0]!r} more "
                           "than once; predict finds the features by name, so give each "
                           "column its own name")


def _print_plan(data: Data, task: str, reason: str, classes: list | None, split: Split,
                model: Sequential, args: argparse.Namespace) -> None:
    n_train, n_val = len(split.X_train), len(split.X_val)
    n_test = 0 if split.X_test is None else len(split.X_test)
    if data.images is not None:
        print_image_data(data)
    else:
        names = data.features or []
        features = f" ({list_text(names, 6)})" if names else ""
        print(f"data: {data.name}, {rows_text(n_train + n_val + n_test)}, "
              f"{_count(len(names) or data.X.shape[1], 'feature')}{features}")
        if data.encoder is not None and data.encoder.n_inputs != len(data.encoder.columns):
            texts = [spec for spec in data.encoder.columns if spec.categories is not None]
            print(f"inputs: {data.encoder.n_inputs} (one per category of the text column"
                  f"{'s' if len(texts) > 1 else ''} "
                  f"{list_text([spec.name for spec in texts], 6, quote=True)})")
        for note in data.notes:
            print(f"note: {note}")
    kind = (f"{len(classes)} classes ({list_text(classes, 8)})" if classes
            else "regression")
    task_text = kind if task == "regression" else f"classification, {kind}"
    print(f"task: {task_text} [{reason}]")
    test = f", {n_test} to test at the end" if n_test else ""
    print(f"split: {rows_text(n_train)} to train, {n_val} to validate{test} "
          f"(seed {args.seed})")
    if data.images is not None:
        sizes = image_model_text(model, args.conv or (), args.hidden)
    else:
        sizes = " -> ".join(str(s) for s in (model.n_inputs, *args.hidden, model.n_outputs))
    print(f"model: {sizes}, {model.count_params():,} parameters, {args.optimizer} "
          f"(learning rate {args.learning_rate:g})")
    if args.resume:
        print(f"resuming from {args.checkpoint} after epoch {model.epochs_done}")


def _fit(model: Sequential, split: Split, scaling: Scaling, args: argparse.Namespace,
         task: str, strategy: Any = None) -> bool:
    """Train (or go on training); False if Ctrl-C stopped it before the end.

    A resumed run whose early stopping had already stopped trains no more
    epochs: ``EarlyStopping`` finds that in the checkpoint's history.
    """
    done_before = model.epochs_done  # > 0 when resuming
    has_validation = len(split.X_val) > 0
    callbacks: list[Callback] = []
    stopping = None
    if args.patience is not None:
        stopping = EarlyStopping(
            monitor="val_loss" if has_validation else "loss", patience=args.patience,
            best_weights_path=args.checkpoint + ".best" if args.checkpoint else None)
        callbacks.append(stopping)
    if args.log:
        callbacks.append(CSVLogger(args.log, append=args.resume, start=1))  # as "Epoch 1/N"
    target_scale = getattr(scaling, "target_scale", None) if task == "regression" else None
    if args.verbose == 1:
        callbacks.append(ProgressLine(args.epochs, target_scale=target_scale))
    elif args.verbose == 2:  # fit's line per epoch, in the target's units
        callbacks.append(EpochLines(args.epochs, sys.stdout, target_scale=target_scale))
    validation = ((scaling.inputs(split.X_val), scaling.targets(split.y_val))
                  if has_validation else None)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="fit interrupted by Ctrl-C")
        model.fit(scaling.inputs(split.X_train), scaling.targets(split.y_train),
                  epochs=args.epochs, batch_size=args.batch_size, validation_data=validation,
                  callbacks=callbacks, verbose=0,
                  checkpoint=args.checkpoint, resume=args.resume,
                  class_weight=args.class_weight, strategy=strategy)
    if model.epochs_done < args.epochs and not model.stop_training:
        return False
    seconds = time.perf_counter() - start
    stopped = kept = ""
    if stopping is not None and stopping.best_epoch is not None and (
            model.stop_training or model.epochs_done < args.epochs):
        kept = f"the weights of epoch {stopping.best_epoch + 1} are kept"
        stopped = f" (stopped early; {kept})"
    ran = model.epochs_done - done_before
    if ran == 0 and args.resume:
        why = "stopped early" if kept else "finished"
        print(f"nothing left to train: the run in {args.checkpoint} had {why} after "
              f"{_epochs(model.epochs_done)}" + (f" ({kept})" if kept else ""))
    elif done_before:
        print(f"trained {_epochs(ran)} (epochs {done_before + 1} to {model.epochs_done}) in "
              f"{seconds:.2f} s{stopped}")
    else:
        print(f"trained {_epochs(ran)} in {seconds:.2f} s{stopped}")
    return True


def _epochs(n: int) -> str:
    return f"{n} epoch" if n == 1 else f"{n} epochs"


def _report(model: Sequential, split: Split, args: argparse.Namespace) -> dict[str, Any]:
    """Print the final metrics on raw data; return the record kept in the metadata."""
    result: dict[str, Any] = {"epochs": model.epochs_done,
                              "stopped_early": bool(model.stop_training
                                                    or model.epochs_done < args.epochs)}
    parts = [("train", split.X_train, split.y_train)]
    if len(split.X_val):
        parts.append(("validation", split.X_val, split.y_val))
    if split.X_test is not None and len(split.X_test):
        parts.append(("test", split.X_test, split.y_test))
    for name, X, y in parts:
        values = scores(model, X, y)
        print(f"{name + ':':<12}{format_scores(values)}")
        result[name] = {k: v if np.isfinite(v) else None for k, v in values.items()}
    return result


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"
