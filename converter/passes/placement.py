"""Course pass: give each tutorial a chapter and a unique slug.

Chapters come from the course's `_config.yml` (`course: chapters:`, each a title, a
folder and keywords; their order is the book's): a tutorial goes to the chapter whose
keywords best match its title (weight 3), tags (2) and headings (1). Without that list,
chapters come from the tutorials themselves: the language most of a tutorial's code is
in ("Python", "JavaScript & TypeScript", "Databases & SQL", ...), and "Concepts" for a
tutorial without code. A chapter that grows past SPLIT_ABOVE tutorials is split by what its
tutorials share: the tag or title word most of them have in common (but not more than half of
the chapter: that says nothing of a subject) becomes a chapter of its own ("Python · Flask"),
and so on while the rest is still too long. Nothing here knows any particular source.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from ..document import CodeBlock, Course, Document, Heading


@dataclass(frozen=True, slots=True)
class Chapter:
    """A part of the book and the words (or the languages) that place a tutorial in it."""

    title: str
    folder: str
    keywords: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()


# Without configured chapters: by the main language of a tutorial's code, in this order.
BY_LANGUAGE: tuple[Chapter, ...] = (
    Chapter("Python", "python", languages=("python",)),
    Chapter("JavaScript & TypeScript", "javascript", languages=("javascript", "typescript", "jsx", "tsx")),
    Chapter("Databases & SQL", "databases", languages=("sql", "mysql", "postgresql", "sqlite")),
    Chapter("Go", "go", languages=("go",)),
    Chapter("Ruby", "ruby", languages=("ruby", "erb")),
    Chapter("Rust", "rust", languages=("rust",)),
    Chapter("Java & Kotlin", "jvm", languages=("java", "kotlin", "scala", "groovy")),
    Chapter("Shell & tooling", "tooling", languages=("shell", "bash", "console", "powershell", "dockerfile", "yaml", "toml", "ini", "make")),
)
CONCEPTS = Chapter("Concepts", "concepts")
"""Tutorials without code, when chapters come from the languages."""
FALLBACK = Chapter("More tutorials", "more")
# Code that says nothing of a tutorial's subject.
_NOT_A_LANGUAGE = frozenset({"", "text", "output", "plaintext", "none", "json", "html", "xml", "markdown", "http", "diff", "csv"})
_SLUG_NOISE = frozenset("a an the to for of and your with mastering ultimate guide complete".split())
_MAX_SLUG_WORD = 24
_MAX_SLUG_WORDS = 6
SPLIT_ABOVE = 15
"""A chapter inferred from languages with more tutorials than this is split by subject."""
_MIN_GROUP = 3
SUBCHAPTER = " · "


def chapters_from_config(config: Mapping) -> tuple[Chapter, ...]:
    """The chapters `_config.yml` lists under `course: chapters:` (title, folder, keywords), in
    order; () when it lists none. A chapter without a folder gets its title's slug."""
    listed = (config.get("course") or {}).get("chapters") if isinstance(config, Mapping) else None
    found = []
    for item in listed if isinstance(listed, list) else []:
        if isinstance(item, Mapping) and str(item.get("title") or "").strip():
            title = str(item["title"]).strip()
            keywords = tuple(str(k).lower() for k in item.get("keywords") or () if str(k).strip())
            found.append(Chapter(title, slugify(str(item.get("folder") or title)), keywords))
    return tuple(found)


def book_chapters(configured: Sequence[Chapter] = ()) -> tuple[Chapter, ...]:
    """Every chapter a tutorial can be placed in, in the book's order."""
    return (*configured, FALLBACK) if configured else (*BY_LANGUAGE, CONCEPTS, FALLBACK)


def place_tutorials(course: Course, chapters: Sequence[Chapter] = ()) -> Course:
    """Set `meta.chapter` and a unique `meta.slug` for every document."""
    used: set[str] = set()
    placed = []
    for doc in course.documents:
        chapter = chapter_for(doc, chapters) if chapters else chapter_by_language(doc)
        slug = _unique(slugify(doc.meta.title), used)
        used.add(slug)
        placed.append(replace(doc, meta=replace(doc.meta, chapter=chapter.title, slug=slug)))
    if not chapters:
        placed = split_by_subject(placed)
    return replace(course, documents=tuple(placed))


