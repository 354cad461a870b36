"""``plainnet xor``: the tutorial's network learns XOR, with a table and a figure."""

from __future__ import annotations

import re

from cli_helpers import assert_real_image, run


def test_xor_prints_the_table_and_draws_loss_and_surface(tmp_path):
    result = run("xor", "--seed", "0", "--epochs", "3000", "--learning-rate", "4",
                 "--plot", "xor.png", cwd=tmp_path, check=True)
    rows = re.findall(r"^([01]) ([01])\s+([01])\s+([0-9.]+)$", result.stdout, re.MULTILINE)
    assert len(rows) == 4
    for a, b, target, output in rows:
        assert int(target) == int(a) ^ int(b)
        assert abs(float(output) - int(target)) < 0.1
    assert "input  target  output" in result.stdout
    assert "3000 epochs, learning rate 4, seed 0" in result.stdout
    assert "saved the loss curve and the decision surface to xor.png" in result.stdout
    rgb = assert_real_image(tmp_path / "xor.png")
    assert rgb.shape[1] > 1.8 * rgb.shape[0]  # two panels side by side
