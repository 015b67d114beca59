"""Read a learner's ``answers.py`` in a sandboxed child process and return its answers as plain data.

Grading side: :func:`run_answers` copies ``answers.py`` alone into a private directory and runs this very
file's source (``python -I -B -c SOURCE JOB``) in the bubblewrap sandbox of :mod:`lrlab.grading.sandbox_bwrap`
(no lrlab, torch's schedulers replaced by a tripwire, own uid/PID/network namespaces, read-only root), or in
a plain child process when bubblewrap is unusable (and not required). Nothing is judged there: the child
only sends values (numbers, bools, strings, lists; for a function answer its values at the requested t's),
and the grading process compares them with torch's (:mod:`lrlab.grading.concepts_grade`).

Child side (stdlib only): :func:`child_main` keeps stdout as its result channel, points fds 0-2 at
/dev/null, sets rlimits (file size, address space, processes: as the scheduler sandbox), imports ``answers.py``, then evaluates each answer in a forked process of its own
(``parallel`` at a time, ``seconds`` of wall and CPU each), so an answer that loops, crashes or floods costs
that answer only. Each result is one JSON line; the grading process caps, parses and validates every line
and takes the first result per answer.
"""

from __future__ import annotations

import contextlib
import json
import math
import numbers
import os
import select
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ANSWERS = "answers.py"
MAX_SOURCE = 1024 * 1024  # bytes of answers.py
QUESTION_SECONDS = 3.0  # wall (and CPU) seconds to evaluate one answer
IMPORT_SECONDS = 20.0  # to start the child and import answers.py
PARALLEL = 4
MAX_LINE = 256 * 1024  # bytes of one answer's result
MAX_OUTPUT = 8 * 1024 * 1024  # bytes the grading process reads from the child
MAX_ITEMS = 1000  # list items kept
MAX_TEXT = 300  # characters of a string or repr kept
MAX_INT_BITS = 256
AS_BYTES = 3 * 1024**3  # address space of the child and each answer's process (torch imports in 2 GiB)
END_LINE = b'{"end": true}\n'


# ------------------------------------------------------------------------------------------------ child side
def _encode(value: Any, depth: int = 0) -> dict[str, Any]:
    """A JSON-able tag for ``value``: plain data only; anything else as a short repr."""
    if value is None:
        return {"none": True}
    if value is Ellipsis:
        return {"ellipsis": True}
    if isinstance(value, bool):
        return {"bool": bool(value)}
    if isinstance(value, numbers.Integral):
        number = int(value)
        return {"int": number} if number.bit_length() <= MAX_INT_BITS else {"repr": "an int too large to read"}
    if isinstance(value, numbers.Real):
        return {"float": float(value)}
    if isinstance(value, str):
        return {"str": str(value)[:MAX_TEXT]}
    if isinstance(value, (list, tuple, set, frozenset)):
        if depth == 0 and len(value) <= MAX_ITEMS:
            return {"list": [_encode(v, 1) for v in value]}
        return {"repr": f"a {type(value).__name__} of {len(value)} items"}
    if callable(value):
        return {"repr": f"<function {getattr(value, '__name__', '?')!s:.80}>"}
    return {"repr": repr(value)[:MAX_TEXT]}


def _evaluate(module: Any, request: dict[str, Any]) -> dict[str, Any]:
    name = request["name"]
    if not hasattr(module, name):
        return {"name": name, "missing": True}
    value = getattr(module, name)
    ts = request.get("ts")
    if ts is None or not callable(value):
        return {"name": name, "value": _encode(value)}
    calls = []
    for t in ts:
        try:
            calls.append([t, _encode(value(t), 1)])  # a number; a list only as its description
        except Exception as err:  # noqa: BLE001 - the learner's error is the result
            calls.append([t, {"raised": type(err).__name__[:80], "message": str(err)[:MAX_TEXT]}])
            break
    return {"name": name, "calls": calls}


def _limit(resource_mod: Any, which: int, value: int) -> None:
    with contextlib.suppress(ValueError, OSError):
        _, hard = resource_mod.getrlimit(which)
        if hard != resource_mod.RLIM_INFINITY:
            value = min(value, hard)
        resource_mod.setrlimit(which, (value, value))


