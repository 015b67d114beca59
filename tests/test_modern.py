"""lrlab.modern (reference formulas) against HF transformers (the installed library) and timm (its
``_get_lr``/``_calculate_noise`` transcribed below from huggingface/pytorch-image-models@aa4b585 as an
independent oracle: timm needs torchvision, which does not install beside this torch); and the bonus classes
of solutions/schedulers/modern.py against those formulas."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from lrlab import modern

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "solutions"))
from schedulers.modern import CosineLR, InverseSqrtLR, WarmupStableDecayLR  # noqa: E402

RTOL = 1e-9


def _hf_lrs(factory, steps: int, lr: float = 0.1) -> np.ndarray:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = factory(opt)
    out = []
    for _ in range(steps):
        out.append(sched.get_last_lr()[0])
        opt.step()
        sched.step()
    return np.array(out)


try:
    import transformers.optimization as hf
except ImportError:  # transformers is in the test extras; without it only the HF comparisons skip
    hf = None
needs_hf = pytest.mark.skipif(hf is None, reason="transformers is not installed (pip install -e '.[test]')")


@needs_hf
@pytest.mark.parametrize("w,tau", [(0, None), (1, None), (10, None), (50, 7), (100, 1000)])
def test_inverse_sqrt_equals_hf(w, tau):
    t = np.arange(3000)
    got = _hf_lrs(lambda o: hf.get_inverse_sqrt_schedule(o, w, timescale=tau), t.size)
    np.testing.assert_allclose(modern.inverse_sqrt_hf(t, 0.1, w, tau), got, rtol=1e-12, atol=0)


def test_inverse_sqrt_paper_forms_agree_and_hf_is_shifted_by_one_step():
    t = np.arange(5000)
    d, w = 512, 400
    np.testing.assert_allclose(modern.noam(t, d, w), modern.inverse_sqrt_paper(t, (d * w) ** -0.5, w), rtol=1e-12)
    np.testing.assert_allclose(modern.inverse_sqrt_paper(t[:-1], 1.0, w), modern.inverse_sqrt_hf(t[1:], 1.0, w), rtol=1e-12)
    assert modern.inverse_sqrt_hf(0, 1.0, w) == 0 and modern.inverse_sqrt_paper(0, 1.0, w) == 1 / w


@needs_hf
@pytest.mark.parametrize("wt", ["linear", "cosine", "1-sqrt"])
@pytest.mark.parametrize("dt", ["linear", "cosine", "1-sqrt"])
@pytest.mark.parametrize("r", [0.0, 0.1])
def test_wsd_equals_hf(wt, dt, r):
    W, S, D = 37, 500, 113
    t = np.arange(W + S + D + 50)
    got = _hf_lrs(lambda o: hf.get_wsd_schedule(o, W, D, num_stable_steps=S, warmup_type=wt, decay_type=dt,
                                                min_lr_ratio=r), t.size)
    np.testing.assert_allclose(modern.wsd(t, 0.1, W, S, D, warmup_type=wt, decay_type=dt, min_lr_ratio=r), got,
                               rtol=1e-12, atol=1e-15)


@needs_hf
@pytest.mark.parametrize("W,N", [(0, 100), (10, 100), (1, 2), (100, 1000)])
def test_linear_and_cosine_equal_hf(W, N):
    t = np.arange(2 * N + 5)
    np.testing.assert_allclose(modern.linear_with_warmup(t, 0.1, W, N),
                               _hf_lrs(lambda o: hf.get_linear_schedule_with_warmup(o, W, N), t.size), rtol=1e-12)
    np.testing.assert_allclose(modern.cosine_with_warmup(t, 0.1, W, N),
                               _hf_lrs(lambda o: hf.get_cosine_schedule_with_warmup(o, W, N), t.size),
                               rtol=1e-12, atol=1e-17)
    np.testing.assert_allclose(
        modern.cosine_with_warmup(t, 0.1, W, N, min_lr_rate=0.1),
        _hf_lrs(lambda o: hf.get_cosine_with_min_lr_schedule_with_warmup(o, W, N, min_lr_rate=0.1), t.size),
        rtol=1e-12)


@needs_hf
def test_hf_polynomial_reads_optimizer_defaults_not_group_lr():
    p1, p2 = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([{"params": [p1], "lr": 0.1}, {"params": [p2], "lr": 0.01}], lr=1e-3)
    sched = hf.get_polynomial_decay_schedule_with_warmup(opt, 0, 10, lr_end=1e-4)
    for _ in range(20):
        opt.step()
        sched.step()
    # lr_end is a ratio lr_end / defaults["lr"] = 0.1 applied to each group, so neither group ends at lr_end
    np.testing.assert_allclose(sched.get_last_lr(), [0.01, 0.001], rtol=1e-12)


# ---- timm oracle: CosineLRScheduler._get_lr and Scheduler._calculate_noise, transcribed from the source ----
def timm_get_lr(t, base_values, t_initial, lr_min=0.0, cycle_mul=1.0, cycle_decay=1.0, cycle_limit=1,
                warmup_t=0, warmup_lr_init=0.0, warmup_prefix=False, k_decay=1.0):
    warmup_steps = [(v - warmup_lr_init) / warmup_t for v in base_values] if warmup_t else [1 for _ in base_values]
    if t < warmup_t:
        return [warmup_lr_init + t * s for s in warmup_steps]
    if warmup_prefix:
        t = t - warmup_t
    if cycle_mul != 1:
        i = math.floor(math.log(1 - t / t_initial * (1 - cycle_mul), cycle_mul))
        t_i = cycle_mul ** i * t_initial
        t_curr = t - (1 - cycle_mul ** i) / (1 - cycle_mul) * t_initial
    else:
        i = t // t_initial
        t_i = t_initial
        t_curr = t - (t_initial * i)
    gamma = cycle_decay ** i
    lr_max_values = [v * gamma for v in base_values]
    k = k_decay
    if i < cycle_limit:
        return [lr_min + 0.5 * (lr_max - lr_min) * (1 + math.cos(math.pi * t_curr ** k / t_i ** k))
                for lr_max in lr_max_values]
    return [lr_min for _ in base_values]


def timm_noise_oracle(t, noise_pct=0.67, noise_seed=42):
    g = torch.Generator()
    g.manual_seed(noise_seed + t)
    while True:
        noise = torch.randn(1, generator=g).item()
        if abs(noise) < noise_pct:
            return noise


def _random_timm_config(rng: random.Random) -> dict:
    return dict(
        t_initial=rng.randint(1, 400), lr_min=rng.choice([0.0, 1e-4, 3e-3]),
        cycle_mul=rng.choice([1.0, 1.0, 1.5, 2.0, 3.0]), cycle_decay=rng.choice([1.0, 0.5, 0.8]),
        cycle_limit=rng.randint(1, 6), warmup_t=rng.choice([0, 1, 5, 50]),
        warmup_lr_init=rng.choice([0.0, 1e-5, 1e-3]), warmup_prefix=rng.random() < 0.5,
        k_decay=rng.choice([1.0, 0.5, 2.0, 1.7]),
    )


def test_timm_cosine_formula_equals_timm_source():
    rng = random.Random(0)
    for _ in range(30):
        cfg = _random_timm_config(rng)
        t = np.arange(3000)
        want = [timm_get_lr(int(s), [0.1], **cfg)[0] for s in t]
        np.testing.assert_allclose(modern.timm_cosine(t, 0.1, **cfg), want, rtol=1e-12, atol=0, err_msg=str(cfg))


def test_timm_noise_equals_timm_source():
    for t in range(0, 200, 7):
        assert modern.timm_noise(t, noise_seed=3) == timm_noise_oracle(t, noise_seed=3)
        assert abs(modern.timm_noise(t)) < 0.67


# ---- bonus classes vs the formulas ----
def _lrs(cls, steps, lrs=(0.1, 0.02), **kw) -> np.ndarray:
    params = [torch.zeros(1, requires_grad=True) for _ in lrs]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)], lr=0.5)
    sched = cls(opt, **kw)
    out = []
    for _ in range(steps):
        out.append(sched.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == out[-1]
        opt.step()
        sched.step()
    return np.array(out)


def test_classes_equal_formulas_random_configs():
    rng = random.Random(1)
    steps = 10_000
    t = np.arange(steps)
    for _ in range(6):
        w, tau = rng.choice([0, 1, 10, 400]), rng.choice([None, 5, 1000.0])
        got = _lrs(InverseSqrtLR, steps, warmup_steps=w, timescale=tau)
        for g, lr in enumerate((0.1, 0.02)):
            np.testing.assert_allclose(got[:, g], modern.inverse_sqrt_hf(t, lr, w, tau), rtol=RTOL, atol=1e-12 * lr)
        W, S, D = rng.randint(0, 500), rng.randint(0, 6000), rng.randint(0, 3000)
        kw = dict(warmup_type=rng.choice(modern.WSD_SHAPES), decay_type=rng.choice(modern.WSD_SHAPES),
                  min_lr_ratio=rng.choice([0.0, 0.1, 0.01]))
        got = _lrs(WarmupStableDecayLR, steps, warmup_steps=W, stable_steps=S, decay_steps=D, **kw)
        for g, lr in enumerate((0.1, 0.02)):
            np.testing.assert_allclose(got[:, g], modern.wsd(t, lr, W, S, D, **kw), rtol=RTOL, atol=1e-12 * lr)
        cfg = _random_timm_config(rng)
        got = _lrs(CosineLR, steps, **cfg)
        for g, lr in enumerate((0.1, 0.02)):
            want = [timm_get_lr(int(s), [0.1, 0.02], **cfg)[g] for s in t]
            np.testing.assert_allclose(got[:, g], want, rtol=RTOL, atol=1e-12 * lr, err_msg=str(cfg))


@pytest.mark.parametrize("make", [
    lambda o: InverseSqrtLR(o, 10),
    lambda o: WarmupStableDecayLR(o, 10, 20, 15, decay_type="1-sqrt", min_lr_ratio=0.1),
    lambda o: CosineLR(o, 12, lr_min=1e-3, cycle_mul=2.0, cycle_decay=0.5, cycle_limit=4, warmup_t=3, k_decay=2.0),
])
def test_resume_from_state_dict(make):
    def new():
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        return opt, make(opt)
    opt, sched = new()
    ref = []
    for i in range(60):
        if i == 25:
            ckpt = {"o": opt.state_dict(), "s": sched.state_dict()}
        opt.step()
        sched.step()
        ref.append(sched.get_last_lr()[0])
    opt2, sched2 = new()
    opt2.load_state_dict(ckpt["o"])
    sched2.load_state_dict(ckpt["s"])
    got = []
    for _ in range(25, 60):
        opt2.step()
        sched2.step()
        got.append(sched2.get_last_lr()[0])
    np.testing.assert_allclose(got, ref[25:], rtol=1e-12)


@pytest.mark.parametrize("make,exc", [
    (lambda o: InverseSqrtLR(o, -1), ValueError),
    (lambda o: InverseSqrtLR(o, 1.5), TypeError),
    (lambda o: InverseSqrtLR(o, 10, timescale=0), ValueError),
    (lambda o: InverseSqrtLR(o, 10, timescale="a"), TypeError),
    (lambda o: WarmupStableDecayLR(o, 1, 2, 3, decay_type="exp"), ValueError),
    (lambda o: WarmupStableDecayLR(o, 1, 2, 3, warmup_type="sqrt"), ValueError),
    (lambda o: WarmupStableDecayLR(o, 1, -2, 3), ValueError),
    (lambda o: WarmupStableDecayLR(o, 1, 2, 3, min_lr_ratio=1.5), ValueError),
    (lambda o: WarmupStableDecayLR(o, 1, 2, 3, min_lr_ratio=None), TypeError),
    (lambda o: CosineLR(o, 0), ValueError),
    (lambda o: CosineLR(o, 10.0), TypeError),
    (lambda o: CosineLR(o, 10, cycle_mul=0.5), ValueError),
    (lambda o: CosineLR(o, 10, cycle_decay=0), ValueError),
    (lambda o: CosineLR(o, 10, cycle_limit=0), ValueError),
    (lambda o: CosineLR(o, 10, k_decay=0), ValueError),
    (lambda o: CosineLR(o, 10, lr_min=-1.0), ValueError),
    (lambda o: CosineLR(o, 10, warmup_prefix=1), TypeError),
    (lambda o: CosineLR(o, 10, warmup_t=-1), ValueError),
    (lambda o: InverseSqrtLR(object(), 10), TypeError),
])
def test_bad_input(make, exc):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(exc):
        make(opt)


def test_formula_validation():
    with pytest.raises(TypeError):
        modern.wsd(np.arange(3.0), 0.1, 1, 1, 1)
    with pytest.raises(ValueError):
        modern.wsd(np.arange(3), 0.1, 1, 1, 1, decay_type="exp")
    with pytest.raises(ValueError):
        modern.inverse_sqrt_paper(np.arange(3), 0.1, 0)


def test_never_imports_torch_schedulers():
    src = (Path(__file__).resolve().parents[1] / "solutions" / "schedulers" / "modern.py").read_text()
    assert "lr_scheduler" not in src and "import torch" not in src
