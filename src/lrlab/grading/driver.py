"""Run one grading scenario against a set of scheduler classes and record the trajectories.

The same code runs torch's classes (the oracle, in the grading process) and the learner's classes (in the
sandboxed child), so both sides build identical optimizers and step identically. A record holds, for index
t = 0..steps-1, every param group's ``lr`` (and momentum, i.e. ``momentum`` or ``betas[0]``) after t calls to
``step()`` (``step(epochs[t-1])`` when the scenario lists explicit epochs, ``None`` meaning a plain ``step()``);
``get_last_lr()`` must equal the groups' LRs at every step. A scenario with ``second_at`` also records each
group's ``initial_lr`` after construction and, at index ``second_at``, builds a second scheduler on the same
optimizer and records its ``base_lrs`` (then steps the second one). Any exception stops the run and is
recorded with the index at which it happened and its class hierarchy (so a subclass of the expected type
counts as the same type).
"""

from __future__ import annotations

import base64
import copy
import math
import pickle
import warnings
from array import array
from collections.abc import Callable
from typing import Any

from lrlab.grading.protocol import BETA2, INITIAL_LR, LAST_AFTER_EDIT, LAST_AFTER_LOAD, SECOND_BASE_LRS


def _warmup_decay(epoch: int) -> float:
    """min(1, (e+1)/10) * 0.95^max(0, e-10)"""
    return min(1.0, (epoch + 1) / 10) * 0.95 ** max(0, epoch - 10)


def _inv_sqrt(epoch: int) -> float:
    """1/sqrt(max(1, e))"""
    return 1.0 / math.sqrt(max(1, epoch))


def _cos_wave(epoch: int) -> float:
    """(1 + cos(pi * (e mod 50) / 50)) / 2"""
    return 0.5 * (1.0 + math.cos(math.pi * (epoch % 50) / 50))


def _linear_down(epoch: int) -> float:
    """max(0, 1 - e/20000)"""
    return max(0.0, 1.0 - epoch / 20_000)


def _half_per_cycle(x: float) -> float:
    """1 / 2^(x-1) (CyclicLR scale_fn on the cycle number)"""
    return 1.0 / (2.0 ** (x - 1))


def _slow_decay(x: float) -> float:
    """0.995^x (CyclicLR scale_fn on the iteration count)"""
    return 0.995**x


FUNCTIONS: dict[str, Callable[[float], float]] = {
    "warmup_decay": _warmup_decay,
    "inv_sqrt": _inv_sqrt,
    "cos_wave": _cos_wave,
    "linear_down": _linear_down,
    "half_per_cycle": _half_per_cycle,
    "slow_decay": _slow_decay,
}




class LastLrMismatch(Exception):
    """``get_last_lr()`` disagrees with the optimizer's param groups."""


def make_optimizer(spec: dict[str, Any]) -> Any:
    """The scenario's optimizer (:func:`lrlab.stepping.make_optimizer`: one 1-element parameter per group,
    each with its own LR; Adam's ``betas = (momentum, beta2)``), or a non-optimizer for ``opt="none"``."""
    from lrlab.stepping import make_optimizer as factory

    kind = spec["opt"]
    if kind == "none":
        return "not an optimizer"
    return factory(spec["groups"], optimizer=kind, momentum=spec["momentum"], beta2=spec.get("beta2", 0.999))


def _resolve(value: Any, classes: Callable[[str], type], opt: Any, spec: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        if "$fn" in value:
            named = FUNCTIONS[value["$fn"]]
            if value.get("closure"):  # a lambda, as learners write them: pickle cannot store it
                return lambda x, _f=named: _f(x)
            return named
        if "$preset" in value:  # a catalog preset (lrlab.lambdas) built with its horizon H
            from lrlab.lambdas import make_preset

            return make_preset(value["$preset"], value["horizon"])
        if "$optimizer" in value:
            return opt
        if "$sched" in value:
            sub = value["$sched"]
            target = make_optimizer({**spec, "opt": "sgd"}) if sub.get("other_opt") else opt
            kwargs = _resolve(sub["kwargs"], classes, target, spec)
            return classes(sub["sched"])(target, **kwargs)
        return {k: _resolve(v, classes, opt, spec) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, classes, opt, spec) for v in value]
    return value


def _construct(spec: dict[str, Any], classes: Callable[[str], type], opt: Any) -> Any:
    kwargs = _resolve(spec["kwargs"], classes, opt, spec)
    cls = classes(spec["sched"])
    if spec["call"] == "kwargs_only":
        return cls(**kwargs)
    return cls(opt, **kwargs)


def _error_info(exc: BaseException, at: int) -> dict[str, Any]:
    types = [f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__]
    try:
        message = str(exc)
    except Exception:  # a learner's exception whose __str__ fails
        message = "<unprintable>"
    return {"types": types, "message": message[:500], "at": at}


def encode(values: array) -> str:
    """float64 values -> base64 text (exact, compact)."""
    return base64.b64encode(values.tobytes()).decode("ascii")


