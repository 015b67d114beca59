"""The explorer's controls: one widget per catalog parameter (``lrlab.catalog``), and the combination check.

A parameter's ``kind`` picks the widget (log slider for LRs, int slider for step counts, dropdown, checkbox,
comma-separated milestones, a LambdaLR preset); its range is the catalog's. ``check_combination`` asks torch's
constructor whether a setting is valid and adds only the interface's own limits (a step count the plot can
draw), with a ValueError whose message is shown in the panel.
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets

from lrlab import catalog, lambdas

#: A control is one catalog parameter (``lrlab.catalog.Param``).
ParamSpec = catalog.Param
LAMBDA_PRESETS = lambdas.LAMBDA_PRESETS


# --- controls: the catalog's parameters ----------------------------------------------------------------

LR = catalog.LR
STEPS = ParamSpec("steps", "int", 100, 2, 100_000, 1, help="number of schedule values (steps + 1 calls)")

#: Schedulers with one panel each: the catalog's closed forms and ReduceLROnPlateau (composites have their own).
SPECS: dict[str, tuple[ParamSpec, ...]] = {r.name: r.params for r in catalog.records() if r.family != "composite"}

# The synthetic metric that drives ReduceLROnPlateau (see lrlab.explorer.plateau.synthetic_metric).
METRIC_SPECS: tuple[ParamSpec, ...] = (
    ParamSpec("noise", "float", 0.01, 0.0, 0.2, 0.005, help="relative Gaussian noise on the metric"),
    ParamSpec("plateau_start", "float", 0.2, 0.0, 1.0, 0.01, help="plateau begins (fraction of epochs)"),
    ParamSpec("plateau_length", "float", 0.3, 0.0, 1.0, 0.01, help="plateau length (fraction of epochs)"),
    ParamSpec("seed", "int", 0, 0, 100, 1),
)

#: Schedulers whose LR (optimizer LR slider) is replaced by a parameter of their own.
LR_PARAM: dict[str, str] = {r.name: r.lr_param for r in catalog.records() if r.lr_param}
CYCLES_MOMENTUM = frozenset(catalog.names(cycles_momentum=True))
CLOSED_FORM = tuple(catalog.names(family="closed"))


def specs_for(name: str) -> tuple[ParamSpec, ...]:
    """The ParamSpecs of scheduler ``name`` (one of ``SPECS``)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a scheduler class name (str), not {type(name).__name__}")
    if name not in SPECS:
        raise ValueError(f"no explorer for scheduler {name!r}; choose from {sorted(SPECS)}")
    return SPECS[name]


def default_values(name: str, steps: int) -> dict[str, Any]:
    """Control values (not yet constructor kwargs) for ``name`` with a budget of ``steps``."""
    return {s.name: s.default_for(steps) for s in specs_for(name)}


def parse_milestones(text: str | list[int] | tuple[int, ...]) -> list[int]:
    """"30, 60, 90" -> [30, 60, 90]; milestones are integers >= 0 (torch accepts 0 and repeats)."""
    if isinstance(text, (list, tuple)):
        parts = list(text)
    else:
        parts = [p for p in str(text).replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    out = []
    for p in parts:
        try:
            value = int(p)
        except (TypeError, ValueError):
            raise ValueError(f"milestones must be comma-separated integers, got {p!r}") from None
        if value < 0:
            raise ValueError(f"milestones must be >= 0, got {value}")
        out.append(value)
    if not out:
        raise ValueError("milestones is empty: give at least one step, e.g. '30, 60'")
    return out


def to_kwargs(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Map control values to scheduler constructor kwargs (milestones parsed, LambdaLR preset built)."""
    kwargs = dict(values)
    for spec in specs_for(name):
        if spec.name not in kwargs:
            continue
        if spec.kind == "milestones":
            kwargs[spec.name] = parse_milestones(kwargs[spec.name])
        elif spec.kind == "preset":  # a preset name + the horizon H -> the callable torch takes
            preset = kwargs.pop(spec.name)
            table = lambdas.PRESET_TABLES[spec.presets]  # LambdaLR's multipliers, MultiplicativeLR's factors
            if preset not in table:
                raise ValueError(f"{spec.name} must be one of {list(table)}, got {preset!r}")
            kwargs["lr_lambda"] = table[preset](kwargs.pop("horizon"))
        elif spec.kind == "steps" and spec.default is None and not kwargs[spec.name]:
            kwargs[spec.name] = None  # 0 on the slider = torch's None (e.g. CyclicLR's step_size_down)
        elif spec.kind in ("int", "steps") and kwargs[spec.name] is not None:
            kwargs[spec.name] = int(kwargs[spec.name])
    return kwargs


def check_combination(name: str, steps: int, lr: float, kwargs: dict[str, Any]) -> None:
    """Raise (ValueError/TypeError, as torch does) for settings the explorer will not draw: torch's constructor
    is the judge; the interface adds that ``steps`` values fit a step budget (OneCycleLR's ``total_steps``)."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    if not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be a positive finite float, got {lr!r}")
    from lrlab.preview.registry import ask_torch

    ask_torch(name, kwargs, 1)
    bound = catalog.get(name).horizon_param
    total = kwargs.get(bound) if bound else None
    if total is not None and steps - 1 > total:
        raise ValueError(f"steps ({steps}) needs {steps - 1} calls to step(), beyond {name}'s "
                         f"{bound} ({total}): choose steps <= {bound} + 1")


def make_widget(spec: ParamSpec, value: Any, steps: int) -> widgets.Widget:
    """An ipywidget for ``spec`` showing ``value`` (log slider, int slider, dropdown, checkbox or text)."""
    common = {"description": spec.name, "style": {"description_width": "120px"},
              "layout": widgets.Layout(width="420px")}
    if spec.help:
        common["tooltip"] = spec.help
    if spec.kind == "log":
        return widgets.FloatLogSlider(value=value, base=10, min=math.log10(spec.low), max=math.log10(spec.high),
                                      step=0.01, readout_format=".3g", continuous_update=False, **common)
    if spec.kind == "float":
        fmt = ".5f" if spec.step < 1e-3 else ".3g"
        return widgets.FloatSlider(value=value, min=spec.low, max=spec.high, step=spec.step,
                                   readout_format=fmt, continuous_update=False, **common)
    if spec.kind in ("int", "steps"):
        hi = spec.high_for(steps)
        value = spec.low if value is None else value
        return widgets.IntSlider(value=int(min(max(value, spec.low), hi)), min=int(spec.low), max=int(hi),
                                 step=1, continuous_update=False, **common)
    if spec.kind in ("choice", "preset"):
        return widgets.Dropdown(value=value, options=list(spec.options), **common)
    if spec.kind == "bool":
        common.pop("tooltip", None)
        return widgets.Checkbox(value=bool(value), indent=False, **common)
    if spec.kind == "milestones":
        return widgets.Text(value=str(value), continuous_update=False, **common)
    raise ValueError(f"unknown ParamSpec kind {spec.kind!r}")
