"""Standalone article pages -> one Document.

A saved blog page is mostly chrome: navigation, sidebars, share buttons,
related posts, comment threads, cookie banners. We pick the element that
holds the article (semantic markup first, else the densest paragraph text),
strip the chrome left inside it, and read metadata from the page's <meta>.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from converter.document import Document, Meta
from converter.errors import SourceError
from converter.readers.html_blocks import (
    PRE_CODE, all_named, blocks_from_html, drop_title_heading, first_named, is_anchor, iso_date,
    keep_embed_fallbacks, parent_named, parse_html,
)

_NOT_SHOWN = frozenset({"script", "style", "noscript", "template"})
_PARAGRAPHS = frozenset({"p", "pre"})
_SECTION_HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})

# Most specific first: a body container beats the <article> that also holds
# the byline, share bar and comments.
_CONTENT_SELECTORS = (
    "[itemprop=articleBody]",
    "#article-body",
    ".entry-content",
    ".post-content",
    ".article-body",
    ".article-content",
    ".post-body",
    ".post__content",
    ".story-body",
    ".markdown-body",
    ".crayons-article__body",
    "article",
    "[role=main]",
    "main",
)
# No "form": ASP.NET pages wrap the whole page in one.
_CHROME_TAGS = ("nav", "aside", "footer", "header")
# Matched against whole class/id words ("post-comments", "sidebar-left").
_CHROME = re.compile(
    r"(?:^|[-_])(?:comments?|respond|disqus|sidebar|widgets?|share|sharing|social|"
    r"related|recommended|cookies?|consent|gdpr|newsletter|subscribe|signup|promo|"
    r"advert|ads?|sponsor(?:ed)?|banner|popup|modal|breadcrumbs?|pagination|pager|"
    r"navbar|menu|toc|author-bio|byline|post-meta|entry-meta|entry-footer|footer|"
    r"skip-link|screen-reader-text|sr-only|visually-hidden)(?:$|[-_])",
    re.I,
)
_LAYOUT = re.compile(r"content|main|wrap|layout|container|body", re.I)
_COMMENTS = re.compile(r"(?:^|[-_])(?:comments?|respond|disqus)(?:$|[-_])", re.I)
_TITLE_SUFFIX = re.compile(r"\s+[|·•»–—]\s+[^|·•»–—]*$")
_MIN_TEXT = 80


def read(text: str, *, source: str) -> list[Document]:
    """The page's article as one Document; SourceError if there is none."""
    if not text.strip():
        raise SourceError(source, "empty file")
    soup, parse_notes = parse_html(text)
    keep_embed_fallbacks(soup)  # a gist's <noscript> code stays; other fallbacks go
    for tag in all_named(soup, _NOT_SHOWN):
        tag.decompose()
    url = _url(soup)
    base_url = _base_url(soup, url)
    article = _find_article(soup)
    if article is None:
        raise SourceError(source, "no article content found")

    heading = article.find("h1") or _outer_h1(article)
    title = (
        _clean(heading_text(heading)) if heading else ""
    ) or _meta(soup, "og:title") or _page_title(soup) or Path(source).stem
    # Metadata first: the byline and <time> may sit in chrome removed below.
    meta = Meta(
        title=title,
        source=source,
        url=url,
        author=_author(soup),
        date=_date(soup, article),
        tags=_tags(soup),
    )
    if heading is not None and any(p is article for p in heading.parents):
        heading.decompose()
    notes = _strip_chrome(article)
    blocks, block_notes = blocks_from_html(article, base_url=base_url)
    blocks = drop_title_heading(blocks, title)
    if not blocks:
        raise SourceError(source, "no article content found")
    return [Document(meta, tuple(blocks), tuple(parse_notes + notes + block_notes))]


# ------------------------------------------------------------ article choice


def _find_article(soup: BeautifulSoup) -> Tag | None:
    body = _text_length(soup.body or soup) or 1
    for selector in _CONTENT_SELECTORS:
        # Chrome is the smaller part of a page: an element with most of its text is the article
        # even inside a wrapper whose class looks like chrome (Blogger's div.widget.Blog,
        # Substack's article.newsletter-post).
        found = [t for t in soup.select(selector) if not _in_chrome(t) or _text_length(t) > body / 2]
        if found:
            best = max(found, key=_text_length)
            if _text_length(best) >= _MIN_TEXT or best.find("pre"):
                return best
    return _densest(soup)


