"""ConstantLR, MultiplicativeLR, PolynomialLR and SWALR of solutions/ against torch 2.13 (lr_scheduler, swa_utils):
trajectories (bit-exact: same recursion, same order of operations), step(epoch) closed forms, 10k-step runs,
inside SequentialLR/ChainedScheduler, mid-run resume from state_dict (torch's checkpoints too), state keys,
and bad input."""

from __future__ import annotations

import copy
import pickle
import types
import warnings

import pytest
import torch
import torch.optim.lr_scheduler as _lr
import torch.optim.swa_utils as _swa

import lrlab
from lrlab import lambdas

S = lrlab.use_schedulers("solutions")
#: torch's side, addressed like the learner's package (SWALR lives in torch.optim.swa_utils)
T = types.SimpleNamespace(**{k: v for k, v in vars(_lr).items() if not k.startswith("_")}, SWALR=_swa.SWALR)
LRS = (0.1, 0.03, 0.5)
M_PRESETS = lambdas.MULTIPLICATIVE_PRESETS


def make_optimizer(kind: str = "sgd", lrs: tuple[float, ...] = LRS) -> torch.optim.Optimizer:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for lr in lrs]
    if kind == "adam":
        return torch.optim.Adam(groups, lr=lrs[0], betas=(0.9, 0.99))
    return torch.optim.SGD(groups, lr=lrs[0], momentum=0.9)


def lrs_of(opt: torch.optim.Optimizer) -> list[float]:
    return [g["lr"] for g in opt.param_groups]


