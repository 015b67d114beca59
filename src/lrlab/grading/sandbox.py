"""Grading-process side of the sandbox: start it, read every scheduler's pipe, enforce every deadline.

A *session* is one sandbox process (bubblewrap where it works, else a plain child; see
:mod:`lrlab.grading.sandbox_bwrap`) running the zygote of :mod:`lrlab.grading.runner` for some schedulers.
The grading process creates one pipe per scheduler plus a control pipe, hands the write ends to the
sandbox and keeps the read ends: each scheduler's bytes come straight from its own process, are capped
(``MAX_BYTES`` per scheduler) and validated message by message (:mod:`lrlab.grading.protocol`).

Deadlines are the supervisor's: the sandbox must be ready within ``READY_SECONDS``; a scheduler must end
within its timeout (+ ``GRACE`` s) of its start; a session without progress for ``timeout + STALL`` s is
killed. A session that ends is killed with all it started (its PID namespace under bubblewrap).

One session grades the whole package (torch is imported once). Every scheduler whose outcome there is not
decisive (its process was killed, timed out, exited without finishing, or the session itself died: things
another scheduler's process could have caused) is graded again *alone* in a session of its own, so that
whatever one scheduler's code does costs that scheduler only.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lrlab.grading import sandbox_bwrap
from lrlab.grading.protocol import MAX_LINE, ProtocolError, Stream, check_control, loads
from lrlab.grading.spec import checks_for

MAX_BYTES = 8 * 1024 * 1024  # per scheduler; the reference solutions send at most 0.76 MiB
READY_SECONDS = 120.0
GRACE = 3.0
STALL = 15.0
FSIZE = 16 * 1024 * 1024
AS_EXTRA = 1024**3
NPROC_EXTRA = 64


class SandboxError(RuntimeError):
    """The grading sandbox itself failed (not the learner's code)."""


@dataclass
class ChildRun:
    """What one scheduler's process sent (validated) and how it ended."""

    stream: Stream
    status: dict[str, Any] = field(default_factory=dict)  # exit, timed_out, seconds
    problem: str = ""  # decisive: flood, malformed or forged messages
    lost: str = ""  # not decisive: why the run did not finish (killed, died with its session, ...)
    rerun: bool = False  # graded again alone
    nbytes: int = 0  # bytes received on its pipe

    @property
    def finished(self) -> bool:
        """Sent ``done`` and exited with code 0."""
        return self.stream.done and self.status.get("exit") == 0 and not self.status.get("timed_out")


@dataclass
class SandboxRun:
    """The grading mode (``package`` or ``modules``), the probe's error, each scheduler's :class:`ChildRun`."""

    mode: str
    probe_error: dict[str, Any] | None
    probe_status: str
    children: dict[str, ChildRun]
    isolated: bool
    sessions: int = 1


def sandbox_kind(kind: str | None = None) -> tuple[str, str]:
    """(``bwrap`` or ``plain``, why not isolated): ``kind`` or ``$LRLAB_SANDBOX`` (auto/bwrap/none)."""
    kind = kind or os.environ.get("LRLAB_SANDBOX", "auto") or "auto"
    if kind not in ("auto", "bwrap", "none"):
        raise ValueError(f"sandbox must be 'auto', 'bwrap' or 'none', got {kind!r}")
    if kind == "none":
        return "plain", "isolation was turned off (sandbox='none' / LRLAB_SANDBOX=none)"
    ok, why = sandbox_bwrap.probe()
    if ok:
        return "bwrap", ""
    if kind == "bwrap":
        raise SandboxError(f"the bubblewrap sandbox is required but unusable: {why}; {sandbox_bwrap.INSTALL_HINT}")
    return "plain", why


def _own_process_count() -> int:
    uid, count = os.getuid(), 0
    with contextlib.suppress(OSError):
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError):
                    if os.stat(f"/proc/{entry}").st_uid == uid:
                        count += 1
    return count


