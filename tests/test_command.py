"""The `course` command's own start and end (converter.command)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _python(code: str, **kwargs) -> subprocess.CompletedProcess:  # noqa: ANN003
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, **kwargs)


def test_exiting_now_runs_exit_handlers_and_flushes_output() -> None:
    done = _python(
        "import atexit, sys\n"
        "from converter.command import exit_now\n"
        "atexit.register(lambda: print('handler ran'))\n"
        "sys.stdout.write('buffered, ')\n"
        "exit_now(3)\n"
    )
    assert (done.returncode, done.stdout) == (3, "buffered, handler ran\n")


def test_with_another_thread_alive_the_interpreter_exits_as_usual() -> None:
    """It waits for the thread, which would be cut short by os._exit."""
    done = _python(
        "import threading, time\n"
        "from converter.command import exit_now\n"
        "threading.Thread(target=lambda: (time.sleep(0.3), print('thread finished', flush=True))).start()\n"
        "exit_now(4)\n"
    )
    assert (done.returncode, done.stdout) == (4, "thread finished\n")


def test_the_command_reports_and_exits_with_its_status(tmp_path: Path, one_tutorial: Path) -> None:
    good = one_tutorial
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "converter", "--root", str(tmp_path), "convert"]
    done = subprocess.run([*command, str(good)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert "1 notebook (1 written, 0 unchanged)" in done.stderr and (tmp_path / "_toc.yml").is_file()
    again = subprocess.run([*command, str(good)], capture_output=True, text=True, env=env)
    assert "1 notebook (0 written, 1 unchanged)" in again.stderr  # the notebooks counted, not _toc.yml and index.md
    missing = subprocess.run([*command, str(tmp_path / "missing.md")], capture_output=True, text=True, env=env)
    assert missing.returncode != 0 and "missing.md" in missing.stderr
