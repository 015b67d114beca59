"""Mutation suite for the grader: realistic learner bugs planted one at a time in copies of the reference.

Each mutant is an exact textual patch (old -> new) of one file of a copy of ``solutions/schedulers``; the
script fails loudly (exit 2) if a snippet no longer matches exactly once. Each mutant carries a *witness*: a
short scenario run with torch's real class and with the mutated class; a mutant whose witness shows no
difference from torch is REJECTED (reported, not counted). Every counted mutant is then graded by the real
grader (``python -m lrlab.cli grade <dir> --only <Name> --json <file>``, a subprocess) and is KILLED when it
loses at least one point versus the unmutated reference graded in the same run.

    python scripts/mutation_test.py [--only ID ...] [--jobs N] [--subset] [--json FILE]

Output: one line per mutant (id, scheduler, description, witness, points, KILLED/SURVIVED, the failing
check), then exactly ``mutants: killed K/N``. Exit 1 if any counted mutant survives, 2 on a broken patch.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions" / "schedulers"
RTOL = 1e-9
ATOL = 1e-15
#: the graded classes (lrlab.catalog.SCHEDULERS); --subset holds at least one mutant of each, plus the base
SCHEDULERS_GRADED = ("StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
                     "CyclicLR", "OneCycleLR", "LinearLR", "LambdaLR", "SequentialLR", "ChainedScheduler",
                     "ReduceLROnPlateau", "ConstantLR", "PolynomialLR", "MultiplicativeLR", "SWALR")


# ----------------------------------------------------------------------------- witness helpers
def sgd(groups: tuple[float, ...] = (0.1, 0.02, 0.5), momentum: float = 0.9) -> Any:
    """An SGD optimizer with one 1-element parameter per group."""
    import torch

    return torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in groups],
                           lr=groups[0], momentum=momentum)


def adam(groups: tuple[float, ...] = (0.1, 0.02, 0.5), betas: tuple[float, float] = (0.9, 0.99)) -> Any:
    """An Adam optimizer with one 1-element parameter per group."""
    import torch

    return torch.optim.Adam([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in groups],
                            lr=groups[0], betas=betas)


def lrs(opt: Any) -> list[float]:
    """Every group's LR."""
    return [float(g["lr"]) for g in opt.param_groups]


def moms(opt: Any) -> list[float]:
    """Every group's momentum (SGD) or betas (Adam)."""
    return [list(g["betas"]) if "betas" in g else g["momentum"] for g in opt.param_groups]


def run(sched: Any, opt: Any, n: int, calls: list[Any] | None = None, mom: bool = False) -> list[Any]:
    """LRs (and momentums) after construction and after each of ``n`` steps; ``calls[i]`` is an epoch for
    ``step(epoch)`` or a metric (for ReduceLROnPlateau, pass ``metric=True`` via a tuple ("m", value))."""
    out: list[Any] = [lrs(opt) + (moms(opt) if mom else [])]
    for i in range(n):
        arg = None if calls is None else calls[i]
        if arg is None:
            sched.step()
        else:
            sched.step(arg)
        out.append(lrs(opt) + (moms(opt) if mom else []))
    return out


def attempt(fn: Callable[[], Any]) -> Any:
    """``fn()``, or the name of the exception it raised."""
    try:
        return fn()
    except Exception as exc:  # noqa: BLE001 - the exception type is the observation
        return f"raised {type(exc).__name__}"


def resume(make: Callable[[Any], Any], opt_fn: Callable[[], Any], before: int, after: int,
           calls: list[Any] | None = None) -> list[Any]:
    """torch's documented resume order: build, ``optimizer.load_state_dict``, ``scheduler.load_state_dict``."""
    import copy

    o = opt_fn()
    s = make(o)
    out = run(s, o, before, calls[:before] if calls else None)
    state, ostate = copy.deepcopy(s.state_dict()), copy.deepcopy(o.state_dict())
    o2 = opt_fn()
    s2 = make(o2)
    o2.load_state_dict(ostate)
    s2.load_state_dict(state)
    out.append(["after load", lrs(o2), [float(v) for v in s2.get_last_lr()]])
    out += run(s2, o2, after, calls[before:] if calls else None)
    return out


def with_initial_lr(opt: Any) -> Any:
    """Give every group ``initial_lr = lr`` (what a resumed optimizer carries)."""
    for g in opt.param_groups:
        g["initial_lr"] = g["lr"]
    return opt


