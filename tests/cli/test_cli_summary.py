"""``plainnet summary`` (and its alias ``info``): layers and the training record."""

from __future__ import annotations

import re

from cli_helpers import run


def test_summary_shows_layers_and_training_record(colours):
    folder, _, _, _ = colours
    out = run("summary", "colours.pnet", cwd=folder, check=True).stdout
    assert "dense (Dense)" in out and "Total params: 51" in out  # (2*8 + 8) + (8*3 + 3)
    for line in ("task:       classification", "target:     colour",
                 "features:   a, b (2)", "classes:    blue, green, red (3)",
                 "epochs:     40"):
        assert line in out, line
    assert re.search(r"^  train:\s+loss [0-9.]+\s+accuracy (0\.9|1\.0)", out, re.M)
    assert re.search(r"^  validation:\s+loss", out, re.M)
    assert "--hidden 8" in out and "--learning-rate 0.01" in out
    assert run("info", "colours.pnet", cwd=folder, check=True).stdout == out  # the alias
