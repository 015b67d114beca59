"""Experiments where a schedule's effect is real, each measured over several seeds (see ``stats``)."""

from lrlab.experiments.stats import Difference, Summary, difference, effect_line, summarize, verdict

__all__ = ["Difference", "Summary", "difference", "effect_line", "summarize", "verdict"]
