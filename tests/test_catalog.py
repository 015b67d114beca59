"""The scheduler catalog is the one place facts about a scheduler live, and torch agrees with it."""

from __future__ import annotations

import ast
import inspect
import re
import warnings
from pathlib import Path

import pytest
import torch

from lrlab import catalog
from lrlab.paths import SOLUTIONS_DIR, use_schedulers
from lrlab.stepping import make_optimizer

SRC = Path(catalog.__file__).resolve().parent
TORCH_CLASSES = {
    *(n for n in torch.optim.lr_scheduler.__all__ if n != "LRScheduler"),
    "SWALR",
}


def _build(name: str, kwargs: dict, n_groups: int = 1) -> None:
    catalog.torch_check(name, kwargs, n_groups)


def test_catalog_covers_every_torch_scheduler_and_the_solutions_export_them():
    assert set(catalog.SCHEDULERS) == TORCH_CLASSES
    solutions = use_schedulers("solutions")
    exported = set(solutions.__all__)
    assert set(catalog.SCHEDULERS) | {catalog.BASE_CLASS} <= exported
    for name, module in catalog.module_of().items():
        assert (SOLUTIONS_DIR / "schedulers" / f"{module}.py").is_file(), name
        assert getattr(solutions, name).__module__ == f"schedulers.{module}", name


def test_points_sum_to_100():
    assert sum(catalog.points().values()) == 100
    assert all(p > 0 for p in catalog.points().values())


@pytest.mark.parametrize("name", catalog.SCHEDULERS)
def test_defaults_are_torchs(name):
    record = catalog.get(name)
    sig = inspect.signature(catalog.torch_class(name).__init__).parameters
    for p in record.params:
        if p.name in sig and sig[p.name].default is not inspect.Parameter.empty:
            assert p.default == sig[p.name].default, (name, p.name, p.default, sig[p.name].default)
    torch_params = {k for k in sig if k not in ("self", "optimizer", "last_epoch", "verbose")}
    mine = {p.name for p in record.params if p.kind != "preset"} | {"lr_lambda"} if any(
        p.kind == "preset" for p in record.params) else {p.name for p in record.params}
    assert mine - {"horizon"} <= torch_params, (name, mine - torch_params)


def _boundaries(record: catalog.Scheduler, steps: int):
    base = record.defaults(steps)
    yield base
    for p in record.params:
        if p.kind in ("float", "log", "int", "steps"):
            for end in (p.low, p.high_for(steps)):
                yield {**base, p.name: int(end) if p.kind in ("int", "steps") else float(end)}
        elif p.kind in ("choice", "preset"):
            for option in p.options:
                yield {**base, p.name: option}
        elif p.kind == "bool":
            for option in (True, False):
                yield {**base, p.name: option}


@pytest.mark.parametrize("name", [n for n in catalog.SCHEDULERS if catalog.get(n).family != "composite"])
@pytest.mark.parametrize("steps", [2, 100, 10_000])
def test_torch_accepts_every_range_boundary(name, steps):
    """What would have caught LinearLR(total_iters=0): torch builds its class at every end of every range."""
    record = catalog.get(name)
    for values in _boundaries(record, steps):
        kwargs = catalog.constructor_kwargs(name, values)
        _build(name, kwargs, 3)
        solutions = use_schedulers("solutions")
        opt = make_optimizer([0.1, 0.2, 0.3], momentum=0.9)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(solutions, name)(opt, **kwargs)  # the reference accepts it too (no drift)


@pytest.mark.parametrize("name", [n for n in catalog.SCHEDULERS if catalog.get(n).bad_input])
def test_bad_inputs_are_rejected_by_torch(name):
    for kw in catalog.get(name).bad_input:
        kwargs = {k: v for k, v in kw.items() if k != "$opt"}
        opt_kind = kw.get("$opt", "sgd")
        if opt_kind == "none":
            with pytest.raises(TypeError):
                catalog.torch_class(name)(object(), **kwargs)
            continue
        full = {**catalog.constructor_kwargs(name, catalog.get(name).defaults(50)), **kwargs}
        with pytest.raises((TypeError, ValueError)):
            catalog.torch_check(name, full, 1, optimizer=opt_kind)


def test_random_draws_are_valid_for_torch():
    import numpy as np

    for name in catalog.SCHEDULERS:
        if catalog.get(name).family == "composite":
            continue
        for seed in range(30):
            kwargs = catalog.constructor_kwargs(name, catalog.random_kwargs(name, np.random.default_rng(seed), 200, 3))
            _build(name, kwargs, 3)


def _quoted_name_files(name: str) -> set[str]:
    pattern = re.compile(rf"[\"']{re.escape(name)}[\"']")
    return {str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if pattern.search(p.read_text())}


@pytest.mark.parametrize("name", catalog.SCHEDULERS)
def test_a_schedulers_name_is_written_in_at_most_three_toolkit_files(name):
    files = _quoted_name_files(name)
    assert len(files) <= 3, (name, sorted(files))


def _runtime_nodes(tree: ast.AST):
    """Every node except those under ``if TYPE_CHECKING:`` (imports that never execute)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            continue
        yield node
        yield from _runtime_nodes(node)


def _imports(path: Path, package: str) -> set[str]:
    tree = ast.parse(path.read_text())
    found = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                mod = f"{base}.{node.module}" if node.module else base
                found.add(mod)
                if not node.module:
                    found.update(f"{base}.{a.name}" for a in node.names)
            elif node.module and node.module.startswith("lrlab"):
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("lrlab"))
    return found


def test_no_two_toolkit_modules_import_each_other():
    modules: dict[str, Path] = {}
    for p in SRC.rglob("*.py"):
        rel = p.relative_to(SRC.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = p
    graph = {}
    for mod, path in modules.items():
        package = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        graph[mod] = {m for m in _imports(path, package) if m in modules and m != mod}
    # a package's __init__ re-exporting its submodules is not a cycle with them
    for mod in graph:
        graph[mod] = {m for m in graph[mod] if not (m.startswith(mod + ".") and modules[mod].name == "__init__.py")}
        if modules[mod].name != "__init__.py":
            graph[mod] = {m for m in graph[mod] if not mod.startswith(m + ".")}
    seen: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        seen[m] = 1
        stack.append(m)
        for n in graph[m]:
            if seen.get(n) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(n):] + [n]))
            if n not in seen:
                visit(n)
        stack.pop()
        seen[m] = 2

    for m in sorted(graph):
        if m not in seen:
            visit(m)
