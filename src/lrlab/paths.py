"""Where the course lives on disk, and which ``schedulers`` package (learner's or reference) is imported."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS_DIR = REPO_ROOT / "solutions"
EXERCISES_DIR = REPO_ROOT / "exercises"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
COURSE_DIR = REPO_ROOT / "course"

PACKAGE = "schedulers"


def resolve_package_dir(which: str | os.PathLike[str]) -> Path:
    """Return the directory that CONTAINS ``schedulers/`` for "exercises", "solutions" or a path.

    A path may name the folder holding ``schedulers/`` or the ``schedulers`` folder itself.
    Raises ``FileNotFoundError`` when no ``schedulers`` package is there.
    """
    if not isinstance(which, (str, os.PathLike)):
        raise TypeError(f"which must be 'exercises', 'solutions' or a path, not {type(which).__name__}")
    if which == "exercises":
        base = EXERCISES_DIR
    elif which == "solutions":
        base = SOLUTIONS_DIR
    else:
        base = Path(which).expanduser().resolve()
        if base.name == PACKAGE and (base / "__init__.py").is_file():
            base = base.parent
    if not (base / PACKAGE / "__init__.py").is_file():
        raise FileNotFoundError(f"no '{PACKAGE}' package (a {PACKAGE}/__init__.py) in {base}")
    return base


def use_schedulers(which: str | os.PathLike[str] = "exercises") -> ModuleType:
    """Import ``schedulers`` from ``which`` ("exercises", "solutions" or a path) and return it.

    Forgets any ``schedulers`` modules imported before, so a notebook can switch copies (or pick up the
    learner's edits) without restarting the kernel.
    """
    base = resolve_package_dir(which)
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    path = str(base)
    if path in sys.path:
        sys.path.remove(path)
    sys.path.insert(0, path)
    importlib.invalidate_caches()
    return importlib.import_module(PACKAGE)


#: Environment variable naming the ``schedulers`` copy to import:
#: "exercises" (default, the learner's stubs), "solutions" (the reference) or a path to a folder.
SWITCH_ENV = "LRLAB_SCHEDULERS"


def schedulers_choice() -> str:
    """The ``schedulers`` copy to use: the ``LRLAB_SCHEDULERS`` value, default "exercises"."""
    return os.environ.get(SWITCH_ENV, "").strip() or "exercises"
