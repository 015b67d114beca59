"""Learning-rate schedulers with torch.optim.lr_scheduler's names, signatures and behaviour.

Drop-in replacements for PyTorch 2.13's schedulers, written to be read (and re-implemented):
``from schedulers import CosineAnnealingLR`` instead of ``from torch.optim.lr_scheduler import ...``.
"""

from .base import LRScheduler
from .composite import ChainedScheduler, SequentialLR
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .cyclic import CyclicLR
from .exponential import ExponentialLR
from .lambda_lr import LambdaLR
from .linear import LinearLR
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau
from .step import MultiStepLR, StepLR

__all__ = [
    "ChainedScheduler",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "OneCycleLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]
