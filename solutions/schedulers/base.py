"""The ``LRScheduler`` base class every scheduler in this package builds on.

A scheduler owns an optimizer and rewrites ``group["lr"]`` of each of its param groups once per
``step()``. The state is small: ``optimizer``, ``base_lrs`` (each group's ``initial_lr``), ``last_epoch``
(how many times ``step()`` has run, starting at 0 right after construction), ``_step_count``, ``_is_initial``
and ``_last_lr`` (the LRs written by the latest step).
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
        """Attach ``optimizer``, record ``base_lrs`` and take the initial step.

        With ``last_epoch == -1`` (a fresh start) every group gets ``initial_lr = lr`` unless it already has
        one (``dict.setdefault``); otherwise (resuming) every group must already hold ``initial_lr``
        (``KeyError`` if not). Then ``base_lrs[i] = param_groups[i]["initial_lr"]``,
        ``self.last_epoch = last_epoch`` and the initial step runs, so afterwards ``last_epoch == last_epoch + 1``.

        Hint: a non-optimizer raises ``TypeError`` (``check_optimizer``); finish with ``self._initial_step()``.
        """
        ### BEGIN SOLUTION
        check_optimizer(optimizer)
        check_int("last_epoch", last_epoch, -1)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming a scheduler "
                        f"with last_epoch={last_epoch}: load the optimizer's state_dict first, or pass "
                        "last_epoch=-1 for a fresh run"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()
        ### END SOLUTION

    def _initial_step(self) -> None:
        """The constructor's step: ``_step_count = 0``, then ``step()`` with ``_is_initial`` set to True.

        ``_is_initial`` tells recursive ``get_lr`` formulas to keep the current LR (nothing to decay yet).
        Afterwards ``_step_count == 1`` and ``_is_initial`` is False again, even if ``step()`` raised.

        Hint: use ``try: ... finally: self._is_initial = False``.
        """
        ### BEGIN SOLUTION
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False
        ### END SOLUTION

    def get_lr(self) -> list[float]:
        """Return the LR of every param group for the current ``last_epoch`` (subclasses implement it)."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_lr()")

    def step(self, epoch: int | None = None) -> None:
        """Advance the schedule by one step: ``_step_count += 1``, then ``_update_lr(epoch)``.

        ``epoch`` (deprecated in torch, no warning here) jumps to that step using the closed form.

        Hint: two lines.
        """
        ### BEGIN SOLUTION
        self._step_count += 1
        self._update_lr(epoch)
        ### END SOLUTION

    def _update_lr(self, epoch: int | None = None) -> None:
        """Move to the next step (or to ``epoch``) and write the new LRs into the optimizer.

        epoch None: ``last_epoch += 1`` and ``lrs = get_lr()``. Otherwise ``last_epoch = epoch`` and
        ``lrs = _get_closed_form_lr()`` when the class has one, else ``get_lr()``. Then
        ``param_groups[i]["lr"] = lrs[i]`` and ``_last_lr = [group["lr"] for each group]``.

        Hint: ``hasattr(self, "_get_closed_form_lr")``.
        """
        ### BEGIN SOLUTION
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            if hasattr(self, "_get_closed_form_lr"):
                values = self._get_closed_form_lr()
            else:
                values = self.get_lr()
        groups = self.optimizer.param_groups
        for group, lr in zip(groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in groups]
        ### END SOLUTION

    def get_last_lr(self) -> list[float]:
        """Return the per-group LRs written by the latest step (``_last_lr``).

        Hint: one line.
        """
        ### BEGIN SOLUTION
        return self._last_lr
        ### END SOLUTION

    def state_dict(self) -> dict[str, Any]:
        """Return the scheduler's state: every attribute in ``self.__dict__`` except ``optimizer``.

        Hint: a dict comprehension over ``self.__dict__.items()``.
        """
        ### BEGIN SOLUTION
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}
        ### END SOLUTION

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state returned by ``state_dict()``: ``self.__dict__.update(state_dict)``.

        Hint: one line; ``state_dict`` must be a dict (``TypeError`` otherwise).
        """
        ### BEGIN SOLUTION
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"state_dict must be a dict from scheduler.state_dict(), got {type(state_dict).__name__}"
            )
        self.__dict__.update(state_dict)
        ### END SOLUTION
