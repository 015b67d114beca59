"""Copied code: a learner's class vendored from torch's ``lr_scheduler.py``, or a package copied from the reference.

Code is compared as *normalized tokens* (Python's tokenizer; comments, whitespace and line breaks dropped;
every identifier becomes ``v``, every string ``s``, every number ``0``), so renaming, reformatting and
stripping comments change nothing. Each token sequence is fingerprinted by winnowing (Schleimer et al.,
SIGMOD 2003): hashes of all ``K``-token windows, keeping the minimum of every ``W`` consecutive hashes.

- ``vendored_classes(files)``: a learner class is vendored when ``containment = |F(class) ∩ F(torch
  class)| / |F(class)| >= VENDORED_THRESHOLD`` for some class of torch's ``lr_scheduler.py``/``swa_utils.py``
  (read from torch's installed source by the grading process only) and the class has at least
  ``MIN_FINGERPRINTS`` fingerprints. It costs the scheduler(s) that class defines (by name, alias or
  inheritance).
- ``matches_reference(path)``: the reference solutions' own fingerprints are those of each
  ``solutions/schedulers`` file minus those of its generated stub; a learner file matches when it holds at
  least ``REFERENCE_THRESHOLD`` of them. Flagged in the report (instructors need to know), not zeroed.

The thresholds are calibrated in ``tests/test_grading_attacks.py`` (``python -m lrlab.grading.similarity``
prints the figures): honest implementations stay far below, vendored copies far above.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import io
import keyword
import os
import sys
import textwrap
import tokenize
import zlib
from pathlib import Path

from lrlab.grading.snapshot import package_files
from lrlab.grading.spec import SCHEDULERS

K = 20
W = 4
VENDORED_THRESHOLD = 0.8
MIN_FINGERPRINTS = 15
REFERENCE_THRESHOLD = 0.7
MIN_REFERENCE_FINGERPRINTS = 10
MAX_SOURCE = 1_000_000


class _Canonical(ast.NodeTransformer):
    """Drops docstrings, type annotations and signatures (the API is shared; ``ast.unparse`` fixes the layout)."""

    def _body(self, node: ast.AST) -> ast.AST:
        body = getattr(node, "body", None)
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
        return node

    def visit_Module(self, node: ast.Module) -> ast.AST:
        self.generic_visit(node)
        return self._body(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.generic_visit(node)
        return self._body(node)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.generic_visit(node)
        node.returns = None
        node.args = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                                  kwarg=None, defaults=[])
        node.decorator_list = []
        return self._body(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.annotation = None
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST | None:
        if node.value is None:
            return None
        return ast.Assign(targets=[node.target], value=node.value, lineno=node.lineno)


def canonical(source: str) -> str:
    """``source`` re-printed by ``ast.unparse`` without docstrings, comments and annotations (or as is)."""
    try:
        tree = ast.parse(source)
        return ast.unparse(ast.fix_missing_locations(_Canonical().visit(tree)))
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError, TypeError, AttributeError):
        return source


def normalized_tokens(source: str) -> list[str]:
    """Tokens of :func:`canonical` ``(source)``: identifiers -> ``v``, strings -> ``s``, numbers -> ``0``."""
    source = canonical(source)
    out: list[str] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.NAME:
                out.append(tok.string if keyword.iskeyword(tok.string) else "v")
            elif tok.type == tokenize.STRING or tok.type in _FSTRING:
                if not out or out[-1] != "s":
                    out.append("s")
            elif tok.type == tokenize.NUMBER:
                out.append("0")
            elif tok.type == tokenize.OP:
                out.append(tok.string)
    except (tokenize.TokenError, IndentationError, SyntaxError, RecursionError, MemoryError):
        pass
    return out


_FSTRING = {getattr(tokenize, n) for n in ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END") if hasattr(tokenize, n)}


def fingerprints(tokens: list[str], k: int = K, w: int = W) -> set[int]:
    """Winnowed CRC32 hashes of the ``k``-token windows of ``tokens`` (the minimum of each ``w`` consecutive)."""
    if len(tokens) < k:
        return {zlib.crc32(" ".join(tokens).encode())} if tokens else set()
    hashes = [zlib.crc32(" ".join(tokens[i:i + k]).encode()) for i in range(len(tokens) - k + 1)]
    if len(hashes) <= w:
        return {min(hashes)}
    return {min(hashes[i:i + w]) for i in range(len(hashes) - w + 1)}


def _classes(source: str) -> list[tuple[str, list[str], str]]:
    """(name, base names, source text) of every class in ``source`` (nested ones included)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return []
    lines = source.splitlines()
    found = []
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        todo.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
            bases = [b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
                     for b in node.bases]
            text = textwrap.dedent("\n".join(lines[node.lineno - 1:node.end_lineno]))
            found.append((node.name, bases, text))
    return found


