"""Readers: one per input format, chosen from the content, not the file name.

A format of many tutorials per file (a feed's items, a dump's articles) reads in three
steps, each a function of its module: `split` the file into entries, `build` each entry's
tutorial, `assemble` the source from its entries as built. `read` does the three in one
process; convert builds the entries of a large source in all its workers (`Split`)."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from ..budget import OverBudget
from ..errors import SourceError, describe

if TYPE_CHECKING:
    from ..document import Document

__all__ = ["READERS", "Split", "assemble", "build_entry", "built_in_process", "detect_format", "decode",
           "import_entry_readers", "read_in_process", "read_source", "split_source", "what_stopped"]

Reader = Callable[..., "list[Document]"]


_MODULES = {"feed": "rss", "html": "html", "markdown": "markdown", "text": "text"}
_IN_ENTRIES = frozenset({"feed", "text"})
"""Formats of many tutorials per file, read in entries (`Split`): a feed's items, a dump's articles."""


def _module(name: str) -> ModuleType:
    """The reader of a format, imported when first asked for: convert's workers fork before
    any is imported, and one reading a text dump never imports Beautiful Soup, feedparser or
    markdown-it (a tenth of a second before reading could start)."""
    return importlib.import_module(f"{__name__}.{_MODULES[name]}")


def import_entry_readers() -> None:
    """Import the readers that build entries (`build_entry`), for the processes forked next."""
    for name in _IN_ENTRIES:
        _module(name)


class _Readers(dict):
    """Each format's `read(text, source=...)`, imported when first asked for (`_module`)."""

    def __missing__(self, name: str) -> Reader:
        reader = _module(name).read
        self[name] = reader
        return reader


READERS: dict[str, Reader] = _Readers()


@dataclass(frozen=True, slots=True)
class Split:
    """A source cut into its tutorials' entries (a feed's items, a dump's articles), each not
    yet built into blocks, the costly part of reading: convert builds the entries of all its
    sources side by side (`build_entry`), so that one large feed reads on every core, then puts
    each source together again (`assemble`). A format's reader module has `split`, `build` and
    `assemble`; its `read` is the three in one process."""

    format: str
    source: str
    entries: tuple[object, ...]
    notes: tuple[str, ...]
    """The source's own notes (what was dropped around its entries)."""


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
    """Read one source file into its tutorials, in this process."""
    found = split_source(path)
    if isinstance(found, Split):
        return assemble(found, built_in_process(lambda entry: build_entry((found.format, entry)), found.entries))
    return found


def split_source(path: Path) -> list[Document] | Split:
    """A source of many tutorials cut into its entries; one of a single tutorial read whole."""
    from ..characters import clean_strings

    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SourceError(source, f"cannot read: {err.strerror}") from None
    content = decode(data, source=source)
    name = detect_format(content, suffix=path.suffix)
    if name in _IN_ENTRIES:
        return _split(name, content, source=source)
    # After parsing: entities (&#x0c;) and YAML escapes ("\ud83d") decode to them too.
    return clean_strings(READERS[name](content, source=source))


def _split(name: str, text: str, *, source: str) -> Split:
    entries, notes = _module(name).split(text, source=source)
    return Split(name, source, tuple(entries), tuple(notes))


def read_in_process(name: str, text: str, *, source: str) -> list[Document]:
    """A format read in entries (`name`: "feed", "text") as its module's `read` reads it: split,
    each entry built, assembled, in this process."""
    module = _module(name)
    split = _split(name, text, source=source)
    return module.assemble(split, built_in_process(module.build, split.entries))


def build_entry(item: tuple[str, object]) -> Document | None:
    """(a Split's format, one of its entries) built into its tutorial; None: it has no content
    of its own (its source's `assemble` says so)."""
    from ..characters import clean_strings

    name, entry = item
    document = _module(name).build(entry)
    return None if document is None else clean_strings(document)


def built_in_process(build: Callable[[object], Document | None], entries: Sequence[object]) -> list[object]:
    """Each entry built, or the exception that stopped it: one bad entry costs only itself."""
    built: list[object] = []
    for entry in entries:
        try:
            built.append(build(entry))
        except Exception as err:
            built.append(err)
    return built


def what_stopped(err: BaseException) -> str:
    """Why an entry could not be built, for its source's notes (the budget says it in its own words)."""
    return str(err) if isinstance(err, OverBudget) else describe(err)


def assemble(split: Split, built: Sequence[Document | None | BaseException]) -> list[Document]:
    """A source's tutorials from its entries as built (each a Document, None, or what stopped
    it), the source's notes on the first one; SourceError when no tutorial is left."""
    from ..characters import clean_strings

    documents = _module(split.format).assemble(split, built)
    first = documents[0]
    return [replace(first, source_notes=clean_strings(first.source_notes)), *documents[1:]]
