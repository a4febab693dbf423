"""What the `course` command pays before it starts working."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout


def test_the_iri_grammar_is_built_only_when_an_iri_is_checked() -> None:
    pytest.importorskip("rfc3987_syntax")
    out = _run(
        "import sys, converter.cli\n"
        "print('lark' in sys.modules)\n"
        "from jsonschema import FormatChecker\n"
        "checker = FormatChecker()\n"
        "print(checker.conforms('https://example.com/a', 'iri'), checker.conforms('not an iri', 'iri'))\n"
        "print('lark' in sys.modules)\n"
        "import rfc3987_syntax\n"
        "print(rfc3987_syntax.is_valid_syntax('iri', 'https://example.com/b'), callable(rfc3987_syntax.parse))\n"
    )
    assert out.split() == ["False", "True", "False", "True", "True", "True"]


def test_jupytext_comes_without_jupyter_server_and_its_managers_still_import() -> None:
    out = _run(
        "import sys, converter.cli, converter.writers.notebook\n"
        "print('jupyter_server' in sys.modules, 'tornado' in sys.modules)\n"
        "import jupytext.sync_contentsmanager as managers\n"
        "print(managers.TextFileContentsManager.__name__)\n"
    )
    assert out.split() == ["False", "False", "SyncJupytextContentsManager"]


def test_no_converter_module_brings_jupyter_server() -> None:
    """Any module importing jupytext does it through `_jupytext_without_servers`."""
    out = _run(
        "import importlib, pkgutil, sys, converter\n"
        "for module in pkgutil.walk_packages(converter.__path__, 'converter.'):\n"
        "    if not module.name.endswith('__main__'):  # that one runs the command\n"
        "        importlib.import_module(module.name)\n"
        "print('jupytext' in sys.modules, 'jupyter_server' in sys.modules)\n"
    )
    assert out.split() == ["True", "False"]


def test_the_command_s_late_imports_are_frozen_too(tmp_path) -> None:  # noqa: ANN001
    """`course` freezes what its imports made out of the collector (cli.main); the passes,
    imported while convert's workers read, are frozen too. Called as a library (nothing
    frozen), convert leaves the collector alone."""
    source = tmp_path / "a.md"
    source.write_text("# Python Lists\n\nSorting a list in python.\n\n```python\nprint(sorted([3, 1, 2]))\n```\n")
    code = (
        "import gc\n"
        "from pathlib import Path\n"
        "from converter.budget import NO_BUDGET\n"
        "from converter.convert import ConvertReport, read_all\n"
        "from converter.environment import CourseEnvironment\n"
        "{freeze}\n"
        "before = gc.get_freeze_count()\n"
        f"read_all([Path({str(source)!r})], ConvertReport(), environment=CourseEnvironment(), budget=NO_BUDGET)\n"
        "print(before, gc.get_freeze_count())\n"
    )
    before, after = map(int, _run(code.format(freeze="from converter import convert; convert.freeze_for_the_command()")).split())
    assert after > before > 0
    assert _run(code.format(freeze="")).split() == ["0", "0"]


def test_soupsieve_is_imported_when_a_selector_is_used() -> None:
    out = _run(
        "import sys, converter.readers\n"
        "print('soupsieve.css_parser' in sys.modules)\n"
        "from bs4 import BeautifulSoup\n"
        "soup = BeautifulSoup('<p><a rel=\"tag\">x</a></p>', 'html.parser')\n"
        "print([a.get_text() for a in soup.select('a[rel~=tag]')], 'soupsieve.css_parser' in sys.modules)\n"
    )
    assert out.split() == ["False", "['x']", "True"]


def test_jsonschema_s_uri_format_still_checks() -> None:
    out = _run(
        "import sys, converter\n"
        "from jsonschema import FormatChecker\n"
        "checker = FormatChecker()\n"
        "print(checker.conforms('https://example.com/a', 'uri'), checker.conforms('no uri', 'uri'))\n"
    )
    assert out.split() == ["True", "False"]


def test_readers_are_imported_when_their_format_is_read(tmp_path) -> None:  # noqa: ANN001
    """convert's workers fork once the command has parsed its arguments: the readers' libraries
    (a tenth of a second) are imported by the worker that reads that format, and only there."""
    dump = tmp_path / "dump.txt"
    dump.write_text("Tag: Python\n\n• A title\nSome prose about it, long enough to read as a paragraph.\n",
                    encoding="utf-8")
    out = _run(
        "import sys, converter.cli\n"
        "print([m for m in ('bs4', 'feedparser', 'markdown_it', 'converter.readers.text') if m in sys.modules])\n"
        "from converter.readers import read_source\n"
        f"read_source(__import__('pathlib').Path({str(dump)!r}))\n"
        "print([m for m in ('bs4', 'feedparser', 'converter.readers.text') if m in sys.modules])\n"
    )
    assert out.splitlines() == ["[]", "['converter.readers.text']"]


def test_convert_s_readers_start_before_rich_and_packaging_are_imported(tmp_path, one_tutorial) -> None:  # noqa: ANN001
    """The console (rich) and the course environment's requirements (packaging) are not the
    readers' business: the command imports them once the readers have started (0.03 s)."""
    source = one_tutorial
    out = _run(
        "import sys\n"
        "from converter import budget, cli\n"
        "seen = []\n"
        "fork = budget._Worker._fork\n"
        "def first(self):\n"
        "    seen.append(sorted(m for m in ('rich', 'packaging') if m in sys.modules))\n"
        "    fork(self)\n"
        "budget._Worker._fork = first\n"
        f"code = cli.main(['--root', {str(tmp_path)!r}, 'convert', {str(source)!r}])\n"
        "print(code, seen[0], sorted(m for m in ('rich', 'packaging') if m in sys.modules))\n"
    )
    assert out.splitlines()[-1] == "0 [] ['packaging', 'rich']"


