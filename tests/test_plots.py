"""lrlab.plots: decimation keeps extremes and jumps; first_difference; static schedule figures."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch

from lrlab.plots import decimate, first_difference, plot_schedules


def _torch_steplr(steps: int, step_size: int, gamma: float, lr: float = 0.1) -> np.ndarray:
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no optimizer.step(): torch's call-order warning is expected
        for t in range(steps):
            if t:
                sched.step()
            out.append(sched.get_last_lr()[0])
    return np.array(out)


def test_decimate_keeps_max_min_and_shrinks():
    rng = np.random.default_rng(1)
    y = np.cumsum(rng.standard_normal(100_000))
    x = np.arange(y.size, dtype=float)
    xd, yd = decimate(x, y, 500)
    assert xd.size <= 10 * 500 and xd.size >= 2 * 500
    assert yd.max() == y.max() and yd.min() == y.min()
    assert x[np.argmax(y)] in xd and x[np.argmin(y)] in xd
    assert xd[0] == 0 and xd[-1] == y.size - 1
    assert np.all(np.diff(xd) > 0)
    # every kept point is an original point
    assert np.array_equal(y[xd.astype(int)], yd)
    # per column, the extremes survive
    edges = (np.arange(501) * y.size) // 500
    for c in rng.integers(0, 500, 20):
        seg = slice(edges[c], edges[c + 1])
        inside = (xd >= edges[c]) & (xd < edges[c + 1])
        assert yd[inside].max() == y[seg].max() and yd[inside].min() == y[seg].min()


@pytest.mark.parametrize("width", [97, 500, 1000])
def test_decimate_keeps_every_discontinuity(width):
    y = _torch_steplr(50_000, 777, 0.7)  # 64 jumps, positions not aligned with columns
    jumps = np.flatnonzero(np.diff(y) != 0)
    spiky = np.sin(np.arange(50_000) / 300.0)
    spiky[[123, 4567, 33_333]] = [5.0, -5.0, 7.0]  # single-sample peaks
    for curve in (y, spiky):
        xd, yd = decimate(np.arange(curve.size, dtype=float), curve, width)
        kept = set(xd.astype(int).tolist())
        for i in np.flatnonzero(np.abs(np.diff(curve)) > 0.5):
            assert i in kept and i + 1 in kept, f"jump at {i}->{i + 1} lost"
    xd, _ = decimate(np.arange(y.size, dtype=float), y, width)
    kept = set(xd.astype(int).tolist())
    assert all(i in kept and i + 1 in kept for i in jumps)
    xs, ys = decimate(np.arange(spiky.size, dtype=float), spiky, width)
    assert {123, 4567, 33_333} <= set(xs.astype(int).tolist())
    assert ys.max() == 7.0 and ys.min() == -5.0


def test_decimate_small_input_unchanged_and_nan():
    x, y = np.arange(10.0), np.linspace(1, 2, 10)
    xd, yd = decimate(x, y, 100)
    assert np.array_equal(xd, x) and np.array_equal(yd, y)
    y = np.linspace(0, 1, 10_000)
    y[5000:5100] = np.nan
    xd, yd = decimate(np.arange(y.size, dtype=float), y, 50)
    assert np.nanmax(yd) == 1.0 and np.nanmin(yd) == 0.0


@pytest.mark.parametrize("bad, exc", [(0, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError)])
def test_decimate_rejects_bad_width(bad, exc):
    with pytest.raises(exc, match="width_px"):
        decimate([0, 1], [0, 1], bad)


def test_decimate_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="same length"):
        decimate(np.arange(5), np.arange(6), 10)


def test_first_difference():
    a = _torch_steplr(100, 10, 0.5)
    assert first_difference(a, a.copy()) is None
    b = a.copy()
    b[37] *= 1 + 1e-6
    assert first_difference(a, b) == 37
    c = a.copy()
    c[12] *= 1 + 1e-11  # within rtol 1e-9
    assert first_difference(a, c) is None
    d = a.copy()
    d[5] = np.nan
    assert first_difference(a, d) == 5
    assert first_difference(a, a[:50]) is None  # common prefix only
    two = np.stack([a, a], axis=1)
    other = two.copy()
    other[70, 1] = 0.0
    assert first_difference(two, other) == 70


def test_plot_schedules_lr_momentum_log_and_marker():
    a = _torch_steplr(200, 50, 0.5)
    b = a.copy()
    b[120:] *= 2
    mom = np.linspace(0.85, 0.95, 200)

    class S:
        name, lr, momentum = "with momentum", a[:, None], mom[:, None]

    fig = plot_schedules([S(), b], labels=["torch", "mine"], log=True, mark_first_difference=True)
    ax_lr, ax_mom = fig.axes
    assert ax_lr.get_yscale() == "log"
    lines = {ln.get_label(): ln for ln in ax_lr.get_lines()}
    assert np.array_equal(lines["torch"].get_ydata(), a)
    assert np.array_equal(lines["mine"].get_ydata(), b)
    assert np.allclose(ax_mom.get_lines()[0].get_ydata(), mom)
    marks = [ln for ln in ax_lr.get_lines() if ln.get_linestyle() == ":"]
    assert [ln.get_xdata()[0] for ln in marks] == [120]
    assert any("step 120" in t.get_text() for t in ax_lr.texts)
    fig2 = plot_schedules({"only": a}, mark_step=3)
    assert len(fig2.axes) == 1 and fig2.axes[0].get_yscale() == "linear"


def test_plot_schedules_validates():
    with pytest.raises(ValueError, match="labels"):
        plot_schedules([np.ones(3)], labels=["a", "b"])
    with pytest.raises(ValueError, match="mark_step"):
        plot_schedules(np.ones(3), mark_step=-1)
    with pytest.raises(TypeError, match="log"):
        plot_schedules(np.ones(3), log="yes")