def differs(a: Any, b: Any) -> bool:
    """Do two observations differ (numbers beyond rtol 1e-9, anything else by equality)?"""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) != len(b) or any(differs(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if math.isnan(a) or math.isnan(b):
            return not (math.isnan(a) and math.isnan(b))
        return abs(a - b) > ATOL + RTOL * abs(b)
    return a != b


def half_per_cycle(x: float) -> float:
    """CyclicLR scale_fn: 1/2^(x-1)."""
    return 1.0 / (2.0 ** (x - 1))


# ----------------------------------------------------------------------------- mutants
@dataclass(frozen=True)
class Mutant:
    """One planted bug: exact edits of one file, a witness ``S -> observation``, the schedulers to grade."""

    id: str
    scheduler: str
    file: str
    edits: tuple[tuple[str, str], ...]
    description: str
    witness: Callable[[Any], Any]
    grade: tuple[str, ...] = ()
    subset: bool = False
    tags: tuple[str, ...] = field(default=())

    @property
    def graded(self) -> tuple[str, ...]:
        return self.grade or (self.scheduler,)


M: list[Mutant] = []


def mutant(id: str, scheduler: str, file: str, edits: list[tuple[str, str]] | tuple[str, str], description: str,
           grade: tuple[str, ...] = (), subset: bool = False) -> Callable[[Callable[[Any], Any]], Any]:
    """Register a mutant; the decorated function is its witness."""
    if isinstance(edits, tuple):
        edits = [edits]

    def deco(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        M.append(Mutant(id, scheduler, file, tuple(edits), description, fn, grade, subset))
        return fn
    return deco


# --- base.py -----------------------------------------------------------------------------------------
@mutant("base-initial-lr-overwrite", "LRScheduler", "base.py",
        ('group.setdefault("initial_lr", group["lr"])', 'group["initial_lr"] = group["lr"]'),
        "overwrites initial_lr instead of setdefault: a second scheduler's base_lrs are the current LRs",
        grade=("StepLR",), subset=True)
def _w(S):
    o = sgd()
    a = S.StepLR(o, step_size=2, gamma=0.5)
    for _ in range(3):
        a.step()
    b = S.ExponentialLR(o, gamma=0.9)
    return [b.base_lrs, run(b, o, 2)]


@mutant("base-no-initial-lr", "LRScheduler", "base.py", [
    ('                group.setdefault("initial_lr", group["lr"])\n', "                pass\n"),
    ('self.base_lrs = [group["initial_lr"] for group', 'self.base_lrs = [group["lr"] for group')],
    "never writes initial_lr into the groups (base_lrs from the current lr)", grade=("StepLR",))
def _w(S):
    o = sgd()
    S.ExponentialLR(o, gamma=0.9)
    return [g.get("initial_lr") for g in o.param_groups]


@mutant("base-resume-no-keyerror", "LRScheduler", "base.py",
        ("        if last_epoch == -1:\n            for group in optimizer.param_groups:\n",
         "        if True:  # learner: always fill in initial_lr\n            for group in optimizer.param_groups:\n"),
        "last_epoch=k on groups without initial_lr: no KeyError (silently restarts from lr)",
        grade=("StepLR", "ExponentialLR"))
def _w(S):
    o = sgd()
    return attempt(lambda: run(S.StepLR(o, step_size=3, last_epoch=5), o, 3))


@mutant("base-initial-step-not-initial", "LRScheduler", "base.py",
        ("        self._step_count = 0\n        self._is_initial = True\n", "        self._step_count = 0\n"),
        "_initial_step does not set _is_initial: recursive forms decay at construction",
        grade=("ExponentialLR",))
def _w(S):
    o = sgd()
    return run(S.ExponentialLR(o, gamma=0.9), o, 3)


@mutant("base-epoch-ignores-closed-form", "LRScheduler", "base.py",
        ("            if hasattr(self, \"_get_closed_form_lr\"):\n                values = self._get_closed_form_lr()\n"
         "            else:\n                values = self.get_lr()\n", "            values = self.get_lr()\n"),
        "step(epoch) uses the recursive get_lr instead of _get_closed_form_lr", grade=("StepLR",))
def _w(S):
    o = sgd()
    return run(S.StepLR(o, step_size=3, gamma=0.5), o, 3, calls=[7, 2, None])


@mutant("base-last-lr-live", "LRScheduler", "base.py",
        ("        return self._last_lr\n", "        return [group[\"lr\"] for group in self.optimizer.param_groups]\n"),
        "get_last_lr reads the optimizer's current LRs instead of the LRs this scheduler last wrote",
        grade=("StepLR", "ExponentialLR"))
def _w(S):
    o = sgd()
    a = S.StepLR(o, step_size=3, gamma=0.5)
    b = S.ExponentialLR(o, gamma=0.9)
    a.step()
    b.step()
    return [a.get_last_lr(), b.get_last_lr()]


@mutant("base-state-no-last-epoch", "LRScheduler", "base.py",
        ('if key != "optimizer"}', 'if key not in ("optimizer", "last_epoch")}'),
        "state_dict omits last_epoch: a resumed run restarts its schedule", grade=("StepLR",))
def _w(S):
    return resume(lambda o: S.StepLR(o, step_size=3, gamma=0.5), sgd, 7, 5)


@mutant("base-load-known-keys", "LRScheduler", "base.py",
        ("        self.__dict__.update(state_dict)\n",
         "        for key in (\"base_lrs\", \"last_epoch\", \"_step_count\", \"_last_lr\"):\n"
         "            if key in state_dict:\n                setattr(self, key, state_dict[key])\n"),
        "load_state_dict restores only the base fields (T_cur/T_i, best, counters lost)",
        grade=("CosineAnnealingWarmRestarts", "ReduceLROnPlateau"))
def _w(S):
    return resume(lambda o: S.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2), sgd, 6, 8)


@mutant("base-load-public-only", "LRScheduler", "base.py",
        ("        self.__dict__.update(state_dict)\n",
         "        self.__dict__.update({k: v for k, v in state_dict.items() if not k.startswith(\"_\")})\n"),
        "load_state_dict skips private keys: get_last_lr() right after loading is the constructor's",
        grade=("StepLR", "ExponentialLR"))
def _w(S):
    return resume(lambda o: S.ExponentialLR(o, gamma=0.9), sgd, 5, 0)


@mutant("base-only-group-0", "LRScheduler", "base.py",
        ("        for group, lr in zip(groups, values, strict=True):\n            group[\"lr\"] = lr\n",
         "        groups[0][\"lr\"] = values[0]\n"),
        "_update_lr writes only param group 0", grade=("ExponentialLR",))
def _w(S):
    o = sgd()
    return attempt(lambda: run(S.ExponentialLR(o, gamma=0.9), o, 3))


# --- step.py -----------------------------------------------------------------------------------------
@mutant("steplr-closed-form-get-lr", "StepLR", "step.py",
        ("        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:\n"
         "            return [group[\"lr\"] for group in groups]\n"
         "        return [group[\"lr\"] * self.gamma for group in groups]\n",
         "        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]\n"),
        "get_lr in closed form: not chainable (stacked with ExponentialLR)")
def _w(S):
    o = sgd()
    a = S.StepLR(o, step_size=3, gamma=0.5)
    b = S.ExponentialLR(o, gamma=0.9)
    out = []
    for _ in range(8):
        a.step()
        b.step()
        out.append(lrs(o))
    return out


@mutant("steplr-off-by-one", "StepLR", "step.py",
        ("or self.last_epoch % self.step_size != 0:", "or (self.last_epoch + 1) % self.step_size != 0:"),
        "decays one step early ((t+1) % step_size)", subset=True)
def _w(S):
    o = sgd()
    return run(S.StepLR(o, step_size=3, gamma=0.5), o, 8)


@mutant("steplr-decays-at-0", "StepLR", "step.py",
        ("if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:",
         "if self.last_epoch % self.step_size != 0:"),
        "no t == 0 guard: decays at construction")
def _w(S):
    o = sgd()
    return run(S.StepLR(o, step_size=3, gamma=0.5), o, 4)


@mutant("steplr-closed-float-div", "StepLR", "step.py",
        ("self.gamma ** (self.last_epoch // self.step_size) for", "self.gamma ** (self.last_epoch / self.step_size) for"),
        "closed form uses t / step_size instead of t // step_size")
def _w(S):
    o = sgd()
    return run(S.StepLR(o, step_size=3, gamma=0.5), o, 2, calls=[7, 4])


@mutant("steplr-resume-is-initial", "StepLR", "step.py",
        ("if self.last_epoch == 0 or self.last_epoch", "if self._is_initial or self.last_epoch"),
        "tests _is_initial instead of t == 0: StepLR(last_epoch=k) at a decay boundary does not decay")
def _w(S):
    o = with_initial_lr(sgd())
    return run(S.StepLR(o, step_size=3, gamma=0.5, last_epoch=5), o, 4)


@mutant("multistep-set", "MultiStepLR", "step.py",
        ("self.milestones = Counter(milestones)", "self.milestones = Counter(set(milestones))"),
        "milestones stored as a set: a repeated milestone decays once", subset=True)
def _w(S):
    o = sgd()
    return run(S.MultiStepLR(o, milestones=[3, 3, 7], gamma=0.5), o, 9)


@mutant("multistep-closed-bisect-left", "MultiStepLR", "step.py", [
    ("from bisect import bisect_right", "from bisect import bisect_left, bisect_right"),
    ("base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)",
     "base_lr * self.gamma ** bisect_left(milestones, self.last_epoch)")],
    "closed form with bisect_left: step(m) exactly at a milestone does not decay yet")
def _w(S):
    o = sgd()
    return run(S.MultiStepLR(o, milestones=[8, 20], gamma=0.5), o, 3, calls=[8, 20, 5])


@mutant("multistep-closed-unsorted", "MultiStepLR", "step.py",
        ("milestones = sorted(self.milestones.elements())", "milestones = list(self.milestones.elements())"),
        "closed form bisects the milestones unsorted")
def _w(S):
    o = sgd()
    return run(S.MultiStepLR(o, milestones=[60, 8], gamma=0.3), o, 2, calls=[9, 30])


@mutant("multistep-count-ignored", "MultiStepLR", "step.py",
        ("factor = self.gamma ** self.milestones[self.last_epoch]", "factor = self.gamma"),
        "get_lr ignores the milestone's count (repeated milestone decays once)")
def _w(S):
    o = sgd()
    return run(S.MultiStepLR(o, milestones=[3, 3], gamma=0.5), o, 4)


@mutant("multistep-closed-form-get-lr", "MultiStepLR", "step.py",
        ("        if self.last_epoch not in self.milestones:\n", "        return self._get_closed_form_lr()\n"
         "        if self.last_epoch not in self.milestones:\n"),
        "get_lr in closed form: not chainable (stacked with ExponentialLR)")
def _w(S):
    o = sgd()
    a = S.MultiStepLR(o, milestones=[2, 5], gamma=0.5)
    b = S.ExponentialLR(o, gamma=0.9)
    out = []
    for _ in range(7):
        a.step()
        b.step()
        out.append(lrs(o))
    return out


# --- exponential.py ----------------------------------------------------------------------------------
@mutant("exp-last-epoch-zero", "ExponentialLR", "exponential.py",
        ("        if self._is_initial:\n", "        if self.last_epoch == 0:\n"),
        "tests last_epoch == 0 instead of _is_initial: ExponentialLR(last_epoch=k) decays at construction")
def _w(S):
    o = with_initial_lr(sgd())
    return run(S.ExponentialLR(o, gamma=0.9, last_epoch=4), o, 3)


@mutant("exp-closed-form-get-lr", "ExponentialLR", "exponential.py",
        ("        return [group[\"lr\"] * gamma for group in groups]\n",
         "        return [base_lr * gamma**self.last_epoch for base_lr in self.base_lrs]\n"),
        "get_lr in closed form: not chainable (LR edited mid-run)", subset=True)
def _w(S):
    o = sgd()
    s = S.ExponentialLR(o, gamma=0.9)
    s.step()
    for g in o.param_groups:
        g["lr"] *= 0.5
    return run(s, o, 3)


@mutant("exp-no-initial-guard", "ExponentialLR", "exponential.py",
        ("        if self._is_initial:\n            return [group[\"lr\"] for group in groups]\n", ""),
        "no _is_initial guard: decays at construction")
def _w(S):
    o = sgd()
    return run(S.ExponentialLR(o, gamma=0.9), o, 2)


@mutant("exp-closed-off-by-one", "ExponentialLR", "exponential.py",
        ("base_lr * self.gamma**self.last_epoch for", "base_lr * self.gamma ** (self.last_epoch + 1) for"),
        "closed form gamma^(t+1)")
def _w(S):
    o = sgd()
    return run(S.ExponentialLR(o, gamma=0.9), o, 2, calls=[5, 3])


# --- cosine.py: CosineAnnealingLR -------------------------------------------------------------------
@mutant("cos-closed-form-get-lr", "CosineAnnealingLR", "cosine.py",
        ("        groups = self.optimizer.param_groups\n        if self._is_initial:\n",
         "        return self._get_closed_form_lr()\n        groups = self.optimizer.param_groups\n"
         "        if self._is_initial:\n"),
        "get_lr in closed form: not chainable (stacked with ExponentialLR)", subset=True)
def _w(S):
    o = sgd()
    a = S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)
    b = S.ExponentialLR(o, gamma=0.9)
    out = []
    for _ in range(12):
        a.step()
        b.step()
        out.append(lrs(o))
    return out


@mutant("cos-first-trough-only", "CosineAnnealingLR", "cosine.py",
        ("if (t - 1 - T) % (2 * T) == 0:", "if t - 1 - T == 0:"),
        "trough branch only at the first trough (t = T+1): later troughs divide by zero")
def _w(S):
    o = sgd()
    return attempt(lambda: run(S.CosineAnnealingLR(o, T_max=3), o, 12))


@mutant("cos-trough-no-half", "CosineAnnealingLR", "cosine.py",
        ("group[\"lr\"] + (base_lr - eta_min) * rise / 2", "group[\"lr\"] + (base_lr - eta_min) * rise"),
        "trough branch adds (base-eta_min)(1-cos(pi/T)) without the /2")
def _w(S):
    o = sgd()
    return run(S.CosineAnnealingLR(o, T_max=3), o, 6)


@mutant("cos-ignores-eta-min", "CosineAnnealingLR", "cosine.py",
        ("return [ratio * (group[\"lr\"] - eta_min) + eta_min for group in groups]",
         "return [ratio * group[\"lr\"] for group in groups]"),
        "recursive form ignores eta_min")
def _w(S):
    o = sgd()
    return run(S.CosineAnnealingLR(o, T_max=5, eta_min=0.01), o, 5)


@mutant("cos-closed-tmax-plus-1", "CosineAnnealingLR", "cosine.py",
        ("cos_out = 1 + math.cos(math.pi * self.last_epoch / self.T_max)",
         "cos_out = 1 + math.cos(math.pi * self.last_epoch / (self.T_max + 1))"),
        "closed form with T_max + 1")
def _w(S):
    o = sgd()
    return run(S.CosineAnnealingLR(o, T_max=10), o, 2, calls=[3, 10])


@mutant("cos-last-epoch-zero", "CosineAnnealingLR", "cosine.py",
        ("        if self._is_initial:\n            return [group[\"lr\"] for group in groups]\n        t, T",
         "        if self.last_epoch == 0:\n            return [group[\"lr\"] for group in groups]\n        t, T"),
        "tests last_epoch == 0 instead of _is_initial: CosineAnnealingLR(last_epoch=k) anneals at construction")
def _w(S):
    o = with_initial_lr(sgd())
    return run(S.CosineAnnealingLR(o, T_max=20, last_epoch=6), o, 3)


# --- cosine.py: CosineAnnealingWarmRestarts ---------------------------------------------------------
CAWR = "CosineAnnealingWarmRestarts"


@mutant("cawr-ignores-epoch", CAWR, "cosine.py",
        ("        if epoch is None and self.last_epoch < 0:\n            epoch = 0\n",
         "        if self.last_epoch < 0:\n            epoch = 0\n        else:\n            epoch = None  # learner\n"),
        "step(epoch) ignores epoch (fractional epochs behave like step())", subset=True)
def _w(S):
    o = sgd()
    return run(S.CosineAnnealingWarmRestarts(o, T_0=4), o, 6, calls=[0.5, 1.0, 1.5, 2.25, 5.5, 9.0])


@mutant("cawr-restart-to-zero", CAWR, "cosine.py",
        ("                self.T_cur = self.T_cur % self.T_i\n", "                self.T_cur = 0\n"),
        "restarts with T_cur = 0 instead of T_cur -= T_i (differs after a fractional step(epoch))")
def _w(S):
    o = sgd()
    return run(S.CosineAnnealingWarmRestarts(o, T_0=4), o, 8, calls=[0.5] + [None] * 7)


@mutant("cawr-no-t-mult", CAWR, "cosine.py",
        ("                self.T_i = self.T_i * self.T_mult\n", ""),
        "T_i never grows by T_mult (step())")
def _w(S):
    o = sgd()
    return run(S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2), o, 8)