def _densest(soup: BeautifulSoup) -> Tag | None:
    """Readability-style: credit each <p>/<pre>'s text to its parent (and half to the grandparent)."""
    scores: dict[int, float] = {}
    tags: dict[int, Tag] = {}
    for para in all_named(soup, _PARAGRAPHS):
        length = len(para.get_text(strip=True))
        if (para.name == "p" and length < 25) or _in_chrome(para):
            continue
        parent = _row_table(para.parent)
        for weight, node in ((1.0, parent), (0.5, parent and parent.parent)):
            if isinstance(node, Tag) and node.name not in ("html", "[document]"):
                scores[id(node)] = scores.get(id(node), 0.0) + weight * length
                tags[id(node)] = node
    if not scores:
        return None
    best = max(scores, key=lambda key: scores[key] * (1 - _link_density(tags[key])))
    return tags[best]


def _row_table(node: Tag | None) -> Tag | None:
    """A cell of a table whose rows each hold some of the article (Docco/Pycco's prose | code
    rows, a two-column tutorial) stands for the whole table: the article is all its rows, not
    the longest cell. A cell of a one-row layout table (sidebar | content) stays itself."""
    if not isinstance(node, Tag) or node.name not in ("td", "th"):
        return node
    table = node.find_parent("table")
    if table is None:
        return node
    if not _is_row_table(table):
        return node
    # Go by Example splits a page into several such tables (the run's output in the last):
    # sibling row tables are one article, their parent.
    siblings = [t for t in table.parent.find_all("table", recursive=False) if _is_row_table(t)]
    return table.parent if len(siblings) >= 2 else table


def _is_row_table(table: Tag) -> bool:
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table and tr.find(["p", "pre", "code"])]
    return len(rows) >= 2


def _text_length(tag: Tag) -> int:
    return len(tag.get_text(" ", strip=True))


def _link_density(tag: Tag) -> float:
    total = _text_length(tag) or 1
    return min(1.0, sum(_text_length(a) for a in tag.find_all("a")) / total)


def _is_chrome(tag: Tag) -> bool:
    if tag.name in _CHROME_TAGS:
        return True
    words = list(tag.get("class") or []) + [str(tag.get("id") or "")]
    return any(_CHROME.search(w) for w in words if w)


def _in_chrome(tag: Tag) -> bool:
    """Inside navigation, a sidebar or comments; layout wrappers such as Genesis's
    div#content-sidebar-wrap hold the article itself, so they do not count."""
    for node in [tag, *tag.parents]:
        if not isinstance(node, Tag) or node.name in ("body", "html"):
            continue
        words = " ".join(list(node.get("class") or []) + [str(node.get("id") or "")])
        if _is_chrome(node) and not _LAYOUT.search(words):
            return True
    return False


def _strip_chrome(article: Tag) -> list[str]:
    """Remove chrome inside the article, but never code, most of the text, or a part of the
    article whose id or class only looks like chrome (`_holds_article`); a note for each removed."""
    total = _text_length(article) or 1
    notes: list[str] = []
    gone: set[int] = set()  # ids of tags removed with an ancestor (bs4's `decomposed` searches the subtree)
    for tag in article.find_all(True):
        if id(tag) in gone or parent_named(tag, PRE_CODE) or not _is_chrome(tag):
            continue
        words = " ".join(list(tag.get("class") or []) + [str(tag.get("id") or "")])
        if not _COMMENTS.search(words) and (
            first_named(tag, "pre") or _text_length(tag) > total / 2
            or (tag.name not in _CHROME_TAGS and _holds_article(tag))
        ):
            continue  # e.g. div.content-with-sidebar wrapping the real text
        if tag.name == "header" and first_named(tag, _SECTION_HEADINGS):
            continue  # <section><header><h2>: a section heading, not a masthead
        if _text_length(tag) > 0:
            notes.append(f"ignored page chrome inside the article: {_describe(tag)}")
        gone.update(map(id, tag.find_all(True)))
        tag.decompose()
    return notes


_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_MIN_PROSE = 400
"""Characters of its own prose (outside its heading and links) that make an element whose
class or id looks like chrome a part of the article: more than a newsletter box or an author
bio holds, less than a section of a tutorial."""


