"""Shared test options (`pytest --regen` rewrites golden files after a reviewed change) and fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen", action="store_true", help="rewrite expected golden outputs")


@pytest.fixture
def regen(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen"))


@pytest.fixture
def one_tutorial(tmp_path: Path) -> Path:
    """A course project in tmp_path with one Markdown tutorial; the tutorial's path."""
    (tmp_path / "_config.yml").write_text("title: A course\n", encoding="utf-8")
    source = tmp_path / "lists.md"
    source.write_text("# Python Lists\n\nSorting a list in python.\n\n```python\nprint(sorted([3, 1, 2]))\n```\n",
                      encoding="utf-8")
    return source
