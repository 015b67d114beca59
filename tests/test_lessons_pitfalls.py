"""Facts chapter 09 teaches, measured on torch 2.13 (never mocked): resume recipes and the two snippets."""

from __future__ import annotations

import inspect
import math
import warnings

import pytest
import torch

from lrlab import pitfalls as P

S = P.torch_namespace()


def _lr_scheduler_classes() -> set[str]:
    mod = torch.optim.lr_scheduler
    return {n for n, c in vars(mod).items() if inspect.isclass(c) and issubclass(c, mod.LRScheduler)
            and c.__module__ == mod.__name__ and not n.startswith("_") and n != "LRScheduler"}


def test_cases_cover_every_torch_scheduler():
    assert set(P.CASES) == _lr_scheduler_classes() | {"SWALR"}
    assert len(P.CASES) == 16


def _failing(recipe: str) -> set[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {n for n in P.CASES if P.resume_outcome(n, recipe).status == "differs"}


def test_documented_order_matches_uninterrupted_training_for_every_scheduler():
    assert _failing("documented") == set()


def test_optimizer_first_fails_exactly_where_the_constructor_rewrites_the_lr():
    # lasting: recursive schedulers whose constructor rewrote the restored LR; one step: closed forms
    assert _failing("optimizer_first") == {"ConstantLR", "LinearLR", "SequentialLR", "ChainedScheduler",
                                           "LambdaLR", "CyclicLR", "CosineAnnealingWarmRestarts", "OneCycleLR"}


def test_last_epoch_minus_one_fails_at_a_decay_boundary_and_elsewhere():
    assert _failing("last_epoch") == {"StepLR", "MultiStepLR", "SequentialLR", "CosineAnnealingWarmRestarts",
                                      "SWALR"}
    out = P.resume_outcome("StepLR", "last_epoch")
    assert out.step == P.STEPS_DONE and math.isclose(out.got[0], out.expected[0] * 0.5)  # decayed twice


def test_check_resume_accepts_the_documented_order_and_names_the_failures_of_the_wrong_one():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        good = P.check_resume(P.resume_documented)
        bad = P.check_resume(P.resume_optimizer_first)
    assert good.ok and len(good.checked) == 16
    assert not bad.ok and {o.name for _, o in bad.failures} >= {"LinearLR", "ConstantLR"}
    assert "differs at step 10" in bad.format()


def test_check_resume_reports_errors_and_rejects_bad_functions():
    def broken(make_optimizer, make_scheduler, checkpoint):
        raise RuntimeError("boom")

    report = P.check_resume(broken)
    assert not report.ok and all(o.status == "error" and "boom" in o.detail for _, o in report.outcomes)
    with pytest.raises(TypeError, match="3 arguments"):
        P.check_resume(lambda checkpoint: None)
    with pytest.raises(TypeError, match="must be a function"):
        P.check_resume(42)


def test_check_resume_on_the_reference_package_checks_its_classes():
    import lrlab

    package = lrlab.use_schedulers("solutions")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = P.check_resume(P.resume_documented, package)
    mine = [o for s, o in report.outcomes if s == "yours"]
    from lrlab import catalog

    # every torch scheduler the package implements (the bonus classes of chapter 10 are not torch's)
    assert {o.name for o in mine if o.status != "skipped"} == set(catalog.SCHEDULERS)
    assert report.ok, report.format()


def _opt(lr: float = 0.001) -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def test_warmup_snippet_does_not_construct_on_torch_2_13():
    with pytest.raises(TypeError, match="positional arguments"):
        P.SnippetWarmup(_opt(), 10.0, 10)


def test_warmup_snippet_with_the_call_fixed_never_writes_an_lr_during_warmup():
    opt = _opt(0.001)
    after = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=90, eta_min=1e-4)
    warm = P.SnippetWarmup(opt, 10.0, 10, after, legacy_super_call=False)  # meant to ramp 0.001 -> 0.01
    lrs = []
    for _ in range(12):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        warm.step()
    assert lrs[:9] == [0.001] * 9  # flat: nothing written during warmup
    assert lrs[9] < 0.001 and max(lrs) == 0.001  # the cosine decays from 0.001, one step early (index 9, not 10)


def test_warm_restart_snippet_behaviours():
    with pytest.raises(AttributeError, match="last_epoch"):
        P.snippet_warm_restart(_opt(0.1), 10)
    opt = _opt(0.1)
    opt.last_epoch = 0
    with pytest.raises(TypeError, match="must be Tensor"):
        P.snippet_warm_restart(opt, 10)
    opt = _opt(0.1)
    opt.last_epoch = 0
    lrs = []
    for _ in range(25):
        P.snippet_warm_restart(opt, 10, 2, cos=math.cos)
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs[1] < 0.1 * 0.5 * (1 + math.cos(0.0))  # compounding: epoch 1 decays from epoch 0's LR
    assert all(b <= a for a, b in zip(lrs, lrs[1:], strict=False))  # never restarts
    assert lrs[-1] < 1e-6


def test_optimizer_last_epoch_assignment_does_nothing():
    opt = _opt(0.1)
    opt.last_epoch = 10  # the copied resume pattern
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20)
    assert sched.last_epoch == 0 and opt.param_groups[0]["lr"] == 0.1
