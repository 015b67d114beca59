"""Optimizers, scheduler checks and the torch runtime settings (threads, determinism) of the training lab.

Threads: the lab's matrices are tiny (batch 64 x 64 features), so extra intra-op threads only add
synchronisation cost, and the course machines (and CI) have 2 cores shared with Jupyter, the browser and other
kernels. Measured on such a machine under load (``python -m lrlab.training.benchmark``): a 10-epoch MLP run
took 0.18 s with 1 thread and 18 s with 2 (OpenMP workers waiting for a busy core); unloaded, 2 threads save
little. The thread count can also change float summation order, so a fixed count (1 by default) is part of
what makes "same seed -> identical History" hold. The previous settings are restored afterwards.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn

from lrlab import catalog
from lrlab.stepping import torch_optimizer
from lrlab.training._checks import check_choice, check_float

OPTIMIZERS = ("sgd", "adam", "adamw")


def make_optimizer(
    name: str,
    params: Any,
    *,
    lr: float,
    momentum: float = 0.9,
    betas: tuple[float, float] = (0.9, 0.999),
    weight_decay: float = 0.0,
) -> torch.optim.Optimizer:
    """Build ``SGD(lr, momentum)``, ``Adam(lr, betas)`` or ``AdamW(lr, betas)`` with ``weight_decay`` on the
    model's ``params``: the lab's argument checks, then the toolkit's one factory (``stepping.torch_optimizer``)."""
    name = check_choice("optimizer", name, OPTIMIZERS)
    lr = check_float("lr", lr, gt=0.0)
    weight_decay = check_float("weight_decay", weight_decay, ge=0.0)
    if name == "sgd":
        momentum = check_float("momentum", momentum, ge=0.0, lt=1.0)
        return torch_optimizer("sgd", params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2) with 0 <= beta < 1, got {betas!r}")
    b1 = check_float("betas[0]", betas[0], ge=0.0, lt=1.0)
    b2 = check_float("betas[1]", betas[1], ge=0.0, lt=1.0)
    return torch_optimizer(name, params, lr=lr, betas=(b1, b2), weight_decay=weight_decay)


def group_momentum(group: dict[str, Any]) -> float:
    """The momentum a param group uses: ``betas[0]`` for Adam-like groups, else ``momentum``, else NaN."""
    if "betas" in group:
        return float(group["betas"][0])
    if "momentum" in group:
        return float(group["momentum"])
    return math.nan


def is_plateau(scheduler: Any) -> bool:
    """True for ReduceLROnPlateau (torch's or any class of that name, e.g. the learner's): it steps on a metric."""
    return any(cls.__name__ == catalog.PLATEAU for cls in type(scheduler).__mro__)


def build_scheduler(factory: Callable[[torch.optim.Optimizer], Any] | None, optimizer: torch.optim.Optimizer) -> Any:
    """Call ``factory(optimizer)`` and check the result is a scheduler bound to that optimizer (or None)."""
    if factory is None:
        return None
    if not callable(factory):
        raise TypeError(
            "scheduler must be None or a factory such as `lambda optimizer: StepLR(optimizer, 3)`, "
            f"not {type(factory).__name__}"
        )
    scheduler = factory(optimizer)
    if scheduler is None:
        return None
    if not callable(getattr(scheduler, "step", None)):
        raise TypeError(
            f"scheduler factory must return an object with a step() method, got {type(scheduler).__name__}"
        )
    bound = getattr(scheduler, "optimizer", optimizer)
    if bound is not optimizer:
        raise ValueError(
            "scheduler factory must build the scheduler on the optimizer it is given "
            "(use `lambda optimizer: Sched(optimizer, ...)`, not a scheduler bound to another optimizer)"
        )
    return scheduler


def scheduler_name(scheduler: Any) -> str:
    """``module.ClassName`` of a scheduler, or "constant" for None."""
    if scheduler is None:
        return "constant"
    cls = type(scheduler)
    return f"{cls.__module__}.{cls.__qualname__}"


@contextlib.contextmanager
def torch_settings(num_threads: int, deterministic: bool = True) -> Iterator[None]:
    """Set torch's intra-op thread count and deterministic-algorithms flag, restoring both on exit."""
    prev_threads = torch.get_num_threads()
    prev_det = torch.are_deterministic_algorithms_enabled()
    prev_warn = torch.is_deterministic_algorithms_warn_only_enabled()
    try:
        if num_threads != prev_threads:
            torch.set_num_threads(num_threads)
        if deterministic and not prev_det:
            torch.use_deterministic_algorithms(True)
        yield
    finally:
        if torch.get_num_threads() != prev_threads:
            torch.set_num_threads(prev_threads)
        if torch.are_deterministic_algorithms_enabled() != prev_det:
            torch.use_deterministic_algorithms(prev_det, warn_only=prev_warn)


def resolve_model(model: str | nn.Module, *, hidden: int, seed: int) -> nn.Module:
    """A fresh seeded model for "mlp"/"cnn", or the given ``nn.Module`` itself (trained in place)."""
    from lrlab.training.model import make_model

    if isinstance(model, nn.Module):
        return model
    if not isinstance(model, str):
        raise TypeError(f"model must be 'mlp', 'cnn' or a torch.nn.Module, not {type(model).__name__}")
    return make_model(model, hidden=hidden, seed=seed)
