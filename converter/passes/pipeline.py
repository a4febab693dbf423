"""The passes in order, per tutorial and over the course (see the package's docstring)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from ..document import Course, Document
from ..environment import CourseEnvironment
from ..findings import Findings
from .check_findings import apply_findings
from .dependencies import infer_requirements
from .duplicates import flag_duplicates
from .files import find_files
from .languages import assign_languages
from .placement import Chapter, place_tutorials
from .runnability import decide_runnability
from .selection import select_tutorials
from .stated_outputs import attach_stated_outputs

DocumentPass = Callable[[Document], Document]
CoursePass = Callable[[Course], Course]


def passes(environment: CourseEnvironment) -> tuple[tuple[str, DocumentPass], ...]:
    """Per tutorial, in order."""
    return (
        ("languages", assign_languages),
        ("stated outputs", attach_stated_outputs),
        ("files", find_files),
        ("dependencies", infer_requirements),
        ("runnability", partial(decide_runnability, environment=environment)),
    )


def course_passes(findings: Findings, chapters: Sequence[Chapter] = ()) -> tuple[tuple[str, CoursePass], ...]:
    """Over the whole course, after the per-tutorial passes (`chapters`: the configured ones)."""
    return (
        ("selection", select_tutorials),
        ("duplicates", flag_duplicates),
        ("placement", partial(place_tutorials, chapters=chapters)),
        ("findings", partial(apply_findings, findings=findings)),  # keys need the slugs
        ("exercises", partial(_add_exercises, findings=findings)),
    )


def _add_exercises(course: Course, *, findings: Findings) -> Course:
    # The generators are imported when exercises are made: convert's passes run in workers
    # that never make one.
    from .exercises import add_exercises

    return add_exercises(course, findings=findings)


def prepare(doc: Document, environment: CourseEnvironment) -> Document:
    """Apply the per-tutorial passes to a freshly read tutorial."""
    for _name, apply in passes(environment):
        doc = apply(doc)
    return doc


def run_course_passes(course: Course, *, findings: Findings = Findings(),
                      chapters: Sequence[Chapter] = (), exercises: bool = True) -> Course:
    """Apply the course passes to prepared tutorials (without `exercises`, the last pass
    is left to the caller: convert makes each tutorial's exercises together with its page,
    under its budget)."""
    for name, apply in course_passes(findings, chapters):
        if exercises or name != "exercises":
            course = apply(course)
    return course


def run_passes(course: Course, *, environment: CourseEnvironment, findings: Findings = Findings()) -> Course:
    """Apply every pass to a freshly read course."""
    docs = tuple(prepare(d, environment) for d in course.documents)
    return run_course_passes(Course(documents=docs, excluded=course.excluded), findings=findings)
