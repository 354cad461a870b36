"""``plainnet xor``: the tutorial's program, with a table and an optional figure."""

from __future__ import annotations

import argparse

import numpy as np

from .. import data as datasets
from ..tutorial import NeuralNetwork
from .plot import prepare_figure_file, save_figure

__all__ = ["cmd_xor"]


def cmd_xor(args: argparse.Namespace) -> int:
    """``plainnet xor``: train the tutorial's 2-N-1 network on XOR and print its outputs."""
    if args.plot:
        prepare_figure_file(args.plot)
    X, y = datasets.xor()
    network = NeuralNetwork(hidden_layer=args.hidden, seed=args.seed)
    network.train(X, y, epochs=args.epochs, learning_rate=args.learning_rate)
    outputs = network.predict(X)[:, 0]
    seed = "random" if args.seed is None else args.seed
    print(f"The tutorial's 2-{args.hidden}-1 network, {args.epochs} epochs, learning rate "
          f"{args.learning_rate:g}, seed {seed}")
    print(f"loss (mean squared error): {network.loss_history[0]:.4f} -> "
          f"{network.loss(X, y):.6f}")
    print("input  target  output")
    for inputs, target, output in zip(X.astype(int), y, outputs):
        print(f"{inputs[0]} {inputs[1]}    {target}       {output:.4f}")
    if np.all(np.abs(outputs - y) < 0.5):
        print("Every output is on the right side of 0.5: XOR learned.")
    else:
        print("Not learned: this start is stuck (it happens); try another --seed or more "
              "--epochs.")
    if args.out:
        network.save(args.out)
        print(f"saved the network to {args.out}")
    if args.plot:
        save_figure(_xor_figure(network, X, y), args.plot,
                    "the loss curve and the decision surface")
    return 0


def _xor_figure(network: NeuralNetwork, X: np.ndarray, y: np.ndarray):
    """The loss curve (left) and the learned decision surface (right)."""
    import matplotlib.pyplot as plt

    from ..plotting import plot_decision_boundary, plot_history

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
    plot_history(network, ax=left)
    left.set_title("Loss (mean squared error)")
    plot_decision_boundary(network, X, y, ax=right, resolution=150,
                           class_names=["XOR = 0", "XOR = 1"])
    right.set_title("Learned decision surface")
    fig.suptitle(f"The tutorial's 2-{network.hidden_layer}-1 network learning XOR")
    return fig
