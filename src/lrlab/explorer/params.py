"""Control specs for every constructor parameter of every explorable scheduler, and combination checks.

A ``ParamSpec`` says how a parameter is shown (log slider for LRs, int slider for step counts, dropdown,
checkbox, comma-separated milestones) and its range. Step-count parameters scale with the schedule
length: their default is ``round(frac * steps)`` and their slider maximum ``max_frac * steps``.
``check_combination`` rejects settings the explorer refuses to draw (eta_min above the base LR,
pct_start outside (0, 1), more steps than OneCycleLR's total, max_lr < base_lr, ...) with a ValueError
whose message is shown in the panel.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import ipywidgets as widgets
import numpy as np

Kind = Literal["float", "log", "int", "steps", "choice", "bool", "milestones"]


@dataclass(frozen=True)
class ParamSpec:
    """One control: ``kind`` picks the widget; ``frac``/``max_frac`` scale ``steps`` kinds with the budget."""

    name: str
    kind: Kind
    default: Any = None
    min: float = 0.0
    max: float = 1.0
    step: float = 0.01
    options: tuple[Any, ...] = ()
    frac: float = 0.0
    max_frac: float = 1.0
    help: str = ""

    def default_for(self, steps: int) -> Any:
        """Default value for a schedule of ``steps`` values (step kinds: ``max(min, round(frac*steps))``)."""
        if self.kind == "steps":
            return int(max(self.min, min(self.max_for(steps), round(self.frac * steps))))
        if self.kind == "milestones":
            return ", ".join(str(max(1, round(f * steps))) for f in self.default)
        return self.default

    def max_for(self, steps: int) -> int | float:
        """Upper end of the control for a schedule of ``steps`` values."""
        if self.kind == "steps":
            return max(int(self.min) + 1, int(math.ceil(self.max_frac * steps)))
        return self.max


# --- LambdaLR presets: picklable callables (t -> multiplier), numpy ufuncs so that an int array of steps
# --- works too (the preview evaluates them in one vectorised call) ------------------------------------


class LinearDecay:
    """lambda(t) = max(0, 1 - t / horizon)."""

    def __init__(self, horizon: int) -> None:
        self.horizon = max(1, int(horizon))

    def __call__(self, t: Any) -> Any:
        return np.maximum(0.0, 1.0 - t / self.horizon)


class InverseSqrtWarmup:
    """lambda(t) = min((t + 1) / w, sqrt(w / (t + 1))) with w = horizon (Transformer-style warmup)."""

    def __init__(self, horizon: int) -> None:
        self.horizon = max(1, int(horizon))

    def __call__(self, t: Any) -> Any:
        return np.minimum((t + 1) / self.horizon, np.sqrt(self.horizon / (t + 1)))


class HalfLife:
    """lambda(t) = 0.5 ** (t / horizon)."""

    def __init__(self, horizon: int) -> None:
        self.horizon = max(1, int(horizon))

    def __call__(self, t: Any) -> Any:
        return 0.5 ** (t / self.horizon)


class CosineToZero:
    """lambda(t) = (1 + cos(pi * min(t, horizon) / horizon)) / 2."""

    def __init__(self, horizon: int) -> None:
        self.horizon = max(1, int(horizon))

    def __call__(self, t: Any) -> Any:
        return 0.5 * (1.0 + np.cos(np.pi * np.minimum(t, self.horizon) / self.horizon))


LAMBDA_PRESETS: dict[str, Callable[[int], Callable[[int], float]]] = {
    "linear decay: 1 - t/H": LinearDecay,
    "inverse sqrt with warmup H": InverseSqrtWarmup,
    "half-life H: 0.5^(t/H)": HalfLife,
    "cosine to 0 over H": CosineToZero,
}

# --- specs ----------------------------------------------------------------------------------------------

LR = ParamSpec("lr", "log", 0.1, 1e-5, 10.0, help="base LR of the optimizer's param group")
STEPS = ParamSpec("steps", "int", 100, 2, 100_000, 1, help="number of schedule values (steps + 1 calls)")
GAMMA = ParamSpec("gamma", "float", 0.1, 0.01, 1.0, 0.01, help="decay factor")
ETA_MIN = ParamSpec("eta_min", "float", 0.0, 0.0, 1.0, 1e-4, help="lowest LR (must stay <= base LR)")

SPECS: dict[str, tuple[ParamSpec, ...]] = {
    "StepLR": (
        ParamSpec("step_size", "steps", min=1, frac=0.3, help="decay every step_size steps"),
        GAMMA,
    ),
    "MultiStepLR": (
        ParamSpec("milestones", "milestones", (0.3, 0.6, 0.9), help="comma-separated steps"),
        GAMMA,
    ),
    "ExponentialLR": (ParamSpec("gamma", "float", 0.97, 0.9, 1.0, 1e-5, help="lr_t = lr_0 * gamma^t"),),
    "CosineAnnealingLR": (
        ParamSpec("T_max", "steps", min=1, frac=1.0, max_frac=2.0, help="half period in steps"),
        ETA_MIN,
    ),
    "CosineAnnealingWarmRestarts": (
        ParamSpec("T_0", "steps", min=1, frac=0.25, help="first restart period"),
        ParamSpec("T_mult", "int", 1, 1, 4, 1, help="period multiplier after each restart"),
        ETA_MIN,
    ),
    "LinearLR": (
        ParamSpec("start_factor", "float", 1 / 3, 0.01, 1.0, 0.01, help="0 < start_factor <= 1"),
        ParamSpec("end_factor", "float", 1.0, 0.0, 1.0, 0.01, help="0 <= end_factor <= 1"),
        ParamSpec("total_iters", "steps", min=0, frac=0.5, help="steps to go from start to end factor"),
    ),
    "LambdaLR": (
        ParamSpec("preset", "choice", "linear decay: 1 - t/H", options=tuple(LAMBDA_PRESETS),
                  help="lr_lambda(t), a multiplier of the base LR"),
        ParamSpec("horizon", "steps", min=1, frac=0.5, help="H in the preset"),
    ),
    "CyclicLR": (
        ParamSpec("base_lr", "log", 0.01, 1e-5, 10.0, help="lower LR bound (replaces the optimizer LR)"),
        ParamSpec("max_lr", "log", 0.1, 1e-5, 10.0, help="upper LR bound (>= base_lr)"),
        ParamSpec("step_size_up", "steps", min=1, frac=0.1, max_frac=0.5, help="steps from base to max"),
        ParamSpec("step_size_down", "steps", min=0, frac=0.0, max_frac=0.5, help="0 = same as step_size_up"),
        ParamSpec("mode", "choice", "triangular", options=("triangular", "triangular2", "exp_range")),
        ParamSpec("gamma", "float", 1.0, 0.99, 1.0, 1e-5, help="exp_range: scale = gamma^t"),
        ParamSpec("scale_mode", "choice", "cycle", options=("cycle", "iterations")),
        ParamSpec("cycle_momentum", "bool", True),
        ParamSpec("base_momentum", "float", 0.8, 0.0, 1.0, 0.01),
        ParamSpec("max_momentum", "float", 0.9, 0.0, 1.0, 0.01),
    ),
    "OneCycleLR": (
        ParamSpec("max_lr", "log", 0.1, 1e-5, 10.0, help="peak LR"),
        ParamSpec("total_steps", "steps", min=1, frac=1.0, max_frac=2.0, help="scheduler.step() budget"),
        ParamSpec("pct_start", "float", 0.3, 0.0, 1.0, 0.01, help="fraction rising, 0 < pct_start < 1"),
        ParamSpec("anneal_strategy", "choice", "cos", options=("cos", "linear")),
        ParamSpec("cycle_momentum", "bool", True),
        ParamSpec("base_momentum", "float", 0.85, 0.0, 1.0, 0.01),
        ParamSpec("max_momentum", "float", 0.95, 0.0, 1.0, 0.01),
        ParamSpec("div_factor", "log", 25.0, 1.0, 1e4, help="initial LR = max_lr / div_factor"),
        ParamSpec("final_div_factor", "log", 1e4, 1.0, 1e6, help="final LR = initial LR / final_div_factor"),
        ParamSpec("three_phase", "bool", False),
    ),
    "ReduceLROnPlateau": (
        ParamSpec("mode", "choice", "min", options=("min", "max"), help="min: loss; max: accuracy"),
        ParamSpec("factor", "float", 0.1, 0.01, 0.99, 0.01, help="lr <- max(lr * factor, min_lr)"),
        ParamSpec("patience", "int", 10, 0, 100, 1, help="bad epochs tolerated"),
        ParamSpec("threshold", "log", 1e-4, 1e-6, 0.5, help="minimum significant improvement"),
        ParamSpec("threshold_mode", "choice", "rel", options=("rel", "abs")),
        ParamSpec("cooldown", "int", 0, 0, 100, 1, help="epochs to wait after a reduction"),
        ParamSpec("min_lr", "float", 0.0, 0.0, 1.0, 1e-4),
    ),
}

# The synthetic metric that drives ReduceLROnPlateau (see lrlab.explorer.plateau.synthetic_metric).
METRIC_SPECS: tuple[ParamSpec, ...] = (
    ParamSpec("noise", "float", 0.01, 0.0, 0.2, 0.005, help="relative Gaussian noise on the metric"),
    ParamSpec("plateau_start", "float", 0.2, 0.0, 1.0, 0.01, help="plateau begins (fraction of epochs)"),
    ParamSpec("plateau_length", "float", 0.3, 0.0, 1.0, 0.01, help="plateau length (fraction of epochs)"),
    ParamSpec("seed", "int", 0, 0, 100, 1),
)

# Schedulers whose LR (optimizer LR slider) is replaced by a parameter of their own.
LR_PARAM: dict[str, str] = {"CyclicLR": "max_lr", "OneCycleLR": "max_lr"}
CYCLES_MOMENTUM = frozenset({"CyclicLR", "OneCycleLR"})
CLOSED_FORM = tuple(n for n in SPECS if n != "ReduceLROnPlateau")


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
    """"30, 60, 90" -> [30, 60, 90]; milestones must be positive integers."""
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
        if value < 1:
            raise ValueError(f"milestones must be >= 1, got {value}")
        out.append(value)
    if not out:
        raise ValueError("milestones is empty: give at least one step, e.g. '30, 60'")
    return out


def to_kwargs(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Map control values to scheduler constructor kwargs (milestones parsed, LambdaLR preset built)."""
    kwargs = dict(values)
    if name == "MultiStepLR":
        kwargs["milestones"] = parse_milestones(kwargs["milestones"])
    elif name == "LambdaLR":
        preset = kwargs.pop("preset")
        if preset not in LAMBDA_PRESETS:
            raise ValueError(f"preset must be one of {list(LAMBDA_PRESETS)}, got {preset!r}")
        kwargs["lr_lambda"] = LAMBDA_PRESETS[preset](kwargs.pop("horizon"))
    elif name == "CyclicLR" and not kwargs.get("step_size_down"):
        kwargs["step_size_down"] = None
    for spec in specs_for(name):
        if spec.kind in ("int", "steps") and spec.name in kwargs and kwargs[spec.name] is not None:
            kwargs[spec.name] = int(kwargs[spec.name])
    return kwargs


