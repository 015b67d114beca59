"""The schedule explorer as a standalone Voila app (no code visible): slider moves, plot redraws, no errors."""

from __future__ import annotations

import pytest

from .lab import (
    handle_value,
    move_and_redraw,
    open_voila,
    output_problems,
    pick_slider,
    readout_agrees_with_handle,
    region_problems,
    screenshot_dir,
    wait_for_plot,
)
from .servers import start_voila

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def check_app(page, url: str, name: str) -> str:
    """Open the app, move its first slider, require a redraw, a matching readout and no errors."""
    shots = screenshot_dir()
    try:
        region = open_voila(page, url)
        wait_for_plot(region)
        assert region_problems(region) == [], f"{name}: the app shows an error on load"
        slider = pick_slider(region)
        redraw = move_and_redraw(page, region, slider)
        move, before, after = redraw.move, redraw.before, redraw.after
        handle = handle_value(slider)
        assert readout_agrees_with_handle(move.after, handle), (
            f"{name}: slider {move.label!r} readout {move.after!r} does not match its handle ({handle!r})"
        )
        assert region_problems(region) == [], f"{name}: the app shows an error after moving {move.label!r}"
        assert output_problems(page.locator("body")) == [], f"{name}: error outputs in the page"
        assert page.console_errors == [], f"{name}: JavaScript errors: {page.console_errors}"
        return f"{name}: {move.label} {move.before} -> {move.after}; plot {before.hash} -> {after.hash}"
    finally:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_voila_serves_harness_notebook(page, harness_notebook, tmp_path):
    """Voila itself works here (our own interact notebook), so a failure below is the app's."""
    server = start_voila(harness_notebook, tmp_path / "voila")
    try:
        print(check_app(page, server.url("/"), "harness-voila"))
    finally:
        server.stop()


def test_voila_explorer_app(page, voila_server):
    print(check_app(page, voila_server.url("/"), "voila-explorer-app"))
