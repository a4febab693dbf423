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
import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ..classify import BULLET, NUMBERED, Kind, label_run, line_is_code
from ..document import Block, CodeBlock, Document, Heading, ListBlock, Meta, Paragraph
from ..errors import SourceError
from ..languages import detect as detect_language, normalize as normalize_language
from ..myst_escape import escape
from . import Split, read_in_process, what_stopped

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


# What a copied page's buttons say: the code box's "Copy" (a header line naming the
# language goes with it), "Copied!".
_BUTTON_TEXT = re.compile(r"^\s*(?:Copy(?: code| to clipboard)?|Copied!?)\s*$", re.I)
# lynx's numbered links: "[12]text" in the page, "  12. https://..." under "References".
_REFERENCE = re.compile(r"^\s*\d+\.\s+\w[\w+.-]*:\S*$")
_LINK_NUMBER = re.compile(r"(?<![\w\]\[])\[\d+\](?=\S)")
# Jupyter's prompts, alone on their line in a copied notebook page.
_NOTEBOOK_PROMPT = re.compile(r"^\s*(?P<which>In|Out)\s?\[\s*\d*\s*\]:\s*$")
# Python's traceback header, plain or IPython's ("ValueError    Traceback (most recent call last)").
_TRACEBACK = re.compile(r"Traceback \(most recent call last\)")
_EXCEPTION_LINE = re.compile(r"^\s*[A-Z]\w*(?:Error|Exception|Warning|Interrupt|Exit)\b.*$")
# A line-number gutter: the number, the separator, the code.
_GUTTER = re.compile(r"^\s*(?P<num>\d{1,4})(?P<sep>\s+|$)(?P<rest>.*)$")
# A file name alone on its line: a code box's caption.
_FILE_NAME = re.compile(
    r"^[\w.-]*[\w-]\.(?:py|js|mjs|ts|tsx|jsx|go|rb|sql|sh|bash|yaml|yml|json|toml|ini|cfg|conf|env|md|txt|html"
    r"|css|java|rs|php|c|h|cpp|xml|lock|dockerfile)$|^(?:Dockerfile|Makefile|Gemfile|Procfile)$", re.I)


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
    return read_in_process("text", text, source=source)


@dataclass(frozen=True, slots=True)
class Entry:
    """One article of a dump, with what the page says of all of them."""

    article: _Article
    body_indent: int
    tags: tuple[str, ...]
    """From the page's "Tag: X" header."""
    source: str


def split(text: str, *, source: str) -> tuple[list[Entry], list[str]]:
    """The dump's articles, and notes on the page text around them that was dropped."""
    if "\x00" in text:
        raise SourceError(source, "binary data (NUL bytes), not a text dump")
    # A copied &nbsp; is U+00A0: in code it is indentation (Python rejects it), in prose a space.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = text.expandtabs(4).split("\n")
    if not any(line.strip() for line in lines):
        raise SourceError(source, "empty text dump")
    lines, link_notes = _without_link_references(lines)
    body_indent = _body_indent(lines)
    preamble, articles = _split_articles(lines, body_indent)
    tags, page_notes = _page_header(preamble)
    return [Entry(article, body_indent, tags, source) for article in articles], link_notes + page_notes


def build(entry: Entry) -> Document | None:
    """The article's tutorial; None when it has no content."""
    built = _build_article(entry.article, entry.body_indent)
    if not built.blocks:
        return None
    meta = Meta(title=entry.article.title, source=entry.source, tags=tuple(dict.fromkeys(entry.tags + built.tags)))
    return Document(meta=meta, blocks=built.blocks, notes=built.notes)


def assemble(split: Split, built: Sequence[Document | None | BaseException]) -> list[Document]:
    """The dump's tutorials from its articles as built, its notes on the first; SourceError
    when no article is left."""
    notes, documents = list(split.notes), []
    for entry, document in zip(split.entries, built):
        title = entry.article.title
        if isinstance(document, BaseException):  # one bad article must not cost the others
            notes.append(f"skipped article {title!r} that could not be read ({what_stopped(document)})")
        elif document is None:
            notes.append(f"skipped article without content: {title!r}")
        else:
            documents.append(document)
    if not documents:
        raise SourceError(split.source, "no readable article (only page header, footer or titles)")
    # After the loop: an article skipped after the first one is noted too.
    documents[0] = replace(documents[0], source_notes=tuple(notes))
    return documents


