"""What `course check` runs with unless told otherwise, and how it refuses to run.

Kept apart from `execute` (which imports nbformat, the runners and sqlglot), so that the
command line is parsed, and `course convert` starts reading, without importing the executor.
"""

from __future__ import annotations

import os

CELL_TIMEOUT = 60
NOTEBOOK_TIMEOUT = 300


JOBS_PER_CORE = 3
"""A notebook mostly waits (the tutorials' sleeps and timers, servers): the seeds' 25 notebooks
took 140 s one after another, of which their kernels used 23 s of CPU, so one notebook per core
leaves the cores idle. On the seeds' book (2 cores, 3 alternating rounds): -j 4 22.2 s,
-j 6 20.7 s, -j 8 22.3 s, as the kernels' starts and compiles then contend (bench/README.md)."""

MEMORY_PER_JOB = 512 << 20
"""Memory a notebook at once may take as its share: a tutorial's kernel held about 150 MiB on
the seeds (six at once: 800 MiB in use at the peak, four: 640 MiB); a machine with little
memory runs fewer at once rather than swapping."""


def default_jobs() -> int:
    """Notebooks run at once: JOBS_PER_CORE per core, fewer if the machine's memory holds fewer
    shares of MEMORY_PER_JOB (never fewer than one)."""
    jobs = JOBS_PER_CORE * (os.cpu_count() or 1)
    memory = _physical_memory()
    return max(1, min(jobs, memory // MEMORY_PER_JOB)) if memory else jobs


def _physical_memory() -> int:
    """The machine's memory in bytes (0 where the system does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 0


class SandboxUnavailable(RuntimeError):
    """`course check` was asked to sandbox kernels, and bubblewrap is missing."""


class ClusterUnavailable(RuntimeError):
    """`course check --cluster` without Dask installed, or a scheduler that does not answer."""
