"""The scheduler catalog: every fact the toolkit needs about a scheduler, written once.

One :class:`Scheduler` record per graded class, in course order. Grading (points, module, generic checks),
the preview (which closed forms exist), the explorer (one control per :class:`Param`, its range and opening
value), the bench, the classroom cells and the course map read this module; none keeps its own list of
scheduler names.

A :class:`Param` range ``[low, high]`` is used by the sliders and the random grading scenarios, and torch's own
constructor accepts both ends (``tests/test_catalog.py`` builds torch's class at every boundary). ``default``
is torch's default; where torch has none (a required argument) it is the course's opening value. Parameters of
kind ``"steps"`` scale with the schedule length: their opening value is ``round(frac * steps)`` and their
slider maximum ``max_frac * steps``. A ``"preset"`` parameter (LambdaLR, MultiplicativeLR) names a callable of
the table ``Param.presets`` in ``lrlab.lambdas.PRESET_TABLES``, built with the record's ``horizon`` parameter.

Validity of a whole combination is torch's business: :func:`torch_check` builds torch's class on a throwaway
optimizer and lets it raise.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from lrlab.lambdas import LAMBDA_PRESETS, PRESET_TABLES

Kind = Literal["float", "log", "int", "steps", "choice", "bool", "milestones", "preset"]
Family = Literal["closed", "composite", "plateau"]
Role = Literal["warmup", "decay", "cyclic", "composite", "plateau"]


@dataclass(frozen=True)
class Param:
    """One constructor parameter: how it is shown and drawn (``kind``), its range and its opening value."""

    name: str
    kind: Kind
    default: Any = None
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    options: tuple[Any, ...] = ()
    frac: float = 0.0
    max_frac: float = 1.0
    per_group: bool = False
    help: str = ""
    presets: str = "lambda"  #: ``preset`` kind: the table of ``lrlab.lambdas.PRESET_TABLES`` its options come from

    def default_for(self, steps: int) -> Any:
        """Opening value for a schedule of ``steps`` values (``steps`` kinds: ``round(frac * steps)`` clipped)."""
        if self.kind == "steps":
            return int(max(self.low, min(self.high_for(steps), round(self.frac * steps))))
        if self.kind == "milestones":
            return ", ".join(str(max(1, round(f * steps))) for f in self.default)
        return self.default

    def high_for(self, steps: int) -> int | float:
        """Upper end of the range for a schedule of ``steps`` values."""
        if self.kind == "steps":
            return max(int(self.low) + 1, int(math.ceil(self.max_frac * steps)))
        return self.high


@dataclass(frozen=True)
class Scheduler:
    """Everything the toolkit knows about one scheduler class."""

    name: str
    module: str  #: module of the learner's ``schedulers`` package that defines it
    chapter: str  #: notebook (file stem) that teaches it
    points: int  #: points in ``lrlab grade`` (the core sums to 100)
    summary: str  #: one line for the course map
    params: tuple[Param, ...] = ()
    family: Family = "closed"
    role: Role = "decay"
    torch_module: str = "torch.optim.lr_scheduler"
    lr_param: str | None = None  #: parameter that replaces the optimizer's LR as the schedule's scale
    cycles_momentum: bool = False  #: writes the group's momentum / Adam betas[0]
    chainable: bool = True  #: get_lr is relative to the group's current LR (works stacked / after LR edits)
    closed_form: bool = False  #: has ``_get_closed_form_lr`` (``step(epoch)`` uses it)
    bad_input: tuple[dict[str, Any], ...] = field(default=(), repr=False)  #: kwargs torch rejects
    as_decay: dict[str, Any] = field(default_factory=dict, repr=False)  #: settings that make a warmup a decay
    horizon_param: str | None = None  #: parameter bounding how many times step() may be called (OneCycleLR)
    composite: Literal["sequential", "chained", None] = None  #: how a composite takes its children
    #: the lessons' demonstration case (chapter 09's resume table): control values with an event (a decay, a
    #: milestone, a restart, the end of a warmup) in the first 20 steps; a composite's children are
    #: ``{"$sched": name, **values}`` entries of ``"schedulers"``
    demo: dict[str, Any] = field(default_factory=dict, repr=False)

    def param(self, name: str) -> Param:
        """The :class:`Param` called ``name``."""
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"{self.name} has no parameter {name!r}; it has {[p.name for p in self.params]}")

    def defaults(self, steps: int) -> dict[str, Any]:
        """Opening values of every parameter for a schedule of ``steps`` values (control values)."""
        return {p.name: p.default_for(steps) for p in self.params}


# --- shared parameters -----------------------------------------------------------------------------------

LR = Param("lr", "log", 0.1, 1e-5, 10.0, help="base LR of the optimizer's param group")
GAMMA = Param("gamma", "float", 0.1, 0.01, 1.0, 0.01, help="decay factor")
ETA_MIN = Param("eta_min", "float", 0.0, 0.0, 0.1, 1e-4, help="lowest LR (keep it <= base LR)")


def _momentum(base: float, top: float) -> tuple[Param, ...]:
    return (Param("cycle_momentum", "bool", True, help="cycle momentum inversely to the LR"),
            Param("base_momentum", "float", base, 0.5, 0.99, 0.01, per_group=True, help="momentum at the LR peak"),
            Param("max_momentum", "float", top, 0.5, 0.99, 0.01, per_group=True, help="momentum at the LR floor"))


_RECORDS: tuple[Scheduler, ...] = (
    Scheduler(
        "StepLR", "step", "02_step_lr", 6, "multiply the LR by gamma every step_size steps",
        (Param("step_size", "steps", 30, 1, frac=0.3, help="decay every step_size steps"), GAMMA),
        closed_form=True, bad_input=({"step_size": 3, "$opt": "none"},),
        demo={"step_size": 5, "gamma": 0.5}),
    Scheduler(
        "MultiStepLR", "step", "02_step_lr", 6, "multiply the LR by gamma at each milestone",
        (Param("milestones", "milestones", (0.3, 0.6, 0.9), help="comma-separated steps"), GAMMA),
        closed_form=True, bad_input=({"milestones": [3], "$opt": "none"},),
        demo={"milestones": "3, 10, 15", "gamma": 0.5}),
    Scheduler(
        "ExponentialLR", "exponential", "03_exponential_lr", 5, "multiply the LR by gamma every step",
        (Param("gamma", "float", 0.97, 0.9, 1.0, 1e-4, help="lr_t = lr_0 * gamma^t"),),
        closed_form=True, bad_input=({"gamma": 0.9, "$opt": "none"},),
        demo={"gamma": 0.9}),
    Scheduler(
        "MultiplicativeLR", "lambda_lr", "03_exponential_lr", 6,
        "multiply the LR by lr_lambda(t) every step (factors accumulate)",
        (Param("preset", "preset", "0.95 per step for H steps", options=("0.95 per step for H steps",
               "half-life H: 0.5^(1/H) per step", "halve every H steps", "inverse sqrt after H: sqrt((t-1)/t)"),
               presets="multiplicative", help="lr_lambda(t), the factor of step t: lr_t = lr_{t-1} * lr_lambda(t)"),
         Param("horizon", "steps", 50, 1, frac=0.5, help="H in the preset")),
        bad_input=({"lr_lambda": 0.95},
                   {"lr_lambda": [{"$preset": "halve every H steps", "horizon": 5}] * 2}),
        demo={"preset": "0.95 per step for H steps", "horizon": 50}),
    Scheduler(
        "PolynomialLR", "polynomial", "03_exponential_lr", 7, "decay to 0 along (1 - t/T)^power over total_iters steps",
        (Param("total_iters", "steps", 5, 0, frac=0.8, max_frac=1.5, help="steps to reach 0 (then it stays 0)"),
         Param("power", "float", 1.0, 0.1, 5.0, 0.1, help="1: linear to 0; 2: quadratic; < 1: stays high longer")),
        closed_form=True, bad_input=({"$opt": "none"},),
        demo={"total_iters": 15, "power": 2.0}),
    Scheduler(
        "CosineAnnealingLR", "cosine", "04_cosine_annealing", 6, "half a cosine from the base LR to eta_min",
        (Param("T_max", "steps", 100, 1, frac=1.0, max_frac=2.0, help="half period in steps"), ETA_MIN),
        closed_form=True, bad_input=({"T_max": 10, "$opt": "none"},),
        demo={"T_max": 20, "eta_min": 0.001}),
    Scheduler(
        "CosineAnnealingWarmRestarts", "cosine", "04_cosine_annealing", 5,
        "cosine annealing restarted every T_i steps (SGDR), T_i growing by T_mult",
        (Param("T_0", "steps", 25, 1, frac=0.25, help="first restart period"),
         Param("T_mult", "int", 1, 1, 4, 1, help="period multiplier after each restart"), ETA_MIN),
        chainable=False, bad_input=({"T_0": 0}, {"T_0": 2.5}, {"T_0": 5, "T_mult": 0}, {"T_0": 5, "T_mult": 1.5}),
        demo={"T_0": 4, "T_mult": 2}),
    Scheduler(
        "CyclicLR", "cyclic", "05_cyclic_lr", 8, "triangular cycles between base_lr and max_lr",
        (Param("base_lr", "log", 0.01, 1e-5, 10.0, per_group=True, help="lower LR bound (replaces the optimizer LR)"),
         Param("max_lr", "log", 0.1, 1e-5, 10.0, per_group=True, help="upper LR bound (>= base_lr)"),
         Param("step_size_up", "steps", 2000, 1, frac=0.1, max_frac=0.5, help="steps from base to max"),
         Param("step_size_down", "steps", None, 0, frac=0.0, max_frac=0.5, help="0 or None = step_size_up"),
         Param("mode", "choice", "triangular", options=("triangular", "triangular2", "exp_range")),
         Param("gamma", "float", 1.0, 0.99, 1.0, 1e-5, help="exp_range: scale = gamma^t"),
         Param("scale_mode", "choice", "cycle", options=("cycle", "iterations")),
         *_momentum(0.8, 0.9)),
        role="cyclic", lr_param="max_lr", cycles_momentum=True, chainable=False,
        bad_input=({"$opt": "none"}, {"mode": "zigzag"}, {"$opt": "adagrad"}),
        demo={"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}),
    Scheduler(
        "OneCycleLR", "one_cycle", "06_one_cycle", 9, "warm up to max_lr, then anneal far below the start (1cycle)",
        (Param("max_lr", "log", 0.1, 1e-5, 10.0, per_group=True, help="peak LR"),
         Param("total_steps", "steps", None, 1, frac=1.0, max_frac=2.0, help="scheduler.step() budget"),
         # low end 0.03: torch divides by zero when pct_start * total_steps == 1 exactly (never for 0.03)
         Param("pct_start", "float", 0.3, 0.03, 0.99, 0.01, help="fraction rising, 0 < pct_start < 1"),
         Param("anneal_strategy", "choice", "cos", options=("cos", "linear")),
         *_momentum(0.85, 0.95),
         Param("div_factor", "log", 25.0, 1.0, 1e4, help="initial LR = max_lr / div_factor"),
         Param("final_div_factor", "log", 1e4, 1.0, 1e6, help="final LR = initial LR / final_div_factor"),
         Param("three_phase", "bool", False, help="a third phase annihilates the LR")),
        role="cyclic", lr_param="max_lr", cycles_momentum=True, chainable=False, horizon_param="total_steps",
        bad_input=({"total_steps": 0}, {"pct_start": 1}, {"anneal_strategy": "quadratic"}, {"$opt": "adagrad"}),
        demo={"max_lr": 0.1, "total_steps": 25}),
    Scheduler(
        "LinearLR", "linear", "07_warmup_composition", 6, "linear ramp of the LR factor from start to end",
        (Param("start_factor", "float", 1 / 3, 0.01, 1.0, 0.01, help="0 < start_factor <= 1"),
         Param("end_factor", "float", 1.0, 0.0, 1.0, 0.01, help="0 <= end_factor <= 1"),
         Param("total_iters", "steps", 5, 0, frac=0.5, help="steps to go from start to end factor")),
        role="warmup", closed_form=True, as_decay={"start_factor": 1.0, "end_factor": 0.0},
        bad_input=({"start_factor": 0.0}, {"start_factor": 1.5}, {"end_factor": -0.1}, {"end_factor": 1.2}),
        demo={"start_factor": 0.25, "total_iters": 15}),
    Scheduler(
        "ConstantLR", "linear", "07_warmup_composition", 7, "hold the LR at factor * base for total_iters steps",
        (Param("factor", "float", 1 / 3, 0.01, 1.0, 0.01, help="0 < factor <= 1 (0 divides by zero at total_iters)"),
         Param("total_iters", "steps", 5, 0, frac=0.1, max_frac=1.0, help="steps at the reduced LR")),
        role="warmup", closed_form=True,
        bad_input=({"factor": 1.5}, {"factor": -0.1}, {"$opt": "none"}),
        demo={"factor": 0.5, "total_iters": 15}),
    Scheduler(
        "LambdaLR", "lambda_lr", "07_warmup_composition", 5, "LR = base LR * lr_lambda(t), any function of t",
        (Param("preset", "preset", "linear decay: 1 - t/H", options=tuple(LAMBDA_PRESETS),
               help="lr_lambda(t), a multiplier of the base LR"),
         Param("horizon", "steps", 50, 1, frac=0.5, help="H in the preset")),
        chainable=False,
        demo={"preset": "linear decay: 1 - t/H", "horizon": 50}),
    Scheduler(
        "SequentialLR", "composite", "07_warmup_composition", 5, "run schedulers one after another at milestones",
        family="composite", role="composite", composite="sequential",
        demo={"schedulers": [{"$sched": "LinearLR", "start_factor": 0.1, "total_iters": 4}, {"$sched": "ExponentialLR", "gamma": 0.9}], "milestones": [4]}),
    Scheduler(
        "ChainedScheduler", "composite", "07_warmup_composition", 5, "step several schedulers together (products)",
        family="composite", role="composite", composite="chained",
        demo={"schedulers": [{"$sched": "LinearLR", "start_factor": 0.5, "total_iters": 15}, {"$sched": "ExponentialLR", "gamma": 0.95}]}),
    Scheduler(
        "SWALR", "swa", "07_warmup_composition", 6, "anneal the LR to a constant swa_lr for weight averaging (SWA)",
        (Param("swa_lr", "log", 0.05, 1e-5, 10.0, per_group=True, help="the LR held for averaging"),
         Param("anneal_epochs", "steps", 10, 0, frac=0.1, max_frac=1.0, help="steps from the current LR to swa_lr"),
         Param("anneal_strategy", "choice", "cos", options=("cos", "linear"))),
        torch_module="torch.optim.swa_utils",
        bad_input=({"swa_lr": 0.05, "anneal_strategy": "zigzag"}, {"swa_lr": 0.05, "anneal_epochs": -1},
                   {"swa_lr": 0.05, "anneal_epochs": 2.5}, {"swa_lr": [0.1, 0.2]}),
        demo={"swa_lr": 0.05, "anneal_epochs": 15}),
    Scheduler(
        "ReduceLROnPlateau", "plateau", "08_reduce_on_plateau", 8, "cut the LR when a metric stops improving",
        (Param("mode", "choice", "min", options=("min", "max"), help="min: loss; max: accuracy"),
         Param("factor", "float", 0.1, 0.01, 0.99, 0.01, help="lr <- max(lr * factor, min_lr)"),
         Param("patience", "int", 10, 0, 100, 1, help="bad epochs tolerated"),
         Param("threshold", "log", 1e-4, 1e-6, 0.5, help="minimum significant improvement"),
         Param("threshold_mode", "choice", "rel", options=("rel", "abs")),
         Param("cooldown", "int", 0, 0, 100, 1, help="epochs to wait after a reduction"),
         Param("min_lr", "float", 0.0, 0.0, 0.1, 1e-4, per_group=True, help="LR floor")),
        family="plateau", role="plateau",
        bad_input=({"factor": 1.0}, {"mode": "sideways"}, {"threshold_mode": "pct"}),
        demo={"patience": 2, "factor": 0.5}),
)

CATALOG: dict[str, Scheduler] = {r.name: r for r in _RECORDS}
#: Every graded class, in course order.
SCHEDULERS: tuple[str, ...] = tuple(CATALOG)
#: The composites and the metric-driven scheduler, by role (their names, for code that must treat them apart).
SEQUENTIAL = next(r.name for r in _RECORDS if r.composite == "sequential")
CHAINED = next(r.name for r in _RECORDS if r.composite == "chained")
PLATEAU = next(r.name for r in _RECORDS if r.family == "plateau")
WARMUP = next(r.name for r in _RECORDS if r.role == "warmup")
#: What the explorer opens first: the decay of the warmup composer and the app, and the compare view's trio.
DEFAULT_DECAY = "CosineAnnealingLR"
COMPARE_DEFAULT: tuple[str, ...] = ("StepLR", DEFAULT_DECAY, "OneCycleLR")
#: The classes the learner's package exports besides the schedulers.
BASE_CLASS = "LRScheduler"
BASE_MODULE = "base"


def get(name: Any) -> Scheduler:
    """The record of scheduler ``name`` (a torch class name); ValueError listing the known ones otherwise."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a scheduler class name (str), got {type(name).__name__} {name!r}")
    if name not in CATALOG:
        raise ValueError(f"unknown scheduler name {name!r}; known: {list(SCHEDULERS)}")
    return CATALOG[name]