def _without_link_references(lines: list[str]) -> tuple[list[str], list[str]]:
    """A `lynx -dump`: "[3]" before each link's text and a closing "References" list of
    numbered addresses. Both are the browser's, not the article's; only taken out when the
    list is there, so "[1]" in other dumps is left alone."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and (_REFERENCE.match(lines[start - 1]) or not lines[start - 1].strip()):
        start -= 1
    if start == end or not start or lines[start - 1].strip() != "References":
        return lines, []
    kept = [_LINK_NUMBER.sub("", line) for line in lines[: start - 1]]
    return kept, [f"dropped the dump's list of {end - start} link references (lynx)"]


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
    # Two views of each kept line: relative to the body margin (for telling code from prose)
    # and as written (code keeps its own indentation: lynx puts code left of the margin).
    kept: list[str | None] = []  # None = empty line (paragraph break), "" = blank code line
    raws: list[str | None] = []
    prompts: dict[int, str] = {}  # kept index -> "In" / "Out": a notebook prompt stood before it
    boxes: dict[int, str] = {}  # kept index -> the language a code box's header named above it
    first_text = True
    for raw in article.lines:
        if not raw.strip():
            kept.append("" if raw else None)
            raws.append("" if raw else None)
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
        if _BUTTON_TEXT.match(raw):
            notes.append(f"dropped a button's text {raw.strip()!r}")
            # "python" / "Copy code" above code: the box's header names the code's language.
            if kept and kept[-1] and normalize_language(kept[-1].strip()) and " " not in kept[-1].strip():
                boxes[len(kept) - 1] = kept.pop().strip()
                raws.pop()
            continue
        if m := _NOTEBOOK_PROMPT.match(raw):
            # Jupyter's "In [3]:" / "Out[3]:" are the page's, not the code's: the block after
            # an In prompt is code, after an Out prompt what the cell printed.
            prompts[len(kept)] = m["which"]
            continue
        first_text = False
        kept.append(raw[min(_indent(raw), body_indent) :].rstrip())
        raws.append(raw.rstrip())
    runs = _runs(kept)
    # A dump that marks code with whitespace-only lines (the seed's layout) separates blocks
    # with empty lines; in one that does not, an empty line between code is a blank line of code.
    separates = "" in kept
    blocks = _blocks(_join_tracebacks(runs, kept, raws), _Lines(kept, raws, _run_prompts(runs, prompts),
                                                          _run_prompts(runs, boxes), separates))
    cleaned: list[Block] = []
    for block in blocks:
        if isinstance(block, CodeBlock):
            code, leaked = _clean_code(_single_spaced(textwrap.dedent(block.code)))
            if leaked:
                notes.append("removed leaked HTML markup from a code block")
            block = CodeBlock(code=code, language="", declared=block.declared)
        cleaned.append(block)
    return _Built(tuple(cleaned), tuple(dict.fromkeys(notes)), tuple(tags))


@dataclass(frozen=True, slots=True)
class _Lines:
    rel: list[str | None]
    """Each kept line relative to the body margin."""
    raw: list[str | None]
    """The same line as the dump has it."""
    prompts: dict[int, str]
    """Index of a run's first line -> the notebook prompt ("In", "Out") that stood above it."""
    boxes: dict[int, str]
    """Index of a run's first line -> the language named by the code box header above it."""
    empty_separates: bool
    """An empty line between two code runs separates two blocks (else it is inside one)."""


def _runs(lines: Sequence[str | None]) -> list[list[int]]:
    """Group line indices between empty lines; whitespace-only lines stay inside runs."""
    runs: list[list[int]] = []
    current: list[int] = []
    for i, line in enumerate(lines):
        if line is None:
            if any(lines[j].strip() for j in current):
                runs.append(current)
            current = []
        else:
            current.append(i)
    if any(lines[j].strip() for j in current):
        runs.append(current)
    return runs


