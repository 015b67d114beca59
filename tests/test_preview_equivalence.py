"""preview (numpy closed forms) == torch stepping, at rtol=1e-9, atol=1e-12*lr0, for every scheduler."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lrlab.preview import (
    SCHEDULERS,
    Schedule,
    assert_schedules_close,
    preview,
    preview_chained,
    preview_sequential,
    torch_chained,
    torch_schedule,
    torch_sequential,
)
from lrlab.preview.samples import random_children, random_params

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def assert_same(got: Schedule, ref: Schedule, lr0: float) -> None:
    assert_schedules_close(got, ref, lr0)


GRID = [
    ("StepLR", {"step_size": 1, "gamma": 0.5}),
    ("StepLR", {"step_size": 7}),
    ("MultiStepLR", {"milestones": [5, 5, 12, 0, 40], "gamma": 0.3}),
    ("MultiStepLR", {"milestones": []}),
    ("ExponentialLR", {"gamma": 0.95}),
    ("ExponentialLR", {"gamma": 1.01}),
    ("CosineAnnealingLR", {"T_max": 1}),
    ("CosineAnnealingLR", {"T_max": 10}),
    ("CosineAnnealingLR", {"T_max": 13, "eta_min": 0.003}),
    ("CosineAnnealingWarmRestarts", {"T_0": 1}),
    ("CosineAnnealingWarmRestarts", {"T_0": 6, "eta_min": 0.001}),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 5, "step_size_down": 2, "mode": "triangular2"}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3.5, "mode": "exp_range", "gamma": 0.97}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "scale_fn": lambda x: 0.5 ** x}),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "scale_mode": "iterations",
                  "scale_fn": lambda x: 1.0 if x < 10 else 0.5}),  # not vectorisable: scalar fallback
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 4, "cycle_momentum": False}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 60}),
    ("OneCycleLR", {"max_lr": 1.0, "epochs": 6, "steps_per_epoch": 10, "anneal_strategy": "linear"}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 60, "three_phase": True, "pct_start": 0.25}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 60, "pct_start": 0.0, "div_factor": 10.0}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 60, "base_momentum": 0.8, "max_momentum": 0.9}),
    ("LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 0.5, "total_iters": 20}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.0, "total_iters": 0}),
    ("LambdaLR", {"lr_lambda": lambda t: 0.97**t}),  # vectorised
    ("LambdaLR", {"lr_lambda": lambda t: 1.0 if t < 20 else 0.1}),  # scalar only: fallback loop
    ("LambdaLR", {"lr_lambda": [lambda t: t // 7 + 1, lambda t: np.cos(t / 9.0) ** 2]}),  # one per group
    ("ConstantLR", {}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 0}),  # the factor is never undone (torch's recursion)
    ("ConstantLR", {"factor": 0.01, "total_iters": 40}),
    ("PolynomialLR", {}),
    ("PolynomialLR", {"total_iters": 40, "power": 0.9}),
    ("PolynomialLR", {"total_iters": 0, "power": 2.0}),
    ("PolynomialLR", {"total_iters": 100, "power": 3.0}),  # not reached within the run
    ("MultiplicativeLR", {"lr_lambda": lambda t: 0.95}),  # vectorised (a scalar broadcasts)
    ("MultiplicativeLR", {"lr_lambda": lambda t: 0.5 if t % 7 == 0 else 1.0}),  # scalar only
    ("MultiplicativeLR", {"lr_lambda": [lambda t: 0.99, lambda t: 1.0 if t < 10 else 0.9]}),  # one per group
    ("SWALR", {"swa_lr": 0.05}),
    ("SWALR", {"swa_lr": [0.05, 0.001], "anneal_epochs": 0}),  # jumps to swa_lr at construction
    ("SWALR", {"swa_lr": 0.05, "anneal_epochs": 1, "anneal_strategy": "linear"}),
    ("SWALR", {"swa_lr": 0.3, "anneal_epochs": 33}),  # anneals upwards
    ("SWALR", {"swa_lr": 0.01, "anneal_epochs": 100, "anneal_strategy": "linear"}),  # not done within the run
]


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("name,params", GRID, ids=[f"{n}-{i}" for i, (n, _) in enumerate(GRID)])
def test_grid_matches_torch(name: str, params: dict, optimizer: str) -> None:
    lr = [0.1, 0.02]
    got = preview(name, 61, lr=lr, **params)
    ref = torch_schedule(name, 61, lr=lr, optimizer=optimizer, **params)
    assert_same(got, ref, 0.1)


def test_grid_covers_every_scheduler() -> None:
    assert {n for n, _ in GRID} == set(SCHEDULERS)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("name", ["CyclicLR", "OneCycleLR"])
def test_momentum_cycles_per_group(name: str, optimizer: str) -> None:
    params = {"max_lr": [0.5, 0.3, 0.2], "base_momentum": [0.8, 0.7, 0.85], "max_momentum": [0.9, 0.95, 0.99]}
    if name == "CyclicLR":
        params.update(base_lr=[0.01, 0.02, 0.03], step_size_up=7, mode="triangular2")
    else:
        params.update(total_steps=80)
    got = preview(name, 81, lr=[0.1, 0.2, 0.3], momentum=0.5, **params)
    ref = torch_schedule(name, 81, lr=[0.1, 0.2, 0.3], momentum=0.5, optimizer=optimizer, **params)
    assert got.momentum is not None and got.momentum.shape == (81, 3)
    assert np.ptp(got.momentum[:, 1]) > 0.2  # really cycles
    assert_same(got, ref, 0.1)


@pytest.mark.parametrize("seed", range(60))
def test_random_single(seed: int) -> None:
    rng = np.random.default_rng(seed)
    name = SCHEDULERS[seed % len(SCHEDULERS)]
    groups = int(rng.integers(1, 4))
    lr = [float(v) for v in rng.uniform(0.01, 1.0, groups)]
    steps = int(rng.integers(1, 300))
    momentum = None if rng.random() < 0.5 else float(rng.uniform(0.0, 0.99))
    params = random_params(name, rng, steps, groups)
    optimizer = "adam" if seed % 3 == 0 else "sgd"
    got = preview(name, steps, lr=lr, momentum=momentum, **params)
    ref = torch_schedule(name, steps, lr=lr, momentum=momentum, optimizer=optimizer, **params)
    assert_same(got, ref, max(lr))


def _same_outcome(fast, slow, lr0: float) -> None:
    try:
        ref = slow()
    except Exception as exc:  # torch raises: the preview must raise the same type
        with pytest.raises(type(exc)):
            fast()
        return
    assert_same(fast(), ref, lr0)


@pytest.mark.parametrize("seed", range(40))
def test_random_sequential(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    groups = int(rng.integers(1, 3))
    lr = [float(v) for v in rng.uniform(0.01, 1.0, groups)]
    steps = int(rng.integers(2, 200))
    children = random_children(rng, steps, groups, int(rng.integers(1, 4)))
    milestones = sorted(int(v) for v in rng.integers(0, steps + 3, len(children) - 1))
    momentum = None if rng.random() < 0.5 else 0.7
    opt = "adam" if seed % 2 else "sgd"
    _same_outcome(lambda: preview_sequential(children, milestones, steps, lr=lr, momentum=momentum),
                  lambda: torch_sequential(children, milestones, steps, lr=lr, momentum=momentum, optimizer=opt),
                  max(lr))


@pytest.mark.parametrize("seed", range(40))
def test_random_chained(seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    groups = int(rng.integers(1, 3))
    lr = [float(v) for v in rng.uniform(0.01, 1.0, groups)]
    steps = int(rng.integers(1, 200))
    children = random_children(rng, steps, groups, int(rng.integers(1, 4)))
    opt = "adam" if seed % 2 else "sgd"
    _same_outcome(lambda: preview_chained(children, steps, lr=lr),
                  lambda: torch_chained(children, steps, lr=lr, optimizer=opt), max(lr))


WARMUP_DECAY = [
    ([("LinearLR", {"start_factor": 0.1, "total_iters": 5}), ("CosineAnnealingLR", {"T_max": 30})], [5]),
    ([("LinearLR", {"start_factor": 0.1, "total_iters": 5}), ("CosineAnnealingLR", {"T_max": 9, "eta_min": 0.01})],
     [5]),
    ([("ExponentialLR", {"gamma": 1.5}), ("StepLR", {"step_size": 4}), ("ExponentialLR", {"gamma": 0.9})], [3, 20]),
    ([("LinearLR", {}), ("OneCycleLR", {"max_lr": 0.5, "total_steps": 45})], [0]),
    ([("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3}),
      ("CosineAnnealingWarmRestarts", {"T_0": 4})], [10]),
    ([("LinearLR", {}), ("MultiStepLR", {"milestones": [0, 3, 3]}), ("CosineAnnealingLR", {"T_max": 5})], [4, 4]),
]


@pytest.mark.parametrize("children,milestones", WARMUP_DECAY)
def test_sequential_and_chained_warmup_decay(children: list, milestones: list) -> None:
    for lr in (0.1, [0.1, 0.03]):
        _same_outcome(lambda lr=lr: preview_sequential(children, milestones, 40, lr=lr),
                      lambda lr=lr: torch_sequential(children, milestones, 40, lr=lr), 0.1)
        _same_outcome(lambda lr=lr: preview_chained(children, 31, lr=lr),
                      lambda lr=lr: torch_chained(children, 31, lr=lr), 0.1)


LONG = [
    ("CosineAnnealingLR", {"T_max": 20_000, "eta_min": 0.05}),  # torch's rounding amplified after the trough
    ("CyclicLR", {"base_lr": 0.001, "max_lr": 0.1, "step_size_up": 700, "mode": "exp_range", "gamma": 0.99999}),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 100_000, "three_phase": True}),
]


@pytest.mark.slow
@pytest.mark.parametrize("name,params", LONG)
def test_long_horizon_100k(name: str, params: dict) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = preview(name, 100_000, lr=0.1, **params)
        ref = torch_schedule(name, 100_000, lr=0.1, **params)
    assert_same(got, ref, 0.1)
    if name == "CosineAnnealingLR":  # the textbook closed form is NOT torch here: rounding amplified past T_max
        t = np.arange(100_000)
        eta = params["eta_min"]
        naive = eta + (0.1 - eta) * (1 + np.cos(np.pi * t / params["T_max"])) / 2
        assert np.max(np.abs(naive - ref.lr[:, 0]) / (1e-13 + 1e-9 * ref.lr[:, 0])) > 1.0


@pytest.mark.slow
def test_long_horizon_sequential_periodic_cosine() -> None:
    children = [("LinearLR", {"start_factor": 0.01, "total_iters": 100}),
                ("CosineAnnealingLR", {"T_max": 7, "eta_min": 0.001})]
    assert_same(preview_sequential(children, [100], 30_000, lr=0.1),
                torch_sequential(children, [100], 30_000, lr=0.1), 0.1)
