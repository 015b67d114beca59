"""What the ``lr_concepts`` notebook's test cells call, in the notebook kernel (stdlib only: never imports torch).

The learner's ``answers.py`` (next to the notebook, the kernel's working directory) is copied into a fresh
temporary directory and graded there by ``python -m lrlab.grading.concepts_grade`` in a separate process,
which reads the answers in the sandbox and judges them with torch; nothing of the learner's runs in the
kernel, and nothing judged there can be patched from it. The report is cached under a hash of
``answers.py``: the test cells (one per question) cost one run, and an edit triggers a new one.

A right answer prints its verdict and passes; a wrong, missing or broken one raises :class:`ConceptWrong`
(an ``AssertionError``) with the verdict, so nbgrader gives 0. Under ``nbgrader autograde``
(``NBGRADER_EXECUTION=autograde``) the verdict comes with the explanation of the answer, which thus reaches
the learner in the feedback, not while the assignment is open.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ANSWERS = "answers.py"
#: Seconds the grading run may take (its child's own limits: 20 s to import, 3 s per answer, 4 at a time).
RUN_LIMIT = 150.0

_cache: dict[str, dict] = {}
_shown: set[str] = set()


class ConceptWrong(AssertionError):
    """A question earned 0 points; the message is its verdict and the explanation."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self.args[0] if self.args else ''}"]


def _fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def run_job(data: bytes, points: float = 1.0, *, limit: float = RUN_LIMIT) -> dict:
    """Grade the ``answers.py`` text ``data`` in a child process; its JSON result, or ``{"failed": why}``."""
    with tempfile.TemporaryDirectory(prefix="lrlab-concepts-") as tmp:
        answers = Path(tmp) / ANSWERS
        answers.write_bytes(data)
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "lrlab.grading.concepts_grade", str(answers), "--json", str(out),
               "--points", repr(float(points))]
        try:
            proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=limit,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return {"failed": f"grading did not finish within {limit:g} s"}
        if proc.returncode != 0 or not out.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
            return {"failed": f"the grader failed (exit {proc.returncode}): " + " | ".join(tail)}
        return json.loads(out.read_text())


def _read_answers(path: Path) -> bytes | str:
    """The bytes of ``answers.py``, or why it cannot be graded."""
    try:
        info = os.lstat(path)
    except OSError:
        return f"no {ANSWERS} next to this notebook ({path.parent})"
    if not stat.S_ISREG(info.st_mode):
        return f"{ANSWERS} is not a regular file"
    if info.st_size > 1024 * 1024:
        return f"{ANSWERS} is larger than 1 MiB"
    return path.read_bytes()


def result_for(question_id: str, points: float = 1.0) -> dict:
    """The graded result of ``question_id`` for ``./answers.py``: ``{"ok", "points", "max_points", "message"}``."""
    data = _read_answers(Path.cwd() / ANSWERS)
    if isinstance(data, str):
        return {"ok": False, "points": 0.0, "max_points": None, "message": f"[{question_id}] 0 points: {data}"}
    key = f"{_fingerprint(data)}:{float(points)!r}"
    if key not in _cache:
        _cache[key] = run_job(data, points)
    report = _cache[key]
    if "failed" in report:
        return {"ok": False, "points": 0.0, "max_points": None,
                "message": f"[{question_id}] 0 points: {report['failed']}"}
    if question_id not in report["results"]:
        raise KeyError(f"the grader knows no question {question_id!r}; rebuild the course (lrlab build-course)")
    if key not in _shown:
        _shown.add(key)
        print(overview(report))
    return report["results"][question_id]


def overview(report: dict) -> str:
    """One line per question (right or not yet) and the total: printed once per version of answers.py."""
    lines = [report["note"]] if report.get("note") else []
    lines.append(f"All questions of this {ANSWERS} (`lrlab grade-concepts {ANSWERS}` prints the same):")
    for r in report["results"].values():
        lines.append(f"  {r['name']:<32} {r['points']:g}/{r['max_points']:g} {'right' if r['ok'] else 'not yet'}")
    lines.append(f"  {'TOTAL':<32} {report['total']:g}/{report['max_total']:g}\n")
    return "\n".join(lines)


def grade(question_id: str, points: float) -> None:
    """The test cell of ``question_id``: print its verdict and explanation; raise :class:`ConceptWrong` if wrong."""
    if not isinstance(question_id, str):
        raise TypeError(f"question_id must be a str, not {type(question_id).__name__}")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0:
        raise ValueError(f"points must be a number > 0, got {points!r}")
    result = result_for(question_id, points)
    text = result["message"] if os.environ.get("NBGRADER_EXECUTION") == "autograde" else result.get(
        "verdict", result["message"])
    if not result["ok"]:
        raise ConceptWrong(text)
    print(text)
