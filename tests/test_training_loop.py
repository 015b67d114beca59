"""Training lab: the loop (train, History), determinism, scheduler stepping, argument validation."""

from __future__ import annotations

import math

import pytest
import torch
from torch.optim.lr_scheduler import OneCycleLR, ReduceLROnPlateau, StepLR

from lrlab.training import DigitsData, History, load_digits_data, make_model, steps_per_epoch, train

EPOCHS = 4
SPE = steps_per_epoch(64)


def test_digits_split_is_stratified_and_scaled():
    d = load_digits_data()
    assert isinstance(d, DigitsData)
    assert d.n_train + d.n_val == 1797
    assert d.x_train.shape == (d.n_train, 64) and d.x_train.dtype == torch.float32
    assert float(d.x_train.min()) >= 0.0 and float(d.x_train.max()) <= 1.0
    counts = torch.bincount(d.y_val, minlength=10)
    assert int(counts.min()) >= 30  # every class present in validation (stratified 20 %)
    assert SPE == math.ceil(d.n_train / 64)


def test_same_seed_gives_identical_history_and_other_seed_differs():
    def factory(opt):
        return OneCycleLR(opt, max_lr=0.2, total_steps=EPOCHS * SPE)

    a = train(factory, step_every="batch", epochs=EPOCHS, seed=3)
    b = train(factory, step_every="batch", epochs=EPOCHS, seed=3)
    c = train(factory, step_every="batch", epochs=EPOCHS, seed=4)
    assert a == b
    assert a.loss == b.loss and a.val_acc == b.val_acc
    assert a.loss != c.loss


def test_train_leaves_global_torch_state_untouched():
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        det = torch.are_deterministic_algorithms_enabled()
        rng = torch.get_rng_state()
        train(epochs=1, num_threads=1)
        assert torch.get_num_threads() == 2
        assert torch.are_deterministic_algorithms_enabled() == det
        assert torch.equal(torch.get_rng_state(), rng)
    finally:
        torch.set_num_threads(threads)


class LoggedStepLR(StepLR):
    """A real torch StepLR that also logs get_last_lr() after construction and after every step()."""

    def __init__(self, optimizer, *args, **kwargs):
        self.log: list[float] = []
        super().__init__(optimizer, *args, **kwargs)

    def step(self, *args, **kwargs):
        super().step(*args, **kwargs)
        self.log.append(self.get_last_lr()[0])


