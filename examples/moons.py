"""Teach a small network to separate two interleaving half circles ("moons").

Run it with::

    python examples/moons.py                      # train, then print the test accuracy
    python examples/moons.py --plot moons.png     # also save a picture (needs matplotlib)
    python examples/moons.py --epochs 50          # a shorter run

What it shows: a train/test split, a validation split, early stopping, and
(with ``--plot``) the decision boundary and the learning curves.
"""

import argparse

from plainnet import Adam, Dense, EarlyStopping, Sequential, Sigmoid
from plainnet.datasets import moons, train_test_split


def main(argv=None):
    parser = argparse.ArgumentParser(description="Train a Sequential model on the moons.")
    parser.add_argument("--epochs", type=int, default=300, help="most epochs to train")
    parser.add_argument("--plot", metavar="PNG", help="save the decision boundary here")
    args = parser.parse_args(argv)

    # 1. The data: 1000 points in the plane, class 0 on the upper moon, class 1 on the
    #    lower one. No straight line separates them, so a hidden layer is needed.
    X, y = moons(n_samples=1000, noise=0.2, seed=0)  # X (1000, 2), y (1000,) of 0/1
    # Keep a quarter of the points aside: the model never sees them during training,
    # so its accuracy on them tells how well it generalises.
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, seed=0)
    # (The coordinates are already of order 1, so no standardisation is needed here.)

    # 2. The model: 2 inputs -> 16 ReLU -> 16 ReLU -> 1 sigmoid output, the
    #    probability of class 1. Dense(16) is a layer of 16 units; each layer takes its
    #    input width from the one before it, and the first from input_shape (one sample:
    #    2 numbers). Without input_shape the model would read it from the data in fit.
    model = Sequential([
        Dense(16, activation="relu"),  # (n, 2) -> (n, 16)
        Dense(16, activation="relu"),  # (n, 16) -> (n, 16)
        Dense(1),  # (n, 16) -> (n, 1)
        Sigmoid(),
    ], input_shape=(2,), seed=0)
    model.compile(loss="binary_crossentropy", optimizer=Adam(learning_rate=0.01),
                  metrics=["accuracy"])
    model.summary()

    # 3. Training. validation_split holds out the last 20 % of the training rows and
    #    reports val_loss after every epoch; EarlyStopping ends training once val_loss
    #    has not improved for 20 epochs and puts back the best weights it saw.
    history = model.fit(X_train, y_train, epochs=args.epochs, batch_size=32,
                        validation_split=0.2, callbacks=[EarlyStopping(patience=20)],
                        verbose=0)
    print(f"trained {len(history.epoch)} epochs; best val_loss "
          f"{min(history.history['val_loss']):.4f}")

    # 4. The verdict, on points the model has never seen.
    scores = model.evaluate(X_test, y_test)
    print(f"test accuracy: {scores['accuracy']:.3f}  (test loss {scores['loss']:.4f})")

    # 5. Optional picture: where the model says "class 0" and "class 1", and the
    #    learning curves. matplotlib is only needed here.
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")  # write a file; no window
        import matplotlib.pyplot as plt

        from plainnet.plotting import plot_decision_boundary, plot_history

        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
        plot_decision_boundary(model, X_test, y_test, ax=left)
        left.set_title(f"Test points, accuracy {scores['accuracy']:.3f}")
        plot_history(history, metrics="loss", ax=right)
        right.set_title("Learning curves")
        fig.savefig(args.plot, dpi=120)
        print(f"saved the picture to {args.plot}")
    return scores["accuracy"]


if __name__ == "__main__":
    main()
