"""The engine: a scheduler alone, SequentialLR and ChainedScheduler over closed-form children.

SequentialLR (torch 2.13): children are built in order (each does its initial step), the group lr is reset
to ``initial_lr``, child ``bisect_right(milestones, 0)`` does its initial step again; at step t the active
child is ``bisect_right(milestones, t)`` and at a milestone t it restarts with ``_update_lr(0)`` (its closed
form at epoch 0), then runs on its local epoch t − milestone.
ChainedScheduler: every step calls each child's ``step()`` in order on the same group lr, so multiplicative
children multiply, and a child recomputed from base values (CAWR, CyclicLR, OneCycleLR) overwrites all
earlier ones. A child of kind ``"op"`` (SWALR) is any map of the current lr, given by its ``step_map(x, t)``
(replayed step by step) and ``step_rows(x, n)`` (after the last absolute child).
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from lrlab.preview.child import Child, GroupState
from lrlab.preview.cosine import CosineAnnealingLRChild


def new_group(lr: np.ndarray, momentum: float | None) -> GroupState:
    """Group state of a fresh optimizer with learning rates ``lr``."""
    return GroupState(lr=lr.copy(), momentum=np.full(lr.shape, 0.0 if momentum is None else momentum))


def construct_all(children: list[Child], group: GroupState) -> None:
    """Run each child's constructor side effects and initial step, in order (mutates ``group``)."""
    for ch in children:
        ch.construct(group)
        group.lr = ch.initial(group.lr, group)
        if ch.cycles_momentum:
            group.momentum = ch.momentum(1, group)[0]