@mutant("cawr-epoch-keeps-t-i", CAWR, "cosine.py",
        ("                    self.T_i = self.T_0 * self.T_mult**n\n", ""),
        "step(epoch) with T_mult > 1 does not set T_i = T_0 * T_mult^n")
def _w(S):
    o = sgd()
    return run(S.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2), o, 2, calls=[7.5, 3.0])


@mutant("cawr-negative-epoch-accepted", CAWR, "cosine.py",
        ("            if epoch < 0:\n                raise ValueError(f\"Expected non-negative epoch, but got {epoch}\")\n", ""),
        "step(epoch) accepts a negative epoch (torch: ValueError)")
def _w(S):
    o = sgd()
    s = S.CosineAnnealingWarmRestarts(o, T_0=4)
    return attempt(lambda: run(s, o, 1, calls=[-1]))


@mutant("cawr-restart-gt", CAWR, "cosine.py",
        ("            if self.T_cur >= self.T_i:\n", "            if self.T_cur > self.T_i:\n"),
        "restarts one step late (T_cur > T_i)")
def _w(S):
    o = sgd()
    return run(S.CosineAnnealingWarmRestarts(o, T_0=3), o, 7)


@mutant("cawr-restart-subtract", CAWR, "cosine.py",
        ("                self.T_cur = self.T_cur % self.T_i\n", "                self.T_cur = self.T_cur - self.T_i\n"),
        "restarts with one subtraction instead of the modulo (built with last_epoch=k, k + 1 >= 2 T_0)")
