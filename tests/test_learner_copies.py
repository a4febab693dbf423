"""Learner copies read as plain notebooks anywhere, hold no solution, check in one line;
instructor copies grade with nbgrader.

The end-to-end tests convert and check a tutorial of our own (tests/data/learner-tutorial.md), then
run its learner copies with nbclient in the course sandbox, starters and solutions, and
grade a solved and an unsolved copy with nbgrader."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from converter import practice
from converter.document import CodeBlock, Document, Exercise, Heading, Meta, Paragraph
from converter.exercises.checks import answer_check, packed
from converter.findings import ExerciseFinding, Findings, exercise_key
from converter.sandbox import KERNEL_NAME, bwrap_path
from converter.student import instructor_copy, learner_copy, recordings
from converter.writers.notebook import exercise_answers, exercise_sources, to_notebook

TUTORIAL = Path(__file__).parent / "data" / "learner-tutorial.md"
BIN = Path(sys.executable).parent

# MyST syntax a plain notebook front end would show raw: directives, roles, targets.
_ROLE = re.compile(r"\{[\w-]+\}$")
_TARGET = re.compile(r"^\([^()\n]*\)=$", re.M)


def myst_in(markdown: str) -> list[str]:
    """MyST constructs in Markdown, as CommonMark parses it (code is code, not syntax)."""
    from markdown_it import MarkdownIt

    found = []
    for token in MarkdownIt("commonmark").parse(markdown):
        if token.type == "fence" and token.info.startswith("{"):
            found.append(token.info.split()[0])
        for child, following in zip(token.children or [], [*(token.children or [])[1:], None]):
            if child.type == "text" and following is not None and following.type == "code_inline" and _ROLE.search(child.content):
                found.append(_ROLE.search(child.content).group(0))
            if child.type == "text":
                found += _TARGET.findall(child.content)
    return found


@pytest.mark.parametrize(("markdown", "found"), [
    ("```{exercise-start} T\n:label: x\n```", ["{exercise-start}"]),
    ("See {ref}`intro`.", ["{ref}"]),
    ("(intro)=\n\n## Intro", ["(intro)="]),
    ("Code `{ref}`x`` and\n\n```python\n(a)=\n```\n", []),
    ("<a id=\"intro\"></a>\n\n## Intro [link](#intro)", []),
])
def test_the_myst_lint_finds_what_it_should(markdown: str, found: list[str]) -> None:
    assert myst_in(markdown) == found


# --- learner copies of a notebook the writer made -----------------------------------------------

SECRET = "answer = 'the reference solution 42'"


def _referenced() -> Exercise:
    """An exercise whose check compares with a packed reference, as fix/program/query checks do."""
    check = (
        practice.reference(
            "import base64 as _base64, zlib as _zlib\n"
            f"_ref = _zlib.decompress(_base64.b64decode({packed(SECRET)!r})).decode()\n"
            "_ns = {}\nexec(_ref, _ns)\n_expected = [len(_ns['answer'])]\n")
        + "assert [len(answer)] == _expected, 'Not yet: not the right length.'\nprint('✅ Right.')\n"
    )
    return Exercise(kind="fix", title="Match the length", prompt="Set `answer`.", starter="answer = ...\n",
                    solution=SECRET + "\n", check=check, section="Why", label="ex-demo-2",
                    right=("answer = 'x' * 27\n",), wrong=("answer = 'short'\n",))


def _quiz() -> Exercise:
    return Exercise(kind="choice", title="Pick one", prompt="Which?\n\n- A. no\n- B. yes", starter="answer = ...\n",
                    solution="answer = 'B'\n", check=answer_check("answer", "B", wrong="Not quite.", right="✅ Yes."),
                    section="Why", label="ex-demo-1", setup="sample = 1\n")


def _book_notebook() -> nbformat.NotebookNode:
    doc = Document(Meta("Demo", "/home/instructor/private/tutorials/demo.md", slug="demo", chapter="Python"),
                   (Heading(2, "Why"), Paragraph("Because."), CodeBlock("print(1)", "python", status="runs"),
                    _quiz(), _referenced()))
    return jupytext.reads(jupytext.writes(to_notebook(doc), fmt="md:myst"), fmt="md:myst")


def _recorded(nb: nbformat.NotebookNode, value: object) -> Findings:
    ex = _referenced()
    return Findings(exercises={exercise_key(ex.label, *exercise_sources(ex), *exercise_answers(ex)): ExerciseFinding(True, "", value)})


def test_learner_copy_is_plain_markdown_with_links_that_work_in_a_notebook() -> None:
    nb = _book_notebook()
    copied = learner_copy(nb, recordings(nb, _recorded(nb, [27]))).notebook
    markdown = [c.source for c in copied.cells if c.cell_type == "markdown"]
    assert [m for text in markdown for m in myst_in(text)] == []
    assert '<a id="demo-why"></a>\n\n## Why' in "\n".join(markdown)
    assert "*Practises: [Why](#demo-why).*" in "\n".join(markdown)
    assert [t.split("\n")[0] for t in markdown if t.startswith("### ")] == [
        "### Exercise 1: Pick one", "### Exercise 2: Match the length"]
    assert "jupytext" not in copied.metadata and "/home/instructor" not in nbformat.writes(copied)


def test_learner_copy_holds_no_solution_not_even_packed() -> None:
    nb = _book_notebook()
    copied = learner_copy(nb, recordings(nb, _recorded(nb, [27]))).notebook
    text = nbformat.writes(copied)
    assert SECRET not in text and packed(SECRET) not in text and "reference: begin" not in text
    assert "answer = 'B'" not in text and '"answers"' not in text
    assert "_expected = [27]" in text


def test_learner_copy_checks_are_one_line_and_course_cells_are_folded() -> None:
    nb = _book_notebook()
    copied = learner_copy(nb, recordings(nb, _recorded(nb, [27]))).notebook
    checks = [c for c in copied.cells if "check" in c.metadata.get("tags", [])]
    assert [c.source for c in checks] == ["check_exercise('ex-demo-1')", "check_exercise('ex-demo-2')"]
    folded = [c for c in copied.cells if c.metadata.get("jupyter", {}).get("source_hidden")]
    assert {c.metadata["tags"][0] for c in folded} == {"practice", "hide-input"}  # the checks, the exercise's setup
    grading = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in copied.cells if "nbgrader" in c.metadata}
    assert grading["ex-demo-1-answer"]["solution"] and grading["ex-demo-1-check"]["points"] == 1
    assert grading["course-checks"]["locked"] and grading["ex-demo-1-setup"]["locked"]


def test_an_exercise_check_never_recorded_is_left_out_of_the_learner_copy() -> None:
    nb = _book_notebook()
    result = learner_copy(nb, recordings(nb, Findings()))
    assert result.left_out == ["ex-demo-2"]
    text = nbformat.writes(result.notebook)
    assert "Match the length" not in text and packed(SECRET) not in text and "ex-demo-2" not in text
    assert "### Exercise 1: Pick one" in text


def test_a_recording_for_another_version_of_the_exercise_does_not_apply() -> None:
    nb = _book_notebook()
    for cell in nb.cells:  # the instructor edited the starter: check has not proved this version
        if cell.metadata.get("exercise") == "ex-demo-2" and "exercise" in cell.metadata.get("tags", []):
            cell.source = "answer = ...  # edited\n"
    assert learner_copy(nb, recordings(nb, _recorded(nb, [27]))).left_out == ["ex-demo-2"]


def test_instructor_copy_has_the_solutions_where_learners_answer() -> None:
    nb = _book_notebook()
    learner = learner_copy(nb, recordings(nb, _recorded(nb, [27]))).notebook
    instructor = instructor_copy(learner, nb)
    answers = {c.metadata["exercise"]: c for c in instructor.cells if "exercise" in c.metadata.get("tags", [])}
    assert answers["ex-demo-2"].source == SECRET and answers["ex-demo-2"].metadata["course_starter"] == "answer = ..."
    assert [c.source for c in instructor.cells if "practice" in c.metadata.get("tags", [])] == [
        c.source for c in learner.cells if "practice" in c.metadata.get("tags", [])]


# --- end to end: convert, check, copy, run the copies, grade them ------------------------------

needs_sandbox = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap is not installed (apt-get install bubblewrap)")


def _course(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "course"), *args], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def checked_course(tmp_path_factory) -> Path:
    """A course made from tests/data/learner-tutorial.md, converted and checked twice (as `course build`
    does: the second round adds the exercises on programs check saw run), then copied."""
    root = tmp_path_factory.mktemp("course")
    (root / "_config.yml").write_text("title: Learner copies\n")
    shutil.copy(Path(__file__).parents[1] / "pyproject.toml", root)  # the course extra: what notebooks may import
    (root / "sources").mkdir()
    shutil.copy(TUTORIAL, root / "sources")
    for _round in range(2):
        done = _course("convert", "sources", cwd=root)
        assert done.returncode == 0, done.stderr
        done = _course("check", "-j", "1", cwd=root)
        assert done.returncode == 0, done.stdout + done.stderr
    done = _course("student", "--out", "learner", "--nbgrader", "grading", "--assignment", "ps1", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "left out" not in done.stderr
    return root


def _book(root: Path) -> dict[str, nbformat.NotebookNode]:
    return {p.stem: jupytext.read(p) for p in (root / "book").rglob("*.md") if p.name != "index.md"}


def _learner(root: Path) -> dict[str, nbformat.NotebookNode]:
    return {p.stem: nbformat.read(p, as_version=4) for p in (root / "learner").glob("*.ipynb")}


def _solved(learner: nbformat.NotebookNode, book: nbformat.NotebookNode) -> nbformat.NotebookNode:
    solutions = {c.metadata["exercise"]: c.source for c in book.cells if "solution" in c.metadata.get("tags", [])}
    solved = copy.deepcopy(learner)
    for cell in solved.cells:
        if "exercise" in cell.metadata.get("tags", []):
            cell.source = solutions[cell.metadata["exercise"]]
    return solved


def _run(nb: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    folder.mkdir(parents=True, exist_ok=True)
    ran = copy.deepcopy(nb)
    NotebookClient(ran, kernel_name=KERNEL_NAME, allow_errors=True, timeout=120,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return ran


def _errors(cell: nbformat.NotebookNode) -> list[dict]:
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


@needs_sandbox
def test_learner_copies_are_plain_and_hold_no_solution(checked_course: Path) -> None:
    book, learner = _book(checked_course), _learner(checked_course)
    assert set(learner) == set(book)
    kinds = set()
    for stem, nb in learner.items():
        text = nbformat.writes(nb)
        assert [m for c in nb.cells if c.cell_type == "markdown" for m in myst_in(c.source)] == [], stem
        assert "b64decode" not in text and "reference: begin" not in text, stem
        for cell in book[stem].cells:
            if "solution" in cell.metadata.get("tags", []):
                assert cell.source not in text, stem
        assert all(len(c.source.splitlines()) <= 3 for c in nb.cells if "check" in c.metadata.get("tags", []))
        kinds |= {c.metadata["runnable"]["kind"] for c in nb.cells if "exercise" in c.metadata.get("tags", [])}
    # the kinds whose checks compare with a reference are there, with digests in its place
    assert {"fix", "parsons", "query"} <= kinds
    assert sum(nbformat.writes(nb).count("    _expected = ") for nb in learner.values()) >= 3


@needs_sandbox
def test_learner_copies_run_top_to_bottom_starters_fail_politely_solutions_pass(checked_course: Path, tmp_path: Path) -> None:
    book = _book(checked_course)
    for stem, nb in _learner(checked_course).items():
        ran = _run(nb, tmp_path / "starters" / stem)
        checks = [c for c in ran.cells if "check" in c.metadata.get("tags", [])]
        assert checks, stem
        for cell in checks:
            [error] = _errors(cell)
            assert error["ename"] == "NotYet" and len(error["traceback"]) == 1, (stem, error)
            assert error["traceback"][0].startswith("❌ "), error
        others = [c for c in ran.cells if _errors(c) and "check" not in c.metadata.get("tags", [])
                  and "raises-exception" not in c.metadata.get("tags", [])]
        assert others == [], (stem, [_errors(c) for c in others])

        solved = _run(_solved(nb, book[stem]), tmp_path / "solutions" / stem)
        for cell in (c for c in solved.cells if "check" in c.metadata.get("tags", [])):
            assert not _errors(cell), (stem, cell.source, _errors(cell))
            assert "✅" in "".join(o.get("text", "") for o in cell.outputs), (stem, cell.source)


@needs_sandbox
def test_nbgrader_grades_a_solved_and_an_unsolved_copy(checked_course: Path) -> None:
    from nbgrader.api import Gradebook

    grading = checked_course / "grading"
    nbgrader = [str(BIN / "nbgrader")]
    env = {**os.environ, "PATH": f"{BIN}:{os.environ['PATH']}"}
    done = subprocess.run([*nbgrader, "generate_assignment", "ps1"], cwd=grading, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    book, learner = _book(checked_course), _learner(checked_course)
    for stem, nb in learner.items():
        released = nbformat.read(grading / "release" / "ps1" / f"{stem}.ipynb", as_version=4)
        # nbgrader hands out the learner copy: the starters, not its stubs, and no solution
        assert [c.source for c in released.cells] == [c.source for c in nb.cells]
        for student, copy_ in (("unsolved", released), ("solved", _solved(released, book[stem]))):
            target = grading / "submitted" / student / "ps1" / f"{stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(copy_, target)
    done = subprocess.run([*nbgrader, "autograde", "ps1"], cwd=grading, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    exercises = sum(1 for nb in learner.values() for c in nb.cells if "check" in c.metadata.get("tags", []))
    with Gradebook(f"sqlite:///{grading / 'gradebook.db'}") as gradebook:
        solved, unsolved = (gradebook.find_submission("ps1", s) for s in ("solved", "unsolved"))
        assert solved.max_score == exercises
        assert (solved.score, unsolved.score) == (exercises, 0)