def run_sequential(
    children: list[Child], milestones: list[int], steps: int, group: GroupState, *, standalone: bool = False,
    need_momentum: bool = True,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(lr, momentum) arrays of shape (steps, G) for SequentialLR (or one scheduler when ``standalone``);
    momentum is None when not ``need_momentum`` and no child cycles it."""
    construct_all(children, group)
    if standalone:
        first = children[0]
        x0 = group.lr
    else:
        group.lr = group.initial_lr.copy()
        first = children[bisect_right(milestones, 0)]
        x0 = first.initial(group.lr, group)
        if first.cycles_momentum:
            group.momentum = first.momentum(1, group)[0]
    starts = sorted({m for m in milestones if 1 <= m < steps})
    bounds = [0, *starts, steps]
    if len(bounds) == 2 and standalone:
        lr = first.run(steps, x0, group)
        mom = first.momentum(steps, group) if first.cycles_momentum else None
        return lr, mom if mom is not None else np.broadcast_to(group.momentum, lr.shape)
    lr = np.empty((steps, len(x0)))
    track = need_momentum or any(ch.cycles_momentum for ch in children)
    mom = np.empty_like(lr) if track else None
    m_cur = group.momentum
    for j in range(len(bounds) - 1):
        s, e = bounds[j], bounds[j + 1]
        if j == 0:
            child = first
        else:
            child = children[bisect_right(milestones, s)]
            x0 = child.reset(lr[s - 1], group)
        lr[s:e] = child.run(e - s, x0, group)
        if mom is None:
            continue
        if child.cycles_momentum:
            mom[s:e] = child.momentum(e - s, group)
            m_cur = mom[e - 1]
        else:
            mom[s:e] = m_cur
    return lr, mom


def _apply_step_op(ch: Child, x: np.ndarray, n: int) -> np.ndarray:
    """Apply one child's step() at every epoch 1..n-1 to independent inputs ``x`` (rows = epochs)."""
    if ch.kind == "mul":
        return x * ch.factors(n)
    if ch.kind == "op":
        return ch.step_rows(x, n)  # type: ignore[attr-defined]
    if not isinstance(ch, CosineAnnealingLRChild):  # "abs" children never follow the last "abs" one
        raise TypeError(f"unexpected child kind {ch.kind!r} after the last absolute scheduler")
    r = ch.ratios(n)
    out = r[:, None] * (x - ch.eta) + ch.eta
    corr = ch.correction_steps(n)
    out[corr] = x[corr] + ch.correction()[None, :]
    return out


def run_chained(children: list[Child], steps: int, group: GroupState) -> tuple[np.ndarray, np.ndarray]:
    """(lr, momentum) arrays of shape (steps, G) for ChainedScheduler."""
    construct_all(children, group)
    for ch in children:
        ch.check_horizon(steps)
    x0, n, g = group.lr.copy(), steps, len(group.lr)
    cyclers = [ch for ch in children if ch.cycles_momentum]
    mom = cyclers[-1].momentum(n, group) if cyclers else np.broadcast_to(group.momentum, (n, g)).copy()
    absolute = [i for i, ch in enumerate(children) if ch.kind == "abs"]
    if absolute:
        last = absolute[-1]
        x = children[last].values(n, group)
        for ch in children[last + 1 :]:
            x = _apply_step_op(ch, x, n)
        x[0] = x0
        return x, mom
    if all(ch.kind == "mul" for ch in children):  # one combined factor per step, then a product over steps
        f = children[0].factors(n)
        for ch in children[1:]:
            f *= ch.factors(n)
        f[0] = x0
        return np.cumprod(f, axis=0), mom
    if all(ch.kind == "mul" or (ch.kind == "cos" and ch.eta == 0.0) for ch in children):  # type: ignore[attr-defined]
        return _chained_products(children, x0, n), mom
    return _chained_loop(children, x0, n), mom


def _chained_products(children: list[Child], x0: np.ndarray, n: int) -> np.ndarray:
    """Multiplicative chain (cosine with η = 0 included): one flat cumulative product per correction-free run."""
    k, g = len(children), len(x0)
    fac = np.ones((n, k, g))
    add = np.zeros((n, k, g))
    is_add = np.zeros((n, k), dtype=bool)
    for j, ch in enumerate(children):
        if ch.kind == "mul":
            fac[:, j] = ch.factors(n)
        else:
            fac[:, j] = ch.ratios(n)[:, None]
            corr = ch.correction_steps(n)
            is_add[corr, j] = True
            add[corr, j] = ch.correction()
            fac[corr, j] = 1.0
    fac, add, is_add = fac[1:].reshape(-1, g), add[1:].reshape(-1, g), is_add[1:].reshape(-1)
    vals = np.empty_like(fac)
    x = x0.copy()
    prev = 0
    for p in [*np.flatnonzero(is_add), len(fac)]:
        if p > prev:
            seg = np.cumprod(np.vstack([x[None, :], fac[prev:p]]), axis=0)
            vals[prev:p] = seg[1:]
            x = seg[-1]
        if p < len(fac):
            x = x + add[p]
            vals[p] = x
        prev = p + 1
    out = np.empty((n, g))
    out[0] = x0
    out[1:] = vals.reshape(n - 1, k, g)[:, -1]
    return out


def _chained_loop(children: list[Child], x0: np.ndarray, n: int) -> np.ndarray:
    """General chain with affine steps (cosine with η != 0, SWALR): replayed step by step (exact, slower)."""
    ops = []
    for ch in children:
        if ch.kind == "mul":
            ops.append(("mul", ch.factors(n), None, None))
        elif ch.kind == "op":
            ops.append(("op", None, None, ch))
        else:
            mask = np.zeros(n, dtype=bool)
            mask[ch.correction_steps(n)] = True
            ops.append(("cos", ch.ratios(n), mask, ch))
    out = np.empty((n, len(x0)))
    out[0] = x = x0.copy()
    for t in range(1, n):
        for kind, arr, mask, ch in ops:
            if kind == "mul":
                x = x * arr[t]
            elif kind == "op":
                x = ch.step_map(x, t)
            elif mask[t]:
                x = x + ch.correction()
            else:
                x = arr[t] * (x - ch.eta) + ch.eta
        out[t] = x
    return out
