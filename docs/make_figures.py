"""Draw the pictures of docs/tutorial.md, convolution.md and sequences.md into docs/images/.

Run it from anywhere (it needs matplotlib and scikit-learn; the convolution
chapter's picture also needs Fashion-MNIST, ``apt-get install
dataset-fashion-mnist``, and is left out with a message without it)::

    python docs/make_figures.py              # writes docs/images/*.png
    python docs/make_figures.py --out /tmp   # somewhere else

The pictures show the very models the pages train: this script first runs
every ```python block of a page, in order and in a temporary directory,
exactly as tests/test_docs.py does, and then draws from the names those
blocks defined (``nn``, ``moons_model``, ``cnn``, ...). Everything is seeded, so
the pictures come out the same on every run. They are kept small (80 dpi).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # write files, never open a window
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from plainnet import NeuralNetwork  # noqa: E402
from plainnet.plotting import plot_decision_boundary, plot_history, plot_network  # noqa: E402
from plainnet.tutorial import sigmoid  # noqa: E402

DOCS = Path(__file__).resolve().parent
TUTORIAL = DOCS / "tutorial.md"
CONVOLUTION = DOCS / "convolution.md"
SEQUENCES = DOCS / "sequences.md"
DPI = 80
ORIGINAL_COLOR, PLAINNET_COLOR = "tab:orange", "tab:green"


def run_tutorial(page: Path = TUTORIAL) -> dict:
    """Execute the python blocks of ``page`` (the tutorial) in one namespace; return it."""
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, re.S | re.M)
    namespace: dict = {"__name__": "__tutorial__"}
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as scratch:  # the blocks save a few files
        os.chdir(scratch)
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # what they print is not needed
                for code in blocks:
                    exec(compile(code, str(page), "exec"), namespace)
        finally:
            os.chdir(cwd)
    plt.close("all")  # the blocks draw figures of their own; these are not wanted
    return namespace


def save(fig, out: Path, name: str) -> None:
    path = out / name
    fig.savefig(path, dpi=DPI, metadata={"Software": None})  # no version: stable bytes
    plt.close(fig)
    print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")


def sigmoid_figure(out: Path) -> None:
    z = np.linspace(-8, 8, 400)
    s = sigmoid(z)
    fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
    ax.plot(z, s, label="sigmoid(z)", linewidth=2)
    ax.plot(z, sigmoid(s, derivative=True), label="slope: sigmoid(z) * (1 - sigmoid(z))",
            linewidth=2)
    ax.axhline(0.25, color="grey", linewidth=0.8, linestyle=":")
    ax.annotate("largest slope 0.25, at z = 0", (0, 0.25), (1.5, 0.12),
                arrowprops={"arrowstyle": "->", "color": "grey"}, fontsize="small")
    ax.set_xlabel("z, the weighted sum")
    ax.set_ylim(-0.05, 1.05)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize="small")
    ax.set_title("The sigmoid squashes any z into (0, 1)")
    save(fig, out, "sigmoid.png")


def xor_network_figure(ns: dict, out: Path) -> None:
    start = NeuralNetwork(seed=0)  # the tutorial's nn, before nn.train
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8), layout="constrained")
    plot_network(start, ax=left)
    left.set_title("Random start (seed 0)")
    plot_network(ns["nn"], ax=right)
    right.set_title("After training on XOR")
    save(fig, out, "xor-network.png")


def xor_loss_figure(ns: dict, out: Path) -> None:
    fig, ax = plt.subplots(figsize=(6.5, 3.6), layout="constrained")
    runs = [(ns["slow"], ORIGINAL_COLOR, "original: 1000 epochs, rate 0.1 on the summed error"),
            (ns["nn"], PLAINNET_COLOR, "plainnet: 2000 epochs, rate 4.0 on the mean")]
    for network, color, label in runs:
        plot_history(network, ax=ax)  # draws network.loss_history
        ax.lines[-1].set_color(color)
        ax.lines[-1].set_label(label)
    ax.axhline(0.25, color="grey", linewidth=0.8, linestyle=":")
    ax.text(1990, 0.27, "every answer 0.5", color="grey", ha="right", fontsize="small")
    ax.set_yscale("log")
    ax.set_ylabel("mean squared error")
    ax.set_title("XOR from the same random start")
    ax.legend(fontsize="small", loc="lower left")
    save(fig, out, "xor-loss.png")


def xor_boundary_figure(ns: dict, out: Path) -> None:
    fig, ax = plt.subplots(figsize=(4.8, 4), layout="constrained")
    plot_decision_boundary(ns["nn"], ns["X"], ns["y"], ax=ax)
    ax.set_title("XOR: what the 2-4-1 network answers")
    save(fig, out, "xor-boundary.png")


def moons_figure(ns: dict, out: Path) -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    model, X_test, y_test = ns["moons_model"], ns["X_test"], ns["y_test"]
    plot_decision_boundary(model, X_test, y_test, ax=left)
    accuracy = model.evaluate(X_test, y_test)["accuracy"]
    left.set_title(f"Test points, accuracy {accuracy:.3f}")
    plot_history(ns["moons_history"], metrics="loss", ax=right)
    right.set_title("Learning curves")
    save(fig, out, "moons.png")


def spirals_figure(ns: dict, out: Path) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 4.6), layout="constrained")
    plot_decision_boundary(ns["spirals_model"], ns["X_spirals"], ns["y_spirals"], ax=ax)
    ax.set_title("Three spirals, 2-64-64-3 network")
    save(fig, out, "spirals.png")


def digits_figure(ns: dict, out: Path) -> None:
    images, labels = ns["D_test"][:16], ns["d_test"][:16]
    predicted = ns["digits_model"].predict(images).argmax(axis=1)
    fig, axes = plt.subplots(2, 8, figsize=(8, 2.6), layout="constrained")
    for ax, image, label, guess in zip(axes.ravel(), images, labels, predicted):
        ax.imshow(image.reshape(8, 8), cmap="gray_r")
        right = guess == label
        ax.set_title(f"{guess}" if right else f"{guess} ({label})",
                     color="black" if right else "tab:red")
        ax.set_axis_off()
    fig.suptitle("Unseen test digits and the network's answers")
    save(fig, out, "digits.png")


def conv_filters_figure(ns: dict, out: Path) -> None:
    """The CNN's first-layer kernels, and the feature maps they make of one test image."""
    cnn, photo = ns["cnn"], ns["X_test"][:1]
    kernels = cnn.layers[0].kernel[:, :, 0, :]  # (3, 3, filters)
    maps = cnn.layers[1].forward(cnn.layers[0].forward(photo))[0]  # (28, 28, filters): ReLU'd
    n = kernels.shape[-1]
    fig, axes = plt.subplots(2, n + 1, figsize=(1.25 * (n + 1), 3.1), layout="constrained")
    axes[0, 0].imshow(photo[0, :, :, 0], cmap="gray_r")
    axes[0, 0].set_title("input", fontsize="small")
    axes[1, 0].set_axis_off()
    limit = np.abs(kernels).max()
    for f in range(n):
        axes[0, f + 1].imshow(kernels[:, :, f], cmap="gray", vmin=-limit, vmax=limit)
        axes[0, f + 1].set_title(f"kernel {f}", fontsize="small")
        axes[1, f + 1].imshow(maps[:, :, f], cmap="magma")
        axes[1, f + 1].set_title(f"map {f}", fontsize="small")
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Learned 3x3 kernels (top) and their feature maps of one test photo (bottom)",
                 fontsize="medium")
    save(fig, out, "conv-filters.png")


