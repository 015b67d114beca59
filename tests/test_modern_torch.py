"""HF's and timm's schedules built from torch's own parts (lrlab.modern.torch_*) equal the formulas."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from lrlab import modern


def _run(make, n, lrs=(0.1,)):
    ps = [torch.zeros(1, requires_grad=True) for _ in lrs]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(ps, lrs, strict=True)], lr=1e-3)  # defaults["lr"] != group LR on purpose
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make(opt)
        out = []
        for _ in range(n):
            out.append(sched.get_last_lr())
            opt.step()
            sched.step()
    return np.array(out)


T = np.arange(700)
TOL = dict(rtol=1e-9, atol=1e-12 * 0.1)


@pytest.mark.parametrize("W", [0, 1, 2, 10, 99])
def test_linear_and_cosine(W):
    for lrs in ((0.1,), (0.1, 0.03)):
        got = _run(lambda o: modern.torch_linear_with_warmup(o, W, 300), T.size, lrs)
        for g, lr in enumerate(lrs):
            np.testing.assert_allclose(got[:, g], modern.linear_with_warmup(T, lr, W, 300), **TOL)
    got = _run(lambda o: modern.torch_cosine_with_warmup(o, W, 300, 0.1), T.size)
    np.testing.assert_allclose(got[:, 0], modern.cosine_with_warmup(T, 0.1, W, 300, min_lr_rate=0.1), **TOL)


def test_cosine_floor_differs_with_two_groups():
    got = _run(lambda o: modern.torch_cosine_with_warmup(o, 10, 300, 0.1), 311, (0.1, 0.01))
    # torch's eta_min is absolute (0.1 * 0.1 = 0.01) for both groups; HF's floor is 10% of each group's LR
    np.testing.assert_allclose(got[300], [0.01, 0.01], rtol=1e-9)
    assert modern.cosine_with_warmup(300, 0.01, 10, 300, min_lr_rate=0.1) == pytest.approx(0.001)


@pytest.mark.parametrize("W", [0, 1, 2, 17])
@pytest.mark.parametrize("dt", modern.WSD_SHAPES)
@pytest.mark.parametrize("r", [0.0, 0.1])
def test_wsd(W, dt, r):
    got = _run(lambda o: modern.torch_wsd(o, W, 200, 80, decay_type=dt, min_lr_ratio=r), T.size)
    np.testing.assert_allclose(got[:, 0], modern.wsd(T, 0.1, W, 200, 80, decay_type=dt, min_lr_ratio=r), **TOL)


@pytest.mark.parametrize("W,init", [(0, 0.0), (1, 0.0), (10, 0.0), (10, 1e-3)])
@pytest.mark.parametrize("limit", [1, 3])
def test_timm_cosine(W, init, limit):
    got = _run(lambda o: modern.torch_timm_cosine(o, 60, lr_min=1e-3, warmup_t=W, warmup_lr_init=init,
                                                  cycle_limit=limit), T.size)
    want = modern.timm_cosine(T, 0.1, 60, lr_min=1e-3, warmup_t=W, warmup_lr_init=init, warmup_prefix=True,
                              cycle_limit=limit)
    np.testing.assert_allclose(got[:, 0], want, **TOL)


def test_inverse_sqrt_lambda():
    got = _run(lambda o: modern.torch_inverse_sqrt(o, 40), T.size, (0.1, 0.02))
    np.testing.assert_allclose(got[:, 1], modern.inverse_sqrt_hf(T, 0.02, 40), **TOL)
