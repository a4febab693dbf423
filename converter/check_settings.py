"""What `course check` runs with unless told otherwise, and how it refuses to run.

Kept apart from `execute` (which imports nbformat, the runners and sqlglot), so that the
command line is parsed, and `course convert` starts reading, without importing the executor.
"""

from __future__ import annotations

import os

CELL_TIMEOUT = 60
NOTEBOOK_TIMEOUT = 300


def default_jobs() -> int:
    """Notebooks run at once: two per core. A notebook mostly waits (the tutorials' sleeps and
    timers, servers): the seeds' 25 notebooks took 140 s one after another, of which their kernels
    used 23 s of CPU, so one notebook per core leaves the cores idle (bench/README.md)."""
    return 2 * (os.cpu_count() or 1)


class SandboxUnavailable(RuntimeError):
    """`course check` was asked to sandbox kernels, and bubblewrap is missing."""


class ClusterUnavailable(RuntimeError):
    """`course check --cluster` without Dask installed, or a scheduler that does not answer."""
