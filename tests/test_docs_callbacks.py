"""docs/callbacks.md runs as written (ReduceLROnPlateau, lr_find, CSVLogger across a resume,
the classification metrics), with test_docs.py's runner: outputs shown must match."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_docs import run_markdown

PAGE = Path(__file__).resolve().parent.parent / "docs" / "callbacks.md"


def test_callbacks_page_runs(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    run_markdown(PAGE, tmp_path)
    assert (tmp_path / "lr_find.png").stat().st_size > 10_000  # the figure was drawn
