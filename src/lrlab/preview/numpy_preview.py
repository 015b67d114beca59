"""Public numpy previews: a whole schedule without stepping an optimizer.

Index t of every array = ``get_last_lr()`` after t calls to ``step()`` (0 = right after construction).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lrlab import catalog
from lrlab.preview.compose import new_group, run_chained, run_sequential
from lrlab.preview.registry import check_children, check_milestones, make_child
from lrlab.preview.schedule import Schedule
from lrlab.preview.validation import check_lr, check_momentum, check_steps


def _momentum_out(mom: np.ndarray | None, cycles: bool, momentum: float | None) -> np.ndarray | None:
    if mom is None or not (cycles or momentum is not None):
        return None
    return mom if mom.flags.writeable else mom.copy()


def preview(name: str, steps: int, *, lr: float | list[float] = 0.1, momentum: float | None = None,
            **params: Any) -> Schedule:
    """Closed-form schedule of torch scheduler ``name`` over ``steps`` entries, per param group.

    ``lr``: the optimizer's lr (a list gives one param group each); ``momentum``: its initial momentum
    (SGD ``momentum`` / Adam ``betas[0]``), reported as a constant when the scheduler does not cycle it.
    ``params``: the scheduler's constructor arguments (list-valued per group where torch allows it).
    """
    steps = check_steps(steps)
    lrs = check_lr(lr)
    momentum = check_momentum(momentum)
    child = make_child(name, params, len(lrs))
    lr_arr, mom = run_sequential([child], [], steps, new_group(lrs, momentum), standalone=True)
    return Schedule(name, dict(child.params), lr_arr, _momentum_out(mom, child.cycles_momentum, momentum))


def preview_sequential(children: list[tuple[str, dict[str, Any]]], milestones: list[int], steps: int, *,
                       lr: float | list[float] = 0.1, momentum: float | None = None) -> Schedule:
    """Closed-form SequentialLR(children, milestones): child k runs from milestone k−1, restarted at epoch 0."""
    steps = check_steps(steps)
    lrs = check_lr(lr)
    momentum = check_momentum(momentum)
    pairs = check_children(children)
    ms = check_milestones(milestones, len(pairs))
    objs = [make_child(n, p, len(lrs)) for n, p in pairs]
    lr_arr, mom = run_sequential(objs, ms, steps, new_group(lrs, momentum), need_momentum=momentum is not None)
    params = {"children": [(c.name, dict(c.params)) for c in objs], "milestones": ms}
    cycles = any(c.cycles_momentum for c in objs)
    return Schedule(catalog.SEQUENTIAL, params, lr_arr, _momentum_out(mom, cycles, momentum))


def preview_chained(children: list[tuple[str, dict[str, Any]]], steps: int, *, lr: float | list[float] = 0.1,
                    momentum: float | None = None) -> Schedule:
    """Closed-form ChainedScheduler(children): every step applies each child's step in order."""
    steps = check_steps(steps)
    lrs = check_lr(lr)
    momentum = check_momentum(momentum)
    objs = [make_child(n, p, len(lrs)) for n, p in check_children(children)]
    lr_arr, mom = run_chained(objs, steps, new_group(lrs, momentum))
    params = {"children": [(c.name, dict(c.params)) for c in objs]}
    cycles = any(c.cycles_momentum for c in objs)
    return Schedule(catalog.CHAINED, params, lr_arr, _momentum_out(mom, cycles, momentum))
