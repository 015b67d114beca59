"""Scheduler names -> closed-form classes, and the parsing of (name, params) children."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lrlab.preview.child import Child
from lrlab.preview.cosine import CosineAnnealingLRChild, CosineAnnealingWarmRestartsChild
from lrlab.preview.cyclic import CyclicLRChild
from lrlab.preview.lambda_lr import LambdaLRChild
from lrlab.preview.linear import LinearLRChild
from lrlab.preview.one_cycle import OneCycleLRChild
from lrlab.preview.step import ExponentialLRChild, MultiStepLRChild, StepLRChild
from lrlab.preview.validation import check_int

CHILD_CLASSES: dict[str, type[Child]] = {
    c.name: c
    for c in (
        StepLRChild, MultiStepLRChild, ExponentialLRChild, CosineAnnealingLRChild,
        CosineAnnealingWarmRestartsChild, CyclicLRChild, OneCycleLRChild, LinearLRChild, LambdaLRChild,
    )
}
SCHEDULERS: tuple[str, ...] = tuple(CHILD_CLASSES)
MOMENTUM_CYCLERS = ("CyclicLR", "OneCycleLR")


def check_name(name: Any) -> str:
    """``name`` must be one of ``SCHEDULERS`` (torch class names)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a scheduler class name (str), got {type(name).__name__} {name!r}")
    if name not in CHILD_CLASSES:
        raise ValueError(f"unknown scheduler name {name!r}; known: {list(SCHEDULERS)}")
    return name


def make_child(name: Any, params: dict[str, Any], n_groups: int) -> Child:
    """Validate ``params`` like torch and return the closed-form object for ``name``."""
    return CHILD_CLASSES[check_name(name)](dict(params), n_groups)


def cycles_momentum(name: str, params: dict[str, Any]) -> bool:
    """True when ``name`` with ``params`` writes the optimizer's momentum (cycle_momentum defaults to True)."""
    return name in MOMENTUM_CYCLERS and bool(params.get("cycle_momentum", True))


def check_children(children: Any) -> list[tuple[str, dict[str, Any]]]:
    """``children``: a non-empty list of (name, params) pairs (warmup first)."""
    if isinstance(children, (str, bytes)) or not isinstance(children, Sequence) or len(children) == 0:
        raise ValueError(f"children must be a non-empty list of (name, params) pairs, got {children!r}")
    out = []
    for i, item in enumerate(children):
        if not isinstance(item, (tuple, list)) or len(item) != 2 or not isinstance(item[1], dict):
            raise TypeError(f"children[{i}] must be a (name, params dict) pair, got {item!r}")
        out.append((check_name(item[0]), dict(item[1])))
    return out


def check_milestones(milestones: Any, n_children: int) -> list[int]:
    """SequentialLR milestones: non-decreasing ints >= 0, exactly one fewer than the children."""
    if isinstance(milestones, (str, bytes)) or not isinstance(milestones, Sequence):
        raise TypeError(f"milestones must be a list of ints, got {milestones!r}")
    ms = [check_int(f"milestones[{i}]", m, minimum=0) for i, m in enumerate(milestones)]
    if len(ms) != n_children - 1:
        raise ValueError(
            "milestones must have one entry fewer than children: Sequential Schedulers expects number of "
            f"schedulers provided to be one more than the number of milestone points, but got number of "
            f"schedulers {n_children} and the number of milestones to be equal to {len(ms)}")
    if any(b < a for a, b in zip(ms, ms[1:], strict=False)):
        raise ValueError(f"milestones must be non-decreasing, got {ms}")
    return ms