def check_combination(name: str, steps: int, lr: float, kwargs: dict[str, Any]) -> None:
    """Raise ValueError for settings the explorer will not draw, naming the parameter and allowed range."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be an int >= 1, got {steps!r}")
    if not (isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be a positive finite float, got {lr!r}")
    k = kwargs
    if name in ("CosineAnnealingLR", "CosineAnnealingWarmRestarts"):
        if k.get("eta_min", 0.0) > lr:
            raise ValueError(f"eta_min ({k['eta_min']:g}) is above the base LR ({lr:g}): "
                             f"choose 0 <= eta_min <= lr")
        if k.get("eta_min", 0.0) < 0:
            raise ValueError(f"eta_min must be >= 0, got {k['eta_min']:g}")
    if name == "OneCycleLR":
        pct = k.get("pct_start", 0.3)
        if not 0 < pct < 1:
            raise ValueError(f"pct_start must be in the open interval (0, 1), got {pct:g}")
        total = k.get("total_steps")
        if total is not None and steps - 1 > total:
            raise ValueError(f"steps ({steps}) needs {steps - 1} calls to step(), beyond OneCycleLR's "
                             f"total_steps ({total}): choose steps <= total_steps + 1")
        if k.get("base_momentum", 0.85) > k.get("max_momentum", 0.95):
            raise ValueError(f"base_momentum ({k['base_momentum']:g}) must be <= max_momentum "
                             f"({k['max_momentum']:g})")
    if name == "CyclicLR":
        if k["max_lr"] < k["base_lr"]:
            raise ValueError(f"max_lr ({k['max_lr']:g}) is below base_lr ({k['base_lr']:g}): "
                             f"choose max_lr >= base_lr")
        if k.get("base_momentum", 0.8) > k.get("max_momentum", 0.9):
            raise ValueError(f"base_momentum ({k['base_momentum']:g}) must be <= max_momentum "
                             f"({k['max_momentum']:g})")
    if name == "LinearLR":
        if not 0 < k.get("start_factor", 1 / 3) <= 1:
            raise ValueError(f"start_factor must be in (0, 1], got {k['start_factor']:g}")
        if not 0 <= k.get("end_factor", 1.0) <= 1:
            raise ValueError(f"end_factor must be in [0, 1], got {k['end_factor']:g}")
    if name == "ReduceLROnPlateau":
        if not 0 < k.get("factor", 0.1) < 1:
            raise ValueError(f"factor must be in (0, 1), got {k['factor']:g}")
        if k.get("min_lr", 0.0) > lr:
            raise ValueError(f"min_lr ({k['min_lr']:g}) is above the base LR ({lr:g}): choose min_lr <= lr")


def make_widget(spec: ParamSpec, value: Any, steps: int) -> widgets.Widget:
    """An ipywidget for ``spec`` showing ``value`` (log slider, int slider, dropdown, checkbox or text)."""
    common = {"description": spec.name, "style": {"description_width": "120px"},
              "layout": widgets.Layout(width="420px")}
    if spec.help:
        common["tooltip"] = spec.help
    if spec.kind == "log":
        return widgets.FloatLogSlider(value=value, base=10, min=math.log10(spec.min), max=math.log10(spec.max),
                                      step=0.01, readout_format=".3g", continuous_update=False, **common)
    if spec.kind == "float":
        fmt = ".5f" if spec.step < 1e-3 else ".3g"
        return widgets.FloatSlider(value=value, min=spec.min, max=spec.max, step=spec.step,
                                   readout_format=fmt, continuous_update=False, **common)
    if spec.kind in ("int", "steps"):
        hi = spec.max_for(steps)
        return widgets.IntSlider(value=int(min(max(value, spec.min), hi)), min=int(spec.min), max=int(hi),
                                 step=1, continuous_update=False, **common)
    if spec.kind == "choice":
        return widgets.Dropdown(value=value, options=list(spec.options), **common)
    if spec.kind == "bool":
        common.pop("tooltip", None)
        return widgets.Checkbox(value=bool(value), indent=False, **common)
    if spec.kind == "milestones":
        return widgets.Text(value=str(value), continuous_update=False, **common)
    raise ValueError(f"unknown ParamSpec kind {spec.kind!r}")