def _aliases(source: str) -> dict[str, str]:
    """Top-level ``A = B`` assignments (name -> aliased name)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return {}
    out = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Name):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = stmt.value.id
    return out


def torch_source_files() -> list[Path]:
    """torch's scheduler sources as installed (``torch/optim/lr_scheduler.py``, ``swa_utils.py``)."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.origin:
        return []
    optim = Path(spec.origin).parent / "optim"
    return [p for p in (optim / "lr_scheduler.py", optim / "swa_utils.py") if p.is_file()]


@functools.cache
def torch_class_fingerprints() -> dict[str, set[int]]:
    """``{torch class name: fingerprints}`` for every class of torch's scheduler sources."""
    out: dict[str, set[int]] = {}
    for path in torch_source_files():
        for name, _bases, text in _classes(path.read_text(encoding="utf-8")):
            out[name] = fingerprints(normalized_tokens(text))
    return out


def class_scores(source: str) -> dict[str, tuple[float, str, int]]:
    """``{class: (containment, best torch class, fingerprint count)}`` for every class in ``source``."""
    torch_fp = torch_class_fingerprints()
    scores = {}
    for name, _bases, text in _classes(source):
        fp = fingerprints(normalized_tokens(text))
        best, best_name = 0.0, ""
        for torch_name, tfp in torch_fp.items():
            if fp:
                value = len(fp & tfp) / len(fp)
                if value > best:
                    best, best_name = value, torch_name
        scores[name] = (best, best_name, len(fp))
    return scores


def vendored_classes(files: dict[str, bytes], package: str = "schedulers") -> dict[str, str]:
    """``{scheduler: reason}`` for schedulers defined by (or built on) a class copied from torch; never raises."""
    flagged: dict[str, str] = {}  # class name -> reason
    bases: dict[str, list[str]] = {}
    aliases: dict[str, str] = {}
    for rel in sorted(files):
        data = files[rel]
        if not rel.endswith(".py") or len(data) > MAX_SOURCE:
            continue
        source = data.decode("utf-8", errors="replace")
        try:
            for name, (score, torch_name, count) in class_scores(source).items():
                if score >= VENDORED_THRESHOLD and count >= MIN_FINGERPRINTS:
                    flagged.setdefault(name, f"{package}/{rel}: class {name} is copied from torch's "
                                             f"{torch_name} ({score:.0%} of its code matches torch's source)")
            for name, class_bases, _text in _classes(source):
                bases.setdefault(name, class_bases)
            aliases.update(_aliases(source))
        except (RecursionError, MemoryError):
            continue
    affected: dict[str, str] = {}
    if not flagged:
        return affected

    def origin(name: str, depth: int = 0) -> str | None:
        if depth > 20:
            return None
        if name in flagged:
            return flagged[name]
        if name in aliases and aliases[name] != name:
            found = origin(aliases[name], depth + 1)
            if found:
                return found
        for base in bases.get(name, []):
            found = origin(base, depth + 1)
            if found:
                return found
        return None

    for scheduler in SCHEDULERS:
        why = origin(scheduler)
        if why:
            affected[scheduler] = f"vendored torch code: {why}"
    if not affected:  # a vendored helper that no graded class names: it costs them all
        first = next(iter(flagged.values()))
        affected = {s: f"vendored torch code: {first}" for s in SCHEDULERS}
    return affected


