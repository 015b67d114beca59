"""Chapter 09's machinery: resuming from a checkpoint (three recipes, measured on every scheduler), the
learner's resume exercise checker, and the course's own re-creations of two widely read snippets.

Everything here runs real torch (2.13); nothing is mocked. The notebook explains, this module computes.

Resume experiment: an SGD optimizer (momentum 0.9, two param groups, LRs 0.1 and 0.01) is driven by a
scheduler for ``STEPS_DONE`` steps, checkpointed (``optimizer.state_dict()``, ``scheduler.state_dict()``),
then rebuilt by a resume recipe and stepped ``STEPS_AFTER`` more times. The recipe is right when every
LR and momentum from the resume on equals the uninterrupted run's (``rtol=1e-9``).
"""

from __future__ import annotations

import copy
import functools
import inspect
import math
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.optim import lr_scheduler as torch_lr_scheduler

from lrlab import catalog
from lrlab.stepping import drive, group_momentum

__all__ = [
    "CASES",
    "RECIPES",
    "STEPS_AFTER",
    "STEPS_DONE",
    "ResumeOutcome",
    "ResumeReport",
    "SnippetWarmup",
    "check_resume",
    "make_optimizer",
    "resume_documented",
    "resume_optimizer_first",
    "resume_outcome",
    "resume_table",
    "resume_with_last_epoch",
    "show_source",
    "snippet_warm_restart",
    "torch_namespace",
]

STEPS_DONE = 10  # steps before the checkpoint: a StepLR(step_size=5) / MultiStepLR decay falls exactly here
STEPS_AFTER = 10  # steps after resuming
RTOL = 1e-9
ATOL = 1e-15
GROUP_LRS = (0.1, 0.01)
# A metric for ReduceLROnPlateau: improves for 4 calls, then stalls (reductions at calls 7, 10, 13, ...).
PLATEAU_METRIC = [1.0, 0.8, 0.6, 0.5] + [0.5] * 30


@functools.cache
def torch_namespace() -> types.SimpleNamespace:
    """torch's schedulers in one namespace: ``torch.optim.lr_scheduler``'s classes plus ``SWALR``
    (:func:`lrlab.catalog.torch_namespace`, one object for the whole session, so torch's runs are cached)."""
    return catalog.torch_namespace()


def make_optimizer() -> torch.optim.Optimizer:
    """SGD(momentum=0.9) over two param groups with LRs 0.1 and 0.01 (fixed, so runs are comparable)."""
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in GROUP_LRS]
    return torch.optim.SGD(groups, lr=GROUP_LRS[0], momentum=0.9)


# One configuration per scheduler class: its catalog record's ``demo`` (an event falls inside the first 20
# steps). A factory takes (namespace, optimizer, last_epoch or None) and builds the scheduler from that
# namespace (torch's, or the learner's package), so the same case runs on both. ``last_epoch=None`` means
# "do not pass it" (the fresh constructor). Composites pass it to the outer class only.
Factory = Callable[[Any, Any, "int | None"], Any]

CASES: dict[str, Factory] = {name: functools.partial(catalog.build_demo, name) for name in catalog.SCHEDULERS}
#: constructors without a last_epoch argument
NO_LAST_EPOCH = frozenset(name for name in catalog.SCHEDULERS if not catalog.takes_last_epoch(name))


def _step(name: str, scheduler: Any, t: int) -> None:
    if name == catalog.PLATEAU:
        scheduler.step(PLATEAU_METRIC[t])
    else:
        scheduler.step()


def _record(optimizer: Any) -> list[float]:
    return [float(g["lr"]) for g in optimizer.param_groups] + group_momentum(optimizer)


def _drive(name: str, optimizer: Any, scheduler: Any, start: int, n: int) -> list[list[float]]:
    """Record (LRs + momenta) before each of ``n`` optimizer steps, stepping the scheduler after each
    (:func:`lrlab.stepping.drive`; step ``start + k`` is the k-th of this run)."""
    out: list[list[float]] = []

    def step(sched: Any, k: int) -> None:
        optimizer.step()
        _step(name, sched, start + k - 1)

    drive(scheduler, n + 1, lambda k, sched: out.append(_record(optimizer)), step=step)
    return out


_TORCH_RUNS: dict[str, tuple[dict[str, Any], list[list[float]]]] = {}


