"""Grading results: per check, per scheduler, and the whole report (table and JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from lrlab.grading.bonus import BONUS


@dataclass
class CheckResult:
    """One check: ``points`` of ``max_points``; when failed, where (step, group) and why."""

    name: str
    description: str
    points: int
    max_points: int
    passed: bool
    reason: str = ""
    step: int | None = None
    group: int | None = None
    expected: Any = None
    got: Any = None
    scenario: str = ""  # the failing scenario's full parameters
    calls: list[str] | None = None  # the calls from construction to the first difference
    window: list[dict[str, Any]] | None = None  # torch's values beside the learner's around ``step``
    state: str = ""  # e.g. ReduceLROnPlateau's best and counters (torch's) at ``step``

    def describe(self) -> str:
        """One line: ``name: reason at step t (group g): expected X, got Y``."""
        if self.passed:
            return f"{self.name}: ok" + (f" ({self.reason})" if self.reason else "")
        where = ""
        if self.step is not None:
            where = f" at step {self.step}" + (f" (group {self.group})" if self.group is not None else "")
        values = ""
        if self.expected is not None or self.got is not None:
            values = f": expected {_fmt(self.expected)}, got {_fmt(self.got)}"
        return f"{self.name}: {self.reason}{where}{values}"

    def details(self) -> list[str]:
        """The failing scenario, its calls and the window around the first difference (``--verbose``)."""
        lines = []
        if self.scenario:
            lines.append(f"scenario: {self.scenario}")
        if self.calls:
            lines.append("calls: " + ", ".join(self.calls))
        if self.state:
            lines.append(self.state)
        if self.window:
            lines.append(f"{'step':>6}  {'torch':>22}  {'yours':>22}")
            for row in self.window:
                mark = "  <-" if row["step"] == self.step else ""
                lines.append(f"{row['step']:>6}  {_fmt(row['expected']):>22}  {_fmt(row['got']):>22}{mark}")
        return lines


@dataclass
class SchedulerResult:
    """A scheduler's score: the sum of its passed checks (0 when forged, crashed at import, ...)."""

    name: str
    points: int
    max_points: int
    checks: list[CheckResult] = field(default_factory=list)
    reason: str = ""  # scheduler-wide reason (forgery, import failure, timeout), empty if none
    seconds: float | None = None

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return self.points == self.max_points

    @property
    def first_failure(self) -> CheckResult | None:
        """The first failed check, or None."""
        return next((c for c in self.checks if not c.passed), None)

    def summary(self) -> str:
        """Why points were lost, in one line ("ok" when none were)."""
        if self.reason:
            return self.reason
        failure = self.first_failure
        return failure.describe() if failure else "ok"

    def format(self, verbose: bool = False) -> str:
        """A short readable report for a notebook cell (``verbose``: each failure's scenario, calls and window)."""
        lines = [f"{self.name}: {self.points}/{self.max_points} points"]
        if self.reason:
            lines.append(f"  {self.reason}")
        for check in self.checks:
            mark = "PASS" if check.passed else "FAIL"
            text = f"{check.name} ({check.description})" if check.passed else check.describe()
            if check.passed and check.reason:
                text += f"; {check.reason}"
            lines.append(f"  [{mark}] {check.points}/{check.max_points}  {text}")
            if verbose and not check.passed:
                lines.extend(f"        {line}" for line in check.details())
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict."""
        data = asdict(self)
        data["passed"] = self.passed
        data["checks"] = [_jsonable(asdict(c)) for c in self.checks]
        return data


@dataclass
class GradeReport:
    """All graded schedulers of one package."""

    path: str
    results: dict[str, SchedulerResult]
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    isolation: str = ""  # empty when the code ran in the bubblewrap sandbox, else why it did not
    reference_matches: list[str] = field(default_factory=list)  # files matching the shipped solutions

    @property
    def isolated(self) -> bool:
        """True when the learner's code ran in the bubblewrap sandbox."""
        return not self.isolation

    @property
    def total(self) -> int:
        """Sum of the points of torch's schedulers (the bonus classes count apart: :attr:`bonus_total`)."""
        return sum(r.points for n, r in self.results.items() if n not in BONUS)

    @property
    def max_total(self) -> int:
        """Sum of the graded torch schedulers' maximum points (100 for a full grading)."""
        return sum(r.max_points for n, r in self.results.items() if n not in BONUS)

    @property
    def bonus_total(self) -> int:
        """Points of the bonus classes (schedules torch lacks), on top of :attr:`total`."""
        return sum(r.points for n, r in self.results.items() if n in BONUS)

    @property
    def bonus_max(self) -> int:
        """Maximum bonus points of the graded bonus classes (12 for a full grading)."""
        return sum(r.max_points for n, r in self.results.items() if n in BONUS)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict: path, total, max_total, notes, seconds and every scheduler's result."""
        return {
            "path": self.path,
            "total": self.total,
            "max_total": self.max_total,
            "bonus_total": self.bonus_total,
            "bonus_max": self.bonus_max,
            "notes": list(self.notes),
            "seconds": round(self.seconds, 3),
            "isolated": self.isolated,
            "isolation": self.isolation,
            "reference_matches": list(self.reference_matches),
            "results": {name: r.to_dict() for name, r in self.results.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GradeReport:
        """The inverse of :meth:`to_dict`."""
        results = {}
        for name, r in data["results"].items():
            checks = [CheckResult(**{k: c[k] for k in CheckResult.__dataclass_fields__ if k in c}) for c in r["checks"]]
            results[name] = SchedulerResult(r["name"], r["points"], r["max_points"], checks, r.get("reason", ""),
                                            r.get("seconds"))
        return cls(data["path"], results, list(data.get("notes", [])), float(data.get("seconds", 0.0)),
                   data.get("isolation", ""), list(data.get("reference_matches", [])))

    def to_json(self) -> str:
        """``to_dict`` as JSON text."""
        return json.dumps(self.to_dict(), indent=2)

    def format_verbose(self) -> str:
        """Every scheduler's checks, each failure with its scenario, calls and window; then the table."""
        parts = [r.format(verbose=True) for r in self.results.values()]
        return "\n\n".join(parts + [self.format_table()])

    def format_table(self) -> str:
        """Scheduler, points and the first failing check (step, expected, got); last line ``TOTAL: p/max``."""
        width = max([len("scheduler")] + [len(n) for n in self.results])
        lines = [self.isolation] if self.isolation else []
        lines += [f"{'scheduler':<{width}}  points  first failing check", f"{'-' * width}  ------  {'-' * 40}"]
        bonus_started = False
        for name, result in self.results.items():
            if name in BONUS and not bonus_started:
                lines.append(f"{'bonus (torch lacks these)':<{width}}  ------  {'-' * 40}")
                bonus_started = True
            score = f"{result.points}/{result.max_points}"
            lines.append(f"{name:<{width}}  {score:>6}  {result.summary()}")
        lines.extend(f"note: {note}" for note in self.notes)
        if bonus_started:
            lines.append(f"BONUS: {self.bonus_total}/{self.bonus_max} (on top of the total)")
        lines.append(f"TOTAL: {self.total}/{self.max_total}")
        return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.12g}"
    return str(value)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    for key in ("expected", "got"):
        value = data.get(key)
        if value is not None and not isinstance(value, (int, float, str, bool)):
            data[key] = str(value)
    return data
