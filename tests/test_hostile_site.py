"""Hostile sources never become active markup in the built site.

The corpus in tests/cases/hostile/sources/ (feeds, an article page, Markdown, a
text dump, and the fuzzing campaign's reproducers) carries script tags, event
handlers, javascript: URLs, iframes, styles, scriptable SVG, MyST and Sphinx
syntax in prose, titles, URLs and code, and references to local files. Each
script payload, if it ever ran, would set `data-pwned` on <html> or make the
page title start with PWNED.

The corpus is converted and built once (jupyter-book, executing nothing),
beside a clean control book whose pages tell which scripts, handlers and
styles the theme itself puts on a page. Then:
- every page of the hostile book has no active markup the control has not;
- no local file (/etc/passwd, a marker file beside the book) reaches the site;
- each payload is still there, as literal visible text;
- headless Chromium loads every page and no payload runs.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup, Tag

from converter.convert import Layout, convert
from converter.publish import publish
from converter.writers.toc import front_matter

ROOT = Path(__file__).resolve().parents[1]
SOURCES = Path(__file__).parent / "cases" / "hostile" / "sources"
MARKER_FILE = "secret-marker.txt"  # the corpus links to ../../secret-marker.txt (the project root)
PASSWD_LINE = re.compile(rb"root:[^:\n]*:0:0:")

CONTROL = """\
# Python Control

