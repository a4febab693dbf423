"""Render the corpus's HTML pages as the plain-text dumps people really paste.

Each layout imitates one way a page becomes text: a browser's "select all +
copy" (page chrome included), `lynx -dump` (3-space margin, wrapped lines,
numbered links and a References list), `w3m -dump`, Firefox's reader view,
`pandoc -t plain`, html2text's Markdown, a copy whose code keeps its
line-number gutter or its "Copy" buttons, a notebook's In/Out prompts, a
table copied cell by cell, a newsletter's plain-text e-mail, and the
tag-page dump the seed source is (bullet titles, code opened by a
whitespace-only line). The dumps are rendered from the HTML so that they
stay in sync with the HTML cases and their expected outputs.

    python tests/corpus/readers/render_dumps.py        # rewrite dumps/
    python tests/corpus/readers/render_dumps.py --check

`tests/test_reader_corpus.py` checks that the committed dumps are this
script's output.
"""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from bs4 import BeautifulSoup, NavigableString, Tag

HERE = Path(__file__).parent
INPUTS = HERE / "inputs"
DUMPS = HERE / "dumps"

# --- the page as a browser shows it -------------------------------------------------------------

# Where each page's article is and what the page around it says (the "browser" knows the page;
# the reader under test does not).
ARTICLE = {
    "wordpress-syntaxhighlighter": "article .entry-content",
    "ghost-casper": "section.gh-content",
    "hugo-chroma": "div.post-content",
    "jekyll-rouge": "div.post-content",
    "medium": "section",
    "devto": "#article-body",
    "hashnode": "#post-content-wrapper",
    "substack": "div.available-content",
    "blogger": "div.post-body",
    "docusaurus": "div.theme-doc-markdown",
    "mkdocs-material": "article.md-content__inner",
    "gatsby-prism": "section[itemprop=articleBody]",
    "sphinx-docs": "div.body",
    "nbconvert-lab": "main",
    "gobyexample": "div.example",
    "wordpress-enlighter": "div.entry-content",
}
_SKIP = {"script", "style", "svg", "noscript", "input", "form", "iframe", "template", "head", "title"}
_ANCHORS = {"headerlink", "anchor", "hash-link", "anchor-link", "header-anchor-parent"}
_GUTTER = {"lnt", "ln", "linenos", "lineno", "gutter"}
_BLOCKS = {"p", "pre", "ul", "ol", "table", "blockquote", "div", "section", "article", "figure", "header",
           "footer", "nav", "aside", "main", "details", "h1", "h2", "h3", "h4", "h5", "h6", "dl", "li", "tr", "td"}


@dataclass
class Item:
    """One thing on the page: a heading, paragraph, list, code block, prompt or button."""

    kind: str
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    ordered: bool = False
    links: list[str] = field(default_factory=list)
    """Link targets of a paragraph, in order (lynx numbers them)."""
    language: str = ""
    caption: str = ""


def _classes(tag: Tag) -> set[str]:
    return set(tag.get("class") or ())


def _inline(tag: Tag, links: list[str], style: str) -> str:
    """Inline text; `style` says how a link shows: "" (its text), "lynx" ([n]text), "markdown"."""
    out: list[str] = []
    for node in tag.children:
        if isinstance(node, NavigableString):
            if node.__class__.__name__ in ("Comment", "Doctype"):
                continue
            out.append(str(node))
        elif isinstance(node, Tag):
            if node.name in _SKIP or node.name == "button" or _is_anchor(node):
                continue
            if node.name == "br":
                out.append("\n")
            elif node.name == "a" and node.get("href") and node.get_text(strip=True):
                links.append(node["href"])
                inner = _inline(node, links, style)
                out.append(f"[{len(links)}]{inner}" if style == "lynx" else
                           f"[{inner}]({node['href']})" if style == "markdown" else inner)
            elif node.name == "code" and style == "markdown":
                out.append(f"`{node.get_text()}`")
            else:
                out.append(_inline(node, links, style))
    return "".join(out)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _code(pre: Tag) -> str:
    pre = BeautifulSoup(str(pre), "html.parser").pre
    for br in pre.find_all("br"):
        br.replace_with("\n")
    for tag in pre.find_all(True):
        if _classes(tag) & _GUTTER:
            tag.decompose()
    return pre.get_text().strip("\n").replace("\u200b", "")