def names(*, family: Family | None = None, role: Role | None = None, chapter: str | None = None,
          cycles_momentum: bool | None = None) -> tuple[str, ...]:
    """Scheduler names filtered by the given record fields (None: any)."""
    return tuple(r.name for r in records()
                 if (family is None or r.family == family) and (role is None or r.role == role)
                 and (chapter is None or r.chapter == chapter)
                 and (cycles_momentum is None or r.cycles_momentum == cycles_momentum))


def records() -> Iterator[Scheduler]:
    """Every record, in course order."""
    return iter(_RECORDS)


def points() -> dict[str, int]:
    """Points per scheduler in ``lrlab grade``."""
    return {r.name: r.points for r in _RECORDS}


def module_of() -> dict[str, str]:
    """Module of the ``schedulers`` package that defines each class (the base class included)."""
    return {BASE_CLASS: BASE_MODULE, **{r.name: r.module for r in _RECORDS}}


def chapters() -> dict[str, tuple[str, ...]]:
    """Chapter (notebook stem) -> the schedulers it teaches, in course order."""
    out: dict[str, list[str]] = {}
    for r in _RECORDS:
        out.setdefault(r.chapter, []).append(r.name)
    return {k: tuple(v) for k, v in out.items()}


def torch_class(name: str) -> type:
    """torch's class for ``name`` (imports torch)."""
    import importlib

    record = get(name)
    return getattr(importlib.import_module(record.torch_module), name)


