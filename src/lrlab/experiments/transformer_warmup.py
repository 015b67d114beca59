"""Warmup for Adam on a small post-LN character Transformer, trained on Python's own documentation.

Text: ``pydoc_data.topics`` (stdlib: about 465,000 characters of Python's help pages, on every machine, nothing
downloaded), topics joined in sorted order; the first 90% trains, the last 10% validates. A causal
character-level Transformer (``nn.TransformerEncoderLayer``: post-LN with ``norm_first=False``, as in Vaswani et
al. 2017; pre-LN with ``norm_first=True``) of 6 layers and width 32 predicts the next character; Adam
(betas 0.9, 0.999), no gradient clipping, batches of 16 windows of 32 characters.

Why warmup matters here: Adam's first updates divide by a second-moment estimate built from very few gradients,
so their size is about ``lr`` per weight whatever the gradient (Liu et al. 2020, "On the variance of the adaptive
learning rate", RAdam); in a post-LN Transformer the gradients near the output are large at initialisation
(Xiong et al. 2020, "On layer normalization in the Transformer architecture"), so a large LR from step 0 pushes
the network into a state it does not leave: it only learns the character frequencies (the unigram loss). A
linear warmup (``LinearLR``) keeps the first steps small while the moment estimates settle; pre-LN (the control)
trains without it at the same LR.

Every arm uses the same seeds (initialisation and batches): differences are paired by seed. A run that produces
a non-finite loss is marked ``diverged`` and its validation loss counted as ``log(vocabulary)``, the loss of a
uniform prediction.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.lr_scheduler import LinearLR

from lrlab.experiments.stats import difference, effect_line, verdict
from lrlab.training._checks import check_bool, check_float, check_int

VAL_WINDOWS = 128  # fixed validation windows (seeded), ctx characters each


@dataclass(frozen=True)
class CharText:
    """The text as character ids: ``train`` / ``val`` (LongTensors), ``vocab`` (the sorted characters)."""

    train: torch.Tensor
    val: torch.Tensor
    vocab: str

    @property
    def unigram_loss(self) -> float:
        """Cross-entropy (nats) of predicting each character by its training frequency alone."""
        p = torch.bincount(self.train, minlength=len(self.vocab)).double()
        p = p[p > 0] / p.sum()
        return float(-(p * p.log()).sum())


@functools.lru_cache(maxsize=1)
def load_text() -> CharText:
    """``pydoc_data.topics`` joined in sorted topic order, as ids over its characters; 90% train, 10% val."""
    from pydoc_data import topics

    text = "\n".join(topics.topics[k] for k in sorted(topics.topics))
    vocab = "".join(sorted(set(text)))
    index = {c: i for i, c in enumerate(vocab)}
    ids = torch.tensor([index[c] for c in text], dtype=torch.long)
    cut = int(0.9 * len(ids))
    return CharText(ids[:cut], ids[cut:], vocab)


def windows(ids: torch.Tensor, ctx: int, n: int, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` random windows of ``ctx`` characters (x) and the same shifted by one (y), shape (n, ctx)."""
    start = torch.randint(0, len(ids) - ctx - 1, (n,), generator=gen)
    offs = torch.arange(ctx)
    return ids[start[:, None] + offs], ids[start[:, None] + offs + 1]


class CharTransformer(nn.Module):
    """Embedding + learned positions, ``layers`` causal ``TransformerEncoderLayer``s (post-LN unless
    ``norm_first``), a final LayerNorm for pre-LN (as pre-LN models have), a linear head over the vocabulary."""

    def __init__(self, vocab: int, *, d_model: int = 32, layers: int = 6, heads: int = 4, ctx: int = 32,
                 norm_first: bool = False) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(0.02 * torch.randn(ctx, d_model))
        layer = nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout=0.0, batch_first=True,
                                           norm_first=norm_first)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.head = nn.Linear(d_model, vocab)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(ctx), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = x.shape[1]
        z = self.embed(x) + self.pos[:t]
        z = self.blocks(z, mask=self.mask[:t, :t], is_causal=True)
        return self.head(self.norm(z))


@dataclass(frozen=True)
class Arm:
    """One configuration: ``norm_first`` (pre-LN) and ``warmup`` steps of LinearLR (0: none)."""

    name: str
    norm_first: bool
    warmup: int


def train_run(seed: int, *, lr: float = 0.01, warmup: int = 0, steps: int = 200, norm_first: bool = False,
              layers: int = 6, d_model: int = 32, heads: int = 4, ctx: int = 32, batch_size: int = 16,
              beta2: float = 0.999) -> dict:
    """Train one model; returns {"loss": (steps,) batch losses (NaN after a divergence), "lr": (steps,) the LR
    each step used, "val_loss": final validation loss, "diverged": bool}. Deterministic for a seed (1 thread)."""
    data = load_text()
    prev = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(seed)
        net = CharTransformer(len(data.vocab), d_model=d_model, layers=layers, heads=heads, ctx=ctx,
                              norm_first=norm_first)
        opt = torch.optim.Adam(net.parameters(), lr=lr, betas=(0.9, beta2), foreach=True)
        sched = LinearLR(opt, start_factor=1.0 / warmup, total_iters=warmup) if warmup > 0 else None
        gen = torch.Generator().manual_seed(10_000 + seed)
        loss = np.full(steps, np.nan)
        lrs = np.empty(steps)
        diverged = False
        for i in range(steps):
            lrs[i] = opt.param_groups[0]["lr"]
            x, y = windows(data.train, ctx, batch_size, gen)
            out = F.cross_entropy(net(x).reshape(-1, len(data.vocab)), y.reshape(-1))
            if not torch.isfinite(out):
                diverged = True
                lrs[i:] = lrs[i]
                break
            opt.zero_grad(set_to_none=True)
            out.backward()
            opt.step()
            if sched is not None:
                sched.step()
            loss[i] = float(out.detach())
        if diverged:
            val = math.log(len(data.vocab))
        else:
            x, y = windows(data.val, ctx, VAL_WINDOWS, torch.Generator().manual_seed(7))
            with torch.no_grad():
                val = float(F.cross_entropy(net(x).reshape(-1, len(data.vocab)), y.reshape(-1)))
            if not math.isfinite(val):
                diverged, val = True, math.log(len(data.vocab))
    finally:
        torch.set_num_threads(prev)
    return {"loss": loss, "lr": lrs, "val_loss": val, "diverged": diverged}


