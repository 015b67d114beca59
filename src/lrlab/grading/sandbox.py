"""Grading-process side of the sandbox: start the zygote, hand it the job, read its frames back.

Results come back over a pipe created here and passed to the zygote as an extra file descriptor; the
zygote's (and grandchildren's) stdout/stderr go to files in a private temporary directory and are never
parsed. Only JSON is parsed from the pipe (never pickle), and every field is validated by the caller.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
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


class Sandbox:
    """One grading run of ``base``'s ``schedulers`` package for ``names`` (start, then :meth:`collect`)."""

    def __init__(self, base: Path, names: list[str], timeout: float, parallel: int, workdir: Path) -> None:
        self.names, self.timeout, self.parallel, self.workdir = names, timeout, parallel, workdir
        self.deadline = time.monotonic() + 60.0 + timeout * (2 + -(-len(names) // max(1, parallel)))
        read_fd, write_fd = os.pipe()
        self.read_fd = read_fd
        src = str(Path(lrlab.__file__).resolve().parents[1])
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONSTARTUP", "PYTHONWARNINGS")}
        env["PYTHONPATH"] = os.pathsep.join([src] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        self.log = workdir / "zygote.log"
        job = {"base": str(base), "names": names, "timeout": timeout, "parallel": parallel,
               "logdir": str(workdir / "logs")}
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", "from lrlab.grading.runner import main; main()", str(write_fd)],
                stdin=subprocess.PIPE, stdout=log, stderr=log, pass_fds=(write_fd,), cwd=workdir, env=env,
                start_new_session=True,
            )
        os.close(write_fd)
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(job).encode())
        self.proc.stdin.close()

    def _read_all(self) -> bytes:
        data = bytearray()
        while True:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise SandboxError(f"the grading sandbox did not finish in time; log: {_tail(self.log)}")
            ready, _, _ = select.select([self.read_fd], [], [], min(remaining, 1.0))
            if ready:
                chunk = os.read(self.read_fd, 1 << 20)
                if not chunk:
                    return bytes(data)
                data += chunk

    def kill(self) -> None:
        """Stop the zygote (its grandchildren die with it)."""
        with contextlib.suppress(OSError):
            os.killpg(self.proc.pid, 9)
        self.proc.wait()

    def collect(self) -> SandboxRun:
        """Wait for the zygote and return what every child reported."""
        try:
            data = self._read_all()
        finally:
            os.close(self.read_fd)
        self.proc.wait(timeout=max(1.0, self.deadline - time.monotonic()))
        probe = ChildRun()
        mode = "package"
        children: dict[str, ChildRun] = {}
        pos = 0
        while pos < len(data):
            end = data.find(b"\n", pos)
            if end < 0:
                break
            header = json.loads(data[pos:end])
            payload = data[end + 1:end + 1 + int(header["nbytes"])]
            pos = end + 1 + int(header["nbytes"])
            messages, corrupt = _parse(payload)
            name = header.get("name")
            run = ChildRun(messages, header["status"], _tail(self.workdir / "logs" / f"{name or 'probe'}.log"),
                           corrupt)
            if header["kind"] == "probe":
                probe, mode = run, header["mode"]
            else:
                children[name] = run
        if self.proc.returncode != 0 or len(children) != len(self.names):
            raise SandboxError(f"the grading sandbox failed (exit {self.proc.returncode}): {_tail(self.log, 2000)}")
        return SandboxRun(mode, probe, children)