def torch_check(name: str, kwargs: dict[str, Any], n_groups: int = 1, lr: float = 0.1,
                optimizer: str = "sgd") -> None:
    """Build torch's ``name(optimizer, **kwargs)`` on a throwaway optimizer of ``n_groups`` groups: whatever
    torch raises (TypeError/ValueError/KeyError...) is raised here; torch is the judge of validity."""
    import warnings

    from lrlab.stepping import make_optimizer

    cls = torch_class(name)
    opt = make_optimizer([lr] * n_groups, optimizer=optimizer, momentum=0.9 if get(name).cycles_momentum else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cls(opt, **kwargs)


def random_kwargs(name: str, rng: Any, steps: int, n_groups: int = 1) -> dict[str, Any]:
    """Seeded random constructor arguments for ``name`` drawn from the catalog's ranges (``rng``: a numpy
    ``Generator``), for a schedule of ``steps`` values. ``preset`` parameters come back as the preset's name
    and horizon (the caller turns them into a callable). Torch accepts every draw (the ranges' contract)."""
    out: dict[str, Any] = {}
    for p in get(name).params:
        if p.kind in ("float", "log"):
            def draw(p: Param = p) -> float:
                if p.kind == "log":
                    return float(math.exp(rng.uniform(math.log(p.low), math.log(p.high))))
                return float(rng.uniform(p.low, p.high))
            value: Any = [draw() for _ in range(n_groups)] if p.per_group and n_groups > 1 and rng.random() < 0.5 \
                else draw()
        elif p.kind == "int":
            value = int(rng.integers(int(p.low), int(p.high) + 1))
        elif p.kind == "steps":
            value = int(rng.integers(int(p.low), int(p.high_for(steps)) + 1))
            if p.default is None and value == 0:
                value = None
        elif p.kind in ("choice", "preset"):
            value = p.options[int(rng.integers(0, len(p.options)))]
        elif p.kind == "bool":
            value = bool(rng.random() < 0.7)
        elif p.kind == "milestones":
            value = sorted(int(v) for v in rng.integers(0, steps + 2, int(rng.integers(1, 6))))
            if rng.random() < 0.3:
                value.append(value[0])  # a repeated milestone counts twice
        else:  # pragma: no cover - a new kind must say how to draw it
            raise ValueError(f"{name}.{p.name}: no way to draw kind {p.kind!r}")
        out[p.name] = value
    return out


def parse_milestones(text: Any) -> list[int]:
    """"30, 60, 90" (or a list) -> [30, 60, 90]; milestones are integers >= 0 (torch accepts 0 and repeats)."""
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


def constructor_kwargs(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Control values (sliders, :meth:`Scheduler.defaults`, :func:`random_kwargs`) -> the keyword arguments
    torch's constructor takes: milestones parsed, a preset built into its callable with the horizon, a 0 step
    count given as torch's None where None is the default, ints as ints."""
    kwargs = dict(values)
    for spec in get(name).params:
        if spec.name not in kwargs:
            continue
        if spec.kind == "milestones":
            kwargs[spec.name] = parse_milestones(kwargs[spec.name])
        elif spec.kind == "preset":  # LambdaLR's multipliers or MultiplicativeLR's factors, built with H
            preset = kwargs.pop(spec.name)
            table = PRESET_TABLES[spec.presets]
            if preset not in table:
                raise ValueError(f"{spec.name} must be one of {list(table)}, got {preset!r}")
            kwargs["lr_lambda"] = table[preset](kwargs.pop("horizon"))
        elif spec.kind == "steps" and spec.default is None and not kwargs[spec.name]:
            kwargs[spec.name] = None
        elif spec.kind in ("int", "steps") and kwargs[spec.name] is not None:
            kwargs[spec.name] = int(kwargs[spec.name])
    return kwargs


def example(name: str, steps: int) -> Any:
    """A factory ``(module, optimizer) -> scheduler`` for a typical ``name`` over ``steps`` steps (the opening
    values; a composite of the first warmup and the default decay): ``module`` is torch's scheduler module
    or a learner's package."""
    record = get(name)
    if record.composite is None:
        kwargs = constructor_kwargs(name, record.defaults(steps))
        return lambda module, opt: getattr(module, name)(opt, **kwargs)
    warm, decay = names(role="warmup")[0], DEFAULT_DECAY
    w = max(1, steps // 10)
    warm_kw = constructor_kwargs(warm, get(warm).defaults(2 * w))
    decay_kw = constructor_kwargs(decay, get(decay).defaults(steps - w))
    if record.composite == "sequential":
        return lambda module, opt: getattr(module, name)(
            opt, [getattr(module, warm)(opt, **warm_kw), getattr(module, decay)(opt, **decay_kw)], [w])
    return lambda module, opt: getattr(module, name)(
        [getattr(module, warm)(opt, **warm_kw), getattr(module, decay)(opt, **decay_kw)], optimizer=opt)


def build_demo(name: str, module: Any, opt: Any, last_epoch: int | None = None) -> Any:
    """``name``'s demonstration case (its record's ``demo``) built from ``module`` (torch's namespace or a
    learner's package) on ``opt``; ``last_epoch`` is passed, when not None, to the outer class only."""
    record = get(name)
    values = dict(record.demo)
    children = [getattr(module, c["$sched"])(opt, **constructor_kwargs(
        c["$sched"], {k: v for k, v in c.items() if k != "$sched"})) for c in values.pop("schedulers", ())]
    kwargs = constructor_kwargs(name, values)
    if last_epoch is not None:
        kwargs["last_epoch"] = last_epoch
    cls = getattr(module, name)
    if record.composite == "sequential":
        return cls(opt, children, **kwargs)
    if record.composite == "chained":
        return cls(children, optimizer=opt, **kwargs)
    return cls(opt, **kwargs)


def takes_last_epoch(name: str) -> bool:
    """Whether torch's constructor of ``name`` has a ``last_epoch`` argument (ChainedScheduler and
    ReduceLROnPlateau do not)."""
    import inspect

    return "last_epoch" in inspect.signature(torch_class(name)).parameters


def torch_namespace() -> Any:
    """torch's classes for every catalog scheduler in one namespace (``lr_scheduler`` and ``swa_utils``), so
    code written for a learner's package (``module.<Name>``) runs on torch unchanged."""
    import types

    return types.SimpleNamespace(__name__="torch", **{name: torch_class(name) for name in SCHEDULERS})
