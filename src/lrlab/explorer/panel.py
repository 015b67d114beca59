"""``explore(name, **overrides)``: sliders for a scheduler's parameters, redrawing torch's LR/momentum curve
and the learner's implementation overlaid, with the first step where they differ marked (rtol 1e-9).

No widget callback raises: invalid settings show a message and keep the last good plot; a learner's
exception (e.g. a NotImplementedError stub) shows a short note while torch's curve is still drawn.
"""

from __future__ import annotations

import html
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import ipywidgets as widgets
import numpy as np

from lrlab.checks import check_int
from lrlab.plots import first_difference

from . import engine
from .figure import Curve, LiveFigure
from .params import (
    CLOSED_FORM,
    CYCLES_MOMENTUM,
    LR,
    LR_PARAM,
    STEPS,
    ParamSpec,
    check_combination,
    default_values,
    make_widget,
    specs_for,
    to_kwargs,
)

TORCH_COLOR, LEARNER_COLOR = "#1f77b4", "#ff7f0e"
#: Keyword arguments every panel takes besides the scheduler's parameters.
EXTRA_ARGS = frozenset({"steps", "lr", "log", "module", "learner_limit", "learner_timeout"})
LEVEL_STYLE = {
    "error": "color:#b00020; border-left:4px solid #b00020",
    "note": "color:#7a5200; border-left:4px solid #e0a000",
    "ok": "color:#1b5e20; border-left:4px solid #2e7d32",
    "info": "color:#333; border-left:4px solid #999",
}


@dataclass
class Plot:
    """What one redraw shows."""

    steps: int
    lr: list[Curve]
    mom: list[Curve] = field(default_factory=list)
    mark: int | None = None
    mark_text: str = ""
    title: str = ""
    lower_label: str = "momentum"
    notes: list[tuple[str, str]] = field(default_factory=list)


class SchedulePanel(widgets.VBox):
    """Base panel: controls + log toggle + message + PNG image; ``_compute`` returns the Plot to draw.

    ``refresh()`` never raises: any exception from ``_compute`` becomes an error message and the last good
    plot (``figure`` lines and ``image.value``) stays.
    """

    def __init__(self, controls: Sequence[widgets.Widget], *, log: bool = False,
                 extra: Sequence[widgets.Widget] = (), title: str = "") -> None:
        self.figure = LiveFigure()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="auto", max_width="100%"))
        self.message = widgets.HTML(value="")
        self.caption = widgets.HTML(value="")
        self.log_toggle = widgets.Checkbox(value=bool(log), description="log-scale LR", indent=False,
                                           layout=widgets.Layout(width="140px"))
        self.controls = list(controls)
        self.error: str | None = None
        self.notes: list[tuple[str, str]] = []
        self.redraws = 0
        self.last_redraw_s = 0.0
        self._busy = False
        header = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        toolbar = widgets.HBox([self.log_toggle, *extra])
        grid = widgets.GridBox(self.controls, layout=widgets.Layout(
            grid_template_columns="repeat(2, 430px)", grid_gap="2px 8px"))
        super().__init__([*header, grid, toolbar, self.message, self.caption, self.image])
        for w in [*self.controls, self.log_toggle]:
            w.observe(self._on_change, names="value")

    # -- callbacks ----------------------------------------------------------------------------------------
    def _on_change(self, change: dict[str, Any] | None = None) -> None:
        if self._busy:
            return
        self.refresh()

    def refresh(self) -> bool:
        """Recompute and redraw; returns False (and shows the message) when the settings are not drawable."""
        start = time.perf_counter()
        self._busy = True
        try:
            self._sync_controls()
            plot = self._compute()
            self.figure.update(plot.steps, plot.lr, plot.mom, log=self.log_toggle.value, mark=plot.mark,
                               mark_text=plot.mark_text, lower_label=plot.lower_label)
            self.image.value = self.figure.render()
            self.caption.value = f'<code style="font-size:90%">{html.escape(plot.title)}</code>'

        except Exception as exc:  # noqa: BLE001 - a callback must never leave a traceback in the notebook
            self.error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)
            self._show([("error", f"Not drawn: {self.error} (showing the last valid plot)")])
            return False
        finally:
            self._busy = False
            self.last_redraw_s = time.perf_counter() - start
        self.error = None
        self.redraws += 1
        self._show(plot.notes)
        return True

    def _show(self, notes: list[tuple[str, str]]) -> None:
        self.notes = list(notes)
        self.message.value = "".join(
            f'<div style="{LEVEL_STYLE[level]}; padding:2px 8px; margin:2px 0">{html.escape(text)}</div>'
            for level, text in notes)

    def _sync_controls(self) -> None:
        """Hook: adjust dependent controls (e.g. slider ranges that follow the step budget)."""

    def _compute(self) -> Plot:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def message_text(self) -> str:
        """The texts shown in the message area, joined by newlines."""
        return "\n".join(text for _, text in self.notes)


