"""The reference schedulers (solutions/) follow torch's LR and momentum trajectories step for step.

Each case is a factory ``f(M, optimizer)`` called once with the solutions package and once with
``torch.optim.lr_scheduler``, on two identical optimizers; after every ``step()`` the LRs of all groups
(``get_last_lr()`` and ``group["lr"]``), the momentum (``momentum`` or Adam's ``betas[0]``) and beta2 must agree at
rtol=1e-9, atol=1e-12*lr0.
"""

from __future__ import annotations

import math
import random
import warnings

import pytest
import torch
import torch.optim.lr_scheduler as T

import lrlab

S = lrlab.use_schedulers("solutions")

RTOL = 1e-9
LRS = (0.1, 0.03, 0.5)


def make_optimizer(kind: str, lrs: tuple[float, ...] = LRS) -> torch.optim.Optimizer:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for lr in lrs]
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9)
    if kind == "sgd0":
        return torch.optim.SGD(groups, lr=lrs[0])
    if kind == "adam":
        return torch.optim.Adam(groups, lr=lrs[0], betas=(0.9, 0.99))
    if kind == "adamw":
        return torch.optim.AdamW(groups, lr=lrs[0], betas=(0.85, 0.98))
    if kind == "adagrad":
        return torch.optim.Adagrad(groups, lr=lrs[0])
    raise ValueError(kind)


def snapshot(scheduler, optimizer) -> list[tuple]:
    """Per group: (last lr, group lr, momentum or beta1, beta2)."""
    rows = []
    for last, group in zip(scheduler.get_last_lr(), optimizer.param_groups, strict=True):
        betas = group.get("betas")
        momentum = betas[0] if betas is not None else group.get("momentum")
        rows.append((float(last), float(group["lr"]), momentum, None if betas is None else betas[1]))
    return rows


def assert_close(ours: list[tuple], ref: list[tuple], step: int, lr0: float) -> None:
    assert len(ours) == len(ref), f"step {step}: {len(ours)} groups vs torch's {len(ref)}"
    for g, (a, b) in enumerate(zip(ours, ref, strict=True)):
        for what, x, y in zip(("last lr", "group lr", "momentum", "beta2"), a, b, strict=True):
            if y is None:
                assert x is None, f"step {step} group {g}: {what} {x!r}, torch has none"
                continue
            assert math.isclose(x, y, rel_tol=RTOL, abs_tol=1e-12 * lr0), (
                f"step {step} group {g}: {what} {x!r} != torch {y!r}"
            )


