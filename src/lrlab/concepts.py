"""Graded conceptual questions for the scheduler chapters: predict an LR, choose gamma, size a schedule to a
budget, say when a schedule is periodic, write a closed form ``lr_at(t)``.

One ``Question`` record per question: chapter, prompt, a checker that computes the answer with torch 2.13 (or a
formula checked against torch), a tolerance and feedback that explains the answer. Notebook cells call
``concepts.check("02.gamma_for_target", answer)``; nbgrader cells can iterate ``concepts.questions("02")`` and
``assert concepts.check(q.id, answer, quiet=True)``.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.optim import lr_scheduler as L

from lrlab.stepping import make_optimizer, step_schedule

__all__ = ["Question", "answer_name", "check", "feedback", "function_steps", "questions", "torch_scheduler_names"]


def torch_scheduler_names() -> list[str]:
    """Every public scheduler class torch ships, counted from torch itself: the subclasses of ``LRScheduler``
    defined in ``torch.optim.lr_scheduler`` (sorted), then those of ``torch.optim.swa_utils``."""
    from torch.optim import swa_utils

    def defined(module: Any) -> list[str]:
        return sorted(n for n, c in vars(module).items() if inspect.isclass(c) and issubclass(c, L.LRScheduler)
                      and c is not L.LRScheduler and c.__module__ == module.__name__ and not n.startswith("_"))

    return defined(L) + defined(swa_utils)


def _opt(lr: float = 0.1) -> torch.optim.Optimizer:
    return make_optimizer([lr], momentum=0.9)


def _lrs(make: Callable[[Any], Any], steps: int, lr: float = 0.1) -> list[float]:
    """LR after t = 0..steps calls of step() (index 0: right after construction): lrlab.stepping's loop."""
    values, _ = step_schedule(make, _opt(lr), steps + 1)
    return [float(v) for v in values[:, 0]]


@dataclass(frozen=True)
class Question:
    """A graded question. ``expected()`` computes the answer (with torch where it can); ``judge(answer)``
    returns (ok, detail); ``explain`` is shown with the verdict (``{expected}`` is filled in)."""

    id: str
    chapter: str
    prompt: str
    kind: str  # "number", "int", "bool", "ints", "names", "function", "outcome"
    expected: Callable[[], Any]
    explain: str
    rtol: float = 1e-3
    judge_fn: Callable[[Any], tuple[bool, str]] | None = None

    def judge(self, answer: Any) -> tuple[bool, str]:
        """Compare ``answer`` with the expected answer; (ok, what was wrong)."""
        if self.judge_fn is not None:
            return self.judge_fn(answer)
        want = self.expected()
        if self.kind == "number":
            if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
                return False, f"expected a number, got {answer!r}"
            return math.isclose(answer, want, rel_tol=self.rtol, abs_tol=1e-12), ""
        if self.kind == "int":
            if isinstance(answer, bool) or not isinstance(answer, numbers.Integral):
                return False, f"expected an int, got {answer!r}"
            return answer == want, ""
        if self.kind == "bool":
            if not isinstance(answer, bool):
                return False, f"expected True or False, got {answer!r}"
            return answer == want, ""
        if self.kind in ("ints", "names"):
            if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
                return False, f"expected a list, got {answer!r}"
            return sorted(set(answer)) == sorted(set(want)), ""
        raise ValueError(f"unknown kind {self.kind!r}")


def _outcome(run: Callable[[float], float], target: float, rtol: float, what: str):
    """Judge a parameter by what torch does with it: ``run(answer)`` must land within rtol of ``target``."""

    def judge(answer: Any) -> tuple[bool, str]:
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
            return False, f"expected a number, got {answer!r}"
        try:
            got = run(answer)
        except (ValueError, TypeError, ZeroDivisionError) as err:
            return False, f"torch rejects it: {err}"
        ok = math.isclose(got, target, rel_tol=rtol)
        return ok, "" if ok else f"with {answer!r}, torch gives {what} {got:.4g} (target {target:.4g})"

    return judge


def _function(reference: Callable[[int], float], steps: int, sig: str):
    """Judge a learner's ``lr_at(t)`` against torch's schedule for t = 0..steps."""

    def judge(answer: Any) -> tuple[bool, str]:
        if not callable(answer):
            return False, f"expected a function {sig}, got {answer!r}"
        for t in range(steps + 1):
            try:
                got = answer(t)
            except NotImplementedError:
                return False, "your function is not written yet"
            except Exception as err:  # noqa: BLE001 - report the learner's error, never raise
                return False, f"lr_at({t}) raised {type(err).__name__}: {err}"
            want = reference(t)
            if not isinstance(got, numbers.Real) or not math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-15):
                return False, f"lr_at({t}) = {got!r}, torch's schedule has {want!r}"
        return True, ""

    judge.steps = steps  # type: ignore[attr-defined]  (the t's it calls, for graders that evaluate elsewhere)
    return judge


