"""The console and the files tell the truth: every loss has a line, bad paths are errors,
files get normal permissions, a project is needed, --force keeps a backup, convert.json
keeps earlier sources, and the command's help, version and tables are whole."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from converter.atomic import atomic_write
from converter.cli import main

ROOT = Path(__file__).resolve().parents[1]

TUTORIAL = """\
# {title}

A tiny tutorial about {title}.

## Run it

```python
print("{title}")
```
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    return tmp_path


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- files get normal permissions ------------------------------------------------------------


def test_a_new_file_gets_0666_less_the_umask(tmp_path: Path, umask: None) -> None:
    atomic_write(tmp_path / "a.md", "x")
    assert _mode(tmp_path / "a.md") == 0o644
    os.umask(0o027)
    atomic_write(tmp_path / "b.md", "x")
    assert _mode(tmp_path / "b.md") == 0o640


def test_an_existing_file_keeps_its_mode(tmp_path: Path, umask: None) -> None:
    path = tmp_path / "a.md"
    path.write_text("old")
    path.chmod(0o600)
    atomic_write(path, "new")
    assert _mode(path) == 0o600 and path.read_text() == "new"
    path.chmod(0o664)
    atomic_write(path, "newer")
    assert _mode(path) == 0o664


def test_convert_writes_notebooks_toc_and_landing_page_readable_by_others(project: Path, umask: None) -> None:
    (project / "t.md").write_text(TUTORIAL.format(title="Counting words"))
    assert main(["--root", str(project), "convert", str(project / "t.md")]) == 0
    [notebook] = (project / "book").rglob("counting-words.md")
    for path in (notebook, project / "_toc.yml", project / "book" / "index.md", project / "_build" / "convert.json"):
        assert _mode(path) == 0o644, path
