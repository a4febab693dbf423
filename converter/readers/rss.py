"""RSS 2.0 / RSS 1.0 / Atom feeds -> one Document per item.

Real feeds are often not well-formed XML: a BOM or blank line before
`<?xml` ("XML declaration allowed only at the start"), HTML-only entities
such as `&nbsp;` ("Entity 'nbsp' not defined"), bare `&`, or a file cut off
mid-item. We repair what we can before parsing, parse with lxml's recovering
parser, keep only items whose closing tag made it into the file, and say so
in the notes.
"""

from __future__ import annotations

import html
import html.entities
import re
from copy import deepcopy
from dataclasses import replace

from lxml import etree

from converter.document import Document, Meta
from converter.errors import SourceError, describe
from converter.readers.html_blocks import blocks_from_html, drop_title_heading, iso_date, parse_html
from converter.readers.markdown import blocks_from_markdown, is_markdown

_CDATA = re.compile(r"(<!\[CDATA\[.*?\]\]>)", re.S)
_ENTITY = re.compile(r"&(?:(#[0-9]+|#[xX][0-9a-fA-F]+)|([A-Za-z][A-Za-z0-9]*));|&")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_DECLARATION = re.compile(r"\A<\?xml[^>]*\?>")
_ROOT_END = re.compile(r"</(?:[\w-]+:)?(?:rss|feed|RDF)>\s*\Z")
_ITEM_END = re.compile(r"</(?:[\w-]+:)?(?:item|entry)>")
_INLINE_TAG = re.compile(r"</?(?:b|i|em|strong|code|span|a|br|sup|sub|small)\b[^>]*>", re.I)
_FEED_ROOTS = {"rss", "feed", "RDF"}


