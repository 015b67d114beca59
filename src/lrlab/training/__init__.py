"""Training lab: seeded training on scikit-learn's bundled digits, schedule comparisons and the LR range test.

    train(scheduler=lambda opt: StepLR(opt, 3), epochs=10) -> History
    compare_schedules({"constant": None, "cosine": lambda opt: CosineAnnealingLR(opt, 10)}) -> Comparison
    lr_find() -> LRFindResult (lrs, smoothed losses, valley/steep/minimum suggestions, .plot())
"""

from lrlab.training.compare import Comparison, compare_schedules
from lrlab.training.data import DigitsData, load_digits_data, steps_per_epoch
from lrlab.training.loop import History, evaluate, train
from lrlab.training.lr_finder import LRFindResult, lr_find, ramp_lr, suggest
from lrlab.training.model import make_model
from lrlab.training.plots import plot_comparison, plot_history, plot_lr_find

__all__ = [
    "Comparison",
    "DigitsData",
    "History",
    "LRFindResult",
    "compare_schedules",
    "evaluate",
    "load_digits_data",
    "lr_find",
    "make_model",
    "plot_comparison",
    "plot_history",
    "plot_lr_find",
    "ramp_lr",
    "steps_per_epoch",
    "suggest",
    "train",
]
