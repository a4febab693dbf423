"""RSS 2.0 / RSS 1.0 / Atom feeds -> one Document per item, parsed by feedparser.

Real feeds are often not well-formed XML: a BOM or blank line before
`<?xml`, HTML-only entities such as `&nbsp;`, bare `&`, or a file cut off
mid-item. feedparser tries a strict XML parse and, when that fails ("bozo"),
reads the feed again with its forgiving parser; we only say so in the notes.
What it cannot know is which items a cut-off file lost: we keep only items
whose closing tag made it into the file and name each one dropped.

Its HTML sanitizer and relative-link resolution stay off: the HTML reader
sanitizes later, resolves links against the item's own address, and needs
the `class` attributes that name a code block's language.
"""

from __future__ import annotations

import html
import html.entities
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from converter.document import Document, Meta
from converter.errors import SourceError, describe
from converter.readers import Split, read_in_process, what_stopped
from converter.readers.html_blocks import all_named, blocks_from_html, drop_title_heading, first_named, iso_date, parse_html
from converter.readers.markdown import blocks_from_markdown, is_markdown

_CDATA = re.compile(r"<!\[CDATA\[.*?(?:\]\]>|\Z)", re.S)
_DECLARATION = re.compile(r"\A<\?xml[^>]*\?>")
# An element's start (its local name), or what may come before the root: comment, doctype, instruction.
_MARKUP = re.compile(r"<!--.*?(?:-->|\Z)|<![^>]*>|<\?.*?(?:\?>|\Z)|<(?:[\w.-]+:)?([\w.-]+)", re.S)
_ROOT_END = re.compile(r"</(?:[\w-]+:)?(?:rss|feed|RDF)>\s*\Z")
_ITEM_END = re.compile(r"</(?:[\w-]+:)?(?:item|entry)>")
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_CHAR_REF = re.compile(r"&#(?:([0-9]+)|[xX]([0-9a-fA-F]+));")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_INLINE_TAG = re.compile(r"</?(?:b|i|em|strong|code|span|a|br|sup|sub|small)\b[^>]*>", re.I)
_FEED_ROOTS = {"rss", "feed", "RDF"}
_UTF8 = {"content-type": "application/xml; charset=utf-8"}
_UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'


def read(text: str, *, source: str) -> list[Document]:
    """Every item of a feed as a Document; SourceError if no item can be read."""
    return read_in_process("feed", text, source=source)


@dataclass(frozen=True, slots=True)
class Item:
    """A feed item's fields as feedparser read them, as plain values: items cross to convert's
    workers, and a FeedParserDict would import feedparser in every process that unpickles it."""

    name: str
    """`item 3 ('Its title')`, for notes."""
    source: str
    title: str = ""
    link: str = ""
    body: str = ""
    """Its HTML (or Markdown): full content first, summary as fallback."""
    author: str = ""
    date: str = ""
    tags: tuple[str, ...] = ()
    problem: str = ""
    """Why its fields could not be read ("": they could)."""


def split(text: str, *, source: str) -> tuple[list[Item], list[str]]:
    """The feed's items, and notes on what around them was dropped or recovered."""
    import feedparser  # here: the processes that build items need none of it

    xml, notes = _prepare(text)
    if not xml:
        raise SourceError(source, "empty file")
    root = _root_name(xml)
    if root not in _FEED_ROOTS:
        found = f"root element '{root}'" if root else "no XML"
        raise SourceError(source, f"not an RSS or Atom feed ({found})")
    # A stream, never the str: feedparser opens a str that looks like a path or URL.
    feed = feedparser.parse(io.BytesIO(xml.encode("utf-8")), response_headers=_UTF8,
                            sanitize_html=False, resolve_relative_uris=False)
    items = list(feed.entries)
    if not _ROOT_END.search(xml):
        complete = len(_ITEM_END.findall(_CDATA.sub("", xml)))
        notes += [f"dropped {_item_name(n, item)}: the feed is truncated inside it"
                  for n, item in enumerate(items[complete:], complete + 1)]
        if complete >= len(items):
            notes.append("feed is truncated after its last complete item")
        items = items[:complete]
    elif feed.bozo:
        notes += _malformed(xml, feed.get("bozo_exception"))
    if not items:
        truncated = any("truncated" in note for note in notes)
        problem = "truncated before its first complete item" if truncated else "has no items"
        raise SourceError(source, f"feed {problem}")
    return [_item(n, item, source) for n, item in enumerate(items, 1)], notes


