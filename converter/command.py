"""The `course` command, as installed and as `python -m converter`: the CLI, what it compiles
at run time kept between runs (converter.compile_cache), and an exit without the
interpreter's teardown."""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn


def main() -> NoReturn:
    from . import compile_cache

    compile_cache.install()  # before the CLI's imports, which compile most of it
    try:
        from .cli import main as cli

        code = cli()
    finally:
        compile_cache.save()
    exit_now(code)


def exit_now(code: int) -> NoReturn:
    """Exit as the interpreter does, less its teardown: freeing every object the run made,
    one by one, took 0.035 s after converting the seeds, and the process's memory goes back
    at once anyway. Exit handlers run and output is flushed first; while another thread is
    alive, the interpreter exits as usual (it waits for that thread)."""
    if threading.active_count() > 1:
        sys.exit(code)
    from .budget import collect_workers

    collect_workers()  # gone by now, most likely; collected, their time counts as this process's children's
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`course ... | head`), a closed stream
            pass
    os._exit(code)
