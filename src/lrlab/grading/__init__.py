"""The autograder: grades a learner's ``schedulers`` package against torch 2.13 (``lrlab grade``).

``grade(path, only=None, timeout=10) -> GradeReport`` runs the learner's code only inside the bubblewrap
sandbox (:mod:`lrlab.grading.sandbox_bwrap`; a plain child process where bubblewrap is unusable, said in the
report's first line; ``require_sandbox=True`` or ``LRLAB_REQUIRE_SANDBOX=1`` refuses that) and compares its
trajectories with torch's at ``rtol=1e-9, atol=1e-12*lr0``; ``SCHEDULER_POINTS`` gives each scheduler's
share of the 100 points; ``self_check(name)`` grades one scheduler in a fresh process for a notebook cell;
``matches_reference(path)`` lists the files of a package that match the shipped reference solutions.
"""

from lrlab.grading.grader import DEFAULT_TIMEOUT, grade, grade_in_fresh_process, self_check
from lrlab.grading.report import CheckResult, GradeReport, SchedulerResult
from lrlab.grading.sandbox import SandboxError
from lrlab.grading.similarity import matches_reference
from lrlab.grading.spec import SCHEDULER_POINTS, SCHEDULERS

__all__ = [
    "DEFAULT_TIMEOUT",
    "SCHEDULERS",
    "SCHEDULER_POINTS",
    "CheckResult",
    "GradeReport",
    "SandboxError",
    "SchedulerResult",
    "grade",
    "grade_in_fresh_process",
    "matches_reference",
    "self_check",
]
