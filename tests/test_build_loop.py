"""`course build` end to end: convert proposes, check proves, convert again demotes.

A block that looks runnable but fails when run cannot be found without running
it, so the first convert ships it as a running cell; the check (in the sandbox)
finds it failing and files that in findings.json; the build converts again, the
cell is shown with check's reason instead, the second check passes and the book
is published. A second build changes nothing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jupytext
import pytest

from converter import sandbox
from converter.cli import main

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = """\
---
title: Parsing settings
canonical_url: https://example.com/settings
---

# Parsing settings

Python's `json` module reads settings written as JSON. First, a value:

```python
settings = {"debug": True, "port": 8000}
print(settings["port"])
```

Reading a file that is not valid JSON fails, as the next block shows when you run it:

```python
import json
loaded = json.loads("{port: 8000}")
```

The dictionary is still there:

```python
print(sorted(settings))
```
"""

pytestmark = pytest.mark.skipif(sandbox.bwrap_path() is None, reason=f"bubblewrap missing: {sandbox.HINT}")


def _cells(project: Path) -> list:
    (notebook,) = (project / "book").rglob("parsing-settings*.md")
    return [c for c in jupytext.read(notebook).cells if c.cell_type == "code" and "exercise" not in c.metadata]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    project = tmp_path_factory.mktemp("build")
    for name in ("_config.yml", "pyproject.toml"):
        shutil.copy(ROOT / name, project)
    (project / "sources").mkdir()
    (project / "sources" / "settings.md").write_text(TUTORIAL, encoding="utf-8")
    first = main(["--root", str(project), "build", "-j", "2"])
    notebook_text = {p: p.read_text(encoding="utf-8") for p in (project / "book").rglob("*.md")}
    second = main(["--root", str(project), "build", "-j", "2"])
    assert notebook_text == {p: p.read_text(encoding="utf-8") for p in (project / "book").rglob("*.md")}
    return project, first, second


def test_the_failing_block_is_demoted_with_checks_reason(built) -> None:
    project, first, _ = built
    assert first == 0
    statuses = [(c.metadata["runnable"]["status"], c.metadata["runnable"].get("reason", "")) for c in _cells(project)]
    assert statuses[0][0] == "runs" and statuses[2][0] == "runs"
    assert statuses[1][0] == "skipped" and statuses[1][1].startswith("course check: JSONDecodeError")


def test_findings_record_the_failure_and_the_sandbox(built) -> None:
    project, _, _ = built
    data = json.loads((project / "findings.json").read_text(encoding="utf-8"))
    assert data["sandbox"] == "bubblewrap"
    assert [c["reason"][:15] for c in data["cells"].values() if c["status"] == "failed"] == ["JSONDecodeError"]


def test_the_book_is_published_and_the_second_build_changes_nothing(built) -> None:
    project, _, second = built
    assert second == 0
    assert (project / "_build" / "html" / "index.html").exists()
    report = json.loads((project / "_build" / "report.json").read_text(encoding="utf-8"))
    assert report["summary"]["failed"] == 0
