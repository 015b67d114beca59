"""The LR range test (Smith 2015, as implemented by fastai's ``LRFinder``/``lr_find``).

Batch i (0-based) of ``num_iter`` trains with
    exp:    lr_i = start_lr * (end_lr / start_lr) ** (i / num_iter)
    linear: lr_i = start_lr + (end_lr - start_lr) * i / num_iter
The loss is smoothed with a debiased EMA: avg_i = beta * avg_{i-1} + (1 - beta) * loss_i,
smooth_i = avg_i / (1 - beta ** (i + 1)). With ``stop_div`` the test stops once smooth_i > diverge_th * best
(or the loss is NaN/inf). Model weights, gradients, train/eval mode and the optimizer state are restored.

Suggestions (fastai) use the points ``[num_iter // 10 : -5]``, cut at the first NaN:
    valley    - longest strictly decreasing subsequence of the loss; lr at start + int(len/3) + int(len/3/2),
                i.e. about halfway along it (fastai's code, checked line by line; its docs say ~2/3)
    steep     - lr_j with j = argmin (loss_{j+1} - loss_j) / (log lr_{j+1} - log lr_j)
    minimum   - lr at the lowest smoothed loss, divided by 10
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from lrlab.training._checks import check_bool, check_choice, check_float, check_int
from lrlab.training.data import DigitsData, load_digits_data
from lrlab.training.runtime import OPTIMIZERS, make_optimizer, resolve_model, torch_settings

STEP_MODES = ("exp", "linear")
SUGGESTIONS = ("valley", "steep", "minimum")


@dataclass
class LRFindResult:
    """Outcome of ``lr_find``: per batch ``lrs``, smoothed ``losses`` and ``raw_losses``; ``suggestions``
    (name -> LR, or None when too few points were recorded) and ``points`` (name -> (lr, loss) to mark)."""

    lrs: list[float]
    losses: list[float]
    raw_losses: list[float]
    suggestions: dict[str, float | None]
    points: dict[str, tuple[float, float] | None]
    best_loss: float
    stopped_early: bool
    num_iter: int
    config: dict[str, Any] = field(default_factory=dict)
    seconds: float = field(default=0.0, compare=False)

    @property
    def valley(self) -> float | None:
        return self.suggestions.get("valley")

    @property
    def steep(self) -> float | None:
        return self.suggestions.get("steep")

    @property
    def minimum(self) -> float | None:
        """fastai's "minimum": the LR of the lowest smoothed loss divided by 10."""
        return self.suggestions.get("minimum")

    def plot(self, **kwargs: Any):
        """Smoothed loss vs LR (log x) with the suggestions marked; see ``plots.plot_lr_find``."""
        from lrlab.training.plots import plot_lr_find

        return plot_lr_find(self, **kwargs)

    def __repr__(self) -> str:
        sugg = ", ".join(f"{k}={v:.3g}" if v is not None else f"{k}=None" for k, v in self.suggestions.items())
        return (
            f"LRFindResult(iterations={len(self.lrs)}/{self.num_iter}, stopped_early={self.stopped_early}, "
            f"best_loss={self.best_loss:.4f}, {sugg})"
        )