def _fork_one(module: Any, request: dict[str, Any], seconds: float) -> tuple[int, int]:
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        raise
    if pid == 0:  # the answer's own process, in a process group of its own (killed whole when it ends)
        try:
            os.setpgid(0, 0)
            os.nice(19)  # below the child that keeps the deadlines (an answer that forks cannot starve it)
            os.close(r)
            import resource

            _limit(resource, resource.RLIMIT_CPU, int(math.ceil(seconds)) + 1)
            line = json.dumps(_evaluate(module, request)).encode() + b"\n"
            if len(line) > MAX_LINE:
                line = json.dumps({"name": request["name"], "error": "its value is too large to read"}).encode() + b"\n"
            view = memoryview(line)
            while view:
                view = view[os.write(w, view):]
        except BaseException as err:  # noqa: BLE001 - anything the learner's code raised past Exception
            with contextlib.suppress(BaseException):
                os.write(w, json.dumps({"name": request["name"],
                                        "error": f"reading it raised {type(err).__name__}"}).encode() + b"\n")
        finally:
            os._exit(0)
    os.close(w)
    os.set_blocking(r, False)
    return pid, r


def child_main(job: dict[str, Any]) -> None:
    """Run inside the sandbox: import answers.py, evaluate each request in its own fork, print JSON lines."""
    out = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)

    def send(message: dict[str, Any] | bytes) -> None:
        data = message if isinstance(message, bytes) else json.dumps(message).encode() + b"\n"
        view = memoryview(data)
        while view:
            view = view[os.write(out, view):]

    import importlib.util
    import resource

    _limit(resource, resource.RLIMIT_FSIZE, 1024 * 1024)
    _limit(resource, resource.RLIMIT_CORE, 0)
    _limit(resource, resource.RLIMIT_AS, int(job["as_bytes"]))
    _limit(resource, resource.RLIMIT_NPROC, int(job["nproc"]))
    seconds = float(job["seconds"])
    try:
        spec = importlib.util.spec_from_file_location("answers", job["answers"])
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules["answers"] = module
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    except BaseException as err:  # noqa: BLE001 - a broken answers.py is a result, not a crash
        send({"import_error": f"{type(err).__name__}: {str(err)[:MAX_TEXT]}"})
        os._exit(0)
    send({"imported": True})
    todo = list(job["requests"])
    running: dict[int, tuple[int, dict[str, Any], float, bytearray]] = {}  # fd -> (pid, request, start, data)
    while todo or running:
        while todo and len(running) < int(job["parallel"]):
            request = todo.pop(0)
            try:
                pid, fd = _fork_one(module, request, seconds)
            except OSError as err:  # no process left (answers.py started too many?)
                send({"name": request["name"], "error": f"its process could not start ({err.strerror})"})
                continue
            running[fd] = (pid, request, time.monotonic(), bytearray())
        ready, _, _ = select.select(list(running), [], [], 0.05)
        for fd in ready:
            pid, request, start, data = running[fd]
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                chunk = b""
            data += chunk
            if chunk and b"\n" not in data and len(data) <= MAX_LINE:
                continue  # (a complete line is the whole result: a process the answer started may hold the pipe)
            line, newline, _ = bytes(data).partition(b"\n")
            ended = _reap(pid)
            if not newline or len(line) > MAX_LINE:
                why = "its value is too large to read" if len(line) > MAX_LINE else f"its process died ({ended})"
                send({"name": request["name"], "error": why})
            else:
                send(line + b"\n")
            os.close(fd)
            del running[fd]
        now = time.monotonic()
        for fd, (pid, request, start, _data) in list(running.items()):
            if now - start > seconds:
                _reap(pid)
                send({"name": request["name"], "timeout": seconds})
                os.close(fd)
                del running[fd]
    send({"end": True})
    os._exit(0)


def _reap(pid: int) -> str:
    """Kill the answer's process and everything it started (its process group); how it ended."""
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "lost"
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.WEXITSTATUS(status)}" if os.WIFEXITED(status) else "unknown"


