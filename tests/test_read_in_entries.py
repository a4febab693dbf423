"""A feed or text dump larger than its share of the sources is cut into its entries (items,
articles), which convert's workers build side by side (convert.READ_IN_ENTRIES_ABOVE): the
tutorials are the same as when one worker reads it whole, and an entry that fails or runs
over its budget costs only itself."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from converter import convert as convert_module
from converter.budget import NO_BUDGET, Budget
from converter.convert import ConvertReport, Layout, convert, read_all
from converter.readers import Split, assemble, build_entry, read_source, split_source

TESTS = Path(__file__).parent
# Every feed and dump the tests hold: the seeds, the reader corpus, the cases, the fuzzers' reproducers.
MANY_TUTORIALS = sorted(
    {p for p in [*(TESTS.parent / "sources").iterdir(), *TESTS.rglob("*.xml"), *TESTS.rglob("*.txt")]
     if p.is_file() and ".expected" not in p.name}
    - {p for p in TESTS.rglob("*") if "runnable" in p.parts}
)
TWO_WORKERS = Budget(seconds=30, jobs=2)


def _feed(titles: list[str]) -> str:
    items = "".join(
        f"<item><title>{title}</title><link>https://example.org/{n}</link><description>"
        f"&lt;p&gt;Sorting a list in Python, part {n}.&lt;/p&gt;&lt;pre&gt;&lt;code class=\"language-python\"&gt;"
        f"print(sorted([{n}, 3, 1]))&lt;/code&gt;&lt;/pre&gt;</description></item>"
        for n, title in enumerate(titles))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>{items}</channel></rss>'


def _dump(titles: list[str]) -> str:
    articles = [f"  \u2022 {title}\n\n    Sorting a list in Python, part {n}.\n\n    "
                f"\n    print(sorted([{n}, 3, 1]))\n                \n" for n, title in enumerate(titles)]
    return "Tag: python\n\n" + "\n".join(articles)


TITLES = [f"Python Lists, part {n}" for n in range(7)]


@pytest.fixture
def cut_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every feed and dump is read in entries, whatever its size."""
    monkeypatch.setattr(convert_module, "_read_in_entries", lambda files, kept, budget: set(files))


def _read(paths: list[Path], budget: Budget) -> tuple[list, ConvertReport]:
    report = ConvertReport()
    return read_all(paths, report, budget=budget), report


