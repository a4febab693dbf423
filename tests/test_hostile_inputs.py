"""Every reproducer the fuzzing campaign found (tests/cases/hostile/reproducers/; its
README.txt maps each file to its finding), with the outcome it must have now.

The site-side findings (stored XSS, local files in the built site) are also built and
loaded in Chromium by tests/test_hostile_site.py; here each file is converted with the
real CLI and the checks that follow are the ones the finding was about: no traceback,
one line per problem, nothing lost, pages that read back, `course check` that runs
them in the sandbox without crashing and without side effects on the host.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import jupytext
import pytest
import yaml

from converter import sandbox
from converter.cli import main
from converter.convert import Layout, convert
from converter.execute import CheckOptions, _write_report, check, executed_paths
from tests.fuzz.safety import page_problems

REPRODUCERS = Path(__file__).parent / "cases" / "hostile" / "reproducers"


@dataclass(frozen=True)
class Expect:
    tutorials: tuple[str, ...] = ()
    """Titles of the tutorials that must come out."""
    left_out: tuple[str, ...] = ()
    """Titles left out as not tutorials (the rest of the source still read)."""
    note: str = ""
    """A note (reader or pass) that says what was done about the hostile part."""
    page_has: tuple[str, ...] = ()
    """Text the tutorial's page must still hold (nothing lost)."""


CASES: dict[str, Expect] = {
    "xss-download-provenance-link.xml": Expect(("Python Sets",)),
    "passwd-literalinclude-img-src.xml": Expect(("Python Tuples",), note="skipped an image that is not on the web"),
    "xss-markdown-directive.md": Expect(("Python Generators",)),
    "xss-predict-fence.xml": Expect(("Python Banners",)),
    "exec-denylist-bypass.xml": Expect(("Python From Imports", "Python Aliases", "Python IPython API",
                                        "Python Config Files", "Python Subprocess Helpers")),
    "convert-time-exec.xml": Expect(("Python Counters",)),
    "convert-time-memory.xml": Expect(("Python Bytes",)),
    "convert-time-memory-449B-dump.txt": Expect(("Understanding Python Generators", "Docker Basics for Developers")),
    "ctrlchar-check-crash.xml": Expect(("Python Sorting",)),
    "formfeed-check-crash.md": Expect(("Python Form Feeds",)),
    "u2029-structure.xml": Expect(("JavaScript Promises",)),
    "rich-markup-crash.xml": Expect(left_out=("Notes on [/] brackets",)),
    "longtitle-oserror.md": Expect(("a" * 300,)),
    "yaml-surrogate.md": Expect(("Python 🐍 snakes",)),
    "urljoin-ipv6.xml": Expect(left_out=("Python tips", "Second")),
    "qname-undeclared-prefix.xml": Expect(left_out=("Python tips",)),
    "embed-swallows-rest.xml": Expect(("Python Video Tutorial",), note="dropped embedded embed",
                                      page_has=("Step 1", "print(sorted([3, 1, 2]))")),
    "deep-div-10000.html": Expect(("Deep div",), note="HTML nested deeper than 100 elements",
                                  page_has=("x = [1, 2, 3]",)),
    "yaml-anchor-bomb.md": Expect(left_out=("T",)),
    # Found by bench/fuzz_campaign.py after the fixes for the ones above.
    "deep-emphasis-recursion.md": Expect(("a" * 300,), page_has=("print(1)",)),
    "target-after-form-feed.xml": Expect(("target-after-form-feed",)),
    "eval-rst-role-in-skip-reason.md": Expect(("Python Generators",), page_has=("Not run here: Python 2 code (",)),
}


def test_every_reproducer_is_a_case() -> None:
    files = {p.name for p in REPRODUCERS.iterdir()} - {"README.txt", "slug-collision"}
    assert files == set(CASES)
    readme = (REPRODUCERS / "README.txt").read_text(encoding="utf-8")
    assert all(name in readme for name in CASES)