def read(text: str, *, source: str) -> list[Document]:
    """Every item of a feed as a Document; SourceError if no item can be read."""
    xml, notes = _repair(text)
    if not xml:
        raise SourceError(source, "empty file")
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=True
    )
    try:
        root = etree.fromstring(xml.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        raise SourceError(source, f"not an RSS or Atom feed ({error})") from None
    if root is None or _local(root.tag) not in _FEED_ROOTS:
        found = "no XML" if root is None else f"root element '{_local(root.tag)}'"
        raise SourceError(source, f"not an RSS or Atom feed ({found})")

    items = [el for el in root.iter(etree.Element) if _local(el.tag) in ("item", "entry")]
    if not _ROOT_END.search(xml):
        complete = len(_ITEM_END.findall(_CDATA.sub("", xml)))
        notes += [f"dropped {_item_name(n, item)}: the feed is truncated inside it"
                  for n, item in enumerate(items[complete:], complete + 1)]
        if complete >= len(items):
            notes.append("feed is truncated after its last complete item")
        items = items[:complete]
    elif parser.error_log:
        first = parser.error_log[0]
        notes.append(f"feed XML is malformed, recovered (line {first.line}: {first.message})")
    if not items:
        truncated = any("truncated" in note for note in notes)
        problem = "truncated before its first complete item" if truncated else "has no items"
        raise SourceError(source, f"feed {problem}")

    documents = []
    for n, item in enumerate(items, 1):
        try:
            documents.append(_document(item, source))
        except Exception as err:  # one bad item must not cost the others
            notes.append(f"skipped {_item_name(n, item)} that could not be read ({describe(err)})")
    if not any(doc.blocks for doc in documents):
        raise SourceError(source, "feed items have no content")
    documents[0] = replace(documents[0], source_notes=tuple(notes))
    return documents


def _item_name(n: int, item: etree._Element) -> str:
    """`item 3 ('Its title')`, or `item 3` when its title can't be read either."""
    try:
        title = _title(item)
    except Exception:  # the item is broken already; its number names it
        title = ""
    return f"item {n} ({title!r})" if title else f"item {n}"


# ------------------------------------------------------------------ repairs


def _repair(text: str) -> tuple[str, list[str]]:
    """Make the feed text parseable: leading junk, declaration, HTML entities, bare &."""
    notes: list[str] = []
    text = text.lstrip("\ufeff \t\r\n")
    start = text.find("<")
    if start > 0:
        notes.append(f"dropped {start} character(s) of junk before the XML")
        text = text[start:]
    elif start < 0:
        return "", notes
    # The text is already decoded; a stale encoding="..." would make lxml refuse it.
    text = _DECLARATION.sub("", text).lstrip()
    html_only: set[str] = set()
    parts = _CDATA.split(text)
    for i in range(0, len(parts), 2):  # odd parts are CDATA: left untouched
        parts[i] = _ENTITY.sub(lambda m: _xml_entity(m, html_only), parts[i])
    if html_only:
        names = ", ".join(sorted(html_only)[:5])
        notes.append(f"feed uses HTML-only entities ({names}); converted to characters")
    return "".join(parts), notes


def _xml_entity(match: re.Match[str], html_only: set[str]) -> str:
    numeric, name = match.groups()
    if numeric:
        return match.group(0) if _xml_char(int(numeric[2:], 16) if numeric[1] in "xX" else int(numeric[1:])) else ""
    if name is None:
        return "&amp;"  # a bare & is an error in XML
    if name in _XML_ENTITIES:
        return match.group(0)
    chars = html.entities.html5.get(name + ";")
    if chars is None:
        return f"&amp;{name};"
    html_only.add(name)
    return "".join(f"&#{ord(c)};" for c in chars)


def _xml_char(code: int) -> bool:
    """A character XML 1.0 allows: a reference to any other (a control, a lone surrogate)
    is dropped, since lxml keeps some of them where it can't give them back as text."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


# -------------------------------------------------------------------- items


def _document(item: etree._Element, source: str) -> Document:
    link = _link(item)
    title = _title(item)
    body = _body(item)
    notes: list[str] = []
    markdown = body if is_markdown(body) else _markdown_in_paragraphs(body)
    if markdown:  # some feeds (Hashnode, static-site generators, WordPress) carry the Markdown source
        blocks, block_notes = blocks_from_markdown(markdown)
        block_notes = ["item content is Markdown, not HTML: read as Markdown", *block_notes]
    else:
        blocks, block_notes = blocks_from_html(body, base_url=link) if body.strip() else ([], [])
    if not blocks:
        notes.append("item has no content")
    if not title:
        notes.append("item has no title")
        title = "Untitled"
    meta = Meta(
        title=title,
        source=source,
        url=link,
        author=_author(item),
        date=next(filter(None, (iso_date(_text(c)) for c in _dates(item))), ""),
        tags=_tags(item),
    )
    blocks = drop_title_heading(blocks, title)
    return Document(meta, tuple(blocks), tuple(notes + block_notes))


def _markdown_in_paragraphs(body: str) -> str:
    """Markdown source that a blog wrapped in paragraphs (WordPress's autop: `<p>```python<br />`),
    as Markdown again; "" when the body is HTML of its own (it has a <pre>, or no closed fence)."""
    if "```" not in body and "~~~" not in body:
        return ""
    soup, _ = parse_html(body)
    root = soup.body or soup
    if root.find("pre") is not None:
        return ""
    for br in root.find_all("br"):
        br.replace_with("\x00")  # a <br /> and the newline after it in the source are one line end
    parts = [re.sub(r"\x00\n?", "\n", child.get_text() if hasattr(child, "get_text") else str(child))
             for child in root.children]
    text = "\n\n".join(part.strip("\n") for part in parts if part.strip())
    return text if is_markdown(text) else ""


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    # "{namespace}name", or "prefix:name" with the prefix left in when it was never
    # declared (recover mode; lxml's QName refuses such names).
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _children(el: etree._Element, *names: str) -> list[etree._Element]:
    return [c for c in el if _local(c.tag) in names]


def _first(el: etree._Element, *names: str) -> etree._Element | None:
    """First child with one of `names`, in order of preference."""
    for name in names:
        found = _children(el, name)
        if found:
            return found[0]
    return None


def _text(el: etree._Element | None) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip() if el is not None else ""


def _title(item: etree._Element) -> str:
    el = _first(item, "title")
    if el is None:
        return ""
    raw = _inner_html(el) if len(el) else (el.text or "")
    if el.get("type") in ("html", "xhtml") or _INLINE_TAG.search(raw):
        raw = _INLINE_TAG.sub("", raw)
    if re.search(r"&#?\w+;", raw):  # double-escaped ("&amp;amp;") titles
        raw = html.unescape(raw)
    return re.sub(r"\s+", " ", raw).strip()


def _link(item: etree._Element) -> str:
    for el in _children(item, "link"):
        href = el.get("href")
        if href is None:  # RSS: <link>url</link>
            if _text(el):
                return _text(el)
        elif el.get("rel", "alternate") == "alternate":
            return href.strip()
    guid = _first(item, "guid", "id")
    value = _text(guid)
    return value if value.startswith(("http://", "https://")) else ""


def _author(item: etree._Element) -> str:
    el = _first(item, "creator", "author")
    if el is None:
        return ""
    name = _first(el, "name")  # Atom: <author><name>
    if name is not None:
        return _text(name)
    value = _text(el)
    # RSS <author> is "email (Name)".
    match = re.search(r"\(([^)]+)\)", value)
    return match.group(1).strip() if match and "@" in value else value


def _dates(item: etree._Element) -> list[etree._Element]:
    return [d for n in ("pubDate", "published", "date", "issued", "updated", "modified")
            for d in _children(item, n)]


def _tags(item: etree._Element) -> tuple[str, ...]:
    tags: list[str] = []
    for el in _children(item, "category", "subject"):
        tag = (el.get("term") or el.get("label") or _text(el)).strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _body(item: etree._Element) -> str:
    """The item's HTML: full content first, summary as fallback."""
    for name in ("encoded", "content", "description", "summary"):
        for el in _children(item, name):
            if el.get("src"):  # Atom out-of-line content: nothing here
                continue
            body = _element_html(el)
            if body.strip():
                return body
    return ""


def _element_html(el: etree._Element) -> str:
    kind = (el.get("type") or "").lower()
    if "xhtml" in kind:
        div = next((c for c in el if _local(c.tag) == "div"), None)
        return _inner_html(div if div is not None else el)
    if len(el):  # unescaped HTML elements inside <description>
        return _inner_html(el)
    text = el.text or ""
    if kind in ("text", "text/plain") and not is_markdown(text):
        paragraphs = re.split(r"\n\s*\n", text.strip())
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if "<" not in text and "&lt;" in text:
        text = html.unescape(text)  # double-escaped HTML body
    return text


def _inner_html(el: etree._Element) -> str:
    """Markup inside an element, namespaces stripped (xhtml:p -> p)."""
    copy = deepcopy(el)
    for node in copy.iter(etree.Element):
        node.tag = _local(node.tag)
    etree.cleanup_namespaces(copy)
    inner = "".join(etree.tostring(child, encoding="unicode", with_tail=True) for child in copy)
    return html.escape(copy.text or "", quote=False) + inner
