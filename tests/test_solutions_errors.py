"""Bad input, package structure and independence from torch.optim.lr_scheduler for the reference schedulers."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import warnings

import pytest
import torch
import torch.optim.lr_scheduler as T

import lrlab
from lrlab.paths import SOLUTIONS_DIR

S = lrlab.use_schedulers("solutions")
PKG_DIR = SOLUTIONS_DIR / "schedulers"
ALL_CLASSES = {
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts",
    "LinearLR", "LambdaLR", "CyclicLR", "OneCycleLR", "SequentialLR", "ChainedScheduler", "ReduceLROnPlateau",
    "ConstantLR", "MultiplicativeLR", "PolynomialLR", "SWALR",
}  # fmt: skip


def sgd(n_groups: int = 2) -> torch.optim.Optimizer:
    groups = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1} for _ in range(n_groups)]
    return torch.optim.SGD(groups, lr=0.1, momentum=0.9)


def adagrad() -> torch.optim.Optimizer:
    return torch.optim.Adagrad([torch.nn.Parameter(torch.zeros(1))], lr=0.1)


def other_child(M, o):
    """A scheduler on a different optimizer than ``o``."""
    return M.ExponentialLR(sgd(), 0.9)


# (id, call(M) that must raise, exception type, a word the message must contain). torch raises the same type.
LIKE_TORCH = [
    ("not-an-optimizer", lambda M: M.StepLR(object(), 3), TypeError, "Optimizer"),
    ("plateau-not-an-optimizer", lambda M: M.ReduceLROnPlateau([1, 2]), TypeError, "Optimizer"),
    ("lambda-count", lambda M: M.LambdaLR(sgd(2), [lambda e: 1.0]), ValueError, "lr_lambdas"),
    ("lambda-not-callable", lambda M: M.LambdaLR(sgd(), 0.5), TypeError, "callable"),
    ("linear-start-0", lambda M: M.LinearLR(sgd(), start_factor=0), ValueError, "start"),
    ("linear-start-big", lambda M: M.LinearLR(sgd(), start_factor=1.5), ValueError, "start"),
    ("linear-end-neg", lambda M: M.LinearLR(sgd(), end_factor=-0.1), ValueError, "end"),
    ("cawr-T0-0", lambda M: M.CosineAnnealingWarmRestarts(sgd(), 0), ValueError, "T_0"),
    ("cawr-T0-float", lambda M: M.CosineAnnealingWarmRestarts(sgd(), 2.5), ValueError, "T_0"),
    ("cawr-Tmult-0", lambda M: M.CosineAnnealingWarmRestarts(sgd(), 3, T_mult=0), ValueError, "T_mult"),
    ("cawr-Tmult-float", lambda M: M.CosineAnnealingWarmRestarts(sgd(), 3, T_mult=1.5), ValueError, "T_mult"),
    ("cawr-eta-str", lambda M: M.CosineAnnealingWarmRestarts(sgd(), 3, eta_min="0"), ValueError, "eta_min"),
    ("cawr-neg-epoch", lambda M: M.CosineAnnealingWarmRestarts(sgd(), 3).step(-1), ValueError, "epoch"),
    ("cyclic-mode", lambda M: M.CyclicLR(sgd(), 0.01, 0.1, mode="cosine"), ValueError, "mode"),
    ("cyclic-base-count", lambda M: M.CyclicLR(sgd(2), [0.01], 0.1), ValueError, "base_lr"),
    ("cyclic-max-count", lambda M: M.CyclicLR(sgd(2), 0.01, [0.1, 0.2, 0.3]), ValueError, "max_lr"),
    (
        "cyclic-momentum-count",
        lambda M: M.CyclicLR(sgd(2), 0.01, 0.1, max_momentum=[0.9]),
        ValueError,
        "momentum",
    ),
    ("cyclic-adagrad", lambda M: M.CyclicLR(adagrad(), 0.01, 0.1), ValueError, "momentum"),
    ("onecycle-no-length", lambda M: M.OneCycleLR(sgd(), 0.1), ValueError, "total_steps"),
    ("onecycle-epochs-only", lambda M: M.OneCycleLR(sgd(), 0.1, epochs=3), ValueError, "steps_per_epoch"),
    ("onecycle-total-0", lambda M: M.OneCycleLR(sgd(), 0.1, total_steps=0), ValueError, "total_steps"),
    ("onecycle-total-float", lambda M: M.OneCycleLR(sgd(), 0.1, total_steps=10.0), ValueError, "total_steps"),
    (
        "onecycle-epochs-0",
        lambda M: M.OneCycleLR(sgd(), 0.1, epochs=0, steps_per_epoch=5),
        ValueError,
        "epochs",
    ),
    (
        "onecycle-spe-0",
        lambda M: M.OneCycleLR(sgd(), 0.1, epochs=2, steps_per_epoch=0),
        ValueError,
        "steps_per_epoch",
    ),
    ("onecycle-pct-int", lambda M: M.OneCycleLR(sgd(), 0.1, 10, pct_start=1), ValueError, "pct_start"),
    ("onecycle-pct-big", lambda M: M.OneCycleLR(sgd(), 0.1, 10, pct_start=1.5), ValueError, "pct_start"),
    (
        "onecycle-strategy",
        lambda M: M.OneCycleLR(sgd(), 0.1, 10, anneal_strategy="exp"),
        ValueError,
        "anneal_strategy",
    ),
    ("onecycle-adagrad", lambda M: M.OneCycleLR(adagrad(), 0.1, 10), ValueError, "momentum"),
    ("onecycle-max-count", lambda M: M.OneCycleLR(sgd(2), [0.1], 10), ValueError, "max_lr"),
    ("plateau-factor-1", lambda M: M.ReduceLROnPlateau(sgd(), factor=1.0), ValueError, "actor"),
    ("plateau-mode", lambda M: M.ReduceLROnPlateau(sgd(), mode="avg"), ValueError, "mode"),
    (
        "plateau-threshold-mode",
        lambda M: M.ReduceLROnPlateau(sgd(), threshold_mode="pct"),
        ValueError,
        "threshold",
    ),
    ("plateau-min-lr-count", lambda M: M.ReduceLROnPlateau(sgd(2), min_lr=[0.1]), ValueError, "min_lr"),
    ("sequential-empty", lambda M: M.SequentialLR(sgd(), [], []), ValueError, "scheduler"),
    (
        "sequential-milestone-count",
        lambda M: (lambda o: M.SequentialLR(o, [M.ExponentialLR(o, 0.9)], [3]))(sgd()),
        ValueError,
        "milestone",
    ),
    (
        "sequential-plateau",
        lambda M: (lambda o: M.SequentialLR(o, [M.ExponentialLR(o, 0.9), M.ReduceLROnPlateau(o)], [3]))(
            sgd()
        ),
        ValueError,
        "ReduceLROnPlateau",
    ),
    (
        "sequential-other-optimizer",
        lambda M: (lambda o: M.SequentialLR(o, [M.ExponentialLR(o, 0.9), other_child(M, o)], [3]))(sgd()),
        ValueError,
        "same optimizer",
    ),
    (
        "sequential-no-optimizer-attr",
        lambda M: (lambda o: M.SequentialLR(o, [M.ExponentialLR(o, 0.9), object()], [3]))(sgd()),
        TypeError,
        "optimizer",
    ),
    ("chained-empty", lambda M: M.ChainedScheduler([]), ValueError, "scheduler"),
    (
        "chained-plateau",
        lambda M: (lambda o: M.ChainedScheduler([M.ExponentialLR(o, 0.9), M.ReduceLROnPlateau(o)]))(sgd()),
        ValueError,
        "ReduceLROnPlateau",
    ),
    (
        "chained-other-optimizer",
        lambda M: (lambda o: M.ChainedScheduler([M.ExponentialLR(o, 0.9), other_child(M, o)]))(sgd()),
        ValueError,
        "same optimizer",
    ),
]


@pytest.mark.parametrize(
    ("call", "exc", "needle"), [c[1:] for c in LIKE_TORCH], ids=[c[0] for c in LIKE_TORCH]
)
def test_bad_input_raises_like_torch(call, exc, needle):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(exc):
            call(T)
    with pytest.raises(exc) as info:
        call(S)
    assert type(info.value) is exc or exc is TypeError, f"raised {type(info.value).__name__}"
    assert needle in str(info.value), f"message does not name {needle!r}: {info.value}"


# Input torch accepts at construction but that makes no schedule (or fails later with e.g. ZeroDivisionError):
# the reference rejects it up front with a ValueError/TypeError naming the parameter.
STRICTER = [
    ("step-size-0", lambda: S.StepLR(sgd(), 0), ValueError, "step_size"),
    ("step-size-float", lambda: S.StepLR(sgd(), 2.5), TypeError, "step_size"),
    ("step-gamma-str", lambda: S.StepLR(sgd(), 2, gamma="0.1"), TypeError, "gamma"),
    ("multistep-negative", lambda: S.MultiStepLR(sgd(), [3, -1]), ValueError, "milestone"),
    ("multistep-not-iterable", lambda: S.MultiStepLR(sgd(), 5), TypeError, "milestones"),
    ("exp-gamma-0", lambda: S.ExponentialLR(sgd(), 0.0), ValueError, "gamma"),
    ("cos-Tmax-0", lambda: S.CosineAnnealingLR(sgd(), 0), ValueError, "T_max"),
    ("linear-total-negative", lambda: S.LinearLR(sgd(), total_iters=-1), ValueError, "total_iters"),  # 0: like torch
    ("cyclic-up-0", lambda: S.CyclicLR(sgd(), 0.01, 0.1, step_size_up=0), ValueError, "step_size_up"),
    (
        "cyclic-scale-mode",
        lambda: S.CyclicLR(sgd(), 0.01, 0.1, scale_mode="epochs"),
        ValueError,
        "scale_mode",
    ),
    ("onecycle-div-0", lambda: S.OneCycleLR(sgd(), 0.1, 10, div_factor=0.0), ValueError, "div_factor"),
    ("plateau-patience", lambda: S.ReduceLROnPlateau(sgd(), patience=-1), ValueError, "patience"),
    ("plateau-factor-neg", lambda: S.ReduceLROnPlateau(sgd(), factor=-0.5), ValueError, "factor"),
    (
        "sequential-unsorted",
        lambda: (lambda o: S.SequentialLR(o, [S.ExponentialLR(o, 0.9)] * 3, [8, 4]))(sgd()),
        ValueError,
        "increasing",
    ),
    ("last-epoch", lambda: S.StepLR(sgd(), 3, last_epoch=-2), ValueError, "last_epoch"),
]


@pytest.mark.parametrize(("call", "exc", "needle"), [c[1:] for c in STRICTER], ids=[c[0] for c in STRICTER])
def test_bad_input_torch_accepts_is_rejected_clearly(call, exc, needle):
    with pytest.raises(exc) as info:
        call()
    assert needle in str(info.value)


def test_triangular2_overflows_like_torch():
    for M in (S, T):
        sched = M.CyclicLR(sgd(), 0.01, 0.1, step_size_up=1, mode="triangular2")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(OverflowError):
                for _ in range(3000):
                    sched.step()


# ---- package structure -------------------------------------------------------------------------------------


#: Bonus exercises (chapter 10): schedules torch lacks, exported beside torch's classes.
BONUS_CLASSES = {"InverseSqrtLR", "WarmupStableDecayLR", "CosineLR"}


def test_exports_all_classes():
    assert set(S.__all__) == ALL_CLASSES | BONUS_CLASSES
    for name in ALL_CLASSES - {"LRScheduler"}:
        assert issubclass(getattr(S, name), S.LRScheduler), name


def _type_only(tree: ast.AST) -> set[int]:
    """ids of import nodes under ``if TYPE_CHECKING:`` (annotations only; never executed)."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            out.update(id(n) for n in ast.walk(node))
    return out