def _checkpoint(S: Any, name: str) -> tuple[dict[str, Any], list[list[float]]]:
    """Run the case uninterrupted; return a checkpoint taken after STEPS_DONE steps and the reference tail.
    torch's runs are deterministic and cached (copies are returned); the learner's are always rerun."""
    if S is torch_namespace():
        if name not in _TORCH_RUNS:
            _TORCH_RUNS[name] = _uninterrupted(S, name)
        return copy.deepcopy(_TORCH_RUNS[name])
    return _uninterrupted(S, name)


def _uninterrupted(S: Any, name: str) -> tuple[dict[str, Any], list[list[float]]]:
    optimizer = make_optimizer()
    scheduler = CASES[name](S, optimizer, None)
    _drive(name, optimizer, scheduler, 0, STEPS_DONE)
    checkpoint = {
        "optimizer": copy.deepcopy(optimizer.state_dict()),
        "scheduler": copy.deepcopy(scheduler.state_dict()),
        "steps_done": STEPS_DONE,
    }
    tail = _drive(name, optimizer, scheduler, STEPS_DONE, STEPS_AFTER)
    return checkpoint, tail


# --- the three recipes ---------------------------------------------------------------------------------------

def resume_documented(make_opt: Callable[[], Any], make_sched: Callable[[Any], Any], checkpoint: Mapping) -> tuple:
    """torch's documented order: build the optimizer, build the scheduler, THEN load the optimizer's state,
    then the scheduler's (LRScheduler's docstring: building a scheduler overwrites the group LRs)."""
    optimizer = make_opt()
    scheduler = make_sched(optimizer)
    optimizer.load_state_dict(copy.deepcopy(checkpoint["optimizer"]))
    scheduler.load_state_dict(copy.deepcopy(checkpoint["scheduler"]))
    return optimizer, scheduler


def resume_optimizer_first(make_opt: Callable[[], Any], make_sched: Callable[[Any], Any], checkpoint: Mapping) -> tuple:
    """The order this chapter used to teach: load the optimizer's state, THEN build the scheduler, then load its
    state. Wrong wherever the constructor rewrites the restored LR."""
    optimizer = make_opt()
    optimizer.load_state_dict(copy.deepcopy(checkpoint["optimizer"]))
    scheduler = make_sched(optimizer)
    scheduler.load_state_dict(copy.deepcopy(checkpoint["scheduler"]))
    return optimizer, scheduler


def resume_with_last_epoch(make_opt: Callable[[], Any], make_sched_at: Callable[[Any, int], Any],
                           checkpoint: Mapping) -> tuple:
    """No scheduler state: load the optimizer's state, rebuild the scheduler with ``last_epoch=steps_done - 1``
    (its constructor's own step then lands on ``steps_done``)."""
    optimizer = make_opt()
    optimizer.load_state_dict(copy.deepcopy(checkpoint["optimizer"]))
    scheduler = make_sched_at(optimizer, checkpoint["steps_done"] - 1)
    return optimizer, scheduler


RECIPES = {
    "documented": "build optimizer, build scheduler, optimizer.load_state_dict, scheduler.load_state_dict",
    "optimizer_first": "optimizer.load_state_dict, then build scheduler, then scheduler.load_state_dict",
    "last_epoch": "optimizer.load_state_dict, then build scheduler with last_epoch=steps_done-1",
}


@dataclass
class ResumeOutcome:
    """One scheduler under one recipe: ``status`` is "ok", "differs", "error", "n/a" (recipe not applicable)
    or "skipped" (the learner's class is not written yet / missing)."""

    name: str
    recipe: str
    status: str
    step: int | None = None  # first step (counted from the start of training) whose LR/momentum differs
    expected: list[float] | None = None
    got: list[float] | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def describe(self) -> str:
        """One line for a table."""
        if self.status == "differs":
            n = len(GROUP_LRS)
            what = "LR" if any(not math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL)
                               for a, b in zip(self.expected[:n], self.got[:n], strict=True)) else "momentum"
            k = 0 if what == "LR" else n
            return (f"differs at step {self.step}: {what} {self.got[k]:.6g}, uninterrupted run "
                    f"{self.expected[k]:.6g}")
        return {"ok": "matches the uninterrupted run"}.get(self.status, self.status) + (
            f": {self.detail}" if self.detail else "")


def _compare(name: str, recipe: str, tail: list[list[float]], got: list[list[float]]) -> ResumeOutcome:
    for i, (want, have) in enumerate(zip(tail, got, strict=True)):
        if not all(math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL) for a, b in zip(want, have, strict=True)):
            return ResumeOutcome(name, recipe, "differs", STEPS_DONE + i, want, have)
    return ResumeOutcome(name, recipe, "ok")


