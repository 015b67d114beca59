"""LambdaLR in the numpy preview: base·λ(t), vectorised when λ takes arrays, scalar loop otherwise; vs torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrlab.preview import (
    assert_schedules_close,
    preview,
    preview_chained,
    preview_sequential,
    torch_chained,
    torch_schedule,
    torch_sequential,
)
from lrlab.preview.lambda_lr import lambda_values

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


class Counting:
    """λ(t) = 0.99**t that records how it was called (arrays vs scalars)."""

    def __init__(self, scalar_only: bool = False) -> None:
        self.array_calls = 0
        self.scalar_calls = 0
        self.scalar_only = scalar_only

    def __call__(self, t):
        if isinstance(t, np.ndarray):
            self.array_calls += 1
            if self.scalar_only:
                raise TypeError("scalars only")
            return 0.99**t
        self.scalar_calls += 1
        return 0.99**t


def test_vectorised_path_calls_lambda_once_on_an_array() -> None:
    fn = Counting()
    got = preview("LambdaLR", 5000, lr=0.2, lr_lambda=fn)
    assert fn.array_calls == 2  # the initial step (n=1) and the whole schedule
    assert fn.scalar_calls < 30  # only the probe points, not 5000 calls
    assert_schedules_close(got, torch_schedule("LambdaLR", 5000, lr=0.2, lr_lambda=lambda t: 0.99**t), 0.2)


def test_scalar_fallback_when_arrays_raise() -> None:
    fn = Counting(scalar_only=True)
    got = preview("LambdaLR", 300, lr=0.2, lr_lambda=fn)
    assert fn.scalar_calls >= 300
    assert_schedules_close(got, torch_schedule("LambdaLR", 300, lr=0.2, lr_lambda=lambda t: 0.99**t), 0.2)


@pytest.mark.parametrize("fn", [
    lambda t: 0.5,  # a constant: not shape (n,) for an array input -> scalar loop
    lambda t: np.ones(3) if np.ndim(t) else 1.0,  # wrong shape for an array input
    lambda t: np.where(np.asarray(t) % 2 == 0, 1.0, 0.5) if np.ndim(t) == 0 else np.ones_like(t, dtype=float),
    lambda t: t * 2**60 // 2**60 + 1,  # int64 overflow on arrays, exact with Python ints
])
def test_vectorised_result_checked_against_scalar_calls(fn) -> None:
    n = 257
    vals = lambda_values(fn, n)
    expect = np.array([float(fn(t)) for t in range(n)])
    assert np.array_equal(vals, expect)
    assert_schedules_close(preview("LambdaLR", n, lr=0.1, lr_lambda=fn),
                           torch_schedule("LambdaLR", n, lr=0.1, lr_lambda=fn), 0.1)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_list_of_lambdas_per_group_and_momentum(optimizer: str) -> None:
    fns = [lambda t: 0.95**t, lambda t: 1.0 / (1 + t), lambda t: 1.0 if t < 10 else 0.3]
    got = preview("LambdaLR", 80, lr=[0.1, 0.5, 0.02], momentum=0.9, lr_lambda=fns)
    ref = torch_schedule("LambdaLR", 80, lr=[0.1, 0.5, 0.02], momentum=0.9, optimizer=optimizer, lr_lambda=fns)
    assert got.lr.shape == (80, 3) and got.momentum is not None
    assert_schedules_close(got, ref, 0.5)


def test_explorer_presets_vectorise_and_match_torch() -> None:
    from lrlab.explorer.params import LAMBDA_PRESETS

    for make in LAMBDA_PRESETS.values():
        fn = make(700)
        assert_schedules_close(preview("LambdaLR", 3000, lr=0.1, lr_lambda=fn),
                               torch_schedule("LambdaLR", 3000, lr=0.1, lr_lambda=fn), 0.1)
        t = np.arange(3000)
        assert np.asarray(fn(t)).shape == (3000,), f"{make.__name__} should accept an int array"


def test_in_sequential_and_chained() -> None:
    children = [("LinearLR", {"start_factor": 0.1, "total_iters": 10}),
                ("LambdaLR", {"lr_lambda": lambda t: math.cos(t / 40.0) ** 2})]
    for lr in (0.1, [0.1, 0.03]):
        assert_schedules_close(preview_sequential(children, [10], 120, lr=lr),
                               torch_sequential(children, [10], 120, lr=lr), 0.1)
        assert_schedules_close(preview_chained(children, 120, lr=lr), torch_chained(children, 120, lr=lr), 0.1)
        rev = children[::-1]
        assert_schedules_close(preview_chained(rev, 120, lr=lr), torch_chained(rev, 120, lr=lr), 0.1)


@pytest.mark.parametrize("kw,exc,word", [
    ({}, TypeError, "lr_lambda"),
    ({"lr_lambda": 0.5}, TypeError, "lr_lambda"),
    ({"lr_lambda": [lambda t: 1.0]}, ValueError, "lr_lambda"),
    ({"lr_lambda": [lambda t: 1.0, "x"]}, TypeError, r"lr_lambda.*not callable"),
])
def test_bad_lambda(kw: dict, exc: type, word: str) -> None:
    with pytest.raises(exc, match=word):
        preview("LambdaLR", 10, lr=[0.1, 0.2], **kw)


def test_lambda_exception_propagates_like_torch() -> None:
    def bad(t):
        if t == 5:
            raise ZeroDivisionError("boom")
        return 1.0

    with pytest.raises(ZeroDivisionError):
        torch_schedule("LambdaLR", 10, lr_lambda=bad)
    with pytest.raises(ZeroDivisionError):
        preview("LambdaLR", 10, lr_lambda=bad)
