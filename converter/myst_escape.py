"""Source text to MyST, one escaping function per context.

Every string that comes from a source (titles, prose, URLs, alt text, code)
reaches the MyST we write through one of these, so that nothing a tutorial
says can become markup in the book: no HTML, no directive, role, target,
block break or front matter, no local file reference.

- `escape`: plain text inside a paragraph, heading, list item or cell;
- `code_span`: text shown as inline code;
- `link_target`: a link or image address (only http and https are kept);
- `code_fence`: code shown in a fenced block.

YAML front matter is the fourth context: jupytext writes the notebook metadata
with PyYAML, which quotes whatever needs it (tests/test_myst_escape.py checks it).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urljoin, urlsplit

from .characters import clean_text

__all__ = ["escape", "escape_mid_line", "escape_line_start", "code_span", "text_with_code", "link_target", "code_fence"]

# Characters that start Markdown/MyST syntax anywhere in a line.
_ANYWHERE = re.compile(r"([\\`*\[\]<>|])")
# Intraword underscores (snake_case) are literal in CommonMark; only escape
# underscores that could open or close emphasis.
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# Entity-like text (&amp; &#38;) would be decoded by the renderer.
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Syntax that only matters at the start of a line: headings, lists, quotes,
# MyST comments (%), targets ((x)=), directives (:::), block breaks (+++), rules.
# A target is any line that starts with "(" and ends with ")=", spaces inside or not.
_LINE_START = re.compile(r"^(\s*)([#>%+=~:-]|\d+[.)](?=\s|$)|\((?=.*\)=\s*$))")


def escape(text: str) -> str:
    """Escape plain text so that Markdown renders it literally."""
    # Line breaks first: a form feed that became one later would start a line unescaped.
    text = _ANYWHERE.sub(r"\\\1", clean_text(text))
    text = _EMPHASIS_UNDERSCORE.sub(r"\\_", text)
    text = _ENTITY.sub("&amp;", text)
    text = text.replace("{", "\\{").replace("$", "\\$")
    return "\n".join(escape_line_start(line) for line in text.split("\n"))


# Stands before text that sits mid-line while it is escaped: U+2060 is no line-start
# syntax and not a letter ("`x`: y" must not become "`x`\\: y"; "_" stays escaped).
_NOT_LINE_START = "\u2060"


def escape_mid_line(text: str) -> str:
    """`escape` for text that follows other text on its line: its first line is not a line
    start (the lines after it are); whoever joins it to a line start escapes that."""
    return escape(_NOT_LINE_START + text)[len(_NOT_LINE_START):]


def escape_line_start(line: str) -> str:
    """Escape what would start block syntax (heading, list, quote, MyST comment) at a line start."""
    match = _LINE_START.match(line)
    if not match:
        return line
    indent, token = match.groups()
    if token[0].isdigit():  # "1." -> "1\." keeps the number, drops the list
        return f"{indent}{token[:-1]}\\{token[-1]}{line[match.end():]}"
    return f"{indent}\\{line[len(indent):]}"


def code_span(text: str) -> str:
    """Wrap text in a code span with enough backticks to hold it.

    On one line: a newline inside a paragraph lets the next line open a fence
    or a directive before inline parsing ever sees the span.
    """
    text = " ".join(clean_text(text).split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_CODE_PART = re.compile(r"(`[^`\n]+`)")


def text_with_code(text: str) -> str:
    """Text whose `...` parts are code (the reasons and notes the passes write, which quote
    the tutorial's code): each part becomes a `code_span`, the rest is `escape`d. A quote
    holding backticks of its own can't close a span early or leave a role live: what is
    not a clean `...` part is text, backticks and braces escaped."""
    parts = _CODE_PART.split(text)
    return "".join(code_span(part[1:-1]) if i % 2 else escape_mid_line(part) if i else escape(part)
                   for i, part in enumerate(parts))


# Kept as they are in a link destination; every other ASCII character is
# percent-encoded: spaces and ( ) < > end or break the destination, \ and `
# are escapes or code, { } and | are MyST and table syntax.
_URL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'*+,;=%")
_WEB_SCHEMES = ("http", "https")


def link_target(url: str, *, base: str = "") -> str:
    """A link or image address, joined to `base`, safe inside `](...)`; "" unless it is http(s).

    Anything else (a relative or local path, file:, javascript:, data:) would
    be a live script or a reference to a file on the machine that builds the book.
    """
    try:
        url = urljoin(base, url.strip()) if base else url.strip()
        parts = urlsplit(url)
    except ValueError:  # "http://[broken"
        return ""
    if parts.scheme.lower() not in _WEB_SCHEMES or not parts.netloc:
        return ""
    return "".join(char if _url_char_kept(char) else _percent(char) for char in url)


def _url_char_kept(char: str) -> bool:
    if char.isascii():
        return char in _URL_SAFE
    # Letters of other scripts stay readable; spaces and controls never do.
    return not char.isspace() and unicodedata.category(char)[0] not in "CZ"


def _percent(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


_INFO = re.compile(r"[A-Za-z0-9_+#.-]+")


def code_fence(code: str, info: str = "") -> str:
    """Code in a backtick fence longer than any backtick run inside it.

    The info string is a language name or "text": a fence's info string is
    where a directive (```{raw}) would be named.
    """
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    info = info if _INFO.fullmatch(info) else "text"
    return f"{fence}{info}\n{code}\n{fence}"
