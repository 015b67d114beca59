"""The messages a sandboxed scheduler process may send, and their strict validation in the grading process.

Nothing from inside the sandbox is trusted. Each message is one line of JSON (at most ``MAX_LINE`` bytes,
nesting at most ``MAX_DEPTH`` deep, integers of at most 20 digits, no NaN/Infinity literals), and must match
one of these shapes exactly (no other keys):

- ``{"kind": "import", "ok": bool, "error"?: ERROR, "hits"?: [str]}``
- ``{"kind": "start", "check": i, "scenario": j}``
- ``{"kind": "result", "check": i, "scenario": j, "result": RESULT, "hits"?: [str]}``
- ``{"kind": "done"}``

with ``ERROR = {"types": [str, ...], "message": str, "at"?: int}`` and ``RESULT = {"n": int in [0, steps],
"groups": G, "lr": base64 of n*G float64, "mom": same or null, "error": ERROR or null, "extra": {label:
[finite float or null]}}``, where (i, j) must name a scenario of the graded scheduler. A second result for
the same scenario, a result not asked for, or anything after ``done`` is a forgery; any other deviation is
a malformed message. Either costs the scheduler all its points (with the reason).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

MAX_LINE = 4 * 1024 * 1024
MAX_DEPTH = 8
MAX_INT_DIGITS = 20
MAX_STR = 2000
MAX_HITS = 5
# The values a scenario inspects besides the trajectories (``result.extra``), by label.
INITIAL_LR = "initial_lr of each group after construction"
SECOND_BASE_LRS = "base_lrs of a second scheduler built on the same optimizer"
LAST_AFTER_EDIT = "get_last_lr() right after the groups' LRs were edited (it must return what the scheduler wrote)"
LAST_AFTER_LOAD = "get_last_lr() right after load_state_dict (before the next step)"
BETA2 = "Adam's betas[1] at the end of the run (the scheduler must leave it alone)"
EXTRA_LABELS = (INITIAL_LR, SECOND_BASE_LRS, LAST_AFTER_EDIT, LAST_AFTER_LOAD, BETA2)
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = re.compile(rb"[\[\]{}]")


class ProtocolError(ValueError):
    """A message that breaks the protocol; ``forgery`` when it claims results it must not claim."""

    def __init__(self, message: str, forgery: bool = False) -> None:
        super().__init__(message)
        self.forgery = forgery


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ProtocolError(f"an integer of {len(text)} digits")
    return int(text)


def _float(text: str) -> float:
    if len(text) > 64:
        raise ProtocolError("a number literal of more than 64 characters")
    value = float(text)
    if not math.isfinite(value):
        raise ProtocolError("a non-finite number")
    return value


def _constant(text: str) -> Any:
    raise ProtocolError(f"the literal {text}")


def loads(line: bytes) -> Any:
    """Parse one line of JSON under the limits above; raise :class:`ProtocolError`."""
    if len(line) > MAX_LINE:
        raise ProtocolError(f"a message of {len(line)} bytes (limit {MAX_LINE})")
    depth = 0
    for match in _BRACKETS.finditer(_STRINGS.sub(b'""', line)):
        depth += 1 if match.group() in (b"[", b"{") else -1
        if depth > MAX_DEPTH:
            raise ProtocolError(f"JSON nested more than {MAX_DEPTH} deep")
    try:
        return json.loads(line, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except ProtocolError:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ProtocolError(f"not JSON ({str(exc)[:80]})") from None


def _keys(obj: Any, required: set[str], optional: set[str], what: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise ProtocolError(f"{what} is not an object")
    keys = set(obj)
    if not required <= keys or not keys <= required | optional:
        raise ProtocolError(f"{what} has keys {sorted(keys)[:10]}, expected {sorted(required | optional)}")
    return obj


def _str(value: Any, what: str, limit: int = MAX_STR) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ProtocolError(f"{what} is not a string of at most {limit} characters")
    return value


def _index(value: Any, limit: int, what: str) -> int:
    if type(value) is not int or not 0 <= value < limit:
        raise ProtocolError(f"{what} {value!r:.40} is not an index below {limit}", forgery=True)
    return value


def check_error(error: Any, what: str = "error") -> dict[str, Any]:
    """An ERROR object (see the module docstring)."""
    _keys(error, {"types", "message"}, {"at"}, what)
    types = error["types"]
    if not isinstance(types, list) or not 1 <= len(types) <= 64:
        raise ProtocolError(f"{what}.types is not a list of 1..64 names")
    for t in types:
        _str(t, f"{what}.types[]", 300)
    _str(error["message"], f"{what}.message")
    if "at" in error and (type(error["at"]) is not int or not 0 <= error["at"] <= 10**9):
        raise ProtocolError(f"{what}.at is not a step index")
    return error


def _hits(message: dict[str, Any]) -> list[str]:
    hits = message.get("hits", [])
    if not isinstance(hits, list) or len(hits) > MAX_HITS:
        raise ProtocolError(f"hits is not a list of at most {MAX_HITS} strings")
    return [_str(h, "hits[]", 500) for h in hits]


def check_result(result: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """A RESULT object for scenario ``spec`` (lengths checked against its steps and groups)."""
    _keys(result, {"n", "groups", "lr", "mom", "error", "extra"}, set(), "result")
    n, groups = result["n"], result["groups"]
    if type(n) is not int or not 0 <= n <= spec["steps"]:
        raise ProtocolError(f"result.n {n!r:.40} is not in [0, {spec['steps']}]")
    if type(groups) is not int or groups != len(spec["groups"]):
        raise ProtocolError(f"result.groups {groups!r:.40} is not {len(spec['groups'])}")
    size = 4 * -(-(8 * n * groups) // 3)
    for key in ("lr", "mom"):
        value = result[key]
        if key == "mom" and value is None:
            continue
        if not isinstance(value, str) or len(value) != size:
            raise ProtocolError(f"result.{key} is not base64 of {n * groups} float64 values")
    if result["error"] is not None:
        check_error(result["error"], "result.error")
    extra = result["extra"]
    if not isinstance(extra, dict) or not set(extra) <= set(EXTRA_LABELS):
        raise ProtocolError("result.extra has unknown labels")
    for label, values in extra.items():
        if not isinstance(values, list) or len(values) > 64:
            raise ProtocolError(f"result.extra[{label!r}] is not a list of at most 64 values")
        for v in values:
            if v is not None and (type(v) not in (int, float) or not math.isfinite(v)):
                raise ProtocolError(f"result.extra[{label!r}] holds {v!r:.40}")
    return result


@dataclass
class Stream:
    """What one scheduler's process sent, validated message by message (see the module docstring)."""

    checks: tuple[Any, ...]
    imported: dict[str, Any] | None = None
    results: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    started: list[tuple[int, int]] = field(default_factory=list)
    hits: list[str] = field(default_factory=list)
    done: bool = False
    violation: str | None = None  # why the stream was rejected
    forged: bool = False

    def feed(self, line: bytes) -> None:
        """Validate one line; on the first violation record it and ignore everything after."""
        if self.violation is not None or not line.strip():
            return
        try:
            self._feed(loads(line))
        except ProtocolError as exc:
            self.violation, self.forged = str(exc), exc.forgery

    def _feed(self, message: Any) -> None:
        if not isinstance(message, dict) or message.get("kind") not in ("import", "start", "result", "done"):
            raise ProtocolError("a message of unknown kind")
        if self.done:
            raise ProtocolError("a message after 'done'", forgery=True)
        kind = message["kind"]
        if kind == "import":
            _keys(message, {"kind", "ok"}, {"error", "hits"}, "import")
            if self.imported is not None:
                raise ProtocolError("a second 'import' message", forgery=True)
            if type(message["ok"]) is not bool:
                raise ProtocolError("import.ok is not a boolean")
            if "error" in message:
                check_error(message["error"], "import.error")
            self.hits += _hits(message)
            self.imported = message
            return
        if kind == "done":
            _keys(message, {"kind"}, set(), "done")
            self.done = True
            return
        if self.imported is None or not self.imported["ok"]:
            raise ProtocolError(f"a '{kind}' message before a successful import", forgery=True)
        required = {"kind", "check", "scenario"} | ({"result"} if kind == "result" else set())
        _keys(message, required, {"hits"} if kind == "result" else set(), kind)
        i = _index(message["check"], len(self.checks), f"{kind}.check")
        j = _index(message["scenario"], len(self.checks[i].scenarios), f"{kind}.scenario")
        if kind == "start":
            if len(self.started) > 10_000:
                raise ProtocolError("too many 'start' messages")
            self.started.append((i, j))
            return
        if (i, j) in self.results:
            raise ProtocolError(f"a second result for check {i} scenario {j}", forgery=True)
        self.results[(i, j)] = check_result(message["result"], self.checks[i].scenarios[j])
        self.hits += _hits(message)
        del self.hits[MAX_HITS:]


