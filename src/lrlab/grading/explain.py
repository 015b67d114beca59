"""Readable details of a failed scenario: its parameters, the calls that led to the difference, and a
window of torch's values beside the learner's around it (``lrlab grade --verbose`` and ``--json``).

Runs in the grading process only (it may ask torch, e.g. for ReduceLROnPlateau's ``best``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: values shown on each side of the first difference
WINDOW = 3
#: calls listed before the first difference (older ones are summarised)
MAX_CALLS = 12


def describe_value(value: Any) -> str:
    """A scenario value as a learner would write it: child schedulers as calls, named callables as lambdas."""
    if isinstance(value, dict):
        if "$fn" in value:
            from lrlab.grading.driver import FUNCTIONS

            doc = (FUNCTIONS[value["$fn"]].__doc__ or value["$fn"]).strip().split(" (")[0]
            return f"lambda e: {doc}"
        if "$preset" in value:
            return f"preset {value['$preset']!r} (H={value['horizon']})"
        if "$optimizer" in value:
            return "optimizer"
        if "$sched" in value:
            sub = value["$sched"]
            args = ", ".join(f"{k}={describe_value(v)}" for k, v in sub["kwargs"].items())
            opt = "other_optimizer" if sub.get("other_opt") else "optimizer"
            return f"{sub['sched']}({opt}{', ' if args else ''}{args})"
        return "{" + ", ".join(f"{k!r}: {describe_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(describe_value(v) for v in value) + "]"
    return repr(value)


def describe_scenario(spec: dict[str, Any]) -> str:
    """``StepLR(optimizer, step_size=3) on SGD(momentum=0.9), groups lr=[0.1, 0.02, 0.5]; ...``."""
    kwargs = ", ".join(f"{k}={describe_value(v)}" for k, v in spec["kwargs"].items())
    first = "" if spec.get("call") == "kwargs_only" else "optimizer" + (", " if kwargs else "")
    opt = {"sgd": f"SGD(momentum={spec['momentum']})", "adagrad": "Adagrad()",
           "adam": f"Adam(betas=({spec['momentum']}, {spec.get('beta2', 0.999)}))",
           "none": "not an optimizer"}[spec["opt"]]
    parts = [f"{spec['sched']}({first}{kwargs}) on {opt}, groups lr={spec['groups']}"]
    if spec.get("initial_lr") is not None:
        parts.append(f"groups already hold initial_lr={spec['initial_lr']}")
    return "; ".join(parts)


def _call(spec: dict[str, Any], t: int) -> str:
    """The call that produced index t (t >= 1)."""
    if spec.get("metrics") is not None:
        return f"step({spec['metrics'][t - 1]!r})"
    epochs = spec.get("epochs")
    if epochs is not None and epochs[t - 1] is not None:
        return f"step({epochs[t - 1]!r})"
    return "step()"


def call_sequence(spec: dict[str, Any], upto: int) -> list[str]:
    """The calls from construction to index ``upto`` (runs of plain ``step()`` folded), with the scenario's
    interventions (LR edits, a second scheduler, the resume) where they happen."""
    calls: list[str] = ["construct"]
    edit = spec.get("edit_lr")
    for t in range(upto + 1):
        if t > 0:
            calls.append(_call(spec, t))
        if t == upto:
            break
        if edit is not None and (t == edit["at"] or (edit.get("every") and t > edit["at"])):
            calls.append(f"every group's lr *= {edit['factor']}")
        if t == spec.get("second_at"):
            calls.append("a second scheduler built on the same optimizer (it is stepped from here)")
        if t == spec.get("resume_at"):
            calls.append("resume: state_dict -> pickle -> new optimizer, new scheduler, "
                         "optimizer.load_state_dict, scheduler.load_state_dict")
    folded: list[str] = []
    for call in calls:
        if folded and call == "step()" and folded[-1].startswith("step() x"):
            folded[-1] = f"step() x{int(folded[-1][8:]) + 1}"
        elif folded and call == "step()" and folded[-1] == "step()":
            folded[-1] = "step() x2"
        else:
            folded.append(call)
    if len(folded) > MAX_CALLS:
        folded = [folded[0], f"... {len(folded) - MAX_CALLS + 1} more calls ..."] + folded[-(MAX_CALLS - 2):]
    return folded


def window(expected: np.ndarray, got: np.ndarray, t: int, group: int) -> list[dict[str, Any]]:
    """Rows ``{"step", "expected", "got"}`` for ``t - WINDOW .. t + WINDOW`` of one group (None where a side
    has no value)."""
    rows = []
    for k in range(max(0, t - WINDOW), t + WINDOW + 1):
        e = float(expected[k, group]) if k < len(expected) else None
        g = float(got[k, group]) if k < len(got) else None
        if e is None and g is None:
            break
        rows.append({"step": k, "expected": e, "got": g})
    return rows


def plateau_state(spec: dict[str, Any], upto: int) -> str | None:
    """torch's ReduceLROnPlateau state after the metric of index ``upto``: ``best``, bad epochs, cooldown."""
    from lrlab import catalog

    if spec["sched"] != catalog.PLATEAU or spec.get("metrics") is None or spec["opt"] == "none":
        return None
    import warnings

    from lrlab.grading.driver import make_optimizer
    from lrlab.stepping import drive

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            opt = make_optimizer(spec)
            sched = drive(catalog.torch_class(catalog.PLATEAU)(opt, **spec["kwargs"]), upto + 1,
                          lambda t, s: None, step=lambda s, t: s.step(spec["metrics"][t - 1]))
        except Exception:  # noqa: BLE001 - the explanation is optional
            return None
    return (f"torch's state at step {upto}: best={sched.best!r}, num_bad_epochs={sched.num_bad_epochs}, "
            f"cooldown_counter={sched.cooldown_counter}")
