"""Course pass: give every tutorial exercises made from its own content.

The generators (converter/exercises/) each offer exercises or decline, from
static analysis only (and what check recorded, like a cell's printed output);
this pass leaves out what `course check` disproved (with its reason in the
tutorial's notes, the conversion report), so the next offer takes its place,
then picks a varied set: exercises that apply the idea first (fix, order, complete
or predict code, write a query), then quizzes. Labels are derived from each
exercise's content, so what check proved about it still applies whatever else
is picked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace

from ..errors import describe
from ..document import LEFT_OUT, Course, Document, Exercise
from ..findings import Findings, exercise_key
from ..cells import exercise_answers, exercise_sources
from ..exercises.blank import complete_a_line
from ..exercises.commands import write_the_command
from ..exercises.complete import complete_the_code
from ..exercises.fix import fix_the_bug
from ..exercises.indexes import write_the_index
from ..exercises.pieces import order_the_pieces
from ..exercises.predict import predict_output
from ..exercises.programs import fix_programs, parsons_problems
from ..exercises.query import write_the_query
from ..exercises.quiz import multiple_choice, short_answer
from ..exercises.slips import spot_the_slip

Generator = Callable[[Document], list[Exercise]]

# In order of preference: practising the tutorial's code beats a quiz about it.
GENERATORS: tuple[tuple[str, Generator], ...] = (
    ("fix", fix_programs),
    ("predict", predict_output),
    ("query", write_the_query),
    ("query", write_the_index),
    ("command", write_the_command),
    ("complete", complete_the_code),
    ("parsons", parsons_problems),
    ("parsons", order_the_pieces),
    ("fix", spot_the_slip),
    ("fix", fix_the_bug),
    ("complete", complete_a_line),
    ("choice", multiple_choice),
    ("short", short_answer),
)
APPLY_KINDS = frozenset({"fix", "parsons", "complete", "predict", "query", "command"})
"""Kinds where the learner applies the idea (writes, fixes, orders or predicts code)."""
MAX_EXERCISES = 6
MIN_EXERCISES = 5
"""Quizzes fill up to this many when there are few exercises that apply the idea."""
MAX_APPLY = 5
"""Apply-kind exercises first, up to this many, so that quizzes still get a place."""
PER_GENERATOR = 2
"""At most this many of the apply-kind exercises from one generator, while others offer some."""


def add_exercises(course: Course, *, findings: Findings = Findings()) -> Course:
    """Append each tutorial's exercises to its blocks (after placement: labels use the slug),
    in this process. Convert makes them under its budget, each with its page
    (`convert.exercised_pages`)."""
    return replace(course, documents=tuple(with_exercises(d, offers(d), findings) for d in course.documents))


def offers(doc: Document) -> tuple[list[list[Exercise]], list[str]]:
    """What each generator offers, in GENERATORS order; one that fails offers nothing
    (with a note), so a bug on one tutorial's odd content costs only its exercises."""
    offered, notes = [], []
    for _kind, generate in GENERATORS:
        try:
            offered.append(generate(doc))
        except Exception as err:
            offered.append([])
            notes.append(f"{LEFT_OUT}{generate.__name__} failed ({describe(err)})")
    return offered, notes


def with_exercises(doc: Document, offered: tuple[list[list[Exercise]], list[str]] | BaseException,
                   findings: Findings) -> Document:
    """Offers check disproved are left out before choosing, so that the next offer takes their
    place (and its label); the reasons go to the tutorial's notes."""
    if isinstance(offered, BaseException):  # OverBudget: says what stopped it
        return replace(doc, notes=doc.notes + (f"{LEFT_OUT}{offered}",))
    generated_offers, notes = offered
    kept_offers, applied = [], []
    for generated in generated_offers:
        kept = []
        for ex in generated:
            ex = replace(ex, label=_label(doc, ex))
            key = exercise_key(ex.label, *exercise_sources(ex), *exercise_answers(ex))
            found = findings.exercises.get(key)
            if found is not None and not found.ok:
                notes.append(f"exercise {ex.label} ({ex.title}) left out: course check: "
                             f"{found.reason or 'its contract does not hold'}")
                applied.append(key)
            else:
                kept.append(ex)
        kept_offers.append(kept)
    picked = choose(kept_offers)
    meta = replace(doc.meta, findings=doc.meta.findings + tuple(applied))
    return replace(doc, meta=meta, blocks=doc.blocks + tuple(picked), notes=doc.notes + tuple(notes))


def _label(doc: Document, ex: Exercise) -> str:
    """A label unique in the book that stays with the exercise whatever else is picked
    (`ex-<slug>-<digest of its starter and solution>`), so what check proved about it still applies."""
    digest = hashlib.sha256(f"{ex.kind}\x00{ex.starter}\x00{ex.solution}\x00{ex.prompt}".encode()).hexdigest()[:6]
    return f"ex-{doc.meta.slug}-{digest}"


def choose(offers: list[list[Exercise]], limit: int = MAX_EXERCISES, apply_limit: int = MAX_APPLY) -> list[Exercise]:
    """Round-robin over the generators' offers (in GENERATORS order): apply-kind exercises
    first (up to `apply_limit`; at most PER_GENERATOR from one generator while others offer
    some), then quizzes: one for variety, or as many as it takes to reach MIN_EXERCISES.
    Each generator's best offer first, each exercise once."""
    queues = [list(offer) for offer in offers]
    picked: list[Exercise] = []

    def take(want, cap: int, per_queue: int = limit) -> None:
        taken = [0] * len(queues)
        while len(picked) < cap and any(q and want(q[0]) and t < per_queue for q, t in zip(queues, taken)):
            for n, queue in enumerate(queues):
                if queue and want(queue[0]) and taken[n] < per_queue and len(picked) < cap:
                    picked.append(queue.pop(0))
                    taken[n] += 1

    applies = lambda ex: ex.kind in APPLY_KINDS  # noqa: E731
    take(applies, min(apply_limit, limit), PER_GENERATOR)
    take(applies, min(apply_limit, limit))
    take(lambda ex: not applies(ex), min(limit, max(MIN_EXERCISES, len(picked) + 1)))
    return picked
