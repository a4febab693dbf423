"""How many notebooks `course check` runs at once unless told: three per core, fewer when the
machine's memory holds fewer shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from converter import check_settings

GIB = 1 << 30


@pytest.mark.parametrize(("cores", "memory", "jobs"), [
    (2, 24 * GIB, 6),        # this machine: three per core
    (4, 64 * GIB, 12),
    (None, 8 * GIB, 3),      # the system does not say how many cores: one
    (8, 2 * GIB, 4),         # memory for 4 shares of 512 MiB only
    (16, 7 * GIB + 1, 14),   # a share is not split
    (2, 100 << 20, 1),       # never fewer than one
    (4, 0, 12),              # the system does not say how much memory: cores only
])
def test_three_notebooks_per_core_unless_memory_holds_fewer(monkeypatch, cores, memory, jobs) -> None:  # noqa: ANN001
    monkeypatch.setattr(check_settings.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(check_settings, "_physical_memory", lambda: memory)
    assert check_settings.default_jobs() == jobs


@pytest.mark.skipif(not Path("/proc/meminfo").is_file(), reason="Linux tells its memory in /proc/meminfo")
def test_the_machine_s_memory_is_what_linux_says() -> None:
    total_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal:"))
    assert check_settings._physical_memory() == pytest.approx(total_kib * 1024, rel=0.01)
