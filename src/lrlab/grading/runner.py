"""The sandbox that runs the learner's code: a "zygote" child process and one forked grandchild per scheduler.

The zygote (``python -c "from lrlab.grading.runner import main; main()" FD``) imports torch once, replaces every class of
``torch.optim.lr_scheduler`` (and each re-export of one anywhere in ``torch``) with a *sentinel* that raises
:class:`ForgeryError` when used and is recognisable in an MRO, disables the real classes' ``__init__``, and
blocks re-importing that module. It then forks:

1. a *probe* grandchild that imports the ``schedulers`` package; if that fails or hangs, the schedulers are
   graded module by module (``schedulers.step`` etc. without running the package ``__init__``), so a
   broken module costs only the classes it defines;
2. one grandchild per scheduler (a few at a time) that imports the learner's class, checks it is not
   torch's (MRO, code file, delegated instances), runs every scenario with :func:`run_scenario` and writes
   one JSON line per scenario to its own pipe.

Grandchildren run in their own process group with stdout/stderr sent to a log file, a CPU rlimit and a
wall-clock deadline (SIGKILL). The zygote relays each grandchild's raw bytes to the grading process over
the file descriptor it was given as ``[header JSON line][nbytes raw bytes]`` frames, then an ``end`` frame;
nothing is ever read from stdout. The zygote serves one job per line of stdin until stdin closes, so a
process that grades repeatedly (tests, ``self_check`` in a notebook) pays the torch import once. The zygote itself never imports the learner's code.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import json
import os
import select
import signal
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

PACKAGE = "schedulers"
FORGERY = "lrlab.grading.runner.ForgeryError"
HITS: list[str] = []  # uses of torch's schedulers seen in this process


class ForgeryError(BaseException):
    """Raised when graded code touches torch's LR schedulers (a BaseException: ``except Exception`` misses it)."""


def _hit(what: str, message: str | None = None) -> ForgeryError:
    HITS.append(message or f"uses {what}")
    return ForgeryError(message or f"uses {what}: graded code must not use torch's schedulers")


