"""Bad arguments: clear TypeError/ValueError naming the parameter, the same type torch raises."""

from __future__ import annotations

import types

import pytest
import torch

from lrlab.preview import (
    SCHEDULERS,
    assert_schedules_close,
    module_schedule,
    preview,
    preview_chained,
    preview_sequential,
    torch_schedule,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_unknown_name_lists_known() -> None:
    with pytest.raises(ValueError, match="CosineAnnealingLR") as exc:
        preview("CosineLR", 10)
    assert all(n in str(exc.value) for n in SCHEDULERS)


@pytest.mark.parametrize("steps,exc", [(0, ValueError), (-3, ValueError), (2.5, TypeError), (True, TypeError),
                                       ("10", TypeError)])
def test_steps(steps: object, exc: type) -> None:
    with pytest.raises(exc, match="steps"):
        preview("StepLR", steps, step_size=2)
    with pytest.raises(exc, match="steps"):
        torch_schedule("StepLR", steps, step_size=2)


@pytest.mark.parametrize("kw,exc,word", [
    ({"lr": -0.1}, ValueError, "lr"), ({"lr": []}, ValueError, "lr"), ({"lr": "a"}, TypeError, "lr"),
    ({"momentum": 1.0}, ValueError, "momentum"), ({"bogus": 1}, TypeError, "bogus"),
])
def test_common_arguments(kw: dict, exc: type, word: str) -> None:
    with pytest.raises(exc, match=word):
        preview("StepLR", 5, step_size=2, **kw)


# (name, params, exception): torch raises the same type when constructing/stepping its own class
TORCH_RAISES = [
    ("LinearLR", {"start_factor": 0.0}, ValueError, "start_factor"),
    ("LinearLR", {"start_factor": 1.5}, ValueError, "start_factor"),
    ("LinearLR", {"end_factor": -0.1}, ValueError, "end_factor"),
    ("CosineAnnealingWarmRestarts", {"T_0": 0}, ValueError, "T_0"),
    ("CosineAnnealingWarmRestarts", {"T_0": 2.0}, ValueError, "T_0"),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 0}, ValueError, "T_mult"),
    ("CosineAnnealingWarmRestarts", {"T_0": 3, "eta_min": "0"}, ValueError, "eta_min"),
    ("OneCycleLR", {"max_lr": 1.0}, ValueError, "total_steps"),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 0}, ValueError, "total_steps"),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 10, "pct_start": 1}, ValueError, "pct_start"),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 10, "pct_start": 1.5}, ValueError, "pct_start"),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 10, "anneal_strategy": "exp"}, ValueError, "anneal_strategy"),
    ("OneCycleLR", {"max_lr": [1.0, 2.0, 3.0], "total_steps": 10}, ValueError, "max_lr"),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 10, "pct_start": 0.1}, ZeroDivisionError, "pct_start"),
    ("CyclicLR", {"base_lr": 0.1, "max_lr": 1.0, "mode": "sawtooth"}, ValueError, "mode"),
    ("CyclicLR", {"base_lr": [0.1], "max_lr": 1.0}, ValueError, "base_lr"),
    ("StepLR", {}, TypeError, "step_size"),
]


@pytest.mark.parametrize("name,params,exc,word", TORCH_RAISES)
def test_mirrors_torch_exception_type(name: str, params: dict, exc: type, word: str) -> None:
    with pytest.raises(exc, match=word):
        preview(name, 12, lr=[0.1, 0.1], **params)
    opt = torch.optim.SGD([{"params": [torch.zeros(1)]}, {"params": [torch.zeros(1)]}], lr=0.1, momentum=0.9)
    with pytest.raises(exc):
        sched = getattr(torch.optim.lr_scheduler, name)(opt, **params)
        for _ in range(11):
            sched.step()


@pytest.mark.parametrize("name,params,exc,word", [
    ("StepLR", {"step_size": 0}, ValueError, "step_size"),
    ("StepLR", {"step_size": 2, "gamma": -1.0}, ValueError, "gamma"),
    ("CosineAnnealingLR", {"T_max": 0}, ValueError, "T_max"),
    ("CosineAnnealingLR", {"T_max": 2.5}, TypeError, "T_max"),
    ("CosineAnnealingLR", {"T_max": 5, "eta_min": -1.0}, ValueError, "eta_min"),
    ("MultiStepLR", {"milestones": 3}, TypeError, "milestones"),
    ("CyclicLR", {"base_lr": 0.1, "max_lr": 1.0, "step_size_up": 0}, ValueError, "step_size_up"),
    ("CyclicLR", {"base_lr": 0.1, "max_lr": 1.0, "scale_fn": 3}, TypeError, "scale_fn"),
    ("CyclicLR", {"base_lr": 0.1, "max_lr": 1.0, "scale_mode": "epoch"}, ValueError, "scale_mode"),
    ("OneCycleLR", {"max_lr": 1.0, "total_steps": 10, "div_factor": 0.0}, ValueError, "div_factor"),
])
def test_range_errors_name_the_parameter(name: str, params: dict, exc: type, word: str) -> None:
    with pytest.raises(exc, match=word):
        preview(name, 5, **params)
    with pytest.raises(exc, match=word):
        torch_schedule(name, 5, **params)


