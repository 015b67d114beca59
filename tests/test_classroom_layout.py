"""Fast checks of the classroom-safe layout, the student wheel, the code cells and the readable partial credit."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from lrlab.classroom import layout
from lrlab.classroom.cells import overview, partial_line
from lrlab.classroom.preprocessors import ShowStudentCode, code_cell_source
from lrlab.classroom.studentenv import build_wheel, wheel_leaks
from lrlab.grading import SCHEDULER_POINTS
from lrlab.grading.spec import MODULE_OF
from lrlab.paths import COURSE_DIR, SOLUTIONS_DIR

pytestmark = pytest.mark.classroom


@pytest.fixture
def open_tmp() -> Path:
    """A directory under /tmp that others can traverse (pytest's own tmp_path sits in a 0700 directory)."""
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="lrlab-layout-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _tree(tmp: Path) -> tuple[Path, Path]:
    repo = tmp / "repo"
    (repo / "solutions" / "schedulers").mkdir(parents=True)
    (repo / "solutions" / "schedulers" / "step.py").write_text("x = 1\n")
    (repo / ".git").mkdir()
    course = repo / "course"
    course.mkdir()
    (course / "gradebook.db").write_text("")
    for p in [tmp, repo, repo / "solutions", repo / ".git", course]:
        p.chmod(0o755)
    (course / "gradebook.db").chmod(0o644)
    return repo, course


def test_secure_closes_every_protected_path_and_problems_checks_it(open_tmp: Path) -> None:
    repo, course = _tree(open_tmp)
    before = layout.problems(repo, course)
    assert any("solutions is readable" in p for p in before) and any("gradebook.db is readable" in p for p in before)
    changed = layout.secure(repo, course)
    assert set(changed) >= {repo, repo / "solutions", repo / ".git", course, course / "gradebook.db"}
    for p in changed:
        assert p.stat().st_mode & 0o077 == 0, p
    assert layout.problems(repo, course) == []
    assert layout.secure(repo, course) == []  # idempotent


def test_problems_reject_an_exchange_inside_the_repo_or_behind_a_closed_dir(open_tmp: Path) -> None:
    tmp_path = open_tmp
    repo, course = _tree(tmp_path)
    layout.secure(repo, course)
    inside = layout.problems(repo, course, repo / "exchange")
    assert any("inside the repository" in p for p in inside)
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    closed.chmod(0o700)
    assert any("not traversable" in p for p in layout.problems(repo, course, closed / "exchange"))
    open_dir = tmp_path / "srv"
    open_dir.mkdir()
    open_dir.chmod(0o755)
    assert layout.problems(repo, course, open_dir / "exchange") == []


def test_resolve_layout_validates() -> None:
    assert layout.resolve_layout("shared") == "shared" and layout.resolve_layout("local") == "local"
    assert layout.resolve_layout("auto") == ("shared" if layout.other_human_accounts() else "local")
    with pytest.raises(ValueError, match="layout must be one of"):
        layout.resolve_layout("public")


def test_config_reads_the_exchange_from_the_settings_or_the_environment(tmp_path: Path, monkeypatch) -> None:
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(COURSE_DIR / "nbgrader_config.py", course)
    monkeypatch.delenv("LRLAB_EXCHANGE", raising=False)
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert Path(cfg.Exchange.root) == course.resolve() / "exchange"
    assert os.environ["PYTHONSAFEPATH"] == "1"  # set by loading the config, inherited by the kernels
    layout.write_settings(course, "shared", tmp_path / "srv" / "exchange")
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert cfg.Exchange.root == str(tmp_path / "srv" / "exchange")
    monkeypatch.setenv("LRLAB_EXCHANGE", "/elsewhere")
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert cfg.Exchange.root == "/elsewhere"
    assert cfg.Autograde.autograde_preprocessors[-1] == "lrlab.classroom.preprocessors.ShowStudentCode"


def test_build_course_cli_shared_layout_secures_and_checks(open_tmp: Path) -> None:
    tmp_path = open_tmp
    repo, course = _tree(tmp_path)
    shutil.copy(COURSE_DIR / "nbgrader_config.py", course)
    shutil.copytree(COURSE_DIR / "templates", course / "templates")
    srv = tmp_path / "srv"
    srv.mkdir()
    srv.chmod(0o755)
    proc = subprocess.run([str(Path(sys.executable).parent / "lrlab"), "build-course", "--course", str(course),
                           "--layout", "shared", "--exchange", str(srv / "exchange"), "--repo", str(repo)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "layout: shared (--layout shared)" in proc.stdout and "checked: students cannot read" in proc.stdout
    assert json.loads((course / "classroom.json").read_text()) == {"layout": "shared",
                                                                   "exchange": str(srv / "exchange")}
    assert (srv / "exchange").is_dir() and (srv / "exchange").stat().st_mode & 0o777 == 0o777
    for p in (repo, repo / "solutions", repo / ".git", course):
        assert p.stat().st_mode & 0o077 == 0, p


def test_student_wheel_holds_no_reference_and_the_check_can_fail(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "w")
    assert wheel_leaks(wheel) == []
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("lrlab/grading/") for n in names)
    assert not any(n.startswith(("solutions/", "schedulers/", "exercises/")) for n in names)
    bad = tmp_path / "bad.whl"  # the same wheel with one reference module added: must be caught
    with zipfile.ZipFile(wheel) as src, zipfile.ZipFile(bad, "w") as dst:
        for n in src.namelist():
            dst.writestr(n, src.read(n))
        text = (SOLUTIONS_DIR / "schedulers" / "cosine.py").read_text()
        dst.writestr("lrlab/extra.py", text.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", ""))
    assert any("lrlab/extra.py" in f and "cosine.py" in f for f in wheel_leaks(bad))


def test_partial_credit_line_and_overview_are_readable() -> None:
    result = {"points": 3.0, "max_points": 4.0, "passed": ["basic", "groups"], "failed": ["long"], "report": "r"}
    assert partial_line("ExponentialLR", result) == (
        "ExponentialLR: partial credit, 3 of 4 points (passed: basic, groups; failed: long)")
    table = overview({"StepLR": {"points": 6.0, "max_points": 6.0}, "ExponentialLR": result,
                      "CyclicLR": {"points": 0.0, "max_points": 10.0}})
    assert "lrlab grade ." in table and "done" in table and "partly" in table and "not yet" in table
    assert table.splitlines()[-1].split()[-1] == "9/20"


def _notebook() -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell("intro")]
    for name in SCHEDULER_POINTS:
        cells.append(nbformat.v4.new_markdown_cell(f"## {name}"))
        cell = nbformat.v4.new_code_cell(f'check("{name}")')
        cell.metadata["nbgrader"] = {"grade_id": f"test_{name}", "grade": True, "points": 1}
        cells.append(cell)
    return nbformat.v4.new_notebook(cells=cells)


def test_show_student_code_puts_each_module_before_its_first_scheduler(tmp_path: Path) -> None:
    pkg = tmp_path / "schedulers"
    shutil.copytree(SOLUTIONS_DIR / "schedulers", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    (pkg / "cyclic.py").unlink()
    (pkg / "extra.py").write_text("```\nnot a fence breaker\n```\n")
    nb, _ = ShowStudentCode().preprocess(_notebook(), {"metadata": {"path": str(tmp_path)}})
    shown = [(i, c.metadata.lrlab.student_code) for i, c in enumerate(nb.cells)
             if "student_code" in c.metadata.get("lrlab", {})]
    files = [f for _, f in shown]
    package = {p.name for p in (SOLUTIONS_DIR / "schedulers").glob("*.py")}  # the bonus modern.py included
    assert sorted(files) == sorted({f"{m}.py" for m in MODULE_OF.values()} | package | {"extra.py"})
    for i, rel in shown:
        names = [n for n in SCHEDULER_POINTS if f"{MODULE_OF[n]}.py" == rel]
        if names:  # followed (after other code cells) by the heading of its first scheduler
            j = i + 1
            while "student_code" in nb.cells[j].metadata.get("lrlab", {}):
                j += 1
            assert nb.cells[j + 1].metadata.nbgrader.grade_id == f"test_{names[0]}", rel
    cyclic = next(c for c in nb.cells if c.metadata.get("lrlab", {}).get("student_code") == "cyclic.py")
    assert "Not in the submission" in cyclic.source
    extra = next(c for c in nb.cells if c.metadata.get("lrlab", {}).get("student_code") == "extra.py")
    assert extra.source.count("````") == 2  # a longer fence than the file's own
    again, _ = ShowStudentCode().preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert len(again.cells) == len(nb.cells)  # re-running does not duplicate
    assert code_cell_source("a.py", None, []).endswith("*Not in the submission (deleted or renamed).*")
