"""Read a learner's package safely: only regular files inside it, capped, never following links out of it.

``package_files(package_dir)`` lists ``(relative path, bytes)`` for every regular file of the package that
grading may read (no FIFOs, devices, sockets, links leaving the package, ``__pycache__``, bytecode or native
extensions), with caps on depth, count and size so that a hostile package cannot hang or flood the grader.
``take_snapshot(package_dir, dest)`` copies exactly those files to ``dest/schedulers``: the static scans and
the sandbox then see the same bytes, and nothing the learner changes later affects the grade.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_DEPTH = 6
MAX_FILES = 400
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_TOTAL_BYTES = 16 * 1024 * 1024
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".dylib", ".dll")


@dataclass
class Snapshot:
    """The files taken (relative posix path -> bytes) and what was left out (path -> why)."""

    files: dict[str, bytes] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def _read_regular(path: str, limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (opened without following a final symlink, never blocking)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks) if size <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)


def package_files(package_dir: str | os.PathLike[str]) -> Snapshot:
    """Every regular file grading may read in ``package_dir`` (see the module docstring); never raises."""
    snap = Snapshot()
    root = os.path.realpath(os.fspath(package_dir))
    total = 0
    stack: list[tuple[str, str, int]] = [(root, "", 0)]
    while stack:
        directory, rel_dir, depth = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            rel = f"{rel_dir}{entry.name}"
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if not target.startswith(root + os.sep):
                        snap.skipped[rel] = "a link leaving the package"
                        continue
                    info = os.stat(target)
                    real_path = target
                else:
                    info = entry.stat(follow_symlinks=False)
                    real_path = entry.path
            except OSError:
                snap.skipped[rel] = "unreadable"
                continue
            if stat.S_ISDIR(info.st_mode):
                if entry.name == "__pycache__" or entry.is_symlink():
                    continue
                if depth + 1 >= MAX_DEPTH:
                    snap.skipped[rel] = "too deep"
                    continue
                stack.append((entry.path, rel + "/", depth + 1))
                continue
            if not stat.S_ISREG(info.st_mode):
                snap.skipped[rel] = "not a regular file"
                continue
            if entry.name.endswith(SKIPPED_SUFFIXES):
                snap.skipped[rel] = "bytecode or a native extension (only source is graded)"
                continue
            if len(snap.files) >= MAX_FILES:
                snap.skipped[rel] = f"more than {MAX_FILES} files"
                continue
            if info.st_size > MAX_FILE_BYTES or total + info.st_size > MAX_TOTAL_BYTES:
                snap.skipped[rel] = "too large"
                continue
            data = _read_regular(real_path, min(MAX_FILE_BYTES, MAX_TOTAL_BYTES - total))
            if data is None:
                snap.skipped[rel] = "unreadable or not a regular file"
                continue
            snap.files[rel] = data
            total += len(data)
    return snap


def take_snapshot(package_dir: str | os.PathLike[str], dest: Path, package: str = "schedulers") -> Snapshot:
    """Copy :func:`package_files` of ``package_dir`` to ``dest/<package>``; return the snapshot."""
    snap = package_files(package_dir)
    target = Path(dest) / package
    target.mkdir(parents=True, exist_ok=True)
    for rel, data in snap.files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.chmod(0o644)
    for directory in [target, *[p for p in target.rglob("*") if p.is_dir()]]:
        directory.chmod(0o755)
    return snap
