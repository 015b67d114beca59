"""The schedule explorer as a standalone Voila app (no code visible): the slider moves, the plot redraws,
the scheduler dropdown swaps the panel, and no error shows anywhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page

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
    wait_for_plot_change,
)
from .servers import start_voila

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

DROPDOWN = ".widget-dropdown select"


def check_slider(page: Page, region: Locator, name: str) -> str:
    """Move the region's first parameter slider; require a redraw, a matching readout and no errors."""
    wait_for_plot(region)
    assert region_problems(region) == [], f"{name}: the app shows an error before the move"
    slider = pick_slider(region)
    redraw = move_and_redraw(page, region, slider)
    move = redraw.move
    handle = handle_value(slider)
    assert readout_agrees_with_handle(move.after, handle), (
        f"{name}: slider {move.label!r} readout {move.after!r} does not match its handle ({handle!r})"
    )
    assert region_problems(region) == [], f"{name}: the app shows an error after moving {move.label!r}"
    assert output_problems(page.locator("body")) == [], f"{name}: error outputs in the page"
    assert page.console_errors == [], f"{name}: JavaScript errors: {page.console_errors}"
    return f"{name}: {move.label} {move.before} -> {move.after}; plot {redraw.before.hash} -> {redraw.after.hash}"


def test_voila_serves_harness_notebook(page, harness_notebook, tmp_path):
    """Voila itself works here (our own interact notebook), so a failure below is the app's."""
    server = start_voila(harness_notebook, tmp_path / "voila")
    try:
        region = open_voila(page, server.url("/"))
        print(check_slider(page, region, "harness-voila"))
    finally:
        page.screenshot(path=str(screenshot_dir() / "harness-voila.png"))
        server.stop(grace_s=2.0)


def test_voila_explorer_app(page, voila_server):
    shots = screenshot_dir()
    try:
        region = open_voila(page, voila_server.url("/"))
        print(check_slider(page, region, "voila-app"))
        region.screenshot(path=str(shots / "voila-app-explorer.png"))

        dropdown = region.locator(DROPDOWN).first
        assert dropdown.count() == 1, "the app has no scheduler dropdown"
        options = [o.strip() for o in dropdown.locator("option").all_inner_texts()]
        current = dropdown.evaluate("(s) => s.options[s.selectedIndex].text").strip()
        target = next((o for o in ("StepLR", "OneCycleLR") if o in options and o != current), None)
        assert target is not None, f"the dropdown offers neither StepLR nor OneCycleLR: {options}"
        before = wait_for_plot(region)
        dropdown.select_option(label=target)
        wait_for_plot_change(region, before)
        assert target in region.inner_text(), f"picking {target} did not show its panel"
        print(check_slider(page, region, f"voila-app/{target}"))
        region.screenshot(path=str(shots / f"voila-app-{target}.png"))
    finally:
        page.screenshot(path=str(shots / "voila-app.png"))
