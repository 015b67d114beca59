"""Training lab: compare_schedules and the History / comparison plots (Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from torch.optim.lr_scheduler import CosineAnnealingLR, OneCycleLR, StepLR  # noqa: E402

from lrlab.training import Comparison, compare_schedules, make_model, steps_per_epoch, train  # noqa: E402

EPOCHS = 4
SPE = steps_per_epoch(64)


@pytest.fixture(scope="module")
def comparison():
    schedules = {
        "constant": None,
        "step": lambda o: StepLR(o, step_size=2, gamma=0.3),
        "cosine": lambda o: CosineAnnealingLR(o, T_max=EPOCHS),
        "one-cycle": (lambda o: OneCycleLR(o, max_lr=0.2, total_steps=EPOCHS * SPE), "batch"),
    }
    result = compare_schedules(schedules, epochs=EPOCHS, lr=0.05, seed=1, seeds=3)
    yield result
    plt.close("all")


def test_compare_returns_every_run_with_the_same_budget(comparison):
    assert isinstance(comparison, Comparison)
    assert list(comparison.runs) == ["constant", "step", "cosine", "one-cycle"]
    for h in comparison.runs.values():
        assert h.steps == EPOCHS * SPE and h.epochs == EPOCHS
        assert h.config["seed"] == 1 and h.config["epochs"] == EPOCHS
    runs = comparison.runs
    assert runs["constant"].lr == [0.05] * (EPOCHS * SPE)
    assert runs["step"].lr[-1] == pytest.approx(0.05 * 0.3)
    assert runs["one-cycle"].config["step_every"] == "batch" and runs["cosine"].config["step_every"] == "epoch"
    assert max(runs["one-cycle"].lr) == pytest.approx(0.2, rel=1e-3)
    # a run in the comparison equals the same run made alone (same model, seed, data)
    alone = train(lambda o: StepLR(o, step_size=2, gamma=0.3), epochs=EPOCHS, lr=0.05, seed=1)
    assert alone == runs["step"]
    for h in runs.values():
        assert h.final_val_acc > 0.8


def test_table_and_text(comparison):
    rows = comparison.table()
    assert [r["schedule"] for r in rows] == list(comparison.runs)
    for r in rows:
        assert r["final_val_acc"] == comparison.runs[r["schedule"]].final_val_acc
    text = str(comparison)
    summary = comparison.summary()
    for name in comparison.runs:
        assert name in text and f"{100 * summary[name].mean:6.2f} ±" in text
        assert [h.config["seed"] for h in comparison.seed_runs[name]] == [1, 2, 3]
    assert "*" not in text, "no star on a winner"
    best = comparison.best()
    assert summary[best].mean == max(s.mean for s in summary.values())
    verdicts = comparison.verdicts()
    assert verdicts[best] == "best mean"
    assert all(v.startswith(("worse", "no significant difference", "best mean")) for v in verdicts.values())


def test_seed_runs_are_independent_train_runs():
    c = compare_schedules({"constant": None}, epochs=2, seeds=3, seed=4, plot=False)
    assert c.seed_runs["constant"][2] == train(None, epochs=2, seed=6)
    assert c.values("constant") == [h.final_val_acc for h in c.seed_runs["constant"]]


def test_comparison_figure_draws_lr_curves_and_table(comparison):
    fig = comparison.figure
    assert fig is not None and len(fig.axes) == 3
    lr_lines = fig.axes[1].get_lines()
    assert len(lr_lines) == 4
    for line, h in zip(lr_lines, comparison.runs.values(), strict=True):
        np.testing.assert_array_equal(line.get_ydata(), h.lr)
    assert fig.axes[2].tables
    fig.canvas.draw()


def test_module_model_is_copied_per_run():
    net = make_model("mlp", seed=2)
    before = [p.detach().clone() for p in net.parameters()]
    result = compare_schedules({"a": None, "b": None}, model=net, epochs=1, plot=False)
    assert result.runs["a"] == result.runs["b"]
    assert result.figure is None
    for a, p in zip(before, net.parameters(), strict=True):
        assert (a == p).all()


def test_history_plot_has_four_panels():
    h = train(lambda o: OneCycleLR(o, max_lr=0.1, total_steps=2 * SPE), step_every="batch", epochs=2)
    fig = h.plot()
    assert len(fig.axes) == 4
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["loss", "accuracy", "learning rate", "momentum"]
    np.testing.assert_array_equal(fig.axes[2].get_lines()[0].get_ydata(), h.lr)
    np.testing.assert_array_equal(fig.axes[3].get_lines()[0].get_ydata(), h.momentum)
    fig.canvas.draw()
    plt.close(fig)


@pytest.mark.parametrize(
    ("schedules", "kwargs", "exc", "match"),
    [
        ([None], {}, TypeError, "schedules must be a dict"),
        ({}, {}, ValueError, "at least one schedule"),
        ({"x": 3}, {}, TypeError, "schedules\\['x'\\] must be a factory"),
        ({"x": (None, "step")}, {}, ValueError, "step_every must be one of"),
        ({"x": (None, "batch", 1)}, {}, ValueError, "must be a pair"),
        ({"x": None}, {"scheduler": None}, TypeError, "not a `scheduler` argument"),
        ({"x": None}, {"epochs": 0}, ValueError, "epochs must be >= 1"),
        ({"x": None}, {"plot": "no"}, TypeError, "plot must be a bool"),
    ],
)
def test_bad_arguments_raise(schedules, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        compare_schedules(schedules, **kwargs)
