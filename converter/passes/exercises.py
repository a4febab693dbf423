"""Course pass: give every tutorial exercises made from its own content.

The generators (converter/exercises/) each offer exercises or decline; this
pass picks a varied set — code exercises first when the tutorial has runnable
code, then quizzes — and labels them uniquely in the book.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..document import Course, Document, Exercise
from ..exercises.blank import complete_a_line
from ..exercises.complete import complete_the_code
from ..exercises.fix import fix_the_bug
from ..exercises.predict import predict_output
from ..exercises.query import write_the_query
from ..exercises.quiz import multiple_choice, short_answer

Generator = Callable[[Document], list[Exercise]]

# In order of preference: practising the tutorial's code beats a quiz about it.
GENERATORS: tuple[tuple[str, Generator], ...] = (
    ("complete", complete_the_code),
    ("complete", complete_a_line),
    ("fix", fix_the_bug),
    ("predict", predict_output),
    ("query", write_the_query),
    ("choice", multiple_choice),
    ("short", short_answer),
)
MAX_EXERCISES = 5


def add_exercises(course: Course) -> Course:
    """Append each tutorial's exercises to its blocks (after placement: labels use the slug)."""
    return replace(course, documents=tuple(_with_exercises(doc) for doc in course.documents))


def _with_exercises(doc: Document) -> Document:
    picked = choose([generate(doc) for _kind, generate in GENERATORS])
    labelled = [replace(ex, label=f"ex-{doc.meta.slug}-{n}") for n, ex in enumerate(picked, start=1)]
    return replace(doc, blocks=doc.blocks + tuple(labelled))


def choose(offers: list[list[Exercise]], limit: int = MAX_EXERCISES) -> list[Exercise]:
    """Round-robin over the generators' offers (in GENERATORS order) so that a tutorial gets
    as many different kinds as it offers, best offer of each first, up to `limit`."""
    queues = [list(offer) for offer in offers]
    picked: list[Exercise] = []
    while len(picked) < limit and any(queues):
        for queue in queues:
            if queue and len(picked) < limit:
                picked.append(queue.pop(0))
    return picked
