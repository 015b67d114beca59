"""Real JupyterLab 4 and Voila servers for the browser tests, each in a throwaway Jupyter environment.

Every server gets its own temporary config, data, runtime, workspace and settings dirs (so nothing from
the developer's ~/.jupyter leaks in), token auth, and a kernelspec pinned to this venv's interpreter,
so the kernel imports ``lrlab`` and ``schedulers`` exactly as a learner's does after ``pip install -e .``.
Servers run in their own session (``start_new_session``) and are stopped with ``killpg``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_env(base: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a server whose Jupyter dirs all live under ``base``; returns the env mapping.

    Writes labconfig/page_config.json (news announcements disabled) and a ``python3`` kernelspec whose
    argv is this interpreter, so the kernel is the venv's no matter what PATH holds.
    """
    dirs = {
        "JUPYTER_CONFIG_DIR": base / "config",
        "JUPYTER_DATA_DIR": base / "data",
        "JUPYTER_RUNTIME_DIR": base / "runtime",
        "JUPYTERLAB_WORKSPACES_DIR": base / "workspaces",
        "JUPYTERLAB_SETTINGS_DIR": base / "settings",
        "IPYTHONDIR": base / "ipython",
        "MPLCONFIGDIR": base / "matplotlib",
    }
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    labconfig = dirs["JUPYTER_CONFIG_DIR"] / "labconfig"
    labconfig.mkdir(exist_ok=True)
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    kernel_dir = dirs["JUPYTER_DATA_DIR"] / "kernels" / "python3"
    kernel_dir.mkdir(parents=True, exist_ok=True)
    (kernel_dir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (ipykernel)",
                "language": "python",
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update({k: str(v) for k, v in dirs.items()})
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env.pop("PYTHONPATH", None)
    env.pop("MPLBACKEND", None)
    if extra:
        env.update(extra)
    return env


@dataclass
class Server:
    """A running Jupyter/Voila server process; ``url(path)`` builds authenticated URLs."""

    name: str
    proc: subprocess.Popen
    port: int
    token: str
    root: Path
    log_path: Path
    _log: object = field(repr=False, default=None)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/", **query: str) -> str:
        """``base_url + path`` with the token (if any) appended to the query string."""
        params = dict(query)
        if self.token:
            params["token"] = self.token
        qs = "&".join(k if v == "" else f"{k}={v}" for k, v in params.items())
        return f"{self.base_url}{path}{'?' + qs if qs else ''}"

    def log_tail(self, n: int = 60) -> str:
        """Last ``n`` lines of the server's combined stdout/stderr (for failure messages)."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "<no log>"

    def api(self, method: str, path: str) -> object:
        """Call the Jupyter REST API (JSON in, JSON out; None for an empty body)."""
        req = urllib.request.Request(self.url(path), method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Delete every running kernel, freeing the CPU and memory between notebooks."""
        for kernel in self.api("GET", "/api/kernels") or []:
            try:
                self.api("DELETE", f"/api/kernels/{kernel['id']}")
            except urllib.error.HTTPError:
                pass

    def stop(self, grace_s: float = 5.0) -> None:
        """Stop the server and everything it started (kernels included): SIGTERM, then SIGKILL after
        ``grace_s`` seconds (everything it wrote lives in a temp dir, so nothing is lost)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=grace_s)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        # Kernels live in the same process group; make sure none outlives the server.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self._log is not None:
            self._log.close()


def _wait_ready(server: Server, probe: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with code {server.proc.returncode} during startup:\n{server.log_tail()}"
            )
        if probe():
            return
        time.sleep(0.25)
    server.stop()
    raise RuntimeError(f"{server.name} not ready after {timeout:.0f} s:\n{server.log_tail()}")


def _spawn(name: str, argv_for_port: Callable[[int], list[str]], *, env: dict[str, str], cwd: Path,
           log_path: Path, token: str, root: Path, probe_path: str, probe_ok: tuple[int, ...]) -> Server:
    """Start a server on a free port (retrying on a port race) and wait until ``probe_path`` answers."""
    last_error: Exception | None = None
    for _attempt in range(3):
        port = free_port()
        log = open(log_path, "ab")  # noqa: SIM115 - closed by Server.stop
        proc = subprocess.Popen(
            argv_for_port(port), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        server = Server(name=name, proc=proc, port=port, token=token, root=root, log_path=log_path, _log=log)

        def probe(server: Server = server) -> bool:
            try:
                with urllib.request.urlopen(server.url(probe_path), timeout=2) as resp:
                    return resp.status in probe_ok
            except urllib.error.HTTPError as exc:
                return exc.code in probe_ok
            except (urllib.error.URLError, OSError):
                return False

        try:
            _wait_ready(server, probe, STARTUP_TIMEOUT)
            return server
        except RuntimeError as exc:  # e.g. the port was taken between free_port() and bind
            server.stop()
            last_error = exc
    raise RuntimeError(f"could not start {name}: {last_error}")


def start_jupyterlab(root: Path, base: Path, env_extra: dict[str, str] | None = None) -> Server:
    """JupyterLab 4 serving ``root`` on 127.0.0.1 with token auth; ready when /api/status answers 200."""
    token = secrets.token_hex(16)
    env = jupyter_env(base, env_extra)

    def argv(port: int) -> list[str]:
        return [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            f"--port={port}", "--port-retries=0",
            f"--IdentityProvider.token={token}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.allow_root=True",
            "--ServerApp.open_browser=False",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--ServerApp.root_dir={root}",
        ]

    return _spawn("JupyterLab", argv, env=env, cwd=root, log_path=base / "jupyterlab.log", token=token,
                  root=root, probe_path="/api/status", probe_ok=(200,))


def start_voila(notebook: Path, base: Path, env_extra: dict[str, str] | None = None) -> Server:
    """Voila serving ``notebook`` as a standalone app at ``/``; ready when its static files are served.

    Voila's /api/status answers 403, and GET / executes the notebook, so readiness probes a static asset.
    Tracebacks are shown in the page so the test can see them.
    """
    env = jupyter_env(base, env_extra)

    def argv(port: int) -> list[str]:
        return [
            sys.executable, "-m", "voila", str(notebook), "--no-browser",
            f"--port={port}", "--Voila.ip=127.0.0.1",
            "--VoilaConfiguration.show_tracebacks=True",
            "--Voila.port_retries=0",
        ]

    return _spawn("Voila", argv, env=env, cwd=notebook.parent, log_path=base / "voila.log", token="",
                  root=notebook.parent, probe_path="/voila/static/voila.js", probe_ok=(200, 304, 404))


def copy_tree(src: Path, dst: Path) -> None:
    """Copy a notebooks folder, leaving out checkpoints and caches."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
                    dirs_exist_ok=True)
