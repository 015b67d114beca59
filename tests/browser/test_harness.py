"""The harness itself, against a notebook of our own: proves server, browser, run-all, slider and plot checks
work, so a failure in the course tests points at the course, not the harness."""

from __future__ import annotations

import pytest

from .conftest import HARNESS_NOTEBOOK
from .lab import (
    NB,
    SLIDER,
    handle_value,
    move_slider,
    notebook_problems,
    open_notebook,
    plot_signature,
    run_all_cells,
    screenshot_dir,
    wait_for_plot,
    wait_for_plot_change,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def test_interact_slider_redraws_plot(page, lab_server):
    open_notebook(page, lab_server.url(f"/lab/tree/{HARNESS_NOTEBOOK}", reset=""))
    assert run_all_cells(page) == "done", notebook_problems(page)
    cell = page.locator(f"{NB} .jp-CodeCell:has({SLIDER})").first
    cell.wait_for()
    out = cell.locator(".jp-Cell-outputArea")
    before = wait_for_plot(out)
    move = move_slider(page, cell.locator(SLIDER).first)
    after = wait_for_plot_change(out, before)
    assert after != before and plot_signature(out) == after
    # Three ArrowRight presses are three steps of 0.01; the handle and the readout agree on it.
    assert float(move.after) == pytest.approx(float(move.before) + 0.03)
    assert handle_value(cell.locator(SLIDER).first) == move.after
    assert notebook_problems(page) == []
    page.screenshot(path=str(screenshot_dir() / "harness-lab.png"))
    lab_server.shutdown_kernels()