class _SentinelMeta(type):
    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        raise _hit(f"torch.optim.lr_scheduler.{cls._lrlab_torch_name}")

    def __getattr__(cls, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        raise _hit(f"torch.optim.lr_scheduler.{cls._lrlab_torch_name}.{attr}")


def _sentinel(name: str) -> type:
    return _SentinelMeta(name, (), {"_lrlab_sentinel": True, "_lrlab_torch_name": name,
                                     "__module__": "torch.optim.lr_scheduler", "__doc__": "grading sentinel"})


class _BlockTorchSchedulers(importlib.abc.MetaPathFinder):
    """Refuses to (re)import ``torch.optim.lr_scheduler`` from its source file."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname == "torch.optim.lr_scheduler":
            raise _hit("re-importing torch.optim.lr_scheduler")
        return None


TORCH_SCHEDULER_FILE = ""


def install_sentinels() -> dict[str, type]:
    """Replace torch's scheduler classes everywhere in ``torch`` by sentinels; return them by name."""
    global TORCH_SCHEDULER_FILE
    import torch.optim.lr_scheduler as real

    TORCH_SCHEDULER_FILE = os.path.realpath(real.__file__)
    real_classes = {
        id(c): c for c in vars(real).values()
        if isinstance(c, type) and issubclass(c, real.LRScheduler) and c.__module__ == real.__name__
    }
    sentinels = {c.__name__: _sentinel(c.__name__) for c in real_classes.values()}
    for mod_name, mod in list(sys.modules.items()):
        if not (mod_name == "torch" or mod_name.startswith("torch.")) or mod is None:
            continue
        with contextlib.suppress(Exception):
            for attr, value in list(vars(mod).items()):
                if isinstance(value, type) and id(value) in real_classes:
                    setattr(mod, attr, sentinels[value.__name__])

    def forbidden_init(self: Any, *args: Any, **kwargs: Any) -> None:
        raise _hit(f"torch.optim.lr_scheduler.{type(self).__name__}")

    for cls in real_classes.values():
        cls.__init__ = forbidden_init  # type: ignore[misc]
    sys.meta_path.insert(0, _BlockTorchSchedulers())
    return sentinels


def _torch_like(cls: type) -> str | None:
    """Why ``cls`` is (built on) torch's scheduler code, or None."""
    for klass in cls.__mro__:
        if vars(klass).get("_lrlab_sentinel"):
            return f"is or subclasses torch's torch.optim.lr_scheduler.{vars(klass)['_lrlab_torch_name']}"
        module = vars(klass).get("__module__", "") or ""
        if module == "torch" or module.startswith("torch."):
            return f"is or subclasses torch's {module}.{klass.__qualname__}"
        if klass is object:
            continue
        for value in vars(klass).values():
            func = getattr(value, "__func__", value)
            func = getattr(func, "fget", func)
            code = getattr(func, "__code__", None)
            if code is not None and TORCH_SCHEDULER_FILE and os.path.realpath(code.co_filename) == TORCH_SCHEDULER_FILE:
                return f"uses torch's code ({klass.__qualname__}.{getattr(func, '__name__', '?')})"
    return None


def _inspect_instance(obj: Any, depth: int = 0, seen: set[int] | None = None) -> None:
    """Raise ForgeryError if ``obj`` holds (a few levels deep) an instance of a torch scheduler class."""
    seen = set() if seen is None else seen
    if depth > 4 or id(obj) in seen:
        return
    seen.add(id(obj))
    kind = type(obj)
    if isinstance(kind, type) and not isinstance(obj, type) and kind.__module__.startswith("torch.optim.lr_scheduler"):
        raise _hit(f"an instance of torch's {kind.__module__}.{kind.__qualname__}")
    if isinstance(obj, dict):
        children: Any = obj.values()
    elif isinstance(obj, (list, tuple, set)):
        children = obj
    elif isinstance(obj, types.MethodType):
        children = [obj.__self__]
    elif isinstance(obj, types.FunctionType):
        children = [c.cell_contents for c in (obj.__closure__ or ()) if _has_contents(c)]
    else:
        try:
            children = list(vars(obj).values())
        except Exception:  # no __dict__ (or a hostile one)
            children = []
    for child in list(children)[:200]:
        if isinstance(child, (int, float, str, bytes, bool, type(None))):
            continue
        _inspect_instance(child, depth + 1, seen)


def _has_contents(cell: Any) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


def _error(exc: BaseException) -> dict[str, Any]:
    try:
        message = str(exc)
    except Exception:
        message = "<unprintable>"
    return {"types": [f"{c.__module__}.{c.__qualname__}" for c in type(exc).__mro__], "message": message[:500]}


class _Writer:
    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, message: dict[str, Any]) -> None:
        data = (json.dumps(message, allow_nan=True) + "\n").encode()
        while data:
            written = os.write(self.fd, data)
            data = data[written:]


def _import_package(base: str) -> types.ModuleType:
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    if base in sys.path:
        sys.path.remove(base)
    sys.path.insert(0, base)
    importlib.invalidate_caches()
    return importlib.import_module(PACKAGE)


def _only_this_package(base: str) -> None:
    """Drop other ``sys.path`` entries holding a ``schedulers`` package (e.g. the editable install's exercises)."""
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") == os.path.realpath(base)
                   or not os.path.isdir(os.path.join(p or ".", PACKAGE))]


def _bare_package(base: str) -> None:
    """Register ``schedulers`` as an empty package (its ``__init__`` not run) so submodules import alone."""
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    pkg = types.ModuleType(PACKAGE)
    pkg.__path__ = [os.path.join(base, PACKAGE)]  # type: ignore[attr-defined]
    pkg.__file__ = os.path.join(base, PACKAGE, "__init__.py")
    pkg.__package__ = PACKAGE
    sys.modules[PACKAGE] = pkg
    if base not in sys.path:
        sys.path.insert(0, base)


def _resolver(base: str, mode: str) -> Callable[[str], type]:
    from lrlab.grading.spec import MODULE_OF

    _only_this_package(base)
    if mode == "modules":
        _bare_package(base)
    cache: dict[str, type] = {}

    def classes(name: str) -> type:
        if name not in cache:
            if mode == "package":
                module = sys.modules.get(PACKAGE) or _import_package(base)
            else:
                module = importlib.import_module(f"{PACKAGE}.{MODULE_OF[name]}")
            origin = os.path.realpath(getattr(module, "__file__", "") or "")
            if not origin.startswith(os.path.realpath(base) + os.sep):
                raise ImportError(f"{module.__name__} was loaded from {origin}, not from {base}")
            if not hasattr(module, name):
                raise AttributeError(f"{module.__name__} has no attribute {name!r}")
            cls = getattr(module, name)
            why = _torch_like(cls) if isinstance(cls, type) else None
            if why:
                raise _hit(name, f"{name} {why}")
            cache[name] = cls
        return cache[name]

    return classes


