"""Pass: give every code block its language."""

from __future__ import annotations

from dataclasses import replace

from .. import languages
from ..document import CodeBlock, Document


def assign_languages(doc: Document) -> Document:
    """Detect each block's language, trusting what the source declared when it is plausible."""
    blocks = tuple(
        replace(b, language=languages.detect(b.code, b.declared)) if isinstance(b, CodeBlock) else b
        for b in doc.blocks
    )
    return replace(doc, blocks=blocks)
