"""The autograder: grades a learner's ``schedulers`` package against torch 2.13 (``lrlab grade``).

``grade(path, only=None, timeout=10) -> GradeReport`` runs the learner's code in a sandboxed child process
(never in this one) and compares its trajectories with torch's at ``rtol=1e-9, atol=1e-12*lr0``;
``SCHEDULER_POINTS`` gives each scheduler's share of the 100 points; ``self_check(name)`` grades one
scheduler for a notebook cell and prints a short report.
"""

from lrlab.grading.grader import DEFAULT_TIMEOUT, grade, self_check
from lrlab.grading.report import CheckResult, GradeReport, SchedulerResult
from lrlab.grading.sandbox import SandboxError
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
    "self_check",
]
