"""Attacks on the grader (tests/fixtures/attacks, issue 10): each case asserts what an honest grader gives.

Every submission is the reference package with an attack appended to one or more modules; the honest grade
is full marks for the untouched schedulers beside the attack and 0 for the attacked one. These tests need
bubblewrap (``./run test`` installs it: scripts/install_sandbox.sh); several attacks (``kill(-1)``, setsid
daemons) must never run outside it, so the sandbox is required, not optional, here.
"""

from __future__ import annotations

import ast
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lrlab import paths
from lrlab.grading import (
    SCHEDULER_POINTS,
    SandboxError,
    grade,
    matches_reference,
    sandbox_bwrap,
    similarity,
)
from lrlab.grading.forgery import scan_package

ATTACKS = Path(__file__).parent / "fixtures" / "attacks"
INDEPENDENT = Path(__file__).parent / "fixtures" / "independent"
pytestmark = pytest.mark.timeout(300)

USABLE, WHY = sandbox_bwrap.probe()
# Skipped where bubblewrap is unusable (macOS, no user namespaces), except in CI, where they must run.
needs_bwrap = pytest.mark.skipif(not USABLE and not os.environ.get("CI"), reason=f"bubblewrap unusable: {WHY}")


def submission(tmp_path: Path, case: str | None = None, extra: dict[str, str] | None = None) -> Path:
    """A copy of the reference package with ``ATTACKS/case`` appended (and ``extra`` module texts appended)."""
    base = tmp_path / (case or "custom")
    package = base / "schedulers"
    shutil.copytree(paths.SOLUTIONS_DIR / "schedulers", package, ignore=shutil.ignore_patterns("__pycache__"))
    patches = {p.name.removesuffix(".append"): p.read_text() for p in sorted((ATTACKS / case).iterdir())} \
        if case else {}
    for module, text in {**patches, **(extra or {})}.items():
        target = package / module
        target.write_text(target.read_text() + text)
    return base


def sandboxed(base: Path, only: list[str], timeout: float = 10) -> object:
    return grade(base, only=only, timeout=timeout, sandbox="bwrap")


def points(report) -> dict[str, int]:
    return {name: r.points for name, r in report.results.items()}


def full(*names: str) -> dict[str, int]:
    return {n: SCHEDULER_POINTS[n] for n in names}


# ------------------------------------------------------------------------------------- what the sandbox holds


VIEW = r"""
import json, os, socket, sys
out = {"uid": os.getuid(), "pid": os.getpid()}
import torch
import torch.optim.lr_scheduler as m
out["torch_classes"] = [n for n in vars(m) if n.endswith("LR") or n == "LRScheduler"]
optim = os.path.dirname(torch.optim.__file__)
out["source"] = open(os.path.join(optim, "lr_scheduler.py")).read()[:200]
out["pycache"] = os.listdir(os.path.join(optim, "__pycache__"))
found = []
for name in ("lrlab.grading.oracle", "lrlab.preview", "lrlab.grading.grader", "schedulers"):
    try:
        __import__(name)
        found.append(name)
    except BaseException:
        pass
out["importable"] = found
out["visible"] = [p for p in (%(hidden)r) if os.path.exists(p)]
out["beside_venv"] = sorted(os.listdir(os.path.dirname(sys.prefix)))
out["usr_lib_python"] = sorted(os.listdir("/usr/lib/python3")) if os.path.isdir("/usr/lib/python3") else []
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    out["net"] = True
except OSError:
    out["net"] = False
try:
    open("/submission/schedulers/new.py", "w")
    out["writable"] = True
except OSError:
    out["writable"] = False
for path in (optim + "/__pycache__/x.pyc", "/usr/local/x", "/tmp/x"):
    try:
        open(path, "w").write("x")
        out.setdefault("wrote", []).append(path)
    except OSError:
        pass
out["procs"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print(json.dumps(out))
"""


