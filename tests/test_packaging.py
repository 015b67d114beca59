"""The install files agree, the learner's copy is generated from the solutions, and the pins hold."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest
import yaml

from lrlab import exercisegen
from lrlab.paths import EXERCISES_DIR, REPO_ROOT, SOLUTIONS_DIR

CLASSES = (
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
    "CyclicLR", "OneCycleLR", "LinearLR", "LambdaLR", "SequentialLR", "ChainedScheduler", "ReduceLROnPlateau",
)


def _pyproject() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


def test_environment_yml_mirrors_pyproject():
    project = _pyproject()["project"]
    wanted = set(project["dependencies"]) | set(project["optional-dependencies"]["test"])
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    pip_lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_lists) == 1, "environment.yml needs exactly one pip: section"
    listed = {r for r in pip_lists[0] if not r.startswith("--editable")}
    assert listed == wanted, f"only in environment.yml: {listed - wanted}; only in pyproject: {wanted - listed}"
    assert any(r.startswith("--editable") for r in pip_lists[0]), "environment.yml must install the repo itself"


def test_torch_is_pinned_to_the_tested_cpu_build():
    import torch

    deps = _pyproject()["project"]["dependencies"]
    pins = [d for d in deps if d.replace(" ", "").startswith("torch")]
    assert pins == ["torch==2.13.0"], pins
    assert torch.__version__.split("+")[0] == "2.13.0"


def _committed_exercises(tmp_path):
    """The exercises as committed in git (a learner's edits in the work tree must not fail this check)."""
    try:
        listing = subprocess.run(
            ["git", "ls-files", "exercises/schedulers"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return EXERCISES_DIR
    if not listing:
        return EXERCISES_DIR
    edited = subprocess.run(
        ["git", "status", "--porcelain", "--", "exercises"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()
    if not edited:
        return EXERCISES_DIR
    out = tmp_path / "committed"
    for rel in listing:
        blob = subprocess.run(["git", "show", f"HEAD:{rel}"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
        target = out / rel.removeprefix("exercises/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob)
    return out


def test_exercises_are_exactly_what_the_generator_makes(tmp_path):
    text = exercisegen.diff(SOLUTIONS_DIR, EXERCISES_DIR)
    if text:  # a learner's edits in the work tree are fine as long as the committed copy is in sync
        committed = _committed_exercises(tmp_path)
        if committed != EXERCISES_DIR:
            text = exercisegen.diff(SOLUTIONS_DIR, committed)
    assert not text, "exercises/ is out of sync with solutions/; run `lrlab build-exercises`:\n" + text[:4000]


def test_exercises_hold_no_solution_code():
    for path in (EXERCISES_DIR / "schedulers").rglob("*.py"):
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, path


def test_generator_replaces_regions_with_stubs_and_keeps_docstrings():
    source = '''class StepLR:
    def get_lr(self):
        """lr * gamma every step_size steps.

        Hint: use integer division.
        """
        ### BEGIN SOLUTION
        return [1.0]
        ### END SOLUTION
'''
    out = exercisegen.stub_source(source, "schedulers/step.py")
    assert "return [1.0]" not in out
    assert "Hint: use integer division." in out
    assert "raise NotImplementedError('StepLR.get_lr is not implemented yet (schedulers/step.py)')" in out
    ns: dict = {}
    exec(compile(out, "step.py", "exec"), ns)
    with pytest.raises(NotImplementedError, match="StepLR.get_lr"):
        ns["StepLR"]().get_lr()


@pytest.mark.parametrize(
    "source, message",
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "never closed"),
        ("def f():\n    return 1\n    ### END SOLUTION\n", "without a"),
        ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n", "inside the region"),
    ],
)
def test_generator_rejects_unpaired_markers(source, message):
    with pytest.raises(exercisegen.MarkerError, match=message):
        exercisegen.stub_source(source, "schedulers/x.py")


def test_stubbed_package_imports(tmp_path):
    exercisegen.generate(SOLUTIONS_DIR, tmp_path)
    code = f"import schedulers; print(all(isinstance(getattr(schedulers, n), type) for n in {CLASSES!r}))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_cli_lists_every_documented_command():
    readme = (REPO_ROOT / "README.md").read_text()
    out = subprocess.run([sys.executable, "-m", "lrlab.cli", "--help"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    for command in ("grade", "bench", "build-exercises", "build-course"):
        assert command in out.stdout, f"`lrlab {command}` missing from the CLI"
        assert f"lrlab {command}" in readme, f"`lrlab {command}` is not documented in the README"


def test_build_exercises_refuses_to_overwrite_a_learners_work_without_git(tmp_path):
    """A zip download has no .git: edits under exercises/ must still not be overwritten without --force."""
    import shutil

    for part in ("src", "solutions", "exercises"):
        shutil.copytree(REPO_ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    work = tmp_path / "exercises" / "schedulers" / "step.py"
    work.write_text(work.read_text() + "# my work\n")
    env = {"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin", "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    cmd = [sys.executable, "-m", "lrlab.cli", "build-exercises"]
    refused = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1 and "step.py" in refused.stderr, refused.stderr
    assert work.read_text().endswith("# my work\n")
    forced = subprocess.run(cmd + ["--force"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert forced.returncode == 0, forced.stderr
    assert "# my work" not in work.read_text()
