"""Course pass: give each tutorial a chapter (by topic) and a unique slug."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from ..document import Course, Document, Heading


@dataclass(frozen=True, slots=True)
class Chapter:
    """A part of the book and the words that place a tutorial in it."""

    title: str
    folder: str
    keywords: tuple[str, ...]


# Order is the order of the book. Keywords are matched as whole words in the
# title (weight 3), tags (2) and headings (1); the best score wins.
CHAPTERS: tuple[Chapter, ...] = (
    Chapter("Python", "python", (
        "python", "asyncio", "django", "flask", "blueprints", "fastapi", "pip", "uv", "monorepo",
        "monorepos", "coroutine", "coroutines", "threads", "multiprocessing", "rag", "pandas",
    )),
    Chapter("Web & real-time", "web", (
        "websocket", "websockets", "socket.io", "real-time", "realtime", "http", "browser", "frontend",
        "node.js", "node", "javascript", "rooms", "chat",
    )),
    Chapter("Databases", "databases", (
        "sql", "mysql", "postgresql", "postgres", "sqlite", "redis", "database", "databases", "index",
        "indexing", "joins", "query", "queries", "orm", "record", "caching", "cache", "duckdb",
    )),
    Chapter("Architecture & APIs", "architecture", (
        "architecture", "microservices", "monolith", "event-driven", "serverless", "lambda", "aws",
        "api", "apis", "design", "rest", "system", "rabbitmq", "kafka", "hoppscotch", "postman",
    )),
    Chapter("Testing & tooling", "tooling", (
        "testing", "test", "tests", "pytest", "jest", "fixtures", "backup", "backups", "linux",
        "server", "jenkins", "ci", "tooling", "docker", "git", "npm", "productivity",
    )),
    Chapter("Go & Ruby", "languages", (
        "go", "golang", "goroutines", "channels", "ruby", "rails", "metaprogramming", "gem",
    )),
)
FALLBACK = Chapter("More tutorials", "more", ())
_SLUG_NOISE = frozenset("a an the to for of and your with mastering ultimate guide complete".split())
_MAX_SLUG_WORD = 24
_MAX_SLUG_WORDS = 6


def place_tutorials(course: Course) -> Course:
    """Set `meta.chapter` and a unique `meta.slug` for every document."""
    used: set[str] = set()
    placed = []
    for doc in course.documents:
        chapter = chapter_for(doc)
        slug = _unique(slugify(doc.meta.title), used)
        used.add(slug)
        placed.append(replace(doc, meta=replace(doc.meta, chapter=chapter.title, slug=slug)))
    return replace(course, documents=tuple(placed))


def chapter_for(doc: Document) -> Chapter:
    """The chapter whose keywords best match the title, tags and headings."""
    weighted = [(doc.meta.title, 3), (" ".join(doc.meta.tags), 2)]
    weighted += [(b.text, 1) for b in doc.blocks if isinstance(b, Heading)]
    scores = []
    for index, chapter in enumerate(CHAPTERS):
        score = sum(weight * _count(chapter.keywords, text) for text, weight in weighted)
        scores.append((score, -index, chapter))
    best = max(scores, key=lambda s: s[:2])
    return best[2] if best[0] > 0 else FALLBACK


def chapter_by_title(title: str) -> Chapter:
    return next((c for c in CHAPTERS if c.title == title), FALLBACK)


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


def _count(keywords: tuple[str, ...], text: str) -> int:
    words = re.findall(r"[a-z0-9][a-z0-9.#+-]*[a-z0-9]|[a-z0-9]", text.lower())
    return sum(words.count(k) for k in keywords)
