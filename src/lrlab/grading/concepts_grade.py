"""Grade an ``answers.py`` against :mod:`lrlab.concepts`: the answers are read in the sandbox, judged here.

:func:`grade_answers` asks :mod:`lrlab.grading.concepts_child` for every answer's value (a function's values
at the t's its question checks), then judges each with ``Question.judge`` and torch's expected values in
this process. Each question is worth ``points`` or 0; its message is the verdict and the explanation
(:func:`lrlab.concepts.feedback`), also when the answer is missing, raises or loops.

``python -m lrlab.grading.concepts_grade ANSWERS --json OUT`` writes the result as JSON (what the notebook's
test cells start); ``lrlab grade-concepts ANSWERS`` prints it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lrlab import concepts
from lrlab.grading.concepts_child import AnswersRun, run_answers


def requests() -> list[dict[str, Any]]:
    """What the child evaluates: each question's answer name and, for a function, the t's it is judged at."""
    out = []
    for q in concepts.questions():
        steps = concepts.function_steps(q)
        out.append({"name": concepts.answer_name(q.id), "ts": list(steps) if steps is not None else None})
    return out


def judge(q: concepts.Question, outcome: dict[str, Any] | None, problem: str = "") -> tuple[bool, str]:
    """(right, what was wrong) for question ``q`` given the child's ``outcome`` for its answer."""
    name = concepts.answer_name(q.id)
    if problem:
        return False, problem
    if outcome is None:
        return False, f"no result for `{name}`"
    if "error" in outcome:
        return False, outcome["error"]
    answer = outcome["value"]
    if answer is None or answer is Ellipsis:
        return False, f"no answer yet: `{name}` is still {answer!r}"
    try:
        ok, detail = q.judge(answer)
    except Exception as err:  # noqa: BLE001 - an answer torch or the comparison cannot take is wrong
        ok, detail = False, f"your answer could not be judged ({type(err).__name__}: {err})"
    return bool(ok), detail


def verdict(q: concepts.Question, ok: bool, detail: str) -> str:
    """The verdict without the explanation (which gives the answer away): what a learner sees before grading."""
    if ok:
        return f"[{q.id}] right."
    return f"[{q.id}] not quite ({detail})." if detail else f"[{q.id}] not quite."


def grade_answers(path: Path, *, points: float = 1.0, sandbox: str | None = None) -> dict[str, Any]:
    """Grade the ``answers.py`` at ``path``: ``{"total", "max_total", "isolated", "note", "results": {id: ...}}``.

    Each result is ``{"name", "ok", "points", "max_points", "verdict", "message"}``: ``message`` is the
    verdict with the explanation (the feedback), ``verdict`` without it. Raises ``SandboxError`` only when
    isolation is required but unusable.
    """
    run: AnswersRun = run_answers(Path(path), requests(), sandbox=sandbox)
    results = {}
    for q in concepts.questions():
        name = concepts.answer_name(q.id)
        ok, detail = judge(q, run.answers.get(name), run.problem)
        results[q.id] = {"name": name, "ok": ok, "points": points if ok else 0.0, "max_points": points,
                         "verdict": verdict(q, ok, detail), "message": concepts.feedback(q, ok, detail)}
    note = "" if run.isolated else f"answers.py was NOT read in the bubblewrap sandbox: {run.why_not_isolated}"
    return {"total": sum(r["points"] for r in results.values()),
            "max_total": points * len(results), "isolated": run.isolated, "note": note,
            "seconds": round(run.seconds, 3), "results": results}


def format_result(result: dict[str, Any], *, explain: bool = False) -> str:
    """Every question's verdict (``explain``: with the explanation), then ``TOTAL: p/P``."""
    lines = [result["note"]] if result["note"] else []
    for r in result["results"].values():
        lines.append(f"{r['points']:g}/{r['max_points']:g}  {r['message' if explain else 'verdict']}")
    lines.append(f"TOTAL: {result['total']:g}/{result['max_total']:g}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lrlab.grading.concepts_grade", description=__doc__)
    parser.add_argument("answers", type=Path, help="the answers.py to grade")
    parser.add_argument("--json", type=Path, dest="out", help="write the result here (else print it)")
    parser.add_argument("--points", type=float, default=1.0, help="points per question (default: 1)")
    parser.add_argument("--explain", action="store_true", help="print each explanation (it gives the answer)")
    args = parser.parse_args(argv)
    return run_cli(args.answers, args.out, args.points, args.explain)


def run_cli(answers: Path, out: Path | None = None, points: float = 1.0, explain: bool = False) -> int:
    """Grade ``answers`` (a file, or a folder holding answers.py); write JSON to ``out`` or print the verdicts.

    Exit 0 when grading ran, 2 for a bad path or points, 1 when isolation is required but unusable.
    """
    from lrlab.grading.sandbox import SandboxError

    answers = Path(answers)
    if answers.is_dir():
        answers = answers / "answers.py"
    if not answers.is_file():
        print(f"lrlab grade-concepts: {answers} is not a file", file=sys.stderr)
        return 2
    if not points > 0:
        print(f"lrlab grade-concepts: points must be > 0, got {points:g}", file=sys.stderr)
        return 2
    try:
        result = grade_answers(answers, points=points)
    except SandboxError as exc:
        print(f"lrlab grade-concepts: {exc}", file=sys.stderr)
        return 1
    if out:
        Path(out).write_text(json.dumps(result))
    else:
        print(format_result(result, explain=explain))
    return 0


if __name__ == "__main__":
    sys.exit(main())
