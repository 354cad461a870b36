"""plot_decision_boundary: shaded regions, boundaries, contours and the data, for
plainnet's models, the tutorial's network and label-only estimators."""

from __future__ import annotations

import numpy as np
import pytest
from plotting_helpers import (
    assert_renders,
    close_figures,  # noqa: F401 (autouse fixture)
    legend_texts,
    moons_model,
    require_matplotlib,
)

import plainnet
from plainnet import datasets
from plainnet.plotting import (
    CLASS_COLORS,
    plot_decision_boundary,
    predict_classes,
    predict_probabilities,
)

plt = require_matplotlib()


def test_decision_boundary_on_moons(tmp_path):
    model, _, X, y = moons_model()
    fig = plot_decision_boundary(model, X, y, resolution=50)
    ax = fig.axes[0]
    assert ax.get_title() == "Decision boundary"
    assert ax.get_xlabel() == "x[0]" and ax.get_ylabel() == "x[1]"
    assert legend_texts(ax) == ["decision boundary", "probability 0.75 and 0.95", "class 0",
                                "class 1"]
    assert len(ax.images) == 1  # the shaded regions
    # the plotted area covers every point
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 < X[:, 0].min() and X[:, 0].max() < x1
    assert y0 < X[:, 1].min() and X[:, 1].max() < y1
    # the classes drawn are the model's: a trained model gets most of moons right
    assert np.mean(predict_classes(model, X) == y) > 0.85
    rgb = assert_renders(fig, tmp_path / "boundary.png")
    assert (~(rgb > 0.97).all(axis=2)).mean() > 0.3  # the regions fill the axes


def test_decision_boundary_regions_follow_the_predictions():
    """The colour at a point is its predicted class's colour, stronger where surer."""
    from matplotlib.colors import to_rgb

    model, _, X, y = moons_model()
    ax = plot_decision_boundary(model, X, y, resolution=40).axes[0]
    image = ax.images[0].get_array()                    # (40, 40, 3), rows from the bottom
    (x0, x1, y0, y1) = ax.images[0].get_extent()
    grid = np.column_stack([g.ravel() for g in np.meshgrid(np.linspace(x0, x1, 40),
                                                          np.linspace(y0, y1, 40))])
    probabilities = predict_probabilities(model, grid)
    predicted = probabilities.argmax(axis=1)
    pixels = np.asarray(image).reshape(-1, 3)
    colours = np.array([to_rgb(CLASS_COLORS[c]) for c in predicted])
    # each pixel is white minus a share of (white - its class's colour): the class's own hue
    share = (1 - pixels).max(axis=1) / (1 - colours).max(axis=1)
    np.testing.assert_allclose(pixels, 1 - share[:, None] * (1 - colours), atol=1e-6)
    sure = probabilities.max(axis=1)
    assert share[sure > 0.95].min() > share[sure < 0.6].max()  # stronger where surer


def test_decision_boundary_names_classes_and_features():
    X, y = datasets.blobs(90, centers=[[-3, 0], [3, 0], [0, 4]], cluster_std=0.5, seed=1)
    model = plainnet.Sequential([plainnet.Dense(2, 8, activation="relu"),
                                 plainnet.Dense(8, 3)], seed=0)  # ends in logits
    model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(X, y, epochs=80, batch_size=16, verbose=0)
    assert np.mean(predict_classes(model, X) == y) > 0.9
    probabilities = predict_probabilities(model, X)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)  # softmax of logits
    fig = plot_decision_boundary(model, X, np.eye(3)[y], resolution=30,  # one-hot y is fine
                                 class_names=["cat", "dog", "fish"],
                                 feature_names=["height", "weight"])
    ax = fig.axes[0]
    assert legend_texts(ax)[-3:] == ["cat", "dog", "fish"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("height", "weight")
    # only the classes present in y are in the legend
    ax2 = plot_decision_boundary(model, X[y > 0], y[y > 0], resolution=20,
                                 class_names=["cat", "dog", "fish"]).axes[0]
    assert legend_texts(ax2)[-2:] == ["dog", "fish"]


def test_decision_boundary_for_the_tutorial_network_on_a_given_ax(tmp_path):
    Xx, yx = datasets.xor()
    nn = plainnet.NeuralNetwork(seed=0).train(Xx, yx)
    np.testing.assert_array_equal(predict_classes(nn, Xx), yx)
    assert predict_probabilities(nn, Xx).shape == (4, 2)
    fig, ax = plt.subplots()
    assert plot_decision_boundary(nn, Xx, yx, ax=ax, resolution=40) is fig
    assert len(ax.images) == 1
    assert_renders(fig, tmp_path / "xor.png")


def test_labels_only_estimators_get_flat_regions():
    class Halves:  # a "classifier" whose predict returns labels
        n_features_in_ = 2

        def predict(self, X):
            return np.where(np.asarray(X)[:, 0] > 0, "right", "left")

    X = np.array([[-1.0, 0.0], [1.0, 1.0], [-2.0, 1.0], [2.0, -1.0]])
    y = np.array(["left", "right", "left", "right"])
    assert predict_probabilities(Halves(), X) is None
    ax = plot_decision_boundary(Halves(), X, y, resolution=20).axes[0]
    assert legend_texts(ax) == ["decision boundary", "class left", "class right"]


def test_decision_boundary_errors():
    model, _, X, y = moons_model()
    with pytest.raises(ValueError, match="X must have 2 features.*has 3 features"):
        plot_decision_boundary(model, np.zeros((5, 3)), np.zeros(5))
    with pytest.raises(ValueError, match="2 features"):
        plot_decision_boundary(model, np.zeros(5))
    wide = plainnet.Sequential([plainnet.Dense(4, 1)], seed=0)
    with pytest.raises(ValueError, match="model with 2 inputs.*takes 4"):
        plot_decision_boundary(wide, X, y)
    with pytest.raises(ValueError, match="200 samples but y has 3"):
        plot_decision_boundary(model, X, y[:3])
    with pytest.raises(ValueError, match="resolution"):
        plot_decision_boundary(model, X, y, resolution=1)
    with pytest.raises(TypeError, match="predict"):
        plot_decision_boundary(object(), X, y)
