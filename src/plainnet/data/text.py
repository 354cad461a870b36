"""Text as characters: a corpus found on every machine, a vocabulary, and training windows.

A character-level language model reads text one character at a time and
learns to predict the next one. Three steps turn text into training data::

    text      "def f(x):\\n    return x"          a str
    tokens    [7, 8, 9, 1, ...]                   vocabulary.encode(text): one id per character
    windows   inputs  tokens[i : i + context]     (n_windows, context)
              targets tokens[i + 1 : i + 1 + context]   the same, shifted by one

so that at every position ``t`` of a window the model sees ``inputs[:t + 1]``
and is scored on ``targets[t]``, the character that follows.

No download is needed: :func:`python_corpus` reads the ``.py`` files of the
Python standard library, which every Python installation has. The files are
taken in a fixed, sorted order, so two machines with the same Python version
get the same corpus; another Python version has other sources, and so a
somewhat different corpus (and different numbers in a benchmark).
"""

from __future__ import annotations

import json
import os
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._validation import check_float, check_int

__all__ = ["DEFAULT_CORPUS_CHARS", "TextCorpus", "Vocabulary", "check_vocabulary",
           "model_vocabulary", "python_corpus", "random_windows", "split_text", "text_windows"]

#: Characters :func:`python_corpus` reads by default (about 2 MB of Python source).
DEFAULT_CORPUS_CHARS = 2_000_000
#: What ``decode`` writes for the unknown id (U+FFFD, the replacement character).
UNKNOWN_CHARACTER = "\ufffd"
_FORMAT = "plainnet-vocabulary"


@dataclass(frozen=True)
class TextCorpus:
    """Training and validation text, and the files they came from (if any)."""

    train: str
    validation: str
    files: tuple[str, ...] = ()


def python_corpus(max_chars: int = DEFAULT_CORPUS_CHARS, validation_every: int = 10) -> TextCorpus:
    """The Python standard library's own top-level ``.py`` files as one text, split by file.

    The files directly in ``sysconfig.get_paths()["stdlib"]`` (``abc.py``,
    ``argparse.py``, ... not the packages or the tests) are read in sorted
    order as UTF-8 until ``max_chars`` characters are reached. Every
    ``validation_every``-th file read (the 10th, 20th, ...; the last one if
    fewer were read) goes to validation and the others to training, so both
    parts sample the whole range of modules and no file is cut in two.

    Parameters
    ----------
    max_chars : int >= 1000
        At most this many characters in all (the last file is cut to fit).
    validation_every : int >= 2
        One file in this many is held out for validation.

    Returns
    -------
    TextCorpus
        ``files`` lists the names read, relative to the standard library folder.

    Notes
    -----
    The corpus is reproducible on one Python version; other versions ship
    other sources, so the text differs between them.
    """
    max_chars = check_int("max_chars", max_chars, 1000)
    validation_every = check_int("validation_every", validation_every, 2)
    folder = Path(sysconfig.get_paths()["stdlib"])
    texts, files, total = [], [], 0
    for path in sorted(folder.glob("*.py")):
        if total >= max_chars:
            break
        try:
            text = path.read_text(encoding="utf-8")[:max_chars - total]
        except (OSError, UnicodeDecodeError):  # unreadable here: left out on this machine
            continue
        texts.append(text)
        files.append(path.name)
        total += len(text)
    if len(texts) < 2:
        raise FileNotFoundError(f"found too few readable .py files in {folder} for a corpus")
    held_out = set(range(validation_every - 1, len(texts), validation_every)) or {len(texts) - 1}
    train = "".join(t for i, t in enumerate(texts) if i not in held_out)
    validation = "".join(t for i, t in enumerate(texts) if i in held_out)
    return TextCorpus(train, validation, tuple(files))


