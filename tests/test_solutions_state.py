"""state_dict()/load_state_dict() of the reference schedulers: keys like torch's, exact mid-run resume."""

from __future__ import annotations

import math
import pickle
import warnings

import pytest
import torch
import torch.optim.lr_scheduler as T

import lrlab

S = lrlab.use_schedulers("solutions")

TORCH_ONLY_KEYS = {"_get_lr_called_within_step"}  # torch's warning machinery, deliberately not copied


def make_optimizer(kind: str) -> torch.optim.Optimizer:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for lr in (0.1, 0.02)]
    if kind == "adam":
        return torch.optim.Adam(groups, lr=0.1)
    return torch.optim.SGD(groups, lr=0.1, momentum=0.9)


class Halving:
    """A callable object (not a plain function): its __dict__ is saved in the state."""

    def __init__(self) -> None:
        self.base = 0.5

    def __call__(self, x: float) -> float:
        return self.base ** (x - 1) if x >= 1 else 1.0


CASES = {
    "StepLR": ("sgd", lambda M, o: M.StepLR(o, 4, 0.5)),
    "MultiStepLR": ("adam", lambda M, o: M.MultiStepLR(o, [3, 9, 9, 20])),
    "ExponentialLR": ("sgd", lambda M, o: M.ExponentialLR(o, 0.9)),
    "CosineAnnealingLR": ("sgd", lambda M, o: M.CosineAnnealingLR(o, 7, 0.001)),
    "CosineAnnealingWarmRestarts": ("adam", lambda M, o: M.CosineAnnealingWarmRestarts(o, 3, 2)),
    "LinearLR": ("sgd", lambda M, o: M.LinearLR(o, 0.1, 0.8, 15)),
    "LambdaLR": ("sgd", lambda M, o: M.LambdaLR(o, lambda e: 0.9**e)),
    "LambdaLR-object": ("sgd", lambda M, o: M.LambdaLR(o, [Halving(), lambda e: 1.0])),
    "CyclicLR": ("adam", lambda M, o: M.CyclicLR(o, 0.01, [0.1, 0.2], 4, 6, "triangular2")),
    "CyclicLR-exp": ("sgd", lambda M, o: M.CyclicLR(o, 0.01, 0.1, 5, mode="exp_range", gamma=0.97)),
    "CyclicLR-object": ("sgd", lambda M, o: M.CyclicLR(o, 0.01, 0.1, 5, scale_fn=Halving())),
    "OneCycleLR": ("sgd", lambda M, o: M.OneCycleLR(o, 0.1, 40, three_phase=True)),
    "SequentialLR": (
        "sgd",
        lambda M, o: M.SequentialLR(o, [M.LinearLR(o, 0.1, total_iters=5), M.CosineAnnealingLR(o, 20)], [5]),
    ),
    "ChainedScheduler": ("adam", lambda M, o: M.ChainedScheduler([M.ExponentialLR(o, 0.9), M.StepLR(o, 3)])),
    "ReduceLROnPlateau": ("sgd", lambda M, o: M.ReduceLROnPlateau(o, patience=1, cooldown=2)),
}
STEPS, SPLIT = 30, 13


def metric(t: int) -> float:
    return 1.0 / t if t < 6 else 0.5 + 0.01 * (t % 3)


def advance(scheduler, t: int) -> None:
    if type(scheduler).__name__ == "ReduceLROnPlateau":
        scheduler.step(metric(t))
    else:
        scheduler.step()


def lrs_and_momenta(optimizer) -> list[tuple[float, float]]:
    return [
        (group["lr"], group["betas"][0] if "betas" in group else group.get("momentum"))
        for group in optimizer.param_groups
    ]


