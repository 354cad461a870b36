"""Recognise handwritten digits with a 64-128-10 network.

Run it with::

    python examples/digits.py
    python examples/digits.py --epochs 10     # a shorter run

The 1797 images of 8x8 pixels come with scikit-learn (no download):
``pip install "plainnet[sklearn]"``.
"""

import argparse
import sys

import numpy as np

from plainnet import Dense, Sequential, Softmax
from plainnet.datasets import digits, train_test_split


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train a 64-128-10 network on the digits.")
    parser.add_argument("--epochs", type=int, default=30, help="passes over the training set")
    args = parser.parse_args(argv)

    # 1. The data. Each row of X is an 8x8 image flattened to 64 numbers from 0 to 16;
    #    y holds the digit, 0 to 9.
    try:
        X, y = digits()  # X (1797, 64), y (1797,)
    except ImportError as error:
        sys.exit(str(error))  # scikit-learn is missing: say how to install it
    X = X / 16.0  # pixels from 0..16 to 0..1: inputs of order 1 train better
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, stratify=True,
                                                        seed=0)

    # 2. The model: 64 pixels -> 128 ReLU neurons -> 10 outputs, turned into ten
    #    probabilities by the softmax. The loss takes the labels 0..9 directly.
    #    input_shape is one sample's shape; each Dense takes its input width from the
    #    layer before it.
    model = Sequential([
        Dense(128, activation="relu"),  # (n, 64) -> (n, 128)
        Dense(10),  # (n, 128) -> (n, 10): a score per digit
        Softmax(),
    ], input_shape=(64,), seed=0)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.summary()

    # 3. Training: verbose=2 prints one line per epoch.
    model.fit(X_train, y_train, epochs=args.epochs, batch_size=32, validation_split=0.1,
              verbose=2)

    # 4. Accuracy on the 360 test images the model never saw.
    scores = model.evaluate(X_test, y_test)
    print(f"test accuracy: {scores['accuracy']:.3f}")

    # 5. A few predictions: the most probable digit of each image.
    probabilities = model.predict(X_test[:10])  # (10, 10): one row of ten per image
    print("predicted:", probabilities.argmax(axis=1))
    print("true:     ", np.asarray(y_test[:10]))
    return scores["accuracy"]


if __name__ == "__main__":
    main()
