"""Gradescope and GitHub Classroom entry points, run locally on fixture submissions (full, stubs, partial).

The Gradescope zip's ``run_autograder`` is executed as Gradescope would (submission folder in, results JSON
out; paths from ``$LRLAB_GS_SUBMISSION``/``$LRLAB_GS_RESULTS``); the GitHub Classroom workflow's commands
are run as the command grader would (exit 0 = the test's max-score, else 0).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from lrlab.classroom.gradescope import github_workflow, results_from_report
from lrlab.classroom.studentenv import leaks, wheel_leaks
from lrlab.grading import SCHEDULER_POINTS
from lrlab.grading.spec import MODULE_OF
from lrlab.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR

pytestmark = [pytest.mark.classroom, pytest.mark.slow]

BIN = Path(sys.executable).parent
WORKFLOW = REPO_ROOT / ".github" / "classroom" / "classroom.yml"
PARTIAL = ("base", "step")  # solved modules of the partial submission


def _make(kind: str, dst: Path) -> Path:
    """A submission folder holding ``schedulers/``: the reference, the stubs, or base+step solved."""
    pkg = dst / "schedulers"
    shutil.copytree(EXERCISES_DIR / "schedulers", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    if kind == "full":
        for p in (SOLUTIONS_DIR / "schedulers").glob("*.py"):
            shutil.copy(p, pkg / p.name)
    elif kind == "partial":
        for m in PARTIAL:
            shutil.copy(SOLUTIONS_DIR / "schedulers" / f"{m}.py", pkg / f"{m}.py")
    return dst


def _expected(kind: str) -> dict[str, float]:
    if kind == "full":
        return {n: float(p) for n, p in SCHEDULER_POINTS.items()}
    if kind == "stubs":
        return {n: 0.0 for n in SCHEDULER_POINTS}
    solved = {n for n in SCHEDULER_POINTS if MODULE_OF[n] in PARTIAL}
    return {n: float(p) if n in solved else 0.0 for n, p in SCHEDULER_POINTS.items()}


@pytest.fixture(scope="module")
def gradescope(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build the zip once, unpack it, run its run_autograder on each fixture submission."""
    root = tmp_path_factory.mktemp("gradescope")
    out = root / "autograder.zip"
    proc = subprocess.run([str(BIN / "lrlab"), "build-gradescope", "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    source = root / "source"
    with zipfile.ZipFile(out) as zf:
        zf.extractall(source)
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    results = {}
    for kind in ("full", "stubs", "partial"):
        sub = _make(kind, root / f"sub_{kind}")
        res = root / f"results_{kind}" / "results.json"
        env = {**os.environ, "LRLAB_GS_SUBMISSION": str(sub), "LRLAB_GS_RESULTS": str(res),
               "LRLAB_GS_PYTHON": sys.executable}
        run = subprocess.run(["bash", str(source / "run_autograder")], env=env, capture_output=True, text=True,
                             timeout=600)
        assert run.returncode == 0, run.stderr[-3000:]
        results[kind] = json.loads(res.read_text())
    return {"zip": out, "source": source, "modes": modes, "results": results, "root": root}


def test_zip_has_setup_run_autograder_and_a_clean_wheel(gradescope: dict) -> None:
    names = set(gradescope["modes"])
    wheels = [n for n in names if n.endswith(".whl")]
    assert {"setup.sh", "run_autograder"} <= names and len(wheels) == 1
    assert gradescope["modes"]["setup.sh"] & 0o111 and gradescope["modes"]["run_autograder"] & 0o111
    assert wheel_leaks(gradescope["source"] / wheels[0]) == []
    setup = (gradescope["source"] / "setup.sh").read_text()
    assert "torch==2.13.0" in setup and wheels[0] in setup


@pytest.mark.parametrize("kind", ["full", "stubs", "partial"])
def test_gradescope_results_one_test_per_scheduler(gradescope: dict, kind: str) -> None:
    data = gradescope["results"][kind]
    want = _expected(kind)
    assert [t["name"] for t in data["tests"]] == list(SCHEDULER_POINTS)
    assert {t["name"]: t["score"] for t in data["tests"]} == want
    assert {t["name"]: t["max_score"] for t in data["tests"]} == {n: float(p) for n, p in SCHEDULER_POINTS.items()}
    assert data["score"] == sum(want.values())
    for t in data["tests"]:
        assert t["visibility"] == "visible" and t["output"].startswith(f"{t['name']}: ")
        if t["score"] < t["max_score"]:
            assert "[FAIL]" in t["output"] or "not implemented" in t["output"].lower(), t["output"]


def test_gradescope_without_a_package_scores_zero_with_a_reason(tmp_path: Path) -> None:
    from lrlab.classroom.gradescope import run

    (tmp_path / "sub").mkdir()
    data = run(tmp_path / "sub", tmp_path / "results.json")
    assert data["score"] == 0 and "no schedulers/ package" in data["output"]
    assert json.loads((tmp_path / "results.json").read_text()) == data
    with pytest.raises(ValueError, match="lrlab grade --json"):
        results_from_report({"total": 1})


def test_github_workflow_is_generated_and_one_test_per_scheduler() -> None:
    assert WORKFLOW.read_text() == github_workflow(), "regenerate: python -m lrlab.classroom.gradescope workflow"
    wf = yaml.safe_load(WORKFLOW.read_text())
    steps = wf["jobs"]["run-autograding-tests"]["steps"]
    graders = [s for s in steps if s.get("uses") == "classroom-resources/autograding-command-grader@v1"]
    assert [s["with"]["test-name"] for s in graders] == list(SCHEDULER_POINTS)
    assert {s["with"]["test-name"]: s["with"]["max-score"] for s in graders} == SCHEDULER_POINTS
    assert sum(s["with"]["max-score"] for s in graders) == 100
    for s in graders:
        assert f"lrlab grade . --only {s['with']['test-name']} --json" in s["with"]["command"]
    reporter = next(s for s in steps if s.get("uses") == "classroom-resources/autograding-grading-reporter@v1")
    assert reporter["with"]["runners"].split(",") == [s["id"] for s in graders]


def _command_score(step: dict, cwd: Path) -> float:
    """What autograding-command-grader gives: max-score if the command exits 0, else 0."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    parts = step["with"]["command"].split(" && ")
    ok = all(subprocess.run(shlex.split(p.replace("python ", f"{sys.executable} ", 1)), cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300).returncode == 0 for p in parts)
    return float(step["with"]["max-score"]) if ok else 0.0


def test_github_commands_score_the_partial_submission(tmp_path: Path, gradescope: dict) -> None:
    """Run two tests' real commands on the partial submission (one solved, one not), and check the
    pass/fail rule on every scheduler of every fixture from the same ``lrlab grade`` reports."""
    steps = {s["with"]["test-name"]: s for s in yaml.safe_load(WORKFLOW.read_text())["jobs"][
        "run-autograding-tests"]["steps"] if "with" in s and "test-name" in s["with"]}
    sub = _make("partial", tmp_path / "repo")
    assert _command_score(steps["StepLR"], sub) == SCHEDULER_POINTS["StepLR"]
    assert _command_score(steps["ExponentialLR"], sub) == 0.0
    from lrlab.classroom.gradescope import full_marks

    for kind, data in gradescope["results"].items():
        report = {"results": {t["name"]: {"points": t["score"], "max_points": t["max_score"]} for t in data["tests"]}}
        path = tmp_path / f"{kind}.json"
        path.write_text(json.dumps(report))
        got = {n: float(p) if full_marks(path, n) else 0.0 for n, p in SCHEDULER_POINTS.items()}
        assert got == _expected(kind), kind  # the fixtures' schedulers are all-or-nothing


def test_reference_detector_finds_copies_not_stubs() -> None:
    stubs = {p.name: p.read_text() for p in (EXERCISES_DIR / "schedulers").glob("*.py")}
    assert leaks(stubs) == []
    copied = {"step.py": (SOLUTIONS_DIR / "schedulers" / "step.py").read_text()}
    assert leaks(copied) and "solution marker" in leaks(copied)[0]
    unmarked = {"mine.py": copied["step.py"].replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")}
    assert leaks(unmarked) and "reference code of solutions/schedulers/" in leaks(unmarked)[0]