@pytest.mark.parametrize("step_every", ["batch", "epoch"])
def test_recorded_lr_is_get_last_lr_and_step_counts(step_every):
    made: list[LoggedStepLR] = []

    def factory(opt):
        made.append(LoggedStepLR(opt, step_size=2 if step_every == "epoch" else 30, gamma=0.5))
        return made[-1]

    h = train(factory, step_every=step_every, epochs=EPOCHS, lr=0.1)
    (sched,) = made
    assert h.steps == EPOCHS * SPE == len(h.loss) == len(h.momentum)
    if step_every == "batch":
        assert sched.last_epoch == EPOCHS * SPE
        assert h.lr == sched.log[:-1]  # LR used by step i = get_last_lr() after i scheduler steps
        expected = [0.1 * 0.5 ** (i // 30) for i in range(h.steps)]
    else:
        assert sched.last_epoch == EPOCHS
        assert h.lr == [sched.log[e] for e in range(EPOCHS) for _ in range(SPE)]
        expected = [0.1 * 0.5 ** ((i // SPE) // 2) for i in range(h.steps)]
    assert h.lr == pytest.approx(expected, rel=1e-12)
    assert h.momentum == [0.9] * h.steps


def test_one_cycle_per_batch_records_cycled_momentum_and_adam_beta1():
    total = EPOCHS * SPE
    h = train(lambda o: OneCycleLR(o, max_lr=0.01, total_steps=total), optimizer="adam", lr=0.001,
              step_every="batch", epochs=EPOCHS)
    ref_opt = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.001)
    ref = OneCycleLR(ref_opt, max_lr=0.01, total_steps=total)
    lrs, moms = [], []
    for _ in range(total):
        lrs.append(ref_opt.param_groups[0]["lr"])
        moms.append(ref_opt.param_groups[0]["betas"][0])
        ref_opt.step()
        ref.step()
    assert h.lr == lrs
    assert h.momentum == moms
    assert min(h.momentum) == pytest.approx(0.85, abs=1e-3) and h.momentum[0] == pytest.approx(0.95)


def test_reduce_on_plateau_steps_per_epoch_with_validation_loss():
    made = []

    def factory(opt):
        made.append(ReduceLROnPlateau(opt, factor=0.5, patience=0, threshold=0.3))
        return made[-1]

    epochs = 6
    h = train(factory, epochs=epochs, lr=0.1)
    # replay torch's ReduceLROnPlateau on the recorded validation losses: the oracle for the LR per epoch
    ref_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    ref = ReduceLROnPlateau(ref_opt, factor=0.5, patience=0, threshold=0.3)
    per_epoch = []
    for v in h.val_loss:
        per_epoch.append(ref_opt.param_groups[0]["lr"])
        ref.step(v)
    assert h.lr == [lr for lr in per_epoch for _ in range(SPE)]
    assert min(h.lr) < 0.1  # at least one reduction happened in this run
    assert made[0].get_last_lr()[0] == ref.get_last_lr()[0]
    with pytest.raises(ValueError, match="step_every"):
        train(factory, epochs=1, step_every="batch")


def test_training_learns_well_above_chance():
    h = train(epochs=EPOCHS, lr=0.1)
    assert h.final_val_acc > 0.85  # chance is 0.10
    assert h.train_loss[-1] < h.train_loss[0]
    assert h.epochs == EPOCHS and len(h.val_loss) == len(h.train_loss) == EPOCHS


def test_cnn_and_module_model_train_in_place():
    h = train(model="cnn", epochs=2, lr=0.1)
    assert h.final_val_acc > 0.6
    net = make_model("mlp", seed=0)
    before = [p.detach().clone() for p in net.parameters()]
    h2 = train(model=net, epochs=1)
    assert any(not torch.equal(a, p) for a, p in zip(before, net.parameters(), strict=True))
    assert h2.config["model"] == "Sequential"


def test_divergence_stops_on_nan():
    h = train(lr=1e30, epochs=5)
    assert h.diverged and h.epochs == 1
    assert not math.isfinite(h.loss[-1])
    h2 = train(lr=1e30, epochs=2, stop_on_nan=False)
    assert h2.diverged and h2.epochs == 2 and h2.steps == 2 * SPE


def test_progress_bar_runs(capsys):
    h = train(epochs=1, progress=True)
    assert isinstance(h, History)
    assert "epochs" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"epochs": 0}, ValueError, "epochs must be >= 1"),
        ({"epochs": 2.0}, TypeError, "epochs must be an int"),
        ({"epochs": True}, TypeError, "epochs"),
        ({"lr": 0.0}, ValueError, "lr must be > 0"),
        ({"lr": -1}, ValueError, "lr must be > 0"),
        ({"lr": float("nan")}, ValueError, "lr must be finite"),
        ({"lr": "0.1"}, TypeError, "lr must be a real number"),
        ({"step_every": "step"}, ValueError, "step_every must be one of"),
        ({"optimizer": "rmsprop"}, ValueError, "optimizer must be one of"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"batch_size": 100_000}, ValueError, "batch_size must be <="),
        ({"seed": -1}, ValueError, "seed must be >= 0"),
        ({"momentum": 1.0}, ValueError, "momentum must be < 1"),
        ({"optimizer": "adam", "betas": (0.9,)}, TypeError, "betas"),
        ({"model": "resnet"}, ValueError, "model must be one of"),
        ({"model": 3}, TypeError, "model must be"),
        ({"scheduler": 3}, TypeError, "scheduler must be None or a factory"),
        ({"scheduler": lambda o: 3}, TypeError, "step\\(\\) method"),
        ({"data": "digits"}, TypeError, "data must be a DigitsData"),
        ({"num_threads": 0}, ValueError, "num_threads must be >= 1"),
        ({"progress": 1}, TypeError, "progress must be a bool"),
    ],
)
def test_bad_arguments_raise(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        train(**kwargs)


def test_scheduler_bound_to_another_optimizer_is_rejected():
    other = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="optimizer it is given"):
        train(lambda o: StepLR(other, 2), epochs=1)


def test_no_warnings_with_torch_schedulers():
    # nbgrader scores a cell that writes to stderr as 0, so a normal run must stay silent
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train(lambda o: OneCycleLR(o, max_lr=0.1, total_steps=2 * SPE), step_every="batch", epochs=2)
        train(lambda o: StepLR(o, 1), epochs=2)
        train(lambda o: ReduceLROnPlateau(o), epochs=2)


def test_cnn_with_adam_is_deterministic_too():
    a = train(model="cnn", optimizer="adam", lr=0.003, epochs=1, seed=7)
    b = train(model="cnn", optimizer="adam", lr=0.003, epochs=1, seed=7)
    assert a == b and a.momentum == [0.9] * a.steps
