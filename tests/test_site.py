"""The published course site, as a learner's browser sees it.

Opens the project's own `_build/html` (CI runs `make book` before `make test`) in
Debian's headless Chromium driven by Playwright, served by a local http.server
(JupyterLite needs http, not file://). Nothing here goes online: Binder and Colab
links are checked for their form and their targets, never fetched.
"""

from __future__ import annotations

import functools
import re
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHROMIUM = shutil.which("chromium")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (sudo apt-get install chromium)")

# As the machine's own probe starts it: no background connections to a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").exists() or not (SITE / "_learner").is_dir():
        pytest.fail(f"no built course site in {SITE}: run `make book` first (CI's .ci/run does, before `make test`)")
    return SITE


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def tutorial(site: Path) -> str:
    """A tutorial page with all the test looks at: a folded solution, a "not run" note, highlighted code."""
    for path in sorted((site / "book").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if 'class="solution dropdown' in text and "Not run here" in text and 'class="highlight' in text:
            return path.relative_to(site).as_posix()
    pytest.fail("no page of the site has a solution, a 'Not run here' note and highlighted code")


def _errors(page) -> list[str]:
    """Console errors and uncaught exceptions, collected from now on."""
    errors: list[str] = []

    def on_console(message) -> None:
        # Chromium asks every site for /favicon.ico; the course declares none, and a
        # missing favicon is the test server's 404, not the page's error.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    return errors


def _status(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status


# ------------------------------------------------------------------ pages


@pytest.mark.parametrize("which", ["tutorial", "index.html", "search.html?q=python"])
def test_a_page_logs_no_console_error(page, server: str, tutorial: str, which: str) -> None:
    errors = _errors(page)
    page.goto(urljoin(server, tutorial if which == "tutorial" else which), wait_until="load")
    page.wait_for_timeout(1000)  # deferred and async scripts (the theme's, sphinx-thebe's) run after load
    assert errors == []


def test_a_solution_is_folded_and_opens_on_click(page, server: str, tutorial: str) -> None:
    page.goto(urljoin(server, tutorial))
    solution = page.locator("div.solution.dropdown").first
    content = solution.locator("section#solution-content")
    solution.locator(".toggle-button").wait_for()  # sphinx-togglebutton has folded it
    assert content.is_hidden()
    solution.locator("p.admonition-title").click()
    content.wait_for(state="visible")


def test_a_not_run_note_is_visible(page, server: str, tutorial: str) -> None:
    page.goto(urljoin(server, tutorial))
    note = page.locator("article em", has_text="Not run here:").first
    assert note.is_visible()
    assert len(note.inner_text()) > len("Not run here: ")  # with its reason


def test_code_is_highlighted(page, server: str, tutorial: str) -> None:
    page.goto(urljoin(server, tutorial))
    tokens = page.locator("article div.highlight pre span[class]")
    assert tokens.count() > 10
    # Pygments' classes carry the style's colours: a keyword is not set like plain text.
    colours = page.eval_on_selector_all(
        "article div.highlight pre span.k, article div.highlight pre span.kn",
        "spans => spans.map(s => getComputedStyle(s).color)",
    )
    plain = page.eval_on_selector("article div.highlight pre", "pre => getComputedStyle(pre).color")
    assert colours and any(colour != plain for colour in colours)


def test_search_finds_a_tutorial(page, server: str, tutorial: str) -> None:
    page.goto(urljoin(server, tutorial))
    title = page.locator("article h1").first.inner_text()
    word = max(re.findall(r"[A-Za-z]{5,}", title), key=len)
    page.goto(urljoin(server, f"search.html?q={word}"))
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for()
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any(href.split("#")[0].endswith(tutorial) for href in hrefs), (word, hrefs)


# ---------------------------------------------------------- downloads and launches


def _menu(page, label: str) -> dict[str, str]:
    """The theme's dropdown `label` (download-buttons, launch-buttons): entry text -> href."""
    links = page.locator(f".dropdown-{label} a.dropdown-item")
    return {links.nth(i).inner_text().strip(): links.nth(i).get_attribute("href") for i in range(links.count())}


def test_downloads_resolve(page, server: str, site: Path, tutorial: str) -> None:
    url = urljoin(server, tutorial)
    page.goto(url)
    downloads = _menu(page, "download-buttons")
    slug = Path(tutorial).stem
    learner, source = downloads.get("Learner notebook (.ipynb)"), downloads.get(".md")
    assert learner and source, downloads
    assert urljoin(url, learner) == urljoin(server, f"_learner/{slug}.ipynb")
    assert urljoin(url, source) == urljoin(server, f"_sources/{Path(tutorial).with_suffix('.md').as_posix()}")
    for href in (learner, source):
        assert _status(urljoin(url, href)) == 200
    nbformat.validate(nbformat.read(site / "_learner" / f"{slug}.ipynb", as_version=4))


def test_launch_links_resolve(page, server: str, tutorial: str) -> None:
    url = urljoin(server, tutorial)
    page.goto(url)
    launches = _menu(page, "launch-buttons")
    slug = Path(tutorial).stem
    lite = urljoin(url, launches["JupyterLite"])
    assert lite == urljoin(server, f"lite/notebooks/index.html?path={slug}.ipynb")
    assert _status(lite) == 200
    assert _status(urljoin(server, f"lite/files/{slug}.ipynb")) == 200  # the notebook the link opens
    repository = (yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8")).get("repository") or {}).get("url")
    if not repository:
        assert set(launches) == {"JupyterLite"}, "Binder/Colab buttons although _config.yml names no repository"
        return
    # Named: their form and their targets (tests/test_launch_buttons.py builds a book with one).
    binder, colab = urlsplit(launches["Binder"]), urlsplit(launches["Colab"])
    page_md = re.sub(r"^(lab/)?tree/", "", parse_qs(binder.query)["urlpath"][0])
    assert (ROOT / page_md).is_file(), page_md
    assert colab.path.endswith(f"/_learner/{slug}.ipynb")


def test_jupyterlite_opens_the_learner_notebook(page, server: str, tutorial: str) -> None:
    url = urljoin(server, tutorial)
    page.goto(url)
    lite = urljoin(url, _menu(page, "launch-buttons")["JupyterLite"])
    page.goto(lite)
    # The Notebook's shell, then the notebook itself, its title cell rendered: the UI is
    # served by the site (Pyodide, the kernel, would come from a CDN: not needed here).
    page.locator("#main").wait_for(timeout=60_000)
    page.locator(".jp-Notebook .jp-Cell h1").first.wait_for(timeout=60_000)
    assert page.locator("#jp-title").inner_text().strip() == Path(tutorial).stem
