#!/usr/bin/env python
"""Execute the course notebooks headless (nbclient) and print the time each one takes.

Usage: python scripts/run_notebooks.py [--schedulers exercises|solutions|stubs|PATH] [--full] [NOTEBOOK ...]

``--schedulers`` sets ``LRLAB_SCHEDULERS`` for the kernels ("stubs" generates fresh stubs from
solutions/ into a temporary folder, i.e. what a learner starts with). ``LRLAB_TEST=1`` is set (short
training runs) unless ``--full``. Executed copies are never written back: the repository keeps stripped
notebooks. Exit status 1 when any notebook fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
DEFAULT_TIMEOUT = 180  # seconds per cell; the whole course takes well under this per notebook


@dataclass
class Execution:
    """One executed notebook: the executed copy, wall time, and the text of its outputs by stream."""

    path: Path
    seconds: float
    nb: nbformat.NotebookNode
    stdout: str = ""
    stderr: str = ""
    errors: list[str] = field(default_factory=list)

    def text(self) -> str:
        """All text the notebook printed or displayed (stdout, stderr, text/plain results)."""
        return self.stdout + self.stderr + "".join(_plain(o) for c in self.nb.cells for o in c.get("outputs", []))


def _plain(output: nbformat.NotebookNode) -> str:
    data = output.get("data", {})
    return str(data.get("text/plain", "")) if output.get("output_type") in ("execute_result", "display_data") else ""


def execute(path: Path, *, env: dict[str, str] | None = None, timeout: int = DEFAULT_TIMEOUT,
            allow_errors: bool = False) -> Execution:
    """Run ``path`` in a fresh python3 kernel (cwd = its folder) with ``env`` added to the environment."""
    nb = nbformat.read(path, as_version=4)
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        client = NotebookClient(
            nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    result = Execution(path=path, seconds=seconds, nb=nb)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                if out.get("name") == "stderr":
                    result.stderr += out.get("text", "")
                else:
                    result.stdout += out.get("text", "")
            elif out.get("output_type") == "error":
                result.errors.append(f"{out.get('ename')}: {out.get('evalue')}")
    return result


def make_stubs(dst: Path) -> Path:
    """Generate the learner's stub package from solutions/ into ``dst``; return ``dst``."""
    from lrlab.exercisegen import generate
    from lrlab.paths import SOLUTIONS_DIR

    generate(SOLUTIONS_DIR, dst)
    return dst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedulers", default="stubs", help="exercises | solutions | stubs | PATH (default: stubs)")
    parser.add_argument("--full", action="store_true", help="full-length training runs (no LRLAB_TEST)")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT, help="seconds per cell")
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.paths or sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="lrlab-stubs-") as tmp:
        choice = str(make_stubs(Path(tmp))) if args.schedulers == "stubs" else args.schedulers
        env = {"LRLAB_SCHEDULERS": choice, "LRLAB_TEST": "0" if args.full else "1"}
        total, failed = 0.0, []
        print(f"LRLAB_SCHEDULERS={args.schedulers}  LRLAB_TEST={env['LRLAB_TEST']}")
        for path in paths:
            try:
                run = execute(path, env=env, timeout=args.timeout)
                total += run.seconds
                print(f"{path.name:<32} {run.seconds:7.1f} s", flush=True)
            except Exception as exc:  # report and continue with the next notebook
                failed.append(path.name)
                print(f"{path.name:<32}  FAILED: {type(exc).__name__}: {str(exc).strip().splitlines()[-1:]}", flush=True)
        print(f"{'total':<32} {total:7.1f} s  ({len(paths) - len(failed)}/{len(paths)} notebooks ran)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
