"""Self-check for the bonus classes of chapter 10: the learner's class against ``lrlab.modern``'s formula.

``check_modern("WarmupStableDecayLR")`` imports ``schedulers.modern`` (the package chosen by
``LRLAB_SCHEDULERS``), steps the class in several configurations (two param groups, up to 5000 steps),
resumes it from ``state_dict`` and feeds it bad input, then prints one line per check: the first differing
step with expected and got, or "not implemented yet" for a stub.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from lrlab import modern

RTOL, ATOL = 1e-9, 1e-12
LRS = (0.1, 0.02)

CASES: dict[str, list[tuple[dict[str, Any], Callable[..., np.ndarray]]]] = {
    "InverseSqrtLR": [
        (dict(warmup_steps=w, timescale=tau), lambda t, lr, w=w, tau=tau: modern.inverse_sqrt_hf(t, lr, w, tau))
        for w, tau in ((0, None), (10, None), (400, 1000.0))
    ],
    "WarmupStableDecayLR": [
        (dict(warmup_steps=W, stable_steps=S, decay_steps=D, warmup_type=a, decay_type=b, min_lr_ratio=r),
         lambda t, lr, W=W, S=S, D=D, a=a, b=b, r=r: modern.wsd(t, lr, W, S, D, warmup_type=a, decay_type=b,
                                                                min_lr_ratio=r))
        for W, S, D, a, b, r in ((100, 3000, 600, "linear", "cosine", 0.0), (7, 50, 40, "cosine", "1-sqrt", 0.1),
                                 (0, 10, 1000, "1-sqrt", "linear", 0.01))
    ],
    "CosineLR": [
        (kw, lambda t, lr, kw=kw: modern.timm_cosine(t, lr, **kw))
        for kw in (dict(t_initial=1000), dict(t_initial=300, lr_min=1e-4, warmup_t=20, warmup_lr_init=1e-5),
                   dict(t_initial=100, cycle_mul=2.0, cycle_decay=0.5, cycle_limit=5, k_decay=2.0, warmup_t=10,
                        warmup_prefix=True),
                   dict(t_initial=200, cycle_limit=10, cycle_decay=0.8, k_decay=0.5, lr_min=1e-3))
    ],
}
BAD = {
    "InverseSqrtLR": [(dict(warmup_steps=-1), ValueError), (dict(warmup_steps=2.5), TypeError),
                      (dict(warmup_steps=10, timescale=0), ValueError)],
    "WarmupStableDecayLR": [(dict(warmup_steps=1, stable_steps=2, decay_steps=3, decay_type="exp"), ValueError),
                            (dict(warmup_steps=1, stable_steps=-2, decay_steps=3), ValueError),
                            (dict(warmup_steps=1, stable_steps=2, decay_steps=3, min_lr_ratio=2.0), ValueError)],
    "CosineLR": [(dict(t_initial=0), ValueError), (dict(t_initial=10.0), TypeError),
                 (dict(t_initial=10, cycle_mul=0.5), ValueError), (dict(t_initial=10, k_decay=0), ValueError)],
}


def _optimizer():
    import torch

    ps = [torch.zeros(1, requires_grad=True) for _ in LRS]
    return torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, LRS, strict=True)], lr=0.5)


def _lrs(cls: type, kwargs: dict[str, Any], steps: int) -> np.ndarray:
    opt = _optimizer()
    sched = cls(opt, **kwargs)
    out = []
    for _ in range(steps):
        out.append(list(sched.get_last_lr()))
        opt.step()
        sched.step()
    return np.array(out, dtype=float)


def first_difference(expected: np.ndarray, got: np.ndarray) -> tuple[int, int] | None:
    """(step, group) of the first value outside ``rtol=1e-9, atol=1e-12 * lr0``, or None when all agree."""
    bad = ~np.isclose(got, expected, rtol=RTOL, atol=ATOL * max(LRS))
    if not bad.any():
        return None
    step, group = np.argwhere(bad)[0]
    return int(step), int(group)


def check_modern(name: str, *, steps: int = 5000, verbose: bool = True) -> bool:
    """Check ``schedulers.modern.<name>`` against its formula; print a report; return True when all checks pass."""
    if name not in CASES:
        raise ValueError(f"name must be one of {sorted(CASES)}, got {name!r}")
    lines: list[str] = []
    ok = True
    try:
        module = importlib.reload(sys.modules["schedulers.modern"]) if "schedulers.modern" in sys.modules \
            else importlib.import_module("schedulers.modern")
        cls = getattr(module, name)
    except (ImportError, AttributeError) as exc:
        lines.append(f"❌ {name}: cannot import schedulers.modern.{name} ({exc}); run `lrlab build-exercises`")
        ok = False
        cls = None
    if cls is not None:
        for kwargs, formula in CASES[name]:
            label = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
            try:
                got = _lrs(cls, kwargs, steps)
            except NotImplementedError as exc:
                lines.append(f"⏳ {name}: not implemented yet ({exc})")
                ok = False
                break
            except Exception as exc:  # the learner's code: report, never a traceback
                lines.append(f"❌ {name}({label}): raised {type(exc).__name__}: {exc}")
                ok = False
                continue
            t = np.arange(steps)
            want = np.stack([formula(t, lr) for lr in LRS], axis=1)
            diff = first_difference(want, got) if got.shape == want.shape else (0, 0)
            if diff is None:
                lines.append(f"✅ {name}({label}): {steps} steps x {len(LRS)} groups match")
            else:
                s, g = diff
                lines.append(f"❌ {name}({label}): first difference at step {s}, group {g}: "
                             f"expected {want[s, g]!r}, got {got[s, g] if got.shape == want.shape else got.shape!r}")
                ok = False
        if ok:
            lines.append(_check_resume(cls, CASES[name][1][0]))
            lines.append(_check_bad(cls, name))
            ok = all(line.startswith("✅") for line in lines)
    if verbose:
        print("\n".join(lines))
    return ok


def _check_resume(cls: type, kwargs: dict[str, Any]) -> str:
    opt = _optimizer()
    sched = cls(opt, **kwargs)
    ref = []
    for i in range(120):
        if i == 50:
            state = sched.state_dict()
        opt.step()
        sched.step()
        ref.append(list(sched.get_last_lr()))
    opt2 = _optimizer()
    sched2 = cls(opt2, **kwargs)
    sched2.load_state_dict(state)
    got = []
    for _ in range(50, 120):
        opt2.step()
        sched2.step()
        got.append(list(sched2.get_last_lr()))
    diff = first_difference(np.array(ref[50:]), np.array(got))
    if diff is None:
        return "✅ resumes from state_dict() at step 50"
    return f"❌ after load_state_dict() at step 50: first difference {diff[0]} steps later"


def _check_bad(cls: type, name: str) -> str:
    for kwargs, exc in BAD[name]:
        try:
            cls(_optimizer(), **kwargs)
        except exc:
            continue
        except Exception as other:
            return f"❌ {name}({kwargs}) raised {type(other).__name__}, expected {exc.__name__}"
        return f"❌ {name}({kwargs}) was accepted, expected {exc.__name__}"
    return "✅ rejects bad arguments with ValueError/TypeError"