def _w(S):
    o = sgd()
    for g in o.param_groups:
        g["initial_lr"] = g["lr"] * 3
    return run(S.CosineAnnealingWarmRestarts(o, T_0=3, last_epoch=11), o, 6)


@mutant("cawr-epoch-t-mult-1", CAWR, "cosine.py",
        ("                if self.T_mult == 1:\n", "                if False:  # learner: one formula for all T_mult\n"),
        "step(epoch >= T_0) with T_mult == 1 uses the log formula (log base 1: ZeroDivisionError)")
def _w(S):
    o = sgd()
    return attempt(lambda: run(S.CosineAnnealingWarmRestarts(o, T_0=3), o, 2, calls=[4.5, 7]))


# --- cyclic.py ---------------------------------------------------------------------------------------
@mutant("cyclic-no-base-lrs-assign", "CyclicLR", "cyclic.py",
        ("        super().__init__(optimizer, last_epoch)\n        self.base_lrs = base_lrs\n",
         "        super().__init__(optimizer, last_epoch)\n"),
        "no self.base_lrs = base_lrs after super().__init__: groups that already carry initial_lr cycle from it",
        subset=True)
def _w(S):
    o = sgd()
    S.StepLR(o, step_size=5)
    return run(S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=3), o, 6)


@mutant("cyclic-lr-not-set", "CyclicLR", "cyclic.py",
        ("            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):\n"
         "                group[\"lr\"] = lr\n", "            pass\n"),
        "the constructor does not set lr = base_lr")
def _w(S):
    o = sgd()
    return [run(S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=3), o, 3),
            [g["initial_lr"] for g in o.param_groups]]


@mutant("cyclic-momentum-direction", "CyclicLR", "cyclic.py",
        ("max_m - (max_m - base_m) * scale_factor * scale", "base_m + (max_m - base_m) * scale_factor * scale"),
        "momentum cycles with the LR instead of inversely")
def _w(S):
    o = sgd()
    return run(S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=3), o, 6, mom=True)


@mutant("cyclic-triangular2-scale", "CyclicLR", "cyclic.py",
        ("return 1 / (2.0 ** (x - 1))", "return 1 / (2.0**x)"),
        "triangular2 halves from the first cycle (1/2^x)")
def _w(S):
    o = sgd()
    return run(S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=2, mode="triangular2"), o, 8)


@mutant("cyclic-exp-range-cycle", "CyclicLR", "cyclic.py",
        ("scale_mode = \"iterations\" if mode == \"exp_range\" else \"cycle\"", "scale_mode = \"cycle\""),
        "exp_range scales by the cycle number instead of the iteration")
def _w(S):
    o = sgd()
    return run(S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=2, mode="exp_range", gamma=0.9), o, 8)


@mutant("cyclic-equivalent-lt", "CyclicLR", "cyclic.py",
        ("        if x <= self.step_ratio:\n", "        if x < self.step_ratio:\n"),
        "x < step_ratio instead of <= (EQUIVALENT: both branches give 1 at the peak; the witness must reject it)")
def _w(S):
    o = sgd()
    return run(S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=4, step_size_down=2), o, 20, mom=True)


@mutant("cyclic-step-ratio-down", "CyclicLR", "cyclic.py",
        ("self.step_ratio = up / self.total_size", "self.step_ratio = down / self.total_size"),
        "step_ratio from step_size_down (up and down swapped)")
def _w(S):
    o = sgd()
    return run(S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=4, step_size_down=2), o, 8)


@mutant("cyclic-beta2-hardcoded", "CyclicLR", "cyclic.py",
        ("group[\"betas\"] = (momentum, *group[\"betas\"][1:])", "group[\"betas\"] = (momentum, 0.999)"),
        "Adam: writes betas = (m, 0.999), losing the optimizer's beta2")
def _w(S):
    o = adam(betas=(0.9, 0.99))
    return run(S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=3), o, 3, mom=True)


@mutant("cyclic-load-loses-scale-fn", "CyclicLR", "cyclic.py",
        ("        state = dict(state_dict)\n        fn_state = state.pop(\"_scale_fn_custom\", None)\n"
         "        self.__dict__.update(state)\n", "        fn_state = None\n        self.__dict__.update(state_dict)\n"),
        "load_state_dict overwrites the custom scale_fn with the saved None")
def _w(S):
    return resume(lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=2, scale_fn=half_per_cycle),
                  sgd, 5, 8)


@mutant("cyclic-momentum-group-0", "CyclicLR", "cyclic.py",
        ("self.base_momentums = per_group(\"base_momentum\", optimizer, base_momentum)",
         "self.base_momentums = [per_group(\"base_momentum\", optimizer, base_momentum)[0]] * len(optimizer.param_groups)"),
        "per-group base_momentum: group 0's value used for every group")
def _w(S):
    o = sgd()
    return run(S.CyclicLR(o, base_lr=0.01, max_lr=0.2, step_size_up=3, base_momentum=[0.7, 0.8, 0.85]), o, 4,
               mom=True)


# --- one_cycle.py ------------------------------------------------------------------------------------
@mutant("onecycle-keeps-initial-lr", "OneCycleLR", "one_cycle.py",
        ("                group[\"initial_lr\"] = group_max_lr / div_factor\n",
         "                group.setdefault(\"initial_lr\", group_max_lr / div_factor)\n"),
        "keeps an initial_lr an earlier scheduler left in the group (setdefault)", subset=True)
def _w(S):
    o = sgd()
    S.StepLR(o, step_size=5)
    return run(S.OneCycleLR(o, max_lr=1.0, total_steps=10), o, 5)


@mutant("onecycle-end-step-n", "OneCycleLR", "one_cycle.py",
        ("{\"end_step\": n - 1, \"start_lr\": \"max_lr\", \"end_lr\": \"min_lr\",",
         "{\"end_step\": n, \"start_lr\": \"max_lr\", \"end_lr\": \"min_lr\","),
        "two-phase: the last phase ends at N instead of N - 1")
def _w(S):
    o = sgd()
    return run(S.OneCycleLR(o, max_lr=1.0, total_steps=10), o, 10)


@mutant("onecycle-step-limit-ge", "OneCycleLR", "one_cycle.py",
        ("if step_num > self.total_steps:", "if step_num >= self.total_steps:"),
        "raises already at the N-th step (torch allows N calls)")
def _w(S):
    o = sgd()
    s = S.OneCycleLR(o, max_lr=1.0, total_steps=5)
    return attempt(lambda: run(s, o, 5))


@mutant("onecycle-momentum-swapped", "OneCycleLR", "one_cycle.py",
        ("start, end = group[phase[\"start_momentum\"]], group[phase[\"end_momentum\"]]",
         "end, start = group[phase[\"start_momentum\"]], group[phase[\"end_momentum\"]]"),
        "momentum anneals in the wrong direction")
def _w(S):
    o = sgd()
    return run(S.OneCycleLR(o, max_lr=1.0, total_steps=10), o, 5, mom=True)


@mutant("onecycle-min-lr-from-max", "OneCycleLR", "one_cycle.py",
        ("group[\"min_lr\"] = group[\"initial_lr\"] / final_div_factor",
         "group[\"min_lr\"] = group_max_lr / final_div_factor"),
        "min_lr = max_lr / final_div_factor (should be initial_lr / final_div_factor)")
def _w(S):
    o = sgd()
    return run(S.OneCycleLR(o, max_lr=1.0, total_steps=10), o, 10)


