"""Playwright helpers that use JupyterLab and Voila the way a learner does: run all, wait, drag a slider.

Selectors and waits follow what was measured on this machine (docs: /work/shared/notes/browser-testing.md):
the kernel is idle when the *status bar* says "(ipykernel) | Idle" (the toolbar indicator is idle while
there is no kernel at all); ipywidgets sliders are noUiSlider handles driven with the keyboard; the inline
matplotlib plot is an <img> whose src changes when the figure is redrawn (ipympl: a <canvas>).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page

NB = ".jp-NotebookPanel:not(.lm-mod-hidden)"
IDLE_TEXT = "(ipykernel) | Idle"
SLIDER = ".widget-slider"
HANDLE = ".noUi-handle"
READOUT = ".widget-readout"
ERROR_WORD = re.compile(r"Traceback|\b\w*Error\b")

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"


def screenshot_dir() -> Path:
    """artifacts/screenshots/, created on demand and git-ignored by its own ``.gitignore`` (which ignores
    itself too, so nothing here is ever committed)."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    ignore = SCREENSHOT_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# made by tests/browser; kept by CI as an artifact, never committed\n*\n")
    return SCREENSHOT_DIR


def status_bar_text(page: Page) -> str:
    """The status bar's text, e.g. "Simple ... Python 3 (ipykernel) | Idle ..."."""
    return page.evaluate("() => document.querySelector('#jp-main-statusbar')?.innerText ?? ''")