class LearnerOverlay:
    """The learner's package, a cache of its curves, and the controls to toggle/reload it."""

    def __init__(self, module: Any, limit: int, time_limit: float | None = engine.TIME_LIMIT_S) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"learner_limit must be an int >= 1, got {limit!r}")
        engine.check_timeout(time_limit)
        self.limit = limit
        self.time_limit = time_limit
        self.error: str | None = None
        self.timed_out: engine.LearnerTimeout | None = None
        if module is not None and module is not False and not isinstance(module, (ModuleType, str, os.PathLike)):
            engine.resolve_module(module)  # raises the TypeError naming ``module``
        try:
            self.module: ModuleType | None = engine.resolve_module(module)
        except Exception as exc:  # noqa: BLE001 - the learner's package may fail to import in any way
            self.module, self.error = None, f"Could not import your schedulers package: {type(exc).__name__}: {exc}"
        self.toggle = widgets.Checkbox(value=module is not False, description=self._toggle_text(),
                                       indent=False, layout=widgets.Layout(width="230px"),
                                       disabled=self.module is None and module is False)
        self.reload = widgets.Button(description="Reload my code", icon="refresh",
                                     layout=widgets.Layout(width="150px"))
        self._cache: OrderedDict[Any, Any] = OrderedDict()

    @property
    def owner(self) -> str:
        """"your" or "reference solutions" (the overlaid package is ``solutions/schedulers``)."""
        return engine.owner(self.module)

    def _toggle_text(self) -> str:
        return "overlay my implementation" if self.owner == "your" else "overlay reference solutions"

    def do_reload(self) -> None:
        """Re-import the learner's package from disk and forget cached curves (and a past timeout)."""
        self._cache.clear()
        self.timed_out = None
        try:
            self.module = engine.reload_module(self.module) if self.module is not None else \
                engine.resolve_module(None)
            self.error = None
        except Exception as exc:  # noqa: BLE001 - shown in the panel
            self.module, self.error = None, f"Could not import your schedulers package: {type(exc).__name__}: {exc}"
        self.toggle.description = self._toggle_text()

    def curves(self, key: Any, name: str, steps: int, lr: float, kwargs: dict[str, Any],
               compute: Callable[[ModuleType, int], Any] | None = None,
               ) -> tuple[np.ndarray, np.ndarray | None] | BaseException | None:
        """(lr, momentum) of the learner's class for min(steps, limit) steps, its exception, or None (off).

        ``compute(module, n)`` replaces the default ``engine.learner`` stepping (ReduceLROnPlateau). Stepping
        is limited to ``time_limit`` seconds; after a timeout the learner is not run again until a reload."""
        if not self.toggle.value:
            return None
        if self.module is None:
            return ImportError(self.error or "no schedulers package")
        if self.timed_out is not None:
            return self.timed_out
        key = (key, min(steps, self.limit))
        if key not in self._cache:
            module = self.module
            n = min(steps, self.limit)
            try:
                if compute is not None:
                    self._cache[key] = engine.run_limited(lambda: compute(module, n), self.time_limit, n)
                else:
                    self._cache[key] = engine.run_limited(lambda: engine.learner(module, name, n, lr, kwargs),
                                                          self.time_limit, n)
            except engine.LearnerTimeout as exc:
                self.timed_out = exc
                return exc
            except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything
                self._cache[key] = exc
            if len(self._cache) > 16:
                self._cache.popitem(last=False)
        return self._cache[key]