def _run_recipe(S: Any, name: str, recipe: str, resume_fn: Callable | None = None) -> ResumeOutcome:
    checkpoint, tail = _checkpoint(S, name)
    factory = CASES[name]
    if recipe == "last_epoch":
        if name in NO_LAST_EPOCH:
            return ResumeOutcome(name, recipe, "n/a", detail="its constructor takes no last_epoch")
        optimizer, scheduler = resume_with_last_epoch(make_optimizer, lambda o, le: factory(S, o, le), checkpoint)
    else:
        fn = resume_fn or {"documented": resume_documented, "optimizer_first": resume_optimizer_first}[recipe]
        result = fn(make_optimizer, lambda o: factory(S, o, None), copy.deepcopy(checkpoint))
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(f"resume must return (optimizer, scheduler), got {type(result).__name__}")
        optimizer, scheduler = result
    got = _drive(name, optimizer, scheduler, STEPS_DONE, STEPS_AFTER)
    return _compare(name, recipe, tail, got)


def resume_outcome(name: str, recipe: str, namespace: Any | None = None) -> ResumeOutcome:
    """Resume ``name`` (a key of ``CASES``) with ``recipe`` (a key of ``RECIPES``) and compare with the
    uninterrupted run. ``namespace``: where the classes come from (default: torch's)."""
    if name not in CASES:
        raise ValueError(f"unknown scheduler {name!r}; choose one of {sorted(CASES)}")
    if recipe not in RECIPES:
        raise ValueError(f"unknown recipe {recipe!r}; choose one of {sorted(RECIPES)}")
    return _run_recipe(namespace or torch_namespace(), name, recipe)


def resume_table(recipes: tuple[str, ...] = tuple(RECIPES), names: tuple[str, ...] = tuple(CASES)) -> str:
    """Every torch scheduler under every recipe, as a text table (computed now, with torch)."""
    for r in recipes:
        if r not in RECIPES:
            raise ValueError(f"unknown recipe {r!r}; choose from {sorted(RECIPES)}")
    S = torch_namespace()
    width = max(len(n) for n in names) + 2
    lines = [f"{'scheduler':<{width}}" + "".join(f"{r:<18}" for r in recipes)]
    for name in names:
        cells = []
        for r in recipes:
            out = _run_recipe(S, name, r)
            cells.append({"ok": "ok", "n/a": "n/a"}.get(out.status, f"WRONG @{out.step}"))
        lines.append(f"{name:<{width}}" + "".join(f"{c:<18}" for c in cells))
    return "\n".join(lines)


# --- the learner's resume exercise ----------------------------------------------------------------------------

@dataclass
class ResumeReport:
    """The verdict of ``check_resume``: one outcome per (source, scheduler)."""

    outcomes: list[tuple[str, ResumeOutcome]] = field(default_factory=list)

    @property
    def checked(self) -> list[tuple[str, ResumeOutcome]]:
        return [(s, o) for s, o in self.outcomes if o.status not in ("skipped",)]

    @property
    def ok(self) -> bool:
        return bool(self.checked) and all(o.ok for _, o in self.checked)

    @property
    def failures(self) -> list[tuple[str, ResumeOutcome]]:
        return [(s, o) for s, o in self.checked if not o.ok]

    def format(self) -> str:
        """A per-scheduler table (no verdict emoji: the notebook's check prints the verdict)."""
        lines = []
        for source in dict.fromkeys(s for s, _ in self.outcomes):
            mine = [o for s, o in self.outcomes if s == source]
            passed = [o.name for o in mine if o.ok]
            title = "torch's schedulers" if source == "torch" else "your package's schedulers"
            lines.append(f"{title}: {len(passed)} of {len(mine)} resume exactly"
                         + (f" ({', '.join(passed)})" if passed and len(passed) < len(mine) else ""))
            lines += [f"  {o.name:<28} {o.describe()}" for o in mine if not o.ok]
        return "\n".join(lines)


def _implemented(package: Any, name: str) -> str:
    """"" when the learner's ``name`` builds and steps, else why not (missing, a stub, or another error)."""
    if not hasattr(package, name):
        return "not in your package"
    try:
        optimizer = make_optimizer()
        scheduler = CASES[name](package, optimizer, None)
        _step(name, scheduler, 0)
        scheduler.state_dict()
    except NotImplementedError:
        return "stub (write the class first)"
    except Exception as err:  # noqa: BLE001 - the learner's class may fail in any way; report, do not crash
        return f"does not run: {type(err).__name__}: {err}"
    return ""