def _language(node: Tag) -> str:
    for tag in [node, *node.parents][:4]:
        classes = _classes(tag) | set((tag.find("code") or tag).get("class") or ())
        for cls in classes:
            for prefix in ("language-", "lang-", "highlight-"):
                if cls.startswith(prefix):
                    return cls[len(prefix):]
        if tag.name == "pre" and "highlight" in classes and len(classes) == 2:  # dev.to: "highlight ruby"
            return (classes - {"highlight"}).pop()
    return ""


def page_items(root: Tag, style: str = "") -> list[Item]:
    """The blocks of `root` in reading order."""
    items: list[Item] = []
    _walk(root, items, style)
    return items


def _is_anchor(tag: Tag) -> bool:
    """A heading's permalink ("¶", "#"): not text a reader sees as content."""
    return tag.name == "a" and bool(_classes(tag) & _ANCHORS) or bool(_classes(tag) & {"header-anchor-parent"})


def _walk(tag: Tag, items: list[Item], style: str) -> None:
    if tag.name == "svg" and tag.find("title"):  # an icon's tooltip: copied by some browsers
        items.append(Item("icon", _collapse(tag.find("title").get_text())))
        return
    if tag.name in _SKIP or _is_anchor(tag):
        return
    classes = _classes(tag)
    if tag.name == "pre":
        items.append(Item("code", _code(tag), language=_language(tag)))
    elif tag.name == "table" and tag.find("td", class_="lntd"):
        items.append(Item("code", _code(tag.find_all("pre")[-1]), language=_language(tag.find_all("pre")[-1])))
    elif tag.name in ("h1", "h2", "h3", "h4", "h5", "h6"):
        links: list[str] = []
        items.append(Item("heading", _collapse(_inline(tag, links, "")), level=int(tag.name[1])))
    elif tag.name == "button":
        items.append(Item("button", _collapse(tag.get_text()) or tag.get("title", "")))
    elif classes & {"jp-InputPrompt", "jp-OutputPrompt"}:
        if text := _collapse(tag.get_text().replace("\xa0", " ")):
            items.append(Item("prompt", text))
    elif classes & {"filename", "codeBlockTitle_Ktv7", "admonition-title"}:
        items.append(Item("caption", _collapse(tag.get_text())))
    elif tag.name in ("ul", "ol"):
        lis = [li for li in tag.find_all("li", recursive=False)]
        items.append(Item("list", items=[_collapse(_inline(li, [], style)) for li in lis], ordered=tag.name == "ol"))
    elif not any(isinstance(c, Tag) and c.name in _BLOCKS for c in tag.children):
        items.extend(Item("icon", _collapse(svg.title.get_text())) for svg in tag.find_all("svg") if svg.title)
        links = []
        for part in _inline(tag, links, style).split("\n\n"):
            if text := _collapse(part):
                items.append(Item("para", text, links=links))
    else:
        # A container: loose text between its blocks (Blogger's <br>-separated posts) is prose too.
        loose: list = []
        for child in list(tag.children) + [None]:
            if child is None or (isinstance(child, Tag) and (child.name in _BLOCKS or child.name == "button")):
                holder = BeautifulSoup("<div></div>", "html.parser").div
                for node in loose:
                    holder.append(node.__copy__() if isinstance(node, Tag) else NavigableString(str(node)))
                links = []
                for part in _inline(holder, links, style).split("\n\n"):
                    if text := _collapse(part):
                        items.append(Item("para", text, links=links))
                loose = []
                if child is not None:
                    _walk(child, items, style)
            else:
                loose.append(child)


@dataclass(frozen=True)
class Page:
    title: str
    items: list[Item]
    before: list[str]
    """Chrome above the article (navigation, site name, byline), as lines."""
    after: list[str]
    """Chrome below it (share buttons, comments, footer)."""
    url: str


def _chrome_lines(nodes: list[Tag]) -> list[str]:
    lines: list[str] = []
    for node in nodes:
        for item in page_items(node):
            lines.extend(item.items if item.kind == "list" else [item.text])
    return [l for l in lines if l]