def assemble(split: Split, built: Sequence[Document | None | BaseException]) -> list[Document]:
    """The feed's tutorials from its items as built, its notes on the first; SourceError if
    none has content."""
    notes, documents = list(split.notes), []
    for item, document in zip(split.entries, built):
        if item.problem or isinstance(document, BaseException):  # one bad item must not cost the others
            notes.append(f"skipped {item.name} that could not be read ({item.problem or what_stopped(document)})")
        elif document is not None:
            documents.append(document)
    if not any(doc.blocks for doc in documents):
        raise SourceError(split.source, "feed items have no content")
    documents[0] = replace(documents[0], source_notes=tuple(notes))
    return documents


def _item_name(n: int, item: Any) -> str:
    """`item 3 ('Its title')`, or `item 3` when its title can't be read either."""
    try:
        title = _title(item)
    except Exception:  # the item is broken already; its number names it
        title = ""
    return f"item {n} ({title!r})" if title else f"item {n}"


# ------------------------------------------------------------------ the text


def _prepare(text: str) -> tuple[str, list[str]]:
    """The feed from its first tag on, declared UTF-8 (a declared encoding may be stale: the text
    arrives decoded), without references to characters XML does not allow."""
    notes: list[str] = []
    text = text.lstrip("\ufeff \t\r\n")
    start = text.find("<")
    if start > 0:
        notes.append(f"dropped {start} character(s) of junk before the XML")
        text = text[start:]
    elif start < 0:
        return "", notes
    # One declaration, on the first line so that error lines stay the file's.
    text = _UTF8_DECLARATION + _DECLARATION.sub("", text)
    parts = re.split(f"({_CDATA.pattern})", text, flags=re.S)
    parts[::2] = [_CHAR_REF.sub(_allowed_reference, part) for part in parts[::2]]  # odd parts: CDATA
    return "".join(parts), notes


def _allowed_reference(match: re.Match[str]) -> str:
    """A reference to a character XML 1.0 allows, or nothing: feedparser's forgiving
    parser crashes on a lone surrogate or a code point past U+10FFFF."""
    decimal, hexadecimal = match.groups()
    digits = decimal or hexadecimal
    code = -1 if len(digits) > 8 else int(decimal) if decimal else int(hexadecimal, 16)
    allowed = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
    return match.group(0) if allowed else ""


def _root_name(xml: str) -> str:
    """Local name of the first element (comments, doctype and processing instructions skipped)."""
    for match in _MARKUP.finditer(xml):
        if match.group(1):
            return match.group(1)
    return ""


def _malformed(xml: str, error: Any) -> list[str]:
    """Notes for a feed feedparser had to recover: where XML first failed, and HTML entities."""
    where = f"line {error.getLineNumber()}: " if hasattr(error, "getLineNumber") else ""
    message = error.getMessage() if hasattr(error, "getMessage") else str(error)
    notes = [f"feed XML is malformed, recovered ({where}{message})"]
    names = sorted({name for name in _ENTITY.findall(_CDATA.sub("", xml))
                    if name not in _XML_ENTITIES and name + ";" in html.entities.html5})
    if names:
        notes.append(f"feed uses HTML-only entities ({', '.join(names[:5])}); converted to characters")
    return notes


# -------------------------------------------------------------------- items