def open_notebook(page: Page, url: str, timeout_ms: float = 60_000) -> None:
    """Open a notebook URL (use ``?reset``) and wait until its kernel is started and idle.

    A "Select Kernel" dialog (a notebook without kernelspec metadata) is accepted with the default
    kernel, as a learner would.
    """
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector(f"{NB} .jp-Notebook", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    while time.monotonic() < deadline:
        if IDLE_TEXT in status_bar_text(page):
            return
        if accept.count() and accept.first.is_visible():
            accept.first.click()
        time.sleep(0.25)
    raise AssertionError(f"kernel not idle after {timeout_ms / 1000:.0f} s; status bar: {status_bar_text(page)!r}")


_RUN_STATE_JS = """
(idleText) => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.widgets) return 'no-notebook';
  const cells = panel.content.widgets.filter(
    c => c.model.type === 'code' && c.model.sharedModel.getSource().trim() !== '');
  const status = document.querySelector('#jp-main-statusbar')?.innerText ?? '';
  const idle = status.includes(idleText);
  const failed = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  const running = cells.some(c => c.model.executionState === 'running');
  const pending = cells.filter(c => c.model.executionCount === null).length;
  if (idle && !running && failed) return 'error';
  if (idle && !running && pending === 0) return 'done';
  return false;
}
"""


def run_all_cells(page: Page, timeout_ms: float = 150_000) -> str:
    """Run > Run All Cells, then wait until every code cell has run and the kernel is idle again.

    Returns "done", or "error" when a cell raised (Run All stops there). The kernel may still be idle
    for a moment after the command, so the wait also requires every non-empty code cell to have an
    execution count.
    """
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    handle = page.wait_for_function(_RUN_STATE_JS, arg=IDLE_TEXT, timeout=timeout_ms, polling=250)
    return handle.json_value()


_MODEL_PROBLEMS_JS = """
() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const problems = [];
  panel.content.widgets.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    for (const o of cell.model.outputs.toJSON()) {
      if (o.output_type === 'error') {
        problems.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
      } else if (o.output_type === 'stream' && o.name === 'stderr') {
        const text = Array.isArray(o.text) ? o.text.join('') : o.text;
        if (/Traceback|\\b\\w*Error\\b/.test(text)) problems.push(`cell ${i} stderr: ${text.slice(0, 800)}`);
      }
    }
  });
  return problems;
}
"""


def output_problems(scope: Locator) -> list[str]:
    """Error-looking outputs a learner would see inside ``scope`` (DOM only): tracebacks, errors, broken widgets.

    Flags stderr outputs and any output area whose text holds "Traceback" or an ``...Error`` word,
    and JupyterLab's "Error displaying widget" placeholder.
    """
    problems: list[str] = []
    stderr = scope.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    for i in range(stderr.count()):
        text = stderr.nth(i).inner_text()
        if ERROR_WORD.search(text):
            problems.append(f"stderr output: {text[:800]}")
    outputs = scope.locator(".jp-OutputArea-output")
    for i in range(outputs.count()):
        text = outputs.nth(i).inner_text()
        if "Traceback" in text or "Error displaying widget" in text:
            problems.append(f"output area: {text[:800]}")
    return sorted(set(problems))


def scroll_to_first_problem(page: Page) -> None:
    """Scroll the notebook so the first error/stderr output is on screen (for the failure screenshot)."""
    bad = page.locator(f'{NB} .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    if bad.count():
        try:
            bad.first.scroll_into_view_if_needed(timeout=5_000)
        except Exception:  # noqa: BLE001 - best effort, only for the screenshot
            pass


def notebook_problems(page: Page) -> list[str]:
    """Errors in the open notebook: error/stderr outputs in the cell models plus what the DOM shows."""
    return page.evaluate(_MODEL_PROBLEMS_JS) + output_problems(page.locator(NB))


_PLOT_SIGNATURE_JS = """
(root) => {
  const parts = [];
  root.querySelectorAll('img').forEach(img => parts.push(img.currentSrc || img.src || ''));
  root.querySelectorAll('canvas').forEach(c => { try { parts.push(c.toDataURL()); } catch (e) {} });
  const s = parts.join('|');
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return {count: parts.filter(p => p.length > 0).length, length: s.length, hash: h.toString(16)};
}
"""


@dataclass(frozen=True)
class PlotSignature:
    """A cheap fingerprint of every plot image in a region (FNV-1a of the srcs / canvas data URLs)."""

    count: int
    length: int
    hash: str


def plot_signature(region: Locator) -> PlotSignature:
    """Fingerprint of the plots (img src, canvas pixels) inside ``region``."""
    return PlotSignature(**region.evaluate(_PLOT_SIGNATURE_JS))


def wait_for_plot(region: Locator, timeout_s: float = 60.0) -> PlotSignature:
    """Wait until ``region`` shows at least one non-empty plot and it is stable for 0.5 s."""
    deadline = time.monotonic() + timeout_s
    previous = None
    while time.monotonic() < deadline:
        sig = plot_signature(region)
        if sig.count > 0 and sig == previous:
            return sig
        previous = sig
        time.sleep(0.5)
    raise AssertionError(f"no stable plot appeared in the explorer within {timeout_s:.0f} s (last: {previous})")


def wait_for_plot_change(region: Locator, before: PlotSignature, timeout_s: float = 30.0) -> PlotSignature:
    """Poll until the plot differs from ``before`` and two reads 0.5 s apart agree; return the new one."""
    deadline = time.monotonic() + timeout_s
    previous = None
    while time.monotonic() < deadline:
        sig = plot_signature(region)
        if sig.count > 0 and sig != before and sig == previous:
            return sig
        previous = sig
        time.sleep(0.5)
    raise AssertionError(
        f"the plot did not change within {timeout_s:.0f} s after moving the slider (before {before}, now {previous})"
    )


@dataclass(frozen=True)
class SliderMove:
    """One keyboard move of a slider: its label, readouts before/after, and the key pressed."""

    label: str
    before: str
    after: str
    key: str
    presses: int


def slider_label(slider: Locator) -> str:
    """The description label next to a slider (ipywidgets ``description``), or "" if it has none."""
    label = slider.locator(".widget-label")
    return label.first.inner_text().strip() if label.count() else ""


def readout(slider: Locator) -> str:
    """The slider's readout text (ipywidgets puts the formatted value in ``.widget-readout``)."""
    return slider.locator(READOUT).first.inner_text().strip()


def move_slider(page: Page, slider: Locator, presses: int = 3, timeout_s: float = 10.0,
                keys: tuple[str, ...] = ("ArrowRight", "ArrowLeft")) -> SliderMove:
    """Focus the slider's noUi handle and press ArrowRight ``presses`` times (ArrowLeft if it is at its max).

    Returns once the readout shows a new value; raises AssertionError if it never does.
    """
    slider.scroll_into_view_if_needed()
    handle = slider.locator(HANDLE).first
    label = slider_label(slider)
    before = readout(slider)
    for key in keys:
        handle.focus()
        for _ in range(presses):
            page.keyboard.press(key)
            time.sleep(0.1)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            after = readout(slider)
            if after != before:
                return SliderMove(label=label, before=before, after=after, key=key, presses=presses)
            time.sleep(0.2)
    raise AssertionError(f"slider {label!r}: readout stayed {before!r} after pressing {' / '.join(keys)}")


def handle_value(slider: Locator) -> str:
    """The noUi handle's own idea of the value (``aria-valuetext`` or ``aria-valuenow``)."""
    handle = slider.locator(HANDLE).first
    return handle.get_attribute("aria-valuetext") or handle.get_attribute("aria-valuenow") or ""


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "").strip())
    except ValueError:
        return None


