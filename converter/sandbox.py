"""The sandbox every kernel that runs tutorial code starts in (bubblewrap).

Tutorial code is untrusted. `course check`, the nbval step of `make test` and
anything else that executes it start the kernel `course-sandbox`, whose
provisioner (`converter.provisioner`) wraps ipykernel in `bwrap`:

- a new user, PID, IPC, UTS and network namespace: no network at all (not even
  the host's 127.0.0.1); the kernel talks to its client over ZeroMQ IPC
  sockets in a private folder bound into the sandbox;
- a file system made of read-only binds of what Python needs (`/usr`, the
  Python installation, the venv, a few files of `/etc`); the user's home, the
  repository, SSH keys and `/etc/shadow` are not there at all. Writable: the
  notebook's working folder, `/tmp`, `/dev/shm` and HOME, each an empty private tmpfs of
  `Limits.disk` bytes that vanishes with the kernel;
- an environment reduced to `ENV_ALLOWLIST`;
- limits (`Limits`): memory (RLIMIT_DATA, which counts what a process really
  allocates; RLIMIT_AS would also count the address space V8 or Go reserve
  and never use, and Node.js would not start), processes, file size, CPU time, open
  files, set as rlimits by the launcher (`python -m converter.sandbox`) just
  before it execs bwrap. The kernel does not enforce RLIMIT_NPROC for root, so
  when running as root the launcher also joins a cgroup with `pids.max` and a
  memory limit, which the provisioner makes and removes.

bubblewrap over nsjail or firejail: it is one small setuid-free binary packaged
by every distribution (Debian `bubblewrap`), used by Flatpak, and configured
entirely by its argv, so the whole policy is the list `bwrap_argv` builds.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

KERNEL_NAME = "course-sandbox"
HINT = "install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`; Fedora: `sudo dnf install bubblewrap`) or pass --no-sandbox"
MiB = 1 << 20
GiB = 1 << 30
HOME = "/home/learner"
UID = 1000
# Variables a kernel may see; everything else (tokens, keys, proxies, the user's paths) stays outside.
ENV_ALLOWLIST = (
    "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "TZ", "TERM", "COLUMNS", "LINES",
    "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONIOENCODING",
    "PYDEVD_DISABLE_FILE_VALIDATION", "MPLBACKEND", "JPY_SESSION_NAME", "NODE_PATH",
)
# Files of /etc that programs read and that hold no secrets.
_ETC = (
    "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "ssl", "ca-certificates", "localtime",
    "timezone", "mime.types", "nsswitch.conf", "hosts", "os-release", "fonts", "protocols", "services",
)
_TOP_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


@dataclass(frozen=True, slots=True)
class Limits:
    """What one sandboxed kernel may use. Sizes in bytes; `env()` / `from_env()` carry
    them to the provisioner (which nbval starts too) as COURSE_SANDBOX_* variables."""

    memory: int = 2 * GiB
    """Data (heap and private mappings) of each process, and the whole kernel's memory where a cgroup is used."""
    processes: int = 256
    file_size: int = 256 * MiB
    """Largest file a cell may write."""
    disk: int = 512 * MiB
    """Size of each private tmpfs (working folder, /tmp, HOME)."""
    cpu_seconds: int = 900
    open_files: int = 1024
    output: int = 10 * MiB
    """Output a cell may send before `course check` cuts it (enforced by the client)."""

    def env(self) -> dict[str, str]:
        return {f"COURSE_SANDBOX_{k.upper()}": str(v) for k, v in asdict(self).items()}

    @classmethod
    def from_env(cls, environ: dict[str, str] | os._Environ = os.environ) -> Limits:
        values = {}
        for name in cls.__dataclass_fields__:
            raw = environ.get(f"COURSE_SANDBOX_{name.upper()}")
            if raw:
                values[name] = parse_size(raw)
        return cls(**values)


