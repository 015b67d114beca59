"""Instant schedule preview: numpy closed forms of torch's LR schedulers, and the torch reference stepping.

``preview(name, steps, lr=..., **params)`` computes a whole schedule without an optimizer;
``torch_schedule`` / ``module_schedule`` step a real scheduler class for the same ``Schedule``.
``preview_plateau(metrics, ...)`` simulates ReduceLROnPlateau over a metric sequence (``torch_plateau``).
Index t = ``get_last_lr()`` after t calls to ``step()``.
"""

from lrlab.preview.compare import assert_schedules_close, first_mismatch
from lrlab.preview.numpy_preview import preview, preview_chained, preview_sequential
from lrlab.preview.plateau import preview_plateau
from lrlab.preview.reference import (
    module_chained,
    module_plateau,
    module_schedule,
    module_sequential,
    torch_chained,
    torch_plateau,
    torch_schedule,
    torch_sequential,
)
from lrlab.preview.registry import SCHEDULERS
from lrlab.preview.schedule import Schedule
from lrlab.preview.validation import PreviewZeroDivisionError

__all__ = [
    "SCHEDULERS",
    "assert_schedules_close",
    "first_mismatch",
    "PreviewZeroDivisionError",
    "Schedule",
    "module_chained",
    "module_plateau",
    "module_schedule",
    "module_sequential",
    "preview",
    "preview_chained",
    "preview_plateau",
    "preview_sequential",
    "torch_chained",
    "torch_plateau",
    "torch_schedule",
    "torch_sequential",
]
