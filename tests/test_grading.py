"""The autograder: real torch as the oracle, real child processes, real broken/forged submissions."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lrlab import paths
from lrlab.grading import SCHEDULER_POINTS, SCHEDULERS, grade, self_check
from lrlab.grading.spec import checks_for

FIXTURES = Path(__file__).parent / "fixtures" / "submissions"
pytestmark = pytest.mark.timeout(240)


def learner_modules_loaded(base: Path) -> list[str]:
    """Modules in this process that were loaded from ``base`` (the graded package's folder).

    Only meaningful for a folder no other test imports in-process (a fresh ``tmp_path``): other test files
    (the explorer's, the notebooks') import ``solutions`` in this same pytest process on purpose.
    """
    return [name for name, module in list(sys.modules.items())
            if str(base) in (getattr(module, "__file__", None) or "")]


def build_submission(tmp_path: Path, case: str) -> Path:
    """A copy of the reference package with the fixture ``case`` applied (appended code, deleted modules)."""
    base = tmp_path / case
    package = base / "schedulers"
    shutil.copytree(paths.SOLUTIONS_DIR / "schedulers", package, ignore=shutil.ignore_patterns("__pycache__"))
    for patch in sorted((FIXTURES / case).iterdir()):
        if patch.name.endswith(".py.append"):
            target = package / patch.name.removesuffix(".append")
            target.write_text(target.read_text() + patch.read_text())
        elif patch.name.endswith(".py.delete"):
            (package / patch.name.removesuffix(".delete")).unlink()
    return base


@pytest.fixture(scope="module")
def solutions_report():
    start = time.perf_counter()
    report = grade(paths.SOLUTIONS_DIR)
    print(f"\nfull grading of solutions/: {time.perf_counter() - start:.2f} s")
    return report


# ---------------------------------------------------------------------------------------------- spec/oracle


def test_points_sum_to_100_and_every_check_has_scenarios():
    assert sum(SCHEDULER_POINTS.values()) == 100
    for name in SCHEDULERS:
        checks = checks_for(name)
        assert sum(c.points for c in checks) == SCHEDULER_POINTS[name]
        assert all(c.points > 0 and c.scenarios for c in checks)
        json.dumps([c.scenarios for c in checks])  # crosses the process boundary as JSON
    assert SCHEDULER_POINTS["CyclicLR"] > SCHEDULER_POINTS["StepLR"] < SCHEDULER_POINTS["OneCycleLR"]


def test_torch_raises_on_every_bad_input_and_on_nothing_else():
    from lrlab.grading.oracle import expected

    for name in SCHEDULERS:
        for check, results in zip(checks_for(name), expected(name), strict=True):
            for scenario, result in zip(check.scenarios, results, strict=True):
                if check.name in ("bad_input", "step_limit"):
                    assert result["error"] and result["error"]["types"][0] in (
                        "builtins.ValueError", "builtins.TypeError"), (name, scenario)
                elif _error_by_design(scenario):
                    assert result["error"] and result["error"]["types"][0] == _error_by_design(scenario), (
                        name, scenario, result["error"])
                else:
                    assert result["error"] is None, (name, scenario, result["error"])
                    assert result["n"] == scenario["steps"]


def _error_by_design(sc: dict) -> str | None:
    """The exception a valid-use scenario ends with on purpose: a resume by last_epoch on groups without
    initial_lr (KeyError), a negative epoch (ValueError)."""
    if sc["kwargs"].get("last_epoch", -1) >= 0 and sc.get("initial_lr") is None:
        return "builtins.KeyError"
    if any(e is not None and e < 0 for e in sc.get("epochs") or []):
        return "builtins.ValueError"
    return None


def test_long_checks_run_ten_thousand_steps_and_cycles_track_momentum():
    for name in SCHEDULERS:
        steps = [s["steps"] for c in checks_for(name) for s in c.scenarios]
        assert max(steps) >= 10_000, name
    for name in ("CyclicLR", "OneCycleLR"):
        adam = next(c for c in checks_for(name) if c.name == "adam_betas")
        assert all(s["opt"] == "adam" and s["track_momentum"] for s in adam.scenarios)


def test_compare_tolerance_is_rtol_1e9_atol_1e12_lr0():
    from lrlab.grading.compare import compare
    from lrlab.grading.driver import run_scenario
    from lrlab.grading.oracle import torch_class
    from lrlab.grading.spec import scenario

    sc = scenario("ExponentialLR", {"gamma": 0.9}, groups=[0.1], steps=5)
    exp = run_scenario(sc, torch_class)

    def shifted(rel: float) -> dict:
        from lrlab.grading.compare import decode
        from lrlab.grading.driver import encode

        values = decode(exp["lr"], 5, 1).copy()
        values[3, 0] *= 1 + rel
        from array import array

        return {**exp, "lr": encode(array("d", values.ravel()))}

    assert compare(sc, exp, shifted(0.5e-9)) is None
    failure = compare(sc, exp, shifted(5e-9))
    assert failure is not None and failure.step == 3 and failure.group == 0 and failure.reason == "lr differs"
    assert compare(sc, exp, {"n": "x"}) is not None  # malformed results are failures, not crashes


def test_static_scan_flags_torch_scheduler_imports_but_not_docstrings(tmp_path):
    from lrlab.grading.forgery import scan_package

    package = tmp_path / "schedulers"
    package.mkdir()
    (package / "__init__.py").write_text('"""Like torch.optim.lr_scheduler, by hand."""\n')
    (package / "step.py").write_text(
        '"""See torch.optim.lr_scheduler.StepLR."""\nimport torch\n\n'
        "class StepLR:\n    pass\n\nclass MultiStepLR:\n    pass\n\n"
        "StepLR = torch.optim.lr_scheduler.StepLR\n")
    (package / "cyclic.py").write_text("from torch.optim.lr_scheduler import CyclicLR\n")
    (package / "plateau.py").write_text(
        "import importlib\nm = importlib.import_module('torch.optim.lr_scheduler')\nclass ReduceLROnPlateau:\n    pass\n")
    found = scan_package(package)
    assert set(found) == {"StepLR", "CyclicLR", "ReduceLROnPlateau"}
    assert "step.py:10" in found["StepLR"]


# ---------------------------------------------------------------------------------------------- scores


def test_solutions_score_100_quietly_without_importing_them(solutions_report, capfd):
    report = solutions_report
    assert report.total == 100 and report.max_total == 100, report.format_table()
    assert all(r.passed and r.reason == "" for r in report.results.values())
    out, err = capfd.readouterr()
    assert err == ""
    table = report.format_table()
    assert table.splitlines()[-1] == "TOTAL: 100/100"
    assert report.to_dict()["results"]["CyclicLR"]["points"] == SCHEDULER_POINTS["CyclicLR"]


def test_grading_process_never_imports_the_learner_package():
    """In a fresh interpreter: grading the solutions leaves no ``schedulers`` module in the grading process."""
    code = (
        "import sys\n"
        "from lrlab import paths\n"
        "from lrlab.grading import grade\n"
        "report = grade(paths.SOLUTIONS_DIR, only=['StepLR', 'CyclicLR', 'SequentialLR'])\n"
        "loaded = sorted(n for n, m in sys.modules.items() if n == 'schedulers' or n.startswith('schedulers.')\n"
        "                or str(paths.SOLUTIONS_DIR) in (getattr(m, '__file__', None) or ''))\n"
        "print(report.total, report.max_total, loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[-2] == f"{sum(SCHEDULER_POINTS[n] for n in ('StepLR', 'CyclicLR', 'SequentialLR'))} " \
        f"{sum(SCHEDULER_POINTS[n] for n in ('StepLR', 'CyclicLR', 'SequentialLR'))} []", out.stdout


def test_grading_writes_nothing_to_stderr(capfd):
    grade(paths.SOLUTIONS_DIR, only=["ExponentialLR"])
    assert capfd.readouterr().err == ""


def test_generated_exercises_score_0_as_not_implemented(tmp_path):
    from lrlab.exercisegen import generate

    generate(paths.SOLUTIONS_DIR, tmp_path)
    report = grade(tmp_path)
    assert report.total == 0, report.format_table()
    for result in report.results.values():
        assert "not implemented yet" in result.summary(), result.summary()
        assert "Traceback" not in result.format()
        for check in result.checks:  # "not implemented yet: StepLR.__init__ (schedulers/step.py)", no step
            text = check.describe()
            assert "is not implemented yet" not in text and " at step " not in text and " :" not in text, text
    step = report.results["StepLR"].format()
    assert "resume: not implemented yet: StepLR.__init__ (schedulers/step.py)" in step, step
    assert "bad_input: expected TypeError, not implemented yet: StepLR.__init__ (schedulers/step.py)" in step
    assert learner_modules_loaded(tmp_path) == []


def test_partially_correct_submission_scores_exactly_the_checks_it_passes(tmp_path):
    base = build_submission(tmp_path, "partial")
    report = grade(base, only=["StepLR", "MultiStepLR"])
    step, multi = report.results["StepLR"], report.results["MultiStepLR"]
    assert [c.name for c in step.checks if not c.passed] == ["resume"]
    # the doubled milestone also shows when step(epoch) lands on it and plain steps follow (closed_form)
    assert [c.name for c in multi.checks if not c.passed] == ["grid", "resume", "closed_form"]
    assert (step.points, multi.points, report.total, report.max_total) == (5, 3, 8, 12)
    failure = multi.first_failure
    assert failure.step is not None and failure.expected is not None and failure.got is not None
    assert failure.expected != failure.got


def test_forged_submission_gets_0_for_the_forged_classes_only(tmp_path, capfd):
    base = build_submission(tmp_path, "forgeries")
    report = grade(base)
    points = {name: r.points for name, r in report.results.items() if name in SCHEDULER_POINTS}
    # MultiplicativeLR shares lambda_lr.py with the forged LambdaLR alias: inside the sandbox torch's schedulers
    # are tripwires, so that file does not import at all and its honest class cannot be graded either.
    forged = {"LambdaLR": 0, "MultiplicativeLR": 0, "CyclicLR": 0, "OneCycleLR": 0,
              # wrong values (torch patched in its own process gains nothing); fake printed results gain
              # nothing; bad_input passes in both but counts only beside a valid scenario that passes
              "CosineAnnealingWarmRestarts": 0, "ReduceLROnPlateau": 0}
    assert points == {**SCHEDULER_POINTS, **forged}, report.format_table()
    assert report.total == 100 - sum(SCHEDULER_POINTS[n] - forged[n] for n in forged)
    for name in ("LambdaLR", "CyclicLR", "OneCycleLR"):
        assert "torch" in report.results[name].reason, (name, report.results[name].reason)
    assert "lr differs" in report.results["CosineAnnealingWarmRestarts"].summary()
    assert "RuntimeError" in report.results["ReduceLROnPlateau"].summary()
    assert capfd.readouterr().err == ""
    assert learner_modules_loaded(base) == []


@pytest.mark.timeout(600)  # two hangs each wait for their own limit (100x torch's time for their steps)
def test_crashing_submission_loses_only_what_crashes(tmp_path):
    base = build_submission(tmp_path, "crashes")
    report = grade(base, timeout=4)
    points = {name: r.points for name, r in report.results.items() if name in SCHEDULER_POINTS}
    crashed = {"CosineAnnealingWarmRestarts": 0,  # sys.exit is caught; bad_input alone does not count
               "CyclicLR": 0, "SequentialLR": 0, "LambdaLR": 0, "OneCycleLR": 0, "ReduceLROnPlateau": 0,
               "MultiplicativeLR": 0}  # its module (lambda_lr.py) hangs on import: it costs both its classes
    assert points == {**SCHEDULER_POINTS, **crashed}, report.format_table()
    reasons = {name: report.results[name].summary() for name in crashed}
    assert "SystemExit" in reasons["CosineAnnealingWarmRestarts"]
    assert "exited with code 3" in reasons["CyclicLR"]
    assert "time limit" in reasons["SequentialLR"]
    seq = {c.name: c.reason for c in report.results["SequentialLR"].checks}
    # where it hung (the scenario label, children included), and which checks were not run because of it
    assert seq["basic"].startswith("scenario 1/5 (milestones=[5]) (children: LinearLR, CosineAnnealingLR): "
                                   "too slow: 0 of "), seq["basic"]
    assert "torch takes" in seq["basic"] and seq["basic"].endswith("while running this scenario")
    for later in ("long", "resume"):
        assert seq[later] == "not run: its time limit was reached earlier, in 'basic' scenario 1/5", seq[later]
    assert "time limit" in reasons["LambdaLR"]
    assert "SyntaxError" in reasons["OneCycleLR"]
    assert "ModuleNotFoundError" in reasons["ReduceLROnPlateau"] or "No module" in reasons["ReduceLROnPlateau"]
    assert report.notes and "import schedulers" in report.notes[0]


CLOSED_FORM = {"StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "ConstantLR", "PolynomialLR"}


def test_every_closed_form_scheduler_has_a_step_epoch_check_with_jumps_both_ways():
    from lrlab.grading.oracle import expected

    for name in SCHEDULERS:
        checks = [c for c in checks_for(name) if c.name == "closed_form"]
        assert bool(checks) == (name in CLOSED_FORM), name
        for check in checks:
            assert all(sc["sched"] == name for sc in check.scenarios)
            epochs = [e for e in check.scenarios[0]["epochs"] if e is not None]
            moves = [b - a for a, b in zip(epochs, epochs[1:], strict=False)]
            assert min(moves) < 0 and max(moves) > 1, moves  # jumps back and forward
    assert expected("StepLR")  # torch's step(epoch) deprecation warning stays in the oracle (see stderr tests)


def test_closed_form_stub_loses_exactly_the_closed_form_check(tmp_path, capfd):
    base = build_submission(tmp_path, "closed_form")
    report = grade(base, only=["StepLR"])
    step = report.results["StepLR"]
    assert [c.name for c in step.checks if not c.passed] == ["closed_form"], step.format()
    assert step.points == SCHEDULER_POINTS["StepLR"] - 1
    assert "not implemented yet: StepLR._get_closed_form_lr (schedulers/step.py)" in step.summary()
    assert capfd.readouterr().err == ""


def test_forgotten_initial_lr_is_caught_by_a_base_class_check(tmp_path):
    base = build_submission(tmp_path, "initial_lr")
    report = grade(base, only=["StepLR"])
    step = report.results["StepLR"]
    assert [c.name for c in step.checks if not c.passed] == ["chainable"], step.format()
    failure = step.first_failure
    assert "initial_lr of each group after construction differs" in failure.reason
    assert failure.expected == 0.1 and failure.got == "missing"


def test_a_correct_composite_keeps_its_points_when_its_child_class_is_wrong(tmp_path):
    base = build_submission(tmp_path, "child_bug")
    report = grade(base, only=["SequentialLR", "ChainedScheduler"])  # the children graded on the side
    assert set(report.results) == {"SequentialLR", "ChainedScheduler"}
    own = grade(base, only=["ExponentialLR"]).results["ExponentialLR"]
    assert not own.passed
    for name in ("SequentialLR", "ChainedScheduler"):
        result = report.results[name]
        assert result.passed, result.format()
        basic = next(c for c in result.checks if c.name == "basic")
        assert basic.reason.startswith("correct when judged with stand-ins for your ExponentialLR (ExponentialLR "
                                       f"fails its own '{own.first_failure.name}' check: fix that first)"), basic.reason


def test_a_wrong_composite_is_blamed_even_with_stand_in_children(tmp_path):
    base = build_submission(tmp_path, "composite_bug")
    chained = grade(base, only=["ChainedScheduler"]).results["ChainedScheduler"]
    failure = chained.first_failure
    assert failure is not None and failure.name == "basic", chained.format()
    assert "with stand-in children" in failure.reason and "lr differs" in failure.reason, failure.reason
    assert failure.calls and failure.window and failure.scenario.startswith("ChainedScheduler(schedulers=[")


def test_a_composite_whose_children_all_pass_is_blamed_directly(tmp_path):
    base = build_submission(tmp_path, "composite_bug")
    (base / "schedulers" / "exponential.py").write_text(
        (paths.SOLUTIONS_DIR / "schedulers" / "exponential.py").read_text())  # the child is right again
    failure = grade(base, only=["ChainedScheduler"]).results["ChainedScheduler"].first_failure
    assert failure is not None and failure.reason.startswith("scenario 4/4"), failure.reason
    assert "stand-in" not in failure.reason and "fix " not in failure.reason, failure.reason


# ---------------------------------------------------------------------------------------------- CLI, self_check


def test_cli_grade_json_and_exit_codes(tmp_path, capsys):
    from lrlab.cli import main

    out_json = tmp_path / "report.json"
    assert main(["grade", "--solutions", "--only", "ExponentialLR", "LinearLR", "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    both = SCHEDULER_POINTS["ExponentialLR"] + SCHEDULER_POINTS["LinearLR"]
    assert out.strip().splitlines()[-1] == f"TOTAL: {both}/{both}"
    data = json.loads(out_json.read_text())
    assert data["total"] == both and set(data["results"]) == {"ExponentialLR", "LinearLR"}
    assert data["results"]["LinearLR"]["checks"][0]["passed"] is True

    (tmp_path / "empty").mkdir()
    assert main(["grade", str(tmp_path / "empty")]) == 2
    assert "no 'schedulers' package" in capsys.readouterr().err


def test_self_check_reads_not_implemented_yet(tmp_path, capsys):
    from lrlab.exercisegen import generate

    generate(paths.SOLUTIONS_DIR, tmp_path)
    result = self_check("StepLR", path=tmp_path)
    out = capsys.readouterr().out
    assert result.points == 0 and result.max_points == 6 and not result.passed
    assert out.startswith("StepLR: 0/6 points") and "not implemented yet" in out and "Traceback" not in out
    assert f"graded package: {tmp_path / 'schedulers'}" in out  # not the exercises copy: say which one
    good = self_check("StepLR", path=paths.SOLUTIONS_DIR / "schedulers")
    out = capsys.readouterr().out
    assert good.passed and "StepLR: 6/6 points" in out
    assert f"graded package: {paths.SOLUTIONS_DIR / 'schedulers'}" in out


def test_self_check_of_the_exercises_does_not_name_the_package(capsys):
    self_check("ExponentialLR", path=paths.EXERCISES_DIR)
    out = capsys.readouterr().out
    assert out.startswith("ExponentialLR: ") and "graded package" not in out


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="only"):
        grade(paths.SOLUTIONS_DIR, only=["NoSuchLR"])
    with pytest.raises(ValueError, match="timeout"):
        grade(paths.SOLUTIONS_DIR, timeout=0)
    with pytest.raises(FileNotFoundError):
        grade(paths.REPO_ROOT / "docs")
    with pytest.raises(ValueError, match="name"):
        self_check("Nope")
