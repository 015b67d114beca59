"""The standalone explorer app: a scheduler dropdown above the matching panel (served by Voila from
``app.ipynb``: ``voila src/lrlab/explorer/app.ipynb``)."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from lrlab import catalog

from .compare import compare
from .explore import explore
from .params import SPECS
from .warmup import warmup_composer

VIEWS: tuple[str, ...] = (*SPECS, "compare: StepLR vs cosine vs one-cycle", "warmup composer")


def _panel(choice: str, module: Any, steps: int | None) -> widgets.Widget:
    if choice.startswith("compare"):
        return compare(steps=steps or 1000)
    if choice == "warmup composer":
        return warmup_composer(steps=steps or 1000, module=module)
    extra = {"steps": steps} if steps else {}
    return explore(choice, module=module, **extra)


def app(initial: str = catalog.DEFAULT_DECAY, *, module: Any = None, steps: int | None = None) -> widgets.VBox:
    """A dropdown of every explorer view; picking one replaces the panel below it (errors shown as text)."""
    if initial not in VIEWS:
        raise ValueError(f"initial must be one of {list(VIEWS)}, got {initial!r}")
    chooser = widgets.Dropdown(options=list(VIEWS), value=initial, description="scheduler",
                               layout=widgets.Layout(width="420px"))
    status = widgets.HTML()
    box = widgets.VBox([chooser, status, _panel(initial, module, steps)])

    def show(change: dict[str, Any]) -> None:
        try:
            box.children = (chooser, status, _panel(change["new"], module, steps))
            status.value = ""
        except Exception as exc:  # noqa: BLE001 - never leave a traceback in the app
            status.value = f'<span style="color:#b00020">Could not open {change["new"]}: {type(exc).__name__}: {exc}</span>'

    chooser.observe(show, names="value")
    box.chooser = chooser  # type: ignore[attr-defined]
    return box