def lr_find(
    *,
    model: str | nn.Module = "mlp",
    optimizer: str | torch.optim.Optimizer = "sgd",
    start_lr: float = 1e-7,
    end_lr: float = 10.0,
    num_iter: int = 100,
    step_mode: str = "exp",
    smooth_beta: float = 0.98,
    diverge_th: float = 4.0,
    stop_div: bool = True,
    momentum: float = 0.9,
    betas: tuple[float, float] = (0.9, 0.999),
    weight_decay: float = 0.0,
    batch_size: int = 64,
    seed: int = 0,
    hidden: int = 64,
    data: DigitsData | None = None,
    num_threads: int = 1,
) -> LRFindResult:
    """Run the LR range test on the digits and return lrs, smoothed losses and fastai's suggestions.

    ``model``: "mlp"/"cnn" (a fresh model seeded like ``train(seed=...)``, so the suggestion fits that run)
    or an ``nn.Module``. ``optimizer``: a name ("sgd", "adam", "adamw") or an optimizer over ``model``'s
    parameters. Either way the model and optimizer are restored afterwards. The ramp is described in the
    module docstring; batches are reshuffled each pass, so num_iter may exceed one epoch.
    """
    start_lr = check_float("start_lr", start_lr, gt=0.0)
    end_lr = check_float("end_lr", end_lr, gt=0.0)
    if not start_lr < end_lr:
        raise ValueError(f"start_lr must be < end_lr, got start_lr={start_lr} and end_lr={end_lr}")
    num_iter = check_int("num_iter", num_iter, minimum=6)
    step_mode = check_choice("step_mode", step_mode, STEP_MODES)
    smooth_beta = check_float("smooth_beta", smooth_beta, ge=0.0, lt=1.0)
    diverge_th = check_float("diverge_th", diverge_th, gt=1.0)
    stop_div = check_bool("stop_div", stop_div)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    hidden = check_int("hidden", hidden, minimum=4, maximum=4096)
    num_threads = check_int("num_threads", num_threads, minimum=1, maximum=64)
    if data is None:
        data = load_digits_data()
    elif not isinstance(data, DigitsData):
        raise TypeError(f"data must be a DigitsData (from load_digits_data()) or None, not {type(data).__name__}")
    if batch_size > data.n_train:
        raise ValueError(f"batch_size must be <= the number of training samples ({data.n_train}), got {batch_size}")
    if isinstance(optimizer, torch.optim.Optimizer):
        if not isinstance(model, nn.Module):
            raise TypeError("model must be the nn.Module the optimizer was built on when optimizer is an Optimizer")
        own = {id(p) for p in model.parameters()}
        if not all(id(p) in own for g in optimizer.param_groups for p in g["params"]):
            raise ValueError("optimizer must optimize the parameters of model (got an optimizer of another model)")
    elif isinstance(optimizer, str):
        check_choice("optimizer", optimizer, OPTIMIZERS)
    else:
        raise TypeError(f"optimizer must be one of {OPTIMIZERS} or a torch.optim.Optimizer, not {type(optimizer).__name__}")

    start = time.perf_counter()
    with torch_settings(num_threads), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = resolve_model(model, hidden=hidden, seed=seed)
        opt = (
            optimizer
            if isinstance(optimizer, torch.optim.Optimizer)
            else make_optimizer(
                optimizer, net.parameters(), lr=start_lr, momentum=momentum, betas=betas, weight_decay=weight_decay
            )
        )
        saved = _snapshot(net, opt)
        try:
            lrs, losses, raw, best, stopped = _range_test(
                net, opt, data, start_lr, end_lr, num_iter, step_mode, smooth_beta, diverge_th, stop_div,
                batch_size, torch.Generator().manual_seed(seed),
            )
        finally:
            _restore(net, opt, saved)
    suggestions, points = suggest(lrs, losses, num_iter)
    config = {
        "model": model if isinstance(model, str) else type(model).__name__,
        "optimizer": optimizer if isinstance(optimizer, str) else type(optimizer).__name__,
        "start_lr": start_lr, "end_lr": end_lr, "step_mode": step_mode, "smooth_beta": smooth_beta,
        "diverge_th": diverge_th, "stop_div": stop_div, "batch_size": batch_size, "seed": seed,
    }
    return LRFindResult(
        lrs=lrs, losses=losses, raw_losses=raw, suggestions=suggestions, points=points, best_loss=best,
        stopped_early=stopped, num_iter=num_iter, config=config, seconds=time.perf_counter() - start,
    )


def ramp_lr(i: int, num_iter: int, start_lr: float, end_lr: float, step_mode: str = "exp") -> float:
    """LR of batch i: start*(end/start)**(i/num_iter) ("exp") or start+(end-start)*i/num_iter ("linear")."""
    pos = i / num_iter
    if step_mode == "exp":
        return start_lr * (end_lr / start_lr) ** pos
    return start_lr + (end_lr - start_lr) * pos