class _Session:
    """One sandbox process grading ``names``."""

    def __init__(self, kind: str, base: Path, names: list[str], limits: dict[str, float], parallel: int, mode: str,
                 workdir: Path) -> None:
        self.kind, self.names = kind, names
        self.limits = {name: float(limits[name]) for name in names}  # wall seconds per scheduler
        self.timeout = max(self.limits.values())
        self.checks = {name: checks_for(name) for name in names}
        self.runs = {name: ChildRun(Stream(self.checks[name])) for name in names}
        self.started: dict[str, float] = {}
        self.exited: dict[str, float] = {}
        self.pipes: dict[int, str] = {}
        self.partial: dict[str, bytearray] = {n: bytearray() for n in names}
        self.nbytes: dict[str, int] = dict.fromkeys(names, 0)
        self.mode, self.probe_error, self.probe_status = mode, None, ""
        self.ready = self.ended = self.dead = False
        self.ctl_buffer = bytearray()
        self.t0 = self.last_event = time.monotonic()
        ctl_r, ctl_w = os.pipe()
        fds: dict[str, int] = {}
        write_ends = [ctl_w]
        for name in names:
            r, w = os.pipe()
            os.set_blocking(r, False)
            self.pipes[r] = name
            fds[name] = w
            write_ends.append(w)
        os.set_blocking(ctl_r, False)
        self.ctl = ctl_r
        limits = {"fsize": FSIZE, "as_extra": AS_EXTRA, "nproc": _own_process_count() + NPROC_EXTRA,
                  "cwd": "/tmp", "drop_root": kind != "bwrap"}
        inside = sandbox_bwrap.SUBMISSION if kind == "bwrap" else str(base)
        job = json.dumps({"ctl": ctl_w, "fds": fds, "base": inside, "timeout": self.timeout,
                          "timeouts": self.limits, "parallel": parallel, "mode": mode, "limits": limits})
        self.log = workdir / f"sandbox-{id(self)}.log"
        env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir), "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1",
               "PYTHONDONTWRITEBYTECODE": "1"}
        if kind == "bwrap":
            cmd = sandbox_bwrap.command(base, job)
        else:
            cmd = [sys.executable, "-I", "-B", "-c", sandbox_bwrap.CHILD_BOOT.format(kit=str(sandbox_bwrap.kit_dir())),
                   job]
        try:
            with open(self.log, "wb") as log:
                self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                             pass_fds=tuple(write_ends), cwd=workdir, env=env,
                                             start_new_session=True)
        finally:
            for fd in write_ends:
                os.close(fd)

    # ------------------------------------------------------------------------------------------ reading
    def fds(self) -> list[int]:
        return ([self.ctl] if self.ctl >= 0 else []) + list(self.pipes)

    def on_readable(self, fd: int) -> None:
        if fd == self.ctl:
            self._read_ctl()
        elif fd in self.pipes:
            self._read_pipe(fd)

    def _read_ctl(self) -> None:
        try:
            chunk = os.read(self.ctl, 1 << 16)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            os.close(self.ctl)
            self.ctl = -1
            if not self.ended:
                self.dead = True
            return
        self.ctl_buffer += chunk
        if len(self.ctl_buffer) > 1 << 20:
            self.dead = True
            return
        while b"\n" in self.ctl_buffer:
            line, _, rest = bytes(self.ctl_buffer).partition(b"\n")
            self.ctl_buffer = bytearray(rest)
            try:
                self._control(check_control(loads(line)))
            except ProtocolError:
                self.dead = True
                return

    def _control(self, message: dict[str, Any]) -> None:
        self.last_event = now = time.monotonic()
        kind = message["kind"]
        if kind == "ready":
            self.ready = True
        elif kind == "mode":
            self.mode, self.probe_error, self.probe_status = (message["mode"], message["probe_error"],
                                                              message["probe_status"])
        elif kind == "start" and message["name"] in self.runs and message["name"] not in self.started:
            self.started[message["name"]] = now
        elif kind == "exit" and message["name"] in self.started and message["name"] not in self.exited:
            name = message["name"]
            self.exited[name] = now
            run = self.runs[name]
            if not run.status:
                run.status = {"exit": message["exit"], "timed_out": message["timed_out"],
                              "seconds": message["seconds"]}
        elif kind == "end":
            self.ended = True

    def _read_pipe(self, fd: int) -> None:
        name = self.pipes[fd]
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._close(fd)
            return
        self.last_event = time.monotonic()
        self.nbytes[name] += len(chunk)
        run = self.runs[name]
        run.nbytes = self.nbytes[name]
        if self.nbytes[name] > MAX_BYTES:
            run.problem = f"its process sent more than {MAX_BYTES // 2**20} MiB of results (flooding the grader)"
            self._close(fd)
            return
        buf = self.partial[name]
        buf += chunk
        if b"\n" in chunk:
            *lines, rest = bytes(buf).split(b"\n")
            self.partial[name] = bytearray(rest)
            for line in lines:
                run.stream.feed(line)
        if len(self.partial[name]) > MAX_LINE:
            self._close(fd)  # too long: recorded as a violation

    def _close(self, fd: int) -> None:
        with contextlib.suppress(OSError):
            os.close(fd)
        name = self.pipes.pop(fd)
        if len(self.partial[name]) > MAX_LINE:
            self.runs[name].stream.feed(bytes(self.partial[name]))  # too long: a violation
        # else a last line without its newline: the process was stopped mid-write (perhaps by another
        # scheduler's process), so it is dropped, not judged; the run then counts as not finished
        self.partial[name] = bytearray()

    # ------------------------------------------------------------------------------------------ deadlines
    def tick(self) -> None:
        """Enforce the deadlines; finish scheduler pipes whose process has exited."""
        now = time.monotonic()
        if not self.ready and now - self.t0 > READY_SECONDS:
            self.kill()
            raise SandboxError(f"the grading sandbox did not start within {READY_SECONDS:g} s; "
                               f"log: {self.log_tail()}")
        for fd, name in list(self.pipes.items()):
            if name in self.exited and now - self.exited[name] > 1.0:
                self._close(fd)  # a descendant still holds the pipe: what was sent is all there is
            elif name in self.started and name not in self.exited and now - self.started[name] > self.limits[name] + GRACE:
                run = self.runs[name]
                run.status = {"exit": None, "timed_out": True, "seconds": round(now - self.started[name], 3)}
                run.lost = "its sandbox did not stop it in time"
                self._close(fd)
                self.dead = True  # the zygote is not doing its job: stop the session
        if self.ready and now - self.last_event > self.timeout + STALL:
            self.dead = True

    def finished(self) -> bool:
        return self.dead or (self.ended and not self.pipes) or (self.ctl < 0 and not self.pipes)

    def kill(self) -> None:
        for target in (lambda: os.killpg(self.proc.pid, signal.SIGKILL), lambda: self.proc.kill()):
            with contextlib.suppress(OSError):
                target()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)

    def close(self) -> None:
        """Kill the sandbox and settle every scheduler that did not finish."""
        self.kill()
        for fd in list(self.pipes):
            self._close(fd)
        if self.ctl >= 0:
            with contextlib.suppress(OSError):
                os.close(self.ctl)
            self.ctl = -1
        for name, run in self.runs.items():
            if not run.status:
                run.status = {"exit": None, "timed_out": False, "seconds": None}
                run.lost = run.lost or ("its sandbox was killed before it finished (by graded code?)"
                                        if name in self.started else "not started: its sandbox stopped first")

    def log_tail(self) -> str:
        try:
            data = self.log.read_bytes()[-2000:].decode("utf-8", "replace").strip()
        except OSError:
            return ""
        return data.splitlines()[-1] if data else ""


