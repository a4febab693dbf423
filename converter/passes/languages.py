"""Pass: give every code block its language."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from .. import languages
from ..document import CodeBlock, Document

# Languages a tutorial is "written in"; configuration and shell blocks
# accompany a tutorial but don't make its main language.
_MAIN_LANGUAGES = frozenset(("python", "javascript", "typescript", "go", "ruby", "sql", "java", "rust", "php"))


def assign_languages(doc: Document) -> Document:
    """Detect each block's language; short ambiguous blocks take the tutorial's main language."""
    alone = [languages.detect(b.code, b.declared) if isinstance(b, CodeBlock) else "" for b in doc.blocks]
    counts = Counter(lang for lang in alone if lang in _MAIN_LANGUAGES)
    if counts["typescript"]:  # JavaScript is TypeScript: one block only TypeScript has decides
        counts["typescript"] += counts.pop("javascript", 0)
    main = counts.most_common(1)[0][0] if counts else ""
    blocks = tuple(
        replace(b, language=_in_context(b, lang, main)) if isinstance(b, CodeBlock) else b
        for b, lang in zip(doc.blocks, alone)
    )
    return replace(doc, blocks=blocks)


def _in_context(block: CodeBlock, alone: str, main: str) -> str:
    if alone == "text":
        return languages.detect(block.code, block.declared, context=main)
    # JavaScript is TypeScript: in a TypeScript tutorial an undeclared block without type
    # annotations (`app.listen(env.PORT)`) is TypeScript too.
    if alone == "javascript" and main == "typescript" and not block.declared:
        return "typescript"
    return alone