@pytest.mark.parametrize("jobs", [2, 3])
def test_a_source_read_in_entries_gives_the_tutorials_of_reading_it_whole(
        jobs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Positions, source notes, losses and failures included; with every feed and dump cut."""
    assert len(MANY_TUTORIALS) >= 30
    budget = Budget(seconds=30, jobs=jobs)
    whole, whole_report = _read(MANY_TUTORIALS, budget)
    monkeypatch.setattr(convert_module, "_read_in_entries", lambda files, kept, budget: set(files))
    cut, cut_report = _read(MANY_TUTORIALS, budget)
    assert cut == whole and len(cut) > 100
    assert [str(f) for f in cut_report.failures] == [str(f) for f in whole_report.failures]
    assert cut_report.dropped == whole_report.dropped


def _entries_cross_processes(path: Path) -> Split | None:
    try:
        found = split_source(path)
    except Exception:  # noqa: BLE001 (a source the reader refuses: nothing to cut)
        return None
    return found if isinstance(found, Split) else None


@pytest.mark.parametrize("path", MANY_TUTORIALS, ids=lambda p: p.name)
def test_entries_built_from_a_pickled_copy_give_the_source_as_read(path: Path) -> None:
    """Entries travel to the workers that build them (here: pickled and built in any order)."""
    split = _entries_cross_processes(path)
    if split is None:
        pytest.skip("not a feed or dump the reader accepts")
    copies = pickle.loads(pickle.dumps(split))
    built = {n: build_entry((copies.format, entry)) for n, entry in reversed(list(enumerate(copies.entries)))}
    assert assemble(copies, [built[n] for n in range(len(copies.entries))]) == read_source(path)


def test_only_a_source_that_would_hold_up_a_worker_is_cut(tmp_path: Path) -> None:
    def sources(*kib: int) -> list[Path]:
        paths = []
        for n, size in enumerate(kib):
            path = tmp_path / f"s{len(list(tmp_path.iterdir()))}-{n}.xml"
            path.write_bytes(b"x" * size * 1024)
            paths.append(path)
        return paths

    rule = convert_module._read_in_entries
    limit = convert_module.READ_IN_ENTRIES_ABOVE // 1024
    big = sources(limit + 100)
    assert rule(big, [None], TWO_WORKERS) == set(big)
    assert rule(sources(limit - 100), [None], TWO_WORKERS) == set()  # too small to pay for a second round
    pair = sources(limit + 100, limit + 100)  # each is its worker's share already
    assert rule(pair, [None, None], TWO_WORKERS) == set()
    assert rule(pair, [None, None], Budget(seconds=30, jobs=4)) == set(pair)
    mixed = sources(6 * limit, *[50] * 10)
    assert rule(mixed, [None] * 11, TWO_WORKERS) == {mixed[0]}
    assert rule(mixed, [None] * 11, Budget(seconds=30, jobs=1)) == set()
    assert rule(mixed, [None] * 11, NO_BUDGET) == set()  # no workers: read in this process, whole
    # A source the convert cache holds is not read, and does not count towards the shares.
    assert rule(mixed, [["kept"]] + [None] * 10, TWO_WORKERS) == set()


@pytest.mark.parametrize("name, text, skipped", [
    ("feed.xml", _feed(TITLES), "skipped item 3 ('Python Lists, part 2') that could not be read"),
    ("dump.txt", _dump(TITLES), "skipped article 'Python Lists, part 2' that could not be read"),
])
@pytest.mark.parametrize("problem", ["fails", "hangs"])
def test_an_entry_that_fails_or_hangs_costs_only_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut_everything: None,
        name: str, text: str, skipped: str, problem: str) -> None:
    from converter.readers import rss, text as dump_reader

    module = rss if name.endswith(".xml") else dump_reader
    build = module.build

    def breaks_on_part_two(entry):  # noqa: ANN001, ANN202
        if "part 2" in repr(entry):
            if problem == "hangs":
                while True:
                    pass
            raise ValueError("a reader bug")
        return build(entry)

    monkeypatch.setattr(module, "build", breaks_on_part_two)
    source = tmp_path / name
    source.write_text(text)
    docs, report = _read([source], Budget(seconds=2, jobs=2))
    assert [d.meta.title for d in docs] == [t for t in TITLES if not t.endswith("part 2")]
    assert [d.meta.position for d in docs] == list(range(len(TITLES) - 1))
    why = "stopped after 2 s (the time budget)" if problem == "hangs" else "ValueError: a reader bug"
    assert [(d.source, d.tutorial, d.what) for d in report.dropped] == [(str(source), "", f"{skipped} ({why})")]
    assert report.failures == []


@pytest.mark.parametrize("name, text, message", [
    ("feed.xml", _feed(TITLES[:3]), "feed items have no content"),
    ("dump.txt", _dump(TITLES[:3]), "no readable article (only page header, footer or titles)"),
])
def test_a_source_whose_every_entry_fails_is_reported_as_the_source_failing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut_everything: None, name: str, text: str, message: str) -> None:
    from converter.readers import rss, text as dump_reader

    module = rss if name.endswith(".xml") else dump_reader

    def always_breaks(entry):  # noqa: ANN001, ANN202
        raise ValueError("a reader bug")

    monkeypatch.setattr(module, "build", always_breaks)
    source = tmp_path / name
    source.write_text(text)
    other = tmp_path / "other.md"
    other.write_text("# Python Loops\n\nLooping in python.\n\n```python\nfor i in range(3):\n    print(i)\n```\n")
    docs, report = _read([source, other], TWO_WORKERS)
    assert [d.meta.title for d in docs] == ["Python Loops"]
    assert [str(f) for f in report.failures] == [f"{source}: {message}"]


def test_a_source_read_in_entries_is_kept_for_the_next_conversion(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cut_everything: None) -> None:
    (tmp_path / "_config.yml").write_text("title: T\n")
    source = tmp_path / "feed.xml"
    source.write_text(_feed(TITLES))
    first = convert([source], layout=Layout(tmp_path), budget=TWO_WORKERS)
    assert list(first.paths) == TITLES and first.failures == []

    def no_reading(item):  # noqa: ANN001, ANN202
        raise AssertionError(f"read again: {item}")

    monkeypatch.setattr(convert_module, "_read_or_split", no_reading)
    again = convert([source], layout=Layout(tmp_path), budget=TWO_WORKERS)
    assert again.failures == [] and again.course == first.course and len(again.unchanged) == len(first.written)
