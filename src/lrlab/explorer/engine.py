"""How the explorer gets its numbers: ``lrlab.preview`` for torch's schedule, the learner's ``schedulers``.

The reference curve is ``lrlab.preview.preview`` (numpy closed form, equal to torch at rtol 1e-9; LambdaLR
included, its lambda evaluated vectorised; torch's class is stepped only for a name the preview lacks); the learner's
curve is ``lrlab.preview.module_schedule`` / ``module_sequential`` stepping the learner's classes, under a
time limit (``time_limit``). ``resolve_module`` turns ``module=`` arguments into the learner's package.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

import lrlab
import lrlab.preview as preview_api
from lrlab import catalog
from lrlab.paths import PACKAGE, SOLUTIONS_DIR, schedulers_choice
from lrlab.stepping import make_optimizer, step_schedule


def _momentum(name: str) -> float | None:
    """Optimizer momentum given to momentum-cycling schedulers (overwritten by the cycle anyway)."""
    return 0.9 if name in catalog.CATALOG and catalog.get(name).cycles_momentum else None


def reference(name: str, steps: int, lr: float, kwargs: dict[str, Any]) -> tuple[np.ndarray, np.ndarray | None]:
    """torch's schedule via the numpy preview: (lr (steps, groups), momentum or None)."""
    if name in preview_api.SCHEDULERS:
        return _arrays(preview_api.preview(name, steps, lr=lr, momentum=_momentum(name), **kwargs))
    # Not in the preview: step torch's own class.
    return step_class(catalog.torch_class(name), steps, lr, _momentum(name), kwargs)


def learner(module: ModuleType, name: str, steps: int, lr: float,
            kwargs: dict[str, Any]) -> tuple[np.ndarray, np.ndarray | None]:
    """The learner's ``module.<name>`` stepped ``steps - 1`` times with an SGD optimizer."""
    if not hasattr(module, name):
        raise AttributeError(f"{module.__name__} has no class {name}")
    if name not in preview_api.SCHEDULERS:
        return step_class(getattr(module, name), steps, lr, _momentum(name), kwargs)
    sched = preview_api.module_schedule(module, name, steps, lr=lr, momentum=_momentum(name), validate=False, **kwargs)
    return _arrays(sched)


def step_class(cls: type, steps: int, lr: float, momentum: float | None,
               kwargs: dict[str, Any]) -> tuple[np.ndarray, np.ndarray | None]:
    """Step ``cls(optimizer, **kwargs)`` ``steps - 1`` times on a one-group SGD(lr, momentum) (for classes the
    preview does not know); entry t is ``get_last_lr()`` (and the momentum, if given) after t calls."""
    return step_schedule(lambda opt: cls(opt, **kwargs), make_optimizer([lr], momentum=momentum), steps,
                         record_momentum=momentum is not None)


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
    """``None``: re-import ``schedulers`` from the folder the kernel's copy came from (so a re-run cell picks up
    the learner's edits), or else from the copy ``LRLAB_SCHEDULERS`` names (default the exercises);
    ``False``: no overlay; "exercises" / "solutions" / a path: ``lrlab.use_schedulers(module)``; a module: itself."""
    if module is False:
        return None
    if module is None:
        loaded = sys.modules.get(PACKAGE)
        if loaded is not None and getattr(loaded, "__file__", None):
            return reload_module(loaded)
        return lrlab.use_schedulers(schedulers_choice())
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


def is_reference(module: ModuleType | None) -> bool:
    """True when ``module`` is the reference ``solutions/schedulers`` package (not the learner's copy)."""
    file = getattr(module, "__file__", None)
    if not file:
        return False
    return Path(file).resolve().parent == (SOLUTIONS_DIR / PACKAGE).resolve()


def owner(module: ModuleType | None) -> str:
    """Who wrote the overlaid classes, for legends and notes: "your" or "reference solutions"."""
    return "reference solutions" if is_reference(module) else "your"


class LearnerTimeout(TimeoutError):
    """The learner's class did not finish ``steps`` steps within ``seconds``."""

    def __init__(self, steps: int, seconds: float) -> None:
        super().__init__(f"did not finish {steps} steps within {seconds:g} s")
        self.steps, self.seconds = steps, seconds


#: Seconds the explorer gives the learner's class to build and step one schedule.
TIME_LIMIT_S = 2.0


