"""``lrlab build-student-env``: a student environment without the reference solutions.

A student on a shared machine must not use the instructor's clone (it holds ``solutions/`` and its git
history) nor its editable install (which imports from the clone). This builds a wheel of the toolkit alone
(``src/lrlab``: the grader, preview, explorer, training lab; no ``solutions/``, no ``exercises/``), checks
that no reference answer is inside it (:func:`leaks`), and optionally installs it, non-editable, into a new
virtual environment that students use (its ``jupyter``, kernel and ``nbgrader``).
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from lrlab.exercisegen import BEGIN, END
from lrlab.paths import PACKAGE, REPO_ROOT, SOLUTIONS_DIR

_REGION = re.compile(rf"^[ \t]*{re.escape(BEGIN)}[ \t]*\n(.*?)^[ \t]*{re.escape(END)}", re.M | re.S)
#: A solution region counts as leaked when this many of its consecutive non-blank lines appear in a file.
RUN = 3
_MARKER_LINE = re.compile(rf"^[ \t]*(?:{re.escape(BEGIN)}|{re.escape(END)})[ \t]*$", re.M)


def solution_fingerprints(solutions_dir: Path = SOLUTIONS_DIR) -> dict[str, list[tuple[str, ...]]]:
    """Per solution file: every run of ``RUN`` consecutive stripped non-blank lines inside its solution regions."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for path in sorted((Path(solutions_dir) / PACKAGE).glob("*.py")):
        runs = []
        for region in _REGION.findall(path.read_text()):
            lines = [ln.strip() for ln in region.splitlines() if ln.strip() and not ln.strip().startswith("#")]
            runs += [tuple(lines[i:i + RUN]) for i in range(len(lines) - RUN + 1)]
        out[path.name] = runs
    return out


def leaks(files: dict[str, str], solutions_dir: Path = SOLUTIONS_DIR) -> list[str]:
    """Which of ``files`` (name -> text) hold reference code: a solution marker or ``RUN`` solution lines in a row."""
    prints = solution_fingerprints(solutions_dir)
    found = []
    for name, text in files.items():
        if _MARKER_LINE.search(text):
            found.append(f"{name}: contains a solution marker line")
            continue
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        windows = {tuple(lines[i:i + RUN]) for i in range(len(lines) - RUN + 1)}
        for sol, runs in prints.items():
            hit = next((r for r in runs if r in windows), None)
            if hit:
                found.append(f"{name}: contains reference code of solutions/{PACKAGE}/{sol}: {hit[0]!r}...")
                break
    return found


def wheel_leaks(wheel: Path, solutions_dir: Path = SOLUTIONS_DIR) -> list[str]:
    """:func:`leaks` over every text file in ``wheel``, plus any path naming ``solutions``."""
    files, found = {}, []
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if "solutions/" in name or name.startswith("schedulers/"):
                found.append(f"{name}: a solutions/ or schedulers/ file in the wheel")
            if name.endswith((".py", ".ipynb", ".md", ".txt", ".json", ".pth")):
                files[name] = zf.read(name).decode("utf-8", "replace")
    return found + leaks(files, solutions_dir)


def build_wheel(out_dir: Path, repo_root: Path = REPO_ROOT) -> Path:
    """``pip wheel --no-deps`` of the toolkit into ``out_dir``; returns the wheel's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("lrlab-*.whl"):
        old.unlink()
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out_dir),
                           str(repo_root)], capture_output=True, text=True)
    wheels = sorted(out_dir.glob("lrlab-*.whl"))
    if proc.returncode != 0 or not wheels:
        raise RuntimeError(f"pip wheel failed (exit {proc.returncode}):\n{proc.stderr.strip()[-3000:]}")
    return wheels[-1]


def build_env(env_dir: Path, wheel: Path, packages_from: Path | None = None, base_python: str | None = None) -> Path:
    """A new venv at ``env_dir`` with ``wheel`` installed non-editable; returns its python.

    Dependencies come from the package index (pinned by the wheel's metadata: torch 2.13.0 CPU...), or, with
    ``packages_from`` (another environment's ``site-packages``, readable by students), from there through a
    ``.pth`` line (no download; that environment's editable ``lrlab`` is not picked up: a ``.pth`` line adds
    a directory without running the ``.pth`` files inside it). ``base_python``: the interpreter the venv is
    made from (default this one); it must be one students may run (not one under ``/root``).
    """
    env_dir = Path(env_dir)
    base = base_python or sys.executable
    cmd = [base, "-m", "venv", "--clear", str(env_dir)]
    if packages_from is not None:
        cmd.insert(3, "--without-pip")  # the wheel is installed by this environment's pip (--target)
    subprocess.run(cmd, check=True, capture_output=True)
    py = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    if packages_from is not None:
        packages_from = Path(packages_from).resolve()
        if not packages_from.is_dir():
            raise FileNotFoundError(f"packages_from {packages_from} is not a directory")
        (site / "zz_lrlab_shared_packages.pth").write_text(str(packages_from) + "\n")
        share_jupyter_data(packages_from, env_dir)
        args = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site)]
    else:
        args = [str(py), "-m", "pip", "install", "--quiet"]
    proc = subprocess.run(args + [str(wheel)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"installing {wheel.name} failed:\n{proc.stderr.strip()[-3000:]}")
    for path in [env_dir, *env_dir.rglob("*")]:  # students run it: world-readable, dirs traversable
        if not path.is_symlink():
            path.chmod(path.stat().st_mode | 0o444 | (0o111 if path.is_dir() else 0))
    return py


def share_jupyter_data(site_packages: Path, env_dir: Path) -> None:
    """Link ``share/jupyter`` and ``etc/jupyter`` of the environment owning ``site_packages`` into ``env_dir``.

    Jupyter finds nbconvert's templates, JupyterLab's assets and server-extension switches under
    ``sys.prefix``; an environment that borrows packages through a ``.pth`` line needs them too.
    """
    prefix = Path(site_packages).resolve().parents[2]  # <prefix>/lib/pythonX.Y/site-packages
    for sub in ("share/jupyter", "etc/jupyter"):
        src, dst = prefix / sub, Path(env_dir) / sub
        if src.is_dir() and not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            dst.symlink_to(src, target_is_directory=True)


def env_leaks(py: Path) -> list[str]:
    """Run ``py`` and report any place a student could import the reference from (``schedulers`` with code)."""
    code = ("import importlib.util, lrlab, lrlab.paths as p, os\n"
            "print('LRLAB', lrlab.__file__)\n"
            "print('SOL', p.SOLUTIONS_DIR, os.path.isdir(p.SOLUTIONS_DIR / 'schedulers'))\n")
    proc = subprocess.run([str(py), "-c", code], capture_output=True, text=True, cwd="/")
    if proc.returncode != 0:
        return [f"lrlab does not import in the student environment: {proc.stderr.strip()[-1000:]}"]
    found = []
    for line in proc.stdout.splitlines():
        if line.startswith("SOL") and line.endswith("True"):
            found.append(f"the student environment sees the reference solutions: {line}")
        if line.startswith("LRLAB") and str(REPO_ROOT / "src") in line:
            found.append(f"the student environment imports lrlab from the instructor's clone: {line}")
    return found
