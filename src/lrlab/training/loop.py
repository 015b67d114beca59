"""The training loop: seeded mini-batch training on the digits with any torch-compatible LR scheduler.

Per optimizer step i it records the LR and momentum the step used (``group["lr"]`` before
``optimizer.step()``, i.e. the scheduler's ``get_last_lr()`` at that moment) and the batch loss; per epoch the
mean train loss, validation loss and validation accuracy.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from lrlab.training._checks import check_bool, check_choice, check_float, check_int
from lrlab.training.data import DigitsData, load_digits_data
from lrlab.training.runtime import (
    OPTIMIZERS,
    build_scheduler,
    group_momentum,
    is_plateau,
    make_optimizer,
    resolve_model,
    scheduler_name,
    torch_settings,
)

STEP_EVERY = ("batch", "epoch")
SchedulerFactory = Callable[[torch.optim.Optimizer], Any]


@dataclass
class History:
    """What one training run recorded.

    Per optimizer step (``len == steps``): ``lr``, ``momentum`` (SGD momentum or Adam's beta1) and ``loss``
    (the batch's cross-entropy). Per epoch: ``train_loss`` (mean over the epoch's samples), ``val_loss``,
    ``val_acc`` (fraction correct). ``seconds`` (wall time) is excluded from ``==``.
    """

    lr: list[float] = field(default_factory=list)
    momentum: list[float] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    steps_per_epoch: int = 0
    config: dict[str, Any] = field(default_factory=dict)
    diverged: bool = False
    seconds: float = field(default=0.0, compare=False)

    @property
    def steps(self) -> int:
        return len(self.lr)

    @property
    def epochs(self) -> int:
        return len(self.val_acc)

    @property
    def final_val_acc(self) -> float:
        return self.val_acc[-1] if self.val_acc else math.nan

    @property
    def best_val_acc(self) -> float:
        finite = [a for a in self.val_acc if math.isfinite(a)]
        return max(finite) if finite else math.nan

    @property
    def final_val_loss(self) -> float:
        return self.val_loss[-1] if self.val_loss else math.nan

    @property
    def final_train_loss(self) -> float:
        return self.train_loss[-1] if self.train_loss else math.nan

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python copy (lists, floats, the config) suitable for JSON."""
        return asdict(self)

    def plot(self, **kwargs: Any):
        """Draw loss, accuracy, LR and momentum (see ``lrlab.training.plots.plot_history``); returns the Figure."""
        from lrlab.training.plots import plot_history

        return plot_history(self, **kwargs)

    def __repr__(self) -> str:
        name = self.config.get("scheduler", "?")
        return (
            f"History(scheduler={name!r}, epochs={self.epochs}, steps={self.steps}, "
            f"final_val_acc={self.final_val_acc:.4f}, final_val_loss={self.final_val_loss:.4f}, "
            f"diverged={self.diverged}, seconds={self.seconds:.2f})"
        )


def train(
    scheduler: SchedulerFactory | None = None,
    *,
    optimizer: str = "sgd",
    lr: float = 0.05,
    momentum: float = 0.9,
    betas: tuple[float, float] = (0.9, 0.999),
    weight_decay: float = 0.0,
    epochs: int = 10,
    batch_size: int = 64,
    seed: int = 0,
    step_every: str = "epoch",
    model: str | nn.Module = "mlp",
    hidden: int = 64,
    data: DigitsData | None = None,
    stop_on_nan: bool = True,
    progress: bool = False,
    num_threads: int = 1,
) -> History:
    """Train a small model on the digits with mini-batch SGD/Adam and an optional LR scheduler.

    ``scheduler`` is a factory ``lambda optimizer: SomeScheduler(optimizer, ...)`` (torch's classes, the
    learner's, anything with ``step()``), or None for a constant LR. It is stepped after each optimizer
    step (``step_every="batch"``, ``epochs * steps_per_epoch`` calls) or after each epoch ("epoch",
    ``epochs`` calls); ReduceLROnPlateau is always stepped once per epoch with the validation loss.
    Same ``seed`` -> identical History (seeded init, a seeded torch.Generator for shuffling, deterministic
    algorithms, a fixed thread count). A ``model`` given as an ``nn.Module`` is trained in place.
    With ``stop_on_nan`` training stops at the end of the epoch in which the loss became NaN/inf.
    """
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    lr = check_float("lr", lr, gt=0.0)
    epochs = check_int("epochs", epochs, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    step_every = check_choice("step_every", step_every, STEP_EVERY)
    hidden = check_int("hidden", hidden, minimum=4, maximum=4096)
    stop_on_nan = check_bool("stop_on_nan", stop_on_nan)
    progress = check_bool("progress", progress)
    num_threads = check_int("num_threads", num_threads, minimum=1, maximum=64)
    if data is None:
        data = load_digits_data()
    elif not isinstance(data, DigitsData):
        raise TypeError(f"data must be a DigitsData (from load_digits_data()) or None, not {type(data).__name__}")
    if scheduler is not None and not callable(scheduler):
        raise TypeError(
            "scheduler must be None or a factory such as `lambda optimizer: StepLR(optimizer, 3)`, "
            f"not {type(scheduler).__name__}"
        )
    if batch_size > data.n_train:
        raise ValueError(f"batch_size must be <= the number of training samples ({data.n_train}), got {batch_size}")

    start = time.perf_counter()
    with torch_settings(num_threads), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = resolve_model(model, hidden=hidden, seed=seed)
        opt = make_optimizer(
            optimizer, net.parameters(), lr=lr, momentum=momentum, betas=betas, weight_decay=weight_decay
        )
        sched = build_scheduler(scheduler, opt)
        plateau = sched is not None and is_plateau(sched)
        if plateau and step_every == "batch":
            raise ValueError(
                "step_every must be 'epoch' for ReduceLROnPlateau (it is stepped with the validation loss)"
            )
        history = History(
            steps_per_epoch=data.steps_per_epoch(batch_size),
            config={
                "scheduler": scheduler_name(sched),
                "optimizer": optimizer,
                "lr": lr,
                "momentum": momentum if optimizer == "sgd" else None,
                "betas": list(betas) if optimizer != "sgd" else None,
                "weight_decay": weight_decay,
                "epochs": epochs,
                "batch_size": batch_size,
                "seed": seed,
                "step_every": step_every,
                "model": model if isinstance(model, str) else type(model).__name__,
                "hidden": hidden,
                "num_threads": num_threads,
            },
        )
        gen = torch.Generator().manual_seed(seed)
        _fit(net, opt, sched, plateau, history, data, epochs, batch_size, step_every, gen, stop_on_nan, progress)
    history.seconds = time.perf_counter() - start
    return history


def _fit(
    net: nn.Module,
    opt: torch.optim.Optimizer,
    sched: Any,
    plateau: bool,
    history: History,
    data: DigitsData,
    epochs: int,
    batch_size: int,
    step_every: str,
    gen: torch.Generator,
    stop_on_nan: bool,
    progress: bool,
) -> None:
    from tqdm.auto import tqdm

    x, y, n = data.x_train, data.y_train, data.n_train
    group = opt.param_groups[0]
    bar = tqdm(range(epochs), desc="epochs", disable=not progress, leave=False)
    for _ in bar:
        net.train()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for b in range(0, n, batch_size):
            idx = perm[b : b + batch_size]
            xb, yb = x[idx], y[idx]
            history.lr.append(float(group["lr"]))
            history.momentum.append(group_momentum(group))
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(xb), yb)
            loss.backward()
            opt.step()
            value = float(loss.item())
            history.loss.append(value)
            total += value * len(idx)
            if sched is not None and step_every == "batch":
                sched.step()
            if not math.isfinite(value):
                history.diverged = True
                if stop_on_nan:
                    break
        history.train_loss.append(total / n if not history.diverged else math.nan)
        val_loss, val_acc = evaluate(net, data.x_val, data.y_val)
        history.val_loss.append(val_loss)
        history.val_acc.append(val_acc)
        if sched is not None and plateau:
            sched.step(val_loss)
        elif sched is not None and step_every == "epoch":
            sched.step()
        bar.set_postfix(loss=f"{history.train_loss[-1]:.3f}", acc=f"{val_acc:.3f}", lr=f"{group['lr']:.2e}")
        if history.diverged and stop_on_nan:
            break
    bar.close()


def evaluate(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of ``net`` on (x, y) in eval mode without gradients."""
    was_training = net.training
    net.eval()
    with torch.no_grad():
        out = net(x)
        loss = float(F.cross_entropy(out, y).item())
        acc = float((out.argmax(dim=1) == y).float().mean().item())
    net.train(was_training)
    return loss, acc
