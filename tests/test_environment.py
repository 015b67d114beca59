"""The first notebook cell and the LRLAB_SCHEDULERS switch explain problems instead of crashing."""

from __future__ import annotations

import shutil
import subprocess
import sys

from lrlab.paths import SOLUTIONS_DIR


def _run(code: str, env_value: str, tmp_path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "LRLAB_SCHEDULERS": env_value, "HOME": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)


def test_misspelled_switch_warns_and_lrlab_still_imports(tmp_path):
    out = _run("import lrlab, sys; print('imported'); print(sys.path[0])", "solution", tmp_path)
    assert out.returncode == 0, out.stderr
    assert "imported" in out.stdout
    assert "LRLAB_SCHEDULERS='solution' is ignored" in out.stderr and "'solutions'" in out.stderr


def test_switch_puts_the_chosen_copy_first(tmp_path):
    out = _run("import lrlab, schedulers; print(schedulers.__file__)", "solutions", tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(SOLUTIONS_DIR / "schedulers" / "__init__.py")


def test_setup_notebook_explains_a_syntax_error_without_a_traceback(tmp_path):
    shutil.copytree(SOLUTIONS_DIR / "schedulers", tmp_path / "pkg" / "schedulers")
    with open(tmp_path / "pkg" / "schedulers" / "linear.py", "a") as f:
        f.write("\ndef broken(:\n")
    code = "from lrlab.environment import setup_notebook; print('->', setup_notebook(verbose=True))"
    out = _run(code, str(tmp_path / "pkg"), tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    assert "does not import yet: SyntaxError" in out.stdout and "linear.py, line" in out.stdout
    assert "-> None" in out.stdout