def _range_test(
    net: nn.Module,
    opt: torch.optim.Optimizer,
    data: DigitsData,
    start_lr: float,
    end_lr: float,
    num_iter: int,
    step_mode: str,
    beta: float,
    diverge_th: float,
    stop_div: bool,
    batch_size: int,
    gen: torch.Generator,
) -> tuple[list[float], list[float], list[float], float, bool]:
    x, y, n = data.x_train, data.y_train, data.n_train
    lrs: list[float] = []
    losses: list[float] = []
    raw: list[float] = []
    avg, best, stopped = 0.0, math.inf, False
    net.train()
    perm, pos = torch.randperm(n, generator=gen), 0
    for i in range(num_iter):
        if pos >= n:
            perm, pos = torch.randperm(n, generator=gen), 0
        idx = perm[pos : pos + batch_size]
        pos += batch_size
        lr = ramp_lr(i, num_iter, start_lr, end_lr, step_mode)
        for group in opt.param_groups:
            group["lr"] = lr
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x[idx]), y[idx])
        loss.backward()
        opt.step()
        value = float(loss.item())
        avg = beta * avg + (1.0 - beta) * value
        smooth = avg / (1.0 - beta ** (i + 1))
        lrs.append(lr)
        raw.append(value)
        losses.append(smooth)
        best = min(best, smooth)
        if stop_div and (not math.isfinite(smooth) or smooth > diverge_th * best):
            stopped = True
            break
    return lrs, losses, raw, best, stopped


def _snapshot(net: nn.Module, opt: torch.optim.Optimizer) -> dict[str, Any]:
    return {
        "model": copy.deepcopy(net.state_dict()),
        "grads": [None if p.grad is None else p.grad.detach().clone() for p in net.parameters()],
        "training": [m.training for m in net.modules()],
        "optimizer": copy.deepcopy(opt.state_dict()),
    }


def _restore(net: nn.Module, opt: torch.optim.Optimizer, saved: dict[str, Any]) -> None:
    net.load_state_dict(saved["model"])
    for p, g in zip(net.parameters(), saved["grads"], strict=True):
        p.grad = None if g is None else g.clone()
    for m, mode in zip(net.modules(), saved["training"], strict=True):
        m.training = mode
    opt.load_state_dict(saved["optimizer"])


def suggest(
    lrs: list[float], losses: list[float], num_iter: int
) -> tuple[dict[str, float | None], dict[str, tuple[float, float] | None]]:
    """fastai's valley / steep / minimum suggestions on ``[num_iter // 10 : -5]`` (cut at the first NaN).

    Returns (name -> suggested LR, name -> (lr, loss) point to mark); None where fewer than 2 points remain.
    """
    lr_arr = np.asarray(lrs[num_iter // 10 : -5], dtype=float)
    loss_arr = np.asarray(losses[num_iter // 10 : -5], dtype=float)
    nan = np.flatnonzero(~np.isfinite(loss_arr))
    if nan.size:
        lr_arr, loss_arr = lr_arr[: nan[0]], loss_arr[: nan[0]]
    if lr_arr.size < 2:
        return dict.fromkeys(SUGGESTIONS), dict.fromkeys(SUGGESTIONS)
    out: dict[str, float | None] = {}
    pts: dict[str, tuple[float, float] | None] = {}

    v = _valley_index(loss_arr)
    out["valley"], pts["valley"] = float(lr_arr[v]), (float(lr_arr[v]), float(loss_arr[v]))

    grads = np.diff(loss_arr) / np.diff(np.log(lr_arr))
    s = int(np.argmin(grads))
    out["steep"], pts["steep"] = float(lr_arr[s]), (float(lr_arr[s]), float(loss_arr[s]))

    m = int(np.argmin(loss_arr))
    out["minimum"], pts["minimum"] = float(lr_arr[m]) / 10.0, (float(lr_arr[m]), float(loss_arr[m]))
    return out, pts


def _valley_index(losses: np.ndarray) -> int:
    """fastai's valley: O(n^2) longest decreasing subsequence, then start + int(len/3) + int(len/3/2)."""
    n = len(losses)
    lds = [1] * n
    max_start, max_end = 0, 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and lds[i] < lds[j] + 1:
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    return max_start + int(sections) + int(sections / 2)
