"""The project's declared course environment (the `course` extra), for tests that convert as
`course convert` does in this repository."""

from __future__ import annotations

from pathlib import Path

from converter.environment import read

ROOT = Path(__file__).resolve().parents[1]
COURSE = read(ROOT / "pyproject.toml")
