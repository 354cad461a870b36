"""A network that sees images: on real photos of clothes, a small CNN beats an MLP.

Uses Debian's Fashion-MNIST (``apt-get install dataset-fashion-mnist``; ``.ci/run``
installs it) on a subset small enough for a few seconds: 3,000 training images,
2,000 test images, the same optimizer, epochs and seed for both networks.
"""

from __future__ import annotations

import numpy as np
import pytest

import plainnet.data
from plainnet import (
    Adam,
    Conv2D,
    Dense,
    Flatten,
    GlobalAveragePool2D,
    MaxPool2D,
    Sequential,
    Softmax,
)


@pytest.fixture(scope="module")
def fashion():
    try:
        X, y = plainnet.data.fashion_mnist(kind="train")
        X_test, y_test = plainnet.data.fashion_mnist(kind="test")
    except FileNotFoundError as error:
        pytest.skip(f"Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): "
                    f"{error}")
    return X[:3000], y[:3000], X_test[:2000], y_test[:2000]


def accuracy(layers, fashion) -> float:
    X, y, X_test, y_test = fashion
    model = Sequential(layers, seed=0, input_shape=(28, 28, 1))
    model.compile("categorical_crossentropy", Adam(2e-3), metrics=["accuracy"])
    model.fit(X, y, epochs=5, batch_size=32, verbose=0)
    return model.evaluate(X_test, y_test)["accuracy"]


def test_a_small_cnn_beats_an_mlp_on_fashion_mnist(fashion):
    mlp = accuracy([Flatten(), Dense(128, "relu"), Dense(10), Softmax()], fashion)
    cnn = accuracy([Conv2D(8, 3, activation="relu"), MaxPool2D(2),
                    Conv2D(16, 3, activation="relu"), MaxPool2D(2),
                    Flatten(), Dense(10), Softmax()], fashion)
    assert mlp > 0.75  # both really learn ...
    assert cnn > mlp  # ... and seeing the image as an image helps


def test_an_image_model_predicts_from_images_of_its_shape(fashion):
    X = fashion[0][:8]
    model = Sequential([Conv2D(4, 3, padding="same"), GlobalAveragePool2D(), Dense(10),
                        Softmax()], seed=0)
    probabilities = model.predict(X)  # the input shape is read from the data
    assert model.input_shape == (28, 28, 1) and probabilities.shape == (8, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match=r"X must have shape \(n_samples, 28, 28, 1\)"):
        model.predict(X[:, :, :, 0])
