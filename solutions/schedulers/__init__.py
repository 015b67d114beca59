"""Learning-rate schedulers with torch.optim.lr_scheduler's names, signatures and behaviour.

Drop-in replacements for PyTorch 2.13's schedulers, written to be read (and re-implemented):
``from schedulers import CosineAnnealingLR`` instead of ``from torch.optim.lr_scheduler import ...``.
"""

from .base import LRScheduler
from .composite import ChainedScheduler, SequentialLR
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .cyclic import CyclicLR
from .exponential import ExponentialLR
from .lambda_lr import LambdaLR, MultiplicativeLR
from .linear import ConstantLR, LinearLR
from .modern import CosineLR, InverseSqrtLR, WarmupStableDecayLR  # bonus: schedules torch lacks (chapter 10)
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau
from .polynomial import PolynomialLR
from .step import MultiStepLR, StepLR
from .swa import SWALR

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CosineLR",
    "CyclicLR",
    "ExponentialLR",
    "InverseSqrtLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SWALR",
    "SequentialLR",
    "StepLR",
    "WarmupStableDecayLR",
]
