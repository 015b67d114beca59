"""The training lab's argument checks: the toolkit's shared ones (``lrlab.checks``)."""

from lrlab.checks import check_bool, check_choice, check_float, check_int

__all__ = ["check_bool", "check_choice", "check_float", "check_int"]
