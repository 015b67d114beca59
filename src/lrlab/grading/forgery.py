"""Static scan of the learner's source (read as text, never imported) for uses of torch's schedulers.

Flags ``import torch.optim.lr_scheduler``, ``from torch.optim.lr_scheduler import ...``, ``from torch.optim
import lr_scheduler`` (or a scheduler class), ``from torch.optim.swa_utils import LRScheduler/SWALR``, any
``<expr>.lr_scheduler`` attribute, and ``import_module``/``__import__``/``getattr`` calls whose string
argument names ``lr_scheduler``. Docstrings and comments are ignored. A finding costs the scheduler classes
defined in that file (or, for ``from ... import StepLR``, the names imported); in a file that defines none
of them (``__init__.py``, ``base.py``, helpers) it costs every scheduler. A finding inside a top-level
class or assignment costs only the scheduler that statement defines.

Also flagged, as ways to run code the scan cannot read: ``exec``/``eval``/``compile`` calls, the modules
``marshal``, ``runpy``, ``zipimport``, ``ctypes``, ``pickle``, loaders that import other files
(``SourceFileLoader``, ``spec_from_file_location``, ...), building code objects (``CodeType``,
``__code__``), ``__subclasses__`` (reaching classes through ``object``), and string or bytes literals over
``MAX_LITERAL`` characters (an embedded blob). Imports under ``if TYPE_CHECKING:`` never run and are
ignored (unless the module assigns ``TYPE_CHECKING`` itself). The scan reads only the regular files of the
package (:mod:`lrlab.grading.snapshot`) and never raises.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from pathlib import Path

from lrlab.grading.snapshot import package_files
from lrlab.grading.spec import SCHEDULERS

MAX_LITERAL = 20_000
MAX_SCAN_BYTES = 1_000_000  # a larger source file is not parsed (and is flagged)
DYNAMIC_MODULES = {"marshal", "runpy", "zipimport", "ctypes", "pickle", "dill", "cloudpickle", "importlib.machinery"}
DYNAMIC_ATTRS = {"SourceFileLoader", "SourcelessFileLoader", "ExtensionFileLoader", "spec_from_file_location",
                 "spec_from_loader", "CodeType", "__code__", "__subclasses__", "zipimporter"}
DYNAMIC_CALLS = {"exec", "eval", "compile"}

TORCH_NAMES = set(SCHEDULERS) | {"LRScheduler", "_LRScheduler", "lr_scheduler"}
_CALLS = {"import_module", "__import__", "getattr", "reload"}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _rebinds_type_checking(tree: ast.AST) -> bool:
    """True when the module binds ``TYPE_CHECKING`` other than by ``from typing import TYPE_CHECKING``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "TYPE_CHECKING" and isinstance(node.ctx, (ast.Store, ast.Del)):
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if (alias.asname or alias.name) == "TYPE_CHECKING" and not (
                        isinstance(node, ast.ImportFrom) and node.module in ("typing", "typing_extensions")
                        and alias.name == "TYPE_CHECKING"):
                    return True
        if isinstance(node, ast.Attribute) and node.attr == "TYPE_CHECKING" and isinstance(node.ctx, ast.Store):
            return True
    return False


def _walk(node: ast.AST, skip_type_checking: bool) -> Iterator[ast.AST]:
    """``ast.walk`` without the bodies of ``if TYPE_CHECKING:`` blocks (iterative: no recursion limit)."""
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        if skip_type_checking and isinstance(current, ast.If) and _is_type_checking(current.test):
            todo.extend(current.orelse)
            continue
        todo.extend(ast.iter_child_nodes(current))


def _findings(tree: ast.AST, skip_type_checking: bool = True) -> list[tuple[int, str, set[str] | None]]:
    """(line, what, names it affects or None for 'the file's classes')."""
    found: list[tuple[int, str, set[str] | None]] = []
    for node in _walk(tree, skip_type_checking):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in DYNAMIC_MODULES or alias.name.split(".")[0] in DYNAMIC_MODULES:
                    found.append((line, f"import {alias.name} (runs code the scan cannot read)", None))
        elif isinstance(node, ast.ImportFrom) and (node.module or "") in DYNAMIC_MODULES | {"types", "importlib.util"}:
            names = {a.name for a in node.names}
            if node.module in DYNAMIC_MODULES or names & DYNAMIC_ATTRS:
                found.append((line, f"from {node.module} import {', '.join(sorted(names))} (runs code the scan "
                              "cannot read)", None))
        elif isinstance(node, ast.Attribute) and node.attr in DYNAMIC_ATTRS:
            found.append((line, f"uses .{node.attr} (runs code the scan cannot read)", None))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in DYNAMIC_CALLS:
            found.append((line, f"calls {node.func.id}() (runs code the scan cannot read)", None))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DYNAMIC_CALLS \
                and isinstance(node.func.value, ast.Name) and node.func.value.id in ("builtins", "__builtins__"):
            found.append((line, f"calls builtins.{node.func.attr}() (runs code the scan cannot read)", None))
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)) and len(node.value) > MAX_LITERAL:
            found.append((line, f"embeds a {len(node.value)}-character literal (a blob of code?)", None))
    for node in _walk(tree, skip_type_checking):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if "lr_scheduler" in alias.name or "swa_utils" in alias.name:
                    found.append((node.lineno, f"import {alias.name}", None))
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if not module.startswith("torch"):
                continue
            names = {a.name for a in node.names}
            if "lr_scheduler" in module or "swa_utils" in module or names & {"lr_scheduler", "swa_utils"}:
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


def scan_source(rel: str, data: bytes) -> dict[str, str]:
    """Findings (scheduler -> reason) for one source file ``rel`` (``schedulers/...``); never raises."""
    affected: dict[str, str] = {}
    if len(data) > MAX_SCAN_BYTES:
        for target in SCHEDULERS:
            affected[target] = f"uses torch's schedulers? ({rel}: a {len(data)}-byte source file is not graded)"
        return affected
    try:
        tree = ast.parse(data.decode("utf-8", errors="replace"), filename=rel)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return affected  # the child reports the import failure; nothing to scan
    try:
        skip = not _rebinds_type_checking(tree)
        defined = {n.name for n in _walk(tree, False) if isinstance(n, ast.ClassDef)} & set(SCHEDULERS)
        for stmt in tree.body:
            for line, what, names in _findings(stmt, skip):
                targets = names or _targets(stmt) or defined or set(SCHEDULERS)
                for target in sorted(targets):
                    if "cannot read" in what or "blob" in what:
                        affected.setdefault(target, f"{rel}:{line}: {what}")
                    else:
                        affected.setdefault(target, f"uses torch's schedulers ({rel}:{line}: {what})")
    except (RecursionError, MemoryError):
        pass
    return affected


def scan_files(files: dict[str, bytes], package: str = "schedulers") -> dict[str, str]:
    """Scan every ``.py`` file of a snapshot (relative path -> bytes): scheduler -> first reason."""
    affected: dict[str, str] = {}
    for rel in sorted(files):
        if rel.endswith(".py"):
            for name, why in scan_source(f"{package}/{rel}", files[rel]).items():
                affected.setdefault(name, why)
    return affected


def scan_package(package_dir: str | os.PathLike[str]) -> dict[str, str]:
    """Map each affected scheduler name to the reason (``file:line: what``) for the package at ``package_dir``.

    Reads only the package's regular files (capped); a finding costs the schedulers its top-level statement
    defines, else those the file defines, else all.
    """
    return scan_files(package_files(package_dir).files, Path(package_dir).name)
