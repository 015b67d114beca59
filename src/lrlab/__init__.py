"""LR Lab toolkit: schedule preview, explorer widgets, training lab, LR finder and the autograder.

Importing it changes nothing (``sys.path`` included): the notebooks' first cell,
``lrlab.environment.setup_notebook()``, imports the ``schedulers`` copy that ``LRLAB_SCHEDULERS`` names.
"""

from lrlab.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR, use_schedulers

__all__ = ["EXERCISES_DIR", "REPO_ROOT", "SOLUTIONS_DIR", "use_schedulers"]
__version__ = "0.1.0"