def run_scenario(spec: dict[str, Any], classes: Callable[[str], type]) -> dict[str, Any]:
    """Run ``spec`` with the classes ``classes(name)`` returns; return the encoded trajectories.

    Result: ``{"n": records, "groups": G, "lr": b64 float64[n*G], "mom": b64 or None, "error": None or
    {"types": [qualified names of the exception's MRO], "message": str, "at": index}, "extra": {label: [float
    or None per group]}}`` (``extra`` is empty unless the scenario has ``second_at``).
    """
    n_groups = len(spec["groups"])
    lrs: array = array("d")
    moms: array = array("d")
    track = spec["track_momentum"]
    n = 0
    error = None
    extra: dict[str, list[float | None]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's step-order/epoch deprecation warnings must not reach stderr
        try:
            n, error = _run(spec, classes, lrs, moms, extra)
        except BaseException as exc:  # noqa: BLE001 - SystemExit/KeyboardInterrupt from the learner are results too
            n, error = len(lrs) // max(1, n_groups), _error_info(exc, len(lrs) // max(1, n_groups))
    if len(lrs) != n * n_groups:  # a group count that changed mid-run
        error = error or {"types": ["builtins.ValueError"], "message": "param group count changed", "at": n}
        del lrs[n * n_groups:]
    return {
        "n": n,
        "groups": n_groups,
        "lr": encode(lrs),
        "mom": encode(moms[: n * n_groups]) if track else None,
        "error": error,
        "extra": extra,
    }


def _floats(values: Any) -> list[float | None]:
    """Each value as a float (None when missing or not a number)."""
    out: list[float | None] = []
    for v in list(values)[:64]:
        try:
            f = None if v is None else float(v)
        except (TypeError, ValueError):
            f = None
        out.append(f if f is None or math.isfinite(f) else None)  # the protocol carries finite numbers only
    return out


def _run(spec: dict[str, Any], classes: Callable[[str], type], lrs: array, moms: array,
         extra: dict[str, list[float | None]]) -> tuple[int, Any]:
    """Step the scenario with :func:`lrlab.stepping.drive`, appending to ``lrs``/``moms`` (and ``extra``);
    return (records, error info or None).

    Order at index t: step (t > 0), record, edit the groups' LRs (``edit_lr``), build a second scheduler
    (``second_at``), resume (``resume_at``: ``state_dict`` through pickle, as ``torch.save`` does; a new
    optimizer and scheduler, ``optimizer.load_state_dict``, then ``scheduler.load_state_dict``).
    """
    from lrlab.stepping import drive, group_momentum

    metrics = spec["metrics"]
    epochs = spec.get("epochs")
    second_at = spec.get("second_at")
    edit = spec.get("edit_lr")
    steps = spec["steps"]
    state = {"n": 0, "opt": None}

    def step(sched: Any, t: int) -> None:
        if metrics is not None:
            sched.step(metrics[t - 1])
        elif epochs is not None and epochs[t - 1] is not None:
            sched.step(epochs[t - 1])
        else:
            sched.step()

    def record(t: int, sched: Any) -> None:
        opt = state["opt"]
        row = [float(g["lr"]) for g in opt.param_groups]
        last = [float(v) for v in sched.get_last_lr()]
        if last != row:
            raise LastLrMismatch(f"get_last_lr() returned {last} but the optimizer's LRs are {row}")
        lrs.extend(row)
        if spec["track_momentum"]:
            moms.extend(group_momentum(opt))
        state["n"] = t + 1

    def between(t: int, sched: Any) -> Any:
        opt = state["opt"]
        if edit is not None and t < steps - 1 and (t == edit["at"] or (edit.get("every") and t > edit["at"])):
            for g in opt.param_groups:  # what another scheduler (or the user) does between two steps
                g["lr"] = g["lr"] * edit["factor"]
            if t == edit["at"]:
                extra[LAST_AFTER_EDIT] = _floats(sched.get_last_lr())
        if t == second_at:
            sched = _construct(spec, classes, opt)
            extra[SECOND_BASE_LRS] = _floats(sched.base_lrs)
        if t == spec["resume_at"]:
            saved = pickle.loads(pickle.dumps(sched.state_dict()))
            opt_state = copy.deepcopy(opt.state_dict())
            opt = state["opt"] = _fresh_optimizer(spec)
            sched = _construct(spec, classes, opt)
            opt.load_state_dict(opt_state)
            sched.load_state_dict(saved)
            extra[LAST_AFTER_LOAD] = _floats(sched.get_last_lr())
        return sched

    try:
        opt = state["opt"] = _fresh_optimizer(spec)
        sched = _construct(spec, classes, opt)
        if second_at is not None:
            extra[INITIAL_LR] = _floats(g.get("initial_lr") for g in opt.param_groups)
        drive(sched, steps, record, step=step, between=between)
        if spec["opt"] == "adam" and spec.get("beta2", 0.999) != 0.999:
            extra[BETA2] = _floats(g["betas"][1] for g in state["opt"].param_groups)
    except BaseException as exc:  # noqa: BLE001 - SystemExit/KeyboardInterrupt from the learner are results too
        return state["n"], _error_info(exc, state["n"])
    return state["n"], None


def _fresh_optimizer(spec: dict[str, Any]) -> Any:
    """The scenario's optimizer, its groups preset with ``initial_lr`` where the scenario says so."""
    opt = make_optimizer(spec)
    _preset_initial_lr(opt, spec.get("initial_lr"))
    return opt


def _preset_initial_lr(opt: Any, values: list[float] | None) -> None:
    """Write ``initial_lr`` into the groups before construction (a resume by ``last_epoch``, or an earlier
    scheduler that left it there)."""
    if values is not None and not isinstance(opt, str):
        for group, value in zip(opt.param_groups, values, strict=True):
            group["initial_lr"] = value
