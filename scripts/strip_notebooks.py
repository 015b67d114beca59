#!/usr/bin/env python
"""Strip the course notebooks for git: no outputs, no execution counts, one canonical metadata block.

Usage: python scripts/strip_notebooks.py [--check] [NOTEBOOK ...]   (default: notebooks/*.ipynb)
``--check`` changes nothing and exits 1 listing the notebooks that are not clean.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
# Cell metadata worth keeping (tags drive collapsible solutions; nbgrader marks graded cells).
KEEP_CELL_METADATA = ("tags", "nbgrader", "jupyter")
VALID_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")  # nbformat 4.5 cell id


def canonical(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``nb`` with outputs, execution counts and volatile metadata removed; valid, unique cell ids."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO})
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        cell.metadata = nbformat.from_dict({k: cell.metadata[k] for k in KEEP_CELL_METADATA if k in cell.metadata})
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            if not cell.get("attachments"):
                cell.pop("attachments", None)
        # Keep a valid, unique id (Jupyter's, so diffs stay small); give the others a positional one.
        if not VALID_ID.match(str(cell.get("id", ""))) or cell.id in seen:
            cell.id = next(f"c{index:02d}{suffix}" for suffix in ("", *map(str, range(1000))) if f"c{index:02d}{suffix}" not in seen)
        seen.add(cell.id)
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    """Serialise exactly like Jupyter saves (sources split into lines, indent 1, sorted keys, final newline),
    so that opening and saving a notebook in JupyterLab does not rewrite the whole file."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def strip_file(path: Path, *, check: bool = False) -> bool:
    """Strip ``path`` in place (or only compare when ``check``); return True when it was already clean."""
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    clean = dumps(canonical(nb))
    if clean == text:
        return True
    if not check:
        path.write_text(clean, encoding="utf-8")
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are not clean")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.paths or sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
    dirty = [p for p in paths if not strip_file(p, check=args.check)]
    for p in dirty:
        print(("not clean: " if args.check else "stripped: ") + str(p))
    return 1 if (dirty and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
