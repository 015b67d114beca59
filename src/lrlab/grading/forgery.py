"""Static scan of the learner's source (read as text, never imported) for uses of torch's schedulers.

Flags ``import torch.optim.lr_scheduler``, ``from torch.optim.lr_scheduler import ...``, ``from torch.optim
import lr_scheduler`` (or a scheduler class), ``from torch.optim.swa_utils import LRScheduler/SWALR``, any
``<expr>.lr_scheduler`` attribute, and ``import_module``/``__import__``/``getattr`` calls whose string
argument names ``lr_scheduler``. Docstrings and comments are ignored. A finding costs the scheduler classes
defined in that file (or, for ``from ... import StepLR``, the names imported); in a file that defines none
of them (``__init__.py``, ``base.py``, helpers) it costs every scheduler. A finding inside a top-level\nclass or assignment costs only the scheduler that statement defines.
"""

from __future__ import annotations

import ast
from pathlib import Path

from lrlab.grading.spec import SCHEDULERS

TORCH_NAMES = set(SCHEDULERS) | {"LRScheduler", "_LRScheduler", "lr_scheduler", "SWALR", "ConstantLR",
                                 "PolynomialLR", "MultiplicativeLR"}
_CALLS = {"import_module", "__import__", "getattr", "reload"}


def _findings(tree: ast.AST) -> list[tuple[int, str, set[str] | None]]:
    """(line, what, names it affects or None for 'the file's classes')."""
    found: list[tuple[int, str, set[str] | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if "lr_scheduler" in alias.name:
                    found.append((node.lineno, f"import {alias.name}", None))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if not module.startswith("torch"):
                continue
            names = {a.name for a in node.names}
            if "lr_scheduler" in module or "swa_utils" in module:
                hit = names & set(SCHEDULERS)
                found.append((node.lineno, f"from {module} import {', '.join(sorted(names))}", hit or None))
            elif names & TORCH_NAMES:
                hit = names & set(SCHEDULERS)
                found.append((node.lineno, f"from {module} import {', '.join(sorted(names & TORCH_NAMES))}",
                              hit or None))
        elif isinstance(node, ast.Attribute) and node.attr == "lr_scheduler":
            found.append((node.lineno, "uses .lr_scheduler", None))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _CALLS:
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "lr_scheduler" in arg.value:
                        found.append((node.lineno, f"{name}({arg.value!r})", None))
    return found


def _targets(stmt: ast.stmt) -> set[str] | None:
    """Scheduler names a top-level statement defines (class, assignment, from-import), or None."""
    names: set[str] = set()
    if isinstance(stmt, ast.ClassDef):
        names = {stmt.name}
    elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    elif isinstance(stmt, ast.ImportFrom):
        names = {a.asname or a.name for a in stmt.names}
    return (names & set(SCHEDULERS)) or None


def scan_package(package_dir: Path) -> dict[str, str]:
    """Map each affected scheduler name to the reason (``file:line: what``) for the package at ``package_dir``.

    A finding costs the schedulers its top-level statement defines; else those the file defines; else all.
    """
    affected: dict[str, str] = {}
    for path in sorted(Path(package_dir).rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"), filename=str(path))
        except (SyntaxError, ValueError):
            continue  # the child reports the import failure; nothing to scan
        defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)} & set(SCHEDULERS)
        rel = path.relative_to(package_dir.parent).as_posix()
        for stmt in tree.body:
            for line, what, names in _findings(stmt):
                targets = names or _targets(stmt) or defined or set(SCHEDULERS)
                for target in sorted(targets):
                    affected.setdefault(target, f"uses torch's schedulers ({rel}:{line}: {what})")
    return affected