@mutant("onecycle-linear-reversed", "OneCycleLR", "one_cycle.py",
        ("lrs.append(end + (start - end) / 2.0 * cos_out if cos else (end - start) * pct + start)",
         "lrs.append(end + (start - end) / 2.0 * cos_out if cos else (start - end) * pct + end)"),
        "linear annealing runs from end to start")
def _w(S):
    o = sgd()
    return run(S.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="linear"), o, 6)


@mutant("onecycle-three-phase-end", "OneCycleLR", "one_cycle.py",
        ("float(2 * pct_start * n) - 2", "float(2 * pct_start * n) - 1"),
        "three-phase: the second phase ends at 2*pct*N - 1 instead of - 2")
def _w(S):
    o = sgd()
    return run(S.OneCycleLR(o, max_lr=1.0, total_steps=20, three_phase=True), o, 20)


@mutant("onecycle-pct-start-int", "OneCycleLR", "one_cycle.py",
        ("if not isinstance(pct_start, float) or pct_start < 0 or pct_start > 1:",
         "if pct_start < 0 or pct_start > 1:"),
        "accepts an int pct_start (torch: ValueError for pct_start=1)")
def _w(S):
    o = sgd()
    return attempt(lambda: run(S.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1), o, 1))


@mutant("onecycle-max-lr-group-0", "OneCycleLR", "one_cycle.py",
        ("max_lrs = per_group(\"max_lr\", optimizer, max_lr)",
         "max_lrs = [per_group(\"max_lr\", optimizer, max_lr)[0]] * len(optimizer.param_groups)"),
        "per-group max_lr: group 0's value used for every group")
def _w(S):
    o = sgd()
    return run(S.OneCycleLR(o, max_lr=[1.0, 0.5, 0.1], total_steps=10), o, 3)


# --- linear.py ---------------------------------------------------------------------------------------
@mutant("linear-closed-form-get-lr", "LinearLR", "linear.py",
        ("        t = self.last_epoch\n        if t == 0:\n            return [group[\"lr\"] * self.start_factor",
         "        return self._get_closed_form_lr()\n        t = self.last_epoch\n        if t == 0:\n"
         "            return [group[\"lr\"] * self.start_factor"),
        "get_lr in closed form: not chainable (stacked with ExponentialLR)", subset=True)
def _w(S):
    o = sgd()
    a = S.LinearLR(o, start_factor=0.25, total_iters=4)
    b = S.ExponentialLR(o, gamma=0.9)
    out = []
    for _ in range(6):
        a.step()
        b.step()
        out.append(lrs(o))
    return out


@mutant("linear-initial-before-t0", "LinearLR", "linear.py",
        ("        if t == 0:\n            return [group[\"lr\"] * self.start_factor for group in groups]\n"
         "        if self._is_initial or t > self.total_iters:\n            return [group[\"lr\"] for group in groups]\n",
         "        if self._is_initial or t > self.total_iters:\n            return [group[\"lr\"] for group in groups]\n"
         "        if t == 0:\n            return [group[\"lr\"] * self.start_factor for group in groups]\n"),
        "tests _is_initial before t == 0: the start factor is never applied")
def _w(S):
    o = sgd()
    return run(S.LinearLR(o, start_factor=0.25, total_iters=4), o, 5)


@mutant("linear-ends-early", "LinearLR", "linear.py",
        ("if self._is_initial or t > self.total_iters:", "if self._is_initial or t >= self.total_iters:"),
        "stops one step early (t >= total_iters)")
def _w(S):
    o = sgd()
    return run(S.LinearLR(o, start_factor=0.25, total_iters=4), o, 5)


@mutant("linear-ratio-off-by-one", "LinearLR", "linear.py",
        ("(t - 1) * delta)", "t * delta)"), "ratio denominator uses t instead of t - 1")
def _w(S):
    o = sgd()
    return run(S.LinearLR(o, start_factor=0.25, total_iters=4), o, 5)


@mutant("linear-resume-start-factor", "LinearLR", "linear.py",
        ("        if t == 0:\n            return [group[\"lr\"] * self.start_factor",
         "        if t == 0 or self._is_initial:\n            return [group[\"lr\"] * self.start_factor"),
        "LinearLR(last_epoch=k) multiplies by start_factor again at construction")
def _w(S):
    o = with_initial_lr(sgd())
    return run(S.LinearLR(o, start_factor=0.25, total_iters=8, last_epoch=2), o, 3)


# --- lambda_lr.py ------------------------------------------------------------------------------------
def _inv_sqrt(e: int) -> float:
    return 1.0 / math.sqrt(max(1, e))


def _warm(e: int) -> float:
    return min(1.0, (e + 1) / 4)


@mutant("lambda-first-fn-only", "LambdaLR", "lambda_lr.py",
        ("return [base_lr * fn(t) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]",
         "return [base_lr * self.lr_lambdas[0](t) for base_lr in self.base_lrs]"),
        "one lambda per group: only the first is used", subset=True)
def _w(S):
    o = sgd()
    return run(S.LambdaLR(o, [_inv_sqrt, _warm, _inv_sqrt]), o, 5)


@mutant("lambda-t-plus-1", "LambdaLR", "lambda_lr.py",
        ("base_lr * fn(t) for", "base_lr * fn(t + 1) for"), "calls lr_lambda(t + 1)")
def _w(S):
    o = sgd()
    return run(S.LambdaLR(o, _warm), o, 5)


@mutant("lambda-chained", "LambdaLR", "lambda_lr.py",
        ("base_lr * fn(t) for fn, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)",
         "group[\"lr\"] * fn(t) for fn, group in zip(self.lr_lambdas, self.optimizer.param_groups, strict=True)"),
        "multiplies the current LR instead of base_lr")
def _w(S):
    o = sgd()
    return run(S.LambdaLR(o, _warm), o, 5)


@mutant("lambda-state-keeps-functions", "LambdaLR", "lambda_lr.py", [
    ("        state = {key: value for key, value in self.__dict__.items() if key not in (\"optimizer\", \"lr_lambdas\")}\n"
     "        state[\"lr_lambdas\"] = [\n"
     "            None if isinstance(fn, types.FunctionType) else fn.__dict__.copy() for fn in self.lr_lambdas\n"
     "        ]\n        return state\n",
     "        return {key: value for key, value in self.__dict__.items() if key != \"optimizer\"}\n"),
    ("            if fn_state is not None:\n", "            if isinstance(fn_state, dict):\n")],
    "state_dict keeps the lambdas themselves (not picklable; torch stores None)")
def _w(S):
    o = sgd()
    s = S.LambdaLR(o, lambda e: 0.9**e)
    return attempt(lambda: len(pickle.dumps(s.state_dict())) > 0)


@mutant("lambda-load-overwrites-fns", "LambdaLR", "lambda_lr.py",
        ("        state = dict(state_dict)\n        saved = state.pop(\"lr_lambdas\", None) or []\n"
         "        self.__dict__.update(state)\n", "        saved = []\n        self.__dict__.update(state_dict)\n"),
        "load_state_dict overwrites lr_lambdas with the saved [None, ...]")
def _w(S):
    return attempt(lambda: resume(lambda o: S.LambdaLR(o, _warm), sgd, 3, 3))


# --- composite.py: SequentialLR ----------------------------------------------------------------------
@mutant("seq-no-reset-undo-reinit", "SequentialLR", "composite.py",
        ("        for group in optimizer.param_groups:\n            group[\"lr\"] = group[\"initial_lr\"]\n"
         "        self.recursive_undo()\n        idx = bisect_right(self._milestones, 0)\n"
         "        self._schedulers[idx]._initial_step()\n        self._last_lr = self._schedulers[idx].get_last_lr()\n",
         "        self._last_lr = [group[\"lr\"] for group in optimizer.param_groups]\n"),
        "no reset to initial_lr, no undo, no re-initial step: a later child's constructor step stays",
        subset=True)
