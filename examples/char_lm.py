"""Character-level language models of Python code: an LSTM and a small transformer.

Both learn to predict the next character of the Python standard library's own
sources (which every Python installation has, so nothing is downloaded), then
write code of their own. The steps:

1. the text: ``python_corpus()`` reads the stdlib's top-level ``.py`` files,
   one file in ten held out for validation;
2. the vocabulary: every character of the training text gets an id
   (``Vocabulary``; id 0 for characters never seen);
3. the models (``plainnet.language_model``): ``Embedding -> LSTM -> Dense`` and
   a causal transformer (4 blocks of attention and a GELU MLP, 4 heads,
   width 128, context 64: nanoGPT's CPU example size);
4. training: each epoch draws windows of 64 characters at random positions;
   the loss is the cross-entropy in nats per character (``log(vocab)``, about
   4.6, for a model that knows nothing); the validation loss is shown after
   each epoch and the model is saved to a checkpoint, so a run stopped with
   Ctrl-C goes on with ``--resume``;
5. sampling: ``generate`` draws one character at a time with a temperature
   and top-k.

Run:
    python examples/char_lm.py                      # both models, ~minutes per epoch
    python examples/char_lm.py --model lstm --epochs 3 --steps 50
    python examples/char_lm.py --quick              # tiny models, a few seconds
    python examples/char_lm.py --resume             # go on from the checkpoints
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from plainnet.data import Vocabulary, python_corpus
from plainnet.generation import generate
from plainnet.language_model import build_language_model, train_language_model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("lstm", "transformer", "both"), default="both")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--steps", type=int, default=200, help="gradient steps per epoch")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=1e-3,
                        help="Adam's step size (the transformer's peak)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny models on 100,000 characters, 2 epochs of 5 steps "
                        "(a few seconds: what the tests run)")
    parser.add_argument("--checkpoints", default="char_lm_checkpoints",
                        help="folder of the checkpoint files (one per model)")
    parser.add_argument("--resume", action="store_true",
                        help="go on from the checkpoints of an interrupted run")
    parser.add_argument("--length", type=int, default=300, help="characters to sample")
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args()

    context, width, layers = 64, {"lstm": 256, "transformer": 128}, 4
    max_chars = 2_000_000
    if args.quick:
        context, width, layers, max_chars = 32, {"lstm": 32, "transformer": 32}, 1, 100_000
        args.epochs, args.steps, args.batch_size, args.learning_rate = 2, 5, 16, 1e-2
        args.length = min(args.length, 100)

    corpus = python_corpus(max_chars)
    vocabulary = Vocabulary.from_text(corpus.train)
    train = vocabulary.encode(corpus.train)  # (n,) ids
    validation = vocabulary.encode(corpus.validation)
    print(f"corpus: {len(corpus.files)} files of the Python standard library, "
          f"{len(train):,} training and {len(validation):,} validation characters, "
          f"{vocabulary.size} ids")
    Path(args.checkpoints).mkdir(exist_ok=True)

    kinds = ["lstm", "transformer"] if args.model == "both" else [args.model]
    for kind in kinds:
        checkpoint = Path(args.checkpoints) / f"{kind}.pnet"
        resume = args.resume and checkpoint.exists()
        if resume:
            import plainnet

            model = plainnet.load(checkpoint)
            print(f"\n{kind}: resuming from {checkpoint} after {model.epochs_done} epochs")
        else:
            model = build_language_model(kind, vocabulary, context, width[kind], layers,
                                         num_heads=4, learning_rate=args.learning_rate,
                                         total_steps=args.epochs * args.steps, seed=args.seed)
            print(f"\n{kind}: {model.count_params():,} parameters")
            model.summary()
        start = time.perf_counter()
        finished = train_language_model(model, train, validation, args.epochs, args.steps,
                                        args.batch_size, seed=args.seed, checkpoint=checkpoint,
                                        resume=resume, verbose=0 if args.quiet else 1)
        if not finished:
            print(f"interrupted: run again with --resume to go on from {checkpoint}")
            return
        seconds = time.perf_counter() - start
        val_loss = model.history.history["val_loss"][-1]
        print(f"{kind}: validation loss {val_loss:.3f} nats per character "
              f"(uniform guess: {math.log(vocabulary.size):.3f}), "
              f"{seconds:.1f} s of training")

        prompt = "def "
        ids = generate(model, vocabulary.encode(prompt), args.length,
                       temperature=args.temperature, top_k=args.top_k, seed=args.seed,
                       context=context)
        print(f"{kind} sample (temperature {args.temperature}, top-k {args.top_k}):")
        print(prompt + vocabulary.decode(ids))


if __name__ == "__main__":
    main()