@needs_bwrap
def test_the_sandbox_view_has_no_torch_schedulers_no_oracle_no_network(tmp_path):
    (tmp_path / "schedulers").mkdir()
    (tmp_path / "schedulers" / "__init__.py").write_text("")
    hidden = [str(paths.SOLUTIONS_DIR), str(paths.REPO_ROOT / "src"), str(paths.EXERCISES_DIR), "/root/.ssh",
              str(paths.REPO_ROOT / "README.md")]
    cmd = sandbox_bwrap.command(tmp_path, "{}")
    cmd[-4:] = ["-I", "-B", "-c", VIEW % {"hidden": hidden}]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    view = json.loads(out.stdout)
    assert view["uid"] == sandbox_bwrap.SANDBOX_UID
    assert view["torch_classes"] == [] and "class " not in view["source"]
    assert view["pycache"] == []
    assert view["importable"] == []  # no oracle, no grader, no learner package on the path
    assert view["visible"] == []
    assert view["usr_lib_python"] == []
    assert view["beside_venv"] == [Path(sys.prefix).name]  # the venv is bound, nothing next to it
    assert view["net"] is False and view["writable"] is False
    assert view.get("wrote") == ["/tmp/x"]  # only the small private /tmp is writable
    assert len(view["procs"]) <= 3  # its own PID namespace: bwrap's init and this process


# ------------------------------------------------------------------------------------- escapes to torch's code


@needs_bwrap
def test_torch_source_reexecuted_read_or_reached_through_subclasses_gives_nothing(tmp_path):
    base = submission(tmp_path, "escapes")
    names = ["StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR"]
    report = sandboxed(base, names)
    assert points(report) == {**full("StepLR"), "ExponentialLR": 0, "CosineAnnealingLR": 0, "LinearLR": 0}, \
        report.format_table()
    assert report.isolated and not report.format_table().startswith("NOT ISOLATED")


def test_the_same_escapes_succeed_without_the_sandbox(tmp_path):
    """Why the sandbox is needed: in a plain child process re-executing torch's source scores full marks."""
    base = submission(tmp_path, "escapes")
    report = grade(base, only=["ExponentialLR"], sandbox="none")
    assert report.format_table().startswith("NOT ISOLATED")
    assert points(report) == full("ExponentialLR"), report.format_table()


# ------------------------------------------------------------------------------------- the protocol


@needs_bwrap
def test_a_result_written_before_the_driver_is_a_forgery(tmp_path):
    report = sandboxed(submission(tmp_path, "protocol_forgery"), ["StepLR", "MultiStepLR"])
    assert points(report) == {"StepLR": 0, **full("MultiStepLR")}, report.format_table()
    reason = report.results["StepLR"].reason
    assert reason.startswith("0 points: its process"), reason