def _w(S):
    o = sgd()
    a = S.ExponentialLR(o, gamma=0.9)
    b = S.LinearLR(o, start_factor=0.5, total_iters=4)
    return run(S.SequentialLR(o, [a, b], milestones=[3]), o, 6)


@mutant("seq-no-reset", "SequentialLR", "composite.py",
        ("        for group in optimizer.param_groups:\n            group[\"lr\"] = group[\"initial_lr\"]\n"
         "        self.recursive_undo()\n", "        self.recursive_undo()\n"),
        "does not reset the LRs to initial_lr before re-taking the first child's initial step")
def _w(S):
    o = sgd()
    a = S.LinearLR(o, start_factor=0.5, total_iters=4)
    b = S.ExponentialLR(o, gamma=0.9)
    return run(S.SequentialLR(o, [a, b], milestones=[3]), o, 6)


@mutant("seq-no-undo", "SequentialLR", "composite.py",
        ("        self.recursive_undo()\n        idx", "        idx"),
        "does not undo the children's constructor steps (first child one step ahead)")
def _w(S):
    o = sgd()
    a = S.LinearLR(o, start_factor=0.5, total_iters=4)
    b = S.ExponentialLR(o, gamma=0.9)
    return run(S.SequentialLR(o, [a, b], milestones=[3]), o, 6)


@mutant("seq-milestone-steps-child", "SequentialLR", "composite.py",
        ("            scheduler._update_lr(0)\n", "            scheduler.step()\n"),
        "at a milestone the next child takes a normal step() instead of jumping to its step 0")
def _w(S):
    o = sgd()
    a = S.LinearLR(o, start_factor=0.5, total_iters=4)
    b = S.CosineAnnealingLR(o, T_max=10)
    return attempt(lambda: run(S.SequentialLR(o, [a, b], milestones=[3]), o, 6))


@mutant("seq-bisect-left", "SequentialLR", "composite.py", [
    ("from bisect import bisect_right", "from bisect import bisect_left, bisect_right"),
    ("idx = bisect_right(self._milestones, self.last_epoch)", "idx = bisect_left(self._milestones, self.last_epoch)")],
    "switches child one step late (bisect_left)")
def _w(S):
    o = sgd()
    a = S.LinearLR(o, start_factor=0.5, total_iters=4)
    b = S.ExponentialLR(o, gamma=0.9)
    return run(S.SequentialLR(o, [a, b], milestones=[3]), o, 6)


@mutant("seq-load-skips-children", "SequentialLR", "composite.py",
        ("keep ``self._schedulers`` (the objects).\n        \"\"\"\n        ### BEGIN SOLUTION\n"
         "        state = dict(state_dict)\n        children = state.pop(\"_schedulers\")\n        self.__dict__.update(state)\n"
         "        for scheduler, child_state in zip(self._schedulers, children, strict=True):\n"
         "            scheduler.load_state_dict(child_state)\n",
         "keep ``self._schedulers`` (the objects).\n        \"\"\"\n        ### BEGIN SOLUTION\n"
         "        state = dict(state_dict)\n        state.pop(\"_schedulers\")\n        self.__dict__.update(state)\n"),
        "load_state_dict does not restore the children")
def _w(S):
    def make(o):
        return S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, total_iters=4), S.CosineAnnealingLR(o, T_max=10)],
                              milestones=[5])
    return resume(make, sgd, 7, 4)  # a chainable ExponentialLR child would hide it: its state is the group LR


@mutant("seq-milestone-0-first-child", "SequentialLR", "composite.py",
        ("        idx = bisect_right(self._milestones, 0)\n", "        idx = 0\n"),
        "with a milestone at 0 the first child takes the initial step (torch: bisect_right(milestones, 0))")
def _w(S):
    o = sgd()
    a = S.LinearLR(o, start_factor=0.5, total_iters=4)
    b = S.ExponentialLR(o, gamma=0.9)
    return run(S.SequentialLR(o, [a, b], milestones=[0]), o, 4)


# --- composite.py: ChainedScheduler ------------------------------------------------------------------
@mutant("chained-reverse-order", "ChainedScheduler", "composite.py",
        ("        for scheduler in self._schedulers:\n            scheduler.step()\n",
         "        for scheduler in reversed(self._schedulers):\n            scheduler.step()\n"),
        "steps the children in reverse order (matters for non-commuting children)", subset=True)
def _w(S):
    o = sgd()
    chain = S.ChainedScheduler([S.ExponentialLR(o, gamma=0.9), S.CosineAnnealingLR(o, T_max=6, eta_min=0.01)])
    return run(chain, o, 10)


@mutant("chained-no-validation", "ChainedScheduler", "composite.py",
        ("        check_schedulers(type(self).__name__, optimizer, schedulers)\n        self._schedulers = schedulers\n",
         "        self._schedulers = schedulers\n"),
        "no check that the children share the optimizer")
def _w(S):
    o, o2 = sgd(), sgd()
    return attempt(lambda: S.ChainedScheduler([S.ExponentialLR(o, gamma=0.9), S.StepLR(o2, step_size=2)]) and "ok")


@mutant("chained-load-skips-children", "ChainedScheduler", "composite.py",
        ("Hint: same as ``SequentialLR.load_state_dict``.\n        \"\"\"\n        ### BEGIN SOLUTION\n"
         "        state = dict(state_dict)\n        children = state.pop(\"_schedulers\")\n        self.__dict__.update(state)\n"
         "        for scheduler, child_state in zip(self._schedulers, children, strict=True):\n"
         "            scheduler.load_state_dict(child_state)\n",
         "Hint: same as ``SequentialLR.load_state_dict``.\n        \"\"\"\n        ### BEGIN SOLUTION\n"
         "        state = dict(state_dict)\n        state.pop(\"_schedulers\")\n        self.__dict__.update(state)\n"),
        "load_state_dict does not restore the children")
def _w(S):
    def make(o):
        return S.ChainedScheduler([S.ExponentialLR(o, gamma=0.9), S.StepLR(o, step_size=3, gamma=0.5)])
    return resume(make, sgd, 7, 4)


# --- plateau.py --------------------------------------------------------------------------------------
RLROP = "ReduceLROnPlateau"
FLAT = [1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]


@mutant("plateau-patience-ge", RLROP, "plateau.py",
        ("if self.num_bad_epochs > self.patience:", "if self.num_bad_epochs >= self.patience:"),
        "reduces after patience bad epochs instead of more than patience", subset=True)
def _w(S):
    o = sgd()
    return run(S.ReduceLROnPlateau(o, patience=2), o, len(FLAT), calls=FLAT)


@mutant("plateau-cooldown-keeps-bad", RLROP, "plateau.py",
        ("            self.cooldown_counter -= 1\n            self.num_bad_epochs = 0\n",
         "            self.cooldown_counter -= 1\n"),
        "bad epochs keep counting during cooldown")
def _w(S):
    o = sgd()
    return run(S.ReduceLROnPlateau(o, patience=1, cooldown=3), o, len(FLAT), calls=FLAT)


@mutant("plateau-cooldown-plus-1", RLROP, "plateau.py",
        ("            self.cooldown_counter = self.cooldown\n", "            self.cooldown_counter = self.cooldown + 1\n"),
        "cooldown one step too long")
def _w(S):
    o = sgd()
    return run(S.ReduceLROnPlateau(o, patience=1, cooldown=2), o, len(FLAT), calls=FLAT)


@mutant("plateau-rel-as-abs", RLROP, "plateau.py",
        ("return a < best * (1.0 - self.threshold)", "return a < best - self.threshold"),
        "mode='min', threshold_mode='rel' compares as 'abs'")