def run_both(factory, kind: str, steps: int, metrics=None, lrs: tuple[float, ...] = LRS) -> int:
    """Step ours and torch's side by side; ours must not warn. Returns the number of steps compared."""
    opt_ours, opt_ref = make_optimizer(kind, lrs), make_optimizer(kind, lrs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = factory(S, opt_ours)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = factory(T, opt_ref)
    lr0 = max(lrs)
    assert_close(snapshot(ours, opt_ours), snapshot(ref, opt_ref), 0, lr0)
    for t in range(1, steps + 1):
        args = () if metrics is None else (metrics(t),)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ours.step(*args)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref.step(*args)
        assert_close(snapshot(ours, opt_ours), snapshot(ref, opt_ref), t, lr0)
    return steps


# (id, optimizer kind, steps, factory)
GRID = [
    ("step-3", "sgd", 40, lambda M, o: M.StepLR(o, 3)),
    ("step-7-g0.5", "adam", 60, lambda M, o: M.StepLR(o, step_size=7, gamma=0.5)),
    ("step-1-g1.1", "sgd", 30, lambda M, o: M.StepLR(o, 1, gamma=1.1)),
    ("multistep", "sgd", 40, lambda M, o: M.MultiStepLR(o, [5, 10, 20])),
    ("multistep-unsorted-dup-0", "adam", 40, lambda M, o: M.MultiStepLR(o, [12, 0, 4, 4], gamma=0.5)),
    ("exp-0.9", "sgd", 80, lambda M, o: M.ExponentialLR(o, 0.9)),
    ("exp-1.05", "adamw", 80, lambda M, o: M.ExponentialLR(o, gamma=1.05)),
    ("cos-10", "sgd", 60, lambda M, o: M.CosineAnnealingLR(o, 10)),
    ("cos-7-etamin", "adam", 100, lambda M, o: M.CosineAnnealingLR(o, T_max=7, eta_min=0.001)),
    ("cos-1", "sgd", 10, lambda M, o: M.CosineAnnealingLR(o, T_max=1, eta_min=0.01)),
    ("cawr-5", "sgd", 40, lambda M, o: M.CosineAnnealingWarmRestarts(o, 5)),
    ("cawr-3x2", "adam", 100, lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=1e-4)),
    ("linear-default", "sgd", 20, lambda M, o: M.LinearLR(o)),
    (
        "linear-decay",
        "adam",
        30,
        lambda M, o: M.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=12),
    ),
    ("linear-warm", "sgd", 30, lambda M, o: M.LinearLR(o, start_factor=0.01, end_factor=0.5, total_iters=10)),
    ("lambda-one", "sgd", 30, lambda M, o: M.LambdaLR(o, lambda e: 0.95**e)),
    (
        "lambda-per-group",
        "adam",
        30,
        lambda M, o: M.LambdaLR(
            o, [lambda e: 1 / (1 + e), lambda e: e // 3, lambda e: min(1.0, (e + 1) / 5)]
        ),
    ),
    ("cyclic-triangular", "sgd", 100, lambda M, o: M.CyclicLR(o, 0.01, 0.1, step_size_up=5)),
    ("cyclic-tri-asym", "sgd", 100, lambda M, o: M.CyclicLR(o, 0.01, 0.1, step_size_up=3, step_size_down=7)),
    ("cyclic-tri2", "adam", 120, lambda M, o: M.CyclicLR(o, 0.001, 0.01, 4, mode="triangular2")),
    (
        "cyclic-exp-lists",
        "sgd",
        120,
        lambda M, o: M.CyclicLR(
            o,
            [0.01, 0.02, 0.03],
            [0.1, 0.2, 0.3],
            6,
            mode="exp_range",
            gamma=0.99,
            base_momentum=[0.7, 0.75, 0.8],
            max_momentum=0.95,
        ),
    ),  # fmt: skip
    (
        "cyclic-custom-cycle",
        "sgd",
        80,
        lambda M, o: M.CyclicLR(o, 0.01, 0.1, 5, scale_fn=lambda x: 1 / x, scale_mode="cycle"),
    ),
    (
        "cyclic-custom-iter",
        "adamw",
        80,
        lambda M, o: M.CyclicLR(o, 0.01, 0.1, 5, scale_fn=lambda x: 0.99**x, scale_mode="iterations"),
    ),
    ("cyclic-no-momentum", "adagrad", 40, lambda M, o: M.CyclicLR(o, 0.01, 0.1, 5, cycle_momentum=False)),
    ("cyclic-sgd-momentum0", "sgd0", 40, lambda M, o: M.CyclicLR(o, 0.01, 0.1, 5)),
    ("onecycle", "sgd", 100, lambda M, o: M.OneCycleLR(o, 0.1, total_steps=100)),
    (
        "onecycle-epochs",
        "adam",
        60,
        lambda M, o: M.OneCycleLR(o, [0.1, 0.2, 0.3], epochs=3, steps_per_epoch=20),
    ),
    (
        "onecycle-linear-3phase",
        "sgd",
        77,
        lambda M, o: M.OneCycleLR(o, 0.05, 77, pct_start=0.25, anneal_strategy="linear", three_phase=True),
    ),
    (
        "onecycle-3phase-cos",
        "adamw",
        50,
        lambda M, o: M.OneCycleLR(o, 1.0, 50, three_phase=True, div_factor=10.0, final_div_factor=100.0),
    ),
    (
        "onecycle-no-momentum",
        "adagrad",
        30,
        lambda M, o: M.OneCycleLR(o, 0.1, 30, pct_start=0.5, cycle_momentum=False),
    ),
    ("onecycle-pct0", "sgd", 20, lambda M, o: M.OneCycleLR(o, 0.1, 20, pct_start=0.0)),
    (
        "sequential-linear-cos",
        "sgd",
        60,
        lambda M, o: M.SequentialLR(o, [M.LinearLR(o, 0.1, total_iters=5), M.CosineAnnealingLR(o, 20)], [5]),
    ),
    (
        "sequential-3",
        "adam",
        60,
        lambda M, o: M.SequentialLR(
            o, [M.ExponentialLR(o, 0.9), M.StepLR(o, 4, 0.5), M.LambdaLR(o, lambda e: 1 / (e + 1))], [10, 25]
        ),
    ),
    (
        "sequential-milestone0",
        "sgd",
        20,
        lambda M, o: M.SequentialLR(o, [M.ExponentialLR(o, 0.5), M.CosineAnnealingLR(o, 8)], [0]),
    ),
    (
        "sequential-multistep-cawr-cyclic",
        "sgd",
        60,
        lambda M, o: M.SequentialLR(
            o,
            [M.MultiStepLR(o, [2, 4]), M.CosineAnnealingWarmRestarts(o, 4), M.CyclicLR(o, 0.01, 0.1, 3)],
            [8, 20],
        ),
    ),
    (
        "sequential-nested-chained",
        "sgd",
        40,
        lambda M, o: M.SequentialLR(
            o,
            [
                M.ChainedScheduler([M.ExponentialLR(o, 0.9), M.StepLR(o, 3)]),
                M.LinearLR(o, 0.2, total_iters=4),
            ],
            [9],
        ),
    ),
    (
        "chained-exp-step",
        "sgd",
        40,
        lambda M, o: M.ChainedScheduler([M.ExponentialLR(o, 0.95), M.StepLR(o, 5, 0.5)]),
    ),
    (
        "chained-linear-cos",
        "adam",
        40,
        lambda M, o: M.ChainedScheduler([M.LinearLR(o, 0.1, total_iters=5), M.CosineAnnealingLR(o, 30)], o),
    ),
]


