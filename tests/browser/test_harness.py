"""The harness itself, against a notebook of our own: proves server, browser, run-all, slider and plot checks
work, so a failure in the course tests points at the course, not the harness."""

from __future__ import annotations

import pytest

from .conftest import BROKEN_NOTEBOOK, HARNESS_NOTEBOOK
from .lab import (
    NB,
    SLIDER,
    handle_value,
    move_and_redraw,
    move_slider,
    notebook_problems,
    open_notebook,
    output_problems,
    pick_slider,
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


def test_harness_catches_errors_and_frozen_plots(page, lab_server):
    """Negative control: the same checks fail on a notebook whose cell raises and whose plot ignores
    its slider, so the course tests above cannot pass by accident."""
    open_notebook(page, lab_server.url(f"/lab/tree/{BROKEN_NOTEBOOK}", reset=""))
    assert run_all_cells(page) == "error"
    problems = notebook_problems(page)
    assert any("ValueError" in p and "negative control" in p for p in problems), problems
    assert output_problems(page.locator(NB)), "the DOM check missed the traceback"
    cell = page.locator(f"{NB} .jp-CodeCell:has({SLIDER})").first
    region = cell.locator(".jp-Cell-outputArea")
    with pytest.raises(AssertionError, match="did not change"):
        move_and_redraw(page, region, pick_slider(region), timeout_s=4.0)
    lab_server.shutdown_kernels()