def _first_reduction(patience: int, cooldown: int = 0) -> int:
    opt = _opt(0.1)
    sched = L.ReduceLROnPlateau(opt, patience=patience, cooldown=cooldown)
    metric = [1.0 - 0.05 * i for i in range(10)] + [0.55] * 40
    for n, v in enumerate(metric, 1):
        sched.step(v)
        if opt.param_groups[0]["lr"] < 0.1:
            return n
    raise AssertionError("no reduction")


def _reductions(patience: int, epochs: int) -> int:
    opt = _opt(0.1)
    sched = L.ReduceLROnPlateau(opt, patience=patience)
    for _ in range(epochs):
        sched.step(1.0)
    return round(math.log(opt.param_groups[0]["lr"] / 0.1, 0.1))


def _period(lrs: list[float]) -> int | None:
    for p in range(1, len(lrs) // 2):
        if all(math.isclose(lrs[t], lrs[t + p], rel_tol=1e-9) for t in range(len(lrs) - p)):
            return p
    return None


def _drop_ref(t: int) -> float:
    return _lrs(lambda o: L.MultiStepLR(o, milestones=[10], gamma=0.1), t)[t]


def _warmup_ref(t: int) -> float:
    return _lrs(lambda o: L.LinearLR(o, start_factor=0.1, total_iters=10), t)[t]


def _step_lr_ref(t: int) -> float:
    return _lrs(lambda o: L.StepLR(o, step_size=30, gamma=0.1), t)[t]


def _exp_ref(t: int) -> float:
    return _lrs(lambda o: L.ExponentialLR(o, gamma=0.9), t)[t]


def _cos_ref(t: int) -> float:
    return _lrs(lambda o: L.CosineAnnealingLR(o, T_max=50, eta_min=0.001), t)[t]


def _cyclic_period(step_size_up: Any) -> float:
    lrs = _lrs(lambda o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=step_size_up), 1000)
    return float(_period(lrs) or 0)


