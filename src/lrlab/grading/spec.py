"""What is graded: the checks of each scheduler, their points, and the scenarios each check runs.

A *scenario* is plain JSON-able data (so it crosses the process boundary unchanged): the scheduler's class name,
its constructor keyword arguments, the optimizer (``sgd``/``adam``/``adagrad`` and one LR per param group),
how many values to record, and optionally a metric sequence (ReduceLROnPlateau) or a step at which to resume
from ``state_dict``. Callables are named (``{"$fn": "warmup_decay"}``, see ``lrlab.grading.driver.FUNCTIONS``)
and child schedulers are nested (``{"$sched": {...}}``) so that SequentialLR/ChainedScheduler are built from
the graded package's own classes. Random configurations are drawn from ``random.Random(seed)``, so both sides
see identical scenarios and every run grades the same thing.

A check is worth its points when every one of its scenarios matches torch (index t = the value after t calls
to ``step()``; ``|got - expected| <= atol + rtol*|expected|`` with ``rtol=1e-9``, ``atol=1e-12*lr0``).
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from lrlab import catalog
from lrlab.grading import bonus
from lrlab.tolerance import ATOL_PER_LR0, RTOL  # noqa: F401 - re-exported for the comparison

LONG = 10_000  # steps in the long-horizon checks

#: Points per scheduler, the module defining each class, and the graded classes: the catalog's.
SCHEDULER_POINTS: dict[str, int] = catalog.points()
SCHEDULERS: tuple[str, ...] = catalog.SCHEDULERS
#: The bonus classes (schedules torch lacks, :mod:`lrlab.grading.bonus`): a separate total on top of the 100.
BONUS_POINTS: dict[str, int] = dict(bonus.BONUS_POINTS)
BONUS: tuple[str, ...] = bonus.BONUS
ALL_POINTS: dict[str, int] = {**SCHEDULER_POINTS, **BONUS_POINTS}
MODULE_OF: dict[str, str] = {**catalog.module_of(), **dict.fromkeys(BONUS, bonus.MODULE)}


@dataclass(frozen=True)
class Check:
    """One graded check: ``points`` if all ``scenarios`` match torch, else 0.

    The builders below give each check a weight; :func:`checks_for` scales the weights to the scheduler's
    points in the catalog (largest remainders), so rebalancing points is a catalog edit."""

    name: str
    points: int
    description: str
    scenarios: tuple[dict[str, Any], ...] = field(repr=False)


def scenario(
    sched: str,
    kwargs: dict[str, Any] | None = None,
    *,
    groups: tuple[float, ...] | list[float] = (0.1, 0.02, 0.5),
    opt: str = "sgd",
    momentum: float = 0.9,
    steps: int = 60,
    resume_at: int | None = None,
    metrics: list[float] | None = None,
    track_momentum: bool = False,
    call: str = "opt_first",
    epochs: list[float | None] | None = None,
    second_at: int | None = None,
    initial_lr: tuple[float, ...] | list[float] | None = None,
    edit_lr: dict[str, Any] | None = None,
    beta2: float = 0.999,
) -> dict[str, Any]:
    """Build one scenario dict (see the module docstring).

    ``epochs``: call ``step(epochs[t-1])`` at index t (None: a plain ``step()``; floats allowed); ``steps``
    becomes ``len(epochs) + 1``. ``second_at``: build a second scheduler on the same optimizer at that index.
    ``initial_lr``: written into the groups before construction (resume by ``last_epoch``, or what an earlier
    scheduler left). ``edit_lr={"at": t, "factor": f, "every": False}``: multiply every group's LR by ``f``
    after index t (after every index from t on with ``every``), as a stacked scheduler or the user would.
    ``beta2``: Adam's ``betas[1]`` (recorded at the end when not 0.999).
    """
    if opt not in ("sgd", "adam", "adagrad", "none"):
        raise ValueError(f"opt must be one of sgd, adam, adagrad, none; got {opt!r}")
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    if epochs is not None:
        steps = len(epochs) + 1
    if resume_at is not None and not 0 <= resume_at < steps - 1:
        raise ValueError(f"resume_at must be in [0, steps-1), got {resume_at}")
    if second_at is not None and not 0 <= second_at < steps:
        raise ValueError(f"second_at must be in [0, steps), got {second_at}")
    if initial_lr is not None and len(initial_lr) != len(groups):
        raise ValueError(f"initial_lr needs one value per group ({len(groups)}), got {len(initial_lr)}")
    if edit_lr is not None and (set(edit_lr) - {"at", "factor", "every"} or not 0 <= edit_lr["at"] < steps - 1):
        raise ValueError(f"edit_lr must be {{'at': t in [0, steps-1), 'factor': f, 'every': bool}}, got {edit_lr}")
    return {
        "sched": sched,
        "kwargs": kwargs or {},
        "groups": [float(g) for g in groups],
        "opt": opt,
        "momentum": momentum,
        "steps": steps,
        "resume_at": resume_at,
        "metrics": metrics,
        "track_momentum": track_momentum,
        "call": call,
        "epochs": epochs,
        "second_at": second_at,
        "initial_lr": None if initial_lr is None else [float(v) for v in initial_lr],
        "edit_lr": edit_lr,
        "beta2": beta2,
    }


# Explicit epochs for ``step(epoch)``: forward and backward jumps, with plain ``step()`` calls (None) between.
JUMPS: list[int | None] = [None, None, 5, 2, None, None, 17, 9, None, 0, 40, None, 33, 100, None, 3, 250, 249,
                           None, 11, 600, 7, None, None, 64]


def closed_form_check(name: str, kwargs_list: list[dict[str, Any]]) -> Check:
    """``step(epoch)`` with jumps forward and back: the class's ``_get_closed_form_lr`` against torch's."""
    return Check("closed_form", 1, "step(epoch) jumps forward/back (the closed form _get_closed_form_lr)",
                 tuple(scenario(name, kw, epochs=JUMPS) for kw in kwargs_list))


#: ``initial_lr`` an earlier scheduler (or a checkpoint) left in the groups; differs from the groups' LRs.
PRESET_INITIAL = (0.3, 0.07, 1.0)


def chainable_check(name: str, kwargs: dict[str, Any], steps: int = 40,
                    extra: tuple[dict[str, Any], ...] = ()) -> Check:
    """The LR edited once mid-run, a x0.9-per-step scheduler stacked after this one, and a second scheduler
    built mid-run (its ``base_lrs`` come from ``initial_lr``): ``get_lr`` must start from each group's
    current LR (torch's recursive form), and ``get_last_lr()`` must return what the scheduler wrote, not
    the groups' edited LRs. ``extra``: more scenarios of the same kind."""
    return Check("chainable", 2, "chainable: LR edited mid-run, stacked with a x0.9-per-step scheduler, a second "
                 "scheduler built mid-run (get_lr starts from the group's current LR)", (
                     scenario(name, kwargs, edit_lr={"at": 5, "factor": 0.5}, steps=steps),
                     scenario(name, kwargs, edit_lr={"at": 0, "factor": 0.9, "every": True}, steps=steps),
                     scenario(name, kwargs, steps=steps, second_at=4),
                     *extra,
                 ))


def last_epoch_scenarios(name: str, kwargs: dict[str, Any], k: int = 5, steps: int = 20) -> tuple[dict[str, Any], ...]:
    """Built with ``last_epoch=k`` (a resume without ``state_dict``): from groups holding ``initial_lr``, and
    the ``KeyError`` torch raises when they do not. They join the ``resume`` check."""
    kw = {**kwargs, "last_epoch": k}
    return (scenario(name, kw, initial_lr=PRESET_INITIAL, steps=steps), scenario(name, kw, steps=3))


def child(sched: str, other_opt: bool = False, **kwargs: Any) -> dict[str, Any]:
    """A child scheduler built (from the graded package) on the scenario's optimizer, or on another one."""
    return {"$sched": {"sched": sched, "kwargs": kwargs, "other_opt": other_opt}}


def fn(name: str, closure: bool = False) -> dict[str, Any]:
    """A named callable from ``lrlab.grading.driver.FUNCTIONS``; ``closure``: wrapped in a lambda (which
    pickle cannot store, as when a learner writes ``lr_lambda=lambda e: ...``)."""
    return {"$fn": name, "closure": True} if closure else {"$fn": name}


def _rng(name: str, salt: str = "") -> random.Random:
    return random.Random(zlib.crc32(f"lrlab-grading/{name}/{salt}".encode()))


def _loguniform(rng: random.Random, lo: float, hi: float) -> float:
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


def _random_groups(rng: random.Random, n_max: int = 3) -> list[float]:
    return [_loguniform(rng, 1e-4, 1.0) for _ in range(rng.randint(1, n_max))]


def _metrics(rng: random.Random, n: int, mode: str = "min") -> list[float]:
    """A noisy loss curve that decays and then plateaus (rounded, so ties happen), negated for ``max``."""
    scale, floor, noise = rng.uniform(1.0, 3.0), rng.uniform(0.05, 0.3), rng.uniform(0.0, 0.02)
    tau = rng.uniform(10, 60)
    values = [round(max(floor, scale * math.exp(-t / tau)) + rng.gauss(0.0, noise), 3) for t in range(n)]
    return [-v for v in values] if mode == "max" else values


BAD_OPT = {"opt": "none"}  # a non-Optimizer first argument: torch raises TypeError


def _checks_step() -> list[Check]:
    rng = _rng("StepLR")
    grid = [scenario("StepLR", {"step_size": s, "gamma": g}) for s in (1, 3, 10) for g in (0.1, 0.5, 0.95)]
    rand = [
        scenario("StepLR", {"step_size": rng.randint(1, 40), "gamma": rng.uniform(0.05, 0.99)},
                 groups=_random_groups(rng), opt=rng.choice(["sgd", "adam"]), steps=300)
        for _ in range(6)
    ]
    initial = [scenario("StepLR", {"step_size": 2, "gamma": 0.5}, steps=6, second_at=5),
               scenario("StepLR", {"step_size": 3, "gamma": 0.1}, opt="adam", groups=(0.3, 0.004), steps=5,
                        second_at=4)]
    return [
        Check("grid", 1, "step_size x gamma grid (3 param groups) and seeded random configurations",
              tuple(grid + rand)),
        Check("long", 1, f"{LONG} steps", (scenario("StepLR", {"step_size": 400, "gamma": 0.8}, steps=LONG),)),
        Check("resume", 1, "resume from state_dict mid-run",
              (scenario("StepLR", {"step_size": 7, "gamma": 0.5}, opt="adam", steps=60, resume_at=23),)),
        closed_form_check("StepLR", [{"step_size": 3, "gamma": 0.5}, {"step_size": 10, "gamma": 0.9}]),
        chainable_check("StepLR", {"step_size": 3, "gamma": 0.5},
                        extra=(*initial, *last_epoch_scenarios("StepLR", {"step_size": 3, "gamma": 0.5}))),
        Check("bad_input", 1, "non-optimizer argument raises TypeError",
              (scenario("StepLR", {"step_size": 3}, **BAD_OPT),)),
    ]


def _checks_multistep() -> list[Check]:
    rng = _rng("MultiStepLR")
    grid = [
        scenario("MultiStepLR", {"milestones": m, "gamma": g})
        for m in ([5], [2, 5, 9], [3, 3, 7], [0, 4], [9, 2]) for g in (0.1, 0.5)
    ]
    rand = []
    for _ in range(6):
        ms = sorted(rng.sample(range(1, 280), rng.randint(1, 6)))
        rand.append(scenario("MultiStepLR", {"milestones": ms, "gamma": rng.uniform(0.05, 0.99)},
                             groups=_random_groups(rng), steps=300))
    return [
        Check("grid", 1, "milestones (repeated, unsorted, at 0) x gamma", tuple(grid)),
        Check("random", 1, "seeded random milestones", tuple(rand)),
        Check("long", 1, f"{LONG} steps",
              (scenario("MultiStepLR", {"milestones": [1000, 3000, 7000, 9999], "gamma": 0.3}, steps=LONG),)),
        Check("resume", 1, "resume from state_dict mid-run",
              (scenario("MultiStepLR", {"milestones": [10, 20, 20, 35], "gamma": 0.5}, steps=50, resume_at=15),)),
        Check("closed_form", 1, "step(epoch) jumps forward/back, also onto milestones (the closed form)", (
            *closed_form_check("MultiStepLR", [{"milestones": [4, 30, 30, 200], "gamma": 0.5},
                                               {"milestones": [60, 8], "gamma": 0.3}]).scenarios,
            scenario("MultiStepLR", {"milestones": [8, 20, 20], "gamma": 0.5}, epochs=[8, 20, 5, None, 19, None]),
        )),
        Check("bad_input", 1, "non-optimizer argument raises TypeError",
              (scenario("MultiStepLR", {"milestones": [3]}, **BAD_OPT),)),
    ]


def _checks_exponential() -> list[Check]:
    rng = _rng("ExponentialLR")
    grid = [scenario("ExponentialLR", {"gamma": g}) for g in (0.5, 0.9, 0.999, 1.0)]
    rand = [scenario("ExponentialLR", {"gamma": rng.uniform(0.9, 1.0)}, groups=_random_groups(rng), steps=300,
                     opt=rng.choice(["sgd", "adam"])) for _ in range(5)]
    return [
        Check("grid", 1, "gamma grid (3 param groups) and seeded random configurations", tuple(grid + rand)),
        Check("long", 1, f"{LONG} steps", (scenario("ExponentialLR", {"gamma": 0.9993}, steps=LONG),)),
        Check("resume", 1, "resume from state_dict mid-run",
              (scenario("ExponentialLR", {"gamma": 0.9}, steps=40, resume_at=17),)),
        closed_form_check("ExponentialLR", [{"gamma": 0.99}, {"gamma": 0.9}]),
        Check("bad_input", 1, "non-optimizer argument raises TypeError",
              (scenario("ExponentialLR", {"gamma": 0.9}, **BAD_OPT),)),
    ]


def _checks_cosine() -> list[Check]:
    rng = _rng("CosineAnnealingLR")
    grid = [scenario("CosineAnnealingLR", {"T_max": t, "eta_min": e}, steps=160)
            for t in (1, 5, 50) for e in (0.0, 0.001)]
    rand = [scenario("CosineAnnealingLR", {"T_max": rng.randint(1, 200), "eta_min": rng.choice([0.0, 1e-5, 1e-3])},
                     groups=_random_groups(rng), steps=500) for _ in range(6)]
    return [
        Check("grid", 2, "T_max x eta_min, past T_max (periodic)", tuple(grid)),
        Check("random", 1, "seeded random configurations", tuple(rand)),
        Check("long", 2, f"{LONG} steps, short and long periods", (
            scenario("CosineAnnealingLR", {"T_max": 100}, steps=LONG),
            scenario("CosineAnnealingLR", {"T_max": LONG, "eta_min": 1e-4}, steps=LONG),
        )),
        Check("resume", 1, "resume from state_dict mid-run",
              (scenario("CosineAnnealingLR", {"T_max": 30, "eta_min": 0.001}, steps=80, resume_at=41),)),
        closed_form_check("CosineAnnealingLR", [{"T_max": 50, "eta_min": 0.001}, {"T_max": 7}]),
        Check("bad_input", 1, "non-optimizer argument raises TypeError",
              (scenario("CosineAnnealingLR", {"T_max": 10}, **BAD_OPT),)),
    ]


def _checks_warm_restarts() -> list[Check]:
    name = "CosineAnnealingWarmRestarts"
    rng = _rng(name)
    grid = [scenario(name, {"T_0": t0, "T_mult": tm, "eta_min": e}, steps=200)
            for t0 in (1, 3, 10) for tm in (1, 2) for e in (0.0, 0.01)]
    rand = [scenario(name, {"T_0": rng.randint(1, 50), "T_mult": rng.randint(1, 3), "eta_min": rng.choice([0.0, 1e-4])},
                     groups=_random_groups(rng), steps=500) for _ in range(6)]
    bad = [scenario(name, kw, steps=3) for kw in ({"T_0": 0}, {"T_0": 2.5}, {"T_0": 5, "T_mult": 0},
                                                   {"T_0": 5, "T_mult": 1.5})]
    return [
        Check("grid", 3, "T_0 x T_mult x eta_min", tuple(grid)),
        Check("random", 2, "seeded random configurations", tuple(rand)),
        Check("long", 2, f"{LONG} steps", (
            scenario(name, {"T_0": 10, "T_mult": 2}, steps=LONG),
            scenario(name, {"T_0": 7, "eta_min": 1e-3}, steps=LONG),
        )),
        Check("resume", 1, "resume from state_dict mid-run; built with last_epoch=k, also with k + 1 >= 2 T_0 "
              "and T_mult=1 (the first step restarts with T_cur % T_i, not T_cur - T_i)",
              (scenario(name, {"T_0": 4, "T_mult": 2}, steps=60, resume_at=13),
               *last_epoch_scenarios(name, {"T_0": 4, "T_mult": 2}),
               last_epoch_scenarios(name, {"T_0": 3, "eta_min": 0.001}, k=11)[0])),
        Check("epochs", 2, "step(epoch) with fractional epochs, back and forth, then plain step()s across "
              "restarts (T_cur % T_i keeps the fraction); a negative epoch raises ValueError", (
                  scenario(name, {"T_0": 4, "T_mult": 2},
                           epochs=[0.5, 1.0, 1.5, None, None, 7.5, 3.25, None, None, None, 20.0, None]),
                  scenario(name, {"T_0": 4}, epochs=[0.5] + [None] * 12),
                  scenario(name, {"T_0": 3, "eta_min": 0.01}, epochs=[4.5, 7, None, None, 2.75, None]),
                  scenario(name, {"T_0": 4}, epochs=[None, -1]),
              )),
        Check("bad_input", 1, "T_0 / T_mult not positive integers raise ValueError", tuple(bad)),
    ]


def _cyclic(kwargs: dict[str, Any], **kw: Any) -> dict[str, Any]:
    base = {"base_lr": [0.01, 0.002, 0.05], "max_lr": [0.1, 0.02, 0.5]}
    return scenario("CyclicLR", {**base, **kwargs}, **kw)


def _checks_cyclic() -> list[Check]:
    rng = _rng("CyclicLR")
    tri = [_cyclic({"step_size_up": up, "step_size_down": down}, steps=100)
           for up in (1, 5, 20) for down in (None, 7)]
    tri.append(_cyclic({"step_size_up": 3}, initial_lr=PRESET_INITIAL, steps=20))  # an earlier scheduler's initial_lr
    modes = [
        _cyclic({"step_size_up": 4, "mode": "triangular2"}, steps=100),
        _cyclic({"step_size_up": 5, "step_size_down": 3, "mode": "exp_range", "gamma": 0.99}, steps=100),
        _cyclic({"step_size_up": 6, "scale_fn": fn("half_per_cycle"), "scale_mode": "cycle"}, steps=100),
        _cyclic({"step_size_up": 6, "scale_fn": fn("slow_decay"), "scale_mode": "iterations"}, steps=100),
        scenario("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 3}, steps=40),
    ]
    mom = [
        _cyclic({"step_size_up": 5, "step_size_down": 3}, steps=60, track_momentum=True),
        _cyclic({"step_size_up": 4, "base_momentum": [0.7, 0.8, 0.85], "max_momentum": 0.95,
                 "mode": "triangular2"}, steps=60, track_momentum=True),
        _cyclic({"step_size_up": 4, "cycle_momentum": False}, steps=30, momentum=0.5, track_momentum=True),
    ]
    adam = [
        _cyclic({"step_size_up": 5, "step_size_down": 3}, opt="adam", steps=60, track_momentum=True),
        _cyclic({"step_size_up": 3, "base_momentum": 0.85, "max_momentum": 0.99, "mode": "exp_range",
                 "gamma": 0.98}, opt="adam", steps=60, track_momentum=True),
        _cyclic({"step_size_up": 3}, opt="adam", beta2=0.99, steps=20, track_momentum=True),
    ]
    rand = []
    for _ in range(5):
        groups = _random_groups(rng)
        mode = rng.choice(["triangular", "triangular2", "exp_range"])
        rand.append(scenario("CyclicLR", {
            "base_lr": [g / rng.uniform(3, 30) for g in groups], "max_lr": groups,
            "step_size_up": rng.randint(1, 60), "step_size_down": rng.choice([None, rng.randint(1, 60)]),
            "mode": mode, "gamma": rng.uniform(0.99, 1.0)}, groups=groups, opt=rng.choice(["sgd", "adam"]),
            steps=400, track_momentum=True))
    bad = [
        _cyclic({}, steps=3, **BAD_OPT),
        _cyclic({"mode": "zigzag"}, steps=3),
        _cyclic({"base_lr": [0.01, 0.02]}, steps=3),
        _cyclic({}, opt="adagrad", steps=3),
    ]
    return [
        Check("triangular", 2, "triangular, step_size_up x step_size_down, per-group base/max, groups that "
              "already hold initial_lr", tuple(tri)),
        Check("modes", 2, "triangular2, exp_range, custom scale_fn (cycle/iterations)", tuple(modes)),
        Check("momentum_sgd", 2, "SGD momentum cycles inversely to the LR", tuple(mom)),
        Check("adam_betas", 2, "Adam betas[0] cycles inversely to the LR; betas[1] is left alone", tuple(adam)),
        Check("random", 2, "seeded random configurations", tuple(rand)),
        Check("long", 1, f"{LONG} steps (triangular2)",
              (_cyclic({"step_size_up": 500, "mode": "triangular2"}, steps=LONG, track_momentum=True),)),
        Check("resume", 1, "resume from state_dict mid-run (a lambda scale_fn too: state_dict must pickle)", (
            _cyclic({"step_size_up": 5, "mode": "exp_range", "gamma": 0.99}, steps=50, resume_at=17,
                    track_momentum=True),
            _cyclic({"step_size_up": 6, "scale_fn": fn("half_per_cycle")}, steps=50, resume_at=20),
            _cyclic({"step_size_up": 6, "scale_fn": fn("half_per_cycle", closure=True)}, steps=30, resume_at=8),
        )),
        Check("bad_input", 1, "bad optimizer/mode/lengths/no momentum raise like torch", tuple(bad)),
    ]


def _one_cycle(kwargs: dict[str, Any], total: int = 100, **kw: Any) -> dict[str, Any]:
    kw.setdefault("steps", total + 1)  # total_steps calls to step() are allowed
    return scenario("OneCycleLR", {"max_lr": [0.1, 0.02, 0.5], "total_steps": total, **kwargs}, **kw)


def _checks_one_cycle() -> list[Check]:
    rng = _rng("OneCycleLR")
    grid = [_one_cycle({"anneal_strategy": a, "pct_start": p, "three_phase": tp})
            for a in ("cos", "linear") for p in (0.3, 0.1) for tp in (False, True)]
    grid.append(_one_cycle({}, total=20, initial_lr=PRESET_INITIAL))  # an earlier scheduler's initial_lr
    mom = [
        _one_cycle({}, track_momentum=True),
        _one_cycle({"three_phase": True, "base_momentum": [0.8, 0.85, 0.9], "max_momentum": 0.97},
                   track_momentum=True),
        _one_cycle({"cycle_momentum": False}, total=30, momentum=0.5, track_momentum=True),
    ]
    adam = [_one_cycle({}, opt="adam", track_momentum=True),
            _one_cycle({"anneal_strategy": "linear", "three_phase": True}, opt="adam", track_momentum=True),
            _one_cycle({}, total=20, opt="adam", beta2=0.99, track_momentum=True)]
    epochs = [scenario("OneCycleLR", {"max_lr": 0.3, "epochs": 7, "steps_per_epoch": 13, "div_factor": 10.0,
                                      "final_div_factor": 100.0}, steps=92)]
    rand = []
    for _ in range(5):
        groups = _random_groups(rng)
        total = rng.randint(10, 400)
        rand.append(_one_cycle({
            "max_lr": [g * rng.uniform(1, 10) for g in groups], "pct_start": rng.uniform(0.05, 0.6),
            "anneal_strategy": rng.choice(["cos", "linear"]), "three_phase": rng.random() < 0.3,
            "div_factor": rng.uniform(5, 50), "final_div_factor": rng.uniform(10, 1e4)}, total=total,
            groups=groups, opt=rng.choice(["sgd", "adam"]), track_momentum=True))
    bad = [
        _one_cycle({}, steps=3, **BAD_OPT),
        _one_cycle({"total_steps": 0}, steps=3),
        _one_cycle({"total_steps": None}, steps=3),
        _one_cycle({"pct_start": 1}, steps=3),
        _one_cycle({"anneal_strategy": "quadratic"}, steps=3),
        _one_cycle({}, opt="adagrad", steps=3),
    ]
    return [
        Check("grid", 2, "cos/linear x pct_start x three_phase, per-group max_lr, groups that already hold "
              "initial_lr", tuple(grid)),
        Check("momentum_sgd", 2, "SGD momentum cycles inversely to the LR", tuple(mom)),
        Check("adam_betas", 2, "Adam betas[0] cycles inversely to the LR; betas[1] is left alone", tuple(adam)),
        Check("epochs", 1, "epochs x steps_per_epoch, div_factor, final_div_factor", tuple(epochs)),
        Check("random", 2, "seeded random configurations", tuple(rand)),
        Check("long", 1, f"{LONG} total steps", (_one_cycle({}, total=LONG, track_momentum=True),)),
        Check("resume", 1, "resume from state_dict mid-run",
              (_one_cycle({"three_phase": True}, total=60, resume_at=25, track_momentum=True),)),
        Check("step_limit", 1, "stepping past total_steps raises ValueError", (_one_cycle({}, total=20, steps=23),)),
        Check("bad_input", 1, "bad optimizer/total_steps/pct_start/anneal_strategy raise like torch", tuple(bad)),
    ]


def _checks_linear() -> list[Check]:
    rng = _rng("LinearLR")
    grid = [scenario("LinearLR", {"start_factor": s, "end_factor": e, "total_iters": n}, steps=20)
            for s in (1 / 3, 0.5, 1.0) for e in (1.0, 0.5, 0.0) for n in (1, 5)]
    rand = [scenario("LinearLR", {"start_factor": rng.uniform(0.01, 1.0), "end_factor": rng.uniform(0.0, 1.0),
                                  "total_iters": rng.randint(1, 200)}, groups=_random_groups(rng), steps=300)
            for _ in range(6)]
    bad = [scenario("LinearLR", kw, steps=3) for kw in ({"start_factor": 0.0}, {"start_factor": 1.5},
                                                         {"end_factor": -0.1}, {"end_factor": 1.2})]
    bad.append(scenario("LinearLR", {}, steps=3, **BAD_OPT))
    return [
        Check("grid", 2, "start_factor x end_factor x total_iters", tuple(grid)),
        Check("random", 1, "seeded random configurations", tuple(rand)),
        Check("long", 1, f"{LONG} steps",
              (scenario("LinearLR", {"start_factor": 0.01, "end_factor": 1.0, "total_iters": 5000}, steps=LONG),)),
        Check("resume", 1, "resume from state_dict mid-run",
              (scenario("LinearLR", {"start_factor": 0.1, "total_iters": 30}, steps=50, resume_at=12),)),
        closed_form_check("LinearLR", [{"start_factor": 0.1, "end_factor": 0.9, "total_iters": 40},
                                       {"start_factor": 0.5, "end_factor": 0.0, "total_iters": 300}]),
        Check("bad_input", 1, "factors out of range raise ValueError, non-optimizer TypeError", tuple(bad)),
    ]


def _checks_lambda() -> list[Check]:
    rng = _rng("LambdaLR")
    names = ["warmup_decay", "inv_sqrt", "cos_wave", "linear_down"]
    grid = [scenario("LambdaLR", {"lr_lambda": fn(n)}, steps=120) for n in names]
    grid.append(scenario("LambdaLR", {"lr_lambda": [fn("warmup_decay"), fn("inv_sqrt"), fn("cos_wave")]}, steps=120))
    rand = []
    for _ in range(4):
        groups = _random_groups(rng)
        rand.append(scenario("LambdaLR", {"lr_lambda": [fn(rng.choice(names)) for _ in groups]}, groups=groups,
                             steps=300))
    return [
        Check("grid", 2, "named lambdas, one per group", tuple(grid)),
        Check("random", 1, "seeded random configurations", tuple(rand)),
        Check("long", 1, f"{LONG} steps", (scenario("LambdaLR", {"lr_lambda": fn("linear_down")}, steps=LONG),)),
        Check("resume", 1, "resume from state_dict mid-run (lambdas too: state_dict must pickle)",
              (scenario("LambdaLR", {"lr_lambda": fn("warmup_decay")}, steps=50, resume_at=20),
               scenario("LambdaLR", {"lr_lambda": [fn("warmup_decay", closure=True), fn("inv_sqrt"),
                                                   fn("cos_wave", closure=True)]}, steps=30, resume_at=12))),
        Check("bad_input", 1, "wrong number of lr_lambdas raises ValueError",
              (scenario("LambdaLR", {"lr_lambda": [fn("inv_sqrt"), fn("inv_sqrt")]}, steps=3),)),
    ]


def _checks_sequential() -> list[Check]:
    name = "SequentialLR"

    def seq(children: list[dict[str, Any]], milestones: list[int], **kw: Any) -> dict[str, Any]:
        return scenario(name, {"schedulers": children, "milestones": milestones}, **kw)

    warm_cos = [child("LinearLR", start_factor=0.1, total_iters=5), child("CosineAnnealingLR", T_max=40)]
    three = [child("ExponentialLR", gamma=0.9), child("StepLR", step_size=4, gamma=0.5),
             child("MultiStepLR", milestones=[3, 6], gamma=0.3)]
    basic = [
        seq(warm_cos, [5], steps=60),
        seq(three, [10, 25], steps=50),
        seq([child("LinearLR", start_factor=0.5, total_iters=3), child("ExponentialLR", gamma=0.95)], [1], steps=30),
        # a later child whose construction changes the LR: SequentialLR must reset to initial_lr and undo it
        seq([child("ExponentialLR", gamma=0.9), child("LinearLR", start_factor=0.5, total_iters=4)], [3], steps=20),
        # a milestone at 0: the first step already belongs to the second child
        seq([child("LinearLR", start_factor=0.5, total_iters=4), child("ExponentialLR", gamma=0.9)], [0], steps=10),
    ]
    bad = [
        seq(warm_cos, [5, 10], steps=3),
        seq([child("LinearLR"), child("ExponentialLR", other_opt=True, gamma=0.9)], [5], steps=3),
        seq([], [], steps=3),
    ]
    return [
        Check("basic", 3, "warmup then cosine; three phases; milestones at 1 and 0; a later child that changes the "
              "LR when built", tuple(basic)),
        Check("long", 1, f"{LONG} steps", (seq([child("LinearLR", start_factor=0.01, total_iters=500),
                                                 child("CosineAnnealingLR", T_max=9500, eta_min=1e-5)], [500],
                                                steps=LONG),)),
        Check("resume", 2, "resume from state_dict mid-run (before and after a milestone)", (
            seq(warm_cos, [5], steps=40, resume_at=3),
            seq(three, [10, 25], steps=50, resume_at=18),
        )),
        Check("bad_input", 2, "milestone count, mixed optimizers, no schedulers raise ValueError", tuple(bad)),
    ]


def _checks_chained() -> list[Check]:
    name = "ChainedScheduler"

    def chain(children: list[dict[str, Any]], with_opt: bool = False, **kw: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"schedulers": children}
        if with_opt:
            kwargs["optimizer"] = {"$optimizer": True}
        return scenario(name, kwargs, call="kwargs_only", **kw)

    exp_step = [child("ExponentialLR", gamma=0.97), child("StepLR", step_size=5, gamma=0.5)]
    basic = [
        chain(exp_step, steps=40),
        chain([child("LinearLR", start_factor=0.2, total_iters=8), child("ExponentialLR", gamma=0.95)], with_opt=True,
              steps=40),
        chain([child("MultiStepLR", milestones=[7, 15], gamma=0.5), child("CosineAnnealingLR", T_max=12)], steps=50),
        # cosine's step is affine (eta_min), so the order of the children matters here
        chain([child("ExponentialLR", gamma=0.9), child("CosineAnnealingLR", T_max=6, eta_min=0.01)], steps=30),
    ]
    bad = [chain([], steps=3), chain([child("LinearLR"), child("ExponentialLR", other_opt=True, gamma=0.9)], steps=3)]
    return [
        Check("basic", 3, "two schedulers stepped in order, with and without the optimizer argument (one pair "
              "does not commute)", tuple(basic)),
        Check("long", 1, f"{LONG} steps", (chain([child("ExponentialLR", gamma=0.9997),
                                                   child("CosineAnnealingLR", T_max=300)], steps=LONG),)),
        Check("resume", 2, "resume from state_dict mid-run", (
            chain(exp_step, steps=40, resume_at=12),
            chain([child("LinearLR", start_factor=0.2, total_iters=8), child("ExponentialLR", gamma=0.95)],
                  steps=30, resume_at=4),
        )),
        Check("bad_input", 1, "no schedulers or mixed optimizers raise ValueError", tuple(bad)),
    ]


def _checks_plateau() -> list[Check]:
    name = "ReduceLROnPlateau"
    rng = _rng(name)

    def rop(kwargs: dict[str, Any], n: int = 200, mode: str = "min", **kw: Any) -> dict[str, Any]:
        return scenario(name, {"mode": mode, **kwargs}, metrics=_metrics(rng, n - 1, mode), steps=n, **kw)

    min_rel = [rop({}), rop({"patience": 3, "factor": 0.5}), rop({"patience": 0, "threshold": 1e-2}),
               # threshold 0: a tie is not an improvement
               scenario(name, {"patience": 1, "threshold": 0.0}, metrics=[1.0] * 6 + [0.5] * 10, steps=17)]
    max_abs = [rop({"patience": 2, "threshold_mode": "abs", "threshold": 0.01}, mode="max"),
               rop({"patience": 4, "factor": 0.3}, mode="max"),
               rop({"patience": 2, "threshold_mode": "abs", "threshold": 0.005})]
    cool = [rop({"patience": 2, "cooldown": 5, "min_lr": [0.01, 0.001, 0.02]}),
            rop({"patience": 1, "cooldown": 3, "min_lr": 0.004, "factor": 0.2}, mode="max")]
    eps = [rop({"patience": 1, "factor": 0.5, "eps": 1e-3}, groups=(0.01, 0.002, 0.05))]
    rand = []
    for _ in range(5):
        mode = rng.choice(["min", "max"])
        rand.append(rop({"factor": rng.uniform(0.05, 0.9), "patience": rng.randint(0, 15),
                         "threshold": rng.choice([1e-4, 1e-3, 1e-2]), "threshold_mode": rng.choice(["rel", "abs"]),
                         "cooldown": rng.randint(0, 5), "min_lr": rng.choice([0.0, 1e-5])},
                        n=400, mode=mode, groups=_random_groups(rng), opt=rng.choice(["sgd", "adam"])))
    bad = [scenario(name, kw, steps=3, metrics=[1.0, 1.0])
           for kw in ({"factor": 1.0}, {"mode": "sideways"}, {"threshold_mode": "pct"}, {"min_lr": [0.1, 0.2]})]
    bad.append(scenario(name, {}, steps=3, metrics=[1.0, 1.0], **BAD_OPT))
    return [
        Check("min_rel", 2, "mode='min', threshold_mode='rel' on noisy loss curves; ties with threshold 0",
              tuple(min_rel)),
        Check("max_abs", 2, "mode='max' and threshold_mode='abs'", tuple(max_abs)),
        Check("cooldown_min_lr", 2, "cooldown and per-group min_lr", tuple(cool)),
        Check("eps", 1, "reductions smaller than eps are skipped", tuple(eps)),
        Check("random", 2, "seeded random configurations and metric curves", tuple(rand)),
        Check("long", 1, f"{LONG} metric values", (rop({"patience": 20, "factor": 0.7, "min_lr": 1e-6}, n=LONG),)),
        Check("resume", 1, "resume from state_dict mid-run (best, counters and cooldown restored)", (
            rop({"patience": 3, "cooldown": 2}, n=80, resume_at=37),
            scenario(name, {"patience": 2}, metrics=[1.0, 0.5, 0.6, 0.6, 0.6, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7], steps=12,
                     resume_at=5),
        )),
        Check("bad_input", 1, "factor >= 1, unknown modes, min_lr length, non-optimizer raise like torch", tuple(bad)),
    ]


_BUILDERS = {
    "StepLR": _checks_step,
    "MultiStepLR": _checks_multistep,
    "ExponentialLR": _checks_exponential,
    "CosineAnnealingLR": _checks_cosine,
    "CosineAnnealingWarmRestarts": _checks_warm_restarts,
    "CyclicLR": _checks_cyclic,
    "OneCycleLR": _checks_one_cycle,
    "LinearLR": _checks_linear,
    "LambdaLR": _checks_lambda,
    "SequentialLR": _checks_sequential,
    "ChainedScheduler": _checks_chained,
    "ReduceLROnPlateau": _checks_plateau,
}


def _catalog_kwargs(record: catalog.Scheduler, values: dict[str, Any]) -> dict[str, Any]:
    """Catalog control values -> constructor kwargs a scenario can carry (a preset becomes a named callable)."""
    out = dict(values)
    for p in record.params:
        if p.kind == "preset" and p.name in out:
            out["lr_lambda"] = {"$preset": out.pop(p.name), "horizon": int(out.pop("horizon"))}
        elif p.kind == "milestones" and p.name in out:
            out[p.name] = catalog.parse_milestones(out[p.name])
        elif p.kind == "steps" and p.default is None and p.name in out and not out[p.name]:
            out[p.name] = None
    return out


def generic_checks(name: str) -> list[Check]:
    """Checks drawn from the catalog record alone, for a scheduler without hand-written scenarios: the
    defaults and every range boundary, seeded random configurations, a long run, a resume, the closed form
    (``step(epoch)``) where torch has one, and the record's bad inputs."""
    record = catalog.get(name)
    rng = np.random.default_rng(zlib.crc32(f"lrlab-grading/{name}".encode()))
    steps = 60
    base = _catalog_kwargs(record, record.defaults(steps))
    grid = [scenario(name, base, steps=steps)]

    def varied(param: str, value: Any) -> dict[str, Any]:  # the defaults with one control changed, as kwargs
        return _catalog_kwargs(record, {**record.defaults(steps), param: value})

    for p in record.params:
        if p.kind in ("float", "log", "int", "steps") and p.default is not None:
            for end in (p.low, p.high_for(steps)):
                value = int(end) if p.kind in ("int", "steps") else float(end)
                grid.append(scenario(name, varied(p.name, value), steps=steps))
        elif p.kind in ("choice", "bool", "preset"):
            for option in (p.options if p.kind != "bool" else (True, False)):
                grid.append(scenario(name, varied(p.name, option), steps=steps))
    rand = []
    for _ in range(6):
        groups = [float(np.exp(rng.uniform(np.log(1e-4), np.log(1.0)))) for _ in range(int(rng.integers(1, 4)))]
        kw = _catalog_kwargs(record, catalog.random_kwargs(name, rng, 300, len(groups)))
        rand.append(scenario(name, kw, groups=groups, opt=str(rng.choice(["sgd", "adam"])), steps=300,
                             track_momentum=record.cycles_momentum))
    long_kw = _catalog_kwargs(record, record.defaults(LONG))
    checks = [
        Check("grid", 2, "the defaults and every parameter at both ends of its range (3 param groups)", tuple(grid)),
        Check("random", 2, "seeded random configurations (1-3 groups, SGD and Adam)", tuple(rand)),
        Check("long", 1, f"{LONG} steps", (scenario(name, long_kw, steps=LONG),)),
        Check("resume", 1, "resume from state_dict mid-run", (scenario(name, base, steps=steps, resume_at=23),)),
    ]
    if record.closed_form:
        checks.append(closed_form_check(name, [base, _catalog_kwargs(record, record.defaults(20))]))
    bad = [scenario(name, {k: v for k, v in kw.items() if k != "$opt"}, steps=3,
                    **({"opt": kw["$opt"]} if "$opt" in kw else {})) for kw in record.bad_input]
    if bad:
        checks.append(Check("bad_input", 1, "arguments torch rejects raise torch's exception", tuple(bad)))
    return checks


def _scaled(checks: list[Check], points: int) -> tuple[Check, ...]:
    """Scale the checks' weights to integers summing to ``points`` (largest remainders; each check >= 1
    when there are enough points)."""
    weights = [c.points for c in checks]
    total = sum(weights)
    if total == points:
        return tuple(checks)
    raw = [w * points / total for w in weights]
    whole = [max(1, int(r)) if points >= len(checks) else int(r) for r in raw]
    floor = 1 if points >= len(checks) else 0
    while sum(whole) > points:  # the floor of 1 overshot: take from the most over-weighted check above it
        i = max((k for k in range(len(whole)) if whole[k] > floor), key=lambda k: (whole[k] - raw[k], whole[k]))
        whole[i] -= 1
    order = sorted(range(len(raw)), key=lambda k: raw[k] - whole[k], reverse=True)
    for i in order[: points - sum(whole)]:
        whole[i] += 1
    return tuple(Check(c.name, p, c.description, c.scenarios) for c, p in zip(checks, whole, strict=True))


@cache
def checks_for(name: str) -> tuple[Check, ...]:
    """The checks of scheduler ``name``; their points sum to ``SCHEDULER_POINTS[name]``."""
    if name in BONUS:
        return _scaled(_fit(bonus_checks(name), BONUS_POINTS[name]), BONUS_POINTS[name])
    record = catalog.get(name)
    builder = _BUILDERS.get(name)
    checks = list(builder() if builder else generic_checks(name))
    return _scaled(_with_shared_checks(record, checks), record.points)


def bonus_checks(name: str) -> list[Check]:
    """A bonus class: its defaults and a grid (3 groups), seeded random groups and optimizers, a long run,
    resumes (state_dict, and last_epoch=k), and the bad arguments of its docstring."""
    rng = _rng(name)
    base = bonus.DEFAULTS[name]
    grid = [scenario(name, base)] + [scenario(name, {**base, **kw}) for kw in bonus.GRID[name]]
    rand = [scenario(name, {**base, **rng.choice(bonus.GRID[name])}, groups=_random_groups(rng), steps=200,
                     opt=rng.choice(["sgd", "adam"])) for _ in range(4)]
    long_kw = {**base, **({"warmup_steps": 500, "stable_steps": 6000, "decay_steps": 3000}
                          if name == "WarmupStableDecayLR" else {"t_initial": 3000, "cycle_limit": 3}
                          if name == "CosineLR" else {"warmup_steps": 400})}
    bad = [scenario(name, {**base, **kw}, steps=3) for kw in bonus.BAD[name]]
    bad.append(scenario(name, base, steps=3, **BAD_OPT))
    return [
        Check("grid", 2, "the defaults and each option (3 param groups)", tuple(grid)),
        Check("random", 1, "seeded random configurations (1-3 groups, SGD and Adam)", tuple(rand)),
        Check("long", 1, f"{LONG} steps", (scenario(name, long_kw, steps=LONG),)),
        Check("resume", 1, "resume from state_dict mid-run" + RESUME_BY_LAST_EPOCH,
              (scenario(name, base, steps=40, resume_at=17), *last_epoch_scenarios(name, base))),
        Check("bad_input", 1, "wrong types raise TypeError, values out of range ValueError (the docstring's rules)",
              tuple(bad)),
    ]


#: Classes whose torch constructor with ``last_epoch=k`` needs more than ``initial_lr`` (OneCycleLR reads
#: ``max_lr``/``min_lr`` that only a fresh construction writes): no ``last_epoch`` scenarios.
NO_LAST_EPOCH = ("OneCycleLR",)
RESUME_BY_LAST_EPOCH = "; built with last_epoch=k to resume (from initial_lr; KeyError without it)"


#: Stand-ins for a child class in composite scenarios, in order of preference. Each composite scenario that
#: builds children also runs with stand-ins (``alternate_of``: the scenario it replaces); when one of the
#: learner's child classes fails its own checks, the composite is judged on an alternate whose children all
#: pass theirs, so a child's bug costs the child's points, not the composite's too.
STAND_INS: dict[str, tuple[dict[str, Any], ...]] = {
    "ExponentialLR": (child("StepLR", step_size=3, gamma=0.7), child("PolynomialLR", total_iters=30, power=1.5)),
    "StepLR": (child("ExponentialLR", gamma=0.9), child("MultiStepLR", milestones=[4, 9], gamma=0.5)),
    "MultiStepLR": (child("StepLR", step_size=4, gamma=0.5), child("ExponentialLR", gamma=0.93)),
    "LinearLR": (child("ConstantLR", factor=0.5, total_iters=4), child("PolynomialLR", total_iters=6, power=1.0)),
    "ConstantLR": (child("LinearLR", start_factor=0.5, total_iters=4), child("StepLR", step_size=4, gamma=0.5)),
    # SWALR's step is affine like cosine's with eta_min, so a chain that does not commute still does not
    "CosineAnnealingLR": (child("SWALR", swa_lr=0.01, anneal_epochs=6, anneal_strategy="cos"),
                          child("PolynomialLR", total_iters=12, power=2.0)),
    "PolynomialLR": (child("CosineAnnealingLR", T_max=12), child("ExponentialLR", gamma=0.9)),
}


def _stand_in(value: Any, k: int, avoid: set[str]) -> Any:
    """``value`` (scenario kwargs) with every child replaced by its ``k``-th stand-in not in ``avoid``."""
    if isinstance(value, dict):
        if "$sched" in value:
            sub = value["$sched"]
            options = [o for o in STAND_INS.get(sub["sched"], ()) if o["$sched"]["sched"] not in avoid]
            if not options:
                return value
            pick = options[min(k, len(options) - 1)]["$sched"]
            return {"$sched": {**pick, "other_opt": sub.get("other_opt", False)}}
        return {key: _stand_in(v, k, avoid) for key, v in value.items()}
    if isinstance(value, list):
        return [_stand_in(v, k, avoid) for v in value]
    return value


def _with_stand_ins(check: Check) -> Check:
    """``check`` plus, for each scenario that builds children, up to two alternates built with stand-ins."""
    if check.name == "bad_input":
        return check
    extra = []
    for j, sc in enumerate(check.scenarios):
        kids = child_classes(sc["kwargs"])
        if not kids:
            continue
        seen = [kids]
        for k in range(2):
            kwargs = _stand_in(sc["kwargs"], k, set(kids))
            alt_kids = child_classes(kwargs)
            if alt_kids != kids and alt_kids not in seen:
                seen.append(alt_kids)
                extra.append({**sc, "kwargs": kwargs, "alternate_of": j})
    return Check(check.name, check.points, check.description, check.scenarios + tuple(extra))


def child_classes(value: Any) -> list[str]:
    """Class names of the child schedulers a scenario's kwargs build (``{"$sched": ...}``), in order."""
    found: list[str] = []
    if isinstance(value, dict):
        if "$sched" in value:
            found.append(value["$sched"]["sched"])
        for v in value.values():
            found.extend(child_classes(v))
    elif isinstance(value, list):
        for v in value:
            found.extend(child_classes(v))
    return found


def _with_shared_checks(record: catalog.Scheduler, checks: list[Check]) -> list[Check]:
    """Add what every scheduler of a kind gets, unless its builder wrote it: a ``chainable`` check (before
    ``bad_input``) for the chainable closed-family classes, and ``last_epoch=k`` scenarios in the ``resume``
    check of the classes built on ``LRScheduler``. Then fit the checks to the points (:func:`_fit`)."""
    have = {c.name for c in checks}
    kwargs = _catalog_kwargs(record, record.defaults(40))
    if record.chainable and record.family == "closed" and "chainable" not in have:
        at = next((i for i, c in enumerate(checks) if c.name == "bad_input"), len(checks))
        checks = checks[:at] + [chainable_check(record.name, kwargs)] + checks[at:]
    if record.family == "closed" and record.name not in NO_LAST_EPOCH:
        # built with last_epoch=k, torch's recursive form starts from the group's current LR: part of being
        # chainable where the class is; a plain resume detail where it is not
        target = "chainable" if record.chainable else "resume"
        for i, c in enumerate(checks):
            if c.name != target:
                continue
            has = any(sc["kwargs"].get("last_epoch", -1) >= 0 for sc in c.scenarios)
            scenarios = c.scenarios if has else c.scenarios + last_epoch_scenarios(record.name, kwargs)
            checks[i] = Check(c.name, c.points, c.description + RESUME_BY_LAST_EPOCH, scenarios)
    if record.family == "composite":
        checks = [_with_stand_ins(c) for c in checks]
    return _fit(checks, record.points)


#: When a scheduler has more checks than points, these are folded into ``grid`` first, in this order.
FOLD_INTO_GRID = ("random", "long")


def _fit(checks: list[Check], points: int) -> list[Check]:
    """Fold ``random`` then ``long`` into ``grid`` until there are no more checks than points (every check
    must be worth at least one point to count)."""
    for name in FOLD_INTO_GRID:
        if len(checks) <= points:
            break
        names = [c.name for c in checks]
        if "grid" not in names or name not in names:
            continue
        g, k = names.index("grid"), names.index(name)
        grid, other = checks[g], checks[k]
        merged = Check("grid", grid.points + other.points, f"{grid.description}; {other.description}",
                       grid.scenarios + other.scenarios)
        checks = [merged if i == g else c for i, c in enumerate(checks) if i != k]
    if len(checks) > points:
        raise ValueError(f"{len(checks)} checks for {points} points: merge checks or give the scheduler more points")
    return checks


def children_of(name: str) -> set[str]:
    """Other graded classes a scheduler's scenarios build (SequentialLR/ChainedScheduler children, stand-ins)."""
    return {kid for check in checks_for(name) for sc in check.scenarios for kid in child_classes(sc["kwargs"])}
