"""The bubblewrap sandbox: the command line that runs the grading zygote isolated, and whether it works here.

Inside (``bwrap --unshare-all --die-with-parent --uid 65534 --gid 65534``): own user, PID, mount, network,
IPC and UTS namespaces; a read-only view of ``/usr`` (with every other Python install and ``/usr/local``
hidden), the running interpreter and its standard library, the venv holding torch (with
``torch/optim/lr_scheduler.py`` and ``swa_utils.py`` replaced by a tripwire module and
``torch/optim/__pycache__`` hidden), the graded package at ``/submission/schedulers`` and a *kit* at
``/lrlab-kit`` holding only the lrlab modules the zygote needs (the runner, the driver, the spec and what
they import; never the oracle, the preview, the solutions). ``/tmp`` is a small private tmpfs; the root is
read-only. When the grading process dies, the sandbox dies with it (``--die-with-parent``), and when the
zygote exits, bubblewrap's PID 1 exits and the kernel kills everything left in the PID namespace.
"""

from __future__ import annotations

import ast
import atexit
import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

SANDBOX_UID = 65534
SUBMISSION = "/submission"
KIT = "/lrlab-kit"
TMP_BYTES = 64 * 1024 * 1024
CHILD_ROOTS = ("lrlab.grading.runner", "lrlab.grading.driver", "lrlab.grading.spec")
#: lrlab modules the sandbox must never contain (torch stepping, closed forms, the reference).
FORBIDDEN = ("lrlab.grading.oracle", "lrlab.grading.grader", "lrlab.grading.sandbox", "lrlab.preview",
             "lrlab.explorer", "lrlab.training", "lrlab.bench", "lrlab.classroom", "lrlab.plots")
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`, or "
                "`bash scripts/install_sandbox.sh`; Fedora: `sudo dnf install bubblewrap`); it needs Linux "
                "with unprivileged user namespaces or root")

TRIPWIRE = '''"""torch.optim.lr_scheduler does not exist while LR Lab grades (the code under test must be your own)."""


def __getattr__(name):
    import sys

    runner = sys.modules.get("lrlab.grading.runner")
    if name.startswith("__") or runner is None or not getattr(runner, "ARMED", False):
        raise AttributeError(name)
    raise runner._hit(f"torch.optim.lr_scheduler.{name}")
'''

CHILD_BOOT = ("import sys; sys.path.insert(0, {kit!r}); from lrlab.grading.runner import main; "
              "sys.exit(main())")


def _lrlab_src() -> Path:
    import lrlab

    return Path(lrlab.__file__).resolve().parent.parent


def _module_file(src: Path, name: str) -> Path | None:
    path = src.joinpath(*name.split("."))
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    return None


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def child_modules(src: Path | None = None) -> dict[str, Path]:
    """The lrlab modules the zygote imports: :data:`CHILD_ROOTS` and their lrlab imports, transitively."""
    src = src or _lrlab_src()
    found: dict[str, Path] = {}
    todo = list(CHILD_ROOTS)
    while todo:
        name = todo.pop()
        if name in found or _forbidden(name) or name in ("lrlab", "lrlab.grading"):
            continue
        path = _module_file(src, name)
        if path is None:
            continue
        found[name] = path
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:
                    parts = package.split(".")
                    module = ".".join(parts[: len(parts) - node.level + 1] + ([module] if module else []))
                targets = [module] + [f"{module}.{a.name}" for a in node.names]
            todo.extend(t for t in targets if t == "lrlab" or t.startswith("lrlab."))
    return found


@functools.cache
def kit_dir() -> Path:
    """A private directory with the zygote's lrlab modules (empty package ``__init__`` files) and the tripwire."""
    kit = Path(tempfile.mkdtemp(prefix="lrlab-kit-"))
    atexit.register(shutil.rmtree, kit, True)
    src = _lrlab_src()
    for path in child_modules(src).values():
        target = kit / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    for package in ("lrlab", "lrlab/grading"):
        (kit / package).mkdir(parents=True, exist_ok=True)
        (kit / package / "__init__.py").write_text('"""(sandbox kit: only the modules the grading child needs)"""\n')
    for directory in [kit, *[p for p in kit.rglob("*") if p.is_dir()]]:
        directory.chmod(0o755)
    for path in kit.rglob("*.py"):
        path.chmod(0o644)
    (kit / "tripwire.py").write_text(TRIPWIRE)
    (kit / "tripwire.py").chmod(0o644)
    return kit


def bwrap_path() -> str | None:
    """The bubblewrap executable, or None."""
    return shutil.which("bwrap") or ("/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None)


def _executable_chain(path: str) -> list[tuple[str, str | None]]:
    """(path, symlink target or None for the final file) from ``path`` to the real executable."""
    chain: list[tuple[str, str | None]] = []
    current = os.path.abspath(path)
    for _ in range(20):
        if os.path.islink(current):
            target = os.readlink(current)
            chain.append((current, target))
            current = os.path.normpath(os.path.join(os.path.dirname(current), target))
        else:
            chain.append((current, None))
            break
    return chain


def _torch_dir() -> Path:
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.origin:
        raise RuntimeError("torch is not installed")
    return Path(spec.origin).resolve().parent


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def command(submission_base: Path, job_json: str, *, argv: list[str] | None = None) -> list[str]:
    """The bubblewrap command line that runs the zygote on ``submission_base/schedulers`` with ``job_json``,
    or, with ``argv``, that interpreter command instead (``[sys.executable, "-I", ...]``: the concept
    answers' child). The toolkit itself is hidden where the sandbox could read it (a non-editable install
    inside the venv): the child sees only the kit."""
    bwrap = bwrap_path()
    if bwrap is None:
        raise RuntimeError("bubblewrap (bwrap) is not installed")
    kit = kit_dir()
    torch_dir = _torch_dir()
    site_dir = str(torch_dir.parent)
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    base_prefix = os.path.realpath(sys.base_prefix)
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session",
            "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--hostname", "lrlab-sandbox",
            "--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    # no other Python is visible: /usr/local and every /usr/lib/python* except our stdlib are hidden
    hidden = ["/usr/local"] if os.path.isdir("/usr/local") else []
    for lib in ("/usr/lib", "/usr/lib64"):
        with_py = sorted(p for p in Path(lib).glob("python*") if p.is_dir() and not p.is_symlink()) \
            if os.path.isdir(lib) else []
        hidden += [str(p) for p in with_py if not _under(stdlib, str(p))]
    for path in hidden:
        args += ["--size", "4096", "--tmpfs", path, "--remount-ro", path]
    args += ["--size", str(TMP_BYTES), "--tmpfs", "/tmp", "--dev", "/dev", "--proc", "/proc"]
    # the interpreter, its stdlib and libpython; its own site-packages hidden unless torch lives there
    base_lib = os.path.join(base_prefix, "lib")
    if not _under(base_prefix, "/usr"):
        args += ["--ro-bind", base_lib, base_lib]
    for path, target in _executable_chain(sys.executable):
        if _under(path, "/usr"):
            continue
        if target is None:
            args += ["--ro-bind", path, path]
        else:
            args += ["--symlink", target, path]
    for key in ("purelib", "platlib"):
        base_site = os.path.realpath(sysconfig.get_paths(vars={"base": base_prefix, "platbase": base_prefix})[key])
        if os.path.isdir(base_site) and base_site != site_dir and (base_site not in args):
            args += ["--size", "4096", "--tmpfs", base_site, "--remount-ro", base_site]
    prefix = os.path.realpath(sys.prefix)
    if prefix != base_prefix:
        args += ["--ro-bind", prefix, prefix]
        if sys.prefix != prefix:
            args += ["--symlink", prefix, sys.prefix]
    if not _under(site_dir, prefix) and not _under(site_dir, base_lib) and not _under(site_dir, "/usr"):
        args += ["--ro-bind", site_dir, site_dir]
    optim = torch_dir / "optim"
    args += ["--ro-bind", str(kit / "tripwire.py"), str(optim / "lr_scheduler.py"),
             "--ro-bind", str(kit / "tripwire.py"), str(optim / "swa_utils.py")]
    for stub in ("lr_scheduler.pyi", "swa_utils.pyi"):
        if (optim / stub).exists():
            args += ["--ro-bind", str(kit / "tripwire.py"), str(optim / stub)]
    if (optim / "__pycache__").is_dir():
        args += ["--size", "4096", "--tmpfs", str(optim / "__pycache__"), "--remount-ro", str(optim / "__pycache__")]
    import lrlab

    toolkit = str(Path(lrlab.__file__).resolve().parent)  # the installed lrlab package
    if any(_under(toolkit, root) for root in (prefix, site_dir)):
        args += ["--size", "4096", "--tmpfs", toolkit, "--remount-ro", toolkit]
    args += ["--ro-bind", str(kit), KIT, "--ro-bind", str(submission_base), SUBMISSION,
             "--remount-ro", "/", "--chdir", "/tmp", "--clearenv",
             "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp", "--setenv", "LANG", "C.UTF-8",
             "--setenv", "OMP_NUM_THREADS", "1", "--setenv", "PYTHONDONTWRITEBYTECODE", "1"]
    return args + (argv if argv is not None
                   else [sys.executable, "-I", "-B", "-c", CHILD_BOOT.format(kit=KIT), job_json])


@functools.cache
def probe() -> tuple[bool, str]:
    """(usable, why not): runs a trivial Python inside the same sandbox once per process."""
    if not sys.platform.startswith("linux"):
        return False, f"bubblewrap needs Linux (this is {sys.platform})"
    if bwrap_path() is None:
        return False, "bubblewrap (bwrap) is not installed"
    try:
        with tempfile.TemporaryDirectory(prefix="lrlab-probe-") as tmp:
            (Path(tmp) / "schedulers").mkdir()
            cmd = command(Path(tmp), "{}", argv=[sys.executable, "-I", "-B", "-c",
                                                  "import os, sys; print(os.getuid(), sys.prefix)"])
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
        return False, f"bubblewrap failed to start: {exc}"
    if out.returncode != 0 or not out.stdout.startswith(f"{SANDBOX_UID} "):
        tail = (out.stderr or out.stdout).strip().splitlines()[-1:] or ["no output"]
        return False, f"bubblewrap does not work here ({tail[0][:200]})"
    return True, ""
