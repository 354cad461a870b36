"""``plainnet lm train`` and ``plainnet lm sample``: character-level language models.

``lm train`` reads a text (a UTF-8 file, or the Python standard library's own
sources by default), builds a vocabulary of its characters, trains an LSTM or
a small causal transformer (:mod:`plainnet.language_model`) with a progress
bar and the validation loss per epoch, and saves the model with the
vocabulary in its metadata. ``lm sample`` loads such a model, refuses a
vocabulary that does not fit it, and writes text after a prompt
(:func:`plainnet.generation.generate`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from . import argtypes
from .errors import EXIT_INTERRUPTED, PROG, CommandError, UsageError

__all__ = ["EPILOG_LM", "add_lm_command", "cmd_lm_sample", "cmd_lm_train"]

STDLIB = "stdlib"

EPILOG_LM = """\
example:
  plainnet lm train --model transformer --epochs 5 --out code.pnet
more examples:
  plainnet lm sample code.pnet --prompt "def " --length 300 --temperature 0.8 --top-k 10
  plainnet lm train shakespeare.txt --model lstm --steps 200 --out poet.pnet
  plainnet lm train --checkpoint run.pnet --out code.pnet --resume   (after Ctrl-C)

Run `plainnet lm train --help` and `plainnet lm sample --help` for the options.
"""

EPILOG_LM_TRAIN = """\
CORPUS is a UTF-8 text file (its last --validation-split is held out), or
"stdlib" (the default): the Python standard library's own top-level .py files,
read in sorted order up to --max-chars characters, one file in ten held out
(the same text on every machine with the same Python version). Each epoch
draws --steps batches of --batch-size windows of --context characters at
random positions; the loss is in nats per character. The vocabulary (every
character of the training text) is saved in the model.

example:
  plainnet lm train --model transformer --epochs 5 --out code.pnet
more examples:
  plainnet lm train --model lstm --width 256 --epochs 10 --out lstm.pnet
  plainnet lm train notes.txt --steps 50 --epochs 3 --checkpoint run.pnet --out notes.pnet
  plainnet lm train notes.txt --steps 50 --epochs 6 --checkpoint run.pnet --out notes.pnet \\
      --resume                                          (goes on to epoch 6)
"""

EPILOG_LM_SAMPLE = """\
Prints the prompt and the characters drawn after it. Lower --temperature
gives safer, more repetitive text; --top-k draws among the K likeliest
characters only; the same --seed gives the same text.

example:
  plainnet lm sample code.pnet --prompt "import " --length 200 --seed 0
more examples:
  plainnet lm sample code.pnet --prompt "class " --temperature 0.5 --top-k 5
