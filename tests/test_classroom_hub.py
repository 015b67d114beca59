"""A real multi-user classroom: JupyterHub on 127.0.0.1, one instructor and three students as Unix users.

The test (root needed, as in CI) creates the users, builds the course with ``lrlab build-course --layout
shared`` (exchange outside the instructor's clone, clone/course/gradebook closed to others, checked), a
student environment without the solutions (``lrlab build-student-env``), and starts JupyterHub
(DummyAuthenticator, LocalProcessSpawner, configurable-http-proxy from scripts/install_chp.sh). Each
student's single-user server runs as that student; students fetch and submit through the nbgrader
exchange with their server's ``/assignments/...`` API (nbgrader's assignment-list extension, what the
Assignments tab calls), the instructor autogrades (``lrlab autograde``) and releases feedback, and every
student fetches only their own. Then, as each student: solutions/, the gradebook, the course directory,
another student's submission and home are unreadable. Users and processes are removed at the end.
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
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from lrlab.classroom import ASSIGNMENT
from lrlab.classroom.builder import NOTEBOOK
from lrlab.paths import COURSE_DIR, REPO_ROOT, SOLUTIONS_DIR

pytestmark = [pytest.mark.classroom, pytest.mark.nbgrader, pytest.mark.slow, pytest.mark.timeout(900)]

VENV_BIN = Path(sys.executable).parent
#: The interpreter the test's environments are made from (they take their packages from this venv's
#: site-packages). Every user must be able to run it: this venv's base interpreter may live under /root
#: (pyenv), so the fixture copies it (binary, libpython, stdlib: ~130 MB) into the test's directory.
BASE_PYTHON = ""
EXTRA_ENV: dict[str, str] = {}
SCRIPTS = {"nbgrader": "from nbgrader.apps.nbgraderapp import main",
           "alembic": "from alembic.config import main",
           "lrlab": "from lrlab.cli import main",
           "jupyter": "from jupyter_core.command import main"}
CHP = REPO_ROOT / ".cache" / "chp" / "node_modules" / ".bin" / "configurable-http-proxy"
SUFFIX = secrets.token_hex(2)
INSTRUCTOR = f"lrinst{SUFFIX}"
STUDENTS = {f"lrstu{SUFFIX}a": "full", f"lrstu{SUFFIX}b": "partial", f"lrstu{SUFFIX}c": "stubs"}
EXPECTED_TOTAL = {"full": 100.0, "stubs": 0.0}


def _site_packages() -> str:
    return subprocess.run([sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()


def portable_python(dst: Path) -> str:
    """A copy of this venv's base interpreter under ``dst`` that any user can run; sets LD_LIBRARY_PATH."""
    src = Path(sys.base_prefix)
    ver = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (dst / "bin").mkdir(parents=True)
    shutil.copy2(Path(sys.base_prefix) / "bin" / ver, dst / "bin" / ver)
    (dst / "lib").mkdir()
    for lib in (src / "lib").glob("libpython*.so*"):
        shutil.copy2(lib, dst / "lib" / lib.name, follow_symlinks=True)
    shutil.copytree(src / "lib" / ver, dst / "lib" / ver, symlinks=True,
                    ignore=shutil.ignore_patterns("site-packages", "test", "__pycache__", "idlelib", "tkinter"))
    (dst / "lib" / ver / "site-packages").mkdir()
    subprocess.run(["chmod", "-R", "a+rX", str(dst)], check=True)
    EXTRA_ENV["LD_LIBRARY_PATH"] = str(dst / "lib")
    os.environ["LD_LIBRARY_PATH"] = str(dst / "lib")  # for the root-run steps (venv creation)
    return str(dst / "bin" / ver)


