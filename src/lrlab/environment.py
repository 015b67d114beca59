"""Environment check and per-notebook setup for the course notebooks.

The first code cell of every notebook calls :func:`setup_notebook` (or :func:`check_environment`): it
prints the Python / torch / ipywidgets / matplotlib versions next to what the course needs, says how to fix
a mismatch, fixes the random seeds and imports the ``schedulers`` package chosen by ``LRLAB_SCHEDULERS``.
"""

from __future__ import annotations

import importlib
import os
import platform
import random
import sys
from dataclasses import dataclass
from types import ModuleType

from lrlab.paths import schedulers_choice, use_schedulers

#: Environment variable that makes notebooks use short training runs (set by the test suite).
TEST_ENV = "LRLAB_TEST"

MIN_PYTHON = (3, 11)
TORCH_VERSION = "2.13"  # the course is written and tested against torch 2.13 (CPU build is enough)
MIN_IPYWIDGETS = (8, 1)
MIN_MATPLOTLIB = (3, 8)

FIX_HINT = (
    "Fix: from the repository root run `pip install -e '.[test]'` in the course venv "
    "(or `conda env create -f environment.yml`), then restart the kernel "
    "(Kernel > Restart Kernel) and select the 'python3' kernel of that environment."
)


@dataclass(frozen=True)
class Requirement:
    """One line of the environment report: a package, the version found and whether it is usable."""

    name: str
    found: str | None
    needed: str
    ok: bool
    fix: str


def _version_tuple(version: str) -> tuple[int, ...]:
    """``"2.13.0+cpu"`` -> ``(2, 13, 0)`` (stops at the first non-numeric part)."""
    parts: list[int] = []
    for piece in version.split("+")[0].split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        if not digits or digits != piece:
            if digits and piece.startswith(digits):
                parts.append(int(digits))
            break
        parts.append(int(digits))
    return tuple(parts)


def _module_version(name: str) -> str | None:
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    return str(getattr(module, "__version__", "unknown"))


def environment_report() -> list[Requirement]:
    """Check Python >= 3.10, torch 2.13.x, ipywidgets >= 8.1, matplotlib >= 3.8 and numpy; return one row each."""
    rows: list[Requirement] = []
    py = platform.python_version()
    rows.append(
        Requirement(
            "python", py, ">=3.10", sys.version_info[:2] >= MIN_PYTHON,
            "Install Python 3.10 or newer and recreate the course venv.",
        )
    )
    torch_v = _module_version("torch")
    rows.append(
        Requirement(
            "torch", torch_v, f"{TORCH_VERSION}.x",
            torch_v is not None and torch_v.startswith(TORCH_VERSION + "."),
            "pip install 'torch==2.13.0' --index-url https://download.pytorch.org/whl/cpu",
        )
    )
    for name, minimum, fix in (
        ("ipywidgets", MIN_IPYWIDGETS, "pip install 'ipywidgets>=8.1,<9' (then reload the browser tab)"),
        ("matplotlib", MIN_MATPLOTLIB, "pip install 'matplotlib>=3.8,<4'"),
        ("numpy", (1, 26), "pip install 'numpy>=1.26,<3'"),
    ):
        found = _module_version(name)
        ok = found is not None and _version_tuple(found)[:2] >= minimum
        rows.append(Requirement(name, found, ">=" + ".".join(map(str, minimum)), ok, fix))
    return rows


def check_environment(*, verbose: bool = True) -> bool:
    """Print the environment report and how to fix each problem; return True when everything is usable."""
    rows = environment_report()
    if verbose:
        width = max(len(r.name) for r in rows)
        for r in rows:
            mark = "ok " if r.ok else "FIX"
            print(f"[{mark}] {r.name:<{width}}  found {r.found or 'missing':<14} needs {r.needed}")
        for r in rows:
            if not r.ok:
                print(f"  -> {r.name}: {r.fix}")
        if all(r.ok for r in rows):
            print("Environment ready.")
        else:
            print(FIX_HINT)
    return all(r.ok for r in rows)


def is_test_run() -> bool:
    """True when ``LRLAB_TEST`` is set to a non-empty value other than "0" (the notebooks run short)."""
    return os.environ.get(TEST_ENV, "") not in ("", "0")


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, numpy and torch so that every run of a notebook gives the same numbers."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    random.seed(seed)
    try:
        import numpy as np

        np.random.seed(seed)
    except ImportError:  # pragma: no cover - numpy is a hard dependency
        pass
    try:
        import torch

        torch.manual_seed(seed)
    except ImportError:  # pragma: no cover - reported by check_environment
        pass


def setup_notebook(seed: int = 0, *, verbose: bool = True) -> ModuleType | None:
    """First cell of every notebook: check the environment, fix seeds, import ``schedulers``.

    Returns the ``schedulers`` module picked by ``LRLAB_SCHEDULERS`` ("exercises" by default, "solutions",
    or a path), or None when it cannot be imported (a message says why; the notebook still runs).
    """
    check_environment(verbose=verbose)
    seed_everything(seed)
    try:
        import torch

        torch.set_num_threads(min(2, torch.get_num_threads()))
    except ImportError:  # pragma: no cover
        pass
    choice = schedulers_choice()
    try:
        module = use_schedulers(choice)
    except FileNotFoundError as exc:
        if verbose:
            print(f"No schedulers package for LRLAB_SCHEDULERS={choice!r}: {exc}")
            print("Use 'exercises' (your copy), 'solutions' (the reference) or a folder that holds schedulers/.")
            if choice == "exercises":
                print("Your copy is missing: `lrlab build-exercises` (from the repository root) recreates the stubs.")
        return None
    except Exception as exc:  # noqa: BLE001 - the learner's code may raise anything at import time
        if verbose:
            print(describe_import_error(exc))
        return None
    if verbose:
        mode = " (short runs: LRLAB_TEST is set)" if is_test_run() else ""
        print(f"schedulers package: {choice} -> {module.__file__}{mode}")
    return module


def describe_import_error(exc: BaseException) -> str:
    """A short, traceback-free explanation of why ``import schedulers`` failed: the file, line and message."""
    import traceback

    if isinstance(exc, SyntaxError):
        where = f"{exc.filename}, line {exc.lineno}"
        what = f"SyntaxError: {exc.msg}"
    else:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "schedulers" in f.filename]
        frame = frames[-1] if frames else None
        where = f"{frame.filename}, line {frame.lineno}" if frame else "your schedulers package"
        what = f"{type(exc).__name__}: {exc}"
    return (
        f"Your schedulers package does not import yet: {what}\n  at {where}\n"
        "Fix that line and re-run this cell (the rest of the notebook still runs; your curves stay hidden)."
    )
