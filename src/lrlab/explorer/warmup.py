"""``warmup_composer``: LinearLR warmup (length W, start factor s) then a decay, with SequentialLR semantics.

lr_t = lr * (s + (1 - s) * t / W) for t < W; at t >= W the decay runs from its own step 0 (t - W) with a
budget of steps - W (SequentialLR(optimizer, [LinearLR(s, 1, W), decay], milestones=[W])).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from lrlab import catalog

from . import engine
from .figure import Curve
from .panel import TORCH_COLOR, LearnerOverlay, Plot, SchedulePanel, _check_int, _steps_spec, compare_overlay
from .params import LR, ParamSpec, check_combination, default_values, make_widget, specs_for, to_kwargs

#: Decays the composer offers: the catalog's closed-form decays and warmups (LinearLR can also decay).
DECAYS: tuple[str, ...] = tuple(r.name for r in catalog.records()
                                if r.family == "closed" and r.role in ("decay", "warmup"))
WARMUP = ParamSpec("warmup", "steps", None, 1, frac=0.1, max_frac=0.9, help="LinearLR warmup steps W")
START = ParamSpec("start_factor", "log", 0.01, 1e-3, 1.0, help="warmup starts at lr * start_factor")


class WarmupComposer(SchedulePanel):
    """Warmup length, start factor and a decay dropdown (with the decay's own controls)."""

    def __init__(self, decay: str = catalog.DEFAULT_DECAY, *, steps: int = 1000, lr: float = 0.1,
                 warmup: int | None = None, start_factor: float = 0.01, log: bool = False,
                 module: Any = None, learner_limit: int = 20_000,
                 learner_timeout: float | None = engine.TIME_LIMIT_S) -> None:
        _check_int("steps", steps, 3, 10_000_000)
        if decay not in DECAYS:
            raise ValueError(f"decay must be one of {list(DECAYS)}, got {decay!r}")
        self.steps_slider = make_widget(_steps_spec(steps), steps, steps)
        self.lr_slider = make_widget(LR, lr, steps)
        self.warmup_slider = make_widget(WARMUP, WARMUP.default_for(steps) if warmup is None else warmup, steps)
        self.start_slider = make_widget(START, start_factor, steps)
        self.decay_dropdown = widgets.Dropdown(options=list(DECAYS), value=decay, description="decay",
                                               style={"description_width": "120px"},
                                               layout=widgets.Layout(width="420px"))
        self.decay_box = widgets.GridBox(layout=widgets.Layout(grid_template_columns="repeat(2, 430px)"))
        self.decay_widgets: dict[str, widgets.Widget] = {}
        self.overlay = LearnerOverlay(module, learner_limit, learner_timeout)
        super().__init__([self.steps_slider, self.lr_slider, self.warmup_slider, self.start_slider,
                          self.decay_dropdown], log=log, extra=[self.overlay.toggle, self.overlay.reload],
                         title="Warmup composer: SequentialLR([LinearLR, decay], milestones=[warmup])")
        self.children = (*self.children[:2], self.decay_box, *self.children[2:])
        self.overlay.toggle.observe(self._on_change, names="value")
        self.overlay.reload.on_click(self._on_reload)
        self._build_decay_controls()
        self.refresh()

    def _on_reload(self, _button: Any = None) -> None:
        self.overlay.do_reload()
        self.refresh()

    def _decay_budget(self) -> int:
        return max(1, int(self.steps_slider.value) - int(self.warmup_slider.value))

    def _build_decay_controls(self) -> None:
        name = self.decay_dropdown.value
        budget = self._decay_budget()
        values = {**default_values(name, budget), **catalog.get(name).as_decay}
        self.decay_widgets = {s.name: make_widget(s, values[s.name], budget) for s in specs_for(name)}
        for w in self.decay_widgets.values():
            w.observe(self._on_change, names="value")
        self.decay_box.children = list(self.decay_widgets.values())
        self._decay_name = name

    def _sync_controls(self) -> None:
        steps = int(self.steps_slider.value)
        hi = int(WARMUP.high_for(steps))
        if self.warmup_slider.max != hi:
            self.warmup_slider.value = min(self.warmup_slider.value, hi)
            self.warmup_slider.max = hi
        if self._decay_name != self.decay_dropdown.value:
            self._build_decay_controls()
        budget = self._decay_budget()
        for spec in specs_for(self._decay_name):
            w = self.decay_widgets[spec.name]
            if spec.kind == "steps" and w.max != int(spec.high_for(budget)):
                w.value = min(w.value, int(spec.high_for(budget)))
                w.max = int(spec.high_for(budget))

    def children_spec(self) -> tuple[list[tuple[str, dict[str, Any]]], list[int]]:
        """([(warmup, warmup kwargs), (decay, kwargs)], [warmup]) for the current controls (warmup = LinearLR)."""
        w, s = int(self.warmup_slider.value), float(self.start_slider.value)
        decay = to_kwargs(self._decay_name, {k: x.value for k, x in self.decay_widgets.items()})
        return [(catalog.WARMUP, {"start_factor": s, "end_factor": 1.0, "total_iters": w}),
                (self._decay_name, decay)], [w]

    def _compute(self) -> Plot:
        steps, lr = int(self.steps_slider.value), float(self.lr_slider.value)
        children, milestones = self.children_spec()
        if milestones[0] >= steps:
            raise ValueError(f"warmup ({milestones[0]}) must be shorter than steps ({steps})")
        if not 0 < children[0][1]["start_factor"] <= 1:
            raise ValueError(f"start_factor must be in (0, 1], got {children[0][1]['start_factor']:g}")
        check_combination(children[1][0], self._decay_budget(), lr, children[1][1])
        ref_lr, _ = engine.sequential_reference(children, milestones, steps, lr)
        title = f"warmup {milestones[0]} steps from {children[0][1]['start_factor']:.3g}*lr, then {children[1][0]}"
        plot = Plot(steps, [Curve("torch SequentialLR", ref_lr[:, 0], TORCH_COLOR)], title=title,
                    mark=None)
        key = (steps, lr, repr(children), tuple(milestones))
        result = self.overlay.curves(
            key, catalog.SEQUENTIAL, steps, lr, {},
            compute=lambda module, n: engine.sequential_learner(module, children, milestones, n, lr))
        compare_overlay(plot, ref_lr, None, result, catalog.SEQUENTIAL, self.overlay, steps)
        if plot.mark is None:
            plot.mark, plot.mark_text = milestones[0], f"milestone {milestones[0]}"
        return plot


def warmup_composer(decay: str = catalog.DEFAULT_DECAY, **kwargs: Any) -> WarmupComposer:
    """Panel composing a LinearLR warmup (``warmup`` steps from ``start_factor``) with a ``decay`` chosen in a
    dropdown, SequentialLR semantics; overlays the learner's SequentialLR. kwargs: steps, lr, warmup,
    start_factor, log, module, learner_limit, learner_timeout."""
    return WarmupComposer(decay, **kwargs)
