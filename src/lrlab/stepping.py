"""The one optimizer factory and the one stepping loop: build a scheduler on a real torch optimizer, step it,
and record what it wrote.

:func:`drive` is the loop; :func:`step_schedule` is its plain use. Index t of a recorded schedule =
``get_last_lr()`` (the group LRs for ReduceLROnPlateau) after t calls to ``step()`` (0 = right after
construction); momentum likewise (SGD ``momentum`` / Adam ``betas[0]``). ReduceLROnPlateau is stepped with
``step(metrics[t - 1])``. Used by the preview's reference, the explorer's overlay, the bench, the lessons and
(with its interventions: LR edits, a second scheduler, a resume) the grading driver.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

OPTIMIZERS = ("sgd", "adam", "adagrad")
#: every optimizer kind the toolkit builds (the training lab adds AdamW), and torch's class for it
OPTIMIZER_CLASSES = {"sgd": "SGD", "adam": "Adam", "adamw": "AdamW", "adagrad": "Adagrad"}


def torch_optimizer(kind: str, params: Any, *, lr: float, momentum: float = 0.0,
                    betas: tuple[float, float] = (0.9, 0.999), weight_decay: float = 0.0) -> Any:
    """torch's optimizer ``kind`` on ``params`` (tensors or param-group dicts): SGD gets ``momentum``, Adam and
    AdamW ``betas``, Adagrad neither; all get ``lr`` (the default of groups without their own) and
    ``weight_decay``. Arguments are the caller's to check; torch's constructor judges the rest."""
    import torch

    if kind not in OPTIMIZER_CLASSES:
        raise ValueError(f"optimizer must be one of {list(OPTIMIZER_CLASSES)}, got {kind!r}")
    cls = getattr(torch.optim, OPTIMIZER_CLASSES[kind])
    if kind == "sgd":
        return cls(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if kind in ("adam", "adamw"):
        return cls(params, lr=lr, betas=tuple(betas), weight_decay=weight_decay)
    return cls(params, lr=lr, weight_decay=weight_decay)


def make_optimizer(lrs: Sequence[float] | np.ndarray, *, optimizer: str = "sgd",
                   momentum: float | None = None, beta2: float = 0.999) -> Any:
    """A torch optimizer with one param group (one zero tensor) per entry of ``lrs``.

    ``momentum``: SGD's momentum or Adam's beta1 (None: SGD 0, Adam 0.9); ``beta2``: Adam's betas[1].
    ``optimizer``: sgd, adam or adagrad.
    """
    import torch

    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {optimizer!r}")
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": float(v)} for v in lrs]
    if not groups:
        raise ValueError("lrs must hold at least one learning rate (one per param group)")
    lr0 = float(lrs[0])
    if optimizer == "sgd":
        return torch_optimizer("sgd", groups, lr=lr0, momentum=0.0 if momentum is None else momentum)
    if optimizer == "adam":
        return torch_optimizer("adam", groups, lr=lr0, betas=(0.9 if momentum is None else momentum, beta2))
    return torch_optimizer("adagrad", groups, lr=lr0)


def group_momentum(opt: Any) -> list[float]:
    """Each group's momentum: ``betas[0]`` where the group has betas (Adam-like), else ``momentum`` (0 when
    absent: Adagrad)."""
    return [float(g["betas"][0]) if "betas" in g else float(g.get("momentum", 0.0)) for g in opt.param_groups]


def drive(scheduler: Any, steps: int, record: Callable[[int, Any], None], *,
          step: Callable[[Any, int], None] | None = None,
          between: Callable[[int, Any], Any] | None = None) -> Any:
    """The stepping loop. For t = 0..steps-1: call step (t > 0: ``step(scheduler, t)``, default
    ``scheduler.step()``), then ``record(t, scheduler)``, then ``between(t, scheduler)``, which returns the
    scheduler to go on with (itself, or a new one: a second scheduler, a resumed one). Index t is thus the
    state after t calls of ``step()``. Returns the last scheduler.

    Every loop of the toolkit that steps a scheduler (the preview's reference, the explorer, the lessons,
    the grading driver in the sandbox) is this one, so torch and a learner's class are stepped alike.
    """
    for t in range(steps):
        if t:
            if step is None:
                scheduler.step()
            else:
                step(scheduler, t)
        record(t, scheduler)
        if between is not None:
            scheduler = between(t, scheduler)
    return scheduler


def step_schedule(build: Callable[[Any], Any], opt: Any, steps: int, *, record_momentum: bool = False,
                  metrics: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Build the scheduler on ``opt`` and record lr (and momentum) after 0..steps-1 calls to ``step()``.

    With ``metrics`` (ReduceLROnPlateau) call ``step(metrics[t - 1])`` and record the group LRs; ``steps`` is
    then ``len(metrics) + 1``.
    """
    if metrics is not None:
        steps = len(metrics) + 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # order/deprecation warnings are torch's noise here
        sched = build(opt)
        opt.step()  # grads are None: a no-op that marks the optimizer as stepped
        g = len(opt.param_groups)
        lrs = np.empty((steps, g))
        mom = np.empty((steps, g)) if record_momentum else None

        def record(t: int, sched: Any) -> None:
            lrs[t] = ([float(v) for v in sched.get_last_lr()] if metrics is None
                      else [float(group["lr"]) for group in opt.param_groups])
            if mom is not None:
                mom[t] = group_momentum(opt)

        drive(sched, steps, record, step=None if metrics is None else lambda s, t: s.step(metrics[t - 1]))
    return lrs, mom