def test_never_imports_torch_lr_scheduler():
    for path in PKG_DIR.glob("*.py"):
        source = path.read_text()
        assert "__import__" not in source and "importlib" not in source, path.name
        tree = ast.parse(source)
        typing_only = _type_only(tree)
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert "lr_scheduler" not in name and "swa_utils" not in name, path.name
                if name.startswith("torch"):  # only the optimizer's type, for annotations
                    assert id(node) in typing_only and name == "torch.optim", (path.name, name)
    # And importing the package does not even load torch.
    code = "import sys, lrlab; lrlab.use_schedulers('solutions'); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "False"


def _regions(source: str) -> list[tuple[int, int, str]]:
    lines = source.splitlines()
    regions, begin = [], None
    for number, line in enumerate(lines, start=1):
        m = re.match(r"^(\s*)### (BEGIN|END) SOLUTION\s*$", line)
        if not m:
            continue
        if m[2] == "BEGIN":
            assert begin is None, f"line {number}: nested BEGIN"
            begin = (number, m[1])
        else:
            assert begin is not None and begin[1] == m[1], f"line {number}: END without matching BEGIN indent"
            regions.append((begin[0], number, m[1]))
            begin = None
    assert begin is None, "unclosed BEGIN"
    return regions


@pytest.mark.parametrize("path", sorted(PKG_DIR.glob("*.py")), ids=lambda p: p.name)
def test_regions_are_whole_method_bodies_with_formula_docstrings(path):
    source = path.read_text()
    functions = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)]
    for begin, end, indent in _regions(source):
        owners = [
            f for f in functions if f.lineno < begin and f.end_lineno < end and f.end_lineno >= begin - 1
        ]
        assert owners, f"{path.name}:{begin}: region is not inside a function"
        func = max(owners, key=lambda f: f.lineno)
        assert len(indent) == func.col_offset + 4, f"{path.name}:{begin}: region not indented like the body"
        doc = ast.get_docstring(func)
        assert doc and "Hint:" in doc, f"{path.name}: {func.name} needs a docstring with a 'Hint:' line"
        assert func.body[0].end_lineno < begin, (
            f"{path.name}: {func.name}'s docstring must stay outside the region"
        )
        for stmt in func.body[1:]:
            assert begin < stmt.lineno and stmt.end_lineno < end, (
                f"{path.name}:{stmt.lineno}: {func.name} has code outside its region"
            )


def test_package_imports_and_classes_exist_when_every_region_is_a_stub(tmp_path):
    from lrlab.exercisegen import generate

    generate(SOLUTIONS_DIR, tmp_path)
    try:
        stubbed = lrlab.use_schedulers(tmp_path)
        assert set(stubbed.__all__) == ALL_CLASSES | BONUS_CLASSES
        with pytest.raises(NotImplementedError, match=r"StepLR.__init__"):
            stubbed.StepLR(sgd(), 3)
        with pytest.raises(NotImplementedError, match=r"ReduceLROnPlateau.__init__"):
            stubbed.ReduceLROnPlateau(sgd())
    finally:
        lrlab.use_schedulers("solutions")
