"""The console and the files tell the truth: every loss has a line, bad paths are errors,
files get normal permissions, a project is needed, --force keeps a backup, convert.json
keeps earlier sources, and the command's help, version and tables are whole."""

from __future__ import annotations

import os
import subprocess
import sys
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


# --- bad paths are errors --------------------------------------------------------------------

NOT_NOTEBOOKS = {
    "notes.txt": "just some text\n",
    "plain.md": "# A heading\n\nMarkdown, but no jupytext header.\n",
    "markdown-format.md": "---\njupytext:\n  text_representation:\n    format_name: markdown\nkernelspec:\n  name: python3\n---\n\n# x\n",
    "broken.ipynb": '{"cells": 3, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    "not-json.ipynb": "hello",
}


def _one_error(capsys: pytest.CaptureFixture[str], path: Path) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    [line] = err.strip().splitlines()
    assert line.startswith(f"error: {path}: "), line
    return line


@pytest.mark.parametrize("command", ["check", "student"])
@pytest.mark.parametrize("name", sorted(NOT_NOTEBOOKS))
def test_a_file_that_is_not_a_notebook_is_bad_usage(
    project: Path, command: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = project / name
    path.write_text(NOT_NOTEBOOKS[name])
    assert main(["--root", str(project), command, str(path)]) == 2
    assert "not" in _one_error(capsys, path)
    assert not (project / "_build").exists()


@pytest.mark.parametrize("command", ["check", "student"])
def test_a_missing_path_is_bad_usage(project: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "book" / "nope.md"
    assert main(["--root", str(project), command, str(path)]) == 2
    assert _one_error(capsys, path).endswith("no such file")


def test_check_refuses_an_ipynb_it_would_misread_as_myst(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    path = project / "good.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("print(1)")]), path)
    assert main(["--root", str(project), "check", str(path)]) == 2
    assert "MyST" in _one_error(capsys, path)
    assert main(["--root", str(project), "student", "--out", str(project / "out"), str(path)]) == 0
    assert (project / "out" / "good.ipynb").exists()


def test_student_takes_the_notebooks_convert_wrote(project: Path) -> None:
    (project / "t.md").write_text(TUTORIAL.format(title="Counting words"))
    assert main(["--root", str(project), "convert", str(project / "t.md")]) == 0
    [notebook] = (project / "book").rglob("counting-words.md")
    assert main(["--root", str(project), "student", str(notebook)]) == 0
    assert (project / "_build" / "student" / "counting-words.ipynb").exists()


def test_the_check_summary_counts_one_notebook_in_the_singular(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / "book" / "reading.md"
    path.parent.mkdir()
    import jupytext
    from nbformat.v4 import new_markdown_cell, new_notebook

    notebook = new_notebook(cells=[new_markdown_cell("# Reading\n\nNothing to run here.")],
                            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    jupytext.write(notebook, path, fmt="md:myst")
    assert main(["--root", str(project), "check", "--no-sandbox", str(path)]) == 0
    out = " ".join(capsys.readouterr())  # the console's lines go to stderr
    assert "1 notebook (0 unchanged" in out and "0 exercises proved" in out, out


def test_a_folder_is_not_a_notebook(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "book").mkdir()
    assert main(["--root", str(project), "check", str(project / "book")]) == 2
    assert "not a notebook file" in _one_error(capsys, project / "book")


# --- outside a project -----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["convert", "build"])
def test_convert_and_build_refuse_outside_a_project(
    tmp_path: Path, command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "t.md").write_text(TUTORIAL.format(title="Counting words"))
    monkeypatch.chdir(tmp_path)
    assert main([command, "t.md"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: ") and "_config.yml" in line and "--root" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.md"]


def test_convert_in_a_project_by_its_root(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "t.md").write_text(TUTORIAL.format(title="Counting words"))
    monkeypatch.chdir(project)
    assert main(["convert", "t.md"]) == 0
    assert (project / "_toc.yml").exists()


# --- --force keeps a backup ------------------------------------------------------------------


def test_force_keeps_a_backup_of_a_hand_edited_notebook_outside_book(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = project / "t.md"
    source.write_text(TUTORIAL.format(title="Counting words"))
    monkeypatch.chdir(project)
    assert main(["convert", "t.md"]) == 0
    [notebook] = (project / "book").rglob("counting-words.md")
    edited = notebook.read_text().replace("A tiny tutorial", "A tiny tutorial, with my notes,")
    notebook.write_text(edited)
    capsys.readouterr()
    assert main(["convert", "--force", "t.md"]) == 0
    assert "my notes" not in notebook.read_text()
    [backup] = (project / "_build" / "backups").rglob("*.md")
    assert backup.read_text() == edited
    assert backup.relative_to(project).parts[:4] == ("_build", "backups", "book", notebook.parent.name)
    assert backup.name.startswith("counting-words.") and backup.suffix == ".md"
    relative = notebook.relative_to(project)
    lines = [line for line in capsys.readouterr().err.splitlines() if "backup" in line]
    assert lines == [f"overwritten: kept a backup of {relative} in {backup.relative_to(project)} "
                     "(--force replaced its hand edits)"]
    # Neither the book nor `course check` sees the backup; the next forced run keeps another.
    assert str(backup.relative_to(project).with_suffix("")) not in (project / "_toc.yml").read_text()
    notebook.write_text(edited)
    assert main(["convert", "--force", "t.md"]) == 0
    assert len(list((project / "_build" / "backups").rglob("*.md"))) == 2
    report = (project / "_build" / "convert.json").read_text()
    assert "backups" in report and "counting-words." in report


def test_force_backs_up_a_hand_edited_toc_too(project: Path) -> None:
    (project / "t.md").write_text(TUTORIAL.format(title="Counting words"))
    assert main(["--root", str(project), "convert", str(project / "t.md")]) == 0
    toc = project / "_toc.yml"
    toc.write_text(toc.read_text() + "# mine\n")
    assert main(["--root", str(project), "convert", "--force", str(project / "t.md")]) == 0
    [backup] = (project / "_build" / "backups").glob("_toc.*.yml")
    assert backup.read_text().endswith("# mine\n")


def test_without_force_nothing_is_backed_up(project: Path) -> None:
    (project / "t.md").write_text(TUTORIAL.format(title="Counting words"))
    assert main(["--root", str(project), "convert", str(project / "t.md")]) == 0
    [notebook] = (project / "book").rglob("counting-words.md")
    notebook.write_text(notebook.read_text() + "\nmine\n")
    assert main(["--root", str(project), "convert", str(project / "t.md")]) == 0
    assert not (project / "_build" / "backups").exists()


def test_force_backs_up_a_hand_edited_notebook_it_moves(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "t.md").write_text(TUTORIAL.format(title="Counting words"))
    monkeypatch.chdir(project)
    assert main(["convert", "t.md"]) == 0
    [notebook] = (project / "book").rglob("counting-words.md")
    elsewhere = project / "book" / "elsewhere" / "counting-words.md"  # as if its chapter had changed
    elsewhere.parent.mkdir()
    elsewhere.write_text(notebook.read_text() + "\nmine\n")
    notebook.unlink()
    assert main(["convert", "--force", "t.md"]) == 0
    assert notebook.exists() and not elsewhere.exists()
    [backup] = (project / "_build" / "backups" / "book" / "elsewhere").glob("counting-words.*.md")
    assert backup.read_text().endswith("\nmine\n")


# --- convert.json keeps earlier sources ------------------------------------------------------

WITH_A_NOTE = TUTORIAL.format(title="Local pictures") + "\n![a diagram](diagram.png)\n"


def _convert_json(project: Path) -> dict:
    import json

    return json.loads((project / "_build" / "convert.json").read_text())


def test_convert_json_keeps_the_notes_of_sources_not_converted_again(project: Path) -> None:
    a, b, bad = project / "a.md", project / "b.md", project / "bad.md"
    a.write_text(WITH_A_NOTE)
    b.write_text(TUTORIAL.format(title="Counting words"))
    bad.write_bytes(b"")
    assert main(["--root", str(project), "convert", str(a), str(bad)]) == 1
    assert main(["--root", str(project), "convert", str(b)]) == 0
    report = _convert_json(project)
    by_source = {t["source"]: t for t in report["tutorials"]}
    assert set(by_source) == {str(a), str(b)}
    assert any("not on the web" in n for n in by_source[str(a)]["notes"])
    assert [f for f in report["failures"] if f.startswith(str(bad))]
    # A source converted again replaces its entries; a fixed one loses its failure.
    bad.write_text(TUTORIAL.format(title="Fixed now"))
    assert main(["--root", str(project), "convert", str(a), str(bad)]) == 0
    report = _convert_json(project)
    assert sorted(t["source"] for t in report["tutorials"]) == sorted([str(a), str(b), str(bad)])
    assert report["failures"] == []
    # An entry whose notebook is gone goes too.
    Path(next(t["notebook"] for t in report["tutorials"] if t["source"] == str(a))).unlink()
    assert main(["--root", str(project), "convert", str(b)]) == 0
    assert sorted(t["source"] for t in _convert_json(project)["tutorials"]) == sorted([str(b), str(bad)])


def test_convert_json_keeps_earlier_left_out_posts(project: Path) -> None:
    diary = project / "diary.md"
    diary.write_text("# My week\n\nI went out. I had fun. I slept.\n")
    (project / "b.md").write_text(TUTORIAL.format(title="Counting words"))
    assert main(["--root", str(project), "convert", str(diary)]) == 0
    assert main(["--root", str(project), "convert", str(project / "b.md")]) == 0
    assert [e["source"] for e in _convert_json(project)["excluded"]] == [str(diary)]


# --- every loss gets a console line ----------------------------------------------------------


def _item(title: str, body: str) -> str:
    return f"<item><title>{title}</title><link>https://example.com/{len(title)}</link><description><![CDATA[{body}]]></description></item>\n"


CODE = "<p>Run this to see it work, then change it.</p><pre><code class='language-python'>print('hi')</code></pre>"
TRUNCATED_FEED = (
    "<?xml version='1.0'?>\n<rss version='2.0'><channel><title>Cut off</title>\n"
    + _item("My week off", "<p>I went hiking. I slept a lot. I read my books.</p>")  # left out: not a tutorial
    + _item("Loops in Python", CODE)
    + "<item><title>Decorators explained</title><description><![CDATA[<p>This item is cut off in the mid"
)


def _convert(project: Path, capsys: pytest.CaptureFixture[str], *sources: Path) -> tuple[int, list[str]]:
    code = main(["--root", str(project), "convert", *map(str, sources)])
    return code, capsys.readouterr().err.splitlines()


def test_a_feed_item_a_truncated_feed_lost_is_a_console_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = project / "feed.xml"
    feed.write_text(TRUNCATED_FEED)
    code, lines = _convert(project, capsys, feed)
    assert code == 0
    # The note sat on the first item, which is left out of the course: the line is printed all the same.
    assert f"dropped: {feed}: dropped item 3 ('Decorators explained'): the feed is truncated inside it" in lines
    assert any(line.startswith("left out: My week off") for line in lines)
    [loss] = _convert_json(project)["dropped"]
    assert loss == {"source": str(feed), "tutorial": "", "what": "dropped item 3 ('Decorators explained'): the feed is truncated inside it"}


def test_a_feed_item_that_cannot_be_read_is_a_console_line(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from converter.readers import rss

    build = rss.build

    def broken(item):  # noqa: ANN001, ANN202
        if item.title == "Broken":
            raise ValueError("bad item")
        return build(item)

    monkeypatch.setattr(rss, "build", broken)
    feed = project / "feed.xml"
    feed.write_text("<rss version='2.0'><channel>\n" + _item("Loops in Python", CODE) + _item("Broken", CODE) + "</channel></rss>\n")
    code, lines = _convert(project, capsys, feed)
    assert code == 0
    assert f"dropped: {feed}: skipped item 2 ('Broken') that could not be read (ValueError: bad item)" in lines


DUMP = """\
Tag: python

  • Loops in Python

    Loops repeat work. Here is one that prints three numbers for you to try.

        for i in range(3):
            print(i)

  • An empty article

  • Sets in Python

    Sets keep one of each thing. Try this one to see the duplicates go away.

        print(set([1, 1, 2]))
"""


def test_a_text_dump_article_skipped_after_the_first_is_noted_and_printed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = project / "dump.txt"
    source.write_text(DUMP)
    code, lines = _convert(project, capsys, source)
    assert code == 0
    assert f"dropped: {source}: skipped article without content: 'An empty article'" in lines
    notes = [n for t in _convert_json(project)["tutorials"] for n in t["notes"]]
    assert "skipped article without content: 'An empty article'" in notes


CHROME_PAGE = """\
<!doctype html><html><head><title>Reading files</title></head><body>
<article>
<h1>Reading files</h1>
<p>Python reads a whole file with one call. This tutorial shows how, step by step, with code you can run.</p>
<pre><code class="language-python">print(open(__file__).read()[:10])</code></pre>
<div class="cookie-banner"><p>We use cookies to give you the best experience. Accept them to go on.</p></div>
<div class="related-posts"><h3>Related posts</h3><ul><li><a href="/a">Writing files</a></li><li><a href="/b">CSV</a></li></ul></div>
</article>
</body></html>
"""


def test_page_chrome_the_extractor_removes_is_a_console_line_per_element(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = project / "page.html"
    page.write_text(CHROME_PAGE)
    code, lines = _convert(project, capsys, page)
    assert code == 0
    dropped = [line for line in lines if line.startswith("dropped:")]
    assert dropped == [
        f"dropped: {page}: Reading files: ignored page chrome inside the article: "
        "div.cookie-banner ('We use cookies to give you the best experience. Accept them…')",
        f"dropped: {page}: Reading files: ignored page chrome inside the article: "
        "div.related-posts ('Related posts Writing files CSV')",
    ]
    assert any("2 pieces of sources dropped" in line for line in lines)
    notebook = next((project / "book").rglob("reading-files.md")).read_text()
    assert "cookies" not in notebook and "Related posts" not in notebook


def test_a_markdown_loss_is_a_console_line_too(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = project / "a.md"
    source.write_text(WITH_A_NOTE)
    code, lines = _convert(project, capsys, source)
    assert code == 0
    assert f"dropped: {source}: Local pictures: skipped an image that is not on the web (not http or https)" in lines


def test_notes_that_lose_nothing_stay_off_the_console(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = project / "feed.xml"
    feed.write_text("<rss version='2.0'><channel>\n" + _item("Loops&nbsp;in Python", CODE) + "</channel></rss>\n")
    code, lines = _convert(project, capsys, feed)
    assert code == 0 and not [line for line in lines if line.startswith("dropped:")]
    assert any("nbsp" in n for t in _convert_json(project)["tutorials"] for n in t["notes"])


# --- the command line ------------------------------------------------------------------------


def _course(*args: str, cwd: Path | None = None, columns: int = 60) -> subprocess.CompletedProcess[str]:
    """The installed command as a user runs it, its output piped (as into a CI log)."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")} | {"COLUMNS": str(columns)}
    return subprocess.run([sys.executable, "-m", "converter", *args], capture_output=True, text=True, cwd=cwd, env=env)


def test_help_has_examples_exit_codes_and_input_formats() -> None:
    result = _course("--help")
    assert result.returncode == 0
    for text in ("examples:", "course convert sources/", "exit status:", "0  all good", "1  failures found",
                 "2  bad usage", "input formats", "RSS 2.0, RSS 1.0 and Atom feeds", "HTML pages",
                 "plain-text dumps", "Markdown", "detected from the content"):
        assert text in result.stdout, text


@pytest.mark.parametrize("command", ["convert", "check", "student", "build"])
def test_each_command_help_has_examples(command: str) -> None:
    result = _course(command, "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and f"course {command}" in result.stdout.split("examples:")[1]


def test_version_is_the_installed_distribution() -> None:
    from importlib.metadata import version

    result = _course("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"course {version('course-builder')}"


@pytest.mark.parametrize("args", [["--foo"], ["convert", "--foo"], ["convert", "x.md", "--foo"], ["check", "--foo"],
                                  ["student", "--foo=1"], ["build", "--foo"]])
def test_an_unknown_option_is_named_in_one_line(args: list[str]) -> None:
    result = _course(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"course: error: unknown option {args[-1]}"
    assert lines[0].startswith("usage: course") and "Traceback" not in result.stderr


def test_known_options_abbreviated_or_with_values_are_not_unknown(project: Path) -> None:
    result = _course("--root", str(project), "convert", "--forc", "--source-time=5", "nope.md")
    assert result.returncode == 2 and result.stderr.strip() == "error: nope.md: no such file or folder"
    result = _course("convert", "--source-time", "abc", "x.md")
    assert result.returncode == 2 and "invalid float value: 'abc'" in result.stderr.splitlines()[-1]


LONG_TITLE = "Counting the words of very long sentences with Python dictionaries and the collections module"


def test_the_tables_show_whole_names_in_a_narrow_log(project: Path) -> None:
    (project / "t.md").write_text(TUTORIAL.format(title=LONG_TITLE))
    result = _course("convert", "t.md", cwd=project, columns=60)
    assert result.returncode == 0, result.stderr
    [notebook] = [p for p in (project / "book").rglob("*.md") if p.name != "index.md"]
    name = str(notebook.relative_to(project / "book"))
    assert len(name) > 40 and any(name in line for line in result.stderr.splitlines())
    assert "…" not in result.stderr
    assert max(map(len, result.stderr.splitlines())) < len(name) + 80  # as wide as its rows, no wider
    result = _course("check", "--no-sandbox", str(notebook.relative_to(project)), cwd=project, columns=60)
    stem = str(notebook.relative_to(project / "book").with_suffix(""))
    assert any(stem in line for line in result.stderr.splitlines()), result.stderr
    assert "…" not in result.stderr


def test_a_narrow_terminal_folds_names_rather_than_cutting_them(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from converter import cli

    screen = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=screen, force_terminal=True, width=60, color_system=None,
                                                highlight=False, markup=False, soft_wrap=True))
    (project / "t.md").write_text(TUTORIAL.format(title=LONG_TITLE))
    assert main(["--root", str(project), "convert", str(project / "t.md")]) == 0
    table = screen.getvalue().split("Converted tutorials")[1]
    cells = [line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│")]
    [notebook] = [p for p in (project / "book").rglob("*.md") if p.name != "index.md"]
    assert "".join(cells) == str(notebook.relative_to(project / "book"))