A clean tutorial: its page shows what the theme itself puts on every page,
with a [web link](https://example.com/ok), **bold**, `code` and a list:

- one
- two

![a web image](https://example.com/i.png)

| Cell | Other |
|---|---|
| a | b |

> A quote.

```python
print(sorted([3, 1, 2]))
```

```html
<p>shown, not run</p>
```
"""

# Text that must reach the page as literal, visible text (whitespace collapsed),
# by source file: an escape that drops content instead fails here.
VISIBLE = {
    "rss-items.xml": [
        "Python Lists <img src=x onerror=document.documentElement.dataset.pwned=/rss-title/.source> "
        "{download}`passwd </etc/passwd>`",
        "Handlers on a paragraph go, its text stays.",
        "a javascript link, a mixed-case one, a tabbed one, a data link and a web link.",
        "<script>document.documentElement.dataset.pwned=/rss-text-script/.source</script> stays text.",
        "```{raw} html <script>document.documentElement.dataset.pwned=/rss-raw-fence/.source</script> ```",
        "```{eval-rst} .. raw:: html <script>document.documentElement.dataset.pwned=/rss-eval-rst/.source</script> ```",
        "{download}`passwd </etc/passwd>` and {raw}`<b>rss-raw-role</b>`",
        "(rss-label)=",
        '+++ {"tags": ["remove-cell"]}',
        "--- title: rss front matter ---",
        ":::{note} rss colon fence :::",
        "{download}`heading </etc/passwd>` <script>document.documentElement.dataset.pwned=/rss-heading/.source</script>",
        "+++ list item",
        "(rss-list-label)=",
        "<script>document.documentElement.dataset.pwned=/rss-quote/.source</script>",
        "<script>document.documentElement.dataset.pwned=/rss-cell/.source</script> | {download}`cell </etc/passwd>`",
        "``{raw}`` html",
        "{download}`/etc/passwd`",
        # Code, verbatim: the fences inside it close nothing.
        "```{raw} html <script>document.documentElement.dataset.pwned=/rss-code-fence/.source</script> ``` ~~~ +++ --- (code-label)=",
        "<script>document.documentElement.dataset.pwned=/rss-html-code/.source</script> ````",
        "tags: <svg onload=document.documentElement.dataset.pwned=/rss-tag/.source>",
        # Python Paths: links to local files keep their text, not their target.
        "Local files: a relative passwd, an absolute passwd, a file URL, a relative marker and an anchor.",
        "Inline an inline passwd image image.",
    ],
    "atom-entry.atom": [
        "Python Atom <script>document.documentElement.dataset.pwned=/atom-title/.source</script> (atom-title-label)=",
        "by <img src=x onerror=document.documentElement.dataset.pwned=/atom-author/.source>",
        "An xhtml paragraph with a handler.",
        "A relative link against a javascript: base and a relative picture.",
        "<iframe src=\"javascript:document.documentElement.dataset.pwned=/atom-iframe-text/.source\"></iframe> as text.",
        'print("```{raw} html")',
    ],
    "article.html": [
        "Python Pages {download}`passwd </etc/passwd>` "
        "<img src=x onerror=document.documentElement.dataset.pwned=/html-h1/.source>",
        "Source: https://example.com/post) <img src=x onerror=document.documentElement.dataset.pwned=/html-canonical/.source> "
        "{download}`passwd </etc/passwd>` (",
        "by {download}`author </etc/passwd>`",
        "tags: (html-tag-label)=",
        "An image joined to a file base: a base-joined passwd and a link joined to it.",
        "A web link with markup in it.",
        "Details summary",
        "Entities as text: &lt;script&gt; and <b>not bold</b>.",
        "an entity javascript link",
        "{eval-rst}`html-eval-rst-role` and {raw}`html-raw-role`",
        "```{raw} html",
        "<script>document.documentElement.dataset.pwned=/html-raw-p/.source</script>",
        "(html-label)=",
        "{raw} as a language",
        "html = \"</code></pre><script>document.documentElement.dataset.pwned=/html-code/.source</script>\"",
    ],
    "hostile.md": [
        "Python Markdown {download}`passwd </etc/passwd>` "
        "<script>document.documentElement.dataset.pwned=/md-title/.source</script>",
        "by <img src=x onerror=document.documentElement.dataset.pwned=/md-author/.source>",
        "A note with bold text and .",
        "Warning text before a nested fence.",
        "<script>document.documentElement.dataset.pwned=/md-nested-raw/.source</script>",
        "<script>document.documentElement.dataset.pwned=/md-raw/.source</script>",
        ".. raw:: html <script>document.documentElement.dataset.pwned=/md-eval-rst/.source</script>",
        "<script>document.documentElement.dataset.pwned=/md-tilde-raw/.source</script>",
        ":::{raw} html",
        "HTML block text.",
        "Inline HTML and span text.",
        "A [javascript link](javascript:document.documentElement.dataset.pwned=/md-js-link/.source), "
        "a relative passwd, an absolute path, a [file URL](<file:///etc/passwd>), a relative marker and a web link.",
        # In Markdown the backticks are the author's code spans: the role names stay as text before them.
        "Roles in prose: {download}passwd </etc/passwd>, {download}marker <../../secret-marker.txt> and {raw}md-raw-role.",
        "(md-label)=",
        '+++ {"tags": ["remove-cell"]}',
        "% a MyST comment line",
        "{{ substitution }} and $x^2$ math",
        ": definition-looking line",
        "title: md front matter in the body",
        "Heading {download}heading </etc/passwd> document.documentElement.dataset.pwned=/md-heading/.source",
        "`{raw}`",
        "<script>document.documentElement.dataset.pwned=/md-list-fence/.source</script>",
        "fences = \"\"\" ```` ```{raw} html <script>document.documentElement.dataset.pwned=/md-code/.source</script> "
        "``` +++ --- (code-label)= \"\"\" print(len(fences))",
    ],
    "dump.txt": [
        "Python Dumps <script>document.documentElement.dataset.pwned=/txt-title/.source</script> {download}`passwd </etc/passwd>`",
        "(txt-label)=",
        '+++ {"tags": ["remove-cell"]}',
        "{download}`passwd </etc/passwd>` and <img src=x onerror=document.documentElement.dataset.pwned=/txt-img/.source>",
        "```{raw} html",
        "<script>document.documentElement.dataset.pwned=/txt-raw/.source</script>",
    ],
    "xss-download-provenance-link.xml": [
        "Source: https://e.com/x) <img src=x onerror=\"document.title='PWNED-link'\"> "
        "{download}`passwd <../../../../../../../etc/passwd>` (",
    ],
    "passwd-literalinclude-img-src.xml": [
        "A short Python tutorial about lists, with an example you can run.",
    ],
    "xss-markdown-directive.md": [
        "Generators produce values lazily in Python.",
    ],
    "xss-predict-fence.xml": [
        "<img src=x onerror=\"document.title='PWNED-fence'\">",
    ],
}


@dataclass(frozen=True)
class Site:
    root: Path
    html: Path
    pages_by_source: dict[str, list[Path]]
    marker: str
    build_log: str

    def pages(self) -> list[Path]:
        # lite/ is the JupyterLite app (converter/sphinx_course.py), the same pages in every
        # build: the tutorials are only files there (lite/files/, checked for local files below).
        return sorted(
            p for p in self.html.rglob("*.html") if not {"_static", "lite"} & set(p.relative_to(self.html).parts)
        )


def _sources() -> list[Path]:
    # The golden test keeps its expected output beside each input.
    return sorted(p for p in SOURCES.iterdir() if p.is_file() and not p.name.endswith(".expected.md"))


def _build(root: Path, sources: list[Path]) -> Site:
    """Convert and publish into root, with notebook execution off: the build runs no tutorial code."""
    root.mkdir()
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["execute"]["execute_notebooks"] = "off"
    (root / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    marker = f"marker-{secrets.token_hex(8)}"
    (root / MARKER_FILE).write_text(marker + "\n", encoding="utf-8")
    report = convert(sources, layout=Layout(root))
    assert not report.failures, report.failures
    result = publish(root, strict=True)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    html = root / "_build" / "html"
    pages: dict[str, list[Path]] = {}
    for notebook in sorted((root / "book").rglob("*.md")):
        source = front_matter(notebook).get("course", {}).get("source", {}).get("file")
        if source:
            page = html / notebook.relative_to(root).with_suffix(".html")
            pages.setdefault(Path(source).name, []).append(page)
    return Site(root, html, pages, marker, log)


@pytest.fixture(scope="module")
def control(tmp_path_factory: pytest.TempPathFactory) -> Site:
    folder = tmp_path_factory.mktemp("control")
    source = folder / "control.md"
    source.write_text(CONTROL, encoding="utf-8")
    return _build(folder / "project", [source])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return _build(tmp_path_factory.mktemp("hostile") / "project", _sources())


# ------------------------------------------------------------------ markup


_ACTIVE_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "link",
    "meta", "form", "svg", "math", "template", "portal", "noscript",
}
_NOT_WEB = re.compile(r"^(?:javascript|vbscript|data|file):", re.I)


def _url(value: str) -> str:
    """A site-relative URL, the same on every page whatever its folder depth."""
    return re.sub(r"^(?:\.\./)+", "", value)


def _active(page: Path, html_root: Path) -> set[tuple]:
    """What on a page can run code or load something: scripts, handlers, non-web URLs, active elements."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    pagename = page.relative_to(html_root).with_suffix("").as_posix()
    found: set[tuple] = set()
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                found.add(("handler", tag.name, name, value))
            # Browsers drop whitespace and controls before the scheme ("java\tscript:").
            if _NOT_WEB.match(re.sub(r"[\x00-\x20]", "", value)):
                found.add(("url", tag.name, name, value))
        if tag.name in _ACTIVE_TAGS:
            found.add(_signature(tag, pagename))
    return found


def _signature(tag: Tag, pagename: str) -> tuple:
    rel = tuple(tag.get("rel") or ())
    if tag.name == "link" and rel in (("next",), ("prev",)):
        return ("link", rel)  # neighbour pages: their titles and addresses differ by page
    attrs = tuple(sorted(
        (name, _url(" ".join(v) if isinstance(v, list) else str(v)))
        for name, v in tag.attrs.items() if name != "title"
    ))
    text = tag.get_text() if tag.name in ("script", "style") else ""
    # The one page-specific inline script: DOCUMENTATION_OPTIONS.pagename = '<this page>'.
    text = " ".join(text.replace(f"'{pagename}'", "'<page>'").split())
    return (tag.name, attrs, text)


def test_control_pages_hold_the_theme_scripts(control: Site) -> None:
    # Else the comparison below would prove nothing.
    allowed = set().union(*(_active(p, control.html) for p in control.pages()))
    scripts = [s for s in allowed if s[0] == "script"]
    assert any(dict(s[1]).get("src", "").startswith("_static/") for s in scripts)
    assert any(s[2] for s in scripts)  # inline ones too


def test_no_active_markup_beyond_the_theme(control: Site, hostile: Site) -> None:
    allowed = set().union(*(_active(p, control.html) for p in control.pages()))
    extra = {
        page.relative_to(hostile.html).as_posix(): sorted(_active(page, hostile.html) - allowed)
        for page in hostile.pages()
    }
    assert {page: found for page, found in extra.items() if found} == {}


def test_the_markup_check_sees_what_a_payload_would_add(control: Site, tmp_path: Path) -> None:
    allowed = set().union(*(_active(p, control.html) for p in control.pages()))
    page = next(p for p in control.pages() if "control" in p.name)
    text = page.read_text(encoding="utf-8").replace(
        "<p>A clean tutorial", '<img src="x" onerror="pwn()"><a href=" javascript:pwn()">a</a>'
        "<script>pwn()</script><p>A clean tutorial", 1,
    )
    copy = tmp_path / page.relative_to(control.html)  # same page name, outside the site
    copy.parent.mkdir(parents=True)
    copy.write_text(text, encoding="utf-8")
    assert _active(copy, tmp_path) - allowed == {
        ("handler", "img", "onerror", "pwn()"),
        ("url", "a", "href", " javascript:pwn()"),
        ("script", (), "pwn()"),
    }


def test_next_and_previous_links_stay_inside_the_site(hostile: Site) -> None:
    for page in hostile.pages():
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for link in soup.find_all("link", rel=["next", "prev"]):
            assert re.fullmatch(r"(?:\.\./)*[\w/-]+\.html", link["href"]), (page, link)


def test_the_build_executed_nothing(hostile: Site) -> None:
    assert "Executing" not in hostile.build_log
    for page in hostile.pages():
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.select(".cell_output") == [], page


# ----------------------------------------------------------- local files


def test_no_local_file_reaches_the_site(hostile: Site) -> None:
    downloads = hostile.html / "_downloads"
    assert not downloads.exists() or not any(downloads.rglob("*")), sorted(downloads.rglob("*"))
    for path in hostile.html.rglob("*"):
        if path.is_file():
            assert path.name not in ("passwd", MARKER_FILE), path
            data = path.read_bytes()
            assert not PASSWD_LINE.search(data), path
            assert hostile.marker.encode() not in data, path


def test_the_marker_would_be_found(hostile: Site) -> None:
    # The marker file exists beside the book, where the corpus points.
    assert (hostile.root / MARKER_FILE).read_text(encoding="utf-8").strip() == hostile.marker


# ------------------------------------------------------------- literal text


# Sphinx's smartquotes set prose in typographer's quotes and dashes: the same
# text, not markup. Code is left alone.
_TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "—": "---", "–": "--", "…": "..."})