def split_by_subject(docs: list[Document]) -> list[Document]:
    """Chapters longer than SPLIT_ABOVE split by the subjects their tutorials share (see above)."""
    chapter_of = {id(d): d.meta.chapter for d in docs}
    subjects: dict[int, set[str]] = {}
    for chapter in dict.fromkeys(chapter_of.values()):
        remaining = [d for d in docs if chapter_of[id(d)] == chapter]
        if len(remaining) > SPLIT_ABOVE:
            subjects.update((id(d), _subjects(d)) for d in remaining)
        while len(remaining) > SPLIT_ABOVE:
            broad = len(remaining) / 2
            counts = Counter(s for d in remaining for s in subjects[id(d)])
            shared = [(n, key) for key, n in counts.items() if _MIN_GROUP <= n <= broad]
            if not shared:
                break
            _n, key = min(shared, key=lambda c: (-c[0], c[1]))  # the most shared; alphabetical on a tie
            group = [d for d in remaining if key in subjects[id(d)]]
            name = _display(key, [d.meta.title for d in group], [t for d in group for t in d.meta.tags])
            for d in group:
                chapter_of[id(d)] = f"{chapter}{SUBCHAPTER}{name}"
            remaining = [d for d in remaining if key not in subjects[id(d)]]
    return [replace(d, meta=replace(d.meta, chapter=chapter_of[id(d)])) if chapter_of[id(d)] != d.meta.chapter else d
            for d in docs]


def _subjects(doc: Document) -> set[str]:
    """What a tutorial is about, as comparable words: its tags and its title's longer words."""
    tags = {_word(t) for t in doc.meta.tags}
    words = {w for w in re.findall(r"[a-z][a-z0-9+#.-]*[a-z0-9+#]", doc.meta.title.lower()) if len(w) >= 4}
    return (tags | words) - {""}


def _word(text: str) -> str:
    return re.sub(r"[^a-z0-9+#.]+", "", text.lower().lstrip("#"))


def _display(key: str, titles: list[str], tags: list[str]) -> str:
    """The subject as the titles spell it most ("FastAPI", "asyncio"), else as a tag, capitalised."""
    def spellings(texts: list[str]) -> Counter:
        return Counter(m for text in texts for m in re.findall(r"[\w+#.-]+", text.lstrip("#")) if _word(m) == key)
    found = spellings(titles)
    if found:
        return max(found.items(), key=lambda kv: (kv[1], kv[0]))[0]
    tag = max(spellings(tags).items(), key=lambda kv: (kv[1], kv[0]), default=(key, 0))[0]
    return tag if tag != tag.lower() else tag[:1].upper() + tag[1:]


def chapter_for(doc: Document, chapters: Sequence[Chapter]) -> Chapter:
    """The chapter whose keywords best match the title, tags and headings (the first on a tie)."""
    weighted = [(doc.meta.title, 3), (" ".join(doc.meta.tags), 2)]
    weighted += [(b.text, 1) for b in doc.blocks if isinstance(b, Heading)]
    # Each text's words counted once, and matched against each chapter's (a chapter has
    # hundreds of keywords, a heading a few words).
    counted = [(Counter(_keywords_in(text)), weight) for text, weight in weighted]
    scores = []
    for index, chapter in enumerate(chapters):
        keywords = _counted(chapter.keywords)
        score = sum(weight * sum(n * keywords[w] for w, n in words.items() if w in keywords) for words, weight in counted)
        scores.append((score, -index, chapter))
    best = max(scores, key=lambda s: s[:2])
    return best[2] if best[0] > 0 else FALLBACK


def chapter_by_language(doc: Document) -> Chapter:
    """The chapter of the language most of the tutorial's code blocks are in (lines break a tie)."""
    blocks = Counter()
    for block in doc.blocks:
        if isinstance(block, CodeBlock) and (block.language or "").lower() not in _NOT_A_LANGUAGE:
            blocks[block.language.lower()] += 1 + len(block.code.splitlines()) / 1000
    for language, _weight in blocks.most_common():
        chapter = next((c for c in BY_LANGUAGE if language in c.languages), None)
        if chapter is not None:
            return chapter
    return FALLBACK if blocks else CONCEPTS


def chapter_by_title(title: str, configured: Sequence[Chapter] = ()) -> Chapter:
    """The chapter of that title (its folder), also one no longer configured (a notebook on disk)."""
    return next((c for c in book_chapters(configured) if c.title == title), None) or Chapter(title, slugify(title))


def slugify(title: str) -> str:
    """A short, readable, ASCII file name for a title."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = [w for w in re.findall(r"[a-z0-9]+", ascii_title.lower()) if w not in _SLUG_NOISE]
    # Long words are cut too: a file name has 255 bytes at most, and a temporary
    # name beside it (".<name>.<random>.tmp") needs some of them.
    return "-".join(w[:_MAX_SLUG_WORD] for w in words[:_MAX_SLUG_WORDS]) or "tutorial"


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    return candidate


@lru_cache(maxsize=64)
def _counted(keywords: tuple[str, ...]) -> Counter[str]:
    return Counter(keywords)


def _keywords_in(text: str) -> list[str]:
    """The words of `text` a chapter's keywords are compared with."""
    return re.findall(r"[a-z0-9][a-z0-9.#+-]*[a-z0-9]|[a-z0-9]", text.lower())