def compare_overlay(plot: Plot, ref_lr: np.ndarray, ref_mom: np.ndarray | None, result: Any, name: str,
                    overlay: LearnerOverlay, steps: int) -> None:
    """Add the learner's curves, the first-difference marker and a note to ``plot``."""
    if result is None:
        return
    if isinstance(result, BaseException):
        plot.notes.append(("note", overlay.error if isinstance(result, ImportError) and overlay.error
                           else engine.friendly_error(result, name, overlay.module)))
        return
    lr, mom = result
    who = overlay.owner
    label = f"your {name}" if who == "your" else f"{name} ({who})"
    whose = "Your" if who == "your" else f"The {who}'"
    plot.lr.append(Curve(label, lr[:, 0], LEARNER_COLOR, ls="--"))
    if plot.mom and mom is not None:
        plot.mom.append(Curve(label, mom[:, 0], LEARNER_COLOR, ls="--"))
    n = lr.shape[0]
    if lr.shape[1] != ref_lr.shape[1]:
        plot.notes.append(("note", f"{whose} {name} returned {lr.shape[1]} param groups, torch {ref_lr.shape[1]}."))
        return
    diffs = [first_difference(ref_lr[:n], lr)]
    if ref_mom is not None and mom is not None and mom.shape == ref_mom[:n].shape:
        diffs.append(first_difference(ref_mom[:n], mom))
    diffs = [d for d in diffs if d is not None]
    limited = f" (compared on the first {n} of {steps} steps)" if n < steps else ""
    if diffs:
        t = min(diffs)
        plot.mark = t
        got, want = lr[t, 0], ref_lr[t, 0]
        plot.mark_text = f"first difference: step {t}"
        plot.notes.append(("note", f"{whose} {name} differs from torch first at step {t}: lr {got:.6g}, "
                                   f"torch {want:.6g}{limited}."))
    else:
        plot.notes.append(("ok", f"{whose} {name} matches torch on all {n} steps (rtol 1e-9){limited}."))


