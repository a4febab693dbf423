"""End to end on tests/corpus/runnable/: 34 real-style tutorials (transcript-heavy docs pages,
IPython sessions, stated outputs, fragments, Python 2, SQL, JavaScript, Ruby, Go, shell), each
with a hand-written expectation (`NAME.expected.json`, see the corpus README).

Converted as `course convert` does, then run by `course check` in the sandbox. Reports per
language how many blocks (cells: a transcript becomes one cell per shown output) ran, and how
many stated outputs hold; run with `-s` to see the table.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from converter.convert import Layout, convert
from converter.document import CodeBlock
from converter.execute import CheckOptions, check
from converter.findings import FINDINGS_FILE
from converter.sandbox import bwrap_path
from tests.course_environment import ROOT

CORPUS = ROOT / "tests" / "corpus" / "runnable"
ARTICLES = sorted(p for p in CORPUS.glob("*.md") if p.name != "README.md")
RUNS = {"runs", "rewritten", "file", "raises"}


def _expected(path: Path) -> dict:
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("corpus")
    shutil.copy(ROOT / "_config.yml", root)
    shutil.copy(ROOT / "pyproject.toml", root)
    report = convert(ARTICLES, layout=Layout(root))
    return root, report


@pytest.fixture(scope="module")
def checked(converted):
    if not bwrap_path():
        pytest.skip("bubblewrap is not installed (the sandbox course check runs tutorial code in)")
    root, report = converted
    options = CheckOptions(out_dir=root / "_build" / "executed", report=root / "_build" / "report.json",
                           jupyter_cache=None,  # not the repository's: tests run side by side
                           findings=root / FINDINGS_FILE)
    return check(sorted(report.paths.values()), options)


def test_every_article_is_converted(converted) -> None:
    _root, report = converted
    assert not report.failures
    assert {d.meta.title for d in report.course.documents} == {_expected(p)["title"] for p in ARTICLES}


def _blocks(report, language: str) -> list[CodeBlock]:
    return [b for d in report.course.documents for b in d.code_blocks if b.language == language and b.status != "setup"]


def test_other_languages_follow_the_hand_written_expectations(converted) -> None:
    """Blocks of other languages are not split: the converter's run decisions, block by block,
    against the expectation files (what a learner with the runtimes installed would see run).

    A ratchet at what the converter reaches today (102/106 on 2026-12-06, 73/106 before declared
    languages were respected: output blocks detected as CSS or INI, issue 13): an article where one
    block's language is detected wrongly counts all its blocks as wrong; the rest are two Go
    fragments, `go mod init`, a shell claim and a TypeScript block."""
    _root, report = converted
    agree = total = 0
    wrong = []
    for path in ARTICLES:
        doc = next(d for d in report.course.documents if d.meta.title == _expected(path)["title"])
        mine = [b for b in doc.code_blocks if b.status != "setup" and b.language not in ("python", "text", "")]
        theirs = [b for b in _expected(path)["blocks"] if b["language"] not in ("python", "text")]
        if [b.language for b in mine] != [b["language"] for b in theirs]:  # a language detected wrongly
            total += len(theirs)
            wrong.append(f"{path.name}: languages {[b.language for b in mine]} / expected {[b['language'] for b in theirs]}")
            continue
        for block, expected in zip(mine, theirs):
            total += 1
            runs = block.status in RUNS
            agree += runs == expected["runs"]
            if runs != expected["runs"]:
                wrong.append(f"{path.name}: {block.language} {'runs' if runs else block.reason} / expected {expected}")
    print(f"\nother languages: {agree}/{total} decisions as expected", *wrong, sep="\n  ")
    assert agree / total >= 0.95


DANGEROUS = re.compile(r"\bsudo\b|\brm\s+-\w*r|\b(pip|npm|apt-get)\s+install\b|\bcurl\b.*\|\s*sh|\bgit\s+clone\b|\bdocker\s+run\b")


def test_dangerous_shell_commands_never_run(converted) -> None:
    _root, report = converted
    shells = _blocks(report, "shell")
    dangerous = [b for b in shells if DANGEROUS.search(b.code)]
    assert len(dangerous) >= 5  # the corpus has them: the test must be able to fail
    assert all(b.status == "skipped" and b.reason for b in dangerous)
    assert any(b.status in RUNS for b in shells)


def test_python_2_and_missing_packages_are_named(converted) -> None:
    _root, report = converted
    reasons = [b.reason for b in _blocks(report, "python") if b.status == "skipped"]
    assert any(r.startswith("Python 2 code") for r in reasons)
    assert any("`pandas`" in r and "course` extra" in r for r in reasons)


def test_per_language_counts_and_stated_outputs(checked) -> None:
    counts: dict[str, Counter] = {}
    failed, compared = [], []
    for result in checked:
        for cell in result.cells:
            if not cell.language:
                continue
            ran = cell.status in ("ran", "expected-error", "written")
            counts.setdefault(cell.language, Counter())["ran" if ran else "not run"] += 1
            if cell.status in ("failed", "timeout", "limit"):
                failed.append(f"{Path(result.notebook).stem} cell {cell.index}: {cell.reason[:120]}")
            if cell.claim:
                compared.append(cell.claim)
    print("\nlanguage      ran / blocks")
    for language, c in sorted(counts.items()):
        print(f"{language:12} {c['ran']:4} / {c['ran'] + c['not run']}")
    differs = [c for c in compared if c != "holds"]
    print(f"stated outputs: {len(compared) - len(differs)} hold, {len(differs)} differ", *differs, sep="\n  ")
    print(f"unexpected errors: {len(failed)}", *failed, sep="\n  ")
    python = counts["python"]
    assert python["ran"] / (python["ran"] + python["not run"]) >= 0.80
    for language in ("javascript", "ruby", "go", "sql", "shell"):
        assert counts[language]["ran"] >= 3, language
    # The three claims the corpus gets wrong on purpose are found (the third, a dict order in
    # python-dict-tricks.md, since its output block is no longer taken for CSS: issue 13), and no
    # other: a false mismatch (IPython's repr, a traceback's blank lines) would show here.
    assert any("{3, 1, 2}" in d for d in differs) and any("printed `3`" in d for d in differs)
    assert any("'#0000ff': 'blue'" in d for d in differs)
    assert len(differs) <= 3
    ran = sum(c["ran"] for c in counts.values())
    assert len(failed) <= 0.05 * ran
