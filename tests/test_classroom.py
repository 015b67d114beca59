"""Fast checks of the nbgrader course builder and config (no notebook is executed here).

The end-to-end nbgrader run is tests/test_classroom_nbgrader.py (marker ``nbgrader``).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from lrlab.classroom import ASSIGNMENT
from lrlab.classroom.builder import NOTEBOOK, RELEASE_HEADER, build_course, release_text, scheduler_modules
from lrlab.classroom.cells import award, check, package_fingerprint, run_grader
from lrlab.exercisegen import generate
from lrlab.grading import SCHEDULER_POINTS
from lrlab.grading.spec import MODULE_OF
from lrlab.paths import COURSE_DIR, SOLUTIONS_DIR

pytestmark = pytest.mark.classroom


def copy_course(dst: Path) -> Path:
    """The course as shipped (config, templates), without anything generated."""
    course = dst / "course"
    course.mkdir()
    shutil.copy(COURSE_DIR / "nbgrader_config.py", course)
    shutil.copy(COURSE_DIR / ".gitignore", course)
    shutil.copytree(COURSE_DIR / "templates", course / "templates")
    return course


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = copy_course(tmp_path_factory.mktemp("classroom"))
    build_course(course)
    return course


def _load_config(course: Path):
    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def test_source_has_the_generated_stubs_never_the_solutions(built: Path, tmp_path: Path) -> None:
    pkg = built / "source" / ASSIGNMENT / "schedulers"
    generate(SOLUTIONS_DIR, tmp_path)  # what `lrlab build-exercises` would write
    expected = {p.relative_to(tmp_path / "schedulers").as_posix(): release_text(p.read_text())
                for p in (tmp_path / "schedulers").rglob("*.py")}
    shipped = {p.relative_to(pkg).as_posix(): p.read_text() for p in pkg.rglob("*.py")}
    assert shipped == expected
    assert len(shipped) == len(list((SOLUTIONS_DIR / "schedulers").rglob("*.py")))
    for rel, text in shipped.items():
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, rel
    assert "NotImplementedError" in "".join(shipped.values())
    # no released stub points students at solutions/ or at a maintainer command (issue 15)
    stubbed = [t for t in shipped.values() if "NotImplementedError" in t]
    assert stubbed and all(t.startswith(RELEASE_HEADER) for t in stubbed)
    assert not any("GENERATED" in t or "solutions/" in t for t in shipped.values())


def test_notebook_has_one_test_cell_per_scheduler_with_its_points(built: Path) -> None:
    nb = nbformat.read(built / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [c.metadata.nbgrader.grade_id for c in graded] == [f"test_{n}" for n in SCHEDULER_POINTS]
    assert {c.metadata.nbgrader.grade_id[5:]: c.metadata.nbgrader.points for c in graded} == SCHEDULER_POINTS
    assert sum(c.metadata.nbgrader.points for c in graded) == 100
    for cell in graded:
        name = cell.metadata.nbgrader.grade_id[5:]
        meta = cell.metadata.nbgrader
        assert meta.locked and not meta.solution and cell.cell_type == "code"
        visible, hidden = cell.source.split("### BEGIN HIDDEN TESTS\n")
        assert f'check("{name}")' in visible and "award" not in visible
        assert "from lrlab.classroom.cells import check" in visible
        hidden_body, after = hidden.split("### END HIDDEN TESTS")
        assert after.strip() == ""
        # the hidden block only imports the test from a file and calls it with the cell's points
        assert f'award("{name}", {meta.points:g})' in hidden_body
        assert "from lrlab.classroom.cells import award" in hidden_body
    # every code cell is a test cell (nbgrader's add_missing_cells needs a grade cell before each test cell)
    assert [c for c in nb.cells if c.cell_type == "code"] == graded
    assert nb.metadata.kernelspec.name == "python3"


def test_intro_table_lists_every_scheduler_module_and_points(built: Path) -> None:
    nb = nbformat.read(built / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    intro = nb.cells[0].source
    for name, pts in SCHEDULER_POINTS.items():
        assert f"| `{name}` | `schedulers/{MODULE_OF[name]}.py` | {pts} |" in intro
    assert "**Total: 100 points.**" in intro
    assert "$" not in intro  # every template placeholder was filled


def test_scheduler_modules_agree_with_the_grader(built: Path) -> None:
    modules = scheduler_modules(built / "source" / ASSIGNMENT / "schedulers")
    assert {n: modules[n] for n in SCHEDULER_POINTS} == {n: MODULE_OF[n] + ".py" for n in SCHEDULER_POINTS}


def test_config_excludes_every_learner_py_and_is_course_local(built: Path) -> None:
    cfg = _load_config(built)
    pkg = built / "source" / ASSIGNMENT
    learner_files = sorted(p.relative_to(pkg).as_posix() for p in pkg.rglob("*.py"))
    from lrlab.paths import SOLUTIONS_DIR

    # every module of the package: the catalog's, the bonus module and __init__.py
    assert len(learner_files) == len(list((SOLUTIONS_DIR / "schedulers").glob("*.py")))
    assert cfg.Autograde.exclude_overwriting == {ASSIGNMENT: learner_files}
    assert Path(cfg.CourseDirectory.root) == built.resolve()
    assert Path(cfg.Exchange.root) == built.resolve() / "exchange"
    assert cfg.CourseDirectory.db_url.startswith(f"sqlite:///{built.resolve() / 'gradebook.db'}")
    assert cfg.Execute.kernel_name == "python3"
    assert "--IPKernelApp.ignore_cwd=True" in cfg.Execute.extra_arguments
    assert 30 <= cfg.Execute.timeout <= 300
    assert "nbgrader.preprocessors.ClearHiddenTests" in cfg.GenerateFeedback.preprocessors
    assert "lrlab.classroom.preprocessors.DropUnlistedCodeCells" in cfg.Autograde.sanitize_preprocessors


def test_gitignore_covers_everything_nbgrader_generates() -> None:
    ignored = (COURSE_DIR / ".gitignore").read_text().split()
    for entry in ("source/", "release/", "submitted/", "autograded/", "feedback/", "exchange/", "gradebook.db"):
        assert entry in ignored


def test_build_course_rejects_bad_arguments(tmp_path: Path) -> None:
    course = copy_course(tmp_path)
    with pytest.raises(ValueError, match="assignment"):
        build_course(course, assignment="lr-schedulers")
    with pytest.raises(ValueError, match="NoSuchLR"):
        build_course(course, points={"NoSuchLR": 100})
    with pytest.raises(ValueError, match="points must all be > 0"):
        build_course(course, points={"StepLR": 0})
    with pytest.raises(FileNotFoundError, match="nbgrader_config.py"):
        build_course(tmp_path / "nowhere")


def test_build_course_replaces_a_stale_source(tmp_path: Path) -> None:
    course = copy_course(tmp_path)
    stale = course / "source" / ASSIGNMENT / "schedulers" / "old_module.py"
    stale.parent.mkdir(parents=True)
    stale.write_text("x = 1\n")
    build_course(course, points={"StepLR": 60, "ExponentialLR": 40})
    assert not stale.exists()
    nb = nbformat.read(course / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    points = [c.metadata.nbgrader.points for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert points == [60, 40]


def test_package_fingerprint_follows_edits_not_bytecode(tmp_path: Path) -> None:
    pkg = tmp_path / "schedulers"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "step.py").write_text("A = 1\n")
    first = package_fingerprint(pkg)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "step.cpython-311.pyc").write_bytes(b"junk")
    assert package_fingerprint(pkg) == first
    (pkg / "step.py").write_text("A = 2\n")
    assert package_fingerprint(pkg) != first
    (pkg / "step.py").write_text("A = 1\n")
    (pkg / "extra.py").write_text("")
    assert package_fingerprint(pkg) != first


def test_cell_functions_validate_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="points must be a number > 0"):
        award("StepLR", 0)
    with pytest.raises(ValueError, match="points must be a number > 0"):
        award("StepLR", True)
    with pytest.raises(TypeError, match="name must be"):
        award(3, 6)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="name must be"):
        check(None)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError, match="schedulers/__init__.py"):
        run_grader(tmp_path / "schedulers")
    (tmp_path / "schedulers").mkdir()
    (tmp_path / "schedulers" / "__init__.py").write_text("")
    with pytest.raises(ValueError, match="limit and timeout"):
        run_grader(tmp_path / "schedulers", limit=0)


def test_award_without_a_package_scores_zero_with_a_readable_reason(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no schedulers/ here
    with pytest.raises(AssertionError, match=re.escape("StepLR: no schedulers/__init__.py next to this notebook")):
        award("StepLR", 6)


def test_cli_registers_build_course_and_autograde() -> None:
    from lrlab.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["build-course"])
    assert args.assignment == ASSIGNMENT and Path(args.course) == COURSE_DIR
    args = parser.parse_args(["autograde", "--jobs", "2", "--student", "a", "b"])
    assert (args.assignment, args.jobs, args.student) == (ASSIGNMENT, 2, ["a", "b"])


def test_batch_autograde_rejects_bad_arguments(built: Path) -> None:
    from lrlab.classroom.batch import autograde

    with pytest.raises(ValueError, match=r"jobs must be an integer in \[1, 64\]"):
        autograde(ASSIGNMENT, course_dir=built, jobs=0)
    with pytest.raises(ValueError, match="nobody"):
        autograde(ASSIGNMENT, ["nobody"], course_dir=built)
    assert autograde(ASSIGNMENT, course_dir=built) == []  # nothing submitted yet


def test_cell_time_limits_nest(built: Path, monkeypatch) -> None:
    """The package run gives up before the cell's nbgrader timeout, and after the grader's own deadline."""
    from lrlab.classroom.cells import SINGLE_RUN_LIMIT, package_run_limit
    from lrlab.grading import DEFAULT_TIMEOUT

    cell_timeout = _load_config(built).Execute.timeout
    n = len(SCHEDULER_POINTS)
    for parallel in (1, 2, 4):
        monkeypatch.setenv("LRLAB_GRADE_PARALLEL", str(parallel))
        grader_deadline = 60 + DEFAULT_TIMEOUT * (2 + -(-n // parallel))  # lrlab.grading.sandbox.Sandbox
        assert grader_deadline < package_run_limit() < cell_timeout
    assert 60 + DEFAULT_TIMEOUT * 3 < SINGLE_RUN_LIMIT
