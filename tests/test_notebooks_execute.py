"""Every course notebook executes headless (nbclient, real kernel, widgets included) with the learner's
stubs and with the reference solutions. Run: ``.venv/bin/pytest -m notebooks tests/test_notebooks_execute.py``.

``LRLAB_TEST=1`` shortens the training runs; ``LRLAB_SCHEDULERS`` picks the ``schedulers`` package
(a freshly generated stub copy, or "solutions"). Per-notebook wall times are printed at the end.
"""

from __future__ import annotations

import contextlib
import importlib.util
import re
import sys
from pathlib import Path

import nbformat
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
NAMES = sorted(p.stem for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
SCHEDULER_CHAPTERS = {f"{i:02d}" for i in range(2, 9)}
NOTEBOOK_TIMEOUT = 240  # seconds per notebook (pytest-timeout); a cell gets CELL_TIMEOUT
CELL_TIMEOUT = 120
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

pytestmark = pytest.mark.notebooks


def _runner():
    spec = importlib.util.spec_from_file_location("run_notebooks", REPO_ROOT / "scripts" / "run_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("run_notebooks", module)
    spec.loader.exec_module(module)
    return module


RUNNER = _runner()
TIMES: dict[tuple[str, str], float] = {}


@pytest.fixture(scope="session")
def stubs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh learner copy: solutions/ with every solution region stubbed (what `lrlab build-exercises` writes)."""
    return RUNNER.make_stubs(tmp_path_factory.mktemp("exercises"))


@pytest.fixture(scope="module", autouse=True)
def report_times(request: pytest.FixtureRequest):
    yield
    if not TIMES:
        return
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        _print_times(reporter.write_line if reporter else print)


def _print_times(write) -> None:
    variants = sorted({v for _, v in TIMES})
    write("")
    write("notebook execution times (s), LRLAB_TEST=1:")
    write(f"{'notebook':<28}" + "".join(f"{v:>12}" for v in variants))
    for name in NAMES:
        if any((name, v) in TIMES for v in variants):
            write(f"{name:<28}" + "".join(f"{TIMES[(name, v)]:12.1f}" if (name, v) in TIMES else f"{'-':>12}" for v in variants))
    write(f"{'total':<28}" + "".join(f"{sum(t for (_, w), t in TIMES.items() if w == v):12.1f}" for v in variants))


def _env(variant: str, stubs_dir: Path) -> dict[str, str]:
    return {"LRLAB_TEST": "1", "LRLAB_SCHEDULERS": str(stubs_dir) if variant == "stubs" else "solutions"}


def _mimes(nb: nbformat.NotebookNode) -> set[str]:
    return {m for c in nb.cells for o in c.get("outputs", []) for m in o.get("data", {})}


@pytest.mark.timeout(NOTEBOOK_TIMEOUT)
@pytest.mark.parametrize("variant", ["stubs", "solutions"])
@pytest.mark.parametrize("name", NAMES)
def test_notebook_executes(name: str, variant: str, stubs_dir: Path):
    run = RUNNER.execute(NOTEBOOKS_DIR / f"{name}.ipynb", env=_env(variant, stubs_dir), timeout=CELL_TIMEOUT)
    TIMES[(name, variant)] = run.seconds
    text = run.text()
    assert not run.errors
    assert "Traceback" not in text, text[text.find("Traceback") - 300 : text.find("Traceback") + 1500]
    assert "Environment ready." in run.stdout
    assert f"schedulers package: {_env(variant, stubs_dir)['LRLAB_SCHEDULERS']} ->" in run.stdout
    mimes = _mimes(run.nb)
    if name[:2] in SCHEDULER_CHAPTERS:
        assert WIDGET_MIME in mimes, "the explorer panel was displayed"
        assert "image/png" in mimes, "the static plots were drawn"
        pending = len(re.findall(r"not implemented yet", text))
        if variant == "stubs":
            assert pending > 0, "the self-check reports the stubs as not implemented yet"
        else:
            assert pending == 0, "the reference solutions pass the self-check"
    if name.startswith("09"):
        assert text.count("❌ not yet") == 8 and "✅" not in text, "every buggy snippet fails its check"


# The fixes of notebook 09's eight "FIX ME" cells, keyed by the cell's first line: the checks must accept them.
PITFALL_FIXES = {
    "def lrs_used(epochs=6):": """
def lrs_used(epochs=6):
    opt = toy_optimizer(0.1)
    sched = S.StepLR(opt, step_size=2, gamma=0.5)
    used = []
    for epoch in range(epochs):
        used.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return used
""",
    'STEP_EVERY = "epoch"  # FIX ME': 'STEP_EVERY = "batch"',
    "def make_scheduler(optimizer):": """
def make_scheduler(optimizer):
    return S.OneCycleLR(optimizer, max_lr=0.5, total_steps=EPOCHS * SPE)
""",
    "def make_cyclic(optimizer):": """
def make_cyclic(optimizer):
    return S.CyclicLR(optimizer, base_lr=0.001, max_lr=0.01, step_size_up=5, cycle_momentum=False)
""",
    "def resume(make_optimizer, make_scheduler, checkpoint):": """
def resume(make_optimizer, make_scheduler, checkpoint):
    optimizer = make_optimizer()
    scheduler = make_scheduler(optimizer)
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    return optimizer, scheduler
""",
    "def make_both(optimizer):": """
def make_both(optimizer):
    def factor(t):
        return 0.5 * (1 + math.cos(math.pi * (t % 10) / 10)) * 0.5 ** sum(t >= m for m in (15, 25))
    return [S.LambdaLR(optimizer, factor)]
""",
    "def make_warmup(optimizer):": """
def make_warmup(optimizer):
    return S.LinearLR(optimizer, start_factor=0.1, end_factor=1.0, total_iters=5)
""",
    "def adjust_learning_rate(optimizer, epoch, T_0=5, T_mult=2, eta_min=0.0, eta_max=0.1):": """
def adjust_learning_rate(optimizer, epoch, T_0=5, T_mult=2, eta_min=0.0, eta_max=0.1):
    t, T_i = epoch, T_0
    while t >= T_i:
        t -= T_i
        T_i *= T_mult
    lr = eta_min + (eta_max - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2
    for group in optimizer.param_groups:
        group["lr"] = lr
""",
}


@pytest.mark.timeout(NOTEBOOK_TIMEOUT)
def test_pitfall_checks_accept_the_fixes(tmp_path: Path):
    nb = nbformat.read(NOTEBOOKS_DIR / "09_pitfalls.ipynb", as_version=4)
    replaced = 0
    for cell in nb.cells:
        first = cell.source.splitlines()[0] if cell.source else ""
        if cell.cell_type == "code" and "FIX ME" in cell.source:
            cell.source = PITFALL_FIXES[first].strip()
            replaced += 1
    assert replaced == len(PITFALL_FIXES) == 8
    path = tmp_path / "09_pitfalls_fixed.ipynb"
    nbformat.write(nb, path)
    run = RUNNER.execute(path, env={"LRLAB_TEST": "1", "LRLAB_SCHEDULERS": "solutions"}, timeout=CELL_TIMEOUT)
    text = run.text()
    assert text.count("✅") == 8, text
    assert "❌" not in text
