# GENERATED from solutions/schedulers/base.py by `lrlab build-exercises`: implement the stubs below.
"""The ``LRScheduler`` base class every scheduler in this package builds on.

A scheduler owns an optimizer and rewrites ``group["lr"]`` of each of its param groups once per
``step()``; a subclass only says what the LRs are at the current step (``get_lr``). The base class keeps the
rest: ``base_lrs`` (each group's starting LR), ``last_epoch`` (the current step: 0 right after construction,
+1 per ``step()``), ``_step_count`` (calls to ``step()``, the constructor's included), ``_is_initial`` (True
only during the constructor's step) and ``_last_lr`` (the LRs written by the latest step).

Validation is stricter than torch's: the docstrings ask for checks torch does not make (torch accepts
``step_size=0``, ``gamma=-1``, ``T_max=0``, ``patience=-1``...). ``check_int`` raises ``TypeError`` for a non-int
and ``ValueError`` below the minimum, ``check_real`` ``TypeError`` for a non-number. For torch's classes the
grader tests only the arguments torch rejects, with torch's exception type.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch.optim import Optimizer


def check_optimizer(optimizer: Any) -> None:
    """Raise ``TypeError`` unless ``optimizer`` looks like a torch optimizer (has a list of param groups)."""
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise TypeError(
            f"{type(optimizer).__name__} is not an Optimizer: expected an object with a list of dicts "
            "in .param_groups (e.g. torch.optim.SGD)"
        )


def per_group(name: str, optimizer: Any, value: Any) -> list[Any]:
    """Return ``value`` as a list with one entry per param group.

    A scalar is repeated for every group; a list/tuple must have exactly one entry per group
    (``ValueError`` otherwise).
    """
    n_groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n_groups:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(value)} values, param_groups has {n_groups}."
            )
        return list(value)
    return [value] * n_groups


def check_int(name: str, value: Any, minimum: int) -> None:
    """Raise ``TypeError`` unless ``value`` is an int, ``ValueError`` unless ``value >= minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int >= {minimum}, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")