def parse_size(text: str) -> int:
    """'2G', '512M', '100k' or a plain number of bytes (or seconds, or a count)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)i?[bB]?\s*", text)
    if not match:
        raise ValueError(f"not a size: {text!r} (use e.g. 2G, 512M or a number)")
    number, unit = match.groups()
    return int(float(number) * {"": 1, "k": 1 << 10, "m": MiB, "g": GiB}[unit.lower()])


def human(size: int) -> str:
    """2147483648 -> '2 GiB', 10485760 -> '10 MiB'."""
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


def bwrap_path() -> str | None:
    """The bubblewrap binary, or None when it is not installed."""
    return shutil.which("bwrap")


def bwrap_argv(
    command: list[str], *, workdir: Path, private: Path, limits: Limits, env: dict[str, str],
) -> list[str]:
    """The bwrap command line that runs `command` in the sandbox.

    `private` is the kernel's own folder (connection file and IPC sockets), bound
    read-write at the same path; `workdir` (the kernel's working folder) is an
    empty private tmpfs at the same path: nothing a cell writes reaches the host."""
    argv = [
        bwrap_path() or "bwrap", "--unshare-all", "--unshare-user", "--disable-userns",
        "--uid", str(UID), "--gid", str(UID), "--hostname", "sandbox",
        "--die-with-parent", "--new-session", "--cap-drop", "ALL",
        "--proc", "/proc", "--dev", "/dev",
    ]
    # The private tmpfs mounts first: a bind below one of them (the kernel's folder) comes after.
    for path in ("/tmp", "/dev/shm", HOME, str(workdir)):
        argv += ["--size", str(limits.disk), "--tmpfs", path]
    argv += ["--ro-bind", "/usr", "/usr"]
    for name in _TOP_LINKS:
        host = Path("/") / name
        if host.is_symlink():
            argv += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            argv += ["--ro-bind", str(host), str(host)]
    for name in _ETC:
        argv += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    for folder in python_folders():
        argv += ["--ro-bind", str(folder), str(folder)]
    for folder in node_folders(env):
        argv += ["--ro-bind", str(folder), str(folder)]
    argv += ["--ro-bind", str(private / "passwd"), "/etc/passwd", "--ro-bind", str(private / "group"), "/etc/group"]
    argv += ["--ro-bind", str(private / "startup.py"), STARTUP_FILE]
    argv += ["--bind", str(private), str(private), "--chdir", str(workdir), "--clearenv"]
    for name, value in sorted(sandbox_env(env).items()):
        argv += ["--setenv", name, value]
    return [*argv, "--", *command]


def python_folders() -> list[Path]:
    """The Python installation and the venv, unless they are under /usr already."""
    folders = {Path(sys.prefix), Path(sys.base_prefix), Path(os.path.realpath(sys.executable)).parent.parent}
    kept = sorted(f for f in folders if not _under(f, Path("/usr")))
    # A folder inside another one is bound with it.
    return [f for f in kept if not any(f != other and _under(f, other) for other in kept)]


def node_folders(env: dict[str, str]) -> list[Path]:
    """The npm packages the course installed (`NODE_PATH`, set by `course check`): read-only inside."""
    return [Path(p) for p in env.get("NODE_PATH", "").split(os.pathsep) if p and Path(p).is_absolute() and Path(p).is_dir()]


def _under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def sandbox_env(env: dict[str, str]) -> dict[str, str]:
    """The kernel's environment: the allowlisted variables, and the sandbox's own paths."""
    kept = {k: v for k, v in env.items() if k in ENV_ALLOWLIST}
    python_bin = str(Path(sys.executable).parent)
    # The npm packages' programs (ts-node, jest) come after the system's.
    node_bins = "".join(f":{folder / '.bin'}" for folder in node_folders(env))
    return {
        **kept, "HOME": HOME, "USER": "learner", "LOGNAME": "learner", "TMPDIR": "/tmp",
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin{node_bins}", "COURSE_SANDBOX": "1",
        # JupySQL's telemetry off (there is no network to send it to anyway); Go builds offline.
        "PLOOMBER_STATS_ENABLED": "false", "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local",
    }


# IPython start-up file of the sandboxed kernel: a cell that prints more than the output limit
# fails with OutputLimit before ipykernel buffers it (the client cuts it too, should a cell undo this).
_STARTUP = """\
import sys as _sys


class OutputLimit(Exception):
    \"\"\"The cell printed more than the course sandbox allows.\"\"\"


def _course_output_limit(limit):
    counted = {"bytes": 0}
    get_ipython().events.register("pre_run_cell", lambda *_: counted.update(bytes=0))
    for stream, loud in ((_sys.stdout, True), (_sys.stderr, False)):
        def write(text, _write=stream.write, _loud=loud):
            counted["bytes"] += len(text)
            if counted["bytes"] <= limit:
                return _write(text)
            if _loud:
                raise OutputLimit(f"output over {limit} bytes: the course sandbox stopped this cell")
            return len(text)
        stream.write = write


_course_output_limit({limit})
del _course_output_limit
"""
STARTUP_FILE = f"{HOME}/.ipython/profile_default/startup/00-course-output-limit.py"


def identity_files(private: Path, limits: Limits) -> None:
    """/etc/passwd and /etc/group naming the sandbox's one user (Python's getpass and pwd
    read them), and the kernel's start-up file."""
    (private / "passwd").write_text(f"learner:x:{UID}:{UID}:learner:{HOME}:/bin/sh\n", encoding="utf-8")
    (private / "group").write_text(f"learner:x:{UID}:\n", encoding="utf-8")
    (private / "startup.py").write_text(_STARTUP.replace("{limit}", str(limits.output)), encoding="utf-8")


# --- the launcher: rlimits and cgroups, then exec bwrap ---------------------------------------

def launcher_argv(bwrap: list[str], *, limits: Limits, cgroups: list[str]) -> list[str]:
    """`python -m converter.sandbox LIMITS CGROUPS -- bwrap ...`."""
    return [sys.executable, "-m", "converter.sandbox", json.dumps(asdict(limits)), json.dumps(cgroups), "--", *bwrap]


def apply_limits(limits: Limits) -> None:
    """Set the rlimits every process of the sandbox inherits."""
    for which, value in (
        (resource.RLIMIT_DATA, limits.memory), (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_FSIZE, limits.file_size), (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_NOFILE, limits.open_files), (resource.RLIMIT_CORE, 0),
    ):
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        resource.setrlimit(which, (value, value))


def _launch(argv: list[str]) -> None:
    limits_json, cgroups_json, dashdash, *command = argv
    if dashdash != "--" or not command:
        raise SystemExit("usage: python -m converter.sandbox LIMITS CGROUPS -- COMMAND...")
    for procs in json.loads(cgroups_json):
        Path(procs).write_text(str(os.getpid()), encoding="ascii")
    apply_limits(Limits(**json.loads(limits_json)))
    os.execvp(command[0], command)


if __name__ == "__main__":
    _launch(sys.argv[1:])
