"""The recipes (converter/recipes/) on several project layouts each: tests/corpus/layouts/.

Each tutorial there is a common way to lay out a Django project, a Flask app or an asyncio
program (startproject, split settings, a models package, a src/ layout, an app without a
project; one file, a factory with blueprints, a package-level app, a factory module; asyncio.run,
an explicit loop, import aliases, asyncio.Runner). Every Python block must run, and the
notebook, executed in the sandbox, must print what `expected.yaml` (hand-written) says.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from converter.convert import Layout, convert
from converter.execute import CheckOptions, check
from converter.findings import FINDINGS_FILE
from converter.sandbox import bwrap_path
from tests.course_environment import ROOT

LAYOUTS = ROOT / "tests" / "corpus" / "layouts"
EXPECTED = yaml.safe_load((LAYOUTS / "expected.yaml").read_text(encoding="utf-8"))
RUNS = {"runs", "rewritten", "file", "raises", "setup"}


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("layouts")
    shutil.copy(ROOT / "_config.yml", root)
    shutil.copy(ROOT / "pyproject.toml", root)
    report = convert(sorted(LAYOUTS.glob("*.md")), layout=Layout(root))
    assert not report.failures
    return root, report


def _document(report, name: str):
    return next(d for d in report.course.documents if Path(d.meta.source).stem == name)


def test_every_layout_has_an_expectation() -> None:
    assert sorted(p.stem for p in LAYOUTS.glob("*.md")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_python_block_runs(converted, name: str) -> None:
    _root, report = converted
    blocks = [b for b in _document(report, name).code_blocks if b.language == "python"]
    assert blocks
    assert [(b.status, b.reason) for b in blocks if b.status not in RUNS] == []


@pytest.fixture(scope="module")
def executed(converted) -> dict[str, tuple[list[str], str]]:
    """Tutorial name -> (its notebook's errors, everything its executed notebook printed)."""
    if not bwrap_path():
        pytest.skip("bubblewrap is not installed (the sandbox course check runs tutorial code in)")
    root, report = converted
    options = CheckOptions(out_dir=root / "_build" / "executed", report=root / "_build" / "report.json",
                           jupyter_cache=None, findings=root / FINDINGS_FILE)
    results = {Path(r.notebook): r for r in check(sorted(report.paths.values()), options)}
    outcome = {}
    for doc in report.course.documents:
        result = results[report.paths[doc.meta.title]]
        problems = [f"cell {c.index}: {c.status} {c.reason}" for c in result.cells
                    if c.status in ("failed", "timeout", "not-reached")]
        # An exercise `course check` disproves is dropped by the next convert: not a recipe's failure.
        problems += [result.error] if result.error and not result.disproved else []
        nb = json.loads(Path(result.executed).read_text(encoding="utf-8"))
        printed = "".join("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
                          for cell in nb["cells"] for out in cell.get("outputs", []))
        outcome[Path(doc.meta.source).stem] = problems, printed
    return outcome


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_notebook_runs_and_prints_what_the_tutorial_promises(executed, name: str) -> None:
    problems, printed = executed[name]
    assert problems == []
    lines = printed.splitlines()
    assert [line for line in EXPECTED[name] if line not in lines] == []
