"""Interactive explorer (ipywidgets + matplotlib Agg): ``explore``, ``compare``, ``warmup_composer``, ``app``."""

from .app import app
from .compare import compare
from .explore import explore
from .plateau import synthetic_metric
from .warmup import warmup_composer

__all__ = ["app", "compare", "explore", "synthetic_metric", "warmup_composer"]