@pytest.mark.parametrize(("kind", "steps", "factory"), [g[1:] for g in GRID], ids=[g[0] for g in GRID])
def test_grid_matches_torch(kind, steps, factory):
    assert run_both(factory, kind, steps) == steps


def plateau_metric(pattern: str):
    def metric(t: int) -> float:
        if pattern == "down-then-flat":
            return 1.0 / t if t < 10 else 0.1
        if pattern == "noisy":
            return 1.0 + 0.3 * math.sin(1.7 * t) + (0.05 * t if t > 40 else 0.0)
        return float(t % 7)  # "sawtooth", in max mode improvements come every cycle

    return metric


PLATEAU = [
    ("min-rel-default", "sgd", "down-then-flat", {}),
    (
        "min-abs-cooldown",
        "adam",
        "noisy",
        {"threshold_mode": "abs", "threshold": 0.05, "patience": 2, "cooldown": 3},
    ),
    ("max-rel", "sgd", "sawtooth", {"mode": "max", "patience": 3, "factor": 0.5}),
    (
        "max-abs-minlr-list",
        "sgd",
        "noisy",
        {"mode": "max", "threshold_mode": "abs", "patience": 1, "min_lr": [0.01, 0.001, 0.2]},
    ),  # fmt: skip
    ("eps-blocks", "sgd", "down-then-flat", {"patience": 0, "factor": 0.5, "eps": 0.02, "min_lr": 0.001}),
]


@pytest.mark.parametrize(("kind", "pattern", "kwargs"), [p[1:] for p in PLATEAU], ids=[p[0] for p in PLATEAU])
def test_plateau_matches_torch(kind, pattern, kwargs):
    run_both(lambda M, o: M.ReduceLROnPlateau(o, **kwargs), kind, 120, metrics=plateau_metric(pattern))


def test_plateau_accepts_zero_dim_tensor_metric():
    run_both(lambda M, o: M.ReduceLROnPlateau(o, patience=1), "sgd", 20, metrics=lambda t: torch.tensor(1.0))


LONG = [
    ("cos-100", lambda M, o: M.CosineAnnealingLR(o, T_max=100, eta_min=1e-4)),
    ("cos-7", lambda M, o: M.CosineAnnealingLR(o, T_max=7)),
    ("exp", lambda M, o: M.ExponentialLR(o, gamma=0.9995)),
    ("cyclic-exp-range", lambda M, o: M.CyclicLR(o, 0.001, 0.1, 250, mode="exp_range", gamma=0.9998)),
    ("onecycle", lambda M, o: M.OneCycleLR(o, 0.1, total_steps=10_000)),
    ("cawr", lambda M, o: M.CosineAnnealingWarmRestarts(o, T_0=10, T_mult=3)),
]


@pytest.mark.parametrize("factory", [f for _, f in LONG], ids=[n for n, _ in LONG])
def test_long_horizon_10k_steps(factory):
    run_both(factory, "sgd", 10_000, lrs=(0.1, 0.01))