def check_timeout(seconds: Any) -> None:
    """Raise ValueError unless ``seconds`` (``learner_timeout``) is None or a number > 0."""
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
                                or not seconds > 0):
        raise ValueError(f"learner_timeout must be a number of seconds > 0 or None, got {seconds!r}")


@contextmanager
def time_limit(seconds: float | None, steps: int) -> Iterator[None]:
    """Raise ``LearnerTimeout(steps, seconds)`` inside the block once ``seconds`` of wall time have passed.

    Uses ``signal.setitimer(ITIMER_REAL)``, so it applies only in the main thread (where ipykernel runs widget
    callbacks) on platforms that have it; elsewhere the block runs unlimited. The previous SIGALRM handler and
    any pending real-time timer (e.g. pytest-timeout's) are restored, minus the time spent in the block.
    """
    check_timeout(seconds)
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: Any) -> None:
        raise LearnerTimeout(steps, float(seconds))

    previous = signal.signal(signal.SIGALRM, on_alarm)
    start = time.monotonic()
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_delay > 0:  # re-arm the timer that was pending before, for the time it had left
            left = max(old_delay - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, old_interval)


_WARM: list[bool] = []


def warm_up_torch() -> None:
    """Build an SGD and an Adam once: the first optimizer in a process imports torch internals lazily (about a
    second), which must not count against the learner's time limit."""
    if not _WARM:
        import torch

        params = [torch.nn.Parameter(torch.zeros(1))]
        torch.optim.SGD(params, lr=0.1, momentum=0.9)
        torch.optim.Adam(params, lr=0.1)
        _WARM.append(True)


def run_limited(fn: Callable[[], Any], seconds: float | None, steps: int) -> Any:
    """``fn()`` under ``time_limit(seconds, steps)``, torch's one-off lazy imports done before the clock starts."""
    warm_up_torch()
    with time_limit(seconds, steps):
        return fn()


def stub_file(exc: BaseException, name: str, module: ModuleType | None) -> str:
    """``schedulers/<file>.py`` to edit: named in the stub's message, else where ``module.<name>`` is defined."""
    found = re.search(rf"{PACKAGE}/(\w+\.py)", str(exc))
    if found:
        return f"{PACKAGE}/{found.group(1)}"
    where = getattr(getattr(module, name, None), "__module__", "") or ""
    if where == PACKAGE:
        return f"{PACKAGE}/__init__.py"
    if where.startswith(PACKAGE + "."):
        return f"{PACKAGE}/{where.split('.', 1)[1].replace('.', '/')}.py"
    return f"{PACKAGE}/"


def friendly_error(exc: BaseException, name: str, module: ModuleType | None) -> str:
    """A one-line note for a learner's exception (no traceback)."""
    where = getattr(module, "__name__", PACKAGE)
    who = owner(module)
    whose = "Your" if who == "your" else "The reference solutions'"
    if isinstance(exc, LearnerTimeout):
        return (f"{whose} {name} did not finish {exc.steps} steps within {exc.seconds:g} s \u2014 an infinite loop? "
                f"Showing torch only; fix {stub_file(exc, name, module)}, then press 'Reload my code'.")
    if isinstance(exc, NotImplementedError):
        return (f"{whose} {name} is not implemented yet ({exc}). Showing torch only; implement the stub(s) in "
                f"{stub_file(exc, name, module)}, then press 'Reload my code'.")
    if isinstance(exc, AttributeError) and str(exc).startswith(f"{where} has no class"):
        return f"{exc}: showing torch only."
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{whose} {name} raised {type(exc).__name__}{': ' + text[:200] if text else ''}. Showing torch only."


def sequential_reference(children: list[tuple[str, dict[str, Any]]], milestones: list[int], steps: int,
                         lr: float) -> tuple[np.ndarray, np.ndarray | None]:
    """torch's SequentialLR(children, milestones) via ``lrlab.preview.preview_sequential``."""
    sched = preview_api.preview_sequential(children, milestones, steps, lr=lr)
    return _arrays(sched)


def sequential_learner(module: ModuleType, children: list[tuple[str, dict[str, Any]]], milestones: list[int],
                       steps: int, lr: float) -> tuple[np.ndarray, np.ndarray | None]:
    """The learner's SequentialLR of the learner's own child classes, stepped ``steps - 1`` times."""
    for cname in [catalog.SEQUENTIAL, *(c for c, _ in children)]:
        if not hasattr(module, cname):
            raise AttributeError(f"{module.__name__} has no class {cname}")
    return _arrays(preview_api.module_sequential(module, children, milestones, steps, lr=lr, validate=False))
