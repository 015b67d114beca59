"""The classroom-safe layout of a course on a shared machine, set and checked by ``lrlab build-course``.

On a machine where students have their own Unix accounts, nothing a student can read may give the answers
away: the instructor's clone (``solutions/``, its git history in ``.git/``), the course directory
(``source/``, every student's ``submitted/`` and ``autograded/`` files, ``gradebook.db``). The exchange is
the only shared place, outside the clone; nbgrader makes its own folders there (``inbound/`` is
write-only for students), but every parent directory of the exchange root must be traversable (o+x).

:func:`secure` sets the modes (``0o700`` directories, ``0o600`` gradebook), :func:`problems` checks them
(is any protected path reachable and readable by "other"?), :func:`write_settings` records the layout in
``<course>/classroom.json``, which ``course/nbgrader_config.py`` reads for ``Exchange.root``.
"""

from __future__ import annotations

import json
import os
import pwd
import stat
from pathlib import Path

#: nbgrader's own default exchange root (students need no Exchange.root in their config with it).
DEFAULT_EXCHANGE = Path("/usr/local/share/nbgrader/exchange")
SETTINGS = "classroom.json"
LAYOUTS = ("auto", "shared", "local")


def other_human_accounts() -> list[str]:
    """Login names with uid >= 1000 (not ``nobody``) other than the current user: a shared machine if any."""
    me = os.getuid()
    return sorted(p.pw_name for p in pwd.getpwall()
                  if p.pw_uid >= 1000 and p.pw_uid != me and p.pw_name != "nobody" and p.pw_uid < 60000)


def resolve_layout(layout: str) -> str:
    """``"shared"`` or ``"local"``; ``"auto"`` is shared when another human account exists on this machine."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {layout!r}")
    if layout == "auto":
        return "shared" if other_human_accounts() else "local"
    return layout


def protected_paths(repo_root: Path, course_dir: Path) -> list[Path]:
    """What no student may read: the clone, its ``solutions/`` and ``.git``, the course dir and gradebook."""
    repo_root, course_dir = Path(repo_root), Path(course_dir)
    paths = [repo_root, repo_root / "solutions", course_dir, course_dir / "gradebook.db"]
    if (repo_root / ".git").is_dir():
        paths.append(repo_root / ".git")
    return [p for p in dict.fromkeys(paths) if p.exists()]


def secure(repo_root: Path, course_dir: Path) -> list[Path]:
    """Remove group and other permissions from :func:`protected_paths` (dirs ``0o700``, files ``0o600``).

    Returns the paths changed. Only the top of each tree is changed: a directory that others cannot enter
    hides everything below it, whatever the modes inside (nbgrader's umask-022 files included).
    """
    changed = []
    for path in protected_paths(repo_root, course_dir):
        mode = stat.S_IMODE(path.stat().st_mode)
        new = mode & 0o700
        if new != mode:
            path.chmod(new)
            changed.append(path)
    return changed


def readable_by_others(path: Path) -> bool:
    """True if "other" (a student, not owner or group) can read ``path``: every parent o+x, and it o+r."""
    path = Path(path).resolve()
    for parent in reversed(path.parents):
        if not stat.S_IMODE(parent.stat().st_mode) & stat.S_IXOTH:
            return False
    return bool(stat.S_IMODE(path.stat().st_mode) & stat.S_IROTH)


def _group_open(path: Path) -> bool:
    st = path.stat()
    mode = stat.S_IMODE(st.st_mode)
    if not mode & 0o070:
        return False
    try:
        import grp

        group = grp.getgrgid(st.st_gid)
    except KeyError:
        return True
    owner = pwd.getpwuid(st.st_uid).pw_name if st.st_uid in {p.pw_uid for p in pwd.getpwall()} else ""
    return bool(set(group.gr_mem) - {owner})  # a private group (only the owner) is harmless


def problems(repo_root: Path, course_dir: Path, exchange: Path | None = None) -> list[str]:
    """What a student could read (empty list: safe), and whether the exchange can be reached.

    A protected path is a problem if others can read it or its group has other members and g+r.
    The exchange root (if it exists) must have every parent directory o+x.
    """
    out = []
    for path in protected_paths(repo_root, course_dir):
        if readable_by_others(path) or _group_open(path):
            out.append(f"{path} is readable by other users (mode {stat.S_IMODE(path.stat().st_mode):o})")
    if exchange is not None:
        exchange = Path(exchange)
        if exchange.resolve().is_relative_to(Path(repo_root).resolve()):
            out.append(f"the exchange {exchange} is inside the repository {repo_root}: put it outside")
        for parent in reversed(exchange.resolve().parents):
            if parent.exists() and not stat.S_IMODE(parent.stat().st_mode) & stat.S_IXOTH:
                out.append(f"{parent} is not traversable by students (o+x): they cannot reach the exchange")
    return out


def write_settings(course_dir: Path, layout: str, exchange: Path) -> Path:
    """Record ``{"layout", "exchange"}`` in ``course_dir/classroom.json`` (read by nbgrader_config.py)."""
    path = Path(course_dir) / SETTINGS
    path.write_text(json.dumps({"layout": layout, "exchange": str(exchange)}, indent=2) + "\n")
    return path


def prepare_exchange(exchange: Path) -> None:
    """Create the exchange root (mode 0o777 + sticky bit, as nbgrader itself makes it) if it is missing."""
    exchange = Path(exchange)
    if not exchange.exists():
        exchange.mkdir(parents=True)
        exchange.chmod(0o1777)