def test_convert_calls_on_reading_once_its_readers_read_and_the_passes_are_imported(tmp_path, one_tutorial) -> None:  # noqa: ANN001
    """The command shows its progress bar then: rich is imported while the workers read."""
    source = one_tutorial
    out = _run(
        "import sys\n"
        "from pathlib import Path\n"
        "from converter import budget\n"
        "from converter.convert import Layout, convert\n"
        "forks, calls = [], []\n"
        "fork = budget._Worker._fork\n"
        "budget._Worker._fork = lambda self: (forks.append(1), fork(self))\n"
        "on_reading = lambda: calls.append((len(forks), 'converter.passes.pipeline' in sys.modules))\n"
        f"report = convert([Path({str(source)!r})], layout=Layout(Path({str(tmp_path)!r})), on_reading=on_reading)\n"
        "print(len(report.paths), calls)\n"
    )
    assert out.splitlines()[-1] == "1 [(1, True)]"


def test_the_command_collects_young_objects_less_often() -> None:
    """Run as the command, `course` collects its youngest generation every 10,000 allocations;
    called as a library (tests, a notebook), it leaves the collector's settings alone."""
    code = (
        "import gc, sys\n"
        "from converter import cli\n"
        "sys.argv = ['course', '--version']\n"
        "default = gc.get_threshold()\n"
        "try:\n"
        "    cli.main({argv})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(default[0], gc.get_threshold()[0])\n"
    )
    assert _run(code.format(argv="")).split()[-2:] == ["700", "10000"]
    assert _run(code.format(argv="['--version']")).split()[-2:] == ["700", "700"]


def test_arrow_is_imported_when_a_duration_needs_it() -> None:
    """jsonschema imports isoduration for its "duration" format, and isoduration imports arrow,
    which it calls only for a duration written as a date."""
    out = _run(
        "import sys, converter, nbformat\n"
        "print('arrow.arrow' in sys.modules)\n"
        "from jsonschema import FormatChecker\n"
        "checker = FormatChecker()\n"
        "print(checker.conforms('P1D', 'duration'), checker.conforms('soon', 'duration'))\n"
        "import isoduration\n"
        "print(isoduration.parse_duration('P0003-06-04T12:30:05'), 'arrow.arrow' in sys.modules)\n"
    )
    assert out.split() == ["False", "True", "False", "P3Y6M4DT12H30M5S", "True"]


def test_encoding_detection_is_imported_when_bytes_need_it() -> None:
    """Beautiful Soup imports charset_normalizer to guess the encoding of bytes; the readers
    give it text, so it comes when bytes are parsed, and it still guesses."""
    out = _run(
        "import sys, converter\n"
        "from bs4 import BeautifulSoup, UnicodeDammit\n"
        "BeautifulSoup('<p>caf\\u00e9</p>', 'lxml')\n"
        "print('charset_normalizer.api' in sys.modules)\n"
        "guess = UnicodeDammit('\\u00e9t\\u00e9 \\u00e0 la plage, caf\\u00e9 cr\\u00e8me'.encode('latin-1'))\n"
        "print(guess.unicode_markup is not None, 'charset_normalizer.api' in sys.modules)\n"
    )
    assert out.split() == ["False", "True", "True"]


