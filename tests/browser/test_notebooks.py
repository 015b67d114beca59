"""The scheduler notebooks (02-08) as a learner uses them: open in JupyterLab, Run All, move an explorer
slider with the keyboard, see the plot redraw and the readout update, and no errors anywhere.

The parameter list is read from notebooks/ at collection time, so the suite grows with the course; with
no scheduler notebook at all the suite fails rather than passing vacuously.
"""

from __future__ import annotations

import time

import pytest

from .conftest import NOTEBOOKS_DIR
from .lab import (
    NB,
    SLIDER,
    handle_value,
    move_and_redraw,
    notebook_problems,
    open_notebook,
    pick_slider,
    readout_agrees_with_handle,
    region_problems,
    run_all_cells,
    screenshot_dir,
    scroll_to_first_problem,
    wait_for_plot,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

SCHEDULER_NOTEBOOKS = sorted(p.name for p in NOTEBOOKS_DIR.glob("0[2-8]_*.ipynb"))


def test_scheduler_notebooks_exist():
    """Fails (does not skip) when the course has no scheduler notebook, so the suite cannot pass empty."""
    assert SCHEDULER_NOTEBOOKS, f"no scheduler notebooks (02_*..08_*.ipynb) in {NOTEBOOKS_DIR}: nothing to test"


@pytest.mark.parametrize("notebook", SCHEDULER_NOTEBOOKS)
def test_scheduler_notebook_explorer(page, lab_server, notebook):
    stem = notebook.removesuffix(".ipynb")
    shots = screenshot_dir()
    t0 = time.perf_counter()
    passed = False
    try:
        open_notebook(page, lab_server.url(f"/lab/tree/{notebook}", reset=""))
        t_open = time.perf_counter()
        state = run_all_cells(page)
        t_run = time.perf_counter()
        problems = notebook_problems(page)
        assert state == "done" and not problems, f"{notebook}: Run All ended with {state!r}: {problems}"

        explorer = page.locator(f"{NB} .jp-CodeCell:has({SLIDER})").first
        assert explorer.count() == 1, f"{notebook}: no explorer (no ipywidgets slider in any output)"
        region = explorer.locator(".jp-Cell-outputArea")
        region.scroll_into_view_if_needed()
        wait_for_plot(region)
        assert region_problems(region) == [], f"{notebook}: the explorer shows an error before any move"
        region.screenshot(path=str(shots / f"{stem}-explorer-before.png"))

        slider = pick_slider(region)
        redraw = move_and_redraw(page, region, slider)
        move = redraw.move
        assert redraw.after != redraw.before
        shown, handle = move.after, handle_value(slider)
        assert readout_agrees_with_handle(shown, handle), (
            f"{notebook}: slider {move.label!r} readout {shown!r} does not match its handle ({handle!r})"
        )
        assert region_problems(region) == [], f"{notebook}: the explorer shows an error after moving {move.label!r}"
        assert notebook_problems(page) == [], f"{notebook}: errors after moving {move.label!r}"
        assert page.console_errors == [], f"{notebook}: JavaScript errors in the page: {page.console_errors}"
        region.screenshot(path=str(shots / f"{stem}-explorer-after.png"))
        t_end = time.perf_counter()
        print(f"{notebook}: open {t_open - t0:.1f} s, run all {t_run - t_open:.1f} s, "
              f"slider+redraw {t_end - t_run:.1f} s")
        print(f"{notebook}: {move.label} {move.before} -> {move.after} ({move.key} x{move.presses}); "
              f"plot {redraw.before.hash} -> {redraw.after.hash}"
              + (f"; refused first: {redraw.refused.after}" if redraw.refused else ""))
        passed = True
    finally:
        try:
            if not passed:
                scroll_to_first_problem(page)
            page.screenshot(path=str(shots / f"{stem}-lab.png"))
        finally:
            lab_server.shutdown_kernels()