@dataclass
class Converted:
    code: int
    output: str
    report: dict
    pages: dict[Path, str]


def _convert_with_cli(source: Path, root: Path, capsys: pytest.CaptureFixture[str]) -> Converted:
    (root / "book").mkdir(parents=True)
    shutil.copy(Path(__file__).parents[1] / "_config.yml", root)  # a project: convert refuses elsewhere
    code = main(["--root", str(root), "convert", str(source)])
    output = capsys.readouterr().err
    report = json.loads((root / "_build" / "convert.json").read_text(encoding="utf-8"))
    pages = {p: p.read_text(encoding="utf-8") for p in (root / "book").rglob("*.md")}
    return Converted(code, output, report, pages)


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_reproducer_converts_cleanly(name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expect = CASES[name]
    done = _convert_with_cli(REPRODUCERS / name, tmp_path, capsys)
    assert "Traceback" not in done.output
    assert done.code == 0 and done.report["failures"] == [] and done.report["warnings"] == []
    assert tuple(t["title"] for t in done.report["tutorials"]) == expect.tutorials
    assert tuple(e["title"] for e in done.report["excluded"]) == expect.left_out
    notes = [n for t in done.report["tutorials"] for n in t["notes"]]
    assert not expect.note or any(expect.note in n for n in notes), notes
    tutorial_pages = [text for path, text in done.pages.items() if path.name != "index.md"]
    assert len(tutorial_pages) == len(expect.tutorials)
    for text in tutorial_pages:
        assert page_problems(text) == []
        assert all(s in text for s in expect.page_has)


def test_titles_are_printed_as_they_are(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """rich used to read "[/]" in a title as markup and crash; now it is plain text."""
    done = _convert_with_cli(REPRODUCERS / "rich-markup-crash.xml", tmp_path, capsys)
    assert "left out: Notes on [/] brackets" in done.output


def test_a_long_title_gets_a_short_file_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    done = _convert_with_cli(REPRODUCERS / "longtitle-oserror.md", tmp_path, capsys)
    [page] = [p for p in done.pages if p.name != "index.md"]
    assert len(page.name) < 100


def test_control_characters_never_reach_a_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """U+2029 between two statements is a line break; a form feed inside a string stays one
    character (its visible symbol), so the program still prints 7; \\x01 goes."""
    for name, code in (("formfeed-check-crash.md", 'page = "one\u240ctwo"\nprint(len(page))'),
                       ("u2029-structure.xml", "// a.js\nconst p = 1;\n"),
                       ("ctrlchar-check-crash.xml", "Sorting in python, see [docs]")):
        done = _convert_with_cli(REPRODUCERS / name, tmp_path / name, capsys)
        [text] = [text for path, text in done.pages.items() if path.name != "index.md"]
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]", text)
        assert isinstance(yaml.safe_load(text.split("---\n")[1]), dict)  # where check used to crash
        assert any(code in c.source for c in jupytext.reads(text, fmt="md:myst").cells)


def _race(folder: str, rounds: int, errors: multiprocessing.Queue) -> None:
    options = CheckOptions(out_dir=Path(folder) / "executed", report=Path(folder) / "report.json", jupyter_cache=None)
    failed = 0
    for _ in range(rounds):
        try:
            _write_report(options, {}, [])
        except OSError:
            failed += 1
    errors.put(failed)


def test_two_checks_writing_the_report_at_once_never_break_it(tmp_path: Path) -> None:
    """report-tmp-race.py: a fixed temporary name made one writer's rename fail and readers see half a file."""
    (tmp_path / "executed").mkdir()
    errors: multiprocessing.Queue = multiprocessing.Queue()
    writers = [multiprocessing.Process(target=_race, args=(str(tmp_path), 400, errors)) for _ in range(2)]
    for writer in writers:
        writer.start()
    reads = invalid = 0
    while any(w.is_alive() for w in writers) or reads == 0:
        try:
            json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
            reads += 1
        except FileNotFoundError:
            pass
        except ValueError:
            invalid += 1
    for writer in writers:
        writer.join()
    assert [errors.get(), errors.get()] == [0, 0]
    assert reads > 0 and invalid == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_two_notebooks_with_one_stem_get_executed_files_of_their_own(tmp_path: Path) -> None:
    paths = [Path("book/go/tips.md"), Path("book/python/tips.md"), Path("book/web/other.md")]
    executed = executed_paths(paths, tmp_path)
    assert len(set(executed.values())) == 3
    assert executed[Path("book/web/other.md")] == tmp_path / "other.ipynb"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


MARKERS = [Path("/tmp/PWNED_CONVERT"), Path("/tmp/PWNED_FROMIMPORT"), Path("/tmp/PWNED_GETOUTPUT")]
VICTIMS = [Path("/tmp/course-victims/rmtree"), Path("/tmp/course-victims/getipython")]
IN_THE_SANDBOX = ["exec-denylist-bypass.xml", "convert-time-exec.xml", "convert-time-memory.xml",
                  "convert-time-memory-449B-dump.txt", "ctrlchar-check-crash.xml", "formfeed-check-crash.md",
                  "u2029-structure.xml"]


@pytest.mark.skipif(sandbox.bwrap_path() is None, reason=f"bubblewrap missing: {sandbox.HINT}")
def test_the_code_runs_only_in_check_and_only_in_the_sandbox(tmp_path: Path) -> None:
    """Converted together (with the slug-collision pair, converted one after the other),
    then checked in the sandbox: check runs every notebook to a verdict, and nothing on the
    host changes: no marker file, the victim folders still there, ~/.bashrc untouched."""
    for marker in MARKERS:
        marker.unlink(missing_ok=True)
    for victim in VICTIMS:
        victim.mkdir(parents=True, exist_ok=True)
    bashrc = Path.home() / ".bashrc"
    before = _digest(bashrc)
    layout = Layout(tmp_path)
    layout.book.mkdir()
    shutil.copy(Path(__file__).parents[1] / "pyproject.toml", tmp_path)
    report = convert([REPRODUCERS / n for n in IN_THE_SANDBOX], layout=layout)
    for pair in ("a.xml", "b.xml"):
        report.failures += convert([REPRODUCERS / "slug-collision" / pair], layout=layout).failures
    assert report.failures == []
    assert not any(m.exists() for m in MARKERS), "convert ran tutorial code"
    notebooks = sorted(p for p in layout.book.rglob("*.md") if p.name != "index.md")
    assert len(notebooks) == 14 and len({p.stem for p in notebooks}) == 14  # go-tips and go-tips-2
    options = CheckOptions(out_dir=tmp_path / "_build" / "executed", report=tmp_path / "_build" / "report.json",
                           jupyter_cache=None, cell_timeout=15, notebook_timeout=120, jobs=2,
                           limits=sandbox.Limits(memory=1 << 30))
    results = check(notebooks, options)
    assert len(results) == 14 and len({r.executed for r in results}) == 14
    assert not any(m.exists() for m in MARKERS)
    assert all(v.is_dir() for v in VICTIMS) and _digest(bashrc) == before
    by_stem = {Path(r.notebook).stem: r for r in results}
    # 3 GB of bytes, and the endless generator's list: each stops at the sandbox's memory
    # limit, reported on its cell; the notebooks after them still run.
    for stem in ("python-bytes", "understanding-python-generators"):
        assert [c.status for c in by_stem[stem].cells][-1] == "limit", by_stem[stem].error
    assert all(by_stem[s].ok for s in ("python-sorting", "python-form-feeds", "javascript-promises"))
    printed = {s: json.dumps([c.get("outputs", []) for c in jupytext.read(by_stem[s].executed).cells])
               for s in ("go-tips", "go-tips-2")}
    assert "from feed A" in printed["go-tips"] and "from feed B" in printed["go-tips-2"]
