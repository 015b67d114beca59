"""The bundled data set: scikit-learn's 8x8 handwritten digits (1797 images, 10 classes, no download).

Pixels (0..16) are scaled to x/16 in [0, 1]; the split is stratified and fixed by ``seed``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import torch

from lrlab.training._checks import check_float, check_int

N_FEATURES = 64
N_CLASSES = 10
IMAGE_SHAPE = (8, 8)


@dataclass(frozen=True)
class DigitsData:
    """Train/validation tensors: ``x_*`` float32 of shape (n, 64) in [0, 1], ``y_*`` int64 labels 0..9."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    seed: int
    val_fraction: float

    @property
    def n_train(self) -> int:
        return int(self.x_train.shape[0])

    @property
    def n_val(self) -> int:
        return int(self.x_val.shape[0])

    def steps_per_epoch(self, batch_size: int) -> int:
        """Optimizer steps in one epoch: ceil(n_train / batch_size) (the last batch may be smaller)."""
        batch_size = check_int("batch_size", batch_size, minimum=1)
        return math.ceil(self.n_train / batch_size)

    def __repr__(self) -> str:
        return (
            f"DigitsData(n_train={self.n_train}, n_val={self.n_val}, features={N_FEATURES}, "
            f"classes={N_CLASSES}, seed={self.seed}, val_fraction={self.val_fraction})"
        )


@functools.lru_cache(maxsize=1)
def _raw_digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.data.astype(np.float32) / 16.0, bunch.target.astype(np.int64)


@functools.lru_cache(maxsize=8)
def _split(seed: int, val_fraction: float) -> DigitsData:
    from sklearn.model_selection import train_test_split

    x, y = _raw_digits()
    x_tr, x_va, y_tr, y_va = train_test_split(x, y, test_size=val_fraction, random_state=seed, stratify=y)
    return DigitsData(
        x_train=torch.from_numpy(np.ascontiguousarray(x_tr)),
        y_train=torch.from_numpy(np.ascontiguousarray(y_tr)),
        x_val=torch.from_numpy(np.ascontiguousarray(x_va)),
        y_val=torch.from_numpy(np.ascontiguousarray(y_va)),
        seed=seed,
        val_fraction=val_fraction,
    )


def load_digits_data(*, val_fraction: float = 0.2, seed: int = 0) -> DigitsData:
    """Load the digits, scale x -> x/16, and split off a stratified validation fraction (0 < f < 1).

    The result is cached per (seed, val_fraction); the tensors are shared, so do not modify them in place.
    """
    val_fraction = check_float("val_fraction", val_fraction, gt=0.0, lt=1.0)
    seed = check_int("seed", seed, minimum=0)
    return _split(seed, val_fraction)


def steps_per_epoch(batch_size: int = 64, *, val_fraction: float = 0.2) -> int:
    """Optimizer steps per epoch of the digits training split: ceil(n_train / batch_size).

    Use it to size per-batch schedules, e.g. ``OneCycleLR(opt, max_lr, total_steps=epochs * steps_per_epoch())``.
    """
    return load_digits_data(val_fraction=val_fraction).steps_per_epoch(batch_size)
