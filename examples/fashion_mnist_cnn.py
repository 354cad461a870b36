"""A small CNN on Fashion-MNIST, against an MLP of similar size: which one sees clothes better?

Needs Debian's Fashion-MNIST (``apt-get install dataset-fashion-mnist``) or the
four IDX files in a folder given with ``--data``. Prints a progress bar per
epoch, then each network's test accuracy and training time.

    python examples/fashion_mnist_cnn.py                  # 5 epochs on all 60,000 images
    python examples/fashion_mnist_cnn.py --samples 6000   # a quicker look
"""

from __future__ import annotations

import argparse
import time

import plainnet.data
from plainnet import Adam, Conv2D, Dense, Flatten, MaxPool2D, Sequential, Softmax


def cnn() -> list:
    """Two convolutions, each followed by max pooling, then one hidden Dense layer."""
    return [Conv2D(32, 3, padding="same", activation="relu"),   # (28, 28, 32)
            MaxPool2D(2),                                       # (14, 14, 32)
            Conv2D(64, 3, padding="same", activation="relu"),   # (14, 14, 64)
            MaxPool2D(2),                                       # (7, 7, 64)
            Flatten(),                                          # (3136,)
            Dense(128, activation="relu"),
            Dense(10), Softmax()]


def mlp() -> list:
    """The same images as rows of 784 pixels: two hidden layers."""
    return [Flatten(), Dense(256, activation="relu"), Dense(128, activation="relu"),
            Dense(10), Softmax()]


def train(name: str, layers: list, data: tuple, epochs: int, verbose: int) -> float:
    X, y, X_test, y_test = data
    model = Sequential(layers, seed=0, input_shape=(28, 28, 1))
    model.compile("categorical_crossentropy", Adam(1e-3), metrics=["accuracy"])
    if verbose:
        model.summary()
    start = time.perf_counter()
    model.fit(X, y, epochs=epochs, batch_size=64, verbose=verbose)
    seconds = time.perf_counter() - start
    accuracy = model.evaluate(X_test, y_test)["accuracy"]
    print(f"{name}: test accuracy {accuracy:.2%} after {epochs} epochs, {seconds:.0f} s")
    return accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None, help="folder of the four IDX files")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--samples", type=int, default=60_000, help="training images to use")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args()
    X, y = plainnet.data.fashion_mnist(args.data, kind="train")
    X_test, y_test = plainnet.data.fashion_mnist(args.data, kind="test")
    data = (X[:args.samples], y[:args.samples], X_test, y_test)
    verbose = 0 if args.quiet else 1
    train("MLP", mlp(), data, args.epochs, verbose)
    train("CNN", cnn(), data, args.epochs, verbose)


if __name__ == "__main__":
    main()
