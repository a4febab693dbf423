"""Course pass: keep tutorials, keep conceptual posts as reading chapters, leave out the rest."""

from __future__ import annotations

import re
from dataclasses import replace

from ..document import Course, Document, Excluded, Heading, ListBlock, Paragraph, Table

# A post without code is still worth reading in a course when it is structured
# teaching material: sections, lists or tables, and enough words to teach.
_MIN_SECTIONS = 2
_MIN_WORDS = 300
# Share of sentences told in the first person above which a post is personal
# writing (a life update, an announcement) rather than teaching.
_PERSONAL_SHARE = 0.35
_FIRST_PERSON = re.compile(r"\b(I|I'm|I've|my|me|myself)\b")


def select_tutorials(course: Course) -> Course:
    """Mark each document tutorial or reading; move non-tutorials to `excluded`."""
    kept: list[Document] = []
    excluded = list(course.excluded)
    for doc in course.documents:
        kind, reason = classify(doc)
        if kind == "excluded":
            excluded.append(Excluded(doc.meta.title, doc.meta.source, reason))
        else:
            kept.append(replace(doc, meta=replace(doc.meta, kind=kind)))
    return replace(course, documents=tuple(kept), excluded=tuple(excluded))


def classify(doc: Document) -> tuple[str, str]:
    """("tutorial" | "reading" | "excluded", reason)."""
    if doc.code_blocks:
        return "tutorial", ""
    prose = " ".join(_text(b) for b in doc.blocks)
    words = len(prose.split())
    sections = sum(isinstance(b, Heading) for b in doc.blocks)
    structured = sections >= _MIN_SECTIONS or any(isinstance(b, (ListBlock, Table)) for b in doc.blocks)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", prose) if s.strip()]
    personal = sum(bool(_FIRST_PERSON.search(s)) for s in sentences) / max(len(sentences), 1)
    if personal > _PERSONAL_SHARE:
        return "excluded", f"not a tutorial: no code and {personal:.0%} of its sentences are personal (first person)"
    if not structured or words < _MIN_WORDS:
        return "excluded", f"not a tutorial: no code, {sections} sections, {words} words"
    return "reading", ""


def _text(block: object) -> str:
    if isinstance(block, (Paragraph, Heading)):
        return block.text
    if isinstance(block, ListBlock):
        return " ".join(block.items)
    return ""
