"""Course-level passes: selection, near-duplicates, placement."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from converter.document import CodeBlock, Course, Document, Heading, ListBlock, Meta, Paragraph
from converter.passes.duplicates import flag_duplicates, similar_titles, title_noise
from converter.passes.placement import Chapter, chapter_for, chapters_from_config, place_tutorials, slugify
from converter.passes.selection import classify, select_tutorials

LOREM = " ".join(["Services talk through events and queues so that each can scale alone."] * 30)


def _doc(title: str, *blocks, tags: tuple[str, ...] = ()) -> Document:
    return Document(Meta(title, "src.txt", tags=tags), tuple(blocks))


def test_post_with_code_is_a_tutorial() -> None:
    assert classify(_doc("x", CodeBlock("print(1)")))[0] == "tutorial"


def test_structured_post_without_code_is_reading() -> None:
    doc = _doc("Design", Heading(2, "Why"), Paragraph(LOREM), Heading(2, "How"), ListBlock(("a", "b")))
    assert classify(doc) == ("reading", "")


def test_personal_post_is_left_out_with_reason() -> None:
    diary = " ".join(["I feel lost and my days are hard, but I keep going."] * 20)
    kind, reason = classify(_doc("Life Update #1", Paragraph(diary), Paragraph(diary)))
    assert kind == "excluded" and "first person" in reason


def test_short_unstructured_post_is_left_out() -> None:
    kind, reason = classify(_doc("News", Paragraph("We moved the blog.")))
    assert kind == "excluded" and "no code" in reason


def test_selection_moves_excluded_posts_aside() -> None:
    course = select_tutorials(Course((_doc("A", CodeBlock("x")), _doc("News", Paragraph("Moved.")))))
    assert [d.meta.title for d in course.documents] == ["A"]
    assert [e.title for e in course.excluded] == ["News"]


FLASK_A = (
    "A Flask blueprint groups routes, templates and static files. Create auth_bp = Blueprint('auth', __name__) "
    "in auth.py, then call app.register_blueprint(auth_bp, url_prefix='/auth') inside create_app, the "
    "application factory, to avoid circular imports. Use url_for('auth.login') for blueprint routes."
)
FLASK_B = (
    "Blueprints let a Flask app grow: auth_bp = Blueprint('auth', __name__, url_prefix='/auth') lives in "
    "auth.py and create_app registers it with app.register_blueprint(auth_bp). The application factory "
    "avoids circular imports; url_for('auth.login') builds blueprint routes."
)
MYSQL = (
    "An index on orders(status, created_at) speeds up SELECT queries with WHERE clauses. Run EXPLAIN to see "
    "which key MySQL uses and how many rows it scans; avoid functions on indexed columns."
)


# Two blogs' house styles: the words every title shares are found from the course, not a list.
MASTERING = [f"Mastering {t}: The Ultimate Guide to {u}" for t, u in [
    ("Go Concurrency", "Goroutines"), ("Redis Caching", "Performance"), ("Ruby Metaprogramming", "DSLs"),
    ("Django Models", "Custom Users"), ("Python Asyncio", "Asynchronous Programming"), ("WebSockets", "Real-Time Apps")]]
LEARN = [f"Learn {t} in 10 Minutes" for t in ["Go", "Rust", "Kotlin", "Elixir", "Swift", "Zig"]]


@pytest.mark.parametrize(
    ("a", "b", "course", "expected"),
    [
        ("Mastering Flask Blueprints: The Ultimate Guide to Scalable Python Web Apps",
         "Mastering Flask Blueprints: The Ultimate Guide to Scalable Python Web Applications", MASTERING, True),
        ("Mastering MySQL Performance Tuning: The Ultimate Optimization Guide",
         "Mastering MySQL Indexing: The Ultimate Guide to Database Performance", MASTERING, False),
        ("Mastering Go Concurrency", "Mastering Python Asyncio", MASTERING, False),
        ("Learn Python Decorators in 10 Minutes", "Learn Python Generators in 10 Minutes", LEARN, False),
        ("Learn Python Decorators in 10 Minutes", "Python Decorators: Learn Them in 10 Minutes", LEARN, True),
    ],
)
def test_title_similarity_ignores_the_course_house_style(a: str, b: str, course: list[str], expected: bool) -> None:
    noise = title_noise([a, b, *course])
    assert (similar_titles(a, b, noise) >= 0.5) is expected


def test_house_style_needs_three_titles() -> None:
    """Two titles alone share their words because they are alike, not because of a style."""
    assert "flask" not in title_noise(["Flask Blueprints Guide", "Flask Blueprints: A Guide"])


def test_near_duplicates_are_flagged_on_both_and_kept() -> None:
    code = CodeBlock("from flask import Blueprint\n\nauth_bp = Blueprint('auth', __name__)")
    docs = (
        _doc("Flask Blueprints Guide", Paragraph(FLASK_A), code),
        _doc("MySQL Indexing", Paragraph(MYSQL)),
        _doc("Flask Blueprints: A Guide", Paragraph(FLASK_B), code),
    )
    flagged = flag_duplicates(Course(docs)).documents
    assert [d.meta.duplicates for d in flagged] == [
        ("Flask Blueprints: A Guide",), (), ("Flask Blueprints Guide",),
    ]


def test_same_title_different_content_is_not_a_duplicate() -> None:
    docs = (_doc("Flask Guide", Paragraph(FLASK_A)), _doc("Flask Guide", Paragraph(MYSQL)))
    assert all(not d.meta.duplicates for d in flag_duplicates(Course(docs)).documents)


@pytest.mark.parametrize(
    ("title", "tags", "chapter"),
    [
        ("Mastering Python Asyncio", (), "Python"),
        ("Mastering WebSockets: Real-Time Apps", (), "Web & real-time"),
        ("Master SQL Joins", (), "Databases"),
        ("Mastering Redis Caching", (), "Databases"),
        ("System Design Fundamentals: From Monolith to Microservices", (), "Architecture & APIs"),
        ("A Developer's Guide to Jest", ("jest", "javascript"), "Testing & tooling"),
        ("Mastering Go Concurrency: Goroutines and Channels", (), "Go & Ruby"),
        ("Knitting for Beginners", (), "More tutorials"),
    ],
)
def test_chapter_by_topic_with_this_courses_chapters(title: str, tags: tuple[str, ...], chapter: str) -> None:
    assert chapter_for(_doc(title, tags=tags), COURSE_CHAPTERS).title == chapter


def test_chapter_scores_count_each_keyword_occurrence_with_its_weight() -> None:
    """Title words weigh 3, tags 2, headings 1; a keyword listed twice counts twice; the first
    chapter wins a tie; no keyword at all is the fallback chapter."""
    import random

    def reference(doc: Document, chapters: tuple[Chapter, ...]) -> str:  # the rule, spelled out
        texts = [(doc.meta.title, 3), (" ".join(doc.meta.tags), 2)] + [(b.text, 1) for b in doc.blocks if isinstance(b, Heading)]
        scores = []
        for index, chapter in enumerate(chapters):
            score = 0
            for text, weight in texts:
                words = re.findall(r"[a-z0-9][a-z0-9.#+-]*[a-z0-9]|[a-z0-9]", text.lower())
                score += weight * sum(words.count(k) for k in chapter.keywords)
            scores.append((score, -index, chapter.title))
        best = max(scores)
        return best[2] if best[0] > 0 else "More tutorials"

    vocabulary = ["flask", "sql", "go", "c#", "node.js", "api", "redis", "rust", "x", "asyncio"]
    rng = random.Random(13)
    for _ in range(300):
        chapters = tuple(Chapter(f"C{i}", f"c{i}", keywords=tuple(rng.choices(vocabulary, k=rng.randint(0, 4))))
                         for i in range(rng.randint(1, 4)))
        words = lambda: " ".join(rng.choices(vocabulary + ["the", "and"], k=rng.randint(0, 5))).title()  # noqa: E731
        doc = _doc(words(), *[Heading(2, words()) for _ in range(rng.randint(0, 3))], tags=tuple(words().split()))
        assert chapter_for(doc, chapters).title == reference(doc, chapters)


COURSE_CHAPTERS = chapters_from_config(yaml.safe_load((Path(__file__).parents[1] / "_config.yml").read_text()))


def test_chapters_from_config_keep_order_and_give_folders() -> None:
    config = {"course": {"chapters": [
        {"title": "Data Work", "keywords": ["Pandas", "csv"]},
        {"title": "Web", "folder": "web-apps", "keywords": ["flask"]},
        {"keywords": ["no title"]}, "not a chapter",
    ]}}
    assert chapters_from_config(config) == (Chapter("Data Work", "data-work", ("pandas", "csv")),
                                            Chapter("Web", "web-apps", ("flask",)))
    assert chapters_from_config({}) == () and chapters_from_config({"course": {"chapters": "x"}}) == ()
    placed = place_tutorials(Course((_doc("Reading CSV with Pandas"), _doc("Knitting"))), chapters_from_config(config))
    assert [d.meta.chapter for d in placed.documents] == ["Data Work", "More tutorials"]


def _coded(title: str, *languages: str) -> Document:
    blocks = tuple(CodeBlock(f"line one\nline two {n}", language) for n, language in enumerate(languages))
    return replace(_doc(title), blocks=blocks)


@pytest.mark.parametrize(("languages", "chapter"), [
    (("python", "python", "shell"), "Python"),
    (("javascript", "typescript", "python"), "JavaScript & TypeScript"),
    (("sql", "sql", "python"), "Databases & SQL"),
    (("go",), "Go"),
    (("ruby", "text", "output"), "Ruby"),  # output and plain text say nothing of the subject
    (("bash", "dockerfile"), "Shell & tooling"),
    (("haskell", "haskell"), "More tutorials"),  # code in a language without a chapter
    (("text", "json"), "Concepts"),  # only output and data: nothing to run
    ((), "Concepts"),
])
def test_without_configured_chapters_a_tutorial_goes_by_its_main_language(languages: tuple[str, ...], chapter: str) -> None:
    # The title would place it by topic: without configured chapters, topics are not guessed from words.
    [doc] = place_tutorials(Course((_coded("Mastering Redis Caching", *languages),))).documents
    assert doc.meta.chapter == chapter


def test_slugs_are_short_ascii_and_unique() -> None:
    assert slugify("Mastering Ruby on Rails Active Record: The Ultimate Developer’s Guide") == "ruby-on-rails-active-record-developers"
    placed = place_tutorials(Course((_doc("Same Title"), _doc("Same Title")))).documents
    assert [d.meta.slug for d in placed] == ["same-title", "same-title-2"]


def test_prefix_filtering_finds_every_pair_a_full_comparison_finds() -> None:
    import random

    from converter.passes.duplicates import TITLE_THRESHOLD, _candidates, _jaccard

    rng = random.Random(7)
    vocabulary = ["python", "redis", "caching", "guide", "flask", "sql", "joins", "go", "async", "part", "api"]
    titles = [set(rng.sample(vocabulary, rng.randint(1, 5))) for _ in range(200)]
    similar = {(i, j) for i in range(200) for j in range(i + 1, 200) if _jaccard(titles[i], titles[j]) >= TITLE_THRESHOLD}
    candidates = set(_candidates(titles, TITLE_THRESHOLD))
    assert similar and similar <= candidates
    assert len(candidates) < 200 * 199 // 2  # far from every pair


def _tagged(title: str, *tags: str) -> Document:
    return replace(_coded(title, "python"), meta=replace(_coded(title, "python").meta, tags=tags))


def test_a_long_chapter_is_split_by_the_subjects_its_tutorials_share() -> None:
    topics = ["Flask"] * 8 + ["FastAPI"] * 6 + ["asyncio"] * 5 + ["misc"] * 4
    docs = [_tagged(f"Working with {topic} in practice, part {n}", "python", topic.lower()) for n, topic in enumerate(topics)]
    placed = place_tutorials(Course(tuple(docs))).documents
    chapters = Counter(d.meta.chapter for d in placed)
    # "python" and the title's "working", "practice" are shared by all: they say nothing of a subject.
    assert chapters == {"Python · Flask": 8, "Python": 15}
    assert [d.meta.chapter for d in placed] == [d.meta.chapter for d in place_tutorials(Course(tuple(docs))).documents]


def test_subjects_keep_the_titles_spelling_and_chapters_stay_whole_when_short() -> None:
    docs = [_tagged(f"Async {t} tricks {n}", "python", t.lower()) for n, t in enumerate(["asyncio"] * 9 + ["FastAPI"] * 8 + ["other"] * 3)]
    chapters = Counter(d.meta.chapter for d in place_tutorials(Course(tuple(docs))).documents)
    assert chapters == {"Python · asyncio": 9, "Python": 11}
    short = place_tutorials(Course(tuple(docs[:12]))).documents
    assert {d.meta.chapter for d in short} == {"Python"}


def test_subchapters_follow_their_chapter_in_the_table_of_contents() -> None:
    from converter.writers.toc import Entry, chapters as toc_chapters
    entries = [Entry(path=f"book/{n}", title=c, chapter=c, kind="tutorial", summary="", order=("s", n)) for n, c in
               enumerate(["Go", "Python · Flask", "Python", "Concepts", "Python · asyncio"])]
    assert [title for title, _ in toc_chapters(entries)] == ["Python", "Python · Flask", "Python · asyncio", "Go", "Concepts"]