def check_real(name: str, value: Any) -> None:
    """Raise ``TypeError`` unless ``value`` is a real number (int or float, not bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")


def check_schedulers(owner: str, optimizer: Any, schedulers: Sequence[Any]) -> None:
    """Validate the child schedulers of a composite (``SequentialLR``, ``ChainedScheduler``).

    There must be at least one (``ValueError``); each must have an ``optimizer`` (``TypeError``), must not
    be a ``ReduceLROnPlateau`` (its ``step`` needs a metric, ``ValueError``) and must drive ``optimizer``
    (``ValueError``).
    """
    if len(schedulers) < 1:
        raise ValueError(f"{owner} expects at least one scheduler, but got no scheduler.")
    for idx, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{owner} at index {idx} should have `optimizer` as its attribute.")
        if type(scheduler).__name__ == "ReduceLROnPlateau":
            raise ValueError(
                f"{owner} does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs "
                f"to be specified when calling `step`, but got one at index {idx} in the given schedulers "
                "sequence."
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{owner} expects all schedulers to belong to the same optimizer, but got scheduler "
                f"{type(scheduler).__name__} at index {idx} with a different optimizer."
            )


class LRScheduler:
    """Base class: holds the optimizer and the per-group base LRs; subclasses implement ``get_lr``."""

    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        """Attach the scheduler to ``optimizer`` and take the initial step.

        Contract, afterwards: ``self.optimizer`` is ``optimizer``; ``base_lrs[i]`` is group i's starting LR,
        stored in the group as ``"initial_lr"``; ``last_epoch`` is the argument + 1 (0 for a fresh start); every
        group's ``"lr"`` holds the schedule's value at that step and ``get_last_lr()`` returns those values.

        * Fresh start (``last_epoch == -1``): a group's starting LR is its current ``"lr"``, unless the group
          already has an ``"initial_lr"`` (a scheduler built earlier on the same optimizer stored it): that one
          wins, so two schedulers on one optimizer share one starting point.
        * Resuming (``last_epoch >= 0``): the current ``"lr"`` is already decayed, so it cannot be the starting
          LR; the groups must already carry ``"initial_lr"`` (restored with the optimizer), else ``KeyError``.
        * ``TypeError`` when ``optimizer`` is not an optimizer (``check_optimizer``) or ``last_epoch`` is not
          an int; ``ValueError`` when ``last_epoch < -1`` (``check_int``; torch checks neither and raises the
          resume branch's ``KeyError``).

        Hint: the starting LRs are read from the groups in both cases; the only difference is whether a
        missing one may be filled in. The initial step is the constructor's last act (``_initial_step``).
        """
        raise NotImplementedError('LRScheduler.__init__ is not implemented yet (schedulers/base.py)')

    def _initial_step(self) -> None:
        """The constructor's step: an ordinary ``step()`` that is counted as the first call and flagged.

        Contract: ``_step_count`` is set to 0 here, so afterwards it is 1 (the base ``step()`` counts; a class
        whose own ``step`` does not, ``CosineAnnealingWarmRestarts``, keeps 0, as in torch), and ``_is_initial``
        is False. While the step runs ``_is_initial`` is True: a recursive ``get_lr`` (new LR = previous LR x
        factor) reads it to know there is no previous step to apply a factor for, and returns the LRs as they
        are (or its start value). The flag must be False afterwards even when ``step()`` raises (a bad
        ``get_lr``), so a later step is never mistaken for the initial one.

        Hint: which Python statement runs clean-up code whether or not the block before it raised?
        """
        raise NotImplementedError('LRScheduler._initial_step is not implemented yet (schedulers/base.py)')

    def get_lr(self) -> list[float]:
        """Return the LR of every param group for the current ``last_epoch`` (subclasses implement it)."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one step and write the new LRs into the optimizer.

        Contract: every call counts (``_step_count`` + 1); then ``last_epoch`` is the next step, each group's
        ``"lr"`` is its value there and ``get_last_lr()`` returns those values. ``step(epoch)`` (deprecated in
        torch, no warning here) goes to step ``epoch`` instead of the next one.

        Hint: this method only counts the call; moving to the step and writing its LRs is ``_update_lr``'s job,
        shared with the constructor's step.
        """
        raise NotImplementedError('LRScheduler.step is not implemented yet (schedulers/base.py)')

    def _update_lr(self, epoch: int | None = None) -> None:
        """Move to the next step (``epoch`` None) or to step ``epoch``, and write that step's LRs.

        Contract: with ``epoch`` None, ``last_epoch`` increases by 1 and the LRs are ``get_lr()``. With an
        explicit ``epoch``, ``last_epoch == epoch`` and the LRs come from the class's closed form
        ``_get_closed_form_lr()`` when it defines one (a recursive ``get_lr`` assumes the previous step was
        ``epoch - 1``, which a jump breaks), else from ``get_lr()``. Each group's ``"lr"`` becomes its value,
        and ``_last_lr`` is a new list of the values written, one per group in group order.

        Hint: not every scheduler has a closed form; the object can tell you whether it defines one.
        """
        raise NotImplementedError('LRScheduler._update_lr is not implemented yet (schedulers/base.py)')

    def get_last_lr(self) -> list[float]:
        """Return the LRs the latest step wrote, one per param group.

        Contract: a list that does not change when the optimizer's groups are edited later (it is what the
        scheduler wrote, not a view of ``optimizer.param_groups``).

        Hint: the step has already stored them.
        """
        raise NotImplementedError('LRScheduler.get_last_lr is not implemented yet (schedulers/base.py)')

    def state_dict(self) -> dict[str, Any]:
        """Return everything needed to resume this scheduler, as a dict.

        Contract: the scheduler's attributes (``last_epoch``, ``base_lrs``, ``_last_lr``, its own parameters...)
        by name, without the optimizer: the resuming code builds and restores the optimizer itself, and a
        checkpoint must not hold a second copy of it. Loading the dict into a freshly built scheduler
        (``load_state_dict``) makes its next ``step()`` give the LRs the saved one would have given.

        Hint: a Python object already keeps its attributes in a dict; leave out the one entry that is not the
        scheduler's state.
        """
        raise NotImplementedError('LRScheduler.state_dict is not implemented yet (schedulers/base.py)')

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state returned by ``state_dict()``.

        Contract: afterwards every saved attribute has its saved value (attributes the dict does not name, such
        as ``optimizer``, are kept), so the next ``step()`` continues the saved schedule. ``TypeError`` unless
        ``state_dict`` is a dict.

        Hint: the inverse of ``state_dict``: put every saved entry back as an attribute.
        """
        raise NotImplementedError('LRScheduler.load_state_dict is not implemented yet (schedulers/base.py)')