def _holds_article(tag: Tag) -> bool:
    """A section of the article whose id or class words look like chrome: it has a heading
    that links nowhere else, is not mostly links to other pages (related posts, a site menu),
    and has prose of its own. Sphinx and other documentation generators name a section after
    its title, so an id that is the slug of its heading shows it is content, and a little
    prose suffices: Python's IDLE page has <section id="file-menu-shell-and-editor">."""
    heading = tag.find(_HEADINGS)
    if heading is None or any(_links_away(h) for h in tag.find_all(_HEADINGS)) or _link_density(tag) > 0.5:
        return False
    prose = _text_length(tag) - _text_length(heading) - sum(_text_length(a) for a in tag.find_all("a"))
    return prose >= (_MIN_TEXT if _named_after(tag, heading) else _MIN_PROSE)


def _links_away(heading: Tag) -> bool:
    """The heading is a link to another page (a post in a list), not an anchor to itself."""
    away = sum(_text_length(a) for a in heading.find_all("a", href=True) if not a["href"].startswith("#"))
    return away * 2 > _text_length(heading)


def _named_after(tag: Tag, heading: Tag) -> bool:
    """The tag's id is its heading's slug ("File menu (Shell and Editor)" -> file-menu-shell-and-editor),
    maybe numbered to be unique (menus-1)."""
    slug = _slug(heading.get_text(" "))
    return bool(slug) and re.fullmatch(re.escape(slug) + r"(?:-\d+)?", _slug(str(tag.get("id") or ""))) is not None


def heading_text(heading: Tag) -> str:
    """A heading's text without its permalink anchors (Sphinx's "¶", "#", "🔗"): in a title
    they would show in the page, the browser tab, the sidebar and search results."""
    return " ".join(str(text) for text in heading.find_all(string=True) if not _in_anchor(text, heading))


def _in_anchor(text, heading: Tag) -> bool:
    for parent in text.parents:
        if parent is heading:
            return False
        if parent.name == "a" and is_anchor(parent):
            return True
    return False


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _describe(tag: Tag) -> str:
    """aside#related.widget ('Related posts: How to…'): the element and the start of its text."""
    name = tag.name + (f"#{tag['id']}" if tag.get("id") else "") + "".join(f".{c}" for c in (tag.get("class") or [])[:1])
    text = _clean(tag.get_text(" "))
    return f"{name} ({text[:60].rstrip() + '…' if len(text) > 60 else text!r})"


def _outer_h1(article: Tag) -> Tag | None:
    """The title <h1> often sits in the <article>/<main> around the body container."""
    for parent in article.parents:
        if isinstance(parent, Tag) and parent.name in ("article", "main"):
            return parent.find("h1")
    return None


# --------------------------------------------------------------------- meta


def _meta(soup: BeautifulSoup, *names: str) -> str:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            tag = soup.find("meta", attrs={attr: name})
            if tag and tag.get("content", "").strip():
                return _clean(tag["content"])
    return ""


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _page_title(soup: BeautifulSoup) -> str:
    """<title> minus the " | Site name" suffix."""
    title = _clean(soup.title.get_text()) if soup.title else ""
    site = _meta(soup, "og:site_name")
    if site and title.endswith(f" - {site}"):
        return title[: -len(site) - 3]
    return _TITLE_SUFFIX.sub("", title)


def _url(soup: BeautifulSoup) -> str:
    canonical = soup.find("link", rel="canonical")
    if canonical and canonical.get("href"):
        return canonical["href"].strip()
    return _meta(soup, "og:url")


def _base_url(soup: BeautifulSoup, url: str) -> str:
    base = soup.find("base", href=True)
    return base["href"].strip() if base else url


def _author(soup: BeautifulSoup) -> str:
    meta = _meta(soup, "author", "article:author")
    if meta and not meta.startswith("http"):
        return meta
    for tag in soup.select("[rel~=author], [itemprop=author]"):
        name = tag.find(attrs={"itemprop": "name"}) or tag
        value = _clean(name.get("content") or name.get_text(" "))
        if value:
            return value
    return ""


def _date(soup: BeautifulSoup, article: Tag) -> str:
    value = _meta(soup, "article:published_time", "datePublished", "date", "dc.date")
    if not value:
        time = article.find("time", datetime=True) or soup.find("time", datetime=True)
        value = time["datetime"] if time else ""
    return iso_date(value) if value else ""


def _tags(soup: BeautifulSoup) -> tuple[str, ...]:
    tags: list[str] = []
    candidates = [m.get("content", "") for m in soup.find_all("meta", property="article:tag")]
    candidates += [a.get_text(" ") for a in soup.select("a[rel~=tag]")]
    for tag in map(_clean, candidates):
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)
