"""Reader for plain-text dumps of blog pages.

A dump is what a browser's "save as text" or a scraper leaves of a page:

      • Article Title                 <- bullet, less indented than the body
                                      <- empty line: paragraph break
        Prose paragraph on one line.
        • list item
        ␣␣␣␣                          <- whitespace-only: blank line *in code*
        code line
            indented code line

A file may hold several articles (one per outdented bullet); without such
bullets the whole file is one article titled by its first line. Code is not
marked up, so `converter.classify` decides what is code; this module cuts
the text into articles and runs, drops page noise and builds the blocks.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..classify import BULLET, NUMBERED, Kind, label_run
from ..document import Block, CodeBlock, Document, Heading, ListBlock, Meta, Paragraph
from ..errors import SourceError, describe
from ..myst_escape import escape

# An article separator: a bullet (any common glyph) at a smaller indent than the body.
_SEPARATOR = re.compile(r"^(?P<indent>[ \t]*)[•◦▪‣●○■*-]\s+(?P<title>\S.*)$")
_TAG_HEADER = re.compile(r"^\s*(?:Tags?|Categor(?:y|ies)|Topics?)\s*:\s*(?P<tags>\S.*)$", re.I)
_FOOTER = re.compile(r"^\s*(?:©|\(c\)\s|copyright\b)|all rights reserved", re.I)
_STOPWORDS = frozenset("a an the to for of and in on with your you how what is are by from vs".split())
_NUMBERED_HEADING_WORDS = re.compile(
    r"^(?:Step|Mistake|Part|Phase|Stage|Tip|Rule|Method|Option|Pattern|Lesson|Exercise|Pitfall)\s+\d+\b", re.I
)
_FAQ_SECTION = re.compile(r"\bFAQs?\b|frequently asked|\bquestions\b", re.I)
_INNER_SENTENCE = re.compile(r"[a-z]{3,}[.!?]\s+[A-Z]")
# Highlighter markup that leaked into code (`<span class="comment">`), and
# inline formatting tags; real HTML blocks are recognised by structural tags.
_LEAK_SIGNAL = re.compile(r"<(?:span|font)\s+(?:class|style)\s*=", re.I)
_LEAK_TAG = re.compile(r"</?(?:span|font|em|strong|b|i|code|mark)\b[^>]*>", re.I)
_HTML_BLOCK = re.compile(
    r"^\s*<(?:!DOCTYPE|html|head|body|div|p|ul|ol|li|table|tr|td|form|section|article|nav|header|footer"
    r"|template|svg|script|style|meta|link|a|button|input|h[1-6])\b",
    re.I | re.M,
)


@dataclass(frozen=True, slots=True)
class _Article:
    title: str
    lines: tuple[str, ...]
    """Body lines, raw (with the dump's indentation)."""


@dataclass(frozen=True, slots=True)
class _Built:
    blocks: tuple[Block, ...]
    notes: tuple[str, ...]
    tags: tuple[str, ...] = ()
    """Tags from a "Tag: X" header found at the top of the article itself."""


def read(text: str, *, source: str) -> list[Document]:
    """Read a plain-text dump into one Document per article."""
    if "\x00" in text:
        raise SourceError(source, "binary data (NUL bytes), not a text dump")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4).split("\n")
    if not any(line.strip() for line in lines):
        raise SourceError(source, "empty text dump")
    body_indent = _body_indent(lines)
    preamble, articles = _split_articles(lines, body_indent)
    tags, page_notes = _page_header(preamble)

    documents: list[Document] = []
    for article in articles:
        try:
            built = _build_article(article, body_indent)
        except Exception as err:  # one bad article must not cost the others
            page_notes.append(f"skipped article {article.title!r} that could not be read ({describe(err)})")
            continue
        if not built.blocks:
            page_notes.append(f"skipped article without content: {article.title!r}")
            continue
        meta = Meta(title=article.title, source=source, tags=tuple(dict.fromkeys(tags + built.tags)))
        documents.append(Document(meta=meta, blocks=built.blocks, notes=built.notes))
    if not documents:
        raise SourceError(source, "no readable article (only page header, footer or titles)")
    # After the loop: an article skipped after the first one is noted too.
    documents[0] = replace(documents[0], source_notes=tuple(page_notes))
    return documents


# --- articles -----------------------------------------------------------------


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _body_indent(lines: Sequence[str]) -> int:
    """The article body's margin: the usual indent of lines that open a paragraph.

    Only the first line after an empty line counts (code lines inside a
    block are indented further), and bullets are left out (article titles
    are outdented bullets, list items may be too).
    """
    openers = Counter(
        _indent(line)
        for previous, line in zip([""] + list(lines), lines)
        if not previous and line.strip() and not _SEPARATOR.match(line)
    )
    if not openers:
        openers = Counter(_indent(line) for line in lines if line.strip())
    return openers.most_common(1)[0][0]


def _is_noise(line: str) -> bool:
    return bool(_TAG_HEADER.match(line) or _FOOTER.search(line))


