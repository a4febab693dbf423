"""Shared test options (`pytest --regen` rewrites golden files after a reviewed change) and fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--regen", action="store_true", help="rewrite expected golden outputs")


@pytest.fixture(autouse=True, scope="session")
def user_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The user's cache folder for the whole run (XDG_CACHE_HOME): the commands the tests run
    remember compiled patterns and check times there, not in the home folder of whoever runs them."""
    folder = tmp_path_factory.mktemp("user-cache")
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


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
