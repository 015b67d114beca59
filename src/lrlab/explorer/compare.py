"""``compare(specs, steps, lr)``: several schedules on one plot with shared step-budget and base-LR controls.

Each spec is a scheduler name or ``(name, params)``; parameters not given follow the shared budget
(e.g. T_max = steps) and, for CyclicLR / OneCycleLR, ``max_lr`` follows the shared base LR
(CyclicLR's ``base_lr`` defaults to lr / 10).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lrlab import catalog

from . import engine
from .figure import Curve
from .panel import Plot, SchedulePanel, _check_int, _steps_spec
from .params import (
    CLOSED_FORM,
    CYCLES_MOMENTUM,
    LR,
    LR_PARAM,
    check_combination,
    default_values,
    make_widget,
    to_kwargs,
)

DEFAULT_SPECS: tuple[str, ...] = catalog.COMPARE_DEFAULT
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def _normalise(specs: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """-> [(label, name, fixed control values)]."""
    if isinstance(specs, Mapping):
        items = [(str(label), spec) for label, spec in specs.items()]
    elif isinstance(specs, str):
        items = [(None, specs)]
    elif isinstance(specs, Sequence):
        items = [(None, s) for s in specs]
    else:
        raise TypeError(f"specs must be a list of names / (name, params) pairs or a dict, not {type(specs).__name__}")
    out = []
    for label, spec in items:
        if isinstance(spec, str):
            name, params = spec, {}
        elif isinstance(spec, (tuple, list)) and len(spec) == 2 and isinstance(spec[0], str) \
                and isinstance(spec[1], Mapping):
            name, params = spec[0], dict(spec[1])
        else:
            raise TypeError(f"each spec must be a scheduler name or (name, params), got {spec!r}")
        if name not in CLOSED_FORM:
            raise ValueError(f"compare needs closed-form schedulers; {name!r} is not one of {list(CLOSED_FORM)}")
        allowed = set(default_values(name, 10))
        unknown = set(params) - allowed
        if unknown:
            raise ValueError(f"unknown parameter(s) {sorted(unknown)} for {name}; choose from {sorted(allowed)}")
        out.append((label or _label(name, params), name, params))
    if not out:
        raise ValueError("specs is empty: give at least one scheduler")
    return out


def _label(name: str, params: dict[str, Any]) -> str:
    return name + ("(" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")" if params else "")


class CompareView(SchedulePanel):
    """Several closed-form schedules with the same step budget and base LR on one figure."""

    def __init__(self, specs: Any = DEFAULT_SPECS, steps: int = 1000, lr: float = 0.1, *, log: bool = False) -> None:
        _check_int("steps", steps, 2, 10_000_000)
        if not (isinstance(lr, (int, float)) and lr > 0):
            raise ValueError(f"lr must be a positive float, got {lr!r}")
        self.specs = _normalise(specs)
        self.steps_slider = make_widget(_steps_spec(steps), steps, steps)
        self.lr_slider = make_widget(LR, float(lr), steps)
        self.steps_slider.description = "budget (steps)"
        self.lr_slider.description = "base LR"
        super().__init__([self.steps_slider, self.lr_slider], log=log,
                         title="Same budget, same base LR: " + " vs ".join(label for label, _, _ in self.specs))
        self.refresh()

    def kwargs_for(self, name: str, fixed: dict[str, Any], steps: int, lr: float) -> dict[str, Any]:
        """Constructor kwargs of one spec under the shared budget and base LR."""
        values = {**default_values(name, steps), **fixed}
        if name in LR_PARAM and LR_PARAM[name] not in fixed:
            values[LR_PARAM[name]] = lr
            if "base_lr" in values and name in LR_PARAM and "base_lr" not in fixed:
                values["base_lr"] = lr / 10
        return to_kwargs(name, values)

    def _compute(self) -> Plot:
        steps, lr = int(self.steps_slider.value), float(self.lr_slider.value)
        plot = Plot(steps, [], title=f"budget {steps} steps, base LR {lr:.3g}")
        moms = []
        for i, (label, name, fixed) in enumerate(self.specs):
            kwargs = self.kwargs_for(name, fixed, steps, lr)
            try:
                check_combination(name, steps, lr, kwargs)
                ref_lr, ref_mom = engine.reference(name, steps, lr, kwargs)
            except ValueError as exc:
                raise ValueError(f"{label}: {exc}") from None
            color = COLORS[i % len(COLORS)]
            plot.lr.append(Curve(label, ref_lr[:, 0], color))
            if name in CYCLES_MOMENTUM and kwargs.get("cycle_momentum", True) and ref_mom is not None:
                moms.append(Curve(label, ref_mom[:, 0], color))
        plot.mom = moms
        return plot


def compare(specs: Any = DEFAULT_SPECS, steps: int = 1000, lr: float = 0.1, *, log: bool = False) -> CompareView:
    """Side-by-side view: e.g. ``compare([name, other, (third, {"pct_start": 0.25})],
    steps=1000)``. Shared sliders set the budget (steps) and base LR (max_lr for CyclicLR / OneCycleLR)."""
    return CompareView(specs, steps, lr, log=log)


__all__ = ["CompareView", "compare"]
