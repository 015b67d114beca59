"""The preview of ConstantLR, MultiplicativeLR, PolynomialLR and SWALR equals torch (rtol 1e-9, atol 1e-12*lr0):
alone at 100k steps, inside SequentialLR and ChainedScheduler, and where torch's recursion is surprising."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lrlab import catalog, lambdas
from lrlab.preview import (
    SCHEDULERS,
    assert_schedules_close,
    preview,
    preview_chained,
    preview_sequential,
    torch_chained,
    torch_schedule,
    torch_sequential,
)
from lrlab.preview.validation import PreviewZeroDivisionError

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
NEW = ("ConstantLR", "MultiplicativeLR", "PolynomialLR", "SWALR")
M = lambdas.MULTIPLICATIVE_PRESETS


def test_the_four_are_previewed_in_course_order() -> None:
    assert set(NEW) <= set(SCHEDULERS)
    assert [n for n in SCHEDULERS if n in NEW] == [n for n in catalog.SCHEDULERS if n in NEW]


LONG = [
    ("ConstantLR", {"factor": 0.1, "total_iters": 60_000}),
    ("PolynomialLR", {"total_iters": 90_000, "power": 0.9}),
    ("PolynomialLR", {"total_iters": 100_000, "power": 2.0}),  # never reaches 0 within the run
    ("MultiplicativeLR", {"lr_lambda": M["half-life H: 0.5^(1/H) per step"](20_000)}),
    ("MultiplicativeLR", {"lr_lambda": M["inverse sqrt after H: sqrt((t-1)/t)"](4000)}),
    ("MultiplicativeLR", {"lr_lambda": lambda t: 0.99999 if t < 50_000 else 1.0}),  # scalar only: the loop
    ("SWALR", {"swa_lr": 0.02, "anneal_epochs": 80_000}),
    ("SWALR", {"swa_lr": [0.02, 0.5], "anneal_epochs": 99_999, "anneal_strategy": "linear"}),
]


@pytest.mark.slow
@pytest.mark.parametrize("name,params", LONG, ids=[f"{n}-{i}" for i, (n, _) in enumerate(LONG)])
def test_long_horizon_100k(name: str, params: dict) -> None:
    lr = [0.1, 0.03] if isinstance(params.get("swa_lr"), list) else 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = preview(name, 100_000, lr=lr, **params)
        ref = torch_schedule(name, 100_000, lr=lr, **params)
    assert_schedules_close(got, ref, 0.1)


COMPOSITIONS = [
    [("ConstantLR", {"factor": 0.2, "total_iters": 4}), ("PolynomialLR", {"total_iters": 30, "power": 2.0})],
    [("ExponentialLR", {"gamma": 0.9}), ("SWALR", {"swa_lr": 0.01, "anneal_epochs": 7})],
    [("SWALR", {"swa_lr": 0.01, "anneal_epochs": 7}), ("MultiplicativeLR", {"lr_lambda": M["halve every H steps"](5)})],
    [("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3}),
     ("SWALR", {"swa_lr": 0.02, "anneal_epochs": 4, "anneal_strategy": "linear"})],  # op after an absolute child
    [("CosineAnnealingLR", {"T_max": 9, "eta_min": 0.001}), ("SWALR", {"swa_lr": 0.02, "anneal_epochs": 0})],
    [("LinearLR", {"start_factor": 0.1, "total_iters": 5}), ("ConstantLR", {"factor": 0.5, "total_iters": 12}),
     ("MultiplicativeLR", {"lr_lambda": lambda t: 0.5 if t == 0 else 0.97})],
    [("PolynomialLR", {"total_iters": 8}), ("CosineAnnealingLR", {"T_max": 6}), ("SWALR", {"swa_lr": 0.003})],
]


@pytest.mark.parametrize("children", COMPOSITIONS, ids=lambda c: "+".join(n for n, _ in c) if isinstance(c, list)
                         else None)
@pytest.mark.parametrize("lr", [0.1, [0.1, 0.03]], ids=["1group", "2groups"])
def test_sequential_and_chained(children: list, lr) -> None:
    for milestones in ([0] * (len(children) - 1), [5] * (len(children) - 1), list(range(6, 6 * len(children), 6))):
        assert_schedules_close(preview_sequential(children, milestones, 40, lr=lr),
                               torch_sequential(children, milestones, 40, lr=lr), 0.1)
    assert_schedules_close(preview_chained(children, 40, lr=lr), torch_chained(children, 40, lr=lr), 0.1)


def test_sequential_long_warmup_then_swa() -> None:
    children = [("ConstantLR", {"factor": 0.1, "total_iters": 500}), ("PolynomialLR", {"total_iters": 20_000}),
                ("SWALR", {"swa_lr": 0.01, "anneal_epochs": 3000})]
    assert_schedules_close(preview_sequential(children, [500, 15_000], 30_000, lr=0.1),
                           torch_sequential(children, [500, 15_000], 30_000, lr=0.1), 0.1)


def test_constant_total_iters_0_never_undoes_the_factor() -> None:
    ours, ref = preview("ConstantLR", 20, lr=0.1, factor=0.5, total_iters=0), \
        torch_schedule("ConstantLR", 20, lr=0.1, factor=0.5, total_iters=0)
    assert np.all(ours.lr == 0.05) and np.array_equal(ours.lr, ref.lr)


def test_swalr_starts_from_the_current_lr_at_a_milestone_and_ends_at_swa_lr() -> None:
    children = [("ExponentialLR", {"gamma": 0.9}), ("SWALR", {"swa_lr": 0.05, "anneal_epochs": 5})]
    lr = preview_sequential(children, [10], 30, lr=0.1).lr[:, 0]
    assert lr[10] == lr[9]  # _update_lr(0) of SWALR (step count 0) keeps the LR the decay left
    assert np.all(lr[15:] == 0.05)
    assert np.array_equal(lr, torch_sequential(children, [10], 30, lr=0.1).lr[:, 0])


def test_polynomial_closed_form_at_a_milestone_with_total_iters_0_raises_like_torch() -> None:
    children = [("StepLR", {"step_size": 3}), ("PolynomialLR", {"total_iters": 0})]
    with pytest.raises(ZeroDivisionError):
        torch_sequential(children, [5], 10)
    with pytest.raises(PreviewZeroDivisionError, match="total_iters"):
        preview_sequential(children, [5], 10)


@pytest.mark.parametrize("name,params", [("ConstantLR", {"factor": 0.0, "total_iters": 3}),
                                          ("PolynomialLR", {"total_iters": 3, "power": -1.0})])
def test_division_by_zero_at_total_iters_raises_like_torch(name: str, params: dict) -> None:
    with pytest.raises(ZeroDivisionError):
        torch_schedule(name, 10, **params)
    with pytest.raises(ZeroDivisionError, match=name):
        preview(name, 10, **params)
    preview(name, 3, **params)  # epochs 0..2: the step that divides (3) is not reached: fine


@pytest.mark.parametrize("name,params,words", [
    ("ConstantLR", {"factor": 1.5}, "factor"),
    ("SWALR", {"swa_lr": 0.1, "anneal_strategy": "zigzag"}, "anneal_strategy"),
    ("SWALR", {"swa_lr": [0.1, 0.2]}, "swa_lr"),
    ("MultiplicativeLR", {"lr_lambda": 0.9}, "lr_lambda"),
])
def test_bad_params_raise_torchs_exception_with_the_call(name: str, params: dict, words: str) -> None:
    with pytest.raises((ValueError, TypeError), match=words):
        preview(name, 10, **params)


@pytest.mark.parametrize("preset", list(M))
def test_multiplicative_presets_vectorise_and_match_torch(preset: str) -> None:
    fn = M[preset](7)
    t = np.arange(50)
    assert np.array_equal(fn(t), np.array([fn(int(i)) for i in t]))
    assert isinstance(fn(3), float)
    assert_schedules_close(preview("MultiplicativeLR", 300, lr=[0.1, 0.2], lr_lambda=fn),
                           torch_schedule("MultiplicativeLR", 300, lr=[0.1, 0.2], lr_lambda=fn), 0.2)


def test_make_preset_finds_both_tables_and_names_the_known_ones() -> None:
    assert isinstance(lambdas.make_preset("halve every H steps", 4), lambdas.HalveEvery)
    assert isinstance(lambdas.make_preset("cosine to 0 over H", 4), lambdas.CosineToZero)
    with pytest.raises(ValueError, match="known"):
        lambdas.make_preset("cosine to 0 over H", 4, table="multiplicative")
    with pytest.raises(ValueError, match="horizon"):
        lambdas.make_preset("halve every H steps", 0)


def test_explorer_panels_of_the_four_draw_torch() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from lrlab.explorer import explore
    from lrlab.explorer.params import CLOSED_FORM, default_values, to_kwargs

    assert set(NEW) <= set(CLOSED_FORM)
    for name in NEW:
        panel = explore(name, steps=120, module=False)
        assert panel.error is None, (name, panel.message_text)
        kwargs = to_kwargs(name, default_values(name, 120))
        want = torch_schedule(name, 120, lr=panel.lr, **kwargs).lr[:, 0]
        np.testing.assert_allclose(panel.figure.line_data("lr")["torch"][1], want, rtol=1e-9, atol=1e-12 * panel.lr)