def torch_trajectory(name: str) -> list:
    kind, factory = CASES[name]
    opt = make_optimizer(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = factory(T, opt)
        out = [lrs_and_momenta(opt)]
        for t in range(1, STEPS + 1):
            advance(sched, t)
            out.append(lrs_and_momenta(opt))
    return out


def assert_trajectories_equal(got: list, expected: list, start: int) -> None:
    for t in range(start, len(expected)):
        for g, ((lr, m), (lr_ref, m_ref)) in enumerate(zip(got[t], expected[t], strict=True)):
            assert math.isclose(lr, lr_ref, rel_tol=1e-12, abs_tol=1e-15), (
                f"step {t} group {g}: lr {lr} != {lr_ref}"
            )
            assert m == m_ref or math.isclose(m, m_ref, rel_tol=1e-12), (
                f"step {t} group {g}: momentum {m} != {m_ref}"
            )


def resume(name: str, source_module, scheduler_first: bool) -> list:
    """Run ``source_module``'s scheduler SPLIT steps, save both states (pickled), rebuild OURS, load, go on."""
    kind, factory = CASES[name]
    opt = make_optimizer(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = factory(source_module, opt)
        out = [lrs_and_momenta(opt)]
        for t in range(1, SPLIT + 1):
            advance(sched, t)
            out.append(lrs_and_momenta(opt))
        sched_state = pickle.loads(pickle.dumps(sched.state_dict()))
        opt_state = pickle.loads(pickle.dumps(opt.state_dict()))
    opt2 = make_optimizer(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if scheduler_first:
            sched2 = factory(S, opt2)
            opt2.load_state_dict(opt_state)
        else:
            opt2.load_state_dict(opt_state)
            sched2 = factory(S, opt2)
            opt2.load_state_dict(opt_state)  # the constructor overwrote the restored LRs (torch does too)
        copy_before = pickle.dumps(sched_state)
        sched2.load_state_dict(sched_state)
        assert pickle.dumps(sched_state) == copy_before, "load_state_dict must not modify its argument"
        for t in range(SPLIT + 1, STEPS + 1):
            advance(sched2, t)
            out.append(lrs_and_momenta(opt2))
    return out


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("scheduler_first", [True, False], ids=["sched-then-opt", "opt-then-sched"])
def test_resume_mid_run_matches_uninterrupted_torch(name, scheduler_first):
    assert_trajectories_equal(resume(name, S, scheduler_first), torch_trajectory(name), SPLIT + 1)


@pytest.mark.parametrize("name", list(CASES))
def test_torch_state_dict_loads_into_solution(name):
    """A checkpoint written by torch's scheduler resumes in ours (same keys, same meaning)."""
    assert_trajectories_equal(resume(name, T, True), torch_trajectory(name), SPLIT + 1)


def _keys(state: dict) -> dict:
    keys = {k: None for k in state if k not in TORCH_ONLY_KEYS}
    if "_schedulers" in state:
        keys["_schedulers"] = [_keys(child) for child in state["_schedulers"]]
    return keys


@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_keys_match_torch(name):
    kind, factory = CASES[name]
    ours = factory(S, make_optimizer(kind))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = factory(T, make_optimizer(kind))
    advance(ours, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        advance(ref, 1)
    assert _keys(ours.state_dict()) == _keys(ref.state_dict())
    assert "optimizer" not in ours.state_dict()


def test_lambdas_saved_as_none_and_objects_as_their_dict():
    opt = make_optimizer("sgd")
    halving = Halving()
    sched = S.LambdaLR(opt, [halving, lambda e: 1.0])
    assert sched.state_dict()["lr_lambdas"] == [{"base": 0.5}, None]
    halving.base = 0.25
    state = sched.state_dict()
    halving.base = 0.9
    sched.load_state_dict(state)
    assert halving.base == 0.25
    assert sched.lr_lambdas[0] is halving


def test_cyclic_custom_scale_fn_state():
    opt = make_optimizer("sgd")
    plain = S.CyclicLR(opt, 0.01, 0.1, 5, scale_fn=lambda x: 1.0)
    assert plain.state_dict()["_scale_fn_custom"] is None
    fn = plain._scale_fn_custom
    plain.load_state_dict(plain.state_dict())
    assert plain._scale_fn_custom is fn  # a None in the state must not erase the function
    obj = Halving()
    sched = S.CyclicLR(make_optimizer("sgd"), 0.01, 0.1, 5, scale_fn=obj)
    assert sched.state_dict()["_scale_fn_custom"] == {"base": 0.5}


def test_composite_states_nest_children():
    opt = make_optimizer("sgd")
    children = [S.LinearLR(opt, 0.1, total_iters=5), S.CosineAnnealingLR(opt, 20)]
    seq = S.SequentialLR(opt, children, [5])
    for _ in range(7):
        seq.step()
    state = seq.state_dict()
    assert [c["last_epoch"] for c in state["_schedulers"]] == [children[0].last_epoch, children[1].last_epoch]
    assert state["last_epoch"] == 7 and state["_milestones"] == [5]


def test_resuming_with_last_epoch_needs_initial_lr():
    opt = make_optimizer("sgd")
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(opt, 3, last_epoch=4)
    with pytest.raises(KeyError):
        T.StepLR(make_optimizer("sgd"), 3, last_epoch=4)


def test_resuming_with_last_epoch_matches_torch():
    """Constructor ``last_epoch=k`` with groups holding initial_lr: same LRs as torch afterwards."""
    for factory in (
        lambda M, o, k: M.CosineAnnealingLR(o, 10, last_epoch=k),
        lambda M, o, k: M.StepLR(o, 3, last_epoch=k),
        lambda M, o, k: M.ExponentialLR(o, 0.9, last_epoch=k),
        lambda M, o, k: M.LinearLR(o, 0.2, total_iters=8, last_epoch=k),
        lambda M, o, k: M.OneCycleLR(o, 0.1, 30, last_epoch=k),
        lambda M, o, k: M.CyclicLR(o, 0.01, 0.1, 4, last_epoch=k),
    ):
        trajectories = []
        for module in (S, T):
            opt = make_optimizer("sgd")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sched = factory(module, opt, -1)
                for _ in range(5):
                    sched.step()
                sched2 = factory(module, opt, 4)
                out = [lrs_and_momenta(opt)]
                for _ in range(6):
                    sched2.step()
                    out.append(lrs_and_momenta(opt))
            trajectories.append(out)
        assert_trajectories_equal(trajectories[0], trajectories[1], 0)
