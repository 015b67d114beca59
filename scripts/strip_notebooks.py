#!/usr/bin/env python
"""Strip the course notebooks for git: no outputs, no execution counts, one canonical metadata block.

Usage: python scripts/strip_notebooks.py [--check] [NOTEBOOK ...]   (default: notebooks/*.ipynb)
``--check`` changes nothing and exits 1 listing the notebooks that are not clean.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
# Cell metadata worth keeping (tags drive collapsible solutions; nbgrader marks graded cells).
KEEP_CELL_METADATA = ("tags", "nbgrader", "jupyter")


def canonical(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``nb`` with outputs, execution counts and volatile metadata removed; stable cell ids."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO})
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
        cell.id = f"c{index:02d}"
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    """Serialise like Jupyter does (indent 1, sorted keys, trailing newline) so diffs stay small."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


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