def _grandchild(fd: int, base: str, name: str | None, mode: str, log: str, cpu_limit: float) -> None:
    """Body of a forked grandchild: never returns (``os._exit``)."""
    code = 0
    try:
        os.setpgid(0, 0)
        with contextlib.suppress(Exception):  # die with the zygote
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        import resource

        limit = max(1, int(cpu_limit) + 1)
        resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 1))
        os.chdir(os.path.dirname(log))
        writer = _Writer(fd)
        if name is None:  # the probe
            try:
                _only_this_package(base)
                _import_package(base)
                writer.send({"kind": "probe", "ok": True})
            except BaseException as exc:  # noqa: BLE001
                writer.send({"kind": "probe", "ok": False, "error": _error(exc)})
            os._exit(0)
        _run_scheduler(writer, base, name, mode)
    except BaseException:  # noqa: BLE001 - nothing may escape a forked child
        code = 70
    os._exit(code)


def _run_scheduler(writer: _Writer, base: str, name: str, mode: str) -> None:
    import warnings

    from lrlab.grading.driver import run_scenario
    from lrlab.grading.spec import checks_for, children_of

    warnings.simplefilter("ignore")
    classes = _resolver(base, mode)
    try:
        classes(name)
        for other in sorted(children_of(name)):
            with contextlib.suppress(Exception):  # a broken child costs only the scenarios that use it
                classes(other)
        writer.send({"kind": "import", "ok": True, "hits": HITS[:5]})
    except BaseException as exc:  # noqa: BLE001
        writer.send({"kind": "import", "ok": False, "error": _error(exc), "hits": HITS[:5]})
        return

    def checked(cname: str) -> Any:
        cls = classes(cname)

        def build(*args: Any, **kwargs: Any) -> Any:
            obj = cls(*args, **kwargs)
            _inspect_instance(obj)
            return obj

        return build

    for i, check in enumerate(checks_for(name)):
        for j, sc in enumerate(check.scenarios):
            writer.send({"kind": "start", "check": i, "scenario": j})  # names the scenario if it hangs
            result = run_scenario(sc, checked)
            writer.send({"kind": "result", "check": i, "scenario": j, "result": result, "hits": HITS[:5]})
    writer.send({"kind": "done"})


def _fork(fd_keep: int, base: str, name: str | None, mode: str, logdir: str, timeout: float) -> tuple[int, int]:
    r, w = os.pipe()
    log = os.path.join(logdir, f"{name or 'probe'}.log")
    pid = os.fork()
    if pid == 0:  # grandchild
        os.close(r)
        with contextlib.suppress(OSError):
            os.close(fd_keep)
        _grandchild(w, base, name, mode, log, timeout)
    os.close(w)
    return pid, r


def _drain(fd: int) -> bytes:
    """Whatever is still buffered in the pipe ``fd`` (without blocking)."""
    os.set_blocking(fd, False)
    data = bytearray()
    with contextlib.suppress(OSError):
        while chunk := os.read(fd, 1 << 16):
            data += chunk
    return bytes(data)