def split_text(text: str, validation_fraction: float = 0.1) -> TextCorpus:
    """Split one text by position: the last ``validation_fraction`` of it for validation."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    fraction = check_float("validation_fraction", validation_fraction, 0.0, 1.0,
                           min_inclusive=False, max_inclusive=False)
    cut = len(text) - int(round(len(text) * fraction))
    return TextCorpus(text[:cut], text[cut:])


class Vocabulary:
    """Characters to ids and back: id 0 stands for any unknown character.

    Parameters
    ----------
    characters : str or iterable of str
        The known characters, one each; they get ids ``1 .. len(characters)``
        in sorted order (by code point).

    Attributes
    ----------
    characters : str
        The known characters in id order (id ``i`` is ``characters[i - 1]``).
    size : int
        Number of ids, ``len(characters) + 1``: the ``vocab_size`` of a model.
    unknown_id : int
        0: what ``encode`` gives a character it does not know.

    Examples
    --------
    >>> vocabulary = Vocabulary.from_text("hello")
    >>> vocabulary.characters, vocabulary.size
    ('ehlo', 5)
    >>> vocabulary.encode("hole!").tolist()
    [2, 4, 3, 1, 0]
    >>> vocabulary.decode([2, 4, 3, 1, 0])
    'hole\ufffd'
    """

    unknown_id = 0

    def __init__(self, characters: Any) -> None:
        if isinstance(characters, str):
            characters = list(characters)
        characters = list(characters)
        if any(not isinstance(c, str) or len(c) != 1 for c in characters):
            raise TypeError("characters must be single-character strings")
        if len(set(characters)) != len(characters):
            raise ValueError("characters must not repeat a character")
        if not characters:
            raise ValueError("characters must hold at least one character, got none")
        self.characters = "".join(sorted(characters))
        self.size = len(self.characters) + 1
        # sorted code points: encoding is a binary search over them (np.searchsorted)
        self._codes = np.array([ord(c) for c in self.characters], dtype=np.int64)

    @classmethod
    def from_text(cls, text: str) -> Vocabulary:
        """The vocabulary of every character that occurs in ``text``."""
        if not isinstance(text, str) or not text:
            raise ValueError("text must be a non-empty str to build a vocabulary from")
        return cls(set(text))

    def encode(self, text: str) -> np.ndarray:
        """Ids of the characters of ``text``, int64 of shape ``(len(text),)``; unknown -> 0."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4").astype(np.int64)
        where = np.searchsorted(self._codes, codes)  # position among the known code points
        where = np.minimum(where, len(self._codes) - 1)
        known = self._codes[where] == codes
        return np.where(known, where + 1, self.unknown_id).astype(np.int64)

    def decode(self, ids: Any) -> str:
        """The text of ``ids`` (a sequence of ints in ``[0, size)``); id 0 becomes U+FFFD."""
        ids = np.asarray(ids)
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise ValueError(f"ids must be a 1-D sequence of integers, got shape {ids.shape} "
                             f"and dtype {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= self.size):
            bad = int(ids.min() if ids.min() < 0 else ids.max())
            raise ValueError(f"ids must lie in [0, {self.size}) (the vocabulary's size), "
                             f"got {bad}")
        table = UNKNOWN_CHARACTER + self.characters
        return "".join(table[i] for i in ids.tolist())

    def __len__(self) -> int:
        return self.size

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and other.characters == self.characters

    def __repr__(self) -> str:
        return f"Vocabulary({self.size} ids: unknown + {len(self.characters)} characters)"

    # ------------------------------------------------------------ as JSON
    def to_dict(self) -> dict[str, Any]:
        """``{"format": ..., "characters": ..., "size": ...}``, JSON values (model metadata)."""
        return {"format": _FORMAT, "characters": self.characters, "size": self.size}

    @classmethod
    def from_dict(cls, document: Any, source: str = "the vocabulary") -> Vocabulary:
        """The vocabulary a :meth:`to_dict` document describes, checked; ``ValueError`` if not."""
        if not isinstance(document, dict) or document.get("format") != _FORMAT:
            raise ValueError(f"{source} is not a plainnet vocabulary (expected a JSON object "
                             f'with "format": "{_FORMAT}")')
        characters, size = document.get("characters"), document.get("size")
        if not isinstance(characters, str) or type(size) is not int:
            raise ValueError(f'{source} must give "characters" as a string and "size" as an '
                             "integer")
        if size != len(characters) + 1:
            raise ValueError(f"{source} is damaged: {len(characters)} characters need size "
                             f"{len(characters) + 1}, but it says {size}")
        try:
            return cls(characters)
        except (TypeError, ValueError) as error:
            raise ValueError(f"{source} is damaged: {error}") from None

    def save(self, path: str | os.PathLike) -> None:
        """Write the vocabulary as a JSON file, atomically."""
        from ..io.atomic import replace_atomically  # io sits above data: reached lazily

        data = json.dumps(self.to_dict(), ensure_ascii=True).encode("ascii")
        replace_atomically(path, lambda file: file.write(data))

    @classmethod
    def load(cls, path: str | os.PathLike) -> Vocabulary:
        """Read a vocabulary written by :meth:`save`, checked (``ValueError`` if damaged)."""
        with open(path, "rb") as file:
            raw = file.read(16 * 2**20 + 1)
        if len(raw) > 16 * 2**20:
            raise ValueError(f"{os.fspath(path)} is too large for a vocabulary file")
        try:
            document = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"{os.fspath(path)} is not a JSON file: {error}") from None
        return cls.from_dict(document, os.fspath(path))


