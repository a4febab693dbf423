"""The landing page's "Set up" section: the course's requirements and how to install them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from converter.document import Document, Meta, Paragraph
from converter.writers.notebook import to_myst
from converter.writers.toc import Entry, course_extra, landing_page, read_entries, set_up_section

PINS = {"flask": "Flask>=3.1,<4", "requests": "requests>=2.34,<3", "pytest-asyncio": "pytest-asyncio>=1.5,<2"}


def _entry(slug: str, title: str, requirements: tuple[str, ...] = (), *, chapter: str = "Python",
           kind: str = "tutorial", position: int = 0) -> Entry:
    return Entry(f"book/{chapter.lower()}/{slug}", title, chapter, kind, "", ("s.txt", position), requirements)


ENTRIES = [
    _entry("flask", "Flask *Blueprints*", ("Flask", "requests"), position=0),
    _entry("tests", "Async tests", ("pytest_asyncio",), chapter="Testing", position=1),
    _entry("airflow", "Airflow DAGs", ("apache-airflow", "requests"), position=2),
    _entry("joins", "SQL joins", (), chapter="Databases", position=3),
    _entry("design", "System design", (), kind="reading", position=4),
]


def _install_command(page: str) -> str:
    fences = [t for t in MarkdownIt().parse(page) if t.type == "fence"]
    assert len(fences) == 1 and fences[0].info == "shell"
    return fences[0].content.strip()


def test_set_up_lists_the_requirements_with_the_install_command() -> None:
    page = landing_page(ENTRIES, title="C", pins=PINS)
    assert page.index("## Set up") < page.index("## Chapters")
    assert _install_command(page) == 'pip install "Flask>=3.1,<4" "pytest-asyncio>=1.5,<2" "requests>=2.34,<3"'
    assert 'pip install -e ".[course]"' in page


def test_requirements_without_a_range_in_the_extra_are_named_apart() -> None:
    page = landing_page(ENTRIES, title="C", pins=PINS)
    assert "apache-airflow" not in _install_command(page)
    assert re.search(r"left out of that command: `apache-airflow`", page)


def test_set_up_says_which_tutorials_need_which_packages() -> None:
    lines = set_up_section(ENTRIES, pins=PINS)
    listed = [line for line in lines if line.startswith("- [")]
    assert listed == [  # book order: Python, then Testing (chapters), tutorials with requirements only
        "- [Flask \\*Blueprints\\*](python/flask.md): `Flask`, `requests`",
        "- [Airflow DAGs](python/airflow.md): `apache-airflow`, `requests`",
        "- [Async tests](testing/tests.md): `pytest_asyncio`",
    ]


@pytest.mark.parametrize("pins", [None, {}, {"django": "Django>=5.2,<6"}])
def test_without_ranges_the_command_names_the_packages_bare(pins) -> None:
    page = landing_page(ENTRIES, title="C", pins=pins)
    assert _install_command(page) == "pip install apache-airflow Flask pytest_asyncio requests"
    assert ".[course]" not in page and "left out" not in page


@pytest.mark.parametrize("entries", [[], ENTRIES[3:], [_entry("a", "A", ())]])
def test_no_requirements_no_set_up_section(entries: list[Entry]) -> None:
    page = landing_page(entries, title="C", pins=PINS)
    assert "## Set up" not in page and "pip install" not in page
    assert set_up_section(entries, pins=PINS) == []


def test_the_same_package_spelled_two_ways_is_installed_once() -> None:
    entries = [_entry("a", "A", ("Flask",)), _entry("b", "B", ("flask",), position=1)]
    assert _install_command(landing_page(entries, title="C", pins=PINS)) == 'pip install "Flask>=3.1,<4"'


def test_the_page_is_plain_commonmark_without_raw_html() -> None:
    tokens = MarkdownIt("commonmark").parse(landing_page(ENTRIES, title="C", pins=PINS))
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    headings = [t.tag for t in tokens if t.type == "heading_open"]
    assert headings[:3] == ["h1", "h2", "h2"]  # title, Set up, Chapters: no skipped levels


def test_read_entries_takes_requirements_from_the_front_matter(tmp_path: Path) -> None:
    book = tmp_path / "book"
    (book / "python").mkdir(parents=True)
    meta = Meta("Flask app", "s.txt", slug="flask-app", chapter="Python", requirements=("Flask", "requests"))
    (book / "python" / "flask-app.md").write_text(to_myst(Document(meta, (Paragraph("Build it."),))))
    plain = Meta("Plain", "s.txt", slug="plain", chapter="Python")
    (book / "python" / "plain.md").write_text(to_myst(Document(plain, ())))
    (book / "python" / "odd.md").write_text("---\ncourse:\n  title: Odd\n  chapter: Python\n  requirements: flask\n---\n# Odd\n")
    entries = {e.title: e for e in read_entries(book, tmp_path)}
    assert entries["Flask app"].requirements == ("Flask", "requests")
    assert entries["Plain"].requirements == () and entries["Odd"].requirements == ()


def test_course_extra_reads_the_course_group_of_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[project.optional-dependencies]\n'
        'test = ["pytest>=8"]\ncourse = ["Flask >= 3.1, < 4", "pytest_asyncio>=1.5,<2", "uvicorn[standard]>=0.30,<1"]\n'
    )
    assert course_extra(tmp_path) == {
        "flask": "Flask>=3.1,<4", "pytest-asyncio": "pytest_asyncio>=1.5,<2", "uvicorn": "uvicorn[standard]>=0.30,<1",
    }


@pytest.mark.parametrize("text", [
    None, "", "[project]\nname = 'x'\n", "not = [toml", '[project.optional-dependencies]\ncourse = "Flask"\n',
])
def test_course_extra_is_empty_without_a_course_group(tmp_path: Path, text: str | None) -> None:
    if text is not None:
        (tmp_path / "pyproject.toml").write_text(text)
    assert course_extra(tmp_path) == {}


def test_course_extra_of_this_project_pins_every_package() -> None:
    pins = course_extra(Path(__file__).resolve().parents[1])
    assert "flask" in pins and all(">=" in spec for spec in pins.values())


@pytest.mark.parametrize(("sandbox", "words"), [
    ("bubblewrap", "in a sandbox (bubblewrap)"), ("none", "course check --no-sandbox"), ("", "not been run"),
])
def test_the_build_note_says_how_the_code_was_checked(sandbox: str, words: str) -> None:
    page = landing_page(ENTRIES, title="C", pins=PINS, sandbox=sandbox)
    note = page[page.index(":::{note}"):page.index("## Chapters")]
    assert words in note
    assert ("sandbox (bubblewrap)" in note) == (sandbox == "bubblewrap")