@needs_bwrap
def test_malformed_messages_cost_their_scheduler_only(tmp_path):
    names = ["StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "LambdaLR"]
    report = sandboxed(submission(tmp_path, "malformed"), names)
    assert points(report) == {**full("StepLR"), "ExponentialLR": 0, "CosineAnnealingLR": 0, "LinearLR": 0,
                              "LambdaLR": 0}, report.format_table()
    reasons = {n: report.results[n].reason for n in names[1:]}
    assert "nested more than" in reasons["ExponentialLR"]
    assert "digits" in reasons["CosineAnnealingLR"]
    assert "not an index" in reasons["LinearLR"] or "NaN" in reasons["LinearLR"]
    assert "not JSON" in reasons["LambdaLR"]


def test_protocol_rejects_every_shape_it_does_not_expect():
    from lrlab.grading.protocol import ProtocolError, Stream, loads
    from lrlab.grading.spec import checks_for

    for bad in (b"[" * 50 + b"]" * 50, b'{"a": 1' + b"0" * 30 + b"}", b'{"a": NaN}', b'{"a": 1e999}', b"\xff"):
        with pytest.raises(ProtocolError):
            loads(bad)
    stream = Stream(checks_for("StepLR"))
    stream.feed(b'{"kind": "import", "ok": true}')
    stream.feed(b'{"kind": "start", "check": 0, "scenario": 0}')
    assert stream.violation is None
    stream.feed(b'{"kind": "start", "check": 0, "scenario": 0, "extra": 1}')
    assert stream.violation and not stream.forged
    late = Stream(checks_for("StepLR"))
    late.feed(b'{"kind": "done"}')
    late.feed(b'{"kind": "done"}')
    assert late.forged


# ------------------------------------------------------------------------------------- processes


@needs_bwrap
def test_setsid_daemons_die_with_grading_and_cannot_rewrite_the_report(tmp_path):
    base = submission(tmp_path, "daemons")
    report_json = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "lrlab.cli", "grade", str(base), "--only", "LambdaLR", "StepLR",
           "--json", str(report_json), "--require-sandbox"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr
    written = report_json.read_text()
    time.sleep(2.0)  # the daemon rewrites every 0.2 s while alive
    assert report_json.read_text() == written
    assert json.loads(written)["total"] == SCHEDULER_POINTS["LambdaLR"] + SCHEDULER_POINTS["StepLR"]
    assert out.stdout.count("TOTAL:") == 1
    survivors = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if b"LRLAB_ATTACK_DAEMON" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    survivors.append(pid)
            except OSError:
                pass
    assert survivors == []


@needs_bwrap
def test_killing_the_zygote_costs_only_the_killer(tmp_path):
    report = sandboxed(submission(tmp_path, "kill_parent"), ["StepLR", "CyclicLR", "OneCycleLR"])
    assert points(report) == {**full("StepLR", "OneCycleLR"), "CyclicLR": 0}, report.format_table()
    assert "killed" in report.results["CyclicLR"].summary()


@needs_bwrap
def test_kill_minus_one_costs_only_the_killer(tmp_path):
    report = sandboxed(submission(tmp_path, "kill_all"), ["StepLR", "CyclicLR", "OneCycleLR"])
    assert points(report) == {**full("StepLR", "CyclicLR"), "OneCycleLR": 0}, report.format_table()


@needs_bwrap
def test_closing_the_pipe_and_sleeping_times_out_alone(tmp_path):
    start = time.monotonic()
    report = sandboxed(submission(tmp_path, "close_pipe"), ["StepLR", "ReduceLROnPlateau"], timeout=3)
    assert points(report) == {**full("StepLR"), "ReduceLROnPlateau": 0}, report.format_table()
    summary = report.results["ReduceLROnPlateau"].summary()
    assert "too slow: 0 of " in summary and "torch takes" in summary, summary  # its limit: 100x torch's time
    assert time.monotonic() - start < 90


@needs_bwrap
def test_floods_cost_the_flooder_and_not_the_graders_memory(tmp_path):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = sandboxed(submission(tmp_path, "flood"), ["StepLR", "ExponentialLR", "CosineAnnealingLR"])
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    # 3 GiB on stdout goes nowhere (the honest ExponentialLR behind it keeps its marks); 64 MiB into the pipe
    # is cut at the cap
    assert points(report) == {**full("StepLR", "ExponentialLR"), "CosineAnnealingLR": 0}, report.format_table()
    assert "flooding" in report.results["CosineAnnealingLR"].reason
    assert grown_mb < 300, grown_mb


@needs_bwrap
def test_memory_exhaustion_is_capped(tmp_path):
    report = sandboxed(submission(tmp_path, "memory"), ["StepLR", "LinearLR"])
    assert points(report) == {**full("StepLR"), "LinearLR": 0}, report.format_table()
    assert "MemoryError" in report.results["LinearLR"].summary()


# ------------------------------------------------------------------------------------- files in the package


@needs_bwrap
def test_fifo_dev_zero_link_and_huge_expressions_in_the_package(tmp_path):
    base = submission(tmp_path)
    package = base / "schedulers"
    os.mkfifo(package / "fifo.py")
    os.symlink("/dev/zero", package / "zero.py")
    os.symlink(paths.SOLUTIONS_DIR / "schedulers" / "step.py", package / "outside.py")
    (package / "huge.py").write_text("x = " + "+".join(["1"] * 200_000) + "\ny = " + "(" * 5000 + ")" * 5000 + "\n")
    start = time.monotonic()
    assert scan_package(package) == {}
    assert time.monotonic() - start < 30
    report = sandboxed(base, ["StepLR", "CyclicLR"])
    assert points(report) == full("StepLR", "CyclicLR"), report.format_table()
    notes = " ".join(report.notes)
    assert "fifo.py (not a regular file)" in notes and "zero.py" in notes and "outside.py" in notes


def test_type_checking_imports_are_ignored_unless_type_checking_is_rebound(tmp_path):
    base = submission(tmp_path, "type_checking")
    found = scan_package(base / "schedulers")
    assert set(found) == {"ExponentialLR"}, found
    if USABLE:
        report = sandboxed(base, ["StepLR", "MultiStepLR", "ExponentialLR"])
        assert points(report) == {**full("StepLR", "MultiStepLR"), "ExponentialLR": 0}, report.format_table()


def test_dynamic_code_is_flagged_statically(tmp_path):
    package = tmp_path / "schedulers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "step.py").write_text("class StepLR:\n    pass\n\nexec(open('blob.txt').read())\n")
    (package / "cyclic.py").write_text("import marshal\n\nclass CyclicLR:\n    pass\n")
    (package / "plateau.py").write_text("class ReduceLROnPlateau:\n    x = object.__subclasses__()\n")
    found = scan_package(package)
    assert set(found) == {"StepLR", "CyclicLR", "ReduceLROnPlateau"}, found
    assert "exec()" in found["StepLR"] and "marshal" in found["CyclicLR"]


# ------------------------------------------------------------------------------------- vendored code


def _vendored_cyclic() -> str:
    """torch's CyclicLR renamed, reformatted (ast.unparse), docstrings and comments stripped."""
    source = similarity.torch_source_files()[0].read_text()
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == "CyclicLR")
    node.name = "_Cycler"
    node.bases = [ast.Name("LRScheduler")]
    for sub in ast.walk(node):
        body = getattr(sub, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            sub.body = body[1:] or [ast.Pass()]
        if isinstance(sub, ast.Name) and sub.id in ("cycle", "x", "lrs"):
            sub.id = sub.id + "_"
    return "\n\n" + ast.unparse(node) + "\n\n\nCyclicLR = _Cycler  # noqa: F811\n"


def test_similarity_calibration_honest_code_is_never_flagged(capsys):
    packages = {"solutions": paths.SOLUTIONS_DIR / "schedulers", "independent": INDEPENDENT / "schedulers"}
    rows = similarity.calibration(packages)
    with capsys.disabled():
        print("\nsimilarity calibration (containment in torch's class; share of the reference's solution code):")
        for label, name, score, torch_name, ref, count in rows:
            print(f"  {label:<12} {name:<44} torch {score:6.1%} ({torch_name or '-'}, {count} prints), "
                  f"reference {ref:4.0%}")
    assert {r[0] for r in rows} == {"solutions", "independent"} and len(rows) >= 20
    judged = [r for r in rows if r[5] >= similarity.MIN_FINGERPRINTS]  # smaller classes are never flagged
    assert len(judged) >= 15
    assert max(r[2] for r in judged) < similarity.VENDORED_THRESHOLD - 0.2  # a margin, not a near miss
    assert similarity.vendored_classes(
        {p.name: p.read_bytes() for p in (INDEPENDENT / "schedulers").glob("*.py")}) == {}
    assert similarity.vendored_classes(
        {p.name: p.read_bytes() for p in (paths.SOLUTIONS_DIR / "schedulers").glob("*.py")}) == {}
    assert matches_reference(INDEPENDENT) == []


def test_vendored_torch_class_scores_0_with_the_reason(tmp_path):
    base = submission(tmp_path, extra={"cyclic.py": _vendored_cyclic()})
    flagged = similarity.vendored_classes({"cyclic.py": (base / "schedulers" / "cyclic.py").read_bytes()})
    assert set(flagged) == {"CyclicLR"}, flagged
    report = grade(base, only=["StepLR", "CyclicLR"])
    assert points(report) == {**full("StepLR"), "CyclicLR": 0}, report.format_table()
    assert "vendored torch code" in report.results["CyclicLR"].reason
    assert "copied from torch's CyclicLR" in report.results["CyclicLR"].reason


def test_reference_copies_are_flagged_not_zeroed(tmp_path):
    from lrlab.exercisegen import generate

    modules = [p for p in (paths.SOLUTIONS_DIR / "schedulers").glob("*.py") if p.name != "__init__.py"]
    assert len(matches_reference(paths.SOLUTIONS_DIR)) == len(modules)
    generate(paths.SOLUTIONS_DIR, tmp_path / "stubs")
    assert matches_reference(tmp_path / "stubs") == []
    report = grade(paths.SOLUTIONS_DIR, only=["StepLR"])
    assert report.total == 6
    assert "step.py" in " ".join(report.reference_matches)
    assert any(n.startswith("matches the shipped reference solutions") for n in report.notes)
    assert report.to_dict()["reference_matches"] == report.reference_matches


# ------------------------------------------------------------------------------------- self_check, fallback


def test_self_check_grades_in_a_fresh_process_the_kernel_cannot_patch(tmp_path):
    """A package whose import patches the grader in the importing kernel gains nothing from self_check."""
    from lrlab.exercisegen import generate

    generate(paths.SOLUTIONS_DIR, tmp_path)
    init = tmp_path / "schedulers" / "__init__.py"
    init.write_text(init.read_text() + (
        "\nimport lrlab.grading.grader as _g\n"
        "_g._grade_one = lambda name, *a, **k: __import__('lrlab.grading.report', fromlist=['x'])"
        ".SchedulerResult(name, 6, 6)\n"))
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import schedulers  # the kernel imported the learner's code (which patched the grader here)\n"
        "from lrlab.grading import self_check\n"
        "r = self_check('StepLR', quiet=True)\n"
        "print('RESULT', r.points, r.max_points)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240)
    assert "RESULT 0 6" in out.stdout, out.stdout + out.stderr


def test_without_isolation_the_first_line_says_so_and_it_can_be_required(tmp_path, monkeypatch):
    report = grade(paths.SOLUTIONS_DIR, only=["ExponentialLR"], sandbox="none")
    first = report.format_table().splitlines()[0]
    assert first.startswith("NOT ISOLATED") and "bubblewrap" in first
    assert report.total == 5 and report.to_dict()["isolated"] is False
    with pytest.raises(SandboxError, match="apt-get install bubblewrap"):
        grade(paths.SOLUTIONS_DIR, only=["ExponentialLR"], sandbox="none", require_sandbox=True)
    monkeypatch.setenv("LRLAB_REQUIRE_SANDBOX", "1")
    monkeypatch.setenv("LRLAB_SANDBOX", "none")
    with pytest.raises(SandboxError, match="refusing to grade without isolation"):
        grade(paths.SOLUTIONS_DIR, only=["ExponentialLR"])
    from lrlab.cli import main

    assert main(["grade", "--solutions", "--only", "StepLR", "--require-sandbox"]) == 1


# ------------------------------------------------------------------------------------- the command line


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lrlab.cli", "grade", *args], capture_output=True, text=True,
                          timeout=240, **kwargs)


