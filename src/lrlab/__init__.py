"""LR Lab toolkit: schedule preview, explorer widgets, training lab, LR finder and the autograder."""

from lrlab.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR, apply_env_switch, use_schedulers

__all__ = ["EXERCISES_DIR", "REPO_ROOT", "SOLUTIONS_DIR", "use_schedulers"]
__version__ = "0.1.0"

apply_env_switch()
