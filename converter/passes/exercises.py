"""Course pass: give every tutorial exercises made from its own content.

The generators (converter/exercises/) each offer exercises or decline, from
static analysis only (and what check recorded, like a cell's printed output);
this pass picks a varied set — code exercises first when the tutorial has
runnable code, then quizzes — and labels them uniquely in the book. `course
check` proves each one; an exercise check disproved is dropped here, with its
reason in the tutorial's notes (the conversion report). The others keep their
labels, so what check proved about them still applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..document import Course, Document, Exercise
from ..findings import Findings, exercise_key
from ..writers.notebook import exercise_answers, exercise_sources
from ..exercises.blank import complete_a_line
from ..exercises.complete import complete_the_code
from ..exercises.fix import fix_the_bug
from ..exercises.predict import predict_output
from ..exercises.programs import fix_programs, parsons_problems
from ..exercises.query import write_the_query
from ..exercises.quiz import multiple_choice, short_answer

Generator = Callable[[Document], list[Exercise]]

# In order of preference: practising the tutorial's code beats a quiz about it.
GENERATORS: tuple[tuple[str, Generator], ...] = (
    ("fix", fix_programs),
    ("parsons", parsons_problems),
    ("complete", complete_the_code),
    ("complete", complete_a_line),
    ("fix", fix_the_bug),
    ("predict", predict_output),
    ("query", write_the_query),
    ("choice", multiple_choice),
    ("short", short_answer),
)
MAX_EXERCISES = 5


def add_exercises(course: Course, *, findings: Findings = Findings()) -> Course:
    """Append each tutorial's exercises to its blocks (after placement: labels use the slug)."""
    return replace(course, documents=tuple(_with_exercises(doc, findings) for doc in course.documents))


def _with_exercises(doc: Document, findings: Findings) -> Document:
    picked = choose([generate(doc) for _kind, generate in GENERATORS])
    labelled = [replace(ex, label=f"ex-{doc.meta.slug}-{n}") for n, ex in enumerate(picked, start=1)]
    kept, notes, applied = [], [], []
    for ex in labelled:
        key = exercise_key(ex.label, *exercise_sources(ex), *exercise_answers(ex))
        found = findings.exercises.get(key)
        if found is not None and not found.ok:
            notes.append(f"exercise {ex.label} ({ex.title}) left out: course check: {found.reason or 'its contract does not hold'}")
            applied.append(key)
        else:
            kept.append(ex)
    meta = replace(doc.meta, findings=doc.meta.findings + tuple(applied))
    return replace(doc, meta=meta, blocks=doc.blocks + tuple(kept), notes=doc.notes + tuple(notes))


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