def _visible(page: Path) -> str:
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article")
    assert article is not None, page
    for hidden in article.find_all(["script", "style"]):
        hidden.decompose()
    return " ".join(article.get_text().translate(_TYPOGRAPHY).split())


@pytest.mark.parametrize("source", sorted(VISIBLE))
def test_payloads_stay_visible_as_text(hostile: Site, source: str) -> None:
    pages = hostile.pages_by_source.get(source)
    assert pages, f"no page from {source}"
    text = "\n".join(_visible(page) for page in pages)
    missing = [snippet for snippet in VISIBLE[source] if " ".join(snippet.split()) not in text]
    assert missing == []


def test_every_source_is_in_the_corpus_check() -> None:
    assert sorted(p.name for p in _sources()) == sorted(VISIBLE)


# ---------------------------------------------------------------- browser


CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")


def _dump_dom(url: str, profile: Path) -> str:
    """The page's DOM after its scripts ran, from headless Chromium (no network, fresh profile)."""
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--virtual-time-budget=3000", "--dump-dom", url,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0 and "<html" in result.stdout, result.stderr[-2000:]
    return result.stdout


def _pwned(dom: str) -> list[str]:
    """Signs that a payload ran: data-pwned on <html>, or a title set to PWNED..."""
    soup = BeautifulSoup(dom, "html.parser")
    signs = []
    if soup.html is not None and soup.html.has_attr("data-pwned"):
        signs.append(f"data-pwned={soup.html['data-pwned']}")
    title = soup.title.get_text() if soup.title else ""
    if title.startswith("PWNED"):
        signs.append(f"title={title}")
    return signs


@needs_chromium
def test_the_browser_check_sees_a_payload_that_runs(tmp_path: Path) -> None:
    page = tmp_path / "positive.html"
    page.write_text(
        "<html><head><title>t</title></head><body><img src=x onerror=\"document.title='PWNED-x'\">"
        "<script>document.documentElement.dataset.pwned=/positive/.source</script></body></html>"
    )
    assert _pwned(_dump_dom(page.as_uri(), tmp_path / "profile")) == ["data-pwned=positive", "title=PWNED-x"]


@needs_chromium
def test_no_payload_runs_in_the_browser(hostile: Site, tmp_path: Path) -> None:
    urls = [page.as_uri() for page in hostile.pages()]
    # Search results put page titles into the page with the theme's JavaScript.
    urls.append((hostile.html / "search.html").as_uri() + "?q=python")
    with ThreadPoolExecutor(max_workers=2) as pool:
        doms = list(pool.map(lambda n_url: _dump_dom(n_url[1], tmp_path / f"profile-{n_url[0]}"), enumerate(urls)))
    ran = {url: _pwned(dom) for url, dom in zip(urls, doms)}
    assert {url: signs for url, signs in ran.items() if signs} == {}
