#!/usr/bin/env python
"""Strip the course notebooks for git with nbstripout, with the project's flags (the only place they live).

Usage: python scripts/strip_notebooks.py [--check] [NOTEBOOK ...]   (default: notebooks/*.ipynb)
``--check`` changes nothing and exits 1 when a notebook is not stored stripped (``nbstripout --verify``).
Cell ids are kept (small diffs); outputs, execution counts and volatile metadata are removed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
FLAGS = ["--keep-id", "--extra-keys",
         "metadata.language_info.version metadata.language_info.codemirror_mode "
         "metadata.language_info.file_extension metadata.language_info.mimetype "
         "metadata.language_info.nbconvert_exporter metadata.widgets"]


def nbstripout(paths: list[str], check: bool = False) -> int:
    """Run nbstripout on ``paths`` (``check``: ``--verify``, nothing written); returns its exit code."""
    cmd = [sys.executable, "-m", "nbstripout", *FLAGS, *(["--verify"] if check else []), *paths]
    return subprocess.run(cmd, check=False).returncode


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"] or sorted(str(p) for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    return nbstripout(paths, check)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
