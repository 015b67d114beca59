"""lrlab.modern's timm formulas against timm's own CosineLRScheduler and Scheduler._calculate_noise.

timm is not a dependency (its wheel requires torchvision, which would pull another torch): install it with
``pip install --no-deps timm`` to run these. ``import timm`` itself imports torchvision, so the two scheduler
files are loaded from the installed distribution on their own (they import only torch and numpy). Without timm
every test here skips; tests/test_modern.py keeps a transcription of the same source that always runs.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import torch

from lrlab import modern


def _timm_scheduler_modules() -> tuple[types.ModuleType, types.ModuleType] | None:
    spec = importlib.util.find_spec("timm")  # finds the package without executing its __init__
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "scheduler"
    if not (folder / "cosine_lr.py").is_file() or not (folder / "scheduler.py").is_file():
        return None
    pkg = types.ModuleType("_timm_scheduler_src")
    pkg.__path__ = [str(folder)]
    sys.modules.setdefault(pkg.__name__, pkg)
    return (importlib.import_module("_timm_scheduler_src.cosine_lr"),
            importlib.import_module("_timm_scheduler_src.scheduler"))


MODULES = _timm_scheduler_modules()
pytestmark = pytest.mark.skipif(MODULES is None, reason="timm is not installed (pip install --no-deps timm)")


def _timm_lrs(kwargs: dict, steps: int, lrs=(0.1, 0.02)) -> np.ndarray:
    """LR per group from timm's class, ``step_update(t)`` for t = 0..steps-1 (t_in_epochs=False)."""
    params = [torch.zeros(1, requires_grad=True) for _ in lrs]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)], lr=0.5)
    sched = MODULES[0].CosineLRScheduler(opt, t_in_epochs=False, **kwargs)
    out = []
    for t in range(steps):
        sched.step_update(t)
        out.append([g["lr"] for g in opt.param_groups])
    return np.array(out)


def _config(rng: random.Random) -> dict:
    return dict(
        t_initial=rng.randint(2, 300), lr_min=rng.choice([0.0, 1e-4, 3e-3]),
        cycle_mul=rng.choice([1.0, 1.0, 1.5, 2.0, 3.0]), cycle_decay=rng.choice([1.0, 0.5, 0.8]),
        cycle_limit=rng.randint(1, 6), warmup_t=rng.choice([0, 1, 5, 50]),
        warmup_lr_init=rng.choice([0.0, 1e-5, 1e-3]), warmup_prefix=rng.random() < 0.5,
        k_decay=rng.choice([1.0, 0.5, 2.0, 1.7]),
    )


def test_timm_cosine_equals_timm_class():
    rng = random.Random(7)
    steps = 2500
    t = np.arange(steps)
    for _ in range(25):
        cfg = _config(rng)
        got = _timm_lrs(cfg, steps)
        for g, lr in enumerate((0.1, 0.02)):
            np.testing.assert_allclose(modern.timm_cosine(t, lr, **cfg), got[:, g], rtol=1e-12, atol=0,
                                       err_msg=str(cfg))


@pytest.mark.parametrize("noise_std", [1.0, 0.5])
@pytest.mark.parametrize("noise_type", ["normal", "uniform"])
def test_timm_noise_equals_timm_scheduler(noise_type, noise_std):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = MODULES[0].CosineLRScheduler(opt, t_initial=100, t_in_epochs=False, noise_std=noise_std,
                                         noise_pct=0.3, noise_seed=5)
    sched.noise_type = noise_type  # the base Scheduler's argument; CosineLRScheduler does not forward it
    for t in range(0, 300, 7):
        assert modern.timm_noise(t, noise_pct=0.3, noise_std=noise_std, noise_seed=5,
                                 noise_type=noise_type) == sched._calculate_noise(t)


def test_timm_noisy_lr_is_lr_times_one_plus_noise():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = MODULES[0].CosineLRScheduler(opt, t_initial=200, t_in_epochs=False, noise_range_t=(10, 150),
                                         noise_pct=0.2, noise_seed=3)
    for t in range(200):
        sched.step_update(t)
        base = float(modern.timm_cosine(t, 0.1, 200))
        want = base * (1 + modern.timm_noise(t, noise_pct=0.2, noise_seed=3)) if 10 <= t < 150 else base
        assert opt.param_groups[0]["lr"] == pytest.approx(want, rel=1e-12, abs=0)
