"""Exercises end to end in our own code: the check helpers, the writer's cells,
the pass's choice, the learner copies and `course check`'s contract verification."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import jupytext
import pytest

from converter.document import Document, Exercise, Heading, Meta, Paragraph
from converter.exercises.checks import CHECK_HELPERS, answer_check, digest
from converter.execute import CheckOptions, check
from converter.passes.exercises import GENERATORS, choose
from converter.student import learner_copy
from converter.writers.notebook import to_myst, to_notebook
from tests.exercise_contract import assert_contract


def _quiz(answer: str = "B", *, title: str = "Pick one", section: str = "Why") -> Exercise:
    return Exercise(
        kind="choice", title=title, prompt="Which?\n\n- A. no\n- B. yes", starter="answer = ...",
        solution=f"answer = {answer!r}", check=answer_check("answer", "B", wrong="Not quite.", right="✅ Yes."),
        section=section, label="ex-demo-1",
    )


@pytest.mark.parametrize("text", ["define_method", "  Define_Method ", "a  b\tc", "ÄÖ"])
def test_check_helpers_in_cells_match_the_converters_digest(text: str) -> None:
    namespace: dict = {}
    exec(CHECK_HELPERS, namespace)
    assert namespace["_digest"](text) == digest(text)


def test_answer_check_keeps_the_contract_and_hides_the_answer() -> None:
    exercise = _quiz()
    assert "'B'" not in exercise.check and '"B"' not in exercise.check
    assert assert_contract(exercise).startswith("✅")


def test_writer_emits_gated_exercise_folded_solution_and_tagged_check() -> None:
    doc = Document(Meta("Demo", "s.md", slug="demo", chapter="Python"), (Heading(2, "Why"), Paragraph("Because."), _quiz()))
    nb = to_notebook(doc)
    sources = [c.source for c in nb.cells]
    assert any(s.startswith("(demo-why)=\n\n## Why") for s in sources)
    starter, solution, check_cell = (c for c in nb.cells if c.metadata.get("exercise") == "ex-demo-1")
    assert starter.metadata["tags"] == ["exercise"]
    assert solution.metadata["tags"] == ["solution", "skip-execution", "nbval-skip"]
    assert check_cell.metadata["tags"] == ["check", "raises-exception", "nbval-ignore-output"]
    assert check_cell.source == "check_exercise('ex-demo-1')"  # one line; the practice cell defines it
    [practice_cell] = [c for c in nb.cells if "practice" in c.metadata.get("tags", [])]
    assert "def _check_ex_demo_1():" in practice_cell.source and "hide-input" in practice_cell.metadata["tags"]
    text = "\n".join(sources)
    assert "```{exercise-start} Pick one\n:label: ex-demo-1\n```" in text
    assert "```{solution-start} ex-demo-1\n:class: dropdown\n```" in text
    assert "{ref}`demo-why`" in text
    myst = to_myst(doc)
    assert jupytext.writes(jupytext.reads(myst, fmt="md:myst"), fmt="md:myst") == myst


def test_choose_mixes_kinds_best_first() -> None:
    kinds = [kind for kind, _ in GENERATORS]
    offers = [[_quiz(title="c1"), _quiz(title="c2")], [], [_quiz(title="q1")], [_quiz(title="s1"), _quiz(title="s2")]]
    picked = [e.title for e in choose(offers, limit=4)]
    assert picked == ["c1", "q1", "s1", "c2"]
    assert kinds.index("complete") < kinds.index("choice")
    assert choose([], limit=3) == []


def test_learner_copy_drops_solutions_but_keeps_the_rest() -> None:
    doc = Document(Meta("Demo", "s.md", slug="demo", chapter="Python"), (Paragraph("Text."), _quiz()))
    nb = to_notebook(doc)
    copy = learner_copy(nb).notebook
    assert not [c for c in copy.cells if "solution" in c.metadata.get("tags", [])]
    assert not [c for c in copy.cells if "solution-" in c.source]
    assert [c.metadata.get("tags", ["heading"])[0] for c in copy.cells if "exercise" in c.metadata] == ["heading", "exercise", "check"]
    assert len(nb.cells) - len(copy.cells) == 4  # exercise-end, solution-start, solution, solution-end


def test_course_check_tries_every_correct_variant_and_wrong_answer(tmp_path: Path) -> None:
    quiz = replace(_quiz(), right=("answer = 'b'", "answer = ' B '"), wrong=("answer = 'A'", "answer = 'C'", "answer = 1/0"))
    lax = replace(quiz, check="print('✅')")
    unfair = replace(quiz, right=("answer = 'b'", "answer = 'yes'"))
    results = _check_each(tmp_path, {"good": quiz, "lax": lax, "unfair": unfair})
    assert results["good"].ok and (results["good"].variants, results["good"].wrong_answers) == (2, 3)
    assert results["lax"].disproved == {"ex-demo-1": "its check passes with the starter"}
    assert results["unfair"].disproved == {"ex-demo-1": "correct variant 2 fails its check (NotYet: Not quite.)"}
    # a wrong answer the check lets through disproves the exercise too
    [accepting] = _check_each(tmp_path / "2", {"x": replace(quiz, wrong=("answer = 'B'",))}).values()
    assert accepting.disproved == {"ex-demo-1": "its check accepts wrong answer 1"}


def _check_each(tmp_path: Path, exercises: dict[str, Exercise]) -> dict:
    paths = {}
    for name, exercise in exercises.items():
        doc = Document(Meta("Demo", "s.md", slug="demo", chapter="Python"), (Paragraph("Text."), exercise))
        paths[name] = tmp_path / f"{name}.md"
        paths[name].parent.mkdir(parents=True, exist_ok=True)
        paths[name].write_text(to_myst(doc))
    results = check(list(paths.values()), CheckOptions(out_dir=tmp_path / "out", report=tmp_path / "report.json",
                                                        jobs=1, jupyter_cache=None))
    by_path = {r.notebook: r for r in results}
    return {name: by_path[str(path)] for name, path in paths.items()}


@pytest.mark.parametrize(
    ("exercise", "problem"),
    [
        (_quiz(), ""),
        (_quiz(answer="A"), "the solution fails its check"),
        (Exercise(kind="choice", title="t", prompt="p", starter="answer = 'B'", solution="answer = 'B'",
                  check=answer_check("answer", "B", wrong="No.", right="✅"), label="ex-demo-1"), "passes with the starter"),
        (Exercise(kind="choice", title="t", prompt="p", starter="answer = ...", solution="answer = 'B'",
                  check="print(undefined_name)", label="ex-demo-1"), "raises NameError, not AssertionError"),
    ],
)
def test_course_check_verifies_the_contract(tmp_path: Path, exercise: Exercise, problem: str) -> None:
    doc = Document(Meta("Demo", "s.md", slug="demo", chapter="Python"), (Paragraph("Text."), exercise))
    path = tmp_path / "demo.md"
    path.write_text(to_myst(doc))
    [result] = check([path], CheckOptions(out_dir=tmp_path / "out", report=tmp_path / "report.json", jobs=1,
                                             jupyter_cache=None))
    assert (result.error == "") if not problem else (problem in result.error)