def _kill(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(OSError):
            target()


def supervise(out_fd: int, base: str, names: list[str], timeout: float, parallel: int, logdir: str) -> None:
    """Run the probe then one grandchild per name; relay each one's bytes and exit status to ``out_fd``."""

    def emit(header: dict[str, Any], payload: bytes = b"") -> None:
        data = (json.dumps({**header, "nbytes": len(payload)}) + "\n").encode() + payload
        while data:
            data = data[os.write(out_fd, data):]

    def run_batch(jobs: list[str | None], mode: str, limit: float) -> dict[str | None, tuple[bytes, dict[str, Any]]]:
        done: dict[str | None, tuple[bytes, dict[str, Any]]] = {}
        pending = list(jobs)
        running: dict[int, dict[str, Any]] = {}  # read fd -> info
        while pending or running:
            while pending and len(running) < parallel:
                job = pending.pop(0)
                pid, r = _fork(out_fd, base, job, mode, logdir, limit)
                running[r] = {"name": job, "pid": pid, "buf": bytearray(), "start": time.monotonic(), "eof": False}
            now = time.monotonic()
            wait = max(0.0, min(info["start"] + limit - now for info in running.values()))
            readable, _, _ = select.select(list(running), [], [], min(wait, 0.25))
            for r in readable:
                chunk = os.read(r, 1 << 16)
                if chunk:
                    running[r]["buf"] += chunk
                else:
                    running[r]["eof"] = True
            now = time.monotonic()
            for r, info in list(running.items()):
                status: dict[str, Any] | None = None
                if info["eof"]:
                    _, raw = os.waitpid(info["pid"], 0)
                    status = {"exit": os.waitstatus_to_exitcode(raw), "timed_out": False}
                elif now - info["start"] > limit:
                    _kill(info["pid"])
                    os.waitpid(info["pid"], 0)
                    status = {"exit": None, "timed_out": True}
                else:
                    pid, raw = os.waitpid(info["pid"], os.WNOHANG)
                    if pid:  # exited, but something (its own child) still holds the pipe open
                        status = {"exit": os.waitstatus_to_exitcode(raw), "timed_out": False}
                if status is not None:
                    _kill(info["pid"])  # its process group: anything it left behind
                    info["buf"] += _drain(r)
                    os.close(r)
                    status["seconds"] = round(time.monotonic() - info["start"], 3)
                    done[info["name"]] = (bytes(info["buf"]), status)
                    del running[r]
        return done

    probe_limit = min(timeout, 5.0)
    (raw, status), = run_batch([None], "package", probe_limit).values()
    mode = "package"
    try:
        probe = json.loads(raw.decode().splitlines()[0])
        if not probe.get("ok"):
            mode = "modules"
    except (ValueError, IndexError, UnicodeDecodeError):
        probe, mode = {"kind": "probe", "ok": False}, "modules"
    emit({"kind": "probe", "mode": mode, "status": status}, raw)
    from lrlab.grading.spec import SCHEDULER_POINTS

    order = sorted(names, key=lambda n: -SCHEDULER_POINTS.get(n, 0))  # the heaviest first
    for name, (raw, status) in run_batch(list(order), mode, timeout).items():
        emit({"kind": "scheduler", "name": name, "mode": mode, "status": status}, raw)


def _skip_dynamo_import() -> None:
    """Let the optimizer methods wrapped by ``torch._disable_dynamo`` run without importing torch._dynamo.

    Their wrapper imports ``torch._dynamo`` (~2 s) on first call only to *disable* compilation; nothing is
    compiled in the sandbox, so we pre-fill the wrapper's cache with the plain function. Sandbox only.
    """
    import torch

    for cls in (torch.optim.Optimizer, torch.optim.SGD, torch.optim.Adam, torch.optim.Adagrad):
        for value in list(vars(cls).values()):
            code = getattr(value, "__code__", None)
            wrapped = getattr(value, "__wrapped__", None)
            if code is not None and wrapped is not None and "_disable_dynamo" in getattr(code, "co_qualname", ""):
                setattr(wrapped, "__dynamo_disable", wrapped)  # noqa: B010


def _warm_up() -> None:
    """Pay torch's lazy initialisation once, before forking (the driver never calls ``optimizer.step``)."""
    from lrlab.grading.driver import make_optimizer

    _skip_dynamo_import()
    for kind in ("sgd", "adam", "adagrad"):
        opt = make_optimizer({"opt": kind, "groups": [0.1, 0.2], "momentum": 0.9})
        opt.load_state_dict(opt.state_dict())


def main(argv: list[str] | None = None) -> int:
    """Zygote entry point: ``OUT_FD`` argument; one JSON job per stdin line, answered by frames + an end frame."""
    argv = sys.argv[1:] if argv is None else argv
    out_fd = int(argv[0])
    import warnings

    warnings.simplefilter("ignore")
    import torch  # noqa: F401 - imported once here, inherited by every grandchild

    import lrlab.grading.driver  # noqa: F401
    import lrlab.grading.spec  # noqa: F401

    _warm_up()
    install_sentinels()
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        logdir = job["logdir"]
        Path(logdir).mkdir(parents=True, exist_ok=True)
        supervise(out_fd, job["base"], job["names"], float(job["timeout"]), int(job["parallel"]), logdir)
        end = (json.dumps({"kind": "end", "nbytes": 0}) + "\n").encode()
        while end:
            end = end[os.write(out_fd, end):]
    os.close(out_fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