def random_case(rng: random.Random):
    """A random scheduler configuration (name, kind, steps, factory)."""
    kind = rng.choice(["sgd", "adam"])
    choice = rng.randrange(9)
    gamma = rng.uniform(0.5, 0.999)
    n = rng.randint(1, 40)
    if choice == 0:
        return kind, lambda M, o: M.StepLR(o, n, gamma)
    if choice == 1:
        ms = [rng.randint(0, 80) for _ in range(rng.randint(1, 5))]
        return kind, lambda M, o: M.MultiStepLR(o, ms, gamma)
    if choice == 2:
        return kind, lambda M, o: M.ExponentialLR(o, gamma)
    if choice == 3:
        eta = rng.uniform(0, 0.01)
        return kind, lambda M, o: M.CosineAnnealingLR(o, n, eta)
    if choice == 4:
        t_mult, eta = rng.randint(1, 3), rng.uniform(0, 0.01)
        return kind, lambda M, o: M.CosineAnnealingWarmRestarts(o, n, t_mult, eta)
    if choice == 5:
        s, e = rng.uniform(0.01, 1.0), rng.uniform(0.0, 1.0)
        return kind, lambda M, o: M.LinearLR(o, s, e, n)
    if choice == 6:
        mode = rng.choice(["triangular", "triangular2", "exp_range"])
        up, down = rng.randint(1, 30), rng.choice([None, rng.randint(1, 30)])
        return kind, lambda M, o: M.CyclicLR(o, 0.001, [0.05, 0.1, 0.2], up, down, mode, gamma)
    if choice == 7:
        pct = rng.uniform(0.05, 0.6)
        total = rng.randint(20, 120)
        strat = rng.choice(["cos", "linear"])
        three = rng.random() < 0.5
        return kind, lambda M, o: M.OneCycleLR(
            o, 0.1, total, pct_start=pct, anneal_strategy=strat, three_phase=three
        )
    m = rng.randint(1, 30)
    return kind, lambda M, o: M.SequentialLR(
        o, [M.LinearLR(o, 0.1, total_iters=m), M.ExponentialLR(o, gamma)], [m]
    )


@pytest.mark.parametrize("seed", range(12))
def test_random_configurations(seed):
    kind, factory = random_case(random.Random(seed))
    steps = 120
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        probe = factory(T, make_optimizer(kind))
    if isinstance(probe, T.OneCycleLR):
        steps = probe.total_steps
    run_both(factory, kind, steps)


def test_onecycle_refuses_to_step_past_total_steps():
    opt = make_optimizer("sgd")
    sched = S.OneCycleLR(opt, 0.1, total_steps=10)
    for _ in range(10):
        sched.step()
    with pytest.raises(ValueError, match="Tried to step 11 times. The specified number of total steps is 10"):
        sched.step()


def test_cawr_fractional_epochs_match_torch():
    epochs = [0.5, 1.25, 3.0, 7.75, 12.5, 30.1, 2.0, 0]
    opt_ours, opt_ref = make_optimizer("sgd"), make_optimizer("sgd")
    ours = S.CosineAnnealingWarmRestarts(opt_ours, T_0=4, T_mult=2, eta_min=0.001)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = T.CosineAnnealingWarmRestarts(opt_ref, T_0=4, T_mult=2, eta_min=0.001)
        for i, epoch in enumerate(epochs):
            ours.step(epoch)
            ref.step(epoch)
            assert_close(snapshot(ours, opt_ours), snapshot(ref, opt_ref), i, 0.5)
            assert (ours.T_cur, ours.T_i, ours.last_epoch) == (ref.T_cur, ref.T_i, ref.last_epoch)


def test_step_with_epoch_uses_closed_form_like_torch():
    for factory in (
        lambda M, o: M.StepLR(o, 3, 0.5),
        lambda M, o: M.MultiStepLR(o, [2, 5, 5]),
        lambda M, o: M.ExponentialLR(o, 0.9),
        lambda M, o: M.LinearLR(o, 0.2, 0.9, 6),
        lambda M, o: M.CosineAnnealingLR(o, 9, 0.01),
        lambda M, o: M.LambdaLR(o, lambda e: 0.9**e),
    ):
        opt_ours, opt_ref = make_optimizer("sgd"), make_optimizer("sgd")
        ours = factory(S, opt_ours)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = factory(T, opt_ref)
            for epoch in (4, 11, 2, 7):
                ours.step(epoch)
                ref.step(epoch)
                assert_close(snapshot(ours, opt_ours), snapshot(ref, opt_ref), epoch, 0.5)


def test_constructor_writes_group_keys_like_torch():
    for kind, factory in (
        ("sgd", lambda M, o: M.OneCycleLR(o, [0.1, 0.2, 0.4], 50)),
        ("adam", lambda M, o: M.CyclicLR(o, [0.01, 0.02, 0.03], 0.5, 10)),
        ("sgd", lambda M, o: M.ExponentialLR(o, 0.9)),
    ):
        opt_ours, opt_ref = make_optimizer(kind), make_optimizer(kind)
        factory(S, opt_ours)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            factory(T, opt_ref)
        for g_ours, g_ref in zip(opt_ours.param_groups, opt_ref.param_groups, strict=True):
            assert set(g_ours) == set(g_ref)
            for key in g_ref:
                if key != "params":
                    assert g_ours[key] == g_ref[key], key


def test_existing_initial_lr_is_kept_like_torch():
    """A second scheduler on the same optimizer starts from the groups' initial_lr (setdefault)."""

    def factory(M, o):
        M.ExponentialLR(o, 0.5)
        for group in o.param_groups:
            group["lr"] *= 0.1
        return M.CosineAnnealingLR(o, 10)

    run_both(factory, "sgd", 25)
