"""Grading-process side of the sandbox: start the zygote, hand it the job, read its frames back.

One zygote is started per grading process on first use and reused by later gradings (it is restarted if it
dies or overruns, and stopped at exit). Results come back over a pipe created here and passed to the zygote
as an extra file descriptor; the zygote's (and grandchildren's) stdout/stderr go to files in a private temporary directory and are never
parsed. Only JSON is parsed from the pipe (never pickle), and every field is validated by the caller.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lrlab


class SandboxError(RuntimeError):
    """The grading sandbox itself failed (not the learner's code)."""


@dataclass
class ChildRun:
    """What one grandchild sent, and how it ended."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    status: dict[str, Any] = field(default_factory=dict)
    log_tail: str = ""
    corrupt: bool = False


@dataclass
class SandboxRun:
    """The probe's outcome, the grading mode and each scheduler's :class:`ChildRun`."""

    mode: str
    probe: ChildRun
    children: dict[str, ChildRun]


def _parse(payload: bytes) -> tuple[list[dict[str, Any]], bool]:
    messages, corrupt = [], False
    for line in payload.split(b"\n"):
        if not line.strip():
            continue
        try:
            message = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            corrupt = True
            continue
        if isinstance(message, dict):
            messages.append(message)
        else:
            corrupt = True
    return messages, corrupt


def _tail(path: Path, limit: int = 300) -> str:
    try:
        text = path.read_bytes()[-limit:].decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return text.splitlines()[-1] if text else ""


class _Zygote:
    """The long-lived sandbox process (one per grading process, restarted if it dies or overruns)."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="lrlab-zygote-"))
        read_fd, write_fd = os.pipe()
        self.read_fd = read_fd
        self.buffer = bytearray()
        src = str(Path(lrlab.__file__).resolve().parents[1])
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONSTARTUP", "PYTHONWARNINGS")}
        env["PYTHONPATH"] = os.pathsep.join([src] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.log = self.home / "zygote.log"
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from lrlab.grading.runner import main; main()", str(write_fd)],
                stdin=subprocess.PIPE, stdout=log, stderr=log, pass_fds=(write_fd,), cwd=self.home, env=env,
                start_new_session=True,
            )
        os.close(write_fd)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def submit(self, job: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(job) + "\n").encode())
        self.proc.stdin.flush()

    def _read_until(self, deadline: float, need: int) -> None:
        while len(self.buffer) < need:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SandboxError(f"the grading sandbox did not finish in time; log: {_tail(self.log)}")
            ready, _, _ = select.select([self.read_fd], [], [], min(remaining, 1.0))
            if ready:
                chunk = os.read(self.read_fd, 1 << 20)
                if not chunk:
                    raise SandboxError(f"the grading sandbox exited: {_tail(self.log, 2000)}")
                self.buffer += chunk

    def frames(self, deadline: float) -> list[tuple[dict[str, Any], bytes]]:
        """Read frames up to (excluding) the job's end frame."""
        frames = []
        while True:
            while b"\n" not in self.buffer:
                self._read_until(deadline, len(self.buffer) + 1)
            end = self.buffer.index(b"\n")
            header = json.loads(self.buffer[:end])
            nbytes = int(header["nbytes"])
            self._read_until(deadline, end + 1 + nbytes)
            payload = bytes(self.buffer[end + 1:end + 1 + nbytes])
            del self.buffer[:end + 1 + nbytes]
            if header["kind"] == "end":
                return frames
            frames.append((header, payload))

    def close(self) -> None:
        """Stop the zygote (its grandchildren die with it) and remove its directory."""
        with contextlib.suppress(OSError, ValueError):
            if self.proc.stdin is not None:
                self.proc.stdin.close()
        with contextlib.suppress(OSError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=5)
        with contextlib.suppress(OSError):
            os.close(self.read_fd)
        shutil.rmtree(self.home, ignore_errors=True)


_ZYGOTE: _Zygote | None = None


def _zygote() -> _Zygote:
    global _ZYGOTE
    if _ZYGOTE is None or not _ZYGOTE.alive():
        if _ZYGOTE is not None:
            _ZYGOTE.close()
        _ZYGOTE = _Zygote()
    return _ZYGOTE


def shutdown() -> None:
    """Stop this process's sandbox zygote (also done at exit)."""
    global _ZYGOTE
    if _ZYGOTE is not None:
        _ZYGOTE.close()
        _ZYGOTE = None


atexit.register(shutdown)


class Sandbox:
    """One grading run of ``base``'s ``schedulers`` package for ``names`` (start, then :meth:`collect`)."""

    def __init__(self, base: Path, names: list[str], timeout: float, parallel: int, workdir: Path) -> None:
        self.names, self.timeout, self.workdir = names, timeout, workdir
        self.deadline = time.monotonic() + 60.0 + timeout * (2 + -(-len(names) // max(1, parallel)))
        self.zygote = _zygote()
        self.zygote.submit({"base": str(base), "names": names, "timeout": timeout, "parallel": parallel,
                            "logdir": str(workdir / "logs")})

    def kill(self) -> None:
        """Stop the zygote (a fresh one starts for the next grading)."""
        shutdown()

    def collect(self) -> SandboxRun:
        """Wait for the job and return what every child reported."""
        try:
            frames = self.zygote.frames(self.deadline)
        except (SandboxError, ValueError, KeyError) as exc:
            self.kill()
            raise SandboxError(str(exc)) from None
        probe = ChildRun()
        mode = "package"
        children: dict[str, ChildRun] = {}
        for header, payload in frames:
            messages, corrupt = _parse(payload)
            name = header.get("name")
            run = ChildRun(messages, header["status"], _tail(self.workdir / "logs" / f"{name or 'probe'}.log"),
                           corrupt)
            if header["kind"] == "probe":
                probe, mode = run, header["mode"]
            else:
                children[name] = run
        if len(children) != len(self.names):
            raise SandboxError(f"the grading sandbox returned {len(children)} of {len(self.names)} results")
        return SandboxRun(mode, probe, children)
