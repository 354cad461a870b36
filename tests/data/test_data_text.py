"""Text as characters: the standard-library corpus, the vocabulary, and training windows."""

from __future__ import annotations

import json

import numpy as np
import pytest

from plainnet.data import (
    Vocabulary,
    model_vocabulary,
    python_corpus,
    random_windows,
    split_text,
    text_windows,
)
from plainnet.data.text import check_vocabulary


def test_python_corpus_is_reproducible_split_by_file_and_capped():
    a, b = python_corpus(50_000), python_corpus(50_000)
    assert a == b
    assert len(a.train) + len(a.validation) == 50_000
    assert list(a.files) == sorted(a.files) and all(f.endswith(".py") for f in a.files)
    assert len(a.validation) > 0 and a.validation not in a.train
    big = python_corpus(200_000, validation_every=5)
    assert big.train.startswith(a.train[:1000])  # the same files first, in the same order
    assert 0.05 < len(big.validation) / 200_000 < 0.5


def test_split_text_by_position():
    corpus = split_text("abcdefghij", 0.2)
    assert (corpus.train, corpus.validation) == ("abcdefgh", "ij")
    with pytest.raises(ValueError, match="validation_fraction"):
        split_text("abc", 1.0)


def test_vocabulary_encodes_decodes_and_maps_unknown_characters_to_zero():
    vocabulary = Vocabulary.from_text("hello, world\n")
    assert vocabulary.characters == "".join(sorted(set("hello, world\n")))
    assert vocabulary.size == len(vocabulary.characters) + 1
    ids = vocabulary.encode("hold\n")
    assert ids.dtype == np.int64 and ids.min() >= 1
    assert vocabulary.decode(ids) == "hold\n"
    assert vocabulary.encode("é z!").tolist() == [0, vocabulary.encode(" ")[0], 0, 0]
    assert vocabulary.decode([0]) == "\ufffd"
    assert vocabulary.encode("").shape == (0,)
    assert Vocabulary.from_text("€a😀").decode(Vocabulary.from_text("€a😀").encode("😀€")) \
        == "😀€"  # outside the basic plane too
    with pytest.raises(ValueError, match=r"ids must lie in \[0, "):
        vocabulary.decode([vocabulary.size])
    with pytest.raises(ValueError, match="repeat"):
        Vocabulary("aa")


def test_vocabulary_save_load_round_trip_and_damaged_files_refused(tmp_path):
    vocabulary = Vocabulary.from_text("def f(x):\n    return x\t# é")
    path = tmp_path / "vocab.json"
    vocabulary.save(path)
    assert Vocabulary.load(path) == vocabulary
    assert not [p for p in tmp_path.iterdir() if p.name != "vocab.json"]  # no temporary left
    document = json.loads(path.read_text())
    for change, message in [({"size": 3}, "damaged"), ({"format": "other"}, "not a plainnet"),
                            ({"characters": 5}, "characters"),
                            ({"characters": "aab", "size": 4}, "repeat")]:
        path.write_text(json.dumps({**document, **change}))
        with pytest.raises(ValueError, match=message):
            Vocabulary.load(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not a JSON file"):
        Vocabulary.load(path)


def test_text_windows_shift_targets_by_one():
    tokens = np.arange(10)
    inputs, targets = text_windows(tokens, 3)
    assert inputs.tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    assert targets.tolist() == [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
    inputs, targets = text_windows(tokens, 4, stride=1)
    assert inputs.shape == (6, 4) and (targets == inputs + 1).all()
    with pytest.raises(ValueError, match="context"):
        text_windows(tokens, 10)


def test_random_windows_are_seeded_and_in_range():
    tokens = np.arange(100)
    a = random_windows(tokens, 8, 50, np.random.default_rng(1))
    b = random_windows(tokens, 8, 50, np.random.default_rng(1))
    assert all((x == y).all() for x, y in zip(a, b, strict=True))
    inputs, targets = a
    assert inputs.shape == (50, 8) and (targets == inputs + 1).all() and targets.max() <= 99
    assert len(np.unique(inputs[:, 0])) > 20  # the starts vary


class _Model:  # what model_vocabulary reads: layers[0].vocab_size, output_shape, metadata
    def __init__(self, vocab, outputs, metadata):
        self.layers = [type("E", (), {"vocab_size": vocab})()]
        self.output_shape, self.metadata = (None, outputs), metadata


def test_a_vocabulary_that_does_not_fit_the_model_is_refused():
    vocabulary = Vocabulary("abc")
    assert model_vocabulary(_Model(4, 4, {"vocabulary": vocabulary.to_dict()})) == vocabulary
    with pytest.raises(ValueError, match="4 ids, but the model reads 5 and predicts 5"):
        model_vocabulary(_Model(5, 5, {"vocabulary": vocabulary.to_dict()}))
    with pytest.raises(ValueError, match="no vocabulary"):
        model_vocabulary(_Model(4, 4, {}))
    with pytest.raises(ValueError, match="predicts 7"):
        check_vocabulary(_Model(4, 7, {}), vocabulary)