def test_bad_command_line_input_is_one_line_and_exit_2_before_grading(tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "file.txt").write_text("x")
    cases = [["--solutions", "--timeout", v] for v in ("nan", "inf", "-1", "1e9", "0.001", "abc")]
    cases += [["--solutions", "--json", str(tmp_path / "missing" / "r.json")], [str(tmp_path / "file.txt")],
              [str(fifo)], [str(tmp_path / "nope")], ["--solutions", "--json", str(tmp_path)]]
    for args in cases:
        start = time.monotonic()
        out = _cli(*args)
        assert out.returncode == 2, (args, out.returncode, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("lrlab grade: "), (args, out.stderr)
        assert "Traceback" not in out.stderr and out.stdout == ""
        assert time.monotonic() - start < 20, args  # refused before any grading


def test_grade_piped_into_head_ends_quietly():
    out = subprocess.run(f"{sys.executable} -m lrlab.cli grade --solutions --only StepLR ExponentialLR | head -1",
                         shell=True, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0 and out.stderr == "", out.stderr
    assert len(out.stdout.splitlines()) == 1


@needs_bwrap
def test_other_processes_pipes_cannot_be_reached_through_proc(tmp_path):
    """The zygote and every scheduler's process are non-dumpable: /proc/PID/fd of another process is closed."""
    report = sandboxed(submission(tmp_path, "proc_fds"), ["StepLR", "MultiStepLR", "CyclicLR", "OneCycleLR"])
    assert points(report) == full("StepLR", "MultiStepLR", "CyclicLR", "OneCycleLR"), report.format_table()
