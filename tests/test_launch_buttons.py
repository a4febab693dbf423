"""Binder and Colab buttons when _config.yml names the repository (converter.sphinx_course).

The project's own site names none (tests/test_site.py checks it has only JupyterLite);
here a one-tutorial book names one and is built with warnings as errors. The links are
checked for their form and their targets (the page's .md in the project, the learner
copy in the site that Colab would read from the published branch), never fetched.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from bs4 import BeautifulSoup

from converter.convert import Layout, convert
from converter.publish import publish

ROOT = Path(__file__).resolve().parents[1]

TUTORIAL = """\
# Python Sorting

Sorting a list in Python, with an example you can run:

```python
print(sorted([3, 1, 2]))
```
"""


def _build(root: Path, tmp: Path, repository: dict | None, *, lite: bool = False) -> Path:
    """The tutorial as a book in root, its config the project's with `repository` (None: no such section)."""
    root.mkdir()
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["execute"]["execute_notebooks"] = "off"
    if not lite:
        config["sphinx"]["config"]["course_jupyterlite"] = False  # tests/test_site.py checks the lite site
    config.pop("repository", None)
    if repository is not None:
        config["repository"] = repository
    (root / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    source = tmp / "sorting.md"
    source.write_text(TUTORIAL, encoding="utf-8")
    report = convert([source], layout=Layout(root))
    assert not report.failures, report.failures
    result = publish(root, strict=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return root / "_build" / "html"


def _launches(html: Path, page: Path) -> dict[str, str]:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    menu = soup.select_one(".dropdown-launch-buttons")
    return {a.get_text(strip=True): a["href"] for a in menu.select("a.dropdown-item")} if menu else {}


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("named")
    root = tmp / "project"
    html = _build(root, tmp, {"url": "https://github.com/example-org/course", "branch": "main", "path_to_book": ""})
    return root, html


def _tutorial_page(root: Path, html: Path) -> tuple[Path, str]:
    (notebook,) = (p for p in (root / "book").rglob("*.md") if p.name != "index.md")
    pagename = notebook.relative_to(root).with_suffix("").as_posix()
    return html / f"{pagename}.html", pagename


def test_binder_opens_the_page_md_from_the_repository(named: tuple[Path, Path]) -> None:
    root, html = named
    page, pagename = _tutorial_page(root, html)
    binder = _launches(html, page)["Binder"]
    match = re.fullmatch(r"https://mybinder\.org/v2/gh/example-org/course/main\?urlpath=tree/(.+)", binder)
    assert match, binder
    assert unquote(match[1]) == f"{pagename}.md"
    assert (root / unquote(match[1])).is_file()  # where Binder's checkout of the repository has it


def test_colab_opens_the_learner_copy_on_the_published_branch(named: tuple[Path, Path]) -> None:
    root, html = named
    page, pagename = _tutorial_page(root, html)
    colab = _launches(html, page)["Colab"]
    slug = Path(pagename).name
    assert colab == f"https://colab.research.google.com/github/example-org/course/blob/gh-pages/_learner/{slug}.ipynb"
    # The site is published at the root of gh-pages: the file Colab reads is this one.
    assert (html / "_learner" / f"{slug}.ipynb").is_file()


def test_no_jupyterlite_button_when_switched_off(named: tuple[Path, Path]) -> None:
    root, html = named
    page, _ = _tutorial_page(root, html)
    assert "JupyterLite" not in _launches(html, page)
    assert not (html / "lite").exists()


def test_without_a_repository_no_binder_or_colab(tmp_path: Path) -> None:
    # No `repository` section at all: Jupyter Book fills in its own repository, no course's.
    html = _build(tmp_path / "project", tmp_path, None)
    root = tmp_path / "project"
    page, _ = _tutorial_page(root, html)
    assert _launches(html, page) == {}
    assert "mybinder" not in page.read_text(encoding="utf-8")


# A sitecustomize that makes JupyterLite unimportable in the jupyter-book process,
# as when it is not installed (find_spec gives None, import raises ImportError).
_HIDE_JUPYTERLITE = """\
import sys
sys.modules.update(jupyterlite_core=None, jupyterlite_pyodide_kernel=None)
"""


def test_without_jupyterlite_the_book_still_builds_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
) -> None:
    import converter.sphinx_course as sphinx_course

    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "sitecustomize.py").write_text(_HIDE_JUPYTERLITE, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", str(hide))
    monkeypatch.setattr(sphinx_course, "lite_available", lambda: False)
    root = tmp_path / "project"
    html = _build(root, tmp_path, {"url": "https://github.com/example-org/course", "branch": "main"}, lite=True)
    page, _ = _tutorial_page(root, html)
    assert set(_launches(html, page)) == {"Binder", "Colab"}
    assert not (html / "lite").exists()
    assert (html / "_learner").is_dir()
    assert capfd.readouterr().err.count(sphinx_course.LITE_HINT) == 1