def check_resume(resume: Callable, package: Any | None = None) -> ResumeReport:
    """Check the learner's ``resume(make_optimizer, make_scheduler, checkpoint) -> (optimizer, scheduler)``.

    For every torch scheduler (``CASES``) and every class of ``package`` (the learner's ``schedulers``) that
    builds and steps: train ``STEPS_DONE`` steps, checkpoint (``{"optimizer", "scheduler", "steps_done"}``),
    call ``resume``, step ``STEPS_AFTER`` more and compare every LR and momentum with the uninterrupted run.
    Errors raised by ``resume`` are reported per scheduler, never raised.
    """
    if not callable(resume):
        raise TypeError(f"resume must be a function resume(make_optimizer, make_scheduler, checkpoint), got {resume!r}")
    try:
        params = inspect.signature(resume).parameters
    except (TypeError, ValueError):
        params = None
    if params is not None and len(params) != 3:
        raise TypeError(f"resume must take 3 arguments (make_optimizer, make_scheduler, checkpoint), "
                        f"yours takes {len(params)}: {list(params)}")
    report = ResumeReport()
    sources = [("torch", torch_namespace())]
    if package is not None:
        sources.append(("yours", package))
    for source, S in sources:
        for name in CASES:
            why = "" if source == "torch" else _implemented(S, name)
            if why:
                report.outcomes.append((source, ResumeOutcome(name, "yours", "skipped", detail=why)))
                continue
            try:
                outcome = _run_recipe(S, name, "documented", resume_fn=resume)
            except Exception as err:  # noqa: BLE001 - report the learner's error for this scheduler
                outcome = ResumeOutcome(name, "yours", "error", detail=f"{type(err).__name__}: {err}")
            report.outcomes.append((source, outcome))
    return report


# --- pitfall 7: the warmup-then-hand-over class ---------------------------------------------------------------

class SnippetWarmup(torch_lr_scheduler.LRScheduler):
    """The course's re-creation of the widely copied "gradual warmup" class (not its code; same behaviour).

    Intended: ``lr = base_lr * multiplier ** (step_count / total_epoch)`` for ``total_epoch`` steps, then hand
    over to ``after_scheduler``. ``legacy_super_call=True`` calls the base constructor as the snippet does,
    with a third positional argument (the ``verbose`` flag torch removed): on torch 2.13 that is a TypeError.
    """

    def __init__(self, optimizer: Any, multiplier: float, total_epoch: int, after_scheduler: Any = None,
                 *, legacy_super_call: bool = True) -> None:
        self.multiplier = multiplier
        self.total_epoch = total_epoch
        self.after_scheduler = after_scheduler
        self.step_count = 0  # the class keeps its own counter
        if legacy_super_call:
            super().__init__(optimizer, -1, -1)  # type: ignore[call-arg]  # (optimizer, last_epoch, verbose)
        else:
            super().__init__(optimizer, -1)

    def get_lr(self) -> list[float]:
        if self.step_count < self.total_epoch:
            return [b * self.multiplier ** (self.step_count / self.total_epoch) for b in self.base_lrs]
        return list(self.base_lrs)

    def step(self, epoch: int | None = None) -> None:  # the snippet's step: only acts once warmup is over
        self.step_count += 1
        if self.step_count >= self.total_epoch:
            if self.after_scheduler is not None:
                self.after_scheduler.step()
            else:
                super().step()


# --- pitfall 8: the hand-rolled warm-restart function ---------------------------------------------------------

def snippet_warm_restart(optimizer: Any, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                         eta_max: float | None = None, *, cos: Callable = torch.cos) -> None:
    """The course's re-creation of the widely copied warm-restart function (same behaviour, own code).

    Meant to be called once per epoch. It reads ``optimizer.last_epoch`` (optimizers have none), applies
    ``cos`` (``torch.cos`` by default, which rejects a Python float) to ``pi * (last_epoch - 1) / T_0``, takes
    ``eta_max`` from the group's current LR when not given (so the decay compounds), grows ``T_0`` in a local
    name only and never wraps the cycle (so nothing restarts).
    """
    for group in optimizer.param_groups:
        top = group["lr"] if eta_max is None else eta_max
        group["lr"] = eta_min + (top - eta_min) / 2 * (1 + cos(math.pi * (optimizer.last_epoch - 1) / T_0))
    T_0 *= T_mult  # rebinds the local name: the caller's cycle length never changes  # noqa: F841
    optimizer.last_epoch += 1


def show_source(obj: Any) -> None:
    """Print the source of one of this module's functions or classes (for the notebook)."""
    print(inspect.getsource(obj).rstrip())