def _w(S):
    o = sgd()
    vals = [10.0, 9.9995, 9.999, 9.9985, 9.998, 9.9975, 9.997]
    return run(S.ReduceLROnPlateau(o, patience=1, threshold=1e-3), o, len(vals), calls=vals)


@mutant("plateau-max-abs-sign", RLROP, "plateau.py",
        ("return a > best + self.threshold", "return a > best - self.threshold"),
        "mode='max', threshold_mode='abs' subtracts the threshold")
def _w(S):
    o = sgd()
    vals = [0.5, 0.5, 0.5, 0.5, 0.5]
    return run(S.ReduceLROnPlateau(o, mode="max", patience=1, threshold_mode="abs", threshold=0.01), o,
               len(vals), calls=vals)


@mutant("plateau-no-eps", RLROP, "plateau.py",
        ("                if old_lr - new_lr > self.eps:\n                    group[\"lr\"] = new_lr\n",
         "                group[\"lr\"] = new_lr\n"),
        "reductions smaller than eps are not skipped")
def _w(S):
    o = sgd(groups=(0.01, 0.002))
    return run(S.ReduceLROnPlateau(o, patience=0, factor=0.5, eps=1e-3), o, 4, calls=[1.0, 1.0, 1.0, 1.0])


@mutant("plateau-min-lr-ignored", RLROP, "plateau.py",
        ("new_lr = max(old_lr * self.factor, min_lr)", "new_lr = old_lr * self.factor"), "min_lr ignored")
def _w(S):
    o = sgd()
    return run(S.ReduceLROnPlateau(o, patience=0, min_lr=0.01), o, 4, calls=[1.0, 1.0, 1.0, 1.0])


@mutant("plateau-improve-keeps-bad", RLROP, "plateau.py",
        ("            self.best = current\n            self.num_bad_epochs = 0\n", "            self.best = current\n"),
        "an improvement does not reset the bad-epoch counter")
def _w(S):
    o = sgd()
    vals = [1.0, 1.0, 1.0, 0.5, 0.5, 0.4]
    return run(S.ReduceLROnPlateau(o, patience=2), o, len(vals), calls=vals)


@mutant("plateau-threshold-0-ties", RLROP, "plateau.py",
        ("return a < best * (1.0 - self.threshold)", "return a <= best * (1.0 - self.threshold)"),
        "a tie counts as an improvement (visible with threshold=0 and a flat metric)")
def _w(S):
    o = sgd()
    vals = [1.0] * 6
    return run(S.ReduceLROnPlateau(o, patience=1, threshold=0.0), o, len(vals), calls=vals)


@mutant("plateau-state-no-best", RLROP, "plateau.py",
        ("    _is_better = is_better  # torch's name for it\n",
         "    _is_better = is_better  # torch's name for it\n\n"
         "    def state_dict(self):  # learner: best is recomputed, no need to save it\n"
         "        return {k: v for k, v in self.__dict__.items() if k not in (\"optimizer\", \"best\")}\n"),
        "state_dict omits best")
def _w(S):
    return resume(lambda o: S.ReduceLROnPlateau(o, patience=2), sgd, 5, 6, calls=[1.0, 0.5, 0.6, 0.6, 0.6, 0.7,
                                                                                   0.7, 0.7, 0.7, 0.7, 0.7])


@mutant("plateau-max-mode-worse", RLROP, "plateau.py",
        ("self.mode_worse = math.inf if mode == \"min\" else -math.inf", "self.mode_worse = math.inf"),
        "mode='max' starts from best = +inf (never improves)")
def _w(S):
    o = sgd()
    vals = [0.1, 0.2, 0.3, 0.4]
    return run(S.ReduceLROnPlateau(o, mode="max", patience=1), o, len(vals), calls=vals)


@mutant("constant-restore-at-total-plus-1", "ConstantLR", "linear.py",
        ("        if t != self.total_iters:\n            return [group[\"lr\"] for group in groups]",
         "        if t != self.total_iters + 1:\n            return [group[\"lr\"] for group in groups]"),
        "restores the LR one step late (t == total_iters + 1)", subset=True)
def _w(S):
    o = sgd()
    return run(S.ConstantLR(o, factor=0.5, total_iters=3), o, 6)


@mutant("constant-closed-form-gt", "ConstantLR", "linear.py",
        ("reached = self.last_epoch >= self.total_iters", "reached = self.last_epoch > self.total_iters"),
        "closed form: the factor still applies at t == total_iters")
def _w(S):
    o = sgd()
    return run(S.ConstantLR(o, factor=0.5, total_iters=3), o, 2, calls=[3, 3])


@mutant("constant-accepts-factor-above-1", "ConstantLR", "linear.py",
        ("if factor > 1.0 or factor < 0:", "if factor < 0:"), "accepts factor > 1 (torch: ValueError)")
def _w(S):
    o = sgd()
    return run(S.ConstantLR(o, factor=1.5, total_iters=3), o, 2)


@mutant("poly-closed-form-get-lr", "PolynomialLR", "polynomial.py",
        ("        decay = ((1.0 - t / self.total_iters) / (1.0 - (t - 1) / self.total_iters)) ** self.power\n"
         "        return [group[\"lr\"] * decay for group in groups]",
         "        return [b * (1.0 - t / self.total_iters) ** self.power for b in self.base_lrs]"),
        "get_lr in closed form: not chainable", subset=True)
def _w(S):
    o = sgd()
    s1 = S.PolynomialLR(o, total_iters=10, power=2.0)
    s2 = S.ExponentialLR(o, gamma=0.9)
    out = []
    for _ in range(4):
        s1.step()
        s2.step()
        out.append(lrs(o))
    return out


@mutant("poly-keeps-decaying", "PolynomialLR", "polynomial.py",
        ("if self._is_initial or t > self.total_iters:", "if self._is_initial:"),
        "keeps applying the ratio past total_iters (division by a negative base)")
def _w(S):
    o = sgd()
    return run(S.PolynomialLR(o, total_iters=3, power=1.5), o, 6)


@mutant("mult-uses-t-plus-1", "MultiplicativeLR", "lambda_lr.py",
        ("return [group[\"lr\"] * fn(t) for fn, group in zip(self.lr_lambdas, groups, strict=True)]",
         "return [group[\"lr\"] * fn(t + 1) for fn, group in zip(self.lr_lambdas, groups, strict=True)]"),
        "calls lr_lambda(t + 1)", subset=True)
def _w(S):
    o = sgd()
    return run(S.MultiplicativeLR(o, lambda e: 0.9 if e < 3 else 1.0), o, 5)


@mutant("mult-not-initial", "MultiplicativeLR", "lambda_lr.py",
        ("        groups = self.optimizer.param_groups\n        if self._is_initial:\n"
         "            return [group[\"lr\"] for group in groups]\n        t = self.last_epoch\n",
         "        groups = self.optimizer.param_groups\n        t = self.last_epoch\n"),
        "applies lr_lambda(0) in the constructor's step")
def _w(S):
    o = sgd()
    return run(S.MultiplicativeLR(o, lambda e: 0.5), o, 2)


@mutant("swa-get-initial-alpha-1", "SWALR", "swa.py",
        ("        if alpha == 1:\n            return swa_lr\n", ""),
        "no alpha == 1 case when undoing a step (division by zero after annealing)", subset=True)
def _w(S):
    o = sgd()
    return run(S.SWALR(o, swa_lr=0.05, anneal_epochs=3), o, 6)


@mutant("swa-step-from-last-epoch", "SWALR", "swa.py",
        ("        step = self._step_count - 1\n", "        step = self.last_epoch\n"),
        "counts annealing steps from last_epoch (torch: _step_count - 1; they differ once resumed by last_epoch)")
