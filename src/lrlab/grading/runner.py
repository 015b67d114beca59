"""Inside the sandbox: a supervisor ("zygote") that imports torch once and forks one process per scheduler.

Started as ``python -I -c "...runner.main()" JOB`` by :mod:`lrlab.grading.sandbox`, inside bubblewrap where
available (see :mod:`lrlab.grading.sandbox_bwrap`: torch's ``lr_scheduler.py``/``swa_utils.py`` replaced by a
tripwire, no lrlab oracle, an unprivileged uid) or as a plain child process otherwise. The zygote never
imports the learner's code. It:

1. imports torch and the driver, warms torch up, installs the sentinels (torch's scheduler classes, where
   they exist at all, replaced by objects that raise :class:`ForgeryError`), makes itself non-dumpable
   (so that processes of the same uid cannot read its memory or file descriptors) and a child subreaper;
2. forks a *probe* that imports the ``schedulers`` package (if that fails or hangs, schedulers are graded
   module by module, without the package ``__init__``);
3. forks one process per scheduler (``parallel`` at a time, the heaviest first), each with rlimits (CPU
   seconds, address space, file size, process count), stdin/stdout/stderr on /dev/null, every other file
   descriptor closed except its own result pipe (created by the grading process; the zygote keeps no copy),
   and kills it at its deadline;
4. reports each start and exit on its control pipe (``ready``, ``mode``, ``start``, ``exit``, ``end``) and
   kills every process left over before exiting.

The grading process reads each scheduler's pipe itself (:mod:`lrlab.grading.protocol`); the zygote relays
nothing.
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

    TORCH_SCHEDULER_FILE = os.path.realpath(getattr(real, "__file__", "") or "")
    root = vars(real).get("LRScheduler")  # absent inside bubblewrap (the module is a tripwire there)
    real_classes = {
        id(c): c for c in vars(real).values()
        if isinstance(root, type) and isinstance(c, type) and issubclass(c, root) and c.__module__ == real.__name__
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


ARMED = False  # set once torch is imported: from then on the tripwire module raises ForgeryError


def _prctl(option: int, value: int) -> None:
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)


PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_CHILD_SUBREAPER = 1, 4, 36


def _send_line(fd: int, message: dict[str, Any]) -> None:
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(fd, data):]


def _child_setup(keep: int, limits: dict[str, Any], cpu_seconds: float) -> None:
    """In a freshly forked child, before any learner code: own group, fds, rlimits, parent-death signal."""
    import resource

    os.setpgid(0, 0)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)
    cpu = max(1, int(cpu_seconds) + 1)
    if limits.get("as_extra") is not None:  # address space: what torch already maps plus a margin
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open("/proc/self/status") as f:
                vm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
            limits = {**limits, "as": vm + int(limits["as_extra"])}
    settings = [(resource.RLIMIT_CPU, cpu), (resource.RLIMIT_FSIZE, limits.get("fsize")),
                (resource.RLIMIT_AS, limits.get("as")), (resource.RLIMIT_NPROC, limits.get("nproc")),
                (resource.RLIMIT_CORE, 0)]
    for kind, value in settings:
        if value is not None:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(kind, (int(value), int(value)))
    with contextlib.suppress(OSError):
        os.chdir(limits.get("cwd") or "/tmp")
    if limits.get("drop_root") and os.geteuid() == 0:  # plain fallback run as root: become nobody at least
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)


def _probe_body(fd: int, base: str) -> None:
    try:
        _only_this_package(base)
        _import_package(base)
        _send_line(fd, {"ok": True})
    except BaseException as exc:  # noqa: BLE001
        with contextlib.suppress(BaseException):
            _send_line(fd, {"ok": False, "error": _error(exc)})


def _run_probe(base: str, limit: float, limits: dict[str, Any]) -> tuple[str, dict[str, Any] | None, str]:
    """(mode, probe error or None, how the probe ended): import the package in a throwaway child."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            _child_setup(w, limits, limit)
            _probe_body(w, base)
        finally:
            os._exit(0)
    os.close(w)
    os.set_blocking(r, False)
    data, start, status = bytearray(), time.monotonic(), "ok"
    while True:
        ready, _, _ = select.select([r], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(r, 1 << 16)
            except BlockingIOError:
                chunk = b"x"
            if not chunk:
                break
            if chunk != b"x":
                data += chunk
            if len(data) > 1 << 16:
                status = "sent too much"
                break
        if time.monotonic() - start > limit:
            status = f"timed out after {limit:g} s"
            break
    _kill_group(pid)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)
    os.close(r)
    error = None
    ok = False
    with contextlib.suppress(Exception):
        message = json.loads(bytes(data).split(b"\n")[0])
        ok = message.get("ok") is True
        err = message.get("error")
        if isinstance(err, dict):
            error = {"types": [str(t)[:200] for t in list(err.get("types") or ["builtins.Exception"])[:20]],
                     "message": str(err.get("message", ""))[:500]}
    return ("package" if ok and status == "ok" else "modules"), (None if ok else error), status