def _run_sessions(sessions: list[_Session], cancel: threading.Event | None = None) -> None:
    """Drive ``sessions`` (already started) until each has finished (or ``cancel`` is set); close them."""
    active = list(sessions)
    try:
        while active and not (cancel is not None and cancel.is_set()):
            fds = [fd for s in active for fd in s.fds()]
            ready = []
            if fds:
                ready, _, _ = select.select(fds, [], [], 0.05)
            else:
                time.sleep(0.02)
            for fd in ready:
                for s in active:
                    if fd in s.fds():
                        s.on_readable(fd)
                        break
            for s in list(active):
                s.tick()
                if s.finished():
                    s.close()
                    active.remove(s)
    finally:
        for s in active:
            s.close()


class Supervisor:
    """Grades ``names`` of the package at ``base``: one shared session, then lone reruns where needed."""

    def __init__(self, base: Path, names: list[str], limits: dict[str, float], parallel: int, workdir: Path,
                 kind: str = "bwrap", layout: str = "shared") -> None:
        """``limits``: wall seconds each scheduler's process may take (its CPU limit too)."""
        if layout not in ("shared", "isolated"):
            raise ValueError(f"layout must be 'shared' or 'isolated', got {layout!r}")
        self.base, self.names, self.limits, self.parallel = base, names, limits, parallel
        self.workdir, self.kind, self.layout = workdir, kind, layout
        self.result: SandboxRun | None = None
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None
        self.cancelled = threading.Event()

    def start(self) -> None:
        """Grade in a background thread (the caller computes torch's values meanwhile)."""
        self.thread = threading.Thread(target=self._guarded, name="lrlab-grading-supervisor", daemon=True)
        self.thread.start()

    def _guarded(self) -> None:
        try:
            self.result = self.run()
        except BaseException as exc:  # noqa: BLE001 - handed to collect()
            self.error = exc

    def cancel(self) -> None:
        """Stop grading: every sandbox is killed (the thread ends soon after)."""
        self.cancelled.set()
        if self.thread is not None:
            self.thread.join(timeout=30)

    def collect(self) -> SandboxRun:
        """Wait for the grading thread; return its :class:`SandboxRun` or raise its error."""
        assert self.thread is not None
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result

    def _session(self, names: list[str], mode: str) -> _Session:
        return _Session(self.kind, self.base, names, self.limits, self.parallel, mode, self.workdir)

    def _alone(self, names: list[str], mode: str) -> dict[str, ChildRun]:
        """Grade each of ``names`` in a session of its own: what happens there is its own doing."""
        runs: dict[str, ChildRun] = {}
        for i in range(0, len(names), self.parallel):
            batch = [self._session([n], mode) for n in names[i:i + self.parallel]]
            _run_sessions(batch, self.cancelled)
            for s in batch:
                for name, run in s.runs.items():
                    if s.dead and name in s.started and not run.problem:
                        run.problem = ("its process killed or stopped the grading sandbox (its supervisor); "
                                       "results it sent before are void")
                runs.update(s.runs)
        return runs

    def run(self) -> SandboxRun:
        """Grade; return every scheduler's run."""
        if self.layout == "isolated":
            first = self._session(self.names[:1], "auto")
            _run_sessions([first], self.cancelled)
            mode = first.mode if first.mode in ("package", "modules") else "modules"
            runs = {**first.runs, **self._alone(self.names[1:], mode)}
            return SandboxRun(mode, first.probe_error, first.probe_status, runs, self.kind == "bwrap",
                              len(self.names))
        shared = self._session(self.names, "auto")
        _run_sessions([shared], self.cancelled)
        mode = shared.mode
        probe_error, probe_status = shared.probe_error, shared.probe_status
        if mode not in ("package", "modules"):  # the session died while importing the package
            mode, probe_status = "modules", "the package import stopped its sandbox"
            probe_error = {"types": ["builtins.RuntimeError"], "message": "importing the package killed the sandbox"}
        runs = dict(shared.runs)
        again = [n for n, r in runs.items() if not r.finished and not r.problem and not r.stream.violation]
        if self.cancelled.is_set():
            again = []
        sessions = 1
        if len(self.names) > 1 and again:
            for name, run in self._alone(again, mode).items():
                run.rerun = True
                runs[name] = run
            sessions += len(again)
        return SandboxRun(mode, probe_error, probe_status, runs, self.kind == "bwrap", sessions)


def cleanup(workdir: Path) -> None:
    """Remove a grading work directory."""
    shutil.rmtree(workdir, ignore_errors=True)
