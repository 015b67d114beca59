"""Training lab: the LR range test (lr_find) against Smith/fastai's definition."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from lrlab.training import load_digits_data, lr_find, make_model, suggest, train  # noqa: E402


@pytest.fixture(scope="module")
def default_result():
    return lr_find()


def test_ramp_is_exponential_and_loss_is_debiased_ema(default_result):
    r = default_result
    n = len(r.lrs)
    assert n == len(r.losses) == len(r.raw_losses) > 50
    expected = np.exp(np.linspace(np.log(1e-7), np.log(10.0), 101))[:n]  # lr_i = s*(e/s)**(i/100)
    np.testing.assert_allclose(r.lrs, expected, rtol=1e-12)
    beta, x = 0.98, np.asarray(r.raw_losses)
    for i in (0, 1, 10, n - 1):
        w = (1 - beta) * beta ** np.arange(i, -1, -1)
        assert r.losses[i] == pytest.approx(float(w @ x[: i + 1]) / (1 - beta ** (i + 1)), rel=1e-9)
    assert r.best_loss == min(r.losses)


def test_linear_ramp():
    r = lr_find(start_lr=1e-3, end_lr=1.0, num_iter=20, step_mode="linear", stop_div=False)
    np.testing.assert_allclose(r.lrs, 1e-3 + (1.0 - 1e-3) * np.arange(20) / 20, rtol=1e-12)


def test_restores_model_optimizer_and_grads():
    data = load_digits_data()
    net = make_model("mlp", seed=1)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    for i in range(3):  # give the optimizer momentum buffers and the params gradients
        opt.zero_grad()
        F.cross_entropy(net(data.x_train[i * 64 : (i + 1) * 64]), data.y_train[i * 64 : (i + 1) * 64]).backward()
        opt.step()
    net.eval()
    weights = {k: v.clone() for k, v in net.state_dict().items()}
    grads = [p.grad.clone() for p in net.parameters()]
    opt_state = {k: {n: t.clone() for n, t in s.items()} for k, s in opt.state_dict()["state"].items()}
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]

    r = lr_find(model=net, optimizer=opt, num_iter=40, start_lr=1e-4, end_lr=1.0)
    assert len(set(r.raw_losses)) > 10  # the test really trained (losses moved)

    for k, v in net.state_dict().items():
        assert torch.equal(v, weights[k]), k
    for p, g in zip(net.parameters(), grads, strict=True):
        assert torch.equal(p.grad, g)
    assert not net.training
    after = opt.state_dict()["state"]
    assert after.keys() == opt_state.keys()
    for k, s in opt_state.items():
        for n, t in s.items():
            assert torch.equal(after[k][n], t)
    assert [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups] == groups


def test_named_model_is_seeded_like_train():
    # the fresh model lr_find trains is the one train(seed=...) starts from, and it is not modified
    net_a, net_b = make_model("mlp", seed=5), make_model("mlp", seed=5)
    lr_find(model=net_a, num_iter=10, stop_div=False)
    for a, b in zip(net_a.parameters(), net_b.parameters(), strict=True):
        assert torch.equal(a, b)
    r1, r2 = lr_find(seed=5, num_iter=30), lr_find(seed=5, num_iter=30)
    assert r1 == r2


def test_stops_early_on_explosion():
    r = lr_find(end_lr=1000.0)
    assert r.stopped_early
    assert len(r.lrs) < r.num_iter
    assert r.losses[-1] > 4 * r.best_loss
    assert all(s <= 4 * min(r.losses[: i + 1]) for i, s in enumerate(r.losses[:-1]))
    tighter = lr_find(end_lr=1000.0, diverge_th=1.5)
    assert tighter.stopped_early and len(tighter.lrs) < len(r.lrs)
    full = lr_find(end_lr=1000.0, stop_div=False)
    assert not full.stopped_early and len(full.lrs) == full.num_iter


def test_suggestions_follow_fastai_rules():
    num_iter = 100
    lrs = list(np.geomspace(1e-5, 1.0, num_iter))
    # flat, then a strictly decreasing stretch, then a blow-up
    losses = [2.0] * 40 + list(np.linspace(1.9, 0.5, 40)) + list(np.linspace(0.6, 5.0, 20))
    sugg, pts = suggest(lrs, losses, num_iter)
    lr_t, loss_t = np.array(lrs[10:-5]), np.array(losses[10:-5])
    m = int(np.argmin(loss_t))
    assert sugg["minimum"] == pytest.approx(lr_t[m] / 10)
    assert pts["minimum"] == (pytest.approx(lr_t[m]), pytest.approx(loss_t[m]))
    s = int(np.argmin(np.diff(loss_t) / np.diff(np.log(lr_t))))
    assert sugg["steep"] == pytest.approx(lr_t[s])
    # longest decreasing run: one of the flat 2.0s (index 29 of the trimmed list) followed by the 40-point
    # slope (30..69); fastai puts the start one before it: max_start = 69 - 41 = 28, len 41 -> 28 + 13 + 6
    assert sugg["valley"] == pytest.approx(lr_t[28 + int(41 / 3) + int(41 / 3 / 2)])
    assert lr_t[30] < sugg["valley"] < lr_t[m]
    # a NaN cuts the series; too few points -> no suggestion
    nan_losses = losses[:50] + [math.nan] * 50
    sugg_nan, _ = suggest(lrs, nan_losses, num_iter)
    assert sugg_nan["minimum"] == pytest.approx(lrs[49] / 10)
    assert suggest(lrs[:12], losses[:12], num_iter) == ({"valley": None, "steep": None, "minimum": None},) * 2


def test_valley_suggestion_trains_better_than_tiny_lr(default_result):
    valley = default_result.valley
    assert valley is not None and 1e-4 < valley < 1.0
    good = train(lr=valley, epochs=5)
    tiny = train(lr=1e-5, epochs=5)
    assert good.final_val_acc > 0.8
    assert good.final_val_acc > tiny.final_val_acc + 0.4


def test_plot_marks_suggestions_on_log_axis(default_result):
    fig = default_result.plot()
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    markers = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    assert len(markers) == 3
    xs = sorted(float(ln.get_xdata()[0]) for ln in markers)
    expected = sorted(pt[0] for pt in default_result.points.values())
    assert xs == pytest.approx(expected)
    fig.canvas.draw()
    matplotlib.pyplot.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"start_lr": 1.0, "end_lr": 0.1}, ValueError, "start_lr must be < end_lr"),
        ({"start_lr": 0.0}, ValueError, "start_lr must be > 0"),
        ({"end_lr": -1.0}, ValueError, "end_lr must be > 0"),
        ({"num_iter": 3}, ValueError, "num_iter must be >= 6"),
        ({"step_mode": "cos"}, ValueError, "step_mode must be one of"),
        ({"smooth_beta": 1.0}, ValueError, "smooth_beta must be < 1"),
        ({"diverge_th": 1.0}, ValueError, "diverge_th must be > 1"),
        ({"stop_div": "yes"}, TypeError, "stop_div must be a bool"),
        ({"optimizer": "lbfgs"}, ValueError, "optimizer must be one of"),
        ({"optimizer": 5}, TypeError, "optimizer must be one of"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
    ],
)
def test_bad_arguments_raise(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        lr_find(**kwargs)


def test_optimizer_of_another_model_is_rejected():
    net, other = make_model("mlp", seed=0), make_model("mlp", seed=1)
    with pytest.raises(ValueError, match="optimizer must optimize the parameters of model"):
        lr_find(model=net, optimizer=torch.optim.SGD(other.parameters(), lr=0.1))
    with pytest.raises(TypeError, match="model must be the nn.Module"):
        lr_find(model="mlp", optimizer=torch.optim.SGD(other.parameters(), lr=0.1))
