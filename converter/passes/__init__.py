"""Passes: pure functions over the model, applied in the order listed here."""

from __future__ import annotations

from collections.abc import Callable

from ..document import Course, Document
from .dependencies import infer_requirements
from .duplicates import flag_duplicates
from .exercises import add_exercises
from .files import find_files
from .languages import assign_languages
from .placement import place_tutorials
from .runnability import decide_runnability
from .selection import select_tutorials

# Per tutorial, in order.
PASSES: tuple[tuple[str, Callable[[Document], Document]], ...] = (
    ("languages", assign_languages),
    ("files", find_files),
    ("dependencies", infer_requirements),
    ("runnability", decide_runnability),
)

# Over the whole course, after the per-tutorial passes.
COURSE_PASSES: tuple[tuple[str, Callable[[Course], Course]], ...] = (
    ("selection", select_tutorials),
    ("duplicates", flag_duplicates),
    ("placement", place_tutorials),
    ("exercises", add_exercises),
)


def run_passes(course: Course) -> Course:
    """Apply every pass to a freshly read course."""
    docs = course.documents
    for _name, apply in PASSES:
        docs = tuple(apply(d) for d in docs)
    course = Course(documents=docs, excluded=course.excluded)
    for _name, apply in COURSE_PASSES:
        course = apply(course)
    return course