# -------------------------------------------------------------------------------- the reference solutions


@functools.cache
def reference_fingerprints() -> dict[str, set[int]]:
    """``{file: fingerprints of the reference's solution code}`` (the file's minus its generated stub's)."""
    from lrlab.exercisegen import stub_source
    from lrlab.paths import SOLUTIONS_DIR

    out: dict[str, set[int]] = {}
    folder = SOLUTIONS_DIR / "schedulers"
    for path in sorted(folder.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        try:
            stub = stub_source(text, f"schedulers/{path.name}")
        except Exception:  # noqa: BLE001 - a file without regions
            stub = ""
        own = fingerprints(normalized_tokens(text)) - fingerprints(normalized_tokens(stub))
        if len(own) >= MIN_REFERENCE_FINGERPRINTS:
            out[path.name] = own
    return out


def reference_scores(files: dict[str, bytes]) -> dict[str, float]:
    """``{reference file: share of its solution fingerprints found anywhere in the learner's files}``."""
    learner: set[int] = set()
    for rel, data in files.items():
        if rel.endswith(".py") and len(data) <= MAX_SOURCE:
            learner |= fingerprints(normalized_tokens(data.decode("utf-8", errors="replace")))
    return {name: len(fp & learner) / len(fp) for name, fp in reference_fingerprints().items()}


def matches_reference_files(files: dict[str, bytes]) -> list[str]:
    """Reference files whose solution code the snapshot ``files`` contains: ``["step.py (96%)", ...]``."""
    try:
        scores = reference_scores(files)
    except Exception:  # noqa: BLE001 - a flag must never stop grading
        return []
    return [f"{name} ({score:.0%})" for name, score in sorted(scores.items()) if score >= REFERENCE_THRESHOLD]


def matches_reference(path: str | os.PathLike[str]) -> list[str]:
    """Files of the ``schedulers`` package at ``path`` (the package or its folder) that match the shipped
    reference solutions, as ``"step.py (96%)"`` (share of the reference's solution code found); [] if none.
    """
    package = Path(path)
    if (package / "schedulers" / "__init__.py").is_file():
        package = package / "schedulers"
    return matches_reference_files(package_files(package).files)


def calibration(packages: dict[str, Path]) -> list[tuple[str, str, float, str, float, int]]:
    """(package, class, torch containment, torch class, reference share of its file, fingerprints) per class."""
    rows = []
    for label, package in packages.items():
        files = package_files(package).files
        ref = reference_scores(files) if files else {}
        for rel in sorted(files):
            if rel.endswith(".py"):
                for name, (score, torch_name, count) in class_scores(files[rel].decode("utf-8", "replace")).items():
                    rows.append((label, f"{rel}:{name}", score, torch_name, ref.get(rel, 0.0), count))
    return rows


def main(argv: list[str] | None = None) -> int:
    """``python -m lrlab.grading.similarity [LABEL=PACKAGE ...]``: print the calibration table."""
    from lrlab.paths import SOLUTIONS_DIR

    args = sys.argv[1:] if argv is None else argv
    packages = {"solutions": SOLUTIONS_DIR / "schedulers"}
    for arg in args:
        label, _, where = arg.partition("=")
        packages[label] = Path(where or label)
    print(f"{'package':<14} {'class':<42} {'torch':>6} {'(class)':<28} {'ref':>5} {'prints':>6}")
    for label, name, score, torch_name, ref, count in calibration(packages):
        print(f"{label:<14} {name:<42} {score:>6.1%} {torch_name:<28} {ref:>5.0%} {count:>6}")
    print(f"thresholds: vendored >= {VENDORED_THRESHOLD:.0%} (and >= {MIN_FINGERPRINTS} fingerprints), "
          f"reference >= {REFERENCE_THRESHOLD:.0%}; K={K}, W={W}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