# ------------------------------------------------------------------------------------------------ grading side
class Shown:
    """A value the child could only describe (not plain data): not a number, not a list; its repr is the text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _named_error(name: str) -> type[Exception]:
    if name == "NotImplementedError":
        return NotImplementedError
    safe = name if name.isidentifier() else "Error"
    return type(safe, (Exception,), {})


class Replay:
    """A function answer as the child evaluated it: returns the recorded values, re-raises a recorded error."""

    def __init__(self, calls: dict[int, Any], name: str) -> None:
        self.calls, self.__name__ = calls, name

    def __call__(self, t: int) -> Any:
        if t not in self.calls:
            raise _named_error("Error")(f"no value recorded at t = {t} (it raised at an earlier t)")
        value = self.calls[t]
        if isinstance(value, BaseException):
            raise value
        return value


def decode(tag: Any, depth: int = 0) -> Any:
    """The Python value of an :func:`_encode` tag; ``ValueError`` on anything else."""
    if not isinstance(tag, dict) or len(tag) != 1:
        raise ValueError("not a value")
    (kind, value), = tag.items()
    if kind == "none" and value is True:
        return None
    if kind == "ellipsis" and value is True:
        return Ellipsis
    if kind == "bool" and isinstance(value, bool):
        return value
    if kind == "int" and isinstance(value, int) and not isinstance(value, bool) and value.bit_length() <= MAX_INT_BITS:
        return value
    if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind in ("str", "repr") and isinstance(value, str) and len(value) <= MAX_TEXT:
        return value if kind == "str" else Shown(value)
    if kind == "list" and isinstance(value, list) and depth == 0 and len(value) <= MAX_ITEMS:
        return [decode(v, 1) for v in value]
    raise ValueError("not a value")


def decode_result(message: dict[str, Any], ts: list[int] | None) -> dict[str, Any]:
    """One answer's outcome: ``{"value": v}`` or ``{"error": why}`` (``ValueError`` if malformed)."""
    name = message["name"]
    if message.get("missing") is True:
        return {"error": f"answers.py defines no `{name}`"}
    if isinstance(message.get("timeout"), (int, float)):
        return {"error": f"reading `{name}` did not finish within {QUESTION_SECONDS:g} s (an endless loop?)"}
    if isinstance(message.get("error"), str):
        return {"error": f"`{name}`: {message['error'][:MAX_TEXT]}"}
    if "value" in message:
        return {"value": decode(message["value"])}
    calls = message.get("calls")
    if ts is None or not isinstance(calls, list) or len(calls) > len(ts):
        raise ValueError("malformed")
    recorded: dict[int, Any] = {}
    for item in calls:
        if not (isinstance(item, list) and len(item) == 2 and item[0] in ts and item[0] not in recorded):
            raise ValueError("malformed")
        t, tag = item
        if isinstance(tag, dict) and set(tag) == {"raised", "message"} and all(isinstance(v, str) for v in tag.values()):
            recorded[t] = _named_error(tag["raised"][:80])(tag["message"][:MAX_TEXT])
        else:
            recorded[t] = decode(tag)
    return {"value": Replay(recorded, name)}


@dataclass
class AnswersRun:
    """What the child sent: each answer's outcome (by name), whether it ran isolated, and why not."""

    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    isolated: bool = False
    why_not_isolated: str = ""
    problem: str = ""  # answers.py could not be read at all (every answer gets this reason)
    seconds: float = 0.0


def read_source(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most :data:`MAX_SOURCE` bytes (``ValueError`` else)."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{path.name} is not a regular file")
    if info.st_size > MAX_SOURCE:
        raise ValueError(f"{path.name} is larger than {MAX_SOURCE // 1024} KiB")
    with open(path, "rb") as handle:
        return handle.read(MAX_SOURCE + 1)[:MAX_SOURCE]


def _require_sandbox() -> bool:
    return os.environ.get("LRLAB_REQUIRE_SANDBOX", "").strip().lower() in ("1", "true", "yes", "on")


def _command(kind: str, base: Path, job: str) -> list[str]:
    source = Path(__file__).read_text(encoding="utf-8")
    boot = source + "\n\nchild_main(__import__('json').loads(sys.argv[1]))\n"
    tail = ["-I", "-B", "-c", boot, job]
    if kind != "bwrap":
        return [sys.executable, *tail]
    from lrlab.grading import sandbox_bwrap

    return sandbox_bwrap.command(base, "{}", argv=[sys.executable, *tail])


