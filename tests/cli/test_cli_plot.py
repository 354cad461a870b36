"""``plainnet plot``: decision regions for a 2-feature classifier, else the history."""

from __future__ import annotations

import pytest
from cli_helpers import assert_real_image, run, write_csv

from plainnet.cli import main


def test_plot_draws_decision_regions_for_two_features(colours):
    folder, _, _, _ = colours
    result = run("plot", "colours.pnet", "colours.csv", "--target", "colour", "--out",
                 "regions.png", "--resolution", "60", cwd=folder, check=True)
    assert "saved the decision regions to regions.png" in result.stdout
    rgb = assert_real_image(folder / "regions.png")
    assert (~(rgb > 0.97).all(axis=2)).mean() > 0.3  # the regions fill the axes


def test_plot_names_the_classes_in_the_legend(colours, monkeypatch):
    figure_module = pytest.importorskip("matplotlib.figure")
    folder, X, names, _ = colours
    keep = names != "blue"
    write_csv(folder / "subset.csv", ["b", "colour", "a"],
              [[b, name, a] for (a, b), name in zip(X[keep], names[keep])])
    legends = []  # read in this process, where the figure can be inspected
    monkeypatch.setattr(figure_module.Figure, "savefig", lambda figure, *a, **k: legends.append(
        [text.get_text() for text in figure.axes[0].get_legend().get_texts()]))
    monkeypatch.chdir(folder)
    assert main(["plot", "colours.pnet", "subset.csv", "--target", "colour",
                 "--resolution", "20", "--out", "unused.png"]) == 0
    assert legends[0][-2:] == ["green", "red"]  # only the classes in the file


def test_plot_draws_the_history_for_other_models(houses):
    folder, _, _, _ = houses
    result = run("plot", "houses.pnet", "houses.csv", "--target", "price", "--out",
                 "curves.png", cwd=folder, check=True)
    assert "saved the learning curves to curves.png" in result.stdout
    assert_real_image(folder / "curves.png")
