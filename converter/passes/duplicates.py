"""Course pass: flag tutorials that cover nearly the same ground (kept, but marked)."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import replace
from itertools import combinations

from ..document import CodeBlock, Course, Document, Heading, ListBlock, Paragraph

# English function words: they say nothing about a topic in any title.
_FUNCTION_WORDS = frozenset("a an and the to for of in on with your you how from what when why is are".split())
# A word in this share of the course's titles (and in 3 at least) is the blog's house style
# ("Mastering X: The Ultimate Guide", "Learn X in 10 Minutes"), not a topic.
_HOUSE_STYLE_SHARE = 0.25
_WORD = re.compile(r"[a-z][a-z0-9_.+#-]{2,}")
# Both must hold: a title about the same subject and a body that teaches it the same way.
TITLE_THRESHOLD = 0.5
BODY_THRESHOLD = 0.6


def flag_duplicates(course: Course) -> Course:
    """Record in each document's meta the titles of its near-duplicates."""
    docs = course.documents
    noise = title_noise([d.meta.title for d in docs])
    titles = [_topic_words(d.meta.title, noise) for d in docs]
    pairs = [(i, j) for i, j in _candidates(titles, TITLE_THRESHOLD) if _jaccard(titles[i], titles[j]) >= TITLE_THRESHOLD]
    vectors = _tfidf([_words(_body(d)) for d in docs]) if pairs else []  # bodies only for similar titles
    found: dict[int, list[str]] = {}
    for i, j in pairs:
        if _cosine(vectors[i], vectors[j]) >= BODY_THRESHOLD:
            found.setdefault(i, []).append(docs[j].meta.title)
            found.setdefault(j, []).append(docs[i].meta.title)
    flagged = tuple(
        replace(d, meta=replace(d.meta, duplicates=tuple(found[i]))) if i in found else d
        for i, d in enumerate(docs)
    )
    return replace(course, documents=flagged)


def title_noise(titles: list[str]) -> frozenset[str]:
    """The words of a course's house style: in at least 3 titles and a quarter of them."""
    df = Counter(w for title in titles for w in set(re.findall(r"[a-z0-9]+", title.lower())))
    least = max(3, _HOUSE_STYLE_SHARE * len(titles))
    return _FUNCTION_WORDS | {w for w, n in df.items() if n >= least}


def similar_titles(a: str, b: str, noise: frozenset[str] = _FUNCTION_WORDS) -> float:
    """Jaccard similarity of the topic words of two titles (`noise`: the course's title_noise)."""
    return _jaccard(_topic_words(a, noise), _topic_words(b, noise))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _candidates(titles: list[set[str]], threshold: float) -> list[tuple[int, int]]:
    """The pairs (i < j) of titles that can reach `threshold` Jaccard similarity, in order.
    Prefix filtering: with each title's words rarest first, two titles that similar share a
    word among the first |A| - ceil(threshold * |A|) + 1 of either. A word most titles share
    ("python", "part") is then rarely indexed, so a large course has few candidates."""
    df = Counter(word for words in titles for word in words)
    by_word: dict[str, list[int]] = {}
    for index, words in enumerate(titles):
        rarest_first = sorted(words, key=lambda w: (df[w], w))
        for word in rarest_first[: len(words) - math.ceil(threshold * len(words)) + 1]:
            by_word.setdefault(word, []).append(index)
    return sorted({pair for indices in by_word.values() for pair in combinations(indices, 2)})


def _topic_words(title: str, noise: frozenset[str]) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in noise}


def _body(doc: Document) -> str:
    parts = []
    for b in doc.blocks:
        if isinstance(b, (Paragraph, Heading)):
            parts.append(b.text)
        elif isinstance(b, ListBlock):
            parts.extend(b.items)
        elif isinstance(b, CodeBlock):
            parts.append(b.code)
    return "\n".join(parts)


def _words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower()))


def _tfidf(counts: list[Counter[str]]) -> list[dict[str, float]]:
    df = Counter(w for c in counts for w in c)
    n = len(counts)
    # Smoothed idf (+1) so that words shared by every document still count a little.
    idf = {w: math.log((1 + n) / (1 + k)) + 1 for w, k in df.items()}
    return [{w: tf * idf[w] for w, tf in c.items()} for c in counts]


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(v * b.get(w, 0.0) for w, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0
