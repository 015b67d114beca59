"""``explore(name)``: the panel for one scheduler, chosen by the catalog's family (closed form or plateau)."""

from __future__ import annotations

from typing import Any

from lrlab import catalog

from .panel import Explorer, SchedulePanel
from .plateau import PlateauExplorer


def explore(name: str, **overrides: Any) -> SchedulePanel:
    """An ipywidgets panel for scheduler ``name``: one control per constructor parameter, the step budget
    and base LR, a log-scale toggle, torch's LR (and cycled momentum) and the learner's curve overlaid.

    Overrides: any parameter value (e.g. ``step_size=10``), ``steps``, ``lr``, ``log``, ``module``
    (None: the imported/exercises ``schedulers``; False: no overlay; "solutions"; a path or module),
    ``learner_limit`` (the learner is stepped at most this many steps), ``learner_timeout`` (seconds the
    learner's class gets per curve, default 2; None: no limit). ReduceLROnPlateau gets the
    synthetic-metric panel of ``lrlab.explorer.plateau``.
    """
    if name in catalog.CATALOG and catalog.get(name).family == "plateau":
        return PlateauExplorer(**overrides)
    return Explorer(name, **overrides)
