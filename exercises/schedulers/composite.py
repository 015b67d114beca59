# GENERATED from solutions/schedulers/composite.py by `lrlab build-exercises`: implement the stubs below.
"""Compositions: ``SequentialLR`` (one scheduler after another) and ``ChainedScheduler`` (all at once)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .base import LRScheduler, check_int, check_optimizer, check_schedulers

if TYPE_CHECKING:
    from torch.optim import Optimizer


class SequentialLR(LRScheduler):
    """Run ``schedulers[i]`` while ``milestones[i-1] <= t < milestones[i]``.

    At a milestone the next scheduler restarts from its step 0 (its closed form at 0, e.g. its base LRs).
    """

    def __init__(
        self, optimizer: Optimizer, schedulers: list[LRScheduler], milestones: list[int], last_epoch: int = -1
    ) -> None:
        """Validate, reset every group's ``lr`` to ``initial_lr``, undo the children's constructor steps and
        re-run the initial step of the scheduler active at step 0.

        Milestones are ints >= 0 (``check_int``) in increasing order (``ValueError``) with
        ``len(milestones) == len(schedulers) - 1`` (``ValueError``); children as in ``check_schedulers``.
        Store ``_schedulers``, ``_milestones``, ``last_epoch = last_epoch + 1``, ``optimizer``; undo =
        ``recursive_undo()``; the active index is ``bisect_right(milestones, 0)``; ``_last_lr`` is that
        child's ``get_last_lr()``. (No base constructor call.)

        Hint: the children were already constructed, so each already stepped once.
        """
        raise NotImplementedError('SequentialLR.__init__ is not implemented yet (schedulers/composite.py)')

    def recursive_undo(self, sched: Any = None) -> None:
        """Decrement ``last_epoch`` of every (nested) child scheduler by one.

        A scheduler with ``_schedulers`` (a composite) recurses into them; otherwise, if it has a
        ``last_epoch``, it gets ``last_epoch -= 1``. ``sched=None`` means this scheduler.

        Hint: recursion on ``sched._schedulers``.
        """
        raise NotImplementedError('SequentialLR.recursive_undo is not implemented yet (schedulers/composite.py)')

    def step(self) -> None:
        """``last_epoch += 1``; ``idx = bisect_right(milestones, last_epoch)``; at a milestone
        (``milestones[idx - 1] == last_epoch``) the child jumps to its step 0 with ``_update_lr(0)``, otherwise
        it takes a normal ``step()``. ``_last_lr`` = the child's ``get_last_lr()``.

        Hint: ``_update_lr(0)`` uses the child's closed form at step 0.
        """
        raise NotImplementedError('SequentialLR.step is not implemented yet (schedulers/composite.py)')

    def state_dict(self) -> dict[str, Any]:
        """Like the base without ``optimizer`` and ``_schedulers``; ``_schedulers`` holds each child's state_dict.

        Hint: ``[s.state_dict() for s in self._schedulers]``.
        """
        raise NotImplementedError('SequentialLR.state_dict is not implemented yet (schedulers/composite.py)')

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the own state, then each child's from ``state_dict["_schedulers"]``.

        Hint: do not mutate ``state_dict``; keep ``self._schedulers`` (the objects).
        """
        raise NotImplementedError('SequentialLR.load_state_dict is not implemented yet (schedulers/composite.py)')


class ChainedScheduler(LRScheduler):
    """Step every scheduler in ``schedulers`` on each ``step()``; their (chainable) effects multiply."""

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None) -> None:
        """Validate (``check_schedulers``; ``optimizer`` defaults to ``schedulers[0].optimizer``), store
        ``_schedulers`` and ``optimizer``, and ``_last_lr`` = the optimizer's current group LRs.

        Hint: no base constructor call and no step here.
        """
        raise NotImplementedError('ChainedScheduler.__init__ is not implemented yet (schedulers/composite.py)')

    def step(self) -> None:
        """Call ``step()`` on each scheduler in order; ``_last_lr`` = the optimizer's group LRs afterwards.

        Hint: a for loop.
        """
        raise NotImplementedError('ChainedScheduler.step is not implemented yet (schedulers/composite.py)')

    def state_dict(self) -> dict[str, Any]:
        """Like the base without ``optimizer`` and ``_schedulers``; ``_schedulers`` holds each child's state_dict.

        Hint: same as ``SequentialLR.state_dict``.
        """
        raise NotImplementedError('ChainedScheduler.state_dict is not implemented yet (schedulers/composite.py)')

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the own state, then each child's from ``state_dict["_schedulers"]``.

        Hint: same as ``SequentialLR.load_state_dict``.
        """
        raise NotImplementedError('ChainedScheduler.load_state_dict is not implemented yet (schedulers/composite.py)')