_Q: list[Question] = [
    # 01 a schedule is a function of the step (before any class)
    Question("01.lr_at_drop", "01", "Write `lr_at(t)`: the LR is 0.1 for the first 10 steps, then 0.01 for good "
             "(MultiStepLR(milestones=[10], gamma=0.1) on lr=0.1), with no scheduler and no state.", "function",
             lambda: None, "lr_at(t) = 0.1 if t < 10 else 0.01: after t calls of step() the LR has dropped once "
             "t reaches the milestone (at t = 10, not 11).",
             judge_fn=_function(_drop_ref, 40, "lr_at(t)")),
    Question("01.lr_at_warmup", "01", "Write `lr_at(t)`: a linear warmup from 0.01 to 0.1 over 10 steps, then 0.1 "
             "(LinearLR(start_factor=0.1, total_iters=10) on lr=0.1).", "function", lambda: None,
             "lr_at(t) = 0.1 * (0.1 + 0.9 * min(t, 10) / 10): the factor moves from start_factor to 1 in equal "
             "steps, and t = 0 (right after construction) already uses start_factor.",
             judge_fn=_function(_warmup_ref, 40, "lr_at(t)")),
    # 02 step decay
    Question("02.lr_at", "02", "Write `lr_at(t)`: StepLR(step_size=30, gamma=0.1) on lr=0.1, the LR after t steps, "
             "in closed form (no scheduler).", "function", lambda: None,
             "lr_at(t) = 0.1 * 0.1 ** (t // 30): one factor gamma per completed block of step_size steps.",
             judge_fn=_function(_step_lr_ref, 100, "lr_at(t)")),
    Question("02.predict", "02", "MultiStepLR(milestones=[30, 30, 60], gamma=0.5) on lr=0.1: the LR after 45 steps?",
             "number", lambda: _lrs(lambda o: L.MultiStepLR(o, [30, 30, 60], gamma=0.5), 45)[45],
             "{expected:.6g}: milestone 30 is listed twice, so it counts twice: 0.1 * 0.5**2 (60 is not reached)."),
    Question("02.gamma_for_target", "02", "MultiStepLR(milestones=[50, 75]) from lr=0.1: which gamma ends at 1e-4?",
             "outcome", lambda: math.sqrt(1e-3),
             "gamma = (1e-4 / 0.1) ** (1/2) = {expected:.4g}: two milestones, so the total factor 1e-3 is gamma squared.",
             judge_fn=_outcome(lambda g: _lrs(lambda o: L.MultiStepLR(o, [50, 75], gamma=g), 100)[100], 1e-4, 0.02,
                               "a final LR of")),
    # 03 exponential
    Question("03.lr_at", "03", "Write `lr_at(t)`: ExponentialLR(gamma=0.9) on lr=0.1, in closed form.", "function",
             lambda: None, "lr_at(t) = 0.1 * 0.9 ** t (torch multiplies by gamma at each step).",
             judge_fn=_function(_exp_ref, 60, "lr_at(t)")),
    Question("03.gamma_for_target", "03", "ExponentialLR from lr=0.1 to 0.001 in 100 steps: which gamma?", "outcome",
             lambda: 0.01 ** (1 / 100),
             "gamma = (0.001 / 0.1) ** (1/100) = {expected:.5f}: the ratio spread evenly over the steps, on a log scale.",
             judge_fn=_outcome(lambda g: _lrs(lambda o: L.ExponentialLR(o, gamma=g), 100)[100], 1e-3, 0.02,
                               "a final LR of")),
    Question("03.per_batch_gamma", "03", "gamma=0.9 per epoch; you now step per batch with 23 batches per epoch. "
             "Which per-batch gamma gives the same LR at every epoch end?", "number", lambda: 0.9 ** (1 / 23),
             "{expected:.6f} = 0.9 ** (1/23): 23 per-batch factors must multiply to one per-epoch factor."),
    # 04 cosine
    Question("04.lr_at", "04", "Write `lr_at(t)`: CosineAnnealingLR(T_max=50, eta_min=0.001) on lr=0.1, closed form, "
             "also past T_max.", "function", lambda: None,
             "lr_at(t) = 0.001 + (0.1 - 0.001) * (1 + cos(pi * t / 50)) / 2, for every t (it is periodic).",
             judge_fn=_function(_cos_ref, 150, "lr_at(t)")),
    Question("04.predict_past_T_max", "04", "CosineAnnealingLR(T_max=100, eta_min=0.01) on lr=0.1: the LR after 150 "
             "steps?", "number", lambda: _lrs(lambda o: L.CosineAnnealingLR(o, T_max=100, eta_min=0.01), 150)[150],
             "{expected:.6g}: nothing clamps at T_max; the cosine climbs back, and step 150 mirrors step 50."),
    Question("04.T_max_for_budget", "04", "30 epochs of 23 batches, scheduler.step() after every batch: which T_max "
             "makes the LR equal eta_min right after the last (the 690th) call of scheduler.step()?", "int",
             lambda: 30 * 23,
             "T_max = {expected}: T_max counts scheduler.step() calls, here one per batch (30 * 23). (The last "
             "batch itself trains at the LR of 689 calls; T_max = 689 would put that batch at eta_min.)"),
    Question("04.period", "04", "CosineAnnealingLR(T_max=50): after how many steps does the schedule repeat?", "int",
             lambda: _period(_lrs(lambda o: L.CosineAnnealingLR(o, T_max=50), 400)),
             "{expected} = 2 * T_max: down in T_max steps, back up in T_max more (the cosine is periodic)."),
    Question("04.restarts", "04", "CosineAnnealingWarmRestarts(T_0=10, T_mult=2): list the steps t in 1..150 where "
             "the LR jumps back to the initial LR.", "ints",
             lambda: [t for t, v in enumerate(_lrs(lambda o: L.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=2), 150))
                      if t > 0 and math.isclose(v, 0.1, rel_tol=1e-12)],
             "{expected}: cycles of 10, 20, 40, 80 steps; each restart ends a cycle (10, 10+20, 30+40, 70+80)."),
    # 05 cyclic
    Question("05.predict", "05", "CyclicLR(base_lr=0.01, max_lr=0.1, step_size_up=50, mode='triangular2'): the LR "
             "after 125 steps?", "number",
             lambda: _lrs(lambda o: L.CyclicLR(o, 0.01, 0.1, step_size_up=50, mode="triangular2",
                                                cycle_momentum=False), 125)[125],
             "{expected:.6g}: step 125 is a quarter into cycle 2 (cycles of 100), halfway up, and triangular2 halves the "
             "amplitude in cycle 2: 0.01 + 0.09 * 0.5 * 0.5."),
    Question("05.step_size_up_for_budget", "05", "23 batches per epoch; you want one full triangular cycle (up and "
             "down) every 8 epochs. Which step_size_up?", "outcome", lambda: 4 * 23,
             "step_size_up = {expected}: half a cycle, 4 epochs of 23 batches (step_size_down defaults to it).",
             judge_fn=_outcome(_cyclic_period, 8 * 23, 1e-9, "a period (steps) of")),
    Question("05.periodic_modes", "05", "Which CyclicLR modes give a periodic schedule? (a list of mode names)",
             "names", lambda: [m for m in ("triangular", "triangular2", "exp_range")
                               if _period(_lrs(lambda o, m=m: L.CyclicLR(o, 0.01, 0.1, step_size_up=10, mode=m,
                                                                          gamma=0.99, cycle_momentum=False), 200))],
             "{expected}: only triangular repeats; triangular2 halves the amplitude each cycle and exp_range shrinks "
             "it every iteration."),
    # 06 one cycle
    Question("06.total_steps", "06", "OneCycleLR stepped after every batch, 30 epochs of 23 batches: the smallest "
             "total_steps that does not raise?", "int", lambda: 30 * 23,
             "{expected}: one step() per batch; torch raises once step() has been called more than total_steps times."),
    Question("06.peak_step", "06", "OneCycleLR(max_lr=0.1, total_steps=1000, pct_start=0.3): after how many steps is "
             "the LR at its maximum?", "int",
             lambda: int(max(enumerate(_lrs(lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=1000), 999)),
                             key=lambda p: p[1])[0]),
             "{expected} = pct_start * total_steps - 1: the warm-up phase ends at that step."),
    Question("06.initial_lr", "06", "OneCycleLR(max_lr=0.1) with the default div_factor: the LR right after "
             "construction?", "number", lambda: _lrs(lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=100), 0)[0],
             "{expected:.6g} = max_lr / div_factor (25 by default)."),
    Question("06.final_lr", "06", "OneCycleLR(max_lr=0.1, total_steps=100) with the default div_factor and "
             "final_div_factor: the LR after the last allowed step (99 calls of step())?", "number",
             lambda: _lrs(lambda o: L.OneCycleLR(o, max_lr=0.1, total_steps=100), 99)[99],
             "{expected:.4g} = max_lr / div_factor / final_div_factor = 0.1 / 25 / 1e4: the anneal ends far below the "
             "start (final_div_factor divides the initial LR, not max_lr)."),
    Question("06.pct_start_for_budget", "06", "OneCycleLR over 30 epochs of 23 batches, stepped per batch: which "
             "pct_start makes the warm-up cover exactly the first 3 epochs (the LR peaks at step 3 * 23 - 1 = 68, "
             "the last batch of epoch 3)?", "outcome", lambda: 3 / 30,
             "pct_start = 3/30 = {expected:g}: the warm-up ends at step pct_start * total_steps - 1, with "
             "total_steps = 690.",
             judge_fn=_outcome(lambda p: float(np.argmax(_lrs(lambda o: L.OneCycleLR(
                 o, max_lr=0.1, total_steps=690, pct_start=p), 689))), 68, 1e-9, "the peak at step")),
    # 07 warmup and composition
    Question("07.linear_at_t", "07", "LinearLR(start_factor=0.1, total_iters=10) on lr=0.1: the LR after 4 steps?",
             "number", lambda: _lrs(lambda o: L.LinearLR(o, start_factor=0.1, total_iters=10), 4)[4],
             "{expected:.6g} = 0.1 * (0.1 + (1 - 0.1) * 4/10): the factor moves linearly from start_factor to "
             "end_factor over total_iters steps."),
    Question("07.sequential_cosine", "07", "SequentialLR([LinearLR(start_factor=0.5, total_iters=4), "
             "CosineAnnealingLR(T_max=10)], milestones=[4]) on lr=0.1: the LR after 7 steps?", "number",
             lambda: _lrs(lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.5, total_iters=4),
                                                       L.CosineAnnealingLR(o, T_max=10)], milestones=[4]), 7)[7],
             "{expected:.6g} = 0.1 * (1 + cos(pi * 3/10)) / 2: the cosine starts at its step 0 at the milestone "
             "(step 4), so step 7 is its step 3."),
    Question("07.linear_step0", "07", "LinearLR(start_factor=0.25, total_iters=4) on lr=0.1: the LR right after "
             "construction?", "number", lambda: _lrs(lambda o: L.LinearLR(o, start_factor=0.25, total_iters=4), 0)[0],
             "{expected:.6g} = lr * start_factor: the constructor's step already applies the first factor."),
    Question("07.sequential_milestone", "07", "SequentialLR([LinearLR(start_factor=0.1, total_iters=5), "
             "ExponentialLR(gamma=0.9)], milestones=[5]) on lr=0.1: the LR after 6 steps?", "number",
             lambda: _lrs(lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=5),
                                                       L.ExponentialLR(o, gamma=0.9)], milestones=[5]), 6)[6],
             "{expected:.6g}: at the milestone (step 5) ExponentialLR starts from its step 0 (the base LR 0.1), and "
             "one step later it has decayed once."),
    Question("07.chained", "07", "ChainedScheduler([ConstantLR(factor=0.5, total_iters=3), ExponentialLR(gamma=0.9)]) "
             "on lr=0.1: the LR after 2 steps?", "number",
             lambda: _lrs(lambda o: L.ChainedScheduler([L.ConstantLR(o, factor=0.5, total_iters=3),
                                                        L.ExponentialLR(o, gamma=0.9)]), 2)[2],
             "{expected:.6g} = 0.1 * 0.5 * 0.9**2: chained recursive schedulers multiply their factors."),
    # 08 plateau
    Question("08.first_reduction", "08", "ReduceLROnPlateau(patience=3): the loss improves on the first 10 calls of "
             "step(loss), then stays flat. After how many calls is the LR first reduced?", "int",
             lambda: _first_reduction(3),
             "{expected}: 10 improving calls, then bad epochs 1, 2, 3 (= patience, still waiting) and the 4th bad epoch "
             "exceeds patience."),
    Question("08.max_reductions", "08", "ReduceLROnPlateau(patience=10), 30 epochs, a loss that never improves after "
             "the first epoch: how many reductions?", "int", lambda: _reductions(10, 30),
             "{expected}: the first call sets the best; each reduction needs 11 bad epochs (calls 12 and 23), and the "
             "count restarts after a reduction."),
    Question("08.is_improvement", "08", "mode='min', threshold_mode='abs', threshold=0.01, best so far 0.5: is a new "
             "loss of 0.495 an improvement? (True/False)", "bool",
             lambda: (lambda s: (s.step(0.5), s._is_better(0.495, s.best))[1])(
                 L.ReduceLROnPlateau(_opt(), threshold=0.01, threshold_mode="abs")),
             "{expected}: in abs mode an improvement must beat best - threshold = 0.49."),
]
_BY_ID = {q.id: q for q in _Q}


