"""Generate the learner's ``exercises/`` from ``solutions/`` (one source of truth).

Each region between a ``### BEGIN SOLUTION`` line and a ``### END SOLUTION`` line becomes a single
``raise NotImplementedError("<Class>.<method> is not implemented yet (schedulers/<file>)")``
at the region's indentation. Everything else (signatures, docstrings with the formula and a hint) is copied.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import shutil
import subprocess
import sys
from pathlib import Path

from lrlab.paths import EXERCISES_DIR, PACKAGE, SOLUTIONS_DIR

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_MARKER = re.compile(r"^(?P<indent>[ \t]*)### (?P<kind>BEGIN|END) SOLUTION\s*$")
HEADER = "# GENERATED from solutions/{rel} by `lrlab build-exercises`: implement the stubs below.\n"


class MarkerError(ValueError):
    """A solution file whose ``### BEGIN/END SOLUTION`` markers do not pair up."""


def _enclosing_names(source: str) -> dict[int, str]:
    """Map each line number (1-based) to the innermost ``Class.method`` (or function) that contains it."""
    names: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}.{child.name}" if prefix else child.name
                for line in range(child.lineno, (child.end_lineno or child.lineno) + 1):
                    names[line] = name
                visit(child, name)
            else:
                visit(child, prefix)

    visit(ast.parse(source), "")
    return names


def stub_source(source: str, rel: str) -> str:
    """Return ``source`` with every solution region replaced by a ``NotImplementedError`` stub."""
    names = _enclosing_names(source)
    out: list[str] = []
    begin_line: int | None = None
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        match = _MARKER.match(line.rstrip("\n"))
        if match and match["kind"] == "BEGIN":
            if begin_line is not None:
                raise MarkerError(f"{rel}:{number}: {BEGIN} inside the region opened at line {begin_line}")
            begin_line = number
            where = names.get(number, "this function")
            message = f"{where} is not implemented yet ({rel})"
            out.append(f"{match['indent']}raise NotImplementedError({message!r})\n")
        elif match and match["kind"] == "END":
            if begin_line is None:
                raise MarkerError(f"{rel}:{number}: {END} without a {BEGIN}")
            begin_line = None
        elif begin_line is None:
            out.append(line)
    if begin_line is not None:
        raise MarkerError(f"{rel}:{begin_line}: {BEGIN} is never closed by {END}")
    text = "".join(out)
    if text != source:
        text = HEADER.format(rel=rel) + text
    ast.parse(text)  # the stubbed module must still be valid Python
    return text


def generate(src_dir: Path = SOLUTIONS_DIR, dst_dir: Path = EXERCISES_DIR) -> list[Path]:
    """Write the stubbed copy of ``src_dir/schedulers`` to ``dst_dir/schedulers``; return the files written.

    ``dst_dir/schedulers`` is replaced whole, so a module removed from the solutions disappears too.
    """
    src_pkg, dst_pkg = Path(src_dir) / PACKAGE, Path(dst_dir) / PACKAGE
    if not (src_pkg / "__init__.py").is_file():
        raise FileNotFoundError(f"no {PACKAGE} package in {src_dir}")
    rendered = _render(src_pkg)
    if dst_pkg.exists():
        shutil.rmtree(dst_pkg)
    written = []
    for rel, text in rendered.items():
        target = dst_pkg / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        written.append(target)
    return written


def _render(src_pkg: Path) -> dict[str, str]:
    rendered = {}
    for path in sorted(src_pkg.rglob("*.py")):
        rel = path.relative_to(src_pkg).as_posix()
        rendered[rel] = stub_source(path.read_text(), f"{PACKAGE}/{rel}")
    return rendered


def diff(src_dir: Path = SOLUTIONS_DIR, dst_dir: Path = EXERCISES_DIR) -> str:
    """Unified diff between what the generator makes from ``src_dir`` and ``dst_dir`` ('' when in sync)."""
    src_pkg, dst_pkg = Path(src_dir) / PACKAGE, Path(dst_dir) / PACKAGE
    expected = _render(src_pkg)
    actual = {p.relative_to(dst_pkg).as_posix(): p.read_text() for p in sorted(dst_pkg.rglob("*.py"))}
    chunks = []
    for rel in sorted(set(expected) | set(actual)):
        a, b = actual.get(rel, ""), expected.get(rel, "")
        if a != b:
            chunks.extend(
                difflib.unified_diff(
                    a.splitlines(keepends=True), b.splitlines(keepends=True),
                    f"exercises/{PACKAGE}/{rel}", f"generated/{PACKAGE}/{rel}",
                )
            )
    return "".join(chunks)


def _learner_edits() -> str | None:
    """Describe edits under exercises/ that regenerating would lose (a learner's work), or None.

    In a git checkout: the uncommitted changes there. Without git (a zip download): every file that differs
    from what the generator makes.
    """
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain", "--", str(EXERCISES_DIR)],
            cwd=EXERCISES_DIR.parent, capture_output=True, text=True, timeout=30, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        if not (EXERCISES_DIR / PACKAGE).is_dir():
            return None
        changed = [line[4:] for line in diff().splitlines() if line.startswith("--- ")]
        return "\n".join(changed) or None
    return out.rstrip() or None


def _command(args: argparse.Namespace) -> int:
    if args.check:
        text = diff()
        if text:
            sys.stdout.write(text)
            print("exercises/ is out of sync with solutions/: run `lrlab build-exercises`", file=sys.stderr)
            return 1
        print("exercises/ is in sync with solutions/")
        return 0
    edits = _learner_edits()
    if edits and not args.force:
        print(
            "exercises/ has edits (your work?) that regenerating would overwrite:\n"
            f"{edits}\nCommit or copy them first, or pass --force.",
            file=sys.stderr,
        )
        return 1
    for path in generate():
        print(f"wrote {path.relative_to(EXERCISES_DIR.parent)}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build-exercises",
        help="regenerate exercises/schedulers (stubs) from solutions/schedulers (maintainers)",
    )
    p.add_argument("--check", action="store_true", help="only report whether exercises/ is in sync (exit 1 if not)")
    p.add_argument("--force", action="store_true", help="overwrite uncommitted edits under exercises/")
    p.set_defaults(func=_command)