def load_page(name: str, style: str = "") -> Page:
    soup = BeautifulSoup((INPUTS / f"{name}.html").read_text(encoding="utf-8"), "lxml")
    article = soup.select_one(ARTICLE[name])
    items = page_items(article, style)
    outside = soup.select_one(".post-title, .entry-title") or soup.find("h1")
    heading = next((i for i in items if i.kind == "heading" and (i.level == 1 or outside is None)), None)
    if heading is not None:
        items.remove(heading)
        title = heading.text
    else:
        # The title sits above the article region (Blogger's h3.post-title, a site's h1 logo aside).
        title = _collapse(outside.get_text())
    # Chrome: the page's text outside the article, split at the article.
    body = soup.body
    marker = "\x00ARTICLE\x00"
    article.replace_with(NavigableString(marker))
    flat = [line for item in page_items(body) for line in (item.items if item.kind == "list" else [item.text])]
    cut = next((i for i, line in enumerate(flat) if marker in line), len(flat))
    before = [l.replace(marker, "").strip() for l in flat[:cut]]
    after = [l.replace(marker, "").strip() for l in flat[cut + 1 :]]
    link = soup.find("link", rel="canonical")
    url = link["href"] if link else f"https://example.org/{name}/"
    return Page(title, items, [l for l in before if l and l != title], [l for l in after if l], url)


# --- layouts ------------------------------------------------------------------------------------


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False) or [indent]


def _indented(code: str, indent: str) -> list[str]:
    return [indent + line if line.strip() else "" for line in code.split("\n")]


def seed_article(page: Page) -> list[str]:
    """The seed source's layout: "  • Title", body at 4 spaces, code between whitespace-only lines."""
    out = [f"  • {page.title}", ""]
    for item in page.items:
        if item.kind == "heading":
            out += [f"    {item.text}", ""]
        elif item.kind == "para":
            out += [f"    {item.text}", ""]
        elif item.kind == "list":
            out += [f"    • {text}" for text in item.items] + [""]
        elif item.kind == "code":
            out += ["    "] + [f"    {line}" for line in item.text.split("\n")] + ["                ", ""]
    return out


def tag_page(pages: list[Page]) -> str:
    lines = ["Tag: programming", ""]
    for page in pages:
        lines += seed_article(page)
    return "\n".join(lines)


def select_all(page: Page, *, buttons: bool = True, prompts: bool = True, icons: bool = False) -> str:
    """Ctrl+A, Ctrl+C in a browser: chrome, then blocks one per line, code verbatim; with `icons`,
    the tooltips of icons too (dev.to's code boxes give "Enter fullscreen mode Exit fullscreen mode")."""
    out = list(page.before) + ["", page.title, ""]
    for item in page.items:
        if item.kind in ("heading", "para", "caption") or (item.kind == "prompt" and prompts):
            out += [item.text, ""]
        elif item.kind == "icon" and icons:
            out += [item.text, ""]
        elif item.kind == "button" and buttons:
            out += [item.text, ""]
        elif item.kind == "list":
            out += [*item.items, ""]
        elif item.kind == "code":
            out += [*item.text.split("\n"), ""]
    out += page.after
    return "\n".join(out)


def lynx(page: Page) -> str:
    """`lynx -dump`: 3-space margin, 76 columns, [n] before links, References at the end."""
    out = [f"   {page.url}", "", page.title, ""]
    links: list[str] = []
    for item in page.items:
        if item.kind == "heading":
            out += [item.text, ""]
        elif item.kind == "para":
            links += item.links
            out += _wrap(item.text, 76, "   ") + [""]
        elif item.kind == "list":
            for text in item.items:
                wrapped = _wrap(text, 70)
                out += ["     * " + wrapped[0]] + ["       " + w for w in wrapped[1:]]
            out.append("")
        elif item.kind == "code":
            out += _indented(item.text.expandtabs(8), "") + [""]
    if links:  # lynx lists absolute addresses
        out += ["References", ""] + [f"  {n:>2}. {urljoin(page.url, href)}" for n, href in enumerate(links, 1)]
    return "\n".join(out)


def w3m(page: Page) -> str:
    """`w3m -dump`: no margin, 80 columns, bullets "  • ", code verbatim."""
    out = [page.title, ""]
    for item in page.items:
        if item.kind == "heading":
            out += [item.text, ""]
        elif item.kind == "para":
            out += _wrap(item.text, 80) + [""]
        elif item.kind == "list":
            out += [f"  • {text}" for text in item.items] + [""]
        elif item.kind == "code":
            out += item.text.split("\n") + [""]
    return "\n".join(out)


