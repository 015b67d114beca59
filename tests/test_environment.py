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


def test_import_lrlab_leaves_sys_path_alone(tmp_path):
    code = "import sys; before = list(sys.path); import lrlab; print(sys.path == before)"
    out = _run(code, "solutions", tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def test_misspelled_switch_is_explained_by_the_setup_cell(tmp_path):
    code = "from lrlab.environment import setup_notebook; print('->', setup_notebook(verbose=True))"
    out = _run(code, "solution", tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    assert "LRLAB_SCHEDULERS='solution'" in out.stdout and "'solutions'" in out.stdout and "-> None" in out.stdout


def test_setup_cell_imports_the_chosen_copy(tmp_path):
    code = "from lrlab.environment import setup_notebook; print(setup_notebook(verbose=False).__file__)"
    out = _run(code, "solutions", tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == str(SOLUTIONS_DIR / "schedulers" / "__init__.py")


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
