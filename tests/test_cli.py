"""The `course` command: exit codes, bad input, hand edits, atomic writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from converter.cli import main

ROOT = Path(__file__).resolve().parents[1]

GOOD = """\
# Counting words

A tiny tutorial.

## Count them

```python
words = "a b a".split()
print({w: words.count(w) for w in words})
```
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "good.md").write_text(GOOD)
    return tmp_path


def _run(project: Path, *args: str) -> int:
    return main(["--root", str(project), *args])


def test_convert_writes_notebook_toc_and_landing_page(project: Path) -> None:
    assert _run(project, "convert", str(project / "good.md")) == 0
    [notebook] = (project / "book").rglob("counting-words.md")
    assert "```{code-cell}" in notebook.read_text()
    assert "counting-words" in (project / "_toc.yml").read_text()
    assert "Counting words" in (project / "book" / "index.md").read_text()


BAD_INPUTS = {
    "empty.md": (b"", "file is empty"),
    "blank.txt": (b"  \n\n \n", "file is empty"),
    "binary.html": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    "latin1.md": ("# Café\n\nCrème brûlée.\n".encode("latin-1"), "not UTF-8"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_naming_the_file_and_others_still_convert(
    project: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data, problem = BAD_INPUTS[name]
    (project / name).write_bytes(data)
    assert _run(project, "convert", str(project / name), str(project / "good.md")) == 1
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and name in errors[0] and problem in errors[0]
    assert list((project / "book").rglob("counting-words.md"))


def test_missing_path_is_bad_usage(project: Path) -> None:
    assert _run(project, "convert", str(project / "nope.md")) == 2


def test_unknown_option_is_bad_usage(project: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _run(project, "convert", "--frobnicate")
    assert exit_info.value.code == 2


def test_hand_edits_are_kept_unless_forced(project: Path) -> None:
    assert _run(project, "convert", str(project / "good.md")) == 0
    [notebook] = (project / "book").rglob("counting-words.md")
    edited = notebook.read_text().replace("A tiny tutorial.", "A tiny tutorial, with my notes.")
    notebook.write_text(edited)
    assert _run(project, "convert", str(project / "good.md")) == 0
    assert notebook.read_text() == edited
    assert _run(project, "convert", "--force", str(project / "good.md")) == 0
    assert "my notes" not in notebook.read_text()


def test_reconverting_unchanged_sources_rewrites_nothing(project: Path) -> None:
    assert _run(project, "convert", str(project / "good.md")) == 0
    [notebook] = (project / "book").rglob("counting-words.md")
    before = notebook.stat().st_mtime_ns
    assert _run(project, "convert", str(project / "good.md")) == 0
    assert notebook.stat().st_mtime_ns == before
    assert not [p for p in project.rglob("*.tmp")]


def test_python_dash_m_converter_is_the_same_command() -> None:
    result = subprocess.run([sys.executable, "-m", "converter", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    for command in ("convert", "check", "build"):
        assert command in result.stdout
