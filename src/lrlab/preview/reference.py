"""Reference schedules: step a real scheduler class (torch's, or any torch-compatible module's) on a real
torch optimizer and record ``get_last_lr()`` and the group momentum (SGD ``momentum`` / Adam ``betas[0]``)
after t calls to ``step()``.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
import torch

from lrlab import catalog
from lrlab.preview.registry import (
    check_children,
    check_milestones,
    check_name,
    cycles_momentum,
    make_child,
)
from lrlab.preview.schedule import Schedule
from lrlab.preview.validation import check_choice, check_lr, check_momentum, check_steps
from lrlab.stepping import make_optimizer, step_schedule

OPTIMIZERS = ("sgd", "adam")


def _optimizer(lrs: np.ndarray, momentum: float | None, optimizer: str) -> torch.optim.Optimizer:
    return make_optimizer(lrs, optimizer=optimizer, momentum=momentum)


def _common(steps: Any, lr: Any, momentum: Any, optimizer: Any) -> tuple[int, np.ndarray, float | None, str]:
    steps = check_steps(steps)
    lrs = check_lr(lr)
    momentum = check_momentum(momentum)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    return steps, lrs, momentum, optimizer


def _scheduler_class(module: ModuleType, name: str) -> type:
    check_name(name)
    cls = getattr(module, name, None)
    if cls is None and module is torch.optim.lr_scheduler:  # torch's classes outside lr_scheduler (SWALR)
        from lrlab import catalog

        cls = catalog.torch_class(name)
    if cls is None:
        raise ValueError(f"module {getattr(module, '__name__', module)!r} has no scheduler class {name!r}")
    return cls


def module_schedule(module: ModuleType, name: str, steps: int, *, lr: float | list[float] = 0.1,
                    momentum: float | None = None, optimizer: str = "sgd", validate: bool = True,
                    **params: Any) -> Schedule:
    """Step ``module.<name>(opt, **params)`` for ``steps`` entries (``validate=False`` lets the class itself
    reject bad params, e.g. to grade a learner's exceptions)."""
    steps, lrs, momentum, optimizer = _common(steps, lr, momentum, optimizer)
    cls = _scheduler_class(module, name)
    if validate:
        make_child(name, params, len(lrs))
    rec = cycles_momentum(name, params) or momentum is not None
    lr_arr, mom = step_schedule(lambda opt: cls(opt, **params), _optimizer(lrs, momentum, optimizer), steps, record_momentum=rec)
    return Schedule(name, dict(params), lr_arr, mom, source=getattr(module, "__name__", "module"))


def torch_schedule(name: str, steps: int, *, lr: float | list[float] = 0.1, momentum: float | None = None,
                   optimizer: str = "sgd", **params: Any) -> Schedule:
    """Step torch's own ``torch.optim.lr_scheduler.<name>`` (the reference) for ``steps`` entries."""
    return module_schedule(catalog.torch_namespace(), name, steps, lr=lr, momentum=momentum, optimizer=optimizer,
                           **params)


def _build_children(module: ModuleType, pairs: list[tuple[str, dict[str, Any]]], n_groups: int,
                    validate: bool) -> Callable[[torch.optim.Optimizer], list[Any]]:
    classes = [_scheduler_class(module, n) for n, _ in pairs]
    if validate:
        for n, p in pairs:
            make_child(n, p, n_groups)
    return lambda opt: [cls(opt, **p) for cls, (_, p) in zip(classes, pairs, strict=True)]


def module_sequential(module: ModuleType, children: list[tuple[str, dict[str, Any]]], milestones: list[int],
                      steps: int, *, lr: float | list[float] = 0.1, momentum: float | None = None,
                      optimizer: str = "sgd", validate: bool = True) -> Schedule:
    """Step ``module.SequentialLR(opt, [children...], milestones)``."""
    steps, lrs, momentum, optimizer = _common(steps, lr, momentum, optimizer)
    pairs = check_children(children)
    ms = check_milestones(milestones, len(pairs))
    kids = _build_children(module, pairs, len(lrs), validate)
    seq = module.SequentialLR
    rec = any(cycles_momentum(n, p) for n, p in pairs) or momentum is not None
    lr_arr, mom = step_schedule(lambda opt: seq(opt, kids(opt), list(ms)), _optimizer(lrs, momentum, optimizer),
                                steps, record_momentum=rec)
    return Schedule(catalog.SEQUENTIAL, {"children": pairs, "milestones": ms}, lr_arr, mom,
                    source=getattr(module, "__name__", "module"))


def module_chained(module: ModuleType, children: list[tuple[str, dict[str, Any]]], steps: int, *,
                   lr: float | list[float] = 0.1, momentum: float | None = None, optimizer: str = "sgd",
                   validate: bool = True) -> Schedule:
    """Step ``module.ChainedScheduler([children...], optimizer=opt)``."""
    steps, lrs, momentum, optimizer = _common(steps, lr, momentum, optimizer)
    pairs = check_children(children)
    kids = _build_children(module, pairs, len(lrs), validate)
    chained = module.ChainedScheduler
    rec = any(cycles_momentum(n, p) for n, p in pairs) or momentum is not None
    lr_arr, mom = step_schedule(lambda opt: chained(kids(opt), optimizer=opt), _optimizer(lrs, momentum, optimizer),
                                steps, record_momentum=rec)
    return Schedule(catalog.CHAINED, {"children": pairs}, lr_arr, mom,
                    source=getattr(module, "__name__", "module"))


def torch_sequential(children: list[tuple[str, dict[str, Any]]], milestones: list[int], steps: int, *,
                     lr: float | list[float] = 0.1, momentum: float | None = None,
                     optimizer: str = "sgd") -> Schedule:
    """Step torch's SequentialLR over torch children (the reference for ``preview_sequential``)."""
    return module_sequential(catalog.torch_namespace(), children, milestones, steps, lr=lr, momentum=momentum,
                             optimizer=optimizer)


def torch_chained(children: list[tuple[str, dict[str, Any]]], steps: int, *, lr: float | list[float] = 0.1,
                  momentum: float | None = None, optimizer: str = "sgd") -> Schedule:
    """Step torch's ChainedScheduler over torch children (the reference for ``preview_chained``)."""
    return module_chained(catalog.torch_namespace(), children, steps, lr=lr, momentum=momentum, optimizer=optimizer)


def module_plateau(module: ModuleType, metrics: Any, *, lr: float | list[float] = 0.1, momentum: float | None = None,
                   optimizer: str = "sgd", validate: bool = True, **params: Any) -> Schedule:
    """Step ``module.ReduceLROnPlateau(opt, **params)`` with ``step(metrics[t])``: entry t = LR after t calls."""
    from lrlab.preview.plateau import check_metrics, plateau_params

    vals = check_metrics(metrics)
    _, lrs, momentum, optimizer = _common(1, lr, momentum, optimizer)
    if validate:
        plateau_params(len(lrs), params)
    cls = getattr(module, catalog.PLATEAU, None)
    if cls is None:
        raise ValueError(f"module {getattr(module, '__name__', module)!r} has no scheduler class {catalog.PLATEAU!r}")
    out, mom = step_schedule(lambda opt: cls(opt, **params), _optimizer(lrs, momentum, optimizer), 0,
                             record_momentum=momentum is not None, metrics=list(vals))
    return Schedule(catalog.PLATEAU, dict(params), out, mom, source=getattr(module, "__name__", "module"))


def torch_plateau(metrics: Any, *, lr: float | list[float] = 0.1, momentum: float | None = None,
                  optimizer: str = "sgd", **params: Any) -> Schedule:
    """Step torch's ReduceLROnPlateau over ``metrics`` (the reference for ``preview_plateau``)."""
    return module_plateau(catalog.torch_namespace(), metrics, lr=lr, momentum=momentum, optimizer=optimizer,
                          **params)