def _w(S):
    o = sgd()
    for g in o.param_groups:
        g["initial_lr"] = g["lr"]
    return run(S.SWALR(o, swa_lr=0.05, anneal_epochs=4, last_epoch=2), o, 5)


@mutant("plateau-group-0", RLROP, "plateau.py",
        ("for group, min_lr in zip(groups, self.min_lrs, strict=True):",
         "for group, min_lr in zip(groups[:1], self.min_lrs[:1], strict=True):"),
        "reduces only param group 0")
def _w(S):
    o = sgd()
    return run(S.ReduceLROnPlateau(o, patience=0), o, 3, calls=[1.0, 1.0, 1.0])


# ----------------------------------------------------------------------------- machinery
class PatchError(Exception):
    """A mutant's snippet does not match the reference exactly once."""


def build(m: Mutant, dest: Path) -> Path:
    """Copy the reference package to ``dest/schedulers`` and apply the mutant's edits (exactly once each)."""
    pkg = dest / "schedulers"
    shutil.copytree(SOLUTIONS, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    path = pkg / m.file
    text = path.read_text(encoding="utf-8")
    # Edits apply inside the mutated scheduler's class when the file defines it (a module may hold several
    # classes with similar code, e.g. LambdaLR and MultiplicativeLR), else anywhere in the file.
    start = text.find(f"\nclass {m.scheduler}(")
    end = text.find("\nclass ", start + 1) if start >= 0 else -1
    lo, hi = (start, len(text) if end < 0 else end) if start >= 0 else (0, len(text))
    for old, new in m.edits:
        block = text[lo:hi]
        if block.count(old) == 0:  # module-level code (imports, helpers): the whole file
            lo, hi, block = 0, len(text), text
        count = block.count(old)
        if count != 1:
            raise PatchError(f"mutant {m.id}: snippet found {count} times in {m.file} (expected once):\n{old}")
        text = text[:lo] + block.replace(old, new) + text[hi:]
        hi += len(new) - len(old)
    path.write_text(text, encoding="utf-8")
    return pkg


def load(pkg: Path, name: str) -> Any:
    """Import the package at ``pkg`` under the unique module name ``name``."""
    spec = importlib.util.spec_from_file_location(name, pkg / "__init__.py", submodule_search_locations=[str(pkg)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def observe(witness: Callable[[Any], Any], S: Any) -> Any:
    """The witness's observation with the classes of ``S`` (an exception becomes its type's name)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return attempt(lambda: witness(S))


def grade(pkg_parent: Path, names: tuple[str, ...], workdir: Path, tag: str, timeout: float = 600) -> dict[str, Any]:
    """Grade with the real CLI in a subprocess; return ``{name: result dict}`` from its JSON report."""
    out = workdir / f"{tag}.json"
    cmd = [sys.executable, "-m", "lrlab.cli", "grade", str(pkg_parent), "--only", *names, "--json", str(out)]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"grading {tag} failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return json.loads(out.read_text(encoding="utf-8"))["results"]


def first_failure(results: dict[str, Any], names: tuple[str, ...]) -> str:
    """``Scheduler.check: reason`` of the first failing check (or the scheduler-wide reason)."""
    for name in names:
        r = results.get(name, {})
        if r.get("reason"):
            return f"{name}: {r['reason']}"
        for c in r.get("checks", []):
            if not c.get("passed"):
                where = f" at step {c['step']}" if c.get("step") is not None else ""
                return f"{name}.{c['name']}: {c.get('reason', '')}{where}"
    return "-"


def select(args: argparse.Namespace) -> list[Mutant]:
    """The mutants the options ask for."""
    chosen = M
    if args.only:
        unknown = sorted(set(args.only) - {m.id for m in M})
        if unknown:
            raise SystemExit(f"mutation_test: unknown mutant id(s): {', '.join(unknown)}")
        chosen = [m for m in M if m.id in args.only]
    if args.subset:
        chosen = [m for m in chosen if m.subset]
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Run the suite; print one line per mutant and ``mutants: killed K/N``."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", nargs="+", metavar="ID", help="run only these mutant ids")
    p.add_argument("--jobs", type=int, default=2, help="parallel gradings (default 2)")
    p.add_argument("--subset", action="store_true", help="the fast CI subset (at least one mutant per scheduler)")
    p.add_argument("--json", metavar="FILE", help="write the results as JSON")
    p.add_argument("--list", action="store_true", help="list the mutant ids and exit")
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("--jobs must be >= 1")
    if args.list:
        for m in M:
            print(f"{m.id}\t{m.scheduler}\t{'subset' if m.subset else ''}")
        return 0
    chosen = select(args)
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT / "src"))
    import torch.optim.lr_scheduler as torch_sched

    work = Path(tempfile.mkdtemp(prefix="lrlab-mutants-"))
    try:
        try:
            pkgs = {m.id: build(m, work / m.id.replace("-", "_")) for m in chosen}
        except PatchError as exc:
            print(f"mutation_test: {exc}", file=sys.stderr)
            return 2
        witness: dict[str, tuple[bool, str]] = {}
        for i, m in enumerate(chosen):
            module = load(pkgs[m.id], f"lrlab_mutant_{i}")
            theirs, ours = observe(m.witness, torch_sched), observe(m.witness, module)
            ok = differs(ours, theirs)
            witness[m.id] = (ok, "" if ok else f"same as torch: {str(theirs)[:80]}")
        counted = [m for m in chosen if witness[m.id][0]]
        ref_dir = work / "reference"
        shutil.copytree(SOLUTIONS, ref_dir / "schedulers", ignore=shutil.ignore_patterns("__pycache__"))
        names = tuple(sorted({n for m in counted for n in m.graded}))
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            ref_future = pool.submit(grade, ref_dir, names, work, "reference") if names else None
            futures = {m.id: pool.submit(grade, pkgs[m.id].parent, m.graded, work, m.id) for m in counted}
            reference = ref_future.result() if ref_future else {}
            graded = {mid: f.result() for mid, f in futures.items()}
        rows = []
        for m in chosen:
            ok, note = witness[m.id]
            row: dict[str, Any] = {"id": m.id, "scheduler": m.scheduler, "description": m.description,
                                   "witness": ok, "graded": list(m.graded)}
            if not ok:
                row.update(status="REJECTED", note=note)
            else:
                res = graded[m.id]
                got = sum(res[n]["points"] for n in m.graded)
                ref = sum(reference[n]["points"] for n in m.graded)
                row.update(points=got, reference_points=ref, max_points=sum(res[n]["max_points"] for n in m.graded),
                           status="KILLED" if got < ref else "SURVIVED", failing=first_failure(res, m.graded))
            rows.append(row)
        for r in rows:
            if r["status"] == "REJECTED":
                print(f"{r['id']:<32} {r['scheduler']:<28} witness=SAME      REJECTED  {r['description']} ({r['note']})")
            else:
                pts = f"{r['points']}/{r['reference_points']}"
                print(f"{r['id']:<32} {r['scheduler']:<28} witness=ok {pts:>7} {r['status']:<8}  {r['description']}"
                      f"  [{r['failing']}]")
        killed = sum(r["status"] == "KILLED" for r in rows)
        n_counted = sum(r["status"] != "REJECTED" for r in rows)
        rejected = len(rows) - n_counted
        print(f"# {len(rows)} mutants, {rejected} rejected (witness equal to torch), graded {', '.join(names)}; "
              f"{time.perf_counter() - started:.1f} s with --jobs {args.jobs}")
        if args.json:
            Path(args.json).write_text(json.dumps({"mutants": rows, "killed": killed, "counted": n_counted,
                                                   "seconds": time.perf_counter() - started}, indent=2) + "\n")
        print(f"mutants: killed {killed}/{n_counted}")
        return 0 if killed == n_counted else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