def _run_prompts(runs: list[list[int]], prompts: dict[int, str]) -> dict[int, str]:
    """Each prompt (or box header) belongs to the first run at or after the place it stood."""
    owned: dict[int, str] = {}
    for at, which in prompts.items():
        run = next((r for r in runs if r[0] >= at), None)
        if run is not None:
            owned[run[0]] = which
    return owned


def _join_tracebacks(runs: list[list[int]], lines: list[str | None], raws: list[str | None]) -> list[list[int]]:
    """A traceback's last line ("ValueError: ...") after an empty line belongs to the traceback;
    the empty lines between become blank lines of it (in `lines` and `raws`)."""
    joined: list[list[int]] = []
    for run in runs:
        previous = joined[-1] if joined else []
        if (len(run) == 1 and _EXCEPTION_LINE.match(lines[run[0]] or "")
                and any(_TRACEBACK.search(lines[i] or "") for i in previous)):
            gap = list(range(previous[-1] + 1, run[0]))
            for i in gap:
                lines[i] = raws[i] = ""
            joined[-1] = previous + gap + run
        else:
            joined.append(run)
    return joined


@dataclass(frozen=True, slots=True)
class _Segment:
    kind: Kind
    lines: tuple[int, ...]


def _segments(run: Sequence[int], lines: _Lines) -> list[_Segment]:
    """Consecutive lines of one kind; blank lines belong to the code around them."""
    labels = label_run([lines.rel[i] for i in run])
    segments: list[_Segment] = []
    for index, kind in zip(run, labels):
        if kind is Kind.BLANK:
            kind = Kind.CODE
        if segments and segments[-1].kind is kind:
            segments[-1] = _Segment(kind, segments[-1].lines + (index,))
        else:
            segments.append(_Segment(kind, (index,)))
    # Blank lines outside code (after a list, before code) are just spacing.
    return [s for s in segments if s.kind is not Kind.CODE or any(lines.rel[i].strip() for i in s.lines)]


def _whole_run_kind(run: Sequence[int], lines: _Lines) -> str:
    """ "output" or "code" when the run as a whole is known to be that, "" otherwise."""
    text = [lines.rel[i] for i in run if lines.rel[i].strip()]
    prompt = lines.prompts.get(run[0])
    if prompt == "Out" or any(_TRACEBACK.search(t) for t in text):
        return "output"
    if prompt == "In":
        return "code"
    # Indented as a whole under prose at the margin: pandoc, e-mail and Markdown-ish dumps
    # indent code by four. Quotes and list items may be indented as far, so one line at
    # least must read as code.
    if all(_indent(t) >= 4 for t in text) and any(line_is_code(t) for t in text):
        return "code"
    return ""


def _blocks(runs: list[list[int]], lines: _Lines) -> list[Block]:
    blocks: list[Block] = []
    levels = _HeadingLevels()
    box = ""  # the language of the code box being read, until prose resumes
    for index, run in enumerate(runs):
        run = _without_gutter(run, lines)
        if run[0] in lines.boxes:
            box = lines.boxes[run[0]]
            blocks.append(CodeBlock(code=_code_text([lines.raw[i] for i in run]), declared=box))
            continue
        if box and all(s.kind is Kind.CODE for s in _segments(run, lines)):
            # The box goes on past an empty line: its code is one block.
            code = _code_text([lines.raw[i] for i in run])
            blocks[-1] = CodeBlock(code=blocks[-1].code + "\n\n" + code, declared=box)
            continue
        box = ""
        if whole := _whole_run_kind(run, lines):
            _append(blocks, _Segment(Kind.CODE, tuple(run)), lines, declared="output" if whole == "output" else "")
            continue
        segments = _segments(run, lines)
        if len(segments) == 1 and segments[0].kind in (Kind.PROSE, Kind.NUMBERED) and len(segments[0].lines) == 1:
            line = lines.rel[segments[0].lines[0]].strip()
            following = [lines.rel[i] for i in runs[index + 1]] if index + 1 < len(runs) else None
            if _is_heading(line, following) and not _FILE_NAME.match(line):
                blocks.append(Heading(levels.level(line), escape(line)))
                continue
        if len(segments) == 1 and len(run) == 1 and _FILE_NAME.match(lines.rel[run[0]].strip()):
            # A file name alone above code is the code box's caption ("deps.py"), not code.
            blocks.append(Paragraph(escape(lines.rel[run[0]].strip())))
            continue
        for segment in segments:
            _append(blocks, segment, lines)
    return blocks