def run_answers(path: Path, requests: list[dict[str, Any]], *, seconds: float = QUESTION_SECONDS,
                parallel: int = PARALLEL, sandbox: str | None = None) -> AnswersRun:
    """Evaluate ``requests`` (``{"name", "ts"}``: ``ts`` None for a value, the t's for a function) in ``path``.

    Never raises for anything in ``answers.py``; raises ``lrlab.grading.sandbox.SandboxError`` when isolation
    is required (``$LRLAB_REQUIRE_SANDBOX``) but bubblewrap is unusable.
    """
    from lrlab.grading.sandbox import NPROC_EXTRA, SandboxError, _own_process_count, sandbox_kind

    kind, why = sandbox_kind(sandbox)
    if kind != "bwrap" and _require_sandbox() and sandbox != "none":
        raise SandboxError(f"the bubblewrap sandbox is required (LRLAB_REQUIRE_SANDBOX) but unusable: {why}")
    run = AnswersRun(isolated=kind == "bwrap", why_not_isolated=why)
    start = time.monotonic()
    try:
        source = read_source(Path(path))
    except (OSError, ValueError) as exc:
        run.problem = f"answers.py could not be read: {exc}"
        return run
    by_name = {r["name"]: r for r in requests}
    with tempfile.TemporaryDirectory(prefix="lrlab-answers-") as tmp:
        base = Path(tmp) / "submission"
        base.mkdir()
        (base / ANSWERS).write_bytes(source)
        for p in (Path(tmp), base):
            p.chmod(0o755)
        (base / ANSWERS).chmod(0o644)
        inside = f"/submission/{ANSWERS}" if kind == "bwrap" else str(base / ANSWERS)
        job = json.dumps({"answers": inside, "requests": requests, "seconds": seconds, "parallel": parallel,
                          "as_bytes": AS_BYTES, "nproc": _own_process_count() + NPROC_EXTRA})
        limit = IMPORT_SECONDS + seconds * (-(-len(requests) // parallel) + 1) + 5.0
        env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1"}
        proc = subprocess.Popen(_command(kind, base, job), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, cwd=tmp, env=env, start_new_session=True)
        data = bytearray()
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        try:
            while time.monotonic() - start < limit and len(data) <= MAX_OUTPUT:
                if b"\n" not in data and time.monotonic() - start > IMPORT_SECONDS:
                    break  # answers.py is still being imported
                ready, _, _ = select.select([fd], [], [], 0.2)
                if ready:
                    chunk = os.read(fd, 1 << 16)
                    if not chunk:
                        break
                    data += chunk
                    if data.endswith(END_LINE):
                        break  # (a process answers.py left behind may hold the pipe open)
        finally:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.kill()
            proc.wait(timeout=30)
            proc.stdout.close()
    run.seconds = time.monotonic() - start
    imported = ended = False
    for raw in bytes(data[:MAX_OUTPUT]).split(b"\n"):
        if not raw or len(raw) > MAX_LINE:
            continue
        try:
            message = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        if not isinstance(message, dict):
            continue
        if not imported:
            if isinstance(message.get("import_error"), str):
                run.problem = f"importing answers.py raised {message['import_error'][:MAX_TEXT]}"
                return run
            imported = message.get("imported") is True
            continue
        if message.get("end") is True:
            ended = True
            break
        name = message.get("name")
        if not isinstance(name, str) or name not in by_name or name in run.answers:
            continue
        try:
            run.answers[name] = decode_result(message, by_name[name].get("ts"))
        except (ValueError, KeyError, TypeError, RecursionError):
            run.answers[name] = {"error": f"`{name}`: its value could not be read"}
    if not imported:
        run.problem = (f"importing answers.py did not finish within {IMPORT_SECONDS:g} s (an endless loop at "
                       "import?) or it stopped the process")
    elif not ended:
        for name in by_name:
            run.answers.setdefault(name, {"error": f"`{name}`: no result (answers.py stopped its grading process)"})
    return run
