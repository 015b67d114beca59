"""The second nbgrader assignment, ``lr_concepts``: answers.py stubs, the sandboxed child that reads the
answers, the judging with torch, and (marked nbgrader) the whole pipeline with the real nbgrader 0.9.6:
build, generate, three submissions (all right, stubs, hostile), one ``lrlab autograde`` run, exact scores per
question in the gradebook, feedback with the explanations, export."""

from __future__ import annotations

import csv
import html as html_lib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from lrlab import concepts
from lrlab.classroom import CONCEPTS_ASSIGNMENT
from lrlab.classroom.concepts_builder import (
    ANSWERS,
    CONCEPTS_NOTEBOOK,
    answers_stub,
    build_concepts,
    build_concepts_notebook,
    grade_id,
)
from lrlab.grading import sandbox_bwrap
from lrlab.grading.concepts_child import Replay, Shown, decode, decode_result, run_answers
from lrlab.grading.concepts_grade import judge, run_cli
from lrlab.paths import COURSE_DIR

SCRIPTS = Path(sys.executable).parent
QUESTIONS = concepts.questions()
NAMES = {q.id: concepts.answer_name(q.id) for q in QUESTIONS}
# closed forms of the function questions (the formulas their explanations state)
FUNCTION_BODIES = {
    "01.lr_at_drop": "return 0.1 if t < 10 else 0.01",
    "01.lr_at_warmup": "return 0.1 * (0.1 + 0.9 * min(t, 10) / 10)",
    "02.lr_at": "return 0.1 * 0.1 ** (t // 30)",
    "03.lr_at": "return 0.1 * 0.9 ** t",
    "04.lr_at": "return 0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * t / 50)) / 2",
}
needs_bwrap = pytest.mark.skipif(not sandbox_bwrap.probe()[0], reason=f"bubblewrap: {sandbox_bwrap.probe()[1]}")