def questions(chapter: str | int | None = None) -> list[Question]:
    """The questions of ``chapter`` ("02" or 2), or all of them."""
    if chapter is None:
        return list(_Q)
    key = f"{int(chapter):02d}" if isinstance(chapter, int) or str(chapter).isdigit() else str(chapter)
    found = [q for q in _Q if q.chapter == key]
    if not found:
        raise ValueError(f"no questions for chapter {chapter!r}; chapters: {sorted({q.chapter for q in _Q})}")
    return found


def check(question_id: str, answer: Any, *, quiet: bool = False) -> bool:
    """Grade ``answer`` to ``question_id``; print the verdict and the explanation (unless ``quiet``). Never raises
    on a wrong answer; an unknown id raises ``ValueError``."""
    if question_id not in _BY_ID:
        raise ValueError(f"unknown question {question_id!r}; known: {sorted(_BY_ID)}")
    q = _BY_ID[question_id]
    if answer is None or answer is Ellipsis:
        if not quiet:
            print(f"[{q.id}] no answer yet: {q.prompt}")
        return False
    ok, detail = q.judge(answer)
    if not quiet:
        print(feedback(q, ok, detail))
    return ok


def feedback(q: Question, ok: bool, detail: str = "") -> str:
    """The verdict line ``check`` prints: right or not quite (with ``detail``), and the explanation."""
    expected = q.expected()
    why = q.explain.format(expected=expected) if expected is not None else q.explain
    verdict = "right" if ok else "not quite" + (f" ({detail})" if detail else "")
    return f"[{q.id}] {verdict}. {why}" if ok or detail else f"[{q.id}] {verdict}: try again. Hint: {why}"


def answer_name(question_id: str) -> str:
    """The Python name of the answer to ``question_id`` in an ``answers.py`` (``"02.lr_at"`` -> ``q02_lr_at``)."""
    chapter, _, rest = question_id.partition(".")
    name = f"q{chapter}_{rest}"
    if not name.isidentifier():
        raise ValueError(f"question id {question_id!r} gives no Python name")
    return name


def function_steps(q: Question) -> range | None:
    """The steps t at which a function answer (kind ``function``) is judged; None for other kinds."""
    if q.kind != "function":
        return None
    return range(int(q.judge_fn.steps) + 1)  # type: ignore[union-attr]