def make_instructor_env(env: Path) -> Path:
    """A venv from BASE_PYTHON seeing this venv's packages and lrlab's source (like the editable install)."""
    subprocess.run([BASE_PYTHON, "-m", "venv", "--without-pip", str(env)], check=True)
    py = env / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "zz_lrlab.pth").write_text(f"{REPO_ROOT / 'src'}\n{_site_packages()}\n")
    from lrlab.classroom.studentenv import share_jupyter_data

    share_jupyter_data(Path(_site_packages()), env)
    for name, imp in SCRIPTS.items():
        script = env / "bin" / name
        script.write_text(f"#!{py}\nimport sys\n{imp}\nif __name__ == \"__main__\":\n    sys.exit(main())\n")
        script.chmod(0o755)
    return env / "bin"


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root (creates Unix users)"
    if not shutil.which("useradd") or not shutil.which("runuser"):
        return "needs useradd and runuser"
    if not CHP.is_file():
        return f"configurable-http-proxy missing ({CHP}): run scripts/install_chp.sh"
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "jupyterhub is not installed (pip install -e '.[test]')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ENV_BIN: dict[str, Path] = {}  # user -> the bin/ of the environment they use


def as_user(user: str, *cmd: str, cwd: Path | str = "/", check: bool = True, timeout: float = 600,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``cmd`` as Unix ``user`` (runuser, a login-like environment with HOME set)."""
    home = f"/home/{user}"
    path = f"{ENV_BIN[user]}:/usr/bin:/bin" if user in ENV_BIN else "/usr/bin:/bin"
    base = {"HOME": home, "USER": user, "LOGNAME": user, "PATH": path, "LANG": "C.UTF-8", **EXTRA_ENV}
    proc = subprocess.run(["runuser", "-u", user, "--", "env", "-i",
                           *[f"{k}={v}" for k, v in {**base, **(env or {})}.items()], *cmd],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, f"{user}: {cmd} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-4000:]}"
    return proc


def can_read(user: str, path: Path) -> bool:
    """True if ``user`` can read the file (or list the directory) at ``path``."""
    cmd = ["ls", str(path)] if path.is_dir() else ["head", "-c", "1", str(path)]
    return as_user(user, *cmd, check=False).returncode == 0


class Hub:
    def __init__(self, base: Path, student_py: Path) -> None:
        self.port, self.hub_port, self.api_port = _free_port(), _free_port(), _free_port()
        self.token = secrets.token_hex(16)
        self.dir = base / "hub"
        self.dir.mkdir(mode=0o700)
        config = f"""
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {self.port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {self.hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{self.api_port}"
c.ConfigurableHTTPProxy.command = [{str(CHP)!r}]
c.JupyterHub.db_url = "sqlite:///{self.dir}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{self.dir}/cookie_secret"
c.JupyterHub.pid_file = "{self.dir}/jupyterhub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {set([INSTRUCTOR, *STUDENTS])!r}
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [{str(student_py)!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.environment = {EXTRA_ENV!r}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.JupyterHub.services = [{{"name": "lrlab-test", "api_token": {self.token!r}}}]
c.JupyterHub.load_roles = [{{"name": "lrlab-test", "services": ["lrlab-test"],
    "scopes": ["admin:users", "admin:servers", "access:servers", "read:users", "read:hub"]}}]
"""
        (self.dir / "jupyterhub_config.py").write_text(config)
        self.log = open(self.dir / "hub.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f", str(self.dir / "jupyterhub_config.py")],
                                     cwd=self.dir, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True,
                                     env={**os.environ, "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '')}"})
        self.wait(lambda: self.api("GET", "/hub/api/info"), 90, "the hub did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def api(self, method: str, path: str, data: dict | None = None, form: bool = False):
        body, headers = None, {"Authorization": f"token {self.token}"}
        if data is not None:
            if form:
                body = urllib.parse.urlencode(data).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:
                body = json.dumps(data).encode()
                headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.url(path), data=body, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=120) as resp:
            text = resp.read().decode()
        return json.loads(text) if text.strip() else None

    def wait(self, probe, seconds: float, message: str):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{message}: the hub exited\n{(self.dir / 'hub.log').read_text()[-4000:]}")
            try:
                return probe()
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.5)
        raise AssertionError(f"{message}\n{(self.dir / 'hub.log').read_text()[-4000:]}")

    def start_server(self, user: str) -> float:
        t = time.perf_counter()
        try:
            self.api("POST", f"/hub/api/users/{user}/server")
        except urllib.error.HTTPError as exc:
            if exc.code != 202:
                raise

        def ready():
            info = self.api("GET", f"/hub/api/users/{user}")
            if not info["servers"].get("", {}).get("ready"):
                raise ConnectionError("not ready")
            return self.api("GET", f"/user/{user}/api/status")

        self.wait(ready, 120, f"the server of {user} did not start")
        return time.perf_counter() - t

    def assignments(self, user: str, action: str) -> object:
        return self.api("POST", f"/user/{user}/assignments/{action}",
                        {"course_id": "lrlab", "assignment_id": ASSIGNMENT}, form=True)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


def _user_pids(user: str) -> list[int]:
    out = subprocess.run(["pgrep", "-u", user], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


@pytest.fixture(scope="module")
def classroom() -> Iterator[dict]:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"the JupyterHub classroom test cannot run: {reason} (CI is set: a failure)", pytrace=False)
        pytest.skip(reason)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    base = Path(tempfile.mkdtemp(prefix="lrlab-hub-", dir="/tmp"))
    base.chmod(0o755)
    users = [INSTRUCTOR, *STUDENTS]
    hub = None
    try:
        for user in users:
            subprocess.run(["useradd", "-m", "-K", "HOME_MODE=0700", "-s", "/bin/bash", user], check=True)
            Path(f"/home/{user}").chmod(0o700)
        # The instructor's clone: solutions/, a git history and the course (config + templates).
        repo = base / "instructor" / "lrlab"
        (repo / "course").mkdir(parents=True)
        shutil.copytree(SOLUTIONS_DIR, repo / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
        (repo / ".git").mkdir()
        (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
        shutil.copy(COURSE_DIR / "nbgrader_config.py", repo / "course")
        shutil.copytree(COURSE_DIR / "templates", repo / "course" / "templates")
        subprocess.run(["chown", "-R", f"{INSTRUCTOR}:{INSTRUCTOR}", str(base / "instructor")], check=True)
        exchange = base / "srv" / "nbgrader" / "exchange"
        exchange.parent.mkdir(parents=True)
        exchange.parent.chmod(0o755)
        exchange.parent.parent.chmod(0o755)
        subprocess.run(["chown", f"{INSTRUCTOR}:{INSTRUCTOR}", str(exchange.parent)], check=True)
        course = repo / "course"
        global BASE_PYTHON
        BASE_PYTHON = portable_python(base / "python")
        inst_bin = make_instructor_env(base / "instructor" / "env")
        ENV_BIN[INSTRUCTOR] = inst_bin
        subprocess.run(["chown", "-R", f"{INSTRUCTOR}:{INSTRUCTOR}", str(base / "instructor")], check=True)

        t = time.perf_counter()
        build = as_user(INSTRUCTOR, str(inst_bin / "lrlab"), "build-course", "--course", str(course),
                        "--layout", "shared", "--exchange", str(exchange), "--repo", str(repo))
        timings["build-course --layout shared"] = time.perf_counter() - t
        t = time.perf_counter()
        env_proc = subprocess.run([str(VENV_BIN / "lrlab"), "build-student-env", str(base / "student-env"),
                                   "--packages-from", _site_packages(), "--python", BASE_PYTHON],
                                  capture_output=True, text=True)
        assert env_proc.returncode == 0, env_proc.stdout + env_proc.stderr
        timings["build-student-env"] = time.perf_counter() - t
        student_py = base / "student-env" / "venv" / "bin" / "python"

        for user in STUDENTS:
            cfg = Path(f"/home/{user}/.jupyter")
            cfg.mkdir()
            (cfg / "nbgrader_config.py").write_text(
                f'c = get_config()\nc.CourseDirectory.course_id = "lrlab"\nc.Exchange.root = "{exchange}"\n')
            subprocess.run(["chown", "-R", f"{user}:{user}", str(cfg)], check=True)

        t = time.perf_counter()
        hub = Hub(base, student_py)
        timings["hub start"] = time.perf_counter() - t
        spawn = {user: hub.start_server(user) for user in STUDENTS}
        timings["spawn 3 single-user servers"] = sum(spawn.values())

        lrlab_bin = str(inst_bin / "lrlab")
        nbgrader_bin = str(inst_bin / "nbgrader")
        t = time.perf_counter()
        as_user(INSTRUCTOR, nbgrader_bin, "generate_assignment", ASSIGNMENT, "--force", cwd=course)
        as_user(INSTRUCTOR, nbgrader_bin, "release_assignment", ASSIGNMENT, "--force", cwd=course)
        timings["generate + release"] = time.perf_counter() - t

        t = time.perf_counter()
        for user, kind in STUDENTS.items():
            hub.assignments(user, "fetch")
            work = Path(f"/home/{user}/{ASSIGNMENT}")
            assert (work / NOTEBOOK).is_file(), f"{user} fetched nothing"
            if kind == "full":
                for p in (SOLUTIONS_DIR / "schedulers").glob("*.py"):  # the test writes the work, as root
                    shutil.copy(p, work / "schedulers" / p.name)
            elif kind == "partial":
                for m in ("base", "step"):
                    shutil.copy(SOLUTIONS_DIR / "schedulers" / f"{m}.py", work / "schedulers" / f"{m}.py")
            subprocess.run(["chown", "-R", f"{user}:{user}", str(work)], check=True)
            out = hub.assignments(user, "submit")
            assert not (isinstance(out, dict) and out.get("success") is False), out
        timings["3 fetch + submit through the hub"] = time.perf_counter() - t

        t = time.perf_counter()
        as_user(INSTRUCTOR, nbgrader_bin, "collect", ASSIGNMENT, cwd=course)
        grade = as_user(INSTRUCTOR, lrlab_bin, "autograde", ASSIGNMENT, "--course", str(course), "--jobs", "1",
                        cwd=course)
        timings["collect + lrlab autograde (3)"] = time.perf_counter() - t
        t = time.perf_counter()
        as_user(INSTRUCTOR, nbgrader_bin, "generate_feedback", ASSIGNMENT, cwd=course)
        as_user(INSTRUCTOR, nbgrader_bin, "release_feedback", ASSIGNMENT, cwd=course)
        for user in STUDENTS:
            hub.assignments(user, "fetch_feedback")
        timings["feedback generate + release + 3 fetch"] = time.perf_counter() - t
        timings["whole classroom test set-up"] = time.perf_counter() - t0
        print("\n" + build.stdout + "\n" + grade.stdout)
        for what, seconds in timings.items():
            print(f"{what:<45} {seconds:6.1f} s")
        yield {"base": base, "repo": repo, "course": course, "exchange": exchange, "grade": grade.stdout,
               "student_py": student_py, "hub": hub, "timings": timings}
    finally:
        if hub is not None:
            for user in STUDENTS:
                try:
                    hub.api("DELETE", f"/hub/api/users/{user}/server")
                except (urllib.error.URLError, OSError):
                    pass
            hub.stop()
        for user in users:
            for pid in _user_pids(user):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            subprocess.run(["userdel", "-r", "-f", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
        if EXTRA_ENV.pop("LD_LIBRARY_PATH", None):
            os.environ.pop("LD_LIBRARY_PATH", None)


def test_each_server_runs_as_its_student(classroom: dict) -> None:
    for user in STUDENTS:
        pids = _user_pids(user)
        cmdlines = [Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode() for p in pids
                    if Path(f"/proc/{p}/cmdline").exists()]
        assert any("jupyterhub.singleuser" in c for c in cmdlines), (user, cmdlines)


def test_scores_and_flags_per_student(classroom: dict) -> None:
    rows = {line.split()[0]: line for line in classroom["grade"].splitlines() if line.split()}
    for user, kind in STUDENTS.items():
        assert rows[user].split()[1] == "yes", rows[user]
        if kind in EXPECTED_TOTAL:
            assert rows[user].split()[2] == f"{EXPECTED_TOTAL[kind]:g}/100", rows[user]
    partial = float(rows[next(u for u, k in STUDENTS.items() if k == "partial")].split()[2].split("/")[0])
    assert 0 < partial < 100
    full = next(u for u, k in STUDENTS.items() if k == "full")
    stubs = next(u for u, k in STUDENTS.items() if k == "stubs")
    assert "FLAGGED" in rows[full] and "FLAGGED" not in rows[stubs]


def test_each_student_fetches_only_their_own_feedback(classroom: dict) -> None:
    rows = {line.split()[0]: line.split()[2] for line in classroom["grade"].splitlines() if line.split()}
    for user in STUDENTS:
        pages = list(Path(f"/home/{user}/{ASSIGNMENT}/feedback").glob(f"*/{Path(NOTEBOOK).stem}.html"))
        assert len(pages) == 1, (user, pages)
        score = float(rows[user].split("/")[0])
        assert f"(Score: {score:.1f} / 100.0)" in pages[0].read_text(), user


def test_students_cannot_read_what_they_should_not(classroom: dict) -> None:
    repo, course = classroom["repo"], classroom["course"]
    users = list(STUDENTS)
    secret = [repo / "solutions" / "schedulers" / "step.py", repo / "solutions", repo / ".git" / "HEAD",
              course / "gradebook.db", course / "source", course / "submitted", course / "autograded",
              course / "feedback", classroom["exchange"] / "lrlab" / "inbound"]
    for user in users:
        for path in secret:
            assert path.exists(), path
            assert not can_read(user, path), f"{user} can read {path}"
        for other in users:
            if other != user:
                assert not can_read(user, Path(f"/home/{other}/{ASSIGNMENT}/schedulers/step.py")), (user, other)
                assert not can_read(user, course / "submitted" / other / ASSIGNMENT / "schedulers" / "step.py")
    # ...but they can reach what they need: the released assignment and the student environment
    assert can_read(users[0], classroom["exchange"] / "lrlab" / "outbound" / ASSIGNMENT / NOTEBOOK)
    assert as_user(users[0], str(classroom["student_py"]), "-c", "import lrlab, torch").returncode == 0


def test_student_environment_holds_no_reference(classroom: dict) -> None:
    code = ("import lrlab, lrlab.paths as p; print(lrlab.__file__); "
            "print((p.SOLUTIONS_DIR / 'schedulers').is_dir())")
    out = as_user(next(iter(STUDENTS)), str(classroom["student_py"]), "-c", code).stdout.split()
    assert out[0].startswith(str(classroom["base"] / "student-env")) and out[1] == "False"
    # the student can grade their own work in it, like `lrlab grade .` in the notebook's folder
    user = next(u for u, k in STUDENTS.items() if k == "partial")
    proc = as_user(user, str(classroom["student_py"]), "-m", "lrlab.cli", "grade", f"/home/{user}/{ASSIGNMENT}",
                   "--only", "StepLR", cwd=f"/home/{user}")
    from lrlab.grading import SCHEDULER_POINTS

    assert f"TOTAL: {SCHEDULER_POINTS['StepLR']}/{SCHEDULER_POINTS['StepLR']}" in proc.stdout, proc.stdout