def test_urllib_request_is_imported_when_a_url_is_fetched(tmp_path) -> None:  # noqa: ANN001
    """feedparser (its `http` module) and xml.sax import urllib.request (with http.client and
    ssl) to fetch URLs; the feed reader gives them text, so reading a feed brings none of it,
    and both still work as they are, through their packages too."""
    feed = tmp_path / "feed.xml"
    feed.write_text("<rss version='2.0'><channel><title>T</title><item><title>A post</title>"
                    "<description>&lt;p&gt;Prose.&lt;/p&gt;&lt;pre&gt;&lt;code&gt;print(1)&lt;/code&gt;&lt;/pre&gt;"
                    "</description></item></channel></rss>", encoding="utf-8")
    out = _run(
        "import sys, converter\n"
        "from converter.readers import read_source\n"
        f"print(len(read_source(__import__('pathlib').Path({str(feed)!r}))))\n"
        "print('http.client' in sys.modules, 'ssl' in sys.modules)\n"
        "import urllib.request\n"
        "print(urllib.request.Request('http://example.com/a').host, 'http.client' in sys.modules)\n"
        "from urllib.request import urlopen\n"
        "print(urlopen.__module__, sys.modules['urllib.request'].urlopen is urlopen)\n"
        "import feedparser\n"
        "print(feedparser.api.http.get.__module__)\n"
    )
    assert out.split() == ["1", "False", "False", "example.com", "True", "urllib.request", "True", "feedparser.http"]


def test_the_passes_come_without_the_writer_and_the_generators() -> None:
    """convert's passes run in workers forked once the passes are imported; the writer
    (jupytext, nbformat, jsonschema) and the exercise generators are imported while those
    workers run, for the page workers forked next."""
    out = _run(
        "import sys, converter.cli, converter.passes.pipeline\n"
        "print([m for m in ('jupytext', 'nbformat', 'jsonschema', 'converter.passes.exercises') if m in sys.modules])\n"
    )
    assert out.strip() == "[]"


def test_a_conversion_with_every_page_kept_imports_no_writer(tmp_path, one_tutorial) -> None:  # noqa: ANN001
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from converter.budget import Budget\n"
        "from converter.convert import Layout, convert\n"
        f"root = Path({str(tmp_path)!r})\n"
        f"report = convert([Path({str(one_tutorial)!r})], layout=Layout(root), budget=Budget(seconds=20))\n"
        "print(len(report.written), 'jupytext' in sys.modules, 'converter.passes.exercises' in sys.modules)\n"
    )
    assert _run(code).split() == ["3", "True", "True"]  # the page, the table of contents, the landing page
    assert _run(code).split() == ["0", "False", "False"]  # all kept: neither the writer nor the generators


def test_background_work_is_done_before_the_process_forks() -> None:
    """A worker must not start with an import half done: forking one waits for the background
    work (budget.before_fork)."""
    out = _run(
        "import time\n"
        "from converter import convert\n"
        "from converter.budget import Budget, each_within\n"
        "done = []\n"
        "convert._in_background(lambda: (time.sleep(0.3), done.append(1)))\n"
        "print(list(each_within(Budget(seconds=5, jobs=1), lambda _: len(done), [0])))\n"
    )
    assert out.strip() == "[1]"


def test_threads_switch_often_only_while_background_work_runs() -> None:
    """The main thread hands workers their items: while the background thread imports, the
    interpreter switches between them every 0.5 ms, and after it as it did before."""
    out = _run(
        "import sys, threading\n"
        "from converter import convert\n"
        "before = sys.getswitchinterval()\n"
        "go = threading.Event()\n"
        "convert._in_background(go.wait)\n"
        "convert._in_background(go.wait)\n"
        "during = sys.getswitchinterval()\n"
        "go.set()\n"
        "convert._join_background()\n"
        "print(before, during, sys.getswitchinterval(), threading.active_count())\n"
    )
    assert out.split() == ["0.005", "0.0005", "0.005", "1"]