def model_vocabulary(model: Any) -> Vocabulary:
    """The vocabulary saved in ``model.metadata["vocabulary"]``, checked against the model.

    The model's first layer (an ``Embedding``) must read ``vocabulary.size``
    ids and its output must give one score per id; anything else is refused
    with a ``ValueError``, as is a model without a vocabulary.
    """
    document = getattr(model, "metadata", {}).get("vocabulary")
    if document is None:
        raise ValueError("the model has no vocabulary in its metadata (expected "
                         "metadata['vocabulary'], as `plainnet lm train` saves it)")
    vocabulary = Vocabulary.from_dict(document, "the model's vocabulary")
    check_vocabulary(model, vocabulary)
    return vocabulary


def check_vocabulary(model: Any, vocabulary: Vocabulary) -> None:
    """Raise ``ValueError`` unless ``model`` reads and predicts ``vocabulary.size`` ids."""
    first = model.layers[0] if getattr(model, "layers", None) else None
    reads = getattr(first, "vocab_size", None)
    if reads is None:
        raise ValueError("the model does not start with an Embedding layer, so it does not "
                         "read character ids")
    outputs = (getattr(model, "output_shape", None) or (None,))[-1]
    if reads != vocabulary.size or outputs != vocabulary.size:
        raise ValueError(f"the vocabulary has {vocabulary.size} ids, but the model reads "
                         f"{reads} and predicts {outputs}: they were not made together")


# ------------------------------------------------------------------ windows
def _check_token_array(tokens: Any, context: int) -> tuple[np.ndarray, int]:
    tokens = np.asarray(tokens)
    if tokens.ndim != 1 or tokens.dtype.kind not in "iu":
        raise ValueError(f"tokens must be a 1-D array of integer ids, got shape "
                         f"{tokens.shape} and dtype {tokens.dtype}")
    context = check_int("context", context, 1)
    if len(tokens) < context + 1:
        raise ValueError(f"tokens must hold at least context + 1 = {context + 1} ids for "
                         f"one window, got {len(tokens)}")
    return tokens, context


def text_windows(tokens: Any, context: int, stride: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Cut ``tokens`` into ``(inputs, targets)`` windows, the targets shifted by one.

    Window ``i`` starts at ``s = i * stride``::

        inputs[i]  = tokens[s     : s + context]
        targets[i] = tokens[s + 1 : s + 1 + context]

    Parameters
    ----------
    tokens : 1-D integer array
    context : int >= 1
        Length of each window (the model's context).
    stride : int >= 1 or None
        Steps between window starts; default ``context`` (windows side by side).

    Returns
    -------
    inputs, targets : int64 arrays of shape (n_windows, context)
        ``n_windows = (len(tokens) - context - 1) // stride + 1``.
    """
    tokens, context = _check_token_array(tokens, context)
    stride = context if stride is None else check_int("stride", stride, 1)
    starts = np.arange(0, len(tokens) - context, stride)  # s + context < len(tokens)
    return _gather(tokens, starts, context)


def random_windows(tokens: Any, context: int, n: int, rng: np.random.Generator
                   ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` windows starting at random positions (drawn with ``rng``), as :func:`text_windows`."""
    tokens, context = _check_token_array(tokens, context)
    n = check_int("n", n, 1)
    starts = rng.integers(0, len(tokens) - context, size=n)
    return _gather(tokens, starts, context)


def _gather(tokens: np.ndarray, starts: np.ndarray, context: int
            ) -> tuple[np.ndarray, np.ndarray]:
    offsets = starts[:, None] + np.arange(context)  # (n_windows, context)
    tokens = tokens.astype(np.int64, copy=False)
    return tokens[offsets], tokens[offsets + 1]