def _item(n: int, item: Any, source: str) -> Item:
    name = _item_name(n, item)
    try:
        # The stamps as written: feedparser's parsed ones are UTC, the tutorial's date is its own.
        date = next(filter(None, (iso_date(item.get(key) or "") for key in ("published", "updated"))), "")
        return Item(name, source, _title(item), _link(item), _body(item), _author(item), date, _tags(item))
    except Exception as err:  # one bad item must not cost the others
        return Item(name, source, problem=describe(err))


def build(item: Item) -> Document | None:
    """The item's tutorial (None: its fields could not be read; `assemble` says why)."""
    if item.problem:
        return None
    notes: list[str] = []
    body, title = item.body, item.title
    markdown = body if is_markdown(body) else _markdown_in_paragraphs(body)
    if markdown:  # some feeds (Hashnode, static-site generators, WordPress) carry the Markdown source
        blocks, block_notes = blocks_from_markdown(markdown)
        block_notes = ["item content is Markdown, not HTML: read as Markdown", *block_notes]
    else:
        blocks, block_notes = blocks_from_html(body, base_url=item.link) if body.strip() else ([], [])
    if not blocks:
        notes.append("item has no content")
    if not title:
        notes.append("item has no title")
        title = "Untitled"
    meta = Meta(title=title, source=item.source, url=item.link, author=item.author, date=item.date, tags=item.tags)
    blocks = drop_title_heading(blocks, title)
    return Document(meta, tuple(blocks), tuple(notes + block_notes))


def _markdown_in_paragraphs(body: str) -> str:
    """Markdown source that a blog wrapped in paragraphs (WordPress's autop: `<p>```python<br />`),
    as Markdown again; "" when the body is HTML of its own (it has a <pre>, or no closed fence)."""
    if "```" not in body and "~~~" not in body:
        return ""
    soup, _ = parse_html(body)
    root = soup.body or soup
    if first_named(root, "pre") is not None:
        return ""
    for br in all_named(root, "br"):
        br.replace_with("\x00")  # a <br /> and the newline after it in the source are one line end
    parts = [re.sub(r"\x00\n?", "\n", child.get_text() if hasattr(child, "get_text") else str(child))
             for child in root.children]
    text = "\n\n".join(part.strip("\n") for part in parts if part.strip())
    return text if is_markdown(text) else ""


def _title(item: Any) -> str:
    raw = item.get("title") or ""
    kind = (item.get("title_detail") or {}).get("type", "")
    if "html" in kind or _INLINE_TAG.search(raw):
        raw = _INLINE_TAG.sub("", raw)
    if re.search(r"&#?\w+;", raw):  # double-escaped ("&amp;amp;") titles
        raw = html.unescape(raw)
    return re.sub(r"\s+", " ", raw).strip()


def _link(item: Any) -> str:
    link = (item.get("link") or "").strip()
    if link:
        return link
    guid = (item.get("id") or "").strip()  # RSS <guid>, Atom <id>: an address only when it is one
    return guid if guid.startswith(("http://", "https://")) else ""


def _author(item: Any) -> str:
    name = (item.get("author_detail") or {}).get("name")  # Atom <name>; RSS "email (Name)"
    return re.sub(r"\s+", " ", name or item.get("author") or "").strip()


def _tags(item: Any) -> tuple[str, ...]:
    tags: list[str] = []
    for tag in item.get("tags") or ():
        term = (tag.get("term") or tag.get("label") or "").strip()
        if term and term not in tags:
            tags.append(term)
    return tuple(tags)


def _body(item: Any) -> str:
    """The item's HTML: full content first, summary as fallback."""
    for detail in [*(item.get("content") or ()), item.get("summary_detail") or {}]:
        if detail.get("src"):  # Atom out-of-line content: nothing here
            continue
        body = _detail_html(detail)
        if body.strip():
            return body
    return ""


def _detail_html(detail: Any) -> str:
    kind = (detail.get("type") or "").lower()
    text = detail.get("value") or ""
    if kind in ("text", "text/plain") and not is_markdown(text):
        paragraphs = re.split(r"\n\s*\n", text.strip())
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if "<" not in text and "&lt;" in text:
        text = html.unescape(text)  # double-escaped HTML body
    return text