def reader_mode(page: Page) -> str:
    """Firefox reader view, copied: site, title, reading time, then the article."""
    site = page.url.split("/")[2]
    out = [site, page.title, "5–6 minutes", ""]
    for item in page.items:
        if item.kind in ("heading", "para"):
            out += [item.text, ""]
        elif item.kind == "list":
            out += [f"    {text}" for text in item.items] + [""]
        elif item.kind == "code":
            out += item.text.split("\n") + [""]
    return "\n".join(out)


def line_numbers(page: Page) -> str:
    """A copy that takes the code's line-number gutter along: "1  code" on every line."""
    out = [page.title, ""]
    for item in page.items:
        if item.kind in ("heading", "para", "caption"):
            out += [item.text, ""]
        elif item.kind == "list":
            out += [f"• {text}" for text in item.items] + [""]
        elif item.kind == "code":
            lines = item.text.split("\n")
            width = len(str(len(lines)))
            out += [f"{n:>{width}}  {line}".rstrip() for n, line in enumerate(lines, 1)] + [""]
    return "\n".join(out)


def copy_buttons(page: Page) -> str:
    """Code boxes with a header bar: the language's name and "Copy code" above each block."""
    out = [page.title, ""]
    for item in page.items:
        if item.kind in ("heading", "para"):
            out += [item.text, ""]
        elif item.kind == "list":
            out += [f"- {text}" for text in item.items] + [""]
        elif item.kind == "code":
            out += [item.language or "code", "Copy code", *item.text.split("\n"), ""]
    return "\n".join(out)


def pandoc_plain(page: Page) -> str:
    """`pandoc -t plain`: 72 columns, code indented by 4, lists "-   ", no markup."""
    out = [page.title, "", ""]
    for item in page.items:
        if item.kind == "heading":
            out += [item.text, "", ""]
        elif item.kind in ("para", "caption"):
            out += _wrap(item.text, 72) + [""]
        elif item.kind == "list":
            for text in item.items:
                wrapped = _wrap(text, 68)
                out += ["-   " + wrapped[0]] + ["    " + w for w in wrapped[1:]]
            out.append("")
        elif item.kind == "code":
            out += _indented(item.text, "    ") + [""]
    return "\n".join(out)


def html2text(page: Page) -> str:
    """html2text's Markdown: `#` headings, code indented by 4, links as [text](url)."""
    out = [f"# {page.title}", ""]
    for item in page.items:
        if item.kind == "heading":
            out += ["#" * item.level + " " + item.text, ""]
        elif item.kind == "para":
            out += _wrap(item.text, 78) + [""]
        elif item.kind == "list":
            out += [f"  * {text}" for text in item.items] + [""]
        elif item.kind == "code":
            out += _indented(item.text, "    ") + [""]
    return "\n".join(out)


def windows_nbsp(page: Page) -> str:
    """A copy on Windows from a page that indents code with &nbsp;: CRLF, U+00A0 indentation."""
    out = [page.title, ""]
    for item in page.items:
        if item.kind in ("heading", "para"):
            out += [item.text, ""]
        elif item.kind == "list":
            out += [f"• {text}" for text in item.items] + [""]
        elif item.kind == "code":
            for line in item.text.split("\n"):
                stripped = line.lstrip(" ")
                out.append("\xa0" * (len(line) - len(stripped)) + stripped)
            out.append("")
    return "\r\n".join(out)


def newsletter(page: Page) -> str:
    """A newsletter's plain-text e-mail: web link on top, 78 columns, code indented, footer."""
    out = [f"View this post on the web at {page.url}", "", page.title, ""]
    for item in page.items:
        if item.kind == "heading":
            out += [item.text, ""]
        elif item.kind == "para":
            out += _wrap(item.text, 78) + [""]
        elif item.kind == "list":
            out += [f"* {text}" for text in item.items] + [""]
        elif item.kind == "code":
            out += _indented(item.text, "    ") + [""]
    out += ["Unsubscribe https://example.org/action/disable_email"]
    return "\n".join(out)


def docs_print(page: Page) -> str:
    """A Sphinx page copied as shown: "¶" after headings, admonition titles on their own line."""
    out = [f"{page.title}¶", ""]
    for item in page.items:
        if item.kind == "heading":
            out += [f"{item.text}¶", ""]
        elif item.kind in ("para", "caption"):
            out += [item.text, ""]
        elif item.kind == "list":
            out += [f"    • {text}" for text in item.items] + [""]
        elif item.kind == "code":
            out += item.text.split("\n") + [""]
    return "\n".join(out)


