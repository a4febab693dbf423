"""Plain text to inline CommonMark (MyST) and back, shared by the readers."""

from __future__ import annotations

import re

# Characters that start Markdown/MyST syntax anywhere in a line.
_ANYWHERE = re.compile(r"([\\`*\[\]<>|])")
# Intraword underscores (snake_case) are literal in CommonMark; only escape
# underscores that could open or close emphasis.
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# Entity-like text (&amp; &#38;) would be decoded by the renderer.
_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Syntax that only matters at the start of a line: headings, lists, quotes,
# MyST comments (%), targets ((x)=), directives (:::), block breaks (+++), rules.
_LINE_START = re.compile(r"^(\s*)([#>%+=~:-]|\d+[.)](?=\s|$)|\(\S+\)=)")


def escape(text: str) -> str:
    """Escape plain text so that Markdown renders it literally."""
    text = _ANYWHERE.sub(r"\\\1", text)
    text = _EMPHASIS_UNDERSCORE.sub(r"\\_", text)
    text = _ENTITY.sub("&amp;", text)
    text = text.replace("{", "\\{").replace("$", "\\$")
    return "\n".join(escape_line_start(line) for line in text.split("\n"))


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
    """Wrap text in a code span with enough backticks to hold it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
