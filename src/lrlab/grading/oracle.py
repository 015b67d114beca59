"""torch's expected values for every scenario, computed in the grading process (never the learner's)."""

from __future__ import annotations

import warnings
from functools import cache
from typing import Any

from lrlab.grading.driver import run_scenario
from lrlab.grading.spec import checks_for


def torch_class(name: str) -> type:
    """torch's class ``name`` (``torch.optim.lr_scheduler``, or the catalog's ``torch_module``: SWALR)."""
    from lrlab import catalog

    return catalog.torch_class(name)


@cache
def expected(name: str) -> tuple[tuple[dict[str, Any], ...], ...]:
    """Per check of ``name``, torch's result for each scenario (cached for the process)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's step-order/deprecation warnings must not reach stderr
        return tuple(
            tuple(run_scenario(sc, torch_class) for sc in check.scenarios) for check in checks_for(name)
        )