def _split_articles(lines: list[str], body_indent: int) -> tuple[list[str], list[_Article]]:
    """Cut the file at outdented bullets; return the preamble and the articles."""
    starts = [
        i for i, line in enumerate(lines)
        if (m := _SEPARATOR.match(line)) and len(m["indent"]) < body_indent
    ]
    if starts:
        bounds = zip(starts, starts[1:] + [len(lines)])
        articles = [
            _Article(_SEPARATOR.match(lines[a])["title"].strip(), tuple(lines[a + 1 : b])) for a, b in bounds
        ]
        return lines[: starts[0]], articles
    # One article: its title is the first line that is not page noise.
    for i, line in enumerate(lines):
        if line.strip() and not _is_noise(line):
            title = BULLET.sub(r"\g<text>", line.strip())
            return lines[:i], [_Article(title, tuple(lines[i + 1 :]))]
    return lines, []


def _page_header(preamble: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """Tags from a "Tag: X" header; notes for anything else dropped before the first article."""
    tags: list[str] = []
    notes: list[str] = []
    for line in preamble:
        if not line.strip():
            continue
        if m := _TAG_HEADER.match(line):
            tags.extend(_split_tags(m["tags"]))
            notes.append(f"read page header {line.strip()!r} as tags")
        else:
            notes.append(f"dropped page text before the first article: {line.strip()[:60]!r}")
    return tuple(tags), notes


def _split_tags(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[,;|]", text) if t.strip()]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9’']+", text.lower()) if w not in _STOPWORDS}


def _restates(line: str, title: str) -> bool:
    """True when a heading-like line repeats the title, maybe reworded."""
    a, b = _words(line), _words(title)
    if not a or not b:
        return False
    return len(a & b) / max(len(a), len(b)) >= 0.6 and _heading_shaped(line)


# --- runs and blocks --------------------------------------------------------------


def _build_article(article: _Article, body_indent: int) -> _Built:
    notes: list[str] = []
    tags: list[str] = []
    kept: list[str | None] = []  # None = empty line (paragraph break), "" = blank code line
    first_text = True
    for raw in article.lines:
        if not raw.strip():
            kept.append("" if raw else None)
            continue
        if _FOOTER.search(raw) and len(raw.strip()) < 160:
            notes.append(f"dropped footer {raw.strip()!r}")
            continue
        if first_text and (m := _TAG_HEADER.match(raw)):
            tags.extend(_split_tags(m["tags"]))
            notes.append(f"read page header {raw.strip()!r} as tags")
            continue
        if first_text and (raw.strip() == article.title or _restates(raw.strip(), article.title)):
            notes.append(f"removed repeated title {raw.strip()!r}")
            continue
        first_text = False
        kept.append(raw[min(_indent(raw), body_indent) :].rstrip())
    runs = _runs(kept)
    blocks = _blocks(runs)
    cleaned: list[Block] = []
    for block in blocks:
        if isinstance(block, CodeBlock):
            code, leaked = _clean_code(block.code)
            if leaked:
                notes.append("removed leaked HTML markup from a code block")
            block = CodeBlock(code=code, language="")
        cleaned.append(block)
    return _Built(tuple(cleaned), tuple(dict.fromkeys(notes)), tuple(tags))


def _runs(lines: Sequence[str | None]) -> list[list[str]]:
    """Group lines between empty lines; whitespace-only lines stay inside runs."""
    runs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line is None:
            if any(l.strip() for l in current):
                runs.append(current)
            current = []
        else:
            current.append(line)
    if any(l.strip() for l in current):
        runs.append(current)
    return runs


@dataclass(frozen=True, slots=True)
class _Segment:
    kind: Kind
    lines: tuple[str, ...]


def _segments(run: Sequence[str]) -> list[_Segment]:
    """Consecutive lines of one kind; blank lines belong to the code around them."""
    labels = label_run(run)
    segments: list[_Segment] = []
    for line, kind in zip(run, labels):
        if kind is Kind.BLANK:
            kind = Kind.CODE
        if segments and segments[-1].kind is kind:
            segments[-1] = _Segment(kind, segments[-1].lines + (line,))
        else:
            segments.append(_Segment(kind, (line,)))
    # Blank lines outside code (after a list, before code) are just spacing.
    return [s for s in segments if s.kind is not Kind.CODE or any(l.strip() for l in s.lines)]


def _blocks(runs: list[list[str]]) -> list[Block]:
    blocks: list[Block] = []
    levels = _HeadingLevels()
    for index, run in enumerate(runs):
        segments = _segments(run)
        if len(segments) == 1 and segments[0].kind in (Kind.PROSE, Kind.NUMBERED) and len(segments[0].lines) == 1:
            line = segments[0].lines[0].strip()
            following = runs[index + 1] if index + 1 < len(runs) else None
            if _is_heading(line, following):
                blocks.append(Heading(levels.level(line), escape(line)))
                continue
        for segment in segments:
            _append(blocks, segment)
    return blocks


