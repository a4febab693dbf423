"""The `course-sandbox` kernel provisioner: ipykernel inside bubblewrap, over IPC sockets.

jupyter_client starts every kernel through a provisioner named in its
kernelspec, so nbclient (`course check`), nbval (`make test`) and jupyter-cache
all get the same sandbox with no code of their own. Before the kernel is
launched this provisioner
- gives the kernel a private folder (mode 700) holding its connection file and
  its ZeroMQ IPC sockets: the kernel has no network, so TCP ports on 127.0.0.1
  would not reach it, and IPC sockets also cannot clash like ports do;
- wraps the kernel's command in `bwrap` (policy: `converter.sandbox`), behind
  the launcher that sets the limits;
- when running as root (where RLIMIT_NPROC is not enforced), makes a cgroup
  with pids and memory limits for the kernel to join.
`cleanup` kills whatever is left in that cgroup and removes the folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from . import sandbox
from .atomic import atomic_write


class SandboxMissing(RuntimeError):
    """bubblewrap is not installed."""


class SandboxProvisioner(LocalProvisioner):  # type: ignore[misc]
    """LocalProvisioner whose kernel runs in the course sandbox."""

    _private: Path | None = None
    _cgroups: list[Path] | None = None

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        if sandbox.bwrap_path() is None:
            raise SandboxMissing(f"the course sandbox needs bubblewrap (bwrap), which is not installed: {sandbox.HINT}")
        self._release()  # a restart: the old kernel's folder and cgroups go with it
        try:
            return await self._prepare(**kwargs)
        except BaseException:
            self._release()  # a kernel that never starts leaves nothing behind either
            raise

    async def _prepare(self, **kwargs: Any) -> dict[str, Any]:
        km = self.parent
        limits = sandbox.Limits.from_env(kwargs.get("env") or os.environ)
        self._private = Path(tempfile.mkdtemp(prefix="course-kernel-"))
        sandbox.identity_files(self._private, limits)
        km.transport = "ipc"
        km.ip = str(self._private / "kernel")
        km.connection_file = str(self._private / "connection.json")
        kwargs = await super().pre_launch(**kwargs)
        workdir = Path(kwargs.get("cwd") or os.getcwd()).resolve()
        self._cgroups = _make_cgroups(limits) if os.geteuid() == 0 else []
        inner = sandbox.bwrap_argv(
            kwargs["cmd"], workdir=workdir, private=self._private, limits=limits, env=kwargs.get("env") or {},
        )
        kwargs["cmd"] = sandbox.launcher_argv(
            inner, limits=limits, cgroups=[str(c / "cgroup.procs") for c in self._cgroups],
        )
        return kwargs

    oom_killed: bool = False
    """Set at cleanup: the kernel's memory cgroup had to kill a process."""
    exit_signal: int = 0
    """Set at cleanup: the signal that ended the kernel (bwrap exits with 128 + signal)."""

    def _memory_exhausted(self) -> bool:
        for group in self._cgroups or ():
            for name, word in (("memory.events", "oom_kill"), ("memory.oom_control", "oom_kill")):
                try:
                    for line in (group / name).read_text().splitlines():
                        key, _, value = line.partition(" ")
                        if key == word and int(value) > 0:
                            return True
                except (OSError, ValueError):
                    continue
        return False

    async def poll(self) -> int | None:
        code = await super().poll()
        if code:  # bwrap exits with 128 + the signal that ended the kernel
            self.exit_signal = code - 128 if code > 128 else -code if code < 0 else 0
        return code

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart=restart)
        if restart:
            return
        self.oom_killed = self._memory_exhausted()
        self._release()

    def _release(self) -> None:
        """Kill what is left of the kernel's processes, remove its cgroups and its folder."""
        for group in self._cgroups or ():
            _remove_cgroup(group)
        self._cgroups = []
        if self._private is not None:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None


# --- cgroups (root only) ------------------------------------------------------------------

def _own_cgroup(controller: str) -> tuple[Path, str] | None:
    """(mount point, our path in it) for a cgroup v1 controller, or the v2 hierarchy ('')."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        names = controllers.split(",") if controllers else []
        if controller and controller in names:
            return Path("/sys/fs/cgroup") / controller, path.lstrip("/")
        if not controller and not controllers:
            return Path("/sys/fs/cgroup"), path.lstrip("/")
    return None


def _make_cgroups(limits: sandbox.Limits) -> list[Path]:
    """A fresh cgroup per controller with the kernel's limits; [] where none can be made."""
    made: list[Path] = []
    name = f"course-kernel-{os.getpid()}-{time.monotonic_ns()}"
    v1 = {"pids": [("pids.max", limits.processes)], "memory": [("memory.limit_in_bytes", limits.memory)]}
    for controller, settings in v1.items():
        found = _own_cgroup(controller)
        if found and (group := _try_cgroup(found[0] / found[1] / name, settings)):
            made.append(group)
    if not made:  # a unified (v2) hierarchy with the controllers delegated to us
        found = _own_cgroup("")
        settings = [("pids.max", limits.processes), ("memory.max", limits.memory), ("memory.swap.max", 0)]
        if found and (group := _try_cgroup(found[0] / found[1] / name, settings)):
            made.append(group)
    return made


def _try_cgroup(group: Path, settings: list[tuple[str, int]]) -> Path | None:
    try:
        group.mkdir()
    except OSError:
        return None
    try:
        for filename, value in settings:
            if (group / filename).exists():
                (group / filename).write_text(str(value), encoding="ascii")
        if not any((group / f).exists() for f, _ in settings):
            raise OSError("no such controller")
    except OSError:
        _remove_cgroup(group)
        return None
    return group


def _remove_cgroup(group: Path) -> None:
    """Kill what is left in the group (a fork bomb's children), then remove it."""
    for _ in range(50):
        try:
            pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            pids = []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.02)


def install_kernelspec() -> Path:
    """Install the `course-sandbox` kernelspec into this Python's prefix (where nbclient and
    nbval look) unless it is there already; returns its folder."""
    source = Path(__file__).with_name("kernelspec") / "kernel.json"
    target = Path(sys.prefix) / "share" / "jupyter" / "kernels" / sandbox.KERNEL_NAME
    text = source.read_text(encoding="utf-8")
    if not (target / "kernel.json").exists() or (target / "kernel.json").read_text(encoding="utf-8") != text:
        atomic_write(target / "kernel.json", text)
    return target