@dataclass
class WarmupResult:
    """Per arm: ``loss`` (seeds, steps) batch losses, ``lr`` (steps,), ``val_loss`` (seeds,), ``diverged``
    (seeds,); ``unigram`` is the loss of predicting character frequencies only; ``config`` the run's settings."""

    loss: dict[str, np.ndarray]
    lr: dict[str, np.ndarray]
    val_loss: dict[str, np.ndarray]
    diverged: dict[str, np.ndarray]
    unigram: float
    config: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return list(self.loss)

    @property
    def seeds(self) -> int:
        return len(next(iter(self.val_loss.values())))

    def effect(self, a: str | None = None, b: str | None = None) -> str:
        """The bench's ``effect:`` line for the final validation loss, A - B (default: no warmup - warmup)."""
        a, b = a or self.names[0], b or self.names[1]
        return effect_line(f"Adam warmup, post-LN Transformer (lr {self.config.get('lr', '?'):g})",
                           "final val loss", self.val_loss[a], self.val_loss[b], a, b)

    def verdict(self, a: str | None = None, b: str | None = None) -> str:
        """"no significant difference" or which arm has the lower validation loss (paired by seed)."""
        a, b = a or self.names[0], b or self.names[1]
        return verdict(difference(self.val_loss[a], self.val_loss[b]), a, b, higher_is_better=False)

    def plot(self, axes=None, smooth: int = 10):
        """Batch loss (moving mean over ``smooth`` steps; mean and 95% band over seeds) and the LR, per arm."""
        import matplotlib.pyplot as plt

        from lrlab.experiments.plots import band

        if axes is None:
            _, axes = plt.subplots(1, 2, figsize=(12, 3.8), constrained_layout=True)
        kernel = np.ones(smooth) / smooth
        for k, name in enumerate(self.names):
            v = np.array([np.convolve(row, kernel, mode="valid") for row in self.loss[name]])
            band(axes[0], np.arange(v.shape[1]) + smooth - 1, v, f"C{k}", name)
            axes[1].plot(self.lr[name], color=f"C{k}", ls=("-", "--", ":")[k % 3], label=name)
        axes[0].axhline(self.unigram, color="0.4", ls=":", label="character frequencies only")
        axes[0].set(xlabel="optimizer step", ylabel=f"batch loss (mean of {smooth})",
                    title=f"char Transformer on pydoc_data.topics ({self.seeds} seeds, 95% band)")
        axes[1].set(xlabel="optimizer step", ylabel="learning rate", title="learning rate (Adam)")
        for ax in axes:
            ax.grid(alpha=0.3)
            ax.legend(fontsize="small")
        return axes[0].figure

    def __str__(self) -> str:
        from lrlab.experiments.stats import summarize

        lines = [f"final validation loss over {self.seeds} seeds (mean ± 95% CI half-width; "
                 f"character frequencies only: {self.unigram:.3f}):"]
        for name in self.names:
            div = int(self.diverged[name].sum())
            lines.append(f"  {name:<34} {summarize(self.val_loss[name]).format(digits=3)}"
                         + (f"  ({div} diverged)" if div else ""))
        return "\n".join(lines)


def run_transformer_warmup(*, seeds: int = 5, steps: int = 200, lr: float = 0.01, warmup: int = 100,
                           pre_ln: bool = True, **model) -> WarmupResult:
    """Post-LN without warmup, post-LN with ``warmup`` steps of LinearLR(start_factor=1/warmup), and (``pre_ln``)
    pre-LN without warmup, each over ``seeds`` seeds at the same peak ``lr``. ``model``: ``train_run``'s
    layers, d_model, heads, ctx, batch_size, beta2."""
    seeds = check_int("seeds", seeds, minimum=2)
    steps = check_int("steps", steps, minimum=2)
    lr = check_float("lr", lr, gt=0.0)
    warmup = check_int("warmup", warmup, minimum=1)
    pre_ln = check_bool("pre_ln", pre_ln)
    arms = [Arm("post-LN, no warmup", False, 0), Arm(f"post-LN, {warmup}-step warmup", False, warmup)]
    if pre_ln:
        arms.append(Arm("pre-LN, no warmup", True, 0))
    loss, lrs, val, div = {}, {}, {}, {}
    for arm in arms:
        runs = [train_run(s, lr=lr, warmup=arm.warmup, steps=steps, norm_first=arm.norm_first, **model)
                for s in range(seeds)]
        loss[arm.name] = np.array([r["loss"] for r in runs])
        lrs[arm.name] = runs[0]["lr"]
        val[arm.name] = np.array([r["val_loss"] for r in runs])
        div[arm.name] = np.array([r["diverged"] for r in runs])
    config = dict(seeds=seeds, steps=steps, lr=lr, warmup=warmup, **model)
    return WarmupResult(loss, lrs, val, div, load_text().unigram_loss, config)