def _kill_group(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        with contextlib.suppress(OSError):
            target()


def _kill_strays() -> None:
    """Kill every process reparented to this (subreaper) zygote and reap it."""
    me = os.getpid()
    for _ in range(20):
        found = False
        with contextlib.suppress(OSError):
            for entry in os.listdir("/proc"):
                if not entry.isdigit() or int(entry) == me:
                    continue
                with contextlib.suppress(OSError, ValueError, IndexError):
                    with open(f"/proc/{entry}/stat", "rb") as f:
                        ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
                    if ppid == me:
                        found = True
                        _kill_group(int(entry))
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        if not found:
            return
        time.sleep(0.01)


def _scheduler_body(fd: int, base: str, name: str, mode: str) -> None:
    code = 0
    try:
        _run_scheduler(_Writer(fd), base, name, mode)
    except BaseException:  # noqa: BLE001 - nothing may escape a forked child
        code = 70
    os._exit(code)


def serve(job: dict[str, Any]) -> None:
    """Run the probe (unless the mode is given) and every scheduler of ``job``; report on ``job['ctl']``."""
    ctl = int(job["ctl"])
    base, timeout, parallel = job["base"], float(job["timeout"]), max(1, int(job["parallel"]))
    limits = dict(job.get("limits") or {})
    fds: dict[str, int] = {name: int(fd) for name, fd in job["fds"].items()}
    own = {name: float(v) for name, v in (job.get("timeouts") or {}).items()}
    deadline = {name: own.get(name, timeout) for name in fds}  # wall (and CPU) seconds per scheduler
    mode = job.get("mode") or "auto"
    if mode == "auto":
        mode, probe_error, probe_status = _run_probe(base, min(timeout, 5.0), limits)
    else:
        probe_error, probe_status = None, "skipped"
    _send_line(ctl, {"kind": "mode", "mode": mode, "probe_error": probe_error, "probe_status": probe_status})
    from lrlab.grading.spec import SCHEDULERS

    weight = {name: -len(checks_for_names(name)) for name in fds}
    order = sorted(fds, key=lambda n: (weight[n], SCHEDULERS.index(n) if n in SCHEDULERS else 0))
    running: dict[int, tuple[str, float]] = {}
    while order or running:
        while order and len(running) < parallel:
            name = order.pop(0)
            fd = fds.pop(name)
            pid = os.fork()
            if pid == 0:
                for other in [ctl, *fds.values()]:
                    with contextlib.suppress(OSError):
                        os.close(other)
                try:
                    _child_setup(fd, limits, deadline[name])
                finally:
                    _scheduler_body(fd, base, name, mode)
            os.close(fd)
            running[pid] = (name, time.monotonic())
            _send_line(ctl, {"kind": "start", "name": name})
        time.sleep(0.005)
        now = time.monotonic()
        for pid, (name, started) in list(running.items()):
            timed_out = False
            try:
                done, raw = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, raw = pid, 0
            if not done and now - started > deadline[name]:
                _kill_group(pid)
                done, raw = os.waitpid(pid, 0)
                timed_out = True
            if done:
                _kill_group(pid)  # whatever it left in its process group
                del running[pid]
                _send_line(ctl, {"kind": "exit", "name": name, "timed_out": timed_out,
                                 "exit": None if timed_out else os.waitstatus_to_exitcode(raw),
                                 "seconds": round(now - started, 3)})
        with contextlib.suppress(ChildProcessError):  # reap strays reparented to us
            while True:
                pid, _ = os.waitpid(-1, os.WNOHANG)
                if pid == 0 or pid in running:
                    break
    _kill_strays()
    _send_line(ctl, {"kind": "end"})


def checks_for_names(name: str) -> tuple[Any, ...]:
    """The checks of ``name`` (empty for an unknown name)."""
    from lrlab.grading.spec import checks_for

    try:
        return tuple(checks_for(name))
    except Exception:  # noqa: BLE001
        return ()


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
    """Zygote entry point: ``JOB`` (JSON) as the only argument (see :func:`serve`)."""
    argv = sys.argv[1:] if argv is None else argv
    job = json.loads(argv[0])
    _prctl(PR_SET_DUMPABLE, 0)
    _prctl(PR_SET_CHILD_SUBREAPER, 1)
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    import warnings

    warnings.simplefilter("ignore")
    import torch  # noqa: F401 - imported once here, inherited by every child

    import lrlab.grading.driver  # noqa: F401
    import lrlab.grading.spec  # noqa: F401

    _warm_up()
    install_sentinels()
    global ARMED
    ARMED = True
    _send_line(int(job["ctl"]), {"kind": "ready"})
    try:
        serve(job)
    except BrokenPipeError:
        _kill_strays()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
