from lrlab.training.benchmark import run

__all__ = ["run"]
