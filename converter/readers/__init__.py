"""Readers: one per input format, chosen from the content, not the file name."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import SourceError

if TYPE_CHECKING:
    from ..document import Document

__all__ = ["READERS", "detect_format", "decode", "read_source"]

Reader = Callable[..., "list[Document]"]


class _Readers(dict):
    """The reader of each format, imported when first asked for: convert's workers fork
    before any is imported, and one reading a text dump never imports Beautiful Soup,
    feedparser or markdown-it (a tenth of a second before reading could start)."""

    MODULES = {"feed": "rss", "html": "html", "markdown": "markdown", "text": "text"}

    def __missing__(self, name: str) -> Reader:
        reader = importlib.import_module(f"{__name__}.{self.MODULES[name]}").read
        self[name] = reader
        return reader


READERS: dict[str, Reader] = _Readers()

_FEED = re.compile(r"<(\w+:)?(rss|feed|RDF)[\s>]", re.I)  # also prefixed roots: <atom:feed>
_HTML = re.compile(r"<!doctype html|<html[\s>]|<body[\s>]|<article[\s>]|<head[\s>]", re.I)
_MARKDOWN_EXTENSIONS = {".md", ".markdown", ".mdown", ".mkd"}


def detect_format(content: str, *, suffix: str = "") -> str:
    """Name the reader for `content`; the file suffix only breaks ties."""
    head = content.lstrip("\ufeff \t\r\n")[:4096]
    # Markup documents start with markup; a tutorial that merely shows an HTML
    # page in a code block starts with prose.
    if head.startswith("<") and _FEED.search(head):
        return "feed"
    if head.startswith("<") and _HTML.search(head):
        return "html"
    if suffix.lower() in _MARKDOWN_EXTENSIONS:
        return "markdown"
    # Fences or ATX headings at the left margin are Markdown; a text dump's
    # lines are indented prose with bullets like "•".
    if re.search(r"^(```|~~~)", content, re.M) or re.search(r"^#{1,6} \S", content, re.M):
        return "markdown"
    return "text"


def decode(data: bytes, *, source: str) -> str:
    """Bytes to text, refusing what is not a text tutorial."""
    if not data.strip():
        raise SourceError(source, "file is empty")
    if b"\x00" in data[:8192]:
        raise SourceError(source, "binary file (NUL bytes), not a text tutorial")
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise SourceError(
            source, f"not UTF-8 (bad byte 0x{data[err.start]:02x} at offset {err.start}); re-save it as UTF-8"
        ) from None
    # Only the two line endings here: the other line breaks (form feed, U+2029) mean
    # something else inside a string in code, which only the parsed blocks tell.
    return content.replace("\r\n", "\n").replace("\r", "\n")


def read_source(path: Path) -> list[Document]:
    """Read one source file into its tutorials."""
    from ..characters import clean_strings

    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SourceError(source, f"cannot read: {err.strerror}") from None
    content = decode(data, source=source)
    documents = READERS[detect_format(content, suffix=path.suffix)](content, source=source)
    # After parsing: entities (&#x0c;) and YAML escapes ("\ud83d") decode to them too.
    return clean_strings(documents)
