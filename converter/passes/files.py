"""Pass: find the blocks (Python, JavaScript, TypeScript) a tutorial asks you to save as files.

A block is a file when its first line is a comment naming it (`# app/routes.py`,
`// server.js`) or when the text just before it names one file of its language ("Create a file named
auth.py:", "Open accounts/models.py.", "In app/main/routes.py, we define ...",
a bold path on its own). Only files something imports are written with
`%%writefile` (the `runnability` pass decides); the others simply run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..document import Block, CodeBlock, Document, Paragraph

# Language -> (its comment marker, its files' extensions).
_FILE_KINDS = {"python": ("#", r"py"), "javascript": ("//", r"m?js|cjs"), "typescript": ("//", r"ts")}


def _first_line(language: str) -> re.Pattern[str]:
    """"# app/main/routes.py" alone on the first line; "# Inside admin/routes.py" is
    a snippet *inside* a file, not the file."""
    comment, extensions = _FILE_KINDS[language]
    return re.compile(rf"^\s*{re.escape(comment)}\s*([\w.-]+(?:/[\w.-]+)*\.(?:{extensions}))\s*$")


def _path(language: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w/.-])([\w-]+(?:[./][\w-]+)*\.(?:{_FILE_KINDS[language][1]}))\b")


# A file named in a shell command ("python app.py", "run.py file you execute")
# is something you run, not something the text asks you to write.
_COMMAND = re.compile(r"\b(python3?|uv run|pytest|flask run|gunicorn|uvicorn|node|npx|ts-node)\s+\S*$")


def find_files(doc: Document) -> Document:
    """Set `file` on the blocks that the tutorial presents as a file to create."""
    blocks: list[Block] = []
    for index, block in enumerate(doc.blocks):
        if isinstance(block, CodeBlock) and block.language in _FILE_KINDS and not block.file:
            path = file_named(block.code, text_before(doc.blocks, index), block.language)
            if path:
                block = replace(block, file=path)
        blocks.append(block)
    return replace(doc, blocks=tuple(blocks))


def file_named(code: str, before: str, language: str = "python") -> str:
    """The file a block is, from its first line or the text right before it; "" if none."""
    first = code.split("\n", 1)[0]
    match = _first_line(language).match(first)
    if match:
        return match.group(1)
    plain = re.sub(r"\\(.)", r"\1", before).replace("`", "").replace("**", "")
    paths = {m.group(1) for m in _path(language).finditer(plain) if not _COMMAND.search(plain[: m.start()])}
    if language != "python" and plain.strip().rstrip(":") not in paths and not re.search(r"\bfiles?\b", plain, re.I):
        return ""  # "highlight.js does the same", "Node.js": a library, unless the text speaks of a file
    return paths.pop() if len(paths) == 1 else ""


def text_before(blocks: Sequence[Block], index: int) -> str:
    """The paragraph introducing block `index` ("" if a heading or code comes first)."""
    previous = blocks[index - 1] if index else None
    return previous.text if isinstance(previous, Paragraph) else ""
