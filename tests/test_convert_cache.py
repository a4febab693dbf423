"""Convert keeps what its per-tutorial steps gave (converter.memo) and redoes only what changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from converter import memo as memo_module
from converter.budget import NO_BUDGET
from converter.convert import ConvertReport, Layout, convert, read_all
from converter.memo import Memo, from_data, to_data

CASES = Path(__file__).parent / "cases"
LISTS = "# Python Lists\n\nSorting a list in python.\n\n```python\nprint(sorted([3, 1, 2]))\n```\n"
LOOPS = "# Python Loops\n\nLooping in python.\n\n```python\nfor i in range(3):\n    print(i)\n```\n"


@pytest.mark.parametrize("source", sorted(p for p in CASES.rglob("*") if p.suffix in (".md", ".txt", ".html", ".xml")
                                          and ".expected" not in p.name)[:40], ids=lambda p: p.name)
def test_documents_come_back_from_the_cache_as_they_went_in(source: Path) -> None:
    docs = read_all([source], ConvertReport())
    assert from_data(json.loads(json.dumps(to_data(docs)))) == tuple(docs)


def test_an_entry_that_is_not_the_model_is_a_miss_and_never_runs(tmp_path: Path) -> None:
    memo = Memo(tmp_path)
    memo.put("ab" * 32, ("text",))
    assert memo.get("ab" * 32) == ("text",)
    for broken in ['{"~": "system", "command": "touch pwned"}', '{"~": "Paragraph", "nope": 1}', "not json", ""]:
        (tmp_path / "ab" / f"{'ab' * 32}.json").write_text(broken)
        assert memo.get("ab" * 32) is None
    assert not (tmp_path / "pwned").exists()


def _project(tmp_path: Path) -> Layout:
    (tmp_path / "_config.yml").write_text("title: T\n")
    (tmp_path / "book").mkdir()
    (tmp_path / "lists.md").write_text(LISTS)
    (tmp_path / "loops.md").write_text(LOOPS)
    return Layout(tmp_path)


class _Calls:
    """Counts the tutorials each step works on (in this process: the budget is off)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from converter import convert as convert_module
        from converter.passes import pipeline

        self.read: list[str] = []
        self.prepared: list[str] = []
        self.paged: list[str] = []
        read_source, prepare, page = convert_module.read_source, pipeline.prepare, convert_module._exercised_page
        monkeypatch.setattr(convert_module, "read_source", lambda path: self.read.append(path.name) or read_source(path))
        monkeypatch.setattr(pipeline, "prepare", lambda doc, environment: self.prepared.append(doc.meta.title) or prepare(doc, environment))
        monkeypatch.setattr(convert_module, "_exercised_page",
                            lambda doc, **kw: self.paged.append(doc.meta.title) or page(doc, **kw))

    def clear(self) -> None:
        self.read, self.prepared, self.paged = [], [], []


def test_converting_again_redoes_only_the_changed_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = _project(tmp_path)
    calls = _Calls(monkeypatch)
    sources = [tmp_path / "lists.md", tmp_path / "loops.md"]
    first = convert(sources, layout=layout, budget=NO_BUDGET)
    assert sorted(calls.read) == ["lists.md", "loops.md"] and len(calls.paged) == 2
    pages = {p: p.read_text() for p in first.paths.values()}

    calls.clear()
    again = convert(sources, layout=layout, budget=NO_BUDGET)
    assert (calls.read, calls.prepared, calls.paged) == ([], [], [])
    assert {p: p.read_text() for p in again.paths.values()} == pages and len(again.unchanged) == len(first.written)
    assert again.course == first.course

    calls.clear()
    (tmp_path / "loops.md").write_text(LOOPS.replace("range(3)", "range(4)"))
    edited = convert(sources, layout=layout, budget=NO_BUDGET)
    assert (calls.read, calls.prepared, calls.paged) == (["loops.md"], ["Python Loops"], ["Python Loops"])
    assert "range(4)" in edited.paths["Python Loops"].read_text()
    assert edited.paths["Python Lists"].read_text() == pages[first.paths["Python Lists"]]


def test_a_new_converter_or_no_cache_converts_everything_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = _project(tmp_path)
    calls = _Calls(monkeypatch)
    sources = [tmp_path / "lists.md", tmp_path / "loops.md"]
    convert(sources, layout=layout, budget=NO_BUDGET)
    calls.clear()
    convert(sources, layout=layout, budget=NO_BUDGET, use_cache=False)
    assert len(calls.read) == 2 and len(calls.paged) == 2
    calls.clear()
    monkeypatch.setattr(memo_module, "code_version", lambda: "another converter")
    convert(sources, layout=layout, budget=NO_BUDGET)
    assert len(calls.read) == 2 and len(calls.prepared) == 2 and len(calls.paged) == 2


def test_the_converter_s_version_covers_each_of_its_files_but_bytecode(tmp_path: Path) -> None:
    (tmp_path / "sub" / "__pycache__").mkdir(parents=True)
    for name in ("a.py", "b.txt", "sub/c.py", "sub/__pycache__/c.cpython-311.pyc"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    assert memo_module._package_files(str(tmp_path)) == ["a.py", "b.txt", "sub/c.py"]
    package = Path(memo_module.__file__).parent
    assert memo_module._package_files(str(package)) == sorted(
        p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def test_the_cache_keeps_what_the_last_conversion_used_and_the_most_recent_others(tmp_path: Path,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memo_module, "KEEP", 1)
    old = Memo(tmp_path)
    for n in range(3):
        old.put(f"{n:02d}" * 32, (n,))
    current = Memo(tmp_path)
    current.put("ff" * 32, ("used",))
    current.prune()
    kept = sorted(p.stem for p in tmp_path.glob("*/*.json"))
    assert "ff" * 32 in kept and len(kept) == 2  # the one used, and one other (KEEP)


def test_the_cache_is_built_by_the_budget_s_workers_too(tmp_path: Path) -> None:
    from converter.budget import Budget

    layout = _project(tmp_path)
    sources = [tmp_path / "lists.md", tmp_path / "loops.md"]
    first = convert(sources, layout=layout, budget=Budget(seconds=30, jobs=2))
    entries = list(layout.convert_cache.glob("*/*.json"))
    assert len(entries) == 6  # two sources read, two tutorials prepared, two pages
    again = convert(sources, layout=layout, budget=Budget(seconds=30, jobs=2))
    assert again.course == first.course and not again.written