def test_composition_arguments() -> None:
    with pytest.raises(ValueError, match="children"):
        preview_sequential([], [], 5)
    with pytest.raises(ValueError, match="milestones"):
        preview_sequential([("LinearLR", {}), ("StepLR", {"step_size": 2})], [], 5)
    with pytest.raises(ValueError, match="non-decreasing"):
        preview_sequential([("LinearLR", {}), ("LinearLR", {}), ("LinearLR", {})], [5, 2], 9)
    with pytest.raises(TypeError, match="children\\[0\\]"):
        preview_chained(["LinearLR"], 5)
    with pytest.raises(ValueError, match="unknown scheduler"):
        preview_chained([("Nope", {})], 5)


def test_optimizer_choice() -> None:
    with pytest.raises(ValueError, match="optimizer"):
        torch_schedule("StepLR", 5, optimizer="rmsprop", step_size=2)


class _ClosedFormStepLR(torch.optim.lr_scheduler.LRScheduler):
    """An independent torch-compatible StepLR (closed form) to exercise module_schedule."""

    def __init__(self, optimizer: torch.optim.Optimizer, step_size: int, gamma: float = 0.1) -> None:
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer)

    def get_lr(self) -> list[float]:
        return [b * self.gamma ** (self.last_epoch // self.step_size) for b in self.base_lrs]


def test_module_schedule_steps_any_compatible_class() -> None:
    module = types.ModuleType("fake_schedulers")
    module.StepLR = _ClosedFormStepLR
    got = module_schedule(module, "StepLR", 20, lr=[0.1, 0.5], step_size=3, gamma=0.5)
    assert got.source == "fake_schedulers"
    assert_schedules_close(got, preview("StepLR", 20, lr=[0.1, 0.5], step_size=3, gamma=0.5), 0.5)
    with pytest.raises(ValueError, match="no scheduler class 'ExponentialLR'"):
        module_schedule(module, "ExponentialLR", 5, gamma=0.9)


@pytest.mark.parametrize("name,params,exc,word", TORCH_RAISES)
def test_torch_is_the_judge_of_what_it_rejects(name: str, params: dict, exc: type, word: str) -> None:
    """Where torch's constructor (or its first steps) rejects an argument, the preview's error is torch's own,
    asked through lrlab.catalog.torch_check, not a re-implemented copy of the check."""
    if exc is ZeroDivisionError and name == "OneCycleLR":  # raised when stepping, after construction
        pytest.skip("torch raises this one while stepping, the preview's horizon check mirrors it")
    with pytest.raises(exc) as info:
        preview(name, 12, lr=[0.1, 0.1], **params)
    assert "torch rejects it" in str(info.value)


@pytest.mark.parametrize("name,params,word", [
    ("StepLR", {"step_size": 0}, "step_size"),            # torch builds it, then divides by zero when stepping
    ("StepLR", {"step_size": 2.5}, "step_size"),          # torch builds it; a closed form needs an int
    ("CosineAnnealingLR", {"T_max": 0}, "T_max"),
    ("ExponentialLR", {"gamma": -1.0}, "gamma"),
    ("MultiStepLR", {"milestones": [-1]}, "milestones"),
    ("LinearLR", {"total_iters": 2.5}, "total_iters"),
    ("CyclicLR", {"base_lr": 0.1, "max_lr": 1.0, "scale_mode": "epoch"}, "scale_mode"),
])
def test_interface_limits_are_the_previews_own(name: str, params: dict, word: str) -> None:
    """What torch's constructor accepts but the closed form cannot draw is the preview's interface check."""
    from lrlab import catalog

    catalog.torch_check(name, params)  # torch builds it
    with pytest.raises((TypeError, ValueError), match=word) as info:
        preview(name, 12, **params)
    assert "torch rejects it" not in str(info.value)
