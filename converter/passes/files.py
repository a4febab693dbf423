"""Pass: find the Python blocks a tutorial asks you to save as files.

A block is a file when its first line is a comment naming it (`# app/routes.py`)
or when the text just before it names one .py file ("Create a file named
auth.py:", "Open accounts/models.py.", "In app/main/routes.py, we define ...",
a bold path on its own). Only files something imports are written with
`%%writefile` (the `runnability` pass decides); the others simply run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ..document import Block, CodeBlock, Document, Paragraph

# "# app/main/routes.py" alone on the first line; "# Inside admin/routes.py" is
# a snippet *inside* a file, not the file.
_FIRST_LINE = re.compile(r"^\s*#\s*([\w.-]+(?:/[\w.-]+)*\.py)\s*$")
_PATH = re.compile(r"(?<![\w/.-])([\w-]+(?:/[\w.-]+)*\.py)\b")
# A file named in a shell command ("python app.py", "run.py file you execute")
# is something you run, not something the text asks you to write.
_COMMAND = re.compile(r"\b(python3?|uv run|pytest|flask run|gunicorn|uvicorn)\s+\S*$")


def find_files(doc: Document) -> Document:
    """Set `file` on Python blocks that the tutorial presents as a file to create."""
    blocks: list[Block] = []
    for index, block in enumerate(doc.blocks):
        if isinstance(block, CodeBlock) and block.language == "python" and not block.file:
            path = file_named(block.code, text_before(doc.blocks, index))
            if path:
                block = replace(block, file=path)
        blocks.append(block)
    return replace(doc, blocks=tuple(blocks))


def file_named(code: str, before: str) -> str:
    """The file a block is, from its first line or the text right before it; "" if none."""
    first = code.split("\n", 1)[0]
    match = _FIRST_LINE.match(first)
    if match:
        return match.group(1)
    plain = re.sub(r"\\(.)", r"\1", before).replace("`", "").replace("**", "")
    paths = {m.group(1) for m in _PATH.finditer(plain) if not _COMMAND.search(plain[: m.start()])}
    return paths.pop() if len(paths) == 1 else ""


def text_before(blocks: Sequence[Block], index: int) -> str:
    """The paragraph introducing block `index` ("" if a heading or code comes first)."""
    previous = blocks[index - 1] if index else None
    return previous.text if isinstance(previous, Paragraph) else ""