"""


_positive = argtypes.number(int, lambda v: v >= 1, "a positive integer")
_count = argtypes.number(int, lambda v: v >= 0, "an integer >= 0")
_rate = argtypes.number(float, lambda v: 0 < v < float("inf"), "a positive number")
_fraction = argtypes.number(float, lambda v: 0 < v < 1, "a number between 0 and 1")


def add_lm_command(commands: Any, command: Any) -> None:
    """Add ``lm`` with its actions ``train`` and ``sample``; ``command`` makes a sub-parser."""
    lm = command(commands, "lm", "train character-level language models and sample text",
                 EPILOG_LM, None)
    actions = lm.add_subparsers(title="actions", dest="lm_action", metavar="ACTION",
                                required=True)

    def action(name: str, help_text: str, epilog: str, handler) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=help_text, description=help_text + ".",
                               epilog=epilog, formatter_class=lm.formatter_class)
        p.set_defaults(parser=p, handler=handler)
        return p

    t = action("train", "train an LSTM or a small transformer on a text and save it",
               EPILOG_LM_TRAIN, cmd_lm_train)
    t.add_argument("corpus", metavar="CORPUS", nargs="?", default=STDLIB,
                   help='a UTF-8 text file, or "stdlib": the Python standard library\'s '
                   "sources (default)")
    t.add_argument("--out", metavar="FILE", default="lm.pnet",
                   help="where to save the trained model (written atomically)")
    t.add_argument("--model", choices=("lstm", "transformer"), default="transformer",
                   help="LSTM (Embedding, LSTM, Dense) or causal transformer")
    t.add_argument("--epochs", type=_positive, default=10, metavar="N", help="epochs")
    t.add_argument("--steps", type=_positive, default=100, metavar="N",
                   help="gradient steps per epoch")
    t.add_argument("--batch-size", type=_positive, default=32, metavar="N",
                   help="windows per step")
    t.add_argument("--context", type=_positive, default=64, metavar="N",
                   help="characters per window (the transformer's longest input)")
    t.add_argument("--width", type=_positive, metavar="N", help="transformer width "
                   "(default 128) or LSTM units (default 256)")
    t.add_argument("--layers", type=_positive, default=4, metavar="N",
                   help="transformer blocks")
    t.add_argument("--heads", type=_positive, default=4, metavar="N", help="attention heads")
    t.add_argument("--learning-rate", "--lr", type=_rate, default=1e-3, metavar="LR",
                   help="Adam's step size (the transformer's peak, after a warmup)")
    t.add_argument("--max-chars", type=_positive, default=2_000_000, metavar="N",
                   help="characters of the stdlib corpus")
    t.add_argument("--validation-split", type=_fraction, default=0.1, metavar="F",
                   help="fraction of a text file held out, at its end")
    t.add_argument("--seed", type=_count, default=0, metavar="S",
                   help="seed of the initial weights and of the windows drawn")
    t.add_argument("--checkpoint", metavar="FILE",
                   help="save the training state to FILE after every epoch")
    t.add_argument("--resume", action="store_true",
                   help="go on from the --checkpoint FILE of an interrupted run")
    t.add_argument("--sample", type=_count, default=200, metavar="N",
                   help="characters to sample at the end (0: none)")
    t.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1,
                   help="0 quiet, 1 a progress bar, 2 a line per epoch")

    s = action("sample", "write text with a language model saved by `lm train`",
               EPILOG_LM_SAMPLE, cmd_lm_sample)
    s.add_argument("model", metavar="MODEL", help="a model file saved by plainnet lm train")
    s.add_argument("--prompt", default="\n", metavar="TEXT",
                   help="the text to continue (default: a new line)")
    s.add_argument("--length", type=_count, default=500, metavar="N",
                   help="characters to generate")
    s.add_argument("--temperature", type=_rate, default=1.0, metavar="T",
                   help="below 1: safer text; above 1: more surprising")
    s.add_argument("--top-k", type=_positive, metavar="K",
                   help="draw among the K likeliest characters only (default: all)")
    s.add_argument("--seed", type=_count, metavar="S",
                   help="seed of the draws (default: different text each run)")


# ------------------------------------------------------------------ train
def _read_corpus(args: argparse.Namespace):
    from ..data.text import python_corpus, split_text

    if args.corpus == STDLIB:
        return python_corpus(args.max_chars)
    path = Path(args.corpus)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{path}: not UTF-8 text") from None
    corpus = split_text(text, args.validation_split)
    if len(corpus.validation) <= args.context or len(corpus.train) <= args.context:
        raise CommandError(f"{path} is too short: {len(text):,} characters give no window "
                           f"of --context {args.context} in both the training and the "
                           f"validation part (--validation-split {args.validation_split})")
    return corpus


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """The options that define a run (what --resume must find unchanged, epochs aside)."""
    width = args.width or (128 if args.model == "transformer" else 256)
    corpus = args.corpus if args.corpus == STDLIB else str(Path(args.corpus).resolve())
    return {"corpus": corpus, "model": args.model, "context": args.context, "width": width,
            "layers": args.layers, "heads": args.heads, "steps": args.steps,
            "batch_size": args.batch_size, "learning_rate": args.learning_rate,
            "max_chars": args.max_chars, "validation_split": args.validation_split,
            "seed": args.seed}


def _resumed(args: argparse.Namespace, settings: dict[str, Any], vocabulary) -> Any:
    from .. import io
    from ..data.text import model_vocabulary

    model = io.load(args.checkpoint)
    saved = model.metadata.get("training")
    if not isinstance(saved, dict) or "vocabulary" not in model.metadata:
        raise CommandError(f"{args.checkpoint} is not a checkpoint of plainnet lm train")
    for key, value in settings.items():
        if saved.get(key) != value:
            raise CommandError(f"cannot resume from {args.checkpoint}: it was made with "
                               f"{key} {saved.get(key)!r}, not {value!r}; give the same "
                               "options, or start again without --resume")
    if model_vocabulary(model) != vocabulary:
        raise CommandError(f"cannot resume from {args.checkpoint}: its vocabulary differs "
                           "from the corpus's")
    if model.epochs_done > args.epochs:
        raise CommandError(f"cannot resume from {args.checkpoint}: it has already trained "
                           f"{model.epochs_done} epochs, more than --epochs {args.epochs}")
    return model


def cmd_lm_train(args: argparse.Namespace) -> int:
    """``plainnet lm train``: train, report the validation loss, save; the exit status."""
    from ..data.text import Vocabulary
    from ..generation import generate
    from ..language_model import build_language_model, train_language_model

    if args.resume and not args.checkpoint:
        raise UsageError("--resume needs --checkpoint FILE (the file of the interrupted run)")
    corpus = _read_corpus(args)
    vocabulary = Vocabulary.from_text(corpus.train)
    train, validation = vocabulary.encode(corpus.train), vocabulary.encode(corpus.validation)
    settings = _settings(args)
    if args.resume:
        model = _resumed(args, settings, vocabulary)
    else:
        model = build_language_model(args.model, vocabulary, args.context, settings["width"],
                                     args.layers, args.heads, args.learning_rate,
                                     total_steps=args.epochs * args.steps, seed=args.seed)
        model.metadata["training"] = settings
    print(f"{len(corpus.train):,} training and {len(corpus.validation):,} validation "
          f"characters, {vocabulary.size} ids; {args.model} of "
          f"{model.count_params():,} parameters")
    finished = train_language_model(model, train, validation, args.epochs, args.steps,
                                    args.batch_size, args.seed, args.checkpoint, args.resume,
                                    verbose=args.verbose)
    if not finished:
        hint = "; run again with --resume to go on" if args.checkpoint else ""
        print(f"{PROG}: interrupted after {model.epochs_done} epochs; {args.out} was not "
              f"written{hint}", file=sys.stderr)
        return EXIT_INTERRUPTED
    model.save(args.out)
    losses = (model.history.history.get("val_loss") or [None]) if model.history else [None]
    if losses[-1] is not None:
        print(f"validation loss {losses[-1]:.3f} nats per character")
    print(f"saved the model to {args.out}")
    if args.sample:
        prompt = vocabulary.encode(corpus.validation[:args.context])
        ids = generate(model, prompt, args.sample, temperature=0.8, top_k=10, seed=args.seed,
                       context=args.context)
        print("sample:\n" + vocabulary.decode(ids))
    return 0


# ----------------------------------------------------------------- sample
def cmd_lm_sample(args: argparse.Namespace) -> int:
    """``plainnet lm sample``: print the prompt and ``--length`` characters after it."""
    from .. import io
    from ..data.text import model_vocabulary
    from ..generation import generate

    model = io.load(args.model)
    vocabulary = model_vocabulary(model)
    if not args.prompt:
        raise UsageError("--prompt must hold at least one character")
    prompt = vocabulary.encode(args.prompt)
    unknown = sorted({c for c, i in zip(args.prompt, prompt.tolist(), strict=True) if i == 0})
    if unknown:
        raise CommandError(f"--prompt has characters the model never saw: {''.join(unknown)!r}")
    context = model.metadata.get("language_model", {}).get("context")
    ids = generate(model, prompt, args.length, args.temperature, args.top_k, args.seed,
                   context=context)
    sys.stdout.write(args.prompt + vocabulary.decode(ids) + "\n")
    return 0