def right_answers(overrides: dict[str, str] | None = None, prelude: str = "") -> str:
    """An answers.py with every answer right (torch's expected values; the closed forms above), except
    ``overrides`` (question id -> source of that answer's definition)."""
    overrides = overrides or {}
    lines = ["import math", prelude]
    for q in QUESTIONS:
        name = NAMES[q.id]
        if q.id in overrides:
            lines.append(overrides[q.id])
        elif q.kind == "function":
            lines.append(f"def {name}(t):\n    {FUNCTION_BODIES[q.id]}\n")
        else:
            lines.append(f"{name} = {q.expected()!r}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------ fast unit tests
def test_answer_names_are_unique_identifiers_and_functions_know_their_steps() -> None:
    assert len(set(NAMES.values())) == len(QUESTIONS)
    assert concepts.answer_name("02.lr_at") == "q02_lr_at"
    assert set(FUNCTION_BODIES) == {q.id for q in QUESTIONS if q.kind == "function"}
    for q in QUESTIONS:
        steps = concepts.function_steps(q)
        assert (steps is not None) == (q.kind == "function")
        if steps is not None:
            assert steps.start == 0 and len(steps) > 10


def test_stub_holds_every_prompt_and_no_answer() -> None:
    text = answers_stub()
    space: dict[str, Any] = {}
    exec(compile(text, ANSWERS, "exec"), space)  # noqa: S102 - our own generated stub
    for q in QUESTIONS:
        assert " ".join(q.prompt.split()[:6]) in " ".join(text.replace("#", " ").split()), q.id
        value = space[NAMES[q.id]]
        if q.kind == "function":
            with pytest.raises(NotImplementedError):
                value(3)
        else:
            assert value is None, q.id
        # no explanation: the text after each explanation's leading "{expected...}" is absent
        tail = re.sub(r"^\{expected[^}]*\}", "", q.explain).strip(" :=")[:40]
        assert tail not in text, q.id


def test_notebook_has_one_locked_test_cell_per_question_and_no_explanation() -> None:
    nb = build_concepts_notebook(1.0, COURSE_DIR / "templates")
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert [c.metadata.nbgrader.grade_id for c in graded] == [grade_id(q.id) for q in QUESTIONS]
    assert all(c.metadata.nbgrader.points == 1 and c.metadata.nbgrader.locked for c in graded)
    assert all(c.cell_type == "code" for c in graded) and len(nb.cells) == 1 + 2 * len(QUESTIONS)
    text = json.dumps(nb)
    for q in QUESTIONS:
        assert f'grade(\\"{q.id}\\", 1)' in text
        assert re.sub(r"^\{expected[^}]*\}", "", q.explain).strip(" :=")[:40] not in text


def test_build_concepts_and_the_config_keep_the_students_answers(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(COURSE_DIR / "templates", course / "templates")
    shutil.copy(COURSE_DIR / "nbgrader_config.py", course)
    with pytest.raises(ValueError):
        build_concepts(course, "lr-concepts")
    with pytest.raises(ValueError):
        build_concepts(course, points=0)
    dst = build_concepts(course)
    assert sorted(p.name for p in dst.iterdir()) == [ANSWERS, CONCEPTS_NOTEBOOK]
    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert cfg.Autograde.exclude_overwriting == {CONCEPTS_ASSIGNMENT: [ANSWERS]}


def test_decode_accepts_plain_data_only() -> None:
    assert decode({"float": 1}) == 1.0 and decode({"int": 3}) == 3 and decode({"bool": False}) is False
    assert decode({"list": [{"str": "triangular"}, {"int": 2}]}) == ["triangular", 2]
    assert isinstance(decode({"repr": "<tensor>"}), Shown)
    for bad in ({"int": True}, {"int": 2**300}, {"list": [{"list": []}]}, {"str": "x" * 5000}, [1], {"a": 1, "b": 2},
                {"float": "1"}, {"none": False}, {"eval": "1"}):
        with pytest.raises(ValueError):
            decode(bad)
    replay = decode_result({"name": "f", "calls": [[0, {"float": 0.1}], [1, {"raised": "KeyError", "message": "k"}]]},
                           [0, 1, 2])["value"]
    assert isinstance(replay, Replay) and replay(0) == 0.1
    with pytest.raises(Exception, match="k") as err:
        replay(1)
    assert type(err.value).__name__ == "KeyError"
    for bad in ({"name": "f", "calls": [[7, {"float": 1.0}]]}, {"name": "f", "calls": [[0, {"float": 1.0}]] * 2}):
        with pytest.raises(ValueError):
            decode_result(bad, [0, 1, 2])


def test_judge_reports_missing_raising_and_unjudgeable_answers_as_wrong() -> None:
    by_id = {q.id: q for q in QUESTIONS}
    assert judge(by_id["02.predict"], {"value": by_id["02.predict"].expected()}) == (True, "")
    assert judge(by_id["02.predict"], {"value": None}) == (False, "no answer yet: `q02_predict` is still None")
    assert judge(by_id["02.predict"], {"error": "boom"}) == (False, "boom")
    assert judge(by_id["02.predict"], None, "answers.py could not be read") == (False, "answers.py could not be read")
    ok, why = judge(by_id["04.restarts"], {"value": [10, "x"]})  # sorted() of mixed types raises in the judge
    assert not ok and "could not be judged (TypeError" in why
    ok, why = judge(by_id["03.lr_at"], {"value": Replay({0: NotImplementedError("")}, "q03_lr_at")})
    assert (ok, why) == (False, "your function is not written yet")


@needs_bwrap
def test_child_isolates_each_answer_and_hides_lrlab_and_torch_schedulers(tmp_path: Path) -> None:
    answers = tmp_path / ANSWERS
    answers.write_text(
        "import os, sys\nprint('noise' * 1000)\nsys.stderr.write('noise')\n"
        "def loops(t):\n    while True:\n        pass\n"
        "def raises(t):\n    raise ZeroDivisionError('boom')\n"
        "def dies(t):\n    os._exit(3)\n"
        "def fine(t):\n    return t / 2\n"
        "def hog(t):\n    return len(bytearray(8 * 1024**3))\n"
        "def leaves(t):\n    if os.fork() == 0:\n        import time\n        time.sleep(600)\n    return 1.0\n"
        "big = 'x' * 10**7\n"
        "try:\n    import lrlab.concepts\n    seen = ['lrlab']\nexcept ImportError:\n    seen = []\n"
        "try:\n    from torch.optim import lr_scheduler\n    lr_scheduler.StepLR\n    seen.append('StepLR')\n"
        "except (ImportError, AttributeError):\n    pass\n")
    t = time.perf_counter()
    run = run_answers(answers, [{"name": n, "ts": [0, 1, 2]} for n in ("loops", "raises", "dies", "fine", "hog", "leaves")]
                      + [{"name": n, "ts": None} for n in ("big", "seen", "missing")], seconds=2.0, sandbox="bwrap")
    seconds = time.perf_counter() - t
    assert run.isolated and not run.problem
    assert "did not finish within" in run.answers["loops"]["error"]
    with pytest.raises(Exception, match="boom") as err:
        run.answers["raises"]["value"](0)
    assert type(err.value).__name__ == "ZeroDivisionError"
    assert "died (exit 3)" in run.answers["dies"]["error"]
    assert [run.answers["fine"]["value"](t) for t in range(3)] == [0.0, 0.5, 1.0]
    with pytest.raises(Exception) as err:  # the address-space limit
        run.answers["hog"]["value"](0)
    assert type(err.value).__name__ == "MemoryError"
    assert run.answers["leaves"]["value"](2) == 1.0  # the processes it left behind are killed
    assert len(run.answers["big"]["value"]) <= 300
    assert run.answers["seen"] == {"value": []}  # neither lrlab (its oracle) nor torch's schedulers
    assert run.answers["missing"] == {"error": "answers.py defines no `missing`"}
    assert seconds < 30


@needs_bwrap
def test_an_installed_lrlab_is_hidden_in_the_sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A non-editable install puts lrlab (its oracle) in the venv the sandbox reads: the child must not see it.
    Stand-in: pretend lrlab is installed where numpy is, and check numpy's modules are gone inside."""
    import numpy

    import lrlab

    answers = tmp_path / ANSWERS
    answers.write_text("try:\n    from numpy import linalg\n    seen = True\nexcept ImportError:\n    seen = False\n")
    assert run_answers(answers, [{"name": "seen", "ts": None}], sandbox="bwrap").answers["seen"] == {"value": True}
    monkeypatch.setattr(lrlab, "__file__", numpy.__file__)
    assert run_answers(answers, [{"name": "seen", "ts": None}], sandbox="bwrap").answers["seen"] == {"value": False}


def test_child_reports_an_import_that_fails_and_a_file_that_is_not_one(tmp_path: Path) -> None:
    answers = tmp_path / ANSWERS
    answers.write_text("raise SystemExit(4)\n")
    run = run_answers(answers, [{"name": "x", "ts": None}], sandbox="none")
    assert run.problem == "importing answers.py raised SystemExit: 4" and not run.answers
    answers.unlink()
    answers.symlink_to("/dev/zero")
    assert "not a regular file" in run_answers(answers, [{"name": "x", "ts": None}], sandbox="none").problem


def test_grade_concepts_cli_rejects_a_bad_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(tmp_path / "nowhere.py") == 2
    assert "is not a file" in capsys.readouterr().err
    from lrlab.cli import build_parser

    args = build_parser().parse_args(["grade-concepts", "some/answers.py", "--explain"])
    assert args.answers == "some/answers.py" and args.explain and args.points == 1.0
    args = build_parser().parse_args(["build-course", "--no-concepts"])
    assert args.no_concepts and args.concepts == CONCEPTS_ASSIGNMENT


def test_the_cells_module_imports_neither_torch_nor_the_questions() -> None:
    """The kernel side stays stdlib-only: torch and the judging live in the grading process."""
    code = ("import sys, lrlab.classroom.concepts_cells; "
            "print(sorted(m for m in ('torch', 'lrlab.concepts', 'lrlab.grading') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "[]", out.stdout + out.stderr


def test_cell_without_answers_scores_0_and_shows_the_explanation_only_when_autograded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from lrlab.classroom import concepts_cells as cells

    monkeypatch.chdir(tmp_path)
    with pytest.raises(cells.ConceptWrong, match=r"\[02.predict\] 0 points: no answers.py next to this notebook"):
        cells.grade("02.predict", 1)
    data = b"q02_predict = 0.025\n"
    (tmp_path / ANSWERS).write_bytes(data)
    report = {"note": "", "total": 1.0, "max_total": 1.0, "results": {"02.predict": {
        "name": "q02_predict", "ok": True, "points": 1.0, "max_points": 1.0, "verdict": "VERDICT", "message": "FEEDBACK"}}}
    monkeypatch.setitem(cells._cache, f"{cells._fingerprint(data)}:1.0", report)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    cells.grade("02.predict", 1)
    out = capsys.readouterr().out
    assert "VERDICT" in out and "FEEDBACK" not in out and "q02_predict" in out  # the overview, then the verdict
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    cells.grade("02.predict", 1)
    assert capsys.readouterr().out == "FEEDBACK\n"


# ------------------------------------------------------------------------------------------ nbgrader end to end
HOSTILE = {
    "02.predict": "q02_predict = 0.05  # wrong: the doubled milestone counts twice",
    "01.lr_at_warmup": "def q01_lr_at_warmup(t):\n    raise ZeroDivisionError('no warmup')\n",
    "01.lr_at_drop": "def q01_lr_at_drop(t):\n    while True:\n        pass\n",
    "06.total_steps": "q06_total_steps = '690'  # a string, not an int",
}
# at import: noise on both streams, an attempt to patch the checker (lrlab is not in the sandbox)
HOSTILE_PRELUDE = """import sys
print("noise")
sys.stderr.write("noise on stderr\\n")
try:
    import lrlab.classroom.concepts_cells as cells
    cells.grade = lambda *args: None
except ImportError:
    pass
"""
# a code cell added to the notebook, run before the test cells if it were kept: every question right
PATCH_CELL = """import lrlab.classroom.concepts_cells as cells
cells.result_for = lambda qid, points=1.0: {"ok": True, "points": points, "max_points": points, "message": "forged"}
cells.grade = lambda *args: None
"""


def _expected(student: str) -> dict[str, float]:
    if student == "stubs":
        return dict.fromkeys(NAMES, 0.0)
    if student == "right":
        return dict.fromkeys(NAMES, 1.0)
    return {qid: 0.0 if qid in HOSTILE else 1.0 for qid in NAMES}


def _make_right(dst: Path) -> None:
    (dst / ANSWERS).write_text(right_answers())


def _make_hostile(dst: Path) -> None:
    (dst / ANSWERS).write_text(right_answers(HOSTILE, HOSTILE_PRELUDE))
    fake = dst / "lrlab" / "classroom"  # a fake lrlab next to the notebook: the kernel must not import it
    fake.mkdir(parents=True)
    (dst / "lrlab" / "__init__.py").write_text("")
    (fake / "__init__.py").write_text("")
    (fake / "concepts_cells.py").write_text("def grade(*args):\n    pass\n")
    nb_path = dst / CONCEPTS_NOTEBOOK
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell(PATCH_CELL))
    nbformat.write(nb, nb_path)


SUBMISSIONS = {"right": _make_right, "stubs": lambda dst: None, "hostile": _make_hostile}


def _run(course: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{SCRIPTS}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("NBGRADER_EXECUTION", None)
    proc = subprocess.run([str(SCRIPTS / args[0]), *args[1:]], cwd=course, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{args} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"
    return proc


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build, generate, submit three, autograde them in one run, generate feedback, export."""
    course = tmp_path_factory.mktemp("concepts") / "course"
    course.mkdir()
    shutil.copy(COURSE_DIR / "nbgrader_config.py", course)
    shutil.copytree(COURSE_DIR / "templates", course / "templates")
    timings: dict[str, float] = {}
    t = time.perf_counter()
    build_concepts(course)
    _run(course, "nbgrader", "generate_assignment", CONCEPTS_ASSIGNMENT, "--force")
    timings["build + generate_assignment"] = time.perf_counter() - t
    for student, make in SUBMISSIONS.items():
        dst = course / "submitted" / student / CONCEPTS_ASSIGNMENT
        shutil.copytree(course / "release" / CONCEPTS_ASSIGNMENT, dst)
        make(dst)
        (dst / "timestamp.txt").write_text("2026-12-02 12:00:00.000000 UTC")
    t = time.perf_counter()
    batch = _run(course, "lrlab", "autograde", CONCEPTS_ASSIGNMENT, "--jobs", "2", "--course", str(course))
    timings["lrlab autograde --jobs 2 (3 submissions)"] = time.perf_counter() - t
    t = time.perf_counter()
    _run(course, "nbgrader", "generate_feedback", CONCEPTS_ASSIGNMENT)
    _run(course, "nbgrader", "export", "--to", "grades.csv")
    timings["generate_feedback + export"] = time.perf_counter() - t
    print("\n" + batch.stdout)
    for what, seconds in timings.items():
        print(f"{what:<45} {seconds:6.1f} s")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return {"dir": course, "config": config, "batch": batch.stdout, "timings": timings}


@pytest.mark.nbgrader
@pytest.mark.classroom
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_release_holds_no_answer(course: dict[str, Any]) -> None:
    """The release is the stub (no answer: see the unit tests) and the notebook without outputs; the
    "stubs" submission, the release as it is, scores 0 on every question (below)."""
    release = course["dir"] / "release" / CONCEPTS_ASSIGNMENT
    assert sorted(p.name for p in release.iterdir()) == [ANSWERS, CONCEPTS_NOTEBOOK]
    assert (release / ANSWERS).read_text() == answers_stub()
    nb = nbformat.read(release / CONCEPTS_NOTEBOOK, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    for q in QUESTIONS:
        assert re.sub(r"^\{expected[^}]*\}", "", q.explain).strip(" :=")[:40] not in str(nb), q.id


@pytest.mark.nbgrader
@pytest.mark.classroom
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_scores_are_exact_per_question(course: dict[str, Any]) -> None:
    from nbgrader.api import Gradebook

    cfg = course["config"].CourseDirectory
    got, want = {}, {}
    with Gradebook(cfg.db_url, cfg.course_id) as gb:
        for student in SUBMISSIONS:
            submission = gb.find_submission(CONCEPTS_ASSIGNMENT, student)
            assert not submission.needs_manual_grade, student
            assert submission.max_score == len(QUESTIONS)
            got[student] = {qid: gb.find_grade(grade_id(qid), Path(CONCEPTS_NOTEBOOK).stem, CONCEPTS_ASSIGNMENT,
                                               student).score for qid in NAMES}
            want[student] = _expected(student)
            assert submission.score == sum(want[student].values())
    assert got == want
    rows = {line.split()[0]: line.split() for line in course["batch"].splitlines() if line.split()}
    assert rows["right"][2] == f"{len(QUESTIONS)}/{len(QUESTIONS)}" and rows["stubs"][2] == f"0/{len(QUESTIONS)}"
    with open(course["dir"] / "grades.csv") as handle:
        exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(handle)
                    if r["assignment"] == CONCEPTS_ASSIGNMENT}
    assert exported == {s: sum(w.values()) for s, w in want.items()}
    assert course["timings"]["lrlab autograde --jobs 2 (3 submissions)"] < 120


@pytest.mark.nbgrader
@pytest.mark.classroom
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_feedback_explains_each_answer_and_shows_the_answers_file(course: dict[str, Any]) -> None:
    fb = course["dir"] / "feedback"
    text = {s: html_lib.unescape(re.sub(r"<[^>]+>", "", (fb / s / CONCEPTS_ASSIGNMENT /
                                                          f"{Path(CONCEPTS_NOTEBOOK).stem}.html").read_text()))
            for s in SUBMISSIONS}
    by_id = {q.id: q for q in QUESTIONS}
    for qid in ("02.predict", "04.restarts", "08.is_improvement"):
        q = by_id[qid]
        assert q.explain.format(expected=q.expected()) in text["right"], qid
        assert q.explain.format(expected=q.expected()) in text["stubs"], qid
    assert "did not finish within" in text["hostile"] and "lr_at(0) raised ZeroDivisionError: no warmup" in text["hostile"]
    assert "expected an int, got &#x27;690&#x27;" in text["hostile"] or "expected an int, got '690'" in text["hostile"]
    assert "forged" not in text["hostile"] and "Traceback (most recent call last)" not in text["hostile"]
    assert "Student's code: answers.py" in text["hostile"] and "while True" in text["hostile"]
    graded = nbformat.read(course["dir"] / "autograded" / "hostile" / CONCEPTS_ASSIGNMENT / CONCEPTS_NOTEBOOK,
                           as_version=4)
    assert not any("cells.result_for" in c.source for c in graded.cells if c.cell_type == "code")
