"""Scheduler names -> closed-form classes, and the parsing of (name, params) children."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from lrlab import catalog
from lrlab.preview.child import Child
from lrlab.preview.validation import PreviewZeroDivisionError, check_int

#: The modules that hold closed forms; each ``Child`` subclass registers itself (``Child.__init_subclass__``).
FORMULA_MODULES = ("step", "linear", "cosine", "cyclic", "one_cycle", "lambda_lr")
for _module in FORMULA_MODULES:
    importlib.import_module(f"lrlab.preview.{_module}")

#: Closed forms in course order (the catalog's order).
CHILD_CLASSES: dict[str, type[Child]] = {n: Child.registry[n] for n in catalog.SCHEDULERS if n in Child.registry}
SCHEDULERS: tuple[str, ...] = tuple(CHILD_CLASSES)


def check_name(name: Any) -> str:
    """``name`` must be one of ``SCHEDULERS`` (torch class names)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a scheduler class name (str), got {type(name).__name__} {name!r}")
    if name not in CHILD_CLASSES:
        raise ValueError(f"unknown scheduler name {name!r}; known: {list(SCHEDULERS)}")
    return name


def make_child(name: Any, params: dict[str, Any], n_groups: int) -> Child:
    """Validate ``params`` with torch's own constructor and return the closed-form object for ``name``."""
    check_name(name)
    ask_torch(name, params, n_groups)
    return CHILD_CLASSES[name](dict(params), n_groups)


def ask_torch(name: str, params: dict[str, Any], n_groups: int) -> None:
    """Raise what torch's constructor raises for ``name(**params)`` (same type; the message names the call)."""
    try:
        catalog.torch_check(name, params, n_groups)
    except (TypeError, ValueError, KeyError, ZeroDivisionError, OverflowError) as exc:
        args = ", ".join(f"{k}={v!r}" for k, v in params.items())
        kind = PreviewZeroDivisionError if isinstance(exc, ZeroDivisionError) else type(exc)
        raise kind(f"{name}({args}): torch rejects it: {exc}") from None


def cycles_momentum(name: str, params: dict[str, Any]) -> bool:
    """True when ``name`` with ``params`` writes the optimizer's momentum (cycle_momentum defaults to True)."""
    return name in CHILD_CLASSES and catalog.get(name).cycles_momentum and bool(params.get("cycle_momentum", True))


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
