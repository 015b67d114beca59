"""How the explorer gets its numbers: ``lrlab.preview`` for torch's schedule, the learner's ``schedulers``.

The reference curve is ``lrlab.preview.preview`` (numpy closed form, equal to torch at rtol 1e-9; LambdaLR
included, its lambda evaluated vectorised; torch's class is stepped only for a name the preview lacks); the learner's
curve is ``lrlab.preview.module_schedule`` / ``module_sequential`` stepping the learner's classes. ``resolve_module`` turns ``module=`` arguments into the learner's package.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

import lrlab
from lrlab.paths import PACKAGE, schedulers_choice

from .params import CYCLES_MOMENTUM


def _preview_api() -> ModuleType:
    """``lrlab.preview``, imported at call time (so a kernel picks up the installed engine)."""
    return importlib.import_module("lrlab.preview")


def _momentum(name: str) -> float | None:
    """Optimizer momentum given to momentum-cycling schedulers (overwritten by the cycle anyway)."""
    return 0.9 if name in CYCLES_MOMENTUM else None


def reference(name: str, steps: int, lr: float, kwargs: dict[str, Any]) -> tuple[np.ndarray, np.ndarray | None]:
    """torch's schedule via the numpy preview: (lr (steps, groups), momentum or None)."""
    api = _preview_api()
    if name in getattr(api, "SCHEDULERS", (name,)):
        return _arrays(api.preview(name, steps, lr=lr, momentum=_momentum(name), **kwargs))
    # Not in the preview: step torch's own class.
    import torch

    return step_class(getattr(torch.optim.lr_scheduler, name), steps, lr, _momentum(name), kwargs)


def learner(module: ModuleType, name: str, steps: int, lr: float,
            kwargs: dict[str, Any]) -> tuple[np.ndarray, np.ndarray | None]:
    """The learner's ``module.<name>`` stepped ``steps - 1`` times with an SGD optimizer."""
    if not hasattr(module, name):
        raise AttributeError(f"{module.__name__} has no class {name}")
    api = _preview_api()
    if name not in getattr(api, "SCHEDULERS", (name,)):
        return step_class(getattr(module, name), steps, lr, _momentum(name), kwargs)
    sched = api.module_schedule(module, name, steps, lr=lr, momentum=_momentum(name), validate=False, **kwargs)
    return _arrays(sched)


def step_class(cls: type, steps: int, lr: float, momentum: float | None,
               kwargs: dict[str, Any]) -> tuple[np.ndarray, np.ndarray | None]:
    """Step ``cls(optimizer, **kwargs)`` ``steps - 1`` times on a one-group SGD(lr, momentum); entry t is the
    group LR (and momentum, if given) after t calls to ``step()`` (for classes the preview does not know)."""
    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr, momentum=momentum or 0.0)
    out = np.empty((steps, 1))
    mom = np.empty((steps, 1)) if momentum is not None else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no optimizer.step() here: torch's call-order warning is noise
        sched = cls(opt, **kwargs)
        group = opt.param_groups[0]
        for t in range(steps):
            if t:
                sched.step()
            out[t, 0] = group["lr"]
            if mom is not None:
                mom[t, 0] = group["momentum"]
    return out, mom


def _arrays(sched: Any) -> tuple[np.ndarray, np.ndarray | None]:
    lr = np.asarray(sched.lr, dtype=float)
    mom = getattr(sched, "momentum", None)
    mom = None if mom is None else np.asarray(mom, dtype=float)
    if lr.ndim == 1:
        lr = lr[:, None]
    if mom is not None and mom.ndim == 1:
        mom = mom[:, None]
    return lr, mom


def resolve_module(module: Any) -> ModuleType | None:
    """``None``: the already-imported ``schedulers`` or else the copy ``LRLAB_SCHEDULERS`` names (default the
    exercises); ``False``: no overlay;
    "exercises" / "solutions" / a path: ``lrlab.use_schedulers(module)``; a module: itself."""
    if module is False:
        return None
    if module is None:
        loaded = sys.modules.get(PACKAGE)
        return loaded if loaded is not None else lrlab.use_schedulers(schedulers_choice())
    if isinstance(module, ModuleType):
        return module
    if isinstance(module, (str, os.PathLike)):
        return lrlab.use_schedulers(module)
    raise TypeError(f"module must be None, False, 'exercises', 'solutions', a path or a module, "
                    f"not {type(module).__name__}")


def reload_module(module: ModuleType) -> ModuleType:
    """Re-import the learner's package from the folder it came from (picks up edited files)."""
    if module.__name__ == PACKAGE and getattr(module, "__file__", None):
        return lrlab.use_schedulers(Path(module.__file__).resolve().parent.parent)
    return module


def friendly_error(exc: BaseException, name: str, module: ModuleType | None) -> str:
    """A one-line note for a learner's exception (no traceback)."""
    where = getattr(module, "__name__", PACKAGE)
    if isinstance(exc, NotImplementedError):
        return (f"Your {name} is not implemented yet ({exc}). Showing torch only; fill in the "
                f"solution region, then press 'Reload my code'.")
    if isinstance(exc, AttributeError) and str(exc).startswith(f"{where} has no class"):
        return f"{exc}: showing torch only."
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"Your {name} raised {type(exc).__name__}{': ' + text[:200] if text else ''}. Showing torch only."


def sequential_reference(children: list[tuple[str, dict[str, Any]]], milestones: list[int], steps: int,
                         lr: float) -> tuple[np.ndarray, np.ndarray | None]:
    """torch's SequentialLR(children, milestones) via ``lrlab.preview.preview_sequential``."""
    sched = _preview_api().preview_sequential(children, milestones, steps, lr=lr)
    return _arrays(sched)


def sequential_learner(module: ModuleType, children: list[tuple[str, dict[str, Any]]], milestones: list[int],
                       steps: int, lr: float) -> tuple[np.ndarray, np.ndarray | None]:
    """The learner's SequentialLR of the learner's own child classes, stepped ``steps - 1`` times."""
    for cname in ["SequentialLR", *(c for c, _ in children)]:
        if not hasattr(module, cname):
            raise AttributeError(f"{module.__name__} has no class {cname}")
    return _arrays(_preview_api().module_sequential(module, children, milestones, steps, lr=lr, validate=False))
