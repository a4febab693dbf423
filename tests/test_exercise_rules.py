"""The rules every exercise follows (issue 10), checked on the seeds and on our own corpus
(tests/corpus/runnable/), as `course convert` makes them (with the seeds' findings.json):

* word overlap with the question never picks a multiple-choice answer;
* the answer is not on the page above: a typed answer (an output, a command, a corrected
  line, a fixed program) never appears in the tutorial's text, code included; a query
  that compares with values asks for other values than the tutorial's;
* every exercise carries at least 2 correct variants and 3 wrong answers for check to try;
* nothing is asked from summaries, and no "which section" / "order the sections" kind.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path

import pytest

from converter import environment, findings
from converter.convert import ConvertReport, Layout, read_all
from converter.document import CodeBlock, Course, Document, Exercise, ListBlock
from converter.exercises.quiz import overlap_picks
from converter.passes import run_passes
from tests.course_environment import ROOT

SEEDS = [ROOT / "sources/000_4570511d4ad11a14.txt", ROOT / "sources/003_de1538dbbdf76b2e.txt"]
CORPUS = sorted(p for p in (ROOT / "tests/corpus/runnable").glob("*.md") if p.name != "README.md")


@lru_cache(maxsize=1)
def _documents() -> tuple[Document, ...]:
    layout = Layout(ROOT)
    env = environment.read(layout.pyproject)
    seeds = run_passes(Course(tuple(read_all(SEEDS, ConvertReport()))), environment=env,
                       findings=findings.load(layout.findings))
    corpus = run_passes(Course(tuple(read_all(CORPUS, ConvertReport()))), environment=env)
    return seeds.documents + corpus.documents


def _exercises() -> list[tuple[Document, Exercise]]:
    return [(d, b) for d in _documents() for b in d.blocks if isinstance(b, Exercise)]


def _page(doc: Document) -> str:
    """Everything the tutorial shows above its exercises, spaces normalised."""
    parts = []
    for block in doc.blocks:
        if isinstance(block, CodeBlock):
            parts.append(block.code)
        elif isinstance(block, ListBlock):
            parts += block.items
        elif not isinstance(block, Exercise):
            parts.append(getattr(block, "text", ""))
    return " ".join(" ".join(parts).split())


def _typed_answer(exercise: Exercise) -> str | None:
    """What the learner types as the answer: a string assigned in the solution, or the program
    a `%%writefile` solution saves."""
    first, _, body = exercise.solution.partition("\n")
    if first.startswith("%%writefile"):
        return body
    try:
        node = ast.parse(exercise.solution).body[-1]
        value = ast.literal_eval(node.value) if isinstance(node, ast.Assign) else None
    except (SyntaxError, ValueError):
        return None
    return value if isinstance(value, str) else None


def test_there_are_exercises_of_every_kind_to_check() -> None:
    kinds = {e.kind for _d, e in _exercises()}
    assert {"choice", "parsons", "fix", "command", "query", "complete"} <= kinds, kinds  # predict: test_code_exercises


def test_word_overlap_never_picks_a_multiple_choice_answer() -> None:
    checked = 0
    for _doc, exercise in _exercises():
        if exercise.kind != "choice":
            continue
        question, _, listed = exercise.prompt.partition("\n\n- **")
        options = dict(re.findall(r"\*\*([A-H])\.\*\* (.+)", "- **" + listed))
        answer = ast.literal_eval(exercise.solution.split("=", 1)[1].strip())
        assert not overlap_picks(question, list(options.values()), options[answer]), exercise.prompt
        checked += 1
    assert checked >= 20


def test_no_typed_answer_is_on_the_page_above() -> None:
    checked = 0
    for doc, exercise in _exercises():
        answer = _typed_answer(exercise)
        if answer is None or len(answer.strip()) < 4 or exercise.kind in ("choice", "short", "parsons", "complete"):
            continue  # a letter or an order; "complete" asks for a missing part of shown code
        if exercise.kind == "query" and not re.search(r"(=|<|>|LIKE|IN)\s*('|[2-9]|\d\d)", answer, re.I):
            continue  # compares with no value (or a 0/1 flag): asked as the tutorial wrote it (see variation.py)
        assert " ".join(answer.split()) not in _page(doc), (doc.meta.title, exercise.title, answer)
        checked += 1
    assert checked >= 25


def test_every_exercise_carries_correct_variants_and_wrong_answers() -> None:
    thin = [(d.meta.title, e.title) for d, e in _exercises() if len(e.right) < 2 or len(e.wrong) < 3]
    assert not thin, thin


@pytest.mark.parametrize("recall", ["Which section of the tutorial", "Fill in the blank", "Order the sections"])
def test_no_recall_kinds(recall: str) -> None:
    assert not [e.title for _d, e in _exercises() if recall in e.prompt or recall in e.title]


def test_no_question_quotes_a_summary() -> None:
    summary = re.compile(r"takeaway|summary|recap|conclusion", re.I)
    assert not [(d.meta.title, e.title) for d, e in _exercises() if e.kind in ("choice", "short") and summary.search(e.section)]
