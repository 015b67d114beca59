"""Fixes from a learner walkthrough: re-run picks up edits, time limit on the learner's code, stub note wording,
"reference solutions" labelling, bench table layout. Real ipywidgets / matplotlib (Agg) / torch."""

from __future__ import annotations

import contextlib
import io
import re
import signal
import sys
import threading
import time
import types

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import lrlab  # noqa: E402
from lrlab.explorer import engine, explore, warmup_composer  # noqa: E402

STEPLR = '''
class StepLR:
    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        self.optimizer, self.step_size, self.gamma = optimizer, step_size, gamma
        self.base = [g["lr"] for g in optimizer.param_groups]
        self.last_epoch = 0
        self._write()
    def _write(self):
        for g, b in zip(self.optimizer.param_groups, self.base):
            g["lr"] = b * self.gamma ** ((self.last_epoch + OFFSET) // self.step_size)
    def step(self):
        self.last_epoch += 1
        LOOP
        self._write()
    def get_last_lr(self):
        return [g["lr"] for g in self.optimizer.param_groups]
'''


def steplr(offset: int = 0, loop: str = "pass") -> str:
    return STEPLR.replace("OFFSET", str(offset)).replace("LOOP", loop)


@pytest.fixture
def clean_schedulers():
    """Forget any imported ``schedulers`` and restore sys.path afterwards."""
    saved = list(sys.path)

    def forget() -> None:
        for key in [m for m in sys.modules if m == "schedulers" or m.startswith("schedulers.")]:
            del sys.modules[key]

    forget()
    yield
    sys.path[:] = saved
    forget()


# 1. explore(module=None) re-imports the learner's package on every call ---------------------------------------
def test_rerunning_explore_picks_up_edited_learner_code(tmp_path, clean_schedulers):
    pkg = tmp_path / "schedulers"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(steplr(offset=1))
    lrlab.use_schedulers(tmp_path)  # the kernel imported the learner's copy (e.g. a self-check cell)
    panel = explore("StepLR", steps=40, step_size=10)
    assert "differs from torch first at step 9" in panel.message_text
    # the learner edits the file (a different size, so no stale bytecode can match) and re-runs the cell
    (pkg / "__init__.py").write_text(steplr(offset=0) + "\n# fixed\n")
    panel = explore("StepLR", steps=40, step_size=10)
    assert "matches torch on all 40 steps" in panel.message_text, panel.message_text
    assert sys.modules["schedulers"].__file__ == str((pkg / "__init__.py").resolve())


def test_module_none_import_error_is_a_note_not_a_traceback(tmp_path, clean_schedulers):
    pkg = tmp_path / "schedulers"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(steplr())
    lrlab.use_schedulers(tmp_path)
    (pkg / "__init__.py").write_text("undefined_name + 1\n")
    panel = explore("StepLR", steps=30)
    assert panel.error is None
    assert "Could not import your schedulers package: NameError" in panel.message_text


# 2. a time limit on the learner's class ------------------------------------------------------------------------
def test_infinite_loop_in_learner_is_stopped_with_a_note(tmp_path, clean_schedulers):
    pkg = tmp_path / "schedulers"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(steplr(loop="while True: pass"))
    mod = lrlab.use_schedulers(tmp_path)
    start = time.monotonic()
    panel = explore("StepLR", steps=50, module=mod)  # the default limit: 2 s
    assert time.monotonic() - start < 15
    assert panel.error is None
    assert "Your StepLR did not finish 50 steps within 2 s \u2014 an infinite loop?" in panel.message_text
    assert "fix schedulers/__init__.py, then press 'Reload my code'" in panel.message_text
    assert list(panel.figure.line_data("lr")) == ["torch"] and panel.image.value[:4] == b"\x89PNG"
    # later redraws do not run the looping code again (no 2 s freeze per slider move) until a reload
    start = time.monotonic()
    panel.param_widgets["gamma"].value = 0.5
    assert time.monotonic() - start < 1.5 and "infinite loop?" in panel.message_text
    (pkg / "__init__.py").write_text(steplr() + "\n# fixed\n")
    panel.overlay.reload.click()
    assert "matches torch on all 50 steps" in panel.message_text, panel.message_text


def test_time_limit_applies_to_composer_and_custom_limit():
    looping = types.ModuleType("looping")
    exec(  # noqa: S102 - test fixture
        "class SequentialLR:\n    def __init__(self, *a, **k):\n        while True:\n            pass\n"
        "class LinearLR:\n    def __init__(self, *a, **k):\n        pass\n"
        "class CosineAnnealingLR(LinearLR):\n    pass\n", looping.__dict__)
    start = time.monotonic()
    panel = warmup_composer(steps=100, module=looping, learner_timeout=0.3)
    assert time.monotonic() - start < 10
    assert "did not finish 100 steps within 0.3 s" in panel.message_text and panel.error is None
    with pytest.raises(ValueError, match="learner_timeout"):
        explore("StepLR", module=False, learner_timeout=0)


