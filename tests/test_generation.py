"""Sampling from a language model: reproducible, temperature and top-k as defined, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from plainnet import Sequential
from plainnet.generation import generate, next_token_probabilities
from plainnet.language_model import lstm_language_model, transformer_language_model
from plainnet.layers import Dense, Embedding, Softmax


class FixedScores:
    """A stand-in model: the same logits after any window; it records the windows it saw."""

    def __init__(self, logits):
        self.logits = np.asarray(logits, dtype=np.float64)
        self.layers = [Embedding(len(self.logits), 2)]
        self.windows = []

    def predict(self, window):
        self.windows.append(np.array(window))
        return np.broadcast_to(self.logits, (*window.shape, len(self.logits)))


def test_temperature_and_top_k_shape_the_distribution():
    model = FixedScores([0.0, 1.0, 2.0, 3.0])
    p = next_token_probabilities(model, np.array([[1]]))
    np.testing.assert_allclose(p, np.exp(model.logits) / np.exp(model.logits).sum())
    cold = next_token_probabilities(model, np.array([[1]]), temperature=0.5)
    np.testing.assert_allclose(cold, np.exp(2 * model.logits) / np.exp(2 * model.logits).sum())
    top = next_token_probabilities(model, np.array([[1]]), top_k=2)
    np.testing.assert_allclose(top, [0, 0, 1 / (1 + np.e), np.e / (1 + np.e)])


def test_draws_follow_the_distribution_and_top_k_1_is_greedy():
    model = FixedScores(np.log([0.1, 0.2, 0.3, 0.4]))
    ids = generate(model, [0], 4000, seed=0)
    frequencies = np.bincount(ids, minlength=4) / len(ids)
    np.testing.assert_allclose(frequencies, [0.1, 0.2, 0.3, 0.4], atol=0.03)
    assert (generate(model, [0], 50, top_k=1, seed=1) == 3).all()


def test_the_window_is_the_last_context_tokens():
    model = FixedScores([5.0, 0.0, 0.0])  # always draws 0
    generate(model, [1, 2, 1, 2], 3, context=3, seed=0)
    assert [w.tolist() for w in model.windows] == [[[2, 1, 2]], [[1, 2, 0]], [[2, 0, 0]]]


def test_a_seed_gives_the_same_text_and_the_prompt_is_not_returned():
    model = transformer_language_model(7, context=8, width=8, num_layers=1, num_heads=2, seed=3)
    a = generate(model, [1, 2, 3], 20, temperature=2.0, seed=5)
    b = generate(model, [1, 2, 3], 20, temperature=2.0, seed=5)
    c = generate(model, [1, 2, 3], 20, temperature=2.0, seed=6)
    assert a.shape == (20,) and a.dtype == np.int64 and (a == b).all() and (a != c).any()
    assert a.min() >= 0 and a.max() < 7
    # the prompt and the output together pass the PositionalEmbedding's maximum: windows of 8
    assert generate(model, [1] * 10, 3, seed=0).shape == (3,)
    lstm = lstm_language_model(7, units=4, embedding_dim=3)
    assert generate(lstm, [1], 5, seed=0, context=2).shape == (5,)
    assert generate(lstm, [1], 0, seed=0).shape == (0,)


def test_a_model_ending_in_softmax_is_read_as_probabilities():
    model = Sequential([Embedding(4, 3), Dense(4), Softmax()], seed=0, input_shape=(None,))
    logits_model = Sequential([Embedding(4, 3), Dense(4)], seed=0, input_shape=(None,))
    window = np.array([[1, 2]])
    np.testing.assert_allclose(next_token_probabilities(model, window),
                               next_token_probabilities(logits_model, window), atol=1e-6)


@pytest.mark.parametrize("kwargs, message", [
    ({"prompt_tokens": []}, "prompt_tokens must hold at least one"),
    ({"prompt_tokens": [4]}, r"prompt_tokens must lie in \[0, 4\).*got 4"),
    ({"prompt_tokens": [-1]}, "got -1"),
    ({"prompt_tokens": [[1]]}, "1-D"),
    ({"prompt_tokens": [0.5]}, "integer token ids"),
    ({"temperature": 0.0}, "temperature must be > 0"),
    ({"temperature": -1.0}, "temperature"),
    ({"top_k": 0}, "top_k must be >= 1"),
    ({"context": 0}, "context must be >= 1"),
    ({"n": -1}, "n must be >= 0"),
])
def test_bad_arguments_are_one_line_errors_naming_them(kwargs, message):
    arguments = {"model": FixedScores([0.0] * 4), "prompt_tokens": [1], "n": 2, **kwargs}
    with pytest.raises(ValueError, match=message) as error:
        generate(**arguments)
    assert "\n" not in str(error.value)


def test_a_model_without_embedding_is_refused():
    model = Sequential([Dense(3)], input_shape=(2,))
    with pytest.raises(ValueError, match="model must start with an Embedding"):
        generate(model, [1], 2)


def test_sequential_generate_is_the_same_sampler():
    import plainnet as pn
    from plainnet.generation import generate

    model = pn.Sequential([pn.Embedding(7, 4), pn.GRU(5, return_sequences=True), pn.Dense(7)],
                          seed=0)
    expected = generate(model, [1, 2, 3], 6, temperature=0.7, top_k=3, seed=4)
    np.testing.assert_array_equal(
        model.generate([1, 2, 3], 6, temperature=0.7, top_k=3, seed=4), expected)
    with pytest.raises(ValueError, match="temperature"):
        model.generate([1], 2, temperature=0)
