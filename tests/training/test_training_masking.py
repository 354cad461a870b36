"""Sequences of different lengths in one batch: padded with 0, masked, and left out of the loss."""

from __future__ import annotations

import numpy as np
import pytest

from plainnet import GRU, LSTM, Dense, Embedding, MultiHeadAttention, Sequential, SimpleRNN
from plainnet.optimizers import SGD


def language_model(recurrent=LSTM, seed=0):
    model = Sequential([Embedding(6, 4, mask_zero=True), recurrent(5, return_sequences=True),
                        Dense(6)], seed=seed, dtype=np.float64)
    model.compile("sparse_categorical_crossentropy", SGD(learning_rate=0.1),
                  metrics=["accuracy"])
    return model


SHORT, LONG = np.array([[3, 1, 2]]), np.array([[1, 4, 5, 2, 3]])
SHORT_Y, LONG_Y = np.array([[1, 2, 4]]), np.array([[4, 5, 2, 3, 1]])


def padded(pad_label=0):
    tokens = np.array([[3, 1, 2, 0, 0], [1, 4, 5, 2, 3]])
    targets = np.array([[1, 2, 4, pad_label, pad_label], [4, 5, 2, 3, 1]])
    return tokens, targets


@pytest.mark.parametrize("recurrent", [SimpleRNN, LSTM, GRU])
def test_the_padded_batch_scores_the_real_steps_only(recurrent):
    model = language_model(recurrent)
    tokens, targets = padded()
    together = model.evaluate(tokens, targets)
    short, long = model.evaluate(SHORT, SHORT_Y), model.evaluate(LONG, LONG_Y)
    # the mean over the 8 real steps: 3 of the short sequence, 5 of the long one
    assert together["loss"] == pytest.approx((3 * short["loss"] + 5 * long["loss"]) / 8)
    assert together["accuracy"] == pytest.approx(
        (3 * short["accuracy"] + 5 * long["accuracy"]) / 8)


def test_targets_at_padded_steps_change_nothing():
    tokens, targets = padded(0)
    _, other = padded(5)
    a, b = language_model(), language_model()
    loss_a = a.compute_gradients(tokens, targets)
    loss_b = b.compute_gradients(tokens, other)
    assert loss_a == loss_b
    for (_, _, ga), (_, _, gb) in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(ga, gb)
    a.fit(tokens, targets, epochs=3, verbose=0, shuffle=False)
    b.fit(tokens, other, epochs=3, verbose=0, shuffle=False)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_fit_gradient_equals_the_plain_path_with_masks():
    tokens, targets = padded()
    model = language_model(GRU)
    reference = model.copy()
    loss = reference.compute_gradients(tokens, targets)
    expected = [p - 0.1 * g for _, p, g in reference.parameters()]
    history = model.fit(tokens, targets, epochs=1, batch_size=2, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(loss)
    for (_, p, _), e in zip(model.parameters(), expected):
        np.testing.assert_allclose(p, e, rtol=1e-12, atol=1e-14)


def test_attention_ignores_padded_keys_in_a_model():
    model = Sequential([Embedding(6, 4, mask_zero=True), MultiHeadAttention(2, 2, causal=True),
                        Dense(6)], seed=0, dtype=np.float64)
    model.compile("sparse_categorical_crossentropy", "adam")
    tokens, targets = padded()
    together = model.evaluate(tokens, targets)
    short, long = model.evaluate(SHORT, SHORT_Y), model.evaluate(LONG, LONG_Y)
    assert together["loss"] == pytest.approx((3 * short["loss"] + 5 * long["loss"]) / 8)


def test_streams_of_batches_of_different_lengths_evaluate_together():
    model = language_model()
    batches = [(SHORT, SHORT_Y), (LONG, LONG_Y)]
    scores = model.evaluate(iter(batches), steps=2)
    short, long = model.evaluate(SHORT, SHORT_Y), model.evaluate(LONG, LONG_Y)
    assert scores["loss"] == pytest.approx((3 * short["loss"] + 5 * long["loss"]) / 8)


def test_ragged_token_lists_get_a_clear_error():
    model = language_model()
    with pytest.raises(ValueError, match="sequences of one length .pad shorter ones with 0."):
        model.predict([[1, 2, 3], [1, 2]])