def double_spaced(page: Page) -> str:
    """Code pasted from a page that breaks its lines with <br>: every line its own paragraph."""
    out = [page.title, ""]
    for item in page.items:
        if item.kind in ("heading", "para"):
            out += [item.text, ""]
        elif item.kind == "list":
            out += [f"• {text}" for text in item.items] + [""]
        elif item.kind == "code":
            out += [line for code_line in item.text.split("\n") for line in (code_line, "")]
    return "\n".join(out)


def table_copy(page: Page) -> str:
    """A two-column page copied from the browser: each row's prose, then its code below it."""
    out = [page.title, ""]
    for item in page.items:
        if item.kind == "para":
            out += [item.text]
        elif item.kind == "code":
            out += item.text.split("\n") + [""]
    return "\n".join(out)


@dataclass(frozen=True)
class Dump:
    """One dump: its file name, the HTML cases it is made of, how they are laid out."""

    name: str
    cases: tuple[str, ...]
    render: Callable[..., str]
    style: str = ""
    """Link style of the inline text ("lynx", "markdown")."""


DUMP_LAYOUTS: tuple[Dump, ...] = (
    Dump("tag-page-three-articles.txt", ("wordpress-syntaxhighlighter", "jekyll-rouge", "devto"),
         lambda pages: tag_page(pages)),
    Dump("seed-layout-hugo.txt", ("hugo-chroma",), lambda pages: tag_page(pages)),
    Dump("select-all-ghost.txt", ("ghost-casper",), lambda pages: select_all(pages[0])),
    Dump("select-all-copy-buttons-hashnode.txt", ("hashnode",), lambda pages: select_all(pages[0])),
    Dump("lynx-docusaurus.txt", ("docusaurus",), lambda pages: lynx(pages[0]), "lynx"),
    Dump("lynx-medium.txt", ("medium",), lambda pages: lynx(pages[0]), "lynx"),
    Dump("w3m-gatsby.txt", ("gatsby-prism",), lambda pages: w3m(pages[0])),
    Dump("w3m-blogger.txt", ("blogger",), lambda pages: w3m(pages[0])),
    Dump("reader-mode-ghost.txt", ("ghost-casper",), lambda pages: reader_mode(pages[0])),
    Dump("line-numbers-mkdocs.txt", ("mkdocs-material",), lambda pages: line_numbers(pages[0])),
    Dump("copy-code-header-devto.txt", ("devto",), lambda pages: copy_buttons(pages[0])),
    Dump("prompts-nbconvert.txt", ("nbconvert-lab",), lambda pages: select_all(pages[0])),
    Dump("pandoc-plain-sphinx.txt", ("sphinx-docs",), lambda pages: pandoc_plain(pages[0])),
    Dump("html2text-jekyll.txt", ("jekyll-rouge",), lambda pages: html2text(pages[0]), "markdown"),
    Dump("windows-nbsp-wordpress.txt", ("wordpress-syntaxhighlighter",), lambda pages: windows_nbsp(pages[0])),
    Dump("newsletter-substack.txt", ("substack",), lambda pages: newsletter(pages[0])),
    Dump("docs-print-sphinx.txt", ("sphinx-docs",), lambda pages: docs_print(pages[0])),
    Dump("table-copy-gobyexample.txt", ("gobyexample",), lambda pages: table_copy(pages[0])),
    # Added after the rules above were written, to see how they hold on layouts not seen before.
    Dump("select-all-fullscreen-devto.txt", ("devto",), lambda pages: select_all(pages[0], icons=True)),
    Dump("double-spaced-medium.txt", ("medium",), lambda pages: double_spaced(pages[0])),
    Dump("reader-mode-enlighter.txt", ("wordpress-enlighter",), lambda pages: reader_mode(pages[0])),
)


def render(dump: Dump) -> str:
    text = dump.render([load_page(case, dump.style) for case in dump.cases])
    newline = "\r\n" if "\r\n" in text else "\n"
    return text.rstrip() + newline


def main(argv: list[str]) -> int:
    DUMPS.mkdir(exist_ok=True)
    stale = []
    for dump in DUMP_LAYOUTS:
        path = DUMPS / dump.name
        text = render(dump)
        if "--check" in argv:
            if not path.exists() or path.read_bytes() != text.encode("utf-8"):
                stale.append(dump.name)
        else:
            path.write_bytes(text.encode("utf-8"))
    for name in stale:
        print(f"stale: {name}; run: python tests/corpus/readers/render_dumps.py")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
