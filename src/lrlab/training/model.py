"""Small models for the 8x8 digits: an MLP (64 -> hidden -> 10) and a tiny CNN."""

from __future__ import annotations

import torch
from torch import nn

from lrlab.training._checks import check_choice, check_int
from lrlab.training.data import N_CLASSES, N_FEATURES

MODEL_KINDS = ("mlp", "cnn")


def make_model(kind: str = "mlp", *, hidden: int = 64, seed: int | None = None) -> nn.Module:
    """Build a fresh model; with ``seed`` the initial weights are reproducible (global RNG left untouched).

    mlp: Linear(64, hidden) -> ReLU -> Linear(hidden, 10).
    cnn: (1, 8, 8) -> Conv3x3(hidden/4) -> ReLU -> MaxPool2 -> Conv3x3(hidden/2) -> ReLU -> MaxPool2
         -> Flatten (hidden/2 * 2 * 2) -> Linear(10).  Inputs are the flat (n, 64) tensors; the CNN reshapes them itself.
    """
    kind = check_choice("model", kind, MODEL_KINDS)
    hidden = check_int("hidden", hidden, minimum=4, maximum=4096)
    if seed is not None:
        seed = check_int("seed", seed, minimum=0)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            return _build(kind, hidden)
    return _build(kind, hidden)


def _build(kind: str, hidden: int) -> nn.Module:
    if kind == "mlp":
        return nn.Sequential(
            nn.Linear(N_FEATURES, hidden),
            nn.ReLU(),
            nn.Linear(hidden, N_CLASSES),
        )
    c1, c2 = max(hidden // 4, 1), max(hidden // 2, 1)
    return nn.Sequential(
        nn.Unflatten(1, (1, 8, 8)),
        nn.Conv2d(1, c1, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(c1, c2, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(c2 * 4, N_CLASSES),
    )
