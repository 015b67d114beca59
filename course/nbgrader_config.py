"""nbgrader configuration for the LR Lab course. Run every ``nbgrader`` command from this directory.

Paths are relative to this file, so the course works wherever the repository is cloned. The assignments
``lr_schedulers`` (course/source/lr_schedulers/: the scheduler package, 100 points) and ``lr_concepts``
(course/source/lr_concepts/: answers.py, one point per conceptual question) are built by
``lrlab build-course``, which also writes
``classroom.json`` here (the layout and the exchange root); see docs/instructor-guide.md.
"""

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_settings_file = HERE / "classroom.json"
SETTINGS = json.loads(_settings_file.read_text()) if _settings_file.is_file() else {}

c = get_config()  # noqa: F821  (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "lrlab"
c.CourseDirectory.root = str(HERE)
# timeout=60: SQLite waits up to 60 s for a lock, so `lrlab autograde --jobs N` workers can share the gradebook.
c.CourseDirectory.db_url = f"sqlite:///{HERE / 'gradebook.db'}?timeout=60"
# The exchange: $LRLAB_EXCHANGE, else what `lrlab build-course` recorded (on a shared machine nbgrader's
# default /usr/local/share/nbgrader/exchange, outside the repository), else course/exchange (one-person dry run).
c.Exchange.root = os.environ.get("LRLAB_EXCHANGE") or SETTINGS.get("exchange") or str(HERE / "exchange")

# The grading kernel must not be replaceable by files next to the notebook: nbgrader starts it as
# `python -m ipykernel_launcher` in the submission folder, and `-m` puts that folder first on sys.path, so a
# submitted ipykernel_launcher.py (or a fake torch.py) would run instead. PYTHONSAFEPATH=1 (Python >= 3.11,
# like `python -P`) keeps the folder off sys.path; nbgrader's kernels inherit this process's environment.
os.environ["PYTHONSAFEPATH"] = "1"
# Class grades only in the bubblewrap sandbox: without a usable bwrap the test cells refuse to grade and say how
# to install it (Debian/Ubuntu: apt-get install bubblewrap). Set LRLAB_REQUIRE_SANDBOX=0 to allow a plain child.
os.environ.setdefault("LRLAB_REQUIRE_SANDBOX", "1")

# Grade in the stock kernel of the environment that runs nbgrader (it has lrlab and torch installed).
c.Execute.kernel_name = "python3"
# The kernel must not import from the submission folder (nbgrader copies every submitted file into it): a
# student's fake `lrlab/` there would replace the test cells' functions. IPython adds the cwd to sys.path
# unless told not to.
c.Execute.extra_arguments = ["--IPKernelApp.ignore_cwd=True"]
# Per-cell limit. The first test cell grades the whole package in one child process, each scheduler under
# the grader's own 10 s limit; that run gives up after 160 s on 2 cores, 220 s with one scheduler process
# (lrlab.classroom.cells.package_run_limit, above the grader's deadline when every scheduler hangs).
# 300 s still ends a kernel stuck for another reason.
c.Execute.timeout = 300

# The learner's work is the `schedulers/` package (lr_schedulers) or `answers.py` (lr_concepts), not the
# notebook: autograde must keep the student's .py files instead of copying the instructor's (stub) versions
# over them (else the grader would grade the release, and a student who deleted a module would get the stub
# back). Every such .py of every built assignment is named here; a file a student deleted stays deleted.
c.Autograde.exclude_overwriting = {
    source.name: sorted([p.relative_to(source).as_posix() for p in (source / "schedulers").rglob("*.py")]
                        + (["answers.py"] if (source / "answers.py").is_file() else []))
    for source in sorted((HERE / "source").glob("*/"))
    if (source / "schedulers").is_dir() or (source / "answers.py").is_file()
}
# A student who deletes a test cell gets it back (graded), instead of a "needs manual grade" hole.
c.OverwriteCells.add_missing_cells = True
# Code cells a student added to the notebook are dropped before grading: they could patch the kernel
# (e.g. replace the check functions) before the test cells run. The learner's code is in schedulers/.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "lrlab.classroom.preprocessors.DropUnlistedCodeCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# After running the notebook, autograde inserts the student's schedulers/*.py as read-only markdown cells
# (lrlab.classroom.preprocessors.ShowStudentCode): the formgrader's manual-grading view and the feedback
# then show the work being graded, not only the test cells. The rest is nbgrader 0.9.6's default list.
c.Autograde.autograde_preprocessors = [
    "nbgrader.preprocessors.Execute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
    "lrlab.classroom.preprocessors.ShowStudentCode",
]

# Feedback page: templates/lrlab_feedback (nbgrader's page with scheduler names in the table of contents and
# long lines wrapped), found next to nbgrader's own templates. Only for `nbgrader generate_feedback`: the
# formgrader (a Jupyter server extension reading this file too) sets its own HTMLExporter template.
if "generate_feedback" in sys.argv[1:2]:
    _NBGRADER_TEMPLATES = Path(__import__("nbgrader").__file__).parent / "server_extensions" / "formgrader" / "templates"
    c.HTMLExporter.template_name = "lrlab_feedback"
    c.HTMLExporter.template_file = "lrlab.html.j2"
    c.HTMLExporter.extra_template_basedirs = [str(HERE / "templates"), str(_NBGRADER_TEMPLATES)]

# Feedback shows each test cell's visible part and the grader's report, never the hidden block.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
