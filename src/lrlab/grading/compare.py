"""Compare one scenario's learner result with torch's: first differing step, or the exception mismatch.

Values match when ``|got - expected| <= atol + rtol*|expected|`` with ``rtol=1e-9`` and ``atol=1e-12*lr0``
(lr0 = the group's initial LR; 1e-12 for momentum). NaN matches NaN. An expected exception matches when the
learner raised at the same step an exception whose class hierarchy contains torch's exception type.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrlab.grading.explain import window
from lrlab.grading.spec import ATOL_PER_LR0, RTOL

FORGERY_TYPE = "lrlab.grading.runner.ForgeryError"


@dataclass
class Mismatch:
    """Why a scenario failed."""

    reason: str
    step: int | None = None
    group: int | None = None
    expected: Any = None
    got: Any = None
    window: list[dict[str, Any]] | None = None  # torch's values beside the learner's around ``step``


class MalformedResult(ValueError):
    """The child's result does not have the expected shape."""


def decode(text: Any, n: int, groups: int) -> np.ndarray:
    """base64 float64 text -> array of shape (n, groups)."""
    if not isinstance(text, str):
        raise MalformedResult("trajectory is not text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise MalformedResult(f"trajectory is not base64: {exc}") from None
    if len(raw) != 8 * n * groups:
        raise MalformedResult(f"trajectory has {len(raw) // 8} values, expected {n * groups}")
    return np.frombuffer(raw, dtype=np.float64).reshape(n, groups)


def _short_type(error: dict[str, Any]) -> str:
    types = error.get("types") or ["?"]
    return str(types[0]).removeprefix("builtins.")


_STUB = re.compile(r"^(?P<what>\S+) is not implemented yet(?: \((?P<where>[^()]*)\))?\.?$")


def is_stub(error: Any) -> bool:
    """True when ``error`` (an error dict) is a NotImplementedError (an exercise stub)."""
    return isinstance(error, dict) and "builtins.NotImplementedError" in (error.get("types") or [])


def describe_error(error: dict[str, Any]) -> str:
    """``raised ValueError: msg``; ``not implemented yet: Class.method (file)`` for a NotImplementedError."""
    kind = _short_type(error)
    message = str(error.get("message", ""))
    if is_stub(error):
        stub = _STUB.match(message.strip())
        if stub:
            where = stub.group("where")
            return f"not implemented yet: {stub.group('what')}" + (f" ({where})" if where else "")
        return f"not implemented yet: {message}" if message else "not implemented yet"
    if kind == FORGERY_TYPE:
        return message
    return f"raised {kind}: {message}" if message else f"raised {kind}"


def _first_mismatch(exp: np.ndarray, got: np.ndarray, atol: np.ndarray) -> tuple[int, int] | None:
    close = np.isclose(got, exp, rtol=RTOL, atol=0.0, equal_nan=True) | (np.abs(got - exp) <= atol)
    bad = np.argwhere(~close)
    if len(bad) == 0:
        return None
    return int(bad[0][0]), int(bad[0][1])


def compare(spec: dict[str, Any], expected: dict[str, Any], got: Any) -> Mismatch | None:
    """None when ``got`` (the learner's result) matches ``expected`` (torch's) for scenario ``spec``."""
    if not isinstance(got, dict):
        return Mismatch("malformed result from the child process")
    groups = len(spec["groups"])
    n_exp = expected["n"]
    try:
        n_got = int(got["n"])
        if not 0 <= n_got <= spec["steps"]:
            raise MalformedResult("record count out of range")
        got_error = got.get("error")
        if got_error is not None and not isinstance(got_error, dict):
            raise MalformedResult("error is not a dict")
        exp_lr = decode(expected["lr"], n_exp, groups)
        got_lr = decode(got["lr"], n_got, groups)
        exp_mom = decode(expected["mom"], n_exp, groups) if expected["mom"] is not None else None
        got_mom = decode(got["mom"], n_got, groups) if exp_mom is not None else None
    except (KeyError, TypeError, ValueError) as exc:
        return Mismatch(f"malformed result from the child process ({exc})")
    exp_error = expected["error"]
    if got_error and FORGERY_TYPE in (got_error.get("types") or []):
        return Mismatch(describe_error(got_error), step=got_error.get("at"))

    n = min(n_exp, n_got)
    lr0 = np.abs(np.asarray(spec["groups"], dtype=np.float64))
    where = _first_mismatch(exp_lr[:n], got_lr[:n], ATOL_PER_LR0 * lr0)
    if where is not None:
        t, g = where
        return Mismatch("lr differs", t, g, float(exp_lr[t, g]), float(got_lr[t, g]), window(exp_lr, got_lr, t, g))
    if exp_mom is not None and got_mom is not None:
        where = _first_mismatch(exp_mom[:n], got_mom[:n], np.full(groups, ATOL_PER_LR0))
        if where is not None:
            t, g = where
            what = "betas[0]" if spec["opt"] == "adam" else "momentum"
            return Mismatch(f"{what} differs", t, g, float(exp_mom[t, g]), float(got_mom[t, g]),
                            window(exp_mom, got_mom, t, g))

    if exp_error:
        want = exp_error["types"][0]
        if not got_error:
            return Mismatch(f"expected {_short_type(exp_error)} ({exp_error['message'][:80]}), got no exception",
                            step=exp_error["at"])
        if want not in (got_error.get("types") or []):
            return Mismatch(f"expected {_short_type(exp_error)}, {describe_error(got_error)}",
                            step=None if is_stub(got_error) else got_error.get("at"))
        foreign = _foreign_builtins(exp_error, got_error)
        if foreign:
            return Mismatch(f"expected {_short_type(exp_error)}, {describe_error(got_error)}, a class that also "
                            f"derives from {', '.join(foreign)}: raise torch's exception type",
                            step=got_error.get("at"))
        if got_error.get("at") != exp_error["at"]:
            return Mismatch(f"expected {_short_type(exp_error)} at step {exp_error['at']}, raised at step "
                            f"{got_error.get('at')}", step=got_error.get("at"))
        return None
    extra = _extra_mismatch(expected.get("extra") or {}, got.get("extra"), groups)
    if extra is not None:
        return extra
    if got_error:
        return Mismatch(describe_error(got_error), step=None if is_stub(got_error) else got_error.get("at"))
    if n_got != n_exp:
        return Mismatch(f"recorded {n_got} values, expected {n_exp}", step=n)
    return None


def _foreign_builtins(expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """Built-in exception classes in the learner's exception's hierarchy that torch's has not (a class
    deriving from ValueError *and* TypeError would pass every bad-input check)."""
    theirs = {t for t in expected.get("types") or [] if str(t).startswith("builtins.")}
    return [str(t).removeprefix("builtins.") for t in got.get("types") or []
            if str(t).startswith("builtins.") and t not in theirs]


def _extra_mismatch(expected: dict[str, Any], got: Any, groups: int) -> Mismatch | None:
    """The first inspected value (e.g. ``initial_lr`` per group) that differs from torch's, or None."""
    got = got if isinstance(got, dict) else {}
    for label, exp_values in expected.items():
        values = got.get(label)
        if values is None:
            continue  # not recorded: the run stopped before (its error is reported instead)
        if not isinstance(values, list) or len(values) != len(exp_values):
            return Mismatch(f"{label}: expected {len(exp_values)} values, got {values!r:.80}")
        for g, (e, v) in enumerate(zip(exp_values, values, strict=True)):
            if e is None or v is None or not isinstance(v, (int, float)):
                same = e is None and v is None
            else:
                same = abs(v - e) <= ATOL_PER_LR0 * abs(e) + RTOL * abs(e)
            if not same:
                where = f" (group {g})" if groups > 1 else ""
                return Mismatch(f"{label} differs{where}", expected=e, got="missing" if v is None else v)
    return None