def readout_agrees_with_handle(readout_text: str, handle_text: str) -> bool:
    """Does the readout show the value the handle sits at? (equal text, or equal numbers up to the readout's
    rounding, or a FloatLogSlider whose handle holds the exponent). Non-numeric readouts (SelectionSlider
    labels) are compared as text only when the handle also reports text."""
    if readout_text == handle_text:
        return True
    r, h = _number(readout_text), _number(handle_text)
    if r is None or h is None:
        return r is None and h is None and not handle_text  # handle reports nothing to compare
    tol = 10 ** -max(len(readout_text.split(".")[-1]) if "." in readout_text else 0, 0) + 1e-12
    return abs(r - h) <= max(tol, 1e-3 * abs(h)) or abs(r - 10**h) <= max(tol, 1e-2 * abs(10**h))


EXPLORER_BAD = re.compile(r"Traceback|Not drawn|\b\w+Error\b")


def region_problems(region: Locator) -> list[str]:
    """Errors shown anywhere inside a widget region: tracebacks, ``...Error`` text, the explorer's
    "Not drawn: ..." message (an invalid setting or a failing redraw)."""
    text = region.inner_text()
    return [line.strip()[:400] for line in text.splitlines() if EXPLORER_BAD.search(line)]


def open_voila(page: Page, url: str, timeout_ms: float = 120_000) -> Locator:
    """Open a Voila app and wait until it has executed and rendered a slider; return the widget region
    (the outermost output that holds the first slider)."""
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_ms)
    page.wait_for_selector(f"{SLIDER} {HANDLE}", timeout=timeout_ms)
    region = page.locator(f".jp-OutputArea-output:has({SLIDER})").first
    return region if region.count() else page.locator("body")


REJECTED = "Not drawn"


def pick_slider(region: Locator) -> Locator:
    """The first parameter slider in ``region`` (a slider not labelled "steps", else the first slider)."""
    sliders = region.locator(SLIDER)
    count = sliders.count()
    assert count > 0, "no slider in the explorer"
    for i in range(count):
        if slider_label(sliders.nth(i)).lower().rstrip(":") != "steps":
            return sliders.nth(i)
    return sliders.first


def _settle(region: Locator, before: PlotSignature, timeout_s: float) -> tuple[PlotSignature, bool]:
    """Wait until the plot differs from ``before`` (stable over two reads 0.5 s apart), or until the
    explorer steadily shows its "Not drawn" message; returns (signature, rejected)."""
    deadline = time.monotonic() + timeout_s
    previous = None
    while time.monotonic() < deadline:
        sig = plot_signature(region)
        rejected = REJECTED in region.inner_text()
        state = (sig, rejected)
        if state == previous and (rejected or (sig.count > 0 and sig != before)):
            return sig, rejected
        previous = state
        time.sleep(0.5)
    raise AssertionError(
        f"the plot did not change within {timeout_s:.0f} s after moving the slider (before {before}, "
        f"now {previous})"
    )


@dataclass(frozen=True)
class Redraw:
    """A slider move that redrew the plot: the move, plot fingerprints, and whether a first direction
    was refused by the explorer (an out-of-range combination) before the other direction worked."""

    move: SliderMove
    before: PlotSignature
    after: PlotSignature
    refused: SliderMove | None = None


def move_and_redraw(page: Page, region: Locator, slider: Locator, presses: int = 3,
                    timeout_s: float = 60.0) -> Redraw:
    """Move ``slider`` with the keyboard and wait for the plot in ``region`` to redraw.

    If the explorer refuses the new value ("Not drawn: ..." for a combination it cannot draw, e.g. more
    steps than OneCycleLR's total_steps), the handle is moved the other way past its start instead.
    """
    before = wait_for_plot(region)
    move = move_slider(page, slider, presses)
    after, rejected = _settle(region, before, timeout_s)
    if not rejected:
        return Redraw(move, before, after)
    back = "ArrowLeft" if move.key == "ArrowRight" else "ArrowRight"
    second = move_slider(page, slider, 2 * presses, keys=(back,))
    after, rejected = _settle(region, before, timeout_s)
    assert not rejected, f"slider {move.label!r}: the explorer refused both {move.after!r} and {second.after!r}"
    return Redraw(second, before, after, refused=move)