def convolution_figures(out: Path) -> None:
    """The pictures of docs/convolution.md; they need Fashion-MNIST."""
    from plainnet.data import fashion_mnist

    try:
        fashion_mnist(kind="test")
    except FileNotFoundError as error:
        print(f"skipped the pictures of {CONVOLUTION.name}: {error}")
        return
    conv_filters_figure(run_tutorial(CONVOLUTION), out)


def sequence_gradients_figure(ns: dict, out: Path) -> None:
    """Size of dL/dx_t against the distance from the end, as section 3 measured it."""
    fig, ax = plt.subplots(figsize=(6.5, 3.6), layout="constrained")
    for name, size in ns["gradient_norms"].items():  # by distance: 0, 1, ..., 49
        ax.semilogy(np.arange(len(size)), size, label=name, linewidth=2)
    ax.set_xlabel("steps back from the last one")
    ax.set_ylabel("size of dL/dx_t")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title("The gradient reaching earlier steps, untrained layers of 32 units")
    save(fig, out, "sequence-gradients.png")


def sequence_attention_figure(ns: dict, out: Path) -> None:
    """The tiny transformer's attention weights on one line of the poem, one map per head."""
    weights, line = ns["attention_weights"], ns["line"]  # (heads, time, time), time characters
    heads = weights.shape[0]
    fig, axes = plt.subplots(1, heads, figsize=(5.2 * heads, 5), layout="constrained")
    labels = [repr(character)[1:-1] for character in line]
    for head, ax in enumerate(np.atleast_1d(axes)):
        image = ax.imshow(weights[head], cmap="magma", vmin=0, vmax=1)
        ax.set_xticks(range(len(line)), labels, fontsize=7, family="monospace")
        ax.set_yticks(range(len(line)), labels, fontsize=7, family="monospace")
        ax.set_xlabel("key: the character looked at")
        ax.set_ylabel("query: the position predicting the next character")
        ax.set_title(f"head {head}")
    fig.colorbar(image, ax=axes, shrink=0.8, label="attention weight")
    save(fig, out, "sequence-attention.png")


def sequences_figures(out: Path) -> None:
    """The pictures of docs/sequences.md."""
    ns = run_tutorial(SEQUENCES)
    sequence_gradients_figure(ns, out)
    sequence_attention_figure(ns, out)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DOCS / "images",
                        help="folder for the PNG files (default: docs/images)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    ns = run_tutorial()
    sigmoid_figure(args.out)
    xor_network_figure(ns, args.out)
    xor_loss_figure(ns, args.out)
    xor_boundary_figure(ns, args.out)
    moons_figure(ns, args.out)
    spirals_figure(ns, args.out)
    digits_figure(ns, args.out)
    convolution_figures(args.out)
    sequences_figures(args.out)


if __name__ == "__main__":
    main()
