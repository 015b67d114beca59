"""torch's expected values for every scenario, computed in the grading process (never the learner's)."""

from __future__ import annotations

import time
import warnings
from functools import cache
from typing import Any

from lrlab.grading.driver import run_scenario
from lrlab.grading.spec import checks_for


def torch_class(name: str) -> type:
    """torch's class ``name`` (``torch.optim.lr_scheduler``, or the catalog's ``torch_module``: SWALR)."""
    from lrlab import catalog
    from lrlab.grading import bonus

    if name in bonus.BONUS:  # a schedule torch lacks: torch's LambdaLR of its formula
        return bonus.oracle_class(name)
    return catalog.torch_class(name)


#: Seconds torch took for each scheduler's scenarios, measured when :func:`expected` computed them.
SECONDS: dict[str, float] = {}


@cache
def expected(name: str) -> tuple[tuple[dict[str, Any], ...], ...]:
    """Per check of ``name``, torch's result for each scenario (cached for the process; the time it took
    is kept in :data:`SECONDS`)."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's step-order/deprecation warnings must not reach stderr
        values = tuple(
            tuple(run_scenario(sc, torch_class) for sc in check.scenarios) for check in checks_for(name)
        )
    SECONDS[name] = time.perf_counter() - start
    return values


def seconds_per_step(steps: int = 2000) -> float:
    """torch's seconds per recorded step on this machine now (the catalog's first scheduler with its defaults,
    ``steps`` long): the unit of the grader's time limits."""
    from lrlab import catalog
    from lrlab.grading.spec import _catalog_kwargs, scenario

    record = catalog.get(catalog.SCHEDULERS[0])
    sc = scenario(record.name, _catalog_kwargs(record, record.defaults(steps)), steps=steps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_scenario(sc, torch_class)  # warm
        start = time.perf_counter()
        run_scenario(sc, torch_class)
    return (time.perf_counter() - start) / steps