def check_control(message: Any) -> dict[str, Any]:
    """A message from the sandbox's supervisor process (no learner code runs in it, still validated)."""
    if not isinstance(message, dict):
        raise ProtocolError("a control message that is not an object")
    kind = message.get("kind")
    if kind == "ready" or kind == "end":
        return _keys(message, {"kind"}, set(), kind)
    if kind == "mode":
        _keys(message, {"kind", "mode", "probe_error", "probe_status"}, set(), "mode")
        if message["mode"] not in ("package", "modules"):
            raise ProtocolError("mode is not package/modules")
        if message["probe_error"] is not None:
            check_error(message["probe_error"], "probe_error")
        if not isinstance(message["probe_status"], str) or len(message["probe_status"]) > 200:
            raise ProtocolError("probe_status is not a short string")
        return message
    if kind == "start":
        _keys(message, {"kind", "name"}, set(), "start")
        _str(message["name"], "name", 100)
        return message
    if kind == "exit":
        _keys(message, {"kind", "name", "exit", "timed_out", "seconds"}, set(), "exit")
        _str(message["name"], "name", 100)
        if message["exit"] is not None and type(message["exit"]) is not int:
            raise ProtocolError("exit is not an int")
        if type(message["timed_out"]) is not bool or type(message["seconds"]) not in (int, float):
            raise ProtocolError("timed_out/seconds have the wrong type")
        return message
    raise ProtocolError("a control message of unknown kind")
