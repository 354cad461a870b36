"""The playground in a real browser: headless Chromium driven by Playwright.

Needs Debian's ``chromium`` (``/usr/bin/chromium``, which ``.ci/run`` installs)
and the ``playwright`` package (the ``dev`` extra); Playwright's own browser
download is not used. The screenshot is kept in ``build/test-artifacts/``
(or the folder named by ``PLAINNET_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import numpy as np
import pytest

import plainnet
from plainnet.playground.recipe import make_data
from plainnet.playground.settings import parse_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--no-first-run"]
ARTIFACTS = Path(os.environ.get("PLAINNET_TEST_ARTIFACTS", Path(__file__).resolve().parents[2]
                                / "build" / "test-artifacts"))
TEST_LOSS_GOAL = 0.15


@pytest.fixture
def page(server):
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip)")
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # bypass_csp: the test's own scripts (wait_for_function) run despite the page's CSP
            context = browser.new_context(viewport={"width": 1300, "height": 1000},
                                          accept_downloads=True, bypass_csp=True)
            page = context.new_page()
            page.errors = []
            page.on("pageerror", lambda error: page.errors.append(str(error)))
            page.on("console", lambda message: message.type == "error"
                    and page.errors.append(message.text))
            page.goto(server.url)
            yield page
        finally:
            browser.close()


def shown_number(page, selector: str) -> float:
    text = page.text_content(selector) or ""
    return float(text) if re.fullmatch(r"[0-9.]+", text) else float("inf")


def test_spirals_learned_in_the_browser_and_downloaded(page, tmp_path):
    page.wait_for_function("document.getElementById('python').textContent.includes('fit(')")
    page.click("#dataset-spirals")
    page.wait_for_function("document.getElementById('dataset-spirals')"
                           ".classList.contains('selected')")
    page.click("#add-layer")
    page.wait_for_function("document.getElementById('layer-count').textContent"
                           ".startsWith('3 hidden')")
    page.click("#run")

    deadline = time.monotonic() + 60
    while shown_number(page, "#test-loss") >= TEST_LOSS_GOAL:
        assert time.monotonic() < deadline, f"test loss still {page.text_content('#test-loss')}"
        page.wait_for_timeout(250)
    page.click("#run")  # pause
    page.wait_for_function("document.getElementById('run').textContent.includes('Run')")
    epoch = int(page.text_content("#epoch"))
    assert epoch > 0

    colours = page.evaluate("""() => {
        const canvas = document.getElementById('boundary');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const seen = new Set();
        let blue = 0, orange = 0;
        for (let i = 0; i < data.length; i += 4) {
            seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
            if (data[i + 2] > data[i] + 60) blue++;
            if (data[i] > data[i + 2] + 60) orange++;
        }
        return {distinct: seen.size, blue, orange, pixels: data.length / 4};
    }""")
    assert colours["distinct"] > 50, colours  # not blank: a heat map with points
    assert colours["blue"] > 0.1 * colours["pixels"] and colours["orange"] > 0.1 * colours[
        "pixels"], colours
    assert "Dense(8, activation=\"relu\")" in page.text_content("#python")

    with page.expect_download() as download_info:
        page.click("#download")
    path = tmp_path / "playground.pnet"
    download_info.value.save_as(path)
    model = plainnet.load(path)
    assert model.epochs_done == epoch
    settings = parse_settings(model.metadata["playground"])
    assert settings.dataset == "spirals" and settings.hidden == (8, 8, 8)
    _, X_test, _, y_test = make_data(settings)
    accuracy = np.mean((model.predict(X_test)[:, 0] > 0.5) == y_test)
    assert accuracy > 0.9, accuracy

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "playground.png"), full_page=True)
    assert page.errors == []
