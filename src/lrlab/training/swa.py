"""Stochastic weight averaging on the digits: what ``AveragedModel`` + ``SWALR`` buy over the last iterate.

One run trains the lab's MLP with SGD: a cosine decay for ``swa_start`` epochs, then ``SWALR`` holds the LR at
``swa_lr`` (after ``anneal_epochs`` of annealing) while ``AveragedModel`` averages the weights once per epoch
(Izmailov et al. 2018, "Averaging Weights Leads to Wider Optima and Better Generalization").
``update_bn`` recomputes BatchNorm statistics for the average (a no-op for the MLP, which has none; it is
called as a real run must). Optional label noise flips a fraction of the training labels, the regime where
the averaged weights generalise visibly better. :func:`compare_swa` runs several seeds and reports the paired
difference with a 95% confidence interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch.optim.swa_utils import SWALR, AveragedModel, update_bn

from lrlab.checks import check_float, check_int
from lrlab.training.data import load_digits_data
from lrlab.training.loop import evaluate
from lrlab.training.model import make_model


@dataclass(frozen=True)
class SWAResult:
    """Validation (loss, accuracy) of the last iterate and of the averaged weights, for one seed."""

    seed: int
    last_loss: float
    last_acc: float
    swa_loss: float
    swa_acc: float


def swa_run(seed: int = 0, *, epochs: int = 30, swa_start: int = 15, lr: float = 0.1, swa_lr: float = 0.05,
            anneal_epochs: int = 3, batch_size: int = 32, label_noise: float = 0.0) -> SWAResult:
    """Train one seed with SWA from epoch ``swa_start`` and evaluate the last iterate and the average."""
    seed = check_int("seed", seed, minimum=0)
    epochs = check_int("epochs", epochs, minimum=2)
    swa_start = check_int("swa_start", swa_start, minimum=1, maximum=epochs - 1)
    lr = check_float("lr", lr, gt=0.0)
    swa_lr = check_float("swa_lr", swa_lr, gt=0.0)
    anneal_epochs = check_int("anneal_epochs", anneal_epochs, minimum=0)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    label_noise = check_float("label_noise", label_noise, ge=0.0, le=1.0)
    data = load_digits_data()
    gen = torch.Generator().manual_seed(seed)
    net = make_model("mlp", seed=seed)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    decay = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=swa_start)
    averaged = AveragedModel(net)
    swa_sched = SWALR(opt, swa_lr=swa_lr, anneal_epochs=anneal_epochs)
    x, y = data.x_train, data.y_train.clone()
    if label_noise:
        flip = torch.rand(len(y), generator=gen) < label_noise
        y[flip] = torch.randint(0, 10, (int(flip.sum()),), generator=gen)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=batch_size,
                                         shuffle=True, generator=gen)
    for epoch in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(net(xb), yb).backward()
            opt.step()
        if epoch >= swa_start:
            averaged.update_parameters(net)
            swa_sched.step()
        else:
            decay.step()
    update_bn(loader, averaged)
    last = evaluate(net, data.x_val, data.y_val)
    avg = evaluate(averaged, data.x_val, data.y_val)
    return SWAResult(seed, last[0], last[1], avg[0], avg[1])


@dataclass(frozen=True)
class Paired:
    """Mean of a paired difference (averaged minus last) over seeds, its standard error and 95% interval."""

    metric: str
    last: float
    swa: float
    diff: float
    se: float
    low: float
    high: float
    n: int

    @property
    def z(self) -> float:
        """diff / se (inf when every seed agrees exactly)."""
        return self.diff / self.se if self.se > 0 else (math.inf if self.diff else 0.0)

    @property
    def verdict(self) -> str:
        """"no significant difference" when the 95% interval contains 0, else which side wins."""
        if self.low <= 0.0 <= self.high:
            return "no significant difference"
        better = (self.diff > 0) == (self.metric == "accuracy")
        return "the averaged weights are better" if better else "the last iterate is better"


def paired(metric: str, last: list[float], swa: list[float]) -> Paired:
    """Paired comparison over seeds with a t-distribution 95% interval."""
    from scipy import stats

    n = len(last)
    if n < 2 or len(swa) != n:
        raise ValueError(f"need at least 2 paired values, got {n} and {len(swa)}")
    diffs = [b - a for a, b in zip(last, swa, strict=True)]
    mean = sum(diffs) / n
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1))
    se = sd / math.sqrt(n)
    half = float(stats.t.ppf(0.975, n - 1)) * se
    return Paired(metric, sum(last) / n, sum(swa) / n, mean, se, mean - half, mean + half, n)


def compare_swa(seeds: int = 5, **kwargs: float) -> dict[str, Paired]:
    """Run :func:`swa_run` for seeds 0..seeds-1: paired accuracy and loss differences (averaged - last)."""
    seeds = check_int("seeds", seeds, minimum=2)
    runs = [swa_run(s, **kwargs) for s in range(seeds)]
    return {"accuracy": paired("accuracy", [r.last_acc for r in runs], [r.swa_acc for r in runs]),
            "loss": paired("loss", [r.last_loss for r in runs], [r.swa_loss for r in runs])}