class Explorer(SchedulePanel):
    """Interactive view of one closed-form scheduler (see ``explore``)."""

    def __init__(self, name: str, *, steps: int = 100, lr: float | None = None, log: bool = False,
                 module: Any = None, learner_limit: int = 20_000,
                 learner_timeout: float | None = engine.TIME_LIMIT_S, **values: Any) -> None:
        specs = specs_for(name)
        if name not in CLOSED_FORM:
            raise ValueError(f"{name} has no closed form: use lrlab.explorer.explore(name) for it")
        _check_int("steps", steps, 2, 10_000_000)
        allowed = {s.name for s in specs}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)} for {name}; choose from "
                             f"{sorted(allowed | EXTRA_ARGS)}")
        self.name = name
        self.specs = specs
        init = {**default_values(name, steps), **values}
        self.steps_slider = make_widget(_steps_spec(steps), steps, steps)
        self.param_widgets: dict[str, widgets.Widget] = {s.name: make_widget(s, init[s.name], steps) for s in specs}
        controls = [self.steps_slider]
        self.lr_slider: widgets.Widget | None = None
        if name not in LR_PARAM:
            self.lr_slider = make_widget(LR, LR.default if lr is None else lr, steps)
            controls.append(self.lr_slider)
        elif lr is not None:
            self.param_widgets[LR_PARAM[name]].value = lr
        controls.extend(self.param_widgets.values())
        self.overlay = LearnerOverlay(module, learner_limit, learner_timeout)
        self._ref_cache: OrderedDict[Any, tuple[np.ndarray, np.ndarray | None]] = OrderedDict()
        super().__init__(controls, log=log, extra=[self.overlay.toggle, self.overlay.reload],
                         title=f"{name}: torch vs {self.overlay.owner} implementation")
        self.overlay.toggle.observe(self._on_change, names="value")
        self.overlay.reload.on_click(self._on_reload)
        from . import live  # the "train" toggle: k-seed live training (lrlab.explorer.live)
        self.live = live.attach(self, lambda: engine.reference(self.name, int(self.steps_slider.value), self.lr,
                                                               to_kwargs(self.name, self.values)))
        self.refresh()

    # -- state --------------------------------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        """Current control values of the scheduler parameters."""
        return {k: w.value for k, w in self.param_widgets.items()}

    @property
    def lr(self) -> float:
        """The base LR shown (optimizer LR, or max_lr for CyclicLR / OneCycleLR)."""
        if self.lr_slider is not None:
            return float(self.lr_slider.value)
        return float(self.param_widgets[LR_PARAM[self.name]].value)

    def _on_reload(self, _button: Any = None) -> None:
        try:
            self.overlay.do_reload()
        except Exception:  # noqa: BLE001,S110 - do_reload already records its error
            pass
        self.refresh()

    def _sync_controls(self) -> None:
        steps = int(self.steps_slider.value)
        for spec in self.specs:
            if spec.kind == "steps":
                w = self.param_widgets[spec.name]
                hi = int(spec.high_for(steps))
                if w.max != hi:
                    if w.value > hi:
                        w.value = hi
                    w.max = hi

    def _compute(self) -> Plot:
        steps = int(self.steps_slider.value)
        values = self.values
        kwargs = to_kwargs(self.name, values)
        lr = self.lr
        check_combination(self.name, steps, lr, kwargs)
        key = (self.name, steps, lr, tuple(sorted((k, repr(v)) for k, v in values.items())))
        if key not in self._ref_cache:
            self._ref_cache[key] = engine.reference(self.name, steps, lr, kwargs)
            if len(self._ref_cache) > 8:
                self._ref_cache.popitem(last=False)
        ref_lr, ref_mom = self._ref_cache[key]
        plot = Plot(steps, [Curve("torch", ref_lr[:, 0], TORCH_COLOR)], title=_title(self.name, kwargs))
        cycles = self.name in CYCLES_MOMENTUM and kwargs.get("cycle_momentum", True) and ref_mom is not None
        if cycles:
            plot.mom.append(Curve("torch", ref_mom[:, 0], TORCH_COLOR))
        result = self.overlay.curves(key, self.name, steps, lr, kwargs)
        compare_overlay(plot, ref_lr, ref_mom if cycles else None, result, self.name, self.overlay, steps)
        return plot


def _title(name: str, kwargs: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}={_short(v)}" for k, v in kwargs.items())
    return f"{name}({shown})"


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if callable(v) and hasattr(v, "horizon"):
        return f"{type(v).__name__}({v.horizon})"
    return repr(v)


def _steps_spec(steps: int) -> ParamSpec:
    return ParamSpec("steps", "int", steps, STEPS.low, max(STEPS.high, steps), 1, help=STEPS.help)


def _check_int(name: str, value: Any, lo: int, hi: int) -> None:
    check_int(name, value, minimum=lo, maximum=hi)


def safe_callback(fn: Callable[..., Any], report: Callable[[str], None]) -> Callable[..., None]:
    """Wrap a widget callback so an exception is reported as text instead of a traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            report(f"{type(exc).__name__}: {exc}")

    return wrapper
