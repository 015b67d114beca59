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
        ### BEGIN SOLUTION
        check_optimizer(optimizer)
        check_schedulers(type(self).__name__, optimizer, schedulers)
        milestones = list(milestones)
        for m in milestones:
            check_int("each milestone", m, 0)
        if milestones != sorted(milestones):
            raise ValueError(f"milestones must be in increasing order, got {milestones}")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more than the number "
                f"of milestone points, but got number of schedulers {len(schedulers)} and the number of "
                f"milestones to be equal to {len(milestones)}"
            )
        self._schedulers = list(schedulers)
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        self.recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()
        ### END SOLUTION

    def recursive_undo(self, sched: Any = None) -> None:
        """Decrement ``last_epoch`` of every (nested) child scheduler by one.

        A scheduler with ``_schedulers`` (a composite) recurses into them; otherwise, if it has a
        ``last_epoch``, it gets ``last_epoch -= 1``. ``sched=None`` means this scheduler.

        Hint: recursion on ``sched._schedulers``.
        """
        ### BEGIN SOLUTION
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1
        ### END SOLUTION

    def step(self) -> None:
        """``last_epoch += 1``; ``idx = bisect_right(milestones, last_epoch)``; at a milestone
        (``milestones[idx - 1] == last_epoch``) the child jumps to its step 0 with ``_update_lr(0)``, otherwise
        it takes a normal ``step()``. ``_last_lr`` = the child's ``get_last_lr()``.

        Hint: ``_update_lr(0)`` uses the child's closed form at step 0.
        """
        ### BEGIN SOLUTION
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()
        ### END SOLUTION

    def state_dict(self) -> dict[str, Any]:
        """Like the base without ``optimizer`` and ``_schedulers``; ``_schedulers`` holds each child's state_dict.

        Hint: ``[s.state_dict() for s in self._schedulers]``.
        """
        ### BEGIN SOLUTION
        state = {
            key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_schedulers")
        }
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state
        ### END SOLUTION

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the own state, then each child's from ``state_dict["_schedulers"]``.

        Hint: do not mutate ``state_dict``; keep ``self._schedulers`` (the objects).
        """
        ### BEGIN SOLUTION
        state = dict(state_dict)
        children = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, child_state in zip(self._schedulers, children, strict=True):
            scheduler.load_state_dict(child_state)
        ### END SOLUTION


class ChainedScheduler(LRScheduler):
    """Step every scheduler in ``schedulers`` on each ``step()``; their (chainable) effects multiply."""

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None) -> None:
        """Validate (``check_schedulers``; ``optimizer`` defaults to ``schedulers[0].optimizer``), store
        ``_schedulers`` and ``optimizer``, and ``_last_lr`` = the optimizer's current group LRs.

        Hint: no base constructor call and no step here.
        """
        ### BEGIN SOLUTION
        if len(schedulers) < 1:
            raise ValueError(
                f"{type(self).__name__} expects at least one scheduler to be chained, but got no scheduler."
            )
        optimizer = optimizer or getattr(schedulers[0], "optimizer", None)
        check_optimizer(optimizer)
        check_schedulers(type(self).__name__, optimizer, schedulers)
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        ### END SOLUTION

    def step(self) -> None:
        """Call ``step()`` on each scheduler in order; ``_last_lr`` = the optimizer's group LRs afterwards.

        Hint: a for loop.
        """
        ### BEGIN SOLUTION
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
        ### END SOLUTION

    def state_dict(self) -> dict[str, Any]:
        """Like the base without ``optimizer`` and ``_schedulers``; ``_schedulers`` holds each child's state_dict.

        Hint: same as ``SequentialLR.state_dict``.
        """
        ### BEGIN SOLUTION
        state = {
            key: value for key, value in self.__dict__.items() if key not in ("optimizer", "_schedulers")
        }
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state
        ### END SOLUTION

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the own state, then each child's from ``state_dict["_schedulers"]``.

        Hint: same as ``SequentialLR.load_state_dict``.
        """
        ### BEGIN SOLUTION
        state = dict(state_dict)
        children = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, child_state in zip(self._schedulers, children, strict=True):
            scheduler.load_state_dict(child_state)
        ### END SOLUTION