def _append(blocks: list[Block], segment: _Segment) -> None:
    """Add a segment's blocks, continuing code or lists split by empty lines."""
    if segment.kind is Kind.CODE:
        code = _code_text(segment.lines)
        previous = blocks[-1] if blocks else None
        # Code split by an empty line whose next part is indented continues it.
        if isinstance(previous, CodeBlock) and segment.lines[0].startswith(" "):
            blocks[-1] = CodeBlock(code=previous.code + "\n\n" + code)
        else:
            blocks.append(CodeBlock(code=code, language=""))
    elif segment.kind is Kind.BULLET:
        items = tuple(escape(BULLET.sub(r"\g<text>", _ascii_bullet(l.strip()))) for l in segment.lines)
        _append_list(blocks, ListBlock(items=items, ordered=False))
    elif segment.kind is Kind.NUMBERED:
        matches = [NUMBERED.match(l.strip()) for l in segment.lines]
        items = tuple(escape(m["text"]) for m in matches)
        _append_list(blocks, ListBlock(items=items, ordered=True, start=int(matches[0]["num"])))
    else:
        blocks.extend(Paragraph(escape(text)) for text in _paragraphs(segment.lines))


def _ascii_bullet(line: str) -> str:
    return re.sub(r"^[-*+]\s+", "• ", line)


def _append_list(blocks: list[Block], new: ListBlock) -> None:
    """Merge with the previous list when it is the same list split by an empty line."""
    previous = blocks[-1] if blocks else None
    if isinstance(previous, ListBlock) and previous.ordered == new.ordered:
        continues = not new.ordered or new.start == previous.start + len(previous.items)
        if continues:
            blocks[-1] = ListBlock(previous.items + new.items, previous.ordered, previous.start)
            return
    blocks.append(new)


def _paragraphs(lines: Sequence[str]) -> list[str]:
    """Prose lines to paragraphs: a line ending a sentence ends its paragraph.

    Dumps put each web paragraph on one line, but some lose the empty line
    between paragraphs ("... data.\\nThe Problem: ..."); hard-wrapped text
    has lines that stop mid-sentence and are joined back.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    for line in (l.strip() for l in lines):
        current.append(line)
        if line[-1] in ".!?:" or line.endswith(("”", '."', ".)")):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _code_text(lines: Sequence[str]) -> str:
    rows = [line.rstrip() for line in lines]
    while rows and not rows[0]:
        rows.pop(0)
    while rows and not rows[-1]:
        rows.pop()
    return "\n".join(rows)


def _clean_code(code: str) -> tuple[str, bool]:
    """Remove highlighter markup that leaked into code; keep real HTML verbatim."""
    if not _LEAK_SIGNAL.search(code) or _HTML_BLOCK.search(code):
        return code, False
    return html.unescape(_LEAK_TAG.sub("", code)), True


# --- headings ---------------------------------------------------------------------


def _heading_shaped(line: str) -> bool:
    """Short, unpunctuated, title-like: "Step 2: Create the Model", "Why X?"."""
    if len(line) > 120 or len(line.split()) > 16 or line[-1] in ".,;:!" or _INNER_SENTENCE.search(line):
        return False
    if re.fullmatch(r"[A-Za-z_][\w-]*", line):
        return True  # a config name used as a heading: "max_connections"
    return line[0].isupper() or line[0].isdigit() or line[0] in "“\"'‘"


def _is_heading(line: str, following: Sequence[str] | None) -> bool:
    """A lone line between empty lines that is heading-shaped.

    A lone numbered line is a heading only when followed by something else
    than the next numbered line (a loose list "1. A", "2. B" stays a list).
    """
    if not _heading_shaped(line) or following is None:
        return False
    if m := NUMBERED.match(line):
        nxt = [l.strip() for l in following if l.strip()]
        n = NUMBERED.match(nxt[0]) if len(nxt) == 1 else None
        return not (n and int(n["num"]) == int(m["num"]) + 1)
    return True


class _HeadingLevels:
    """Level 2 for sections, 3 for numbered steps, "1. X" sub-sections and FAQ questions.

    When an article's first heading is "1. ...", its numbered headings are
    the sections themselves and stay at level 2 while the count goes on.
    """

    def __init__(self) -> None:
        self.seen_heading = False
        self.top_number: int | None = None
        self.in_faq = False

    def level(self, line: str) -> int:
        first = not self.seen_heading
        self.seen_heading = True
        if m := NUMBERED.match(line):
            n = int(m["num"])
            if (first and n == 1) or (self.top_number is not None and n == self.top_number + 1):
                self.top_number = n
                self.in_faq = bool(_FAQ_SECTION.search(line))
                return 2
            return 3
        if _NUMBERED_HEADING_WORDS.match(line) or (self.in_faq and line.endswith("?")):
            return 3
        self.in_faq = bool(_FAQ_SECTION.search(line))
        return 2