def trajectory(M, factory, kind: str, steps: int, epochs=None, lrs=LRS) -> list[list[float]]:
    """LRs after construction and after each step (``step(epochs[t])`` when given), and get_last_lr each time."""
    opt = make_optimizer(kind, lrs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = factory(M, opt)
        out = [lrs_of(opt)]
        assert sched.get_last_lr() == out[-1]
        for t in range(steps - 1):
            opt.step()
            sched.step() if epochs is None else sched.step(epochs[t])
            out.append(lrs_of(opt))
            assert sched.get_last_lr() == out[-1]
    return out


class Shrink:
    """A callable object (its __dict__ is saved in the state): factor 0.9 for t <= until, then 1."""

    def __init__(self, until: int) -> None:
        self.until = until

    def __call__(self, t: int) -> float:
        return 0.9 if t <= self.until else 1.0


CASES = {
    "constant-default": ("sgd", lambda M, o: M.ConstantLR(o)),
    "constant-0.01-40": ("adam", lambda M, o: M.ConstantLR(o, 0.01, 40)),
    "constant-total-0": ("sgd", lambda M, o: M.ConstantLR(o, 0.5, 0)),  # torch never undoes the factor
    "constant-factor-1": ("sgd", lambda M, o: M.ConstantLR(o, factor=1.0, total_iters=3)),
    "polynomial-default": ("sgd", lambda M, o: M.PolynomialLR(o)),
    "polynomial-40-0.9": ("adam", lambda M, o: M.PolynomialLR(o, total_iters=40, power=0.9)),
    "polynomial-total-0": ("sgd", lambda M, o: M.PolynomialLR(o, 0, 2.0)),
    "polynomial-power-3-unfinished": ("sgd", lambda M, o: M.PolynomialLR(o, 100, 3.0)),
    "multiplicative-lambda": ("sgd", lambda M, o: M.MultiplicativeLR(o, lambda t: 0.95)),
    "multiplicative-per-group": (
        "adam", lambda M, o: M.MultiplicativeLR(o, [Shrink(10), lambda t: 0.5 if t % 7 == 0 else 1.0,
                                                   M_PRESETS["inverse sqrt after H: sqrt((t-1)/t)"](5)])),
    "multiplicative-presets": ("sgd", lambda M, o: M.MultiplicativeLR(o, [p(9) for p in list(M_PRESETS.values())[:3]])),
    "swa-default-cos": ("sgd", lambda M, o: M.SWALR(o, swa_lr=0.05)),
    "swa-linear-per-group": ("adam", lambda M, o: M.SWALR(o, [0.05, 0.001, 1.0], 17, "linear")),
    "swa-anneal-0": ("sgd", lambda M, o: M.SWALR(o, 0.02, anneal_epochs=0)),  # swa_lr at construction
    "swa-anneal-1": ("sgd", lambda M, o: M.SWALR(o, 0.02, anneal_epochs=1, anneal_strategy="cos")),
    "swa-unfinished": ("sgd", lambda M, o: M.SWALR(o, 0.3, anneal_epochs=100)),
    "sequential-constant-poly": (
        "sgd", lambda M, o: M.SequentialLR(o, [M.ConstantLR(o, 0.1, 20), M.PolynomialLR(o, 30, 2.0)], [10])),
    "sequential-cos-swa": (  # the SWA recipe: a decay, then SWALR anneals from wherever it left the LR
        "adam", lambda M, o: M.SequentialLR(o, [M.CosineAnnealingLR(o, 40), M.SWALR(o, 0.01, 8)], [25])),
    "sequential-mult-milestone": (  # at a milestone MultiplicativeLR multiplies by lr_lambda(0) (no closed form)
        "sgd", lambda M, o: M.SequentialLR(o, [M.LinearLR(o, 0.2, total_iters=5),
                                            M.MultiplicativeLR(o, lambda t: 0.5 if t == 0 else 0.97)], [6])),
    "chained-exp-swa": ("sgd", lambda M, o: M.ChainedScheduler([M.ExponentialLR(o, 0.9), M.SWALR(o, 0.01, 6)])),
    "chained-constant-mult": (
        "adam", lambda M, o: M.ChainedScheduler([M.ConstantLR(o, 0.5, 4), M.MultiplicativeLR(o, Shrink(12))], o)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_trajectory_is_torchs_bit_for_bit(name: str) -> None:
    kind, factory = CASES[name]
    assert trajectory(S, factory, kind, 60) == trajectory(T, factory, kind, 60)


JUMPS = [None, None, 5, 2, None, None, 17, 9, None, 0, 40, None, 33, 100, None, 3, 250, 249, None, 11, 7]


@pytest.mark.parametrize("factory", [
    lambda M, o: M.ConstantLR(o, 0.25, 9), lambda M, o: M.ConstantLR(o, 0.5, 0),
    lambda M, o: M.PolynomialLR(o, 30, 0.5), lambda M, o: M.PolynomialLR(o, 300, 2.0),
], ids=["constant", "constant-0", "polynomial", "polynomial-long"])
def test_step_epoch_uses_the_closed_form_like_torch(factory) -> None:
    steps = len(JUMPS) + 1
    assert trajectory(S, factory, "sgd", steps, JUMPS) == trajectory(T, factory, "sgd", steps, JUMPS)


def test_step_epoch_without_closed_form_uses_get_lr_like_torch() -> None:
    assert not hasattr(S.MultiplicativeLR, "_get_closed_form_lr") and not hasattr(S.SWALR, "_get_closed_form_lr")
    for factory in (lambda M, o: M.MultiplicativeLR(o, lambda t: 0.9), lambda M, o: M.SWALR(o, 0.01, 12)):
        steps = len(JUMPS) + 1
        assert trajectory(S, factory, "sgd", steps, JUMPS) == trajectory(T, factory, "sgd", steps, JUMPS)


@pytest.mark.parametrize("factory", [
    lambda M, o: M.ConstantLR(o, 0.1, 5000), lambda M, o: M.PolynomialLR(o, 9000, 1.5),
    lambda M, o: M.MultiplicativeLR(o, M_PRESETS["half-life H: 0.5^(1/H) per step"](2000)),
    lambda M, o: M.SWALR(o, 0.005, 7000, "cos"),
], ids=["constant", "polynomial", "multiplicative", "swa"])
def test_ten_thousand_steps(factory) -> None:
    assert trajectory(S, factory, "sgd", 10_000, lrs=(0.1, 0.01)) == trajectory(T, factory, "sgd", 10_000,
                                                                               lrs=(0.1, 0.01))


def test_swalr_ends_exactly_at_swa_lr_and_writes_it_into_the_groups() -> None:
    opt = make_optimizer()
    sched = S.SWALR(opt, [0.05, 0.01, 0.2], anneal_epochs=6)
    assert [g["swa_lr"] for g in opt.param_groups] == [0.05, 0.01, 0.2]
    assert lrs_of(opt) == list(LRS)  # the initial step keeps the LR
    for _ in range(6):
        sched.step()
    assert lrs_of(opt) == [0.05, 0.01, 0.2]
    sched.step()
    assert lrs_of(opt) == [0.05, 0.01, 0.2]


def test_multiplicative_factors_accumulate_unlike_lambda() -> None:
    o1, o2 = make_optimizer(), make_optimizer()
    mult, lam = S.MultiplicativeLR(o1, lambda t: 0.5), S.LambdaLR(o2, lambda t: 0.5)
    for _ in range(3):
        mult.step()
        lam.step()
    assert lrs_of(o1)[0] == 0.1 * 0.5**3 and lrs_of(o2)[0] == 0.1 * 0.5


SPLIT, STEPS = 13, 30


def resume_trajectory(M, factory, kind: str) -> list[list[float]]:
    """Run to SPLIT, checkpoint (scheduler and optimizer), rebuild both, load, run to STEPS."""
    opt = make_optimizer(kind)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = factory(M, opt)
        out = [lrs_of(opt)]
        for _ in range(SPLIT):
            opt.step()
            sched.step()
            out.append(lrs_of(opt))
        state, opt_state = copy.deepcopy(sched.state_dict()), copy.deepcopy(opt.state_dict())
        opt2 = make_optimizer(kind)
        sched2 = factory(S, opt2)
        opt2.load_state_dict(opt_state)  # the constructor overwrote the restored LRs (torch does too)
        before = pickle.dumps(state)
        sched2.load_state_dict(state)
        assert pickle.dumps(state) == before, "load_state_dict must not modify its argument"
        for _ in range(SPLIT, STEPS - 1):
            opt2.step()
            sched2.step()
            out.append(lrs_of(opt2))
    return out


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("source", ["ours", "torch"], ids=["own-checkpoint", "torch-checkpoint"])
def test_resume_mid_run_matches_uninterrupted_torch(name: str, source: str) -> None:
    kind, factory = CASES[name]
    got = resume_trajectory(S if source == "ours" else T, factory, kind)
    assert got == trajectory(T, factory, kind, STEPS)


def _keys(state: dict) -> set:
    return {k for k in state if k != "_get_lr_called_within_step"}


@pytest.mark.parametrize("name", list(CASES))
def test_state_dict_keys_match_torch(name: str) -> None:
    kind, factory = CASES[name]
    ours = factory(S, make_optimizer(kind))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = factory(T, make_optimizer(kind))
        ours.step()
        ref.step()
    assert _keys(ours.state_dict()) == _keys(ref.state_dict())
    assert "optimizer" not in ours.state_dict()
    if isinstance(ours, S.SWALR):
        assert "anneal_func" not in ours.state_dict() and ours.state_dict()["_anneal_strategy"] in ("cos", "linear")


def test_multiplicative_state_saves_objects_not_functions() -> None:
    shrink = Shrink(4)
    sched = S.MultiplicativeLR(make_optimizer(), [shrink, lambda t: 1.0, M_PRESETS["halve every H steps"](3)])
    assert sched.state_dict()["lr_lambdas"] == [{"until": 4}, None, {"horizon": 3}]
    state = sched.state_dict()
    shrink.until = 99
    sched.load_state_dict(state)
    assert shrink.until == 4 and sched.lr_lambdas[0] is shrink


def test_swalr_state_rebuilds_the_anneal_function() -> None:
    a = S.SWALR(make_optimizer(), 0.01, 5, "linear")
    b = S.SWALR(make_optimizer(), 0.01, 5, "cos")
    b.load_state_dict(a.state_dict())
    assert b.anneal_func(0.5) == 0.5


def _sgd() -> torch.optim.Optimizer:
    return make_optimizer()


LIKE_TORCH = [  # (id, call(M), exception torch raises, a word our message contains)
    ("constant-factor-above-1", lambda M: M.ConstantLR(_sgd(), factor=1.5), ValueError, "factor"),
    ("constant-factor-negative", lambda M: M.ConstantLR(_sgd(), factor=-0.1), ValueError, "factor"),
    ("constant-not-optimizer", lambda M: M.ConstantLR("sgd"), TypeError, "Optimizer"),
    ("polynomial-not-optimizer", lambda M: M.PolynomialLR(None), TypeError, "Optimizer"),
    ("multiplicative-not-callable", lambda M: M.MultiplicativeLR(_sgd(), 0.95), TypeError, "function"),
    ("multiplicative-count", lambda M: M.MultiplicativeLR(_sgd(), [lambda t: 1.0] * 2), ValueError, "lr_lambdas"),
    ("swa-strategy", lambda M: M.SWALR(_sgd(), 0.05, anneal_strategy="zigzag"), ValueError, "anneal_strategy"),
    ("swa-anneal-negative", lambda M: M.SWALR(_sgd(), 0.05, anneal_epochs=-1), ValueError, "anneal_epochs"),
    ("swa-anneal-float", lambda M: M.SWALR(_sgd(), 0.05, anneal_epochs=2.5), ValueError, "anneal_epochs"),
    ("swa-lr-count", lambda M: M.SWALR(_sgd(), [0.1, 0.2]), ValueError, "swa_lr"),
    ("swa-missing-swa-lr", lambda M: M.SWALR(_sgd()), TypeError, "swa_lr"),
]


@pytest.mark.parametrize(("call", "exc", "needle"), [c[1:] for c in LIKE_TORCH], ids=[c[0] for c in LIKE_TORCH])
def test_bad_input_raises_like_torch(call, exc, needle) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc):
            call(T)
    with pytest.raises(exc) as info:
        call(S)
    assert needle in str(info.value), f"message does not name {needle!r}: {info.value}"


@pytest.mark.parametrize("factory", [lambda M, o: M.ConstantLR(o, 0.0, 3), lambda M, o: M.PolynomialLR(o, 3, -1.0)],
                         ids=["constant-factor-0", "polynomial-negative-power"])
def test_division_by_zero_at_total_iters_like_torch(factory) -> None:
    """torch accepts these at construction and raises ZeroDivisionError at step total_iters; so do we."""
    for M in (T, S):
        opt = make_optimizer()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = factory(M, opt)
            sched.step()
            sched.step()
            with pytest.raises(ZeroDivisionError):
                sched.step()


STRICTER = [  # torch accepts these and makes no sensible schedule; we reject them with a clear message
    ("constant-total-float", lambda: S.ConstantLR(_sgd(), total_iters=2.5), TypeError, "total_iters"),
    ("constant-total-negative", lambda: S.ConstantLR(_sgd(), total_iters=-1), ValueError, "total_iters"),
    ("polynomial-total-negative", lambda: S.PolynomialLR(_sgd(), total_iters=-3), ValueError, "total_iters"),
    ("polynomial-power-str", lambda: S.PolynomialLR(_sgd(), power="2"), TypeError, "power"),
    ("swa-not-optimizer", lambda: S.SWALR("sgd", 0.1), TypeError, "Optimizer"),  # torch: AttributeError
]


@pytest.mark.parametrize(("call", "exc", "needle"), [c[1:] for c in STRICTER], ids=[c[0] for c in STRICTER])
def test_bad_input_torch_accepts_is_rejected_clearly(call, exc, needle) -> None:
    with pytest.raises(exc) as info:
        call()
    assert needle in str(info.value)


class FromBase(S.SWALR):
    """A plausible wrong SWALR: anneals from base_lrs instead of undoing the mix on the group's current LR."""

    def get_lr(self) -> list[float]:
        step = max(1, self._step_count - 1) if self.anneal_epochs == 0 else self._step_count - 1
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [g["swa_lr"] * alpha + b * (1 - alpha) for g, b in zip(self.optimizer.param_groups, self.base_lrs,
                                                                        strict=True)]


def test_the_chainable_check_catches_an_swalr_that_anneals_from_base_lrs() -> None:
    """Alone, annealing from base_lrs looks right; a second SWALR built mid-run (or SWALR after a decay) exposes it."""
    from lrlab.catalog import torch_class
    from lrlab.grading.compare import compare
    from lrlab.grading.driver import run_scenario
    from lrlab.grading.spec import checks_for

    checks = {c.name: c for c in checks_for("SWALR")}
    mutant = {"SWALR": FromBase}
    for name, should_pass in (("grid", True), ("chainable", False)):
        results = [compare(sc, run_scenario(sc, torch_class), run_scenario(sc, lambda n: mutant.get(n) or getattr(S, n)))
                   for sc in checks[name].scenarios]
        assert all(r is None for r in results) == should_pass, (name, results)