def test_time_limit_restores_previous_handler_and_pending_timer():
    seen = []

    def handler(signum, frame):
        seen.append(signum)

    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        with pytest.raises(engine.LearnerTimeout):
            with engine.time_limit(0.1, 7):
                while True:
                    pass
        assert signal.getsignal(signal.SIGALRM) is handler
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 25.0 < left <= 30.0  # the outer timer is still pending, less the time spent
        signal.setitimer(signal.ITIMER_REAL, 0)
        assert not seen
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)

    # outside the main thread no signal is used: the block runs to completion
    result = []

    def worker():
        with engine.time_limit(0.01, 5):
            time.sleep(0.05)
        result.append(signal.getsignal(signal.SIGALRM))

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert result == [old]


# 3. the stub note names the file to edit ------------------------------------------------------------------------
def test_stub_note_says_which_file_to_implement(clean_schedulers, tmp_path):
    from lrlab import exercisegen
    from lrlab.paths import SOLUTIONS_DIR

    exercisegen.generate(SOLUTIONS_DIR, tmp_path)  # fresh stubs: the learner's own copy may be implemented
    panel = explore("StepLR", steps=30, module=tmp_path)
    text = panel.message_text
    assert "implement the stub(s) in schedulers/step.py, then press 'Reload my code'" in text, text
    assert "solution region" not in text
    panel = explore("CosineAnnealingLR", steps=30, module=tmp_path)
    assert "implement the stub(s) in schedulers/cosine.py" in panel.message_text, panel.message_text


# 4. the reference solutions are not called "your" ----------------------------------------------------------------
def test_solutions_overlay_is_labelled_reference(clean_schedulers):
    lrlab.use_schedulers("solutions")
    panel = explore("StepLR", steps=40)  # module=None after use_schedulers("solutions")
    legend = list(panel.figure.line_data("lr"))
    assert legend == ["torch", "StepLR (reference solutions)"], legend
    assert panel.message_text.startswith("The reference solutions' StepLR matches torch"), panel.message_text
    assert "your" not in panel.message_text.lower()
    assert panel.overlay.toggle.description == "overlay reference solutions"
    mine = explore("StepLR", steps=40, module=types.ModuleType("mine"))
    assert mine.overlay.toggle.description == "overlay my implementation"


def test_env_switch_to_solutions_is_labelled_reference(monkeypatch, clean_schedulers):
    monkeypatch.setenv("LRLAB_SCHEDULERS", "solutions")
    panel = explore("ExponentialLR", steps=40)
    assert "ExponentialLR (reference solutions)" in panel.figure.line_data("lr")
    assert "reference solutions' ExponentialLR matches torch" in panel.message_text


# 5. bench tables -----------------------------------------------------------------------------------------------
def _table(out: str) -> list[str]:
    lines = out.splitlines()
    sep = [i for i, line in enumerate(lines) if re.fullmatch(r"-{20,}", line)]
    assert len(sep) >= 2, out
    return lines[sep[0] - 1:sep[1]]


def _column_ends(header: str) -> list[int]:
    """Where each header column ends (a column title may hold single spaces: "torch step ms")."""
    return [m.end() for m in re.finditer(r"\S+(?: \S+)*", header)]


def test_preview_bench_table_is_aligned():
    from lrlab.bench import preview as bench

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        bench.run(quick=True, steps=400)
    header, sep, *rows = _table(buf.getvalue())
    assert len(sep) == len(header)
    assert any(r.startswith("ReduceLROnPlateau min_lr, cooldown ") for r in rows)
    want = _column_ends(header)[-4:]
    for row in rows:  # numeric columns end where the header's columns end (a "(< 500x)" flag may follow)
        ends = [m.end() for m in re.finditer(r"\S+", row[: len(header)])][-4:]
        assert ends == want, (row, header)


def test_explorer_bench_explains_frames():
    from lrlab.bench import explorer as bench

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        bench.run(quick=True, steps=2000)
    out = buf.getvalue()
    header, sep, *rows = _table(out)
    assert "frames" in header and len(rows) == len(bench.SPECS)
    want = _column_ends(header)[-5:]
    for row in rows:
        assert [m.end() for m in re.finditer(r"\S+", row)][-5:] == want, (row, header)
    after = out.splitlines()[out.splitlines().index(sep, out.splitlines().index(header) + 2) + 1]
    assert after.startswith("frames:") and "whole figure" in after