def _without_gutter(run: list[int], lines: _Lines) -> list[int]:
    """Strip a line-number gutter copied with the code ("1  import x", "2", "3  y = 1").

    Numbers that count up by one from the first line, each followed by the same
    separator, are the page's, not the code's; one numbered line only when the rest
    is code. The lines are rewritten in `lines` (both views).
    """
    numbered = [(_GUTTER.match(lines.raw[i] or ""), i) for i in run if (lines.raw[i] or "").strip()]
    if not numbered or any(m is None for m, _ in numbered):
        return run
    first = int(numbered[0][0]["num"])
    if [int(m["num"]) for m, _ in numbered] != list(range(first, first + len(numbered))):
        return run
    if sum(bool(m["rest"]) for m, _ in numbered) * 2 < len(numbered):
        return run  # a program's output counting "1", "2", "3"
    width = len(numbered[0][0]["sep"])
    if len(numbered) == 1 and not (width >= 2 and line_is_code(numbered[0][0]["rest"])):
        return run
    for m, i in numbered:
        rest = m["sep"][width:] + m["rest"] if len(m["sep"]) >= width else m["rest"]
        lines.raw[i] = rest.rstrip()
        lines.rel[i] = rest.rstrip()
    return run


def _append(blocks: list[Block], segment: _Segment, lines: _Lines, *, declared: str = "") -> None:
    """Add a segment's blocks, continuing code or lists split by empty lines."""
    texts = [lines.rel[i] for i in segment.lines]
    if segment.kind is Kind.CODE:
        code = _code_text([lines.raw[i] for i in segment.lines])
        previous = blocks[-1] if blocks else None
        # Code split by an empty line whose next part is indented continues it.
        continues = texts[0].startswith(" ") or (not lines.empty_separates and _same_program(previous, code))
        if isinstance(previous, CodeBlock) and continues and previous.declared == declared:
            blocks[-1] = CodeBlock(code=previous.code + "\n\n" + code, declared=declared)
        else:
            blocks.append(CodeBlock(code=code, language="", declared=declared))
    elif segment.kind is Kind.BULLET:
        items = tuple(escape(BULLET.sub(r"\g<text>", _ascii_bullet(l.strip()))) for l in texts)
        _append_list(blocks, ListBlock(items=items, ordered=False))
    elif segment.kind is Kind.NUMBERED:
        matches = [NUMBERED.match(l.strip()) for l in texts]
        items = tuple(escape(m["text"]) for m in matches)
        _append_list(blocks, ListBlock(items=items, ordered=True, start=int(matches[0]["num"])))
    else:
        blocks.extend(Paragraph(escape(text)) for text in _paragraphs(texts))


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


def _same_program(before: Block | None, after: str) -> bool:
    """Whether code after an empty line can go on the code block before it: not when they are
    plainly two languages (a program, then the `$ go run` that runs it)."""
    if not isinstance(before, CodeBlock):
        return False
    a, b = detect_language(textwrap.dedent(before.code)), detect_language(textwrap.dedent(after))
    return a == b or "text" in (a, b) or {a, b} <= {"javascript", "typescript"}


def _single_spaced(code: str) -> str:
    """Code pasted from a page that breaks lines with <br> comes double-spaced: every line is
    followed by an empty one. Then n empty lines stand for (n - 1) // 2 blank lines of code."""
    lines = code.split("\n")
    text_rows = [i for i, line in enumerate(lines) if line.strip()]
    if len(text_rows) < 3 or any(b - a < 2 for a, b in zip(text_rows, text_rows[1:])):
        return code
    out: list[str] = []
    for a, b in zip(text_rows, text_rows[1:]):
        out.append(lines[a])
        out += [""] * ((b - a - 2) // 2)
    return "\n".join(out + [lines[text_rows[-1]]])


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
