"""Learner and instructor copies of the notebooks, as plain .ipynb files.

A *learner copy* reads naturally in JupyterLab, VS Code, Colab or JupyterLite:
- exercises are plain Markdown ("### Exercise 2: Fix the bug"): no MyST directive,
  role or target; a section an exercise practises is linked through an HTML anchor
  (`<a id>`), which every notebook front end honours;
- no solution, not even encoded: solution cells go, and checks that compare with a
  reference hold the digests `course check` recorded for it instead
  (converter/practice.py). An exercise check has not recorded yet is left out,
  and said so;
- each check is one line; the practice cell that defines the checks is folded
  (`jupyter.source_hidden`), like the exercises' setup cells.

An *instructor copy* is the same notebook with the solution in each answer cell.
Both carry nbgrader cell metadata (answer cells are solution cells, checks are
autograded test cells worth one point, the course's own cells are read-only), so
an instructor can grade learners' copies with nbgrader (`write_nbgrader_course`).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import _jupytext_without_servers  # noqa: F401 (imports jupytext, without jupyter_server)
import jupytext
import nbformat
from nbformat.notebooknode import NotebookNode

from . import findings as found
from . import practice
from .atomic import atomic_write
from .sandbox import KERNEL_NAME

__all__ = ["LearnerCopy", "learner_copy", "instructor_copy", "write_learner_copies", "write_nbgrader_course"]

_DIRECTIVE = re.compile(r"^```\{(exercise|solution)-(start|end)\}[^\n]*\n(?::[a-z-]+:[^\n]*\n)*```\n*", re.M)
_EXERCISE_START = re.compile(r"^```\{exercise-start\}[ \t]*(?P<title>[^\n]*)\n(?::[a-z-]+:[^\n]*\n)*```\n*")
_LABEL = re.compile(r"^:label:[ \t]*(\S+)", re.M)
_TARGET = re.compile(r"^\((?P<target>[^()\n]+)\)=\n+(?P<heading>#+ [^\n]*)", re.M)
_REF = re.compile(r"\{ref\}`(?P<target>[^`<>]+)`")

LEARNER_PRACTICE = """## Practice

Each exercise has a cell for your answer and a check: run the folded cell below
once (it defines the checks), then your cell, then the check. A check says what
is not right yet, or prints ✅ when your answer is right."""

NBGRADER_SCHEMA = 3


@dataclass
class LearnerCopy:
    notebook: NotebookNode
    left_out: list[str] = field(default_factory=list)
    """Labels of exercises left out: their check compares with a reference no `course check` recorded."""


def learner_copy(nb: NotebookNode, recorded: dict[str, object] | None = None) -> LearnerCopy:
    """The learner copy of a book notebook (as jupytext reads it); `recorded`: label -> what
    `course check` recorded for checks with a reference (see `recordings`)."""
    copied = _plain_copy(nb)
    left_out: list[str] = []
    for cell in copied.cells:
        if practice.TAG in _tags(cell):
            cell.source, left_out = practice.for_learners(cell.source, recorded or {})
    copied.cells = [c for c in copied.cells if c.metadata.get("exercise") not in left_out
                    and not ("solution" in _tags(c) or _is_directive_only(c))]
    _number_exercises(copied)
    return LearnerCopy(copied, left_out)


def instructor_copy(learner: NotebookNode, nb: NotebookNode) -> NotebookNode:
    """nbgrader's source version of a learner copy: each answer cell holds the solution (from
    the book notebook `nb`), and the starter in its metadata (`course_starter`), which the
    generated nbgrader_config.py puts back where nbgrader would put its stub."""
    solutions = {c.metadata["exercise"]: c.source for c in nb.cells if "solution" in _tags(c)}
    copied = copy.deepcopy(learner)
    for cell in copied.cells:
        label = cell.metadata.get("exercise")
        if "exercise" in _tags(cell) and label in solutions:
            cell.metadata["course_starter"] = cell.source
            cell.source = solutions[label]
    return copied


def _plain_copy(nb: NotebookNode) -> NotebookNode:
    """The notebook with plain-Markdown exercises, folded course cells and nbgrader metadata."""
    copied = copy.deepcopy(nb)
    copied.metadata.pop("jupytext", None)  # an .ipynb of its own, not paired with the .md
    course = copied.metadata.get("course", {})
    copied.metadata["course"] = {k: course[k] for k in ("title", "slug", "chapter") if k in course}
    if course.get("source", {}).get("url"):
        copied.metadata["course"]["url"] = course["source"]["url"]
    headings = {m["target"]: m["heading"].lstrip("#").strip() for c in nb.cells if c.cell_type == "markdown"
                for m in _TARGET.finditer(c.source)}
    for cell in copied.cells:
        if cell.cell_type == "markdown":
            if _EXERCISE_START.match(cell.source) and (label := _LABEL.search(cell.source)):
                cell.metadata["exercise"] = label.group(1)  # the exercise's opening cell goes with it
            cell.source = _plain_markdown(cell.source, headings)
        elif practice.TAG in _tags(cell) or "hide-input" in _tags(cell):
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        _mark_for_nbgrader(cell)
    return copied


def _plain_markdown(text: str, headings: dict[str, str]) -> str:
    """Markdown without MyST syntax: targets become HTML anchors, references links to them,
    an exercise's opening directive a heading (numbered later)."""
    if text.startswith("## Practice\n"):
        return LEARNER_PRACTICE
    text = _TARGET.sub(lambda m: f'<a id="{m["target"]}"></a>\n\n{m["heading"]}', text)
    text = _REF.sub(lambda m: f"[{headings.get(m['target'], 'this section')}](#{m['target']})", text)
    return _EXERCISE_START.sub(lambda m: f"### Exercise: {m['title'].strip()}\n\n", text)


def _number_exercises(nb: NotebookNode) -> None:
    number = 0
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("### Exercise: "):
            number += 1
            cell.source = cell.source.replace("### Exercise: ", f"### Exercise {number}: ", 1)


def _is_directive_only(cell: NotebookNode) -> bool:
    """A Markdown cell that only opens or closes an exercise or solution directive."""
    return cell.cell_type == "markdown" and bool(cell.source.strip()) and not _DIRECTIVE.sub("", cell.source).strip()


def _tags(cell: NotebookNode) -> list[str]:
    return cell.metadata.get("tags", [])


def _mark_for_nbgrader(cell: NotebookNode) -> None:
    """nbgrader cell metadata: answer cells are solution cells, checks autograded tests worth a
    point, the course's own exercise cells read-only (nbgrader restores them before grading)."""
    label, tags = cell.metadata.get("exercise"), _tags(cell)
    if practice.TAG in tags:
        meta = {"grade": False, "solution": False, "locked": True, "grade_id": "course-checks"}
    elif label and "exercise" in tags:
        meta = {"grade": False, "solution": True, "locked": False, "grade_id": f"{label}-answer"}
    elif label and "check" in tags:
        meta = {"grade": True, "solution": False, "locked": True, "grade_id": f"{label}-check", "points": 1}
    elif label and cell.cell_type == "code" and "solution" not in tags:  # an exercise's setup
        meta = {"grade": False, "solution": False, "locked": True, "grade_id": f"{label}-setup"}
    else:
        return
    cell.metadata["nbgrader"] = {**meta, "schema_version": NBGRADER_SCHEMA, "task": False}


def recordings(nb: NotebookNode, findings: found.Findings) -> dict[str, object]:
    """label -> what `course check` recorded for the exercise's check reference, when it
    proved the exercise as it stands in this notebook."""
    from .execute import exercise_keys

    recorded = {}
    for label, key in exercise_keys(nb).items():
        finding = findings.exercises.get(key)
        if finding is not None and finding.ok and finding.expected is not None:
            recorded[label] = finding.expected
    return recorded


def write_learner_copies(notebooks: list[Path], out_dir: Path, *, findings: found.Findings | None = None,
                         on_left_out: Callable[[Path, list[str]], None] | None = None) -> list[Path]:
    """Write `<out_dir>/<stem>.ipynb` for every notebook; return the paths written.
    `findings`: what `course check` proved (default: the findings.json of the project the
    notebooks are in); `on_left_out(notebook, labels)` hears of exercises left out."""
    return [learner for learner, _instructor in _write(notebooks, out_dir, None, findings, on_left_out)]


def write_nbgrader_course(notebooks: list[Path], course_dir: Path, assignment: str, *,
                          findings: found.Findings | None = None,
                          on_left_out: Callable[[Path, list[str]], None] | None = None) -> list[Path]:
    """An nbgrader course folder: the instructor copies in `source/<assignment>/`, and an
    nbgrader_config.py with which `nbgrader generate_assignment` releases the learner copies
    (starters, not nbgrader's stubs) and `nbgrader autograde` runs hand-ins in the course
    sandbox. Returns the instructor copies."""
    source = course_dir / "source" / assignment
    written = [instructor for _learner, instructor in _write(notebooks, None, source, findings, on_left_out)]
    atomic_write(course_dir / "nbgrader_config.py", _NBGRADER_CONFIG.format(kernel=KERNEL_NAME))
    return written


def _write(notebooks, learners: Path | None, instructors: Path | None, findings, on_left_out):
    for folder in (learners, instructors):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
    loaded: dict[Path, found.Findings] = {}  # findings.json by project, read once
    for path in notebooks:
        nb = jupytext.read(path)
        proved = findings if findings is not None else _project_findings(path, loaded)
        copied = learner_copy(nb, recordings(nb, proved))
        if copied.left_out and on_left_out is not None:
            on_left_out(path, copied.left_out)
        learner = instructor = None
        if learners is not None:
            learner = learners / f"{path.stem}.ipynb"
            atomic_write(learner, nbformat.writes(copied.notebook) + "\n")
        if instructors is not None:
            instructor = instructors / f"{path.stem}.ipynb"
            atomic_write(instructor, nbformat.writes(instructor_copy(copied.notebook, nb)) + "\n")
        yield learner, instructor


_NBGRADER_CONFIG = '''\
# Written by `course student --nbgrader`: the course's exercises with nbgrader.
#   nbgrader generate_assignment ASSIGNMENT   # release/: the learner copies (each answer cell
#                                             # holds the exercise's starter, not a stub)
#   nbgrader autograde ASSIGNMENT             # one point per exercise whose check passes
from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearSolutions

c = get_config()  # noqa: F821 (nbgrader's config loader defines it)
c.CourseDirectory.root = "."
# Learners' code runs in the course sandbox (the kernel `course check` installs), as the
# tutorials' code does in `course check`.
c.Execute.kernel_name = "{kernel}"


class KeepStarters(ClearSolutions):
    """An answer cell's stub is the exercise's starter, kept in the cell's metadata."""

    def preprocess_cell(self, cell, resources, index):
        starter = cell.metadata.pop("course_starter", None)
        cell, resources = super().preprocess_cell(cell, resources, index)
        if starter is not None:
            cell.source = starter
        return cell, resources


c.GenerateAssignment.preprocessors = [
    KeepStarters if step is ClearSolutions else step
    for step in GenerateAssignment.class_traits()["preprocessors"].default()
]
'''


def _project_findings(notebook: Path, loaded: dict[Path, found.Findings]) -> found.Findings:
    """The findings.json of the project a notebook is in (the nearest folder up with one),
    read once per project (`loaded`)."""
    for folder in notebook.resolve().parents:
        if (folder / found.FINDINGS_FILE).is_file():
            if folder not in loaded:
                loaded[folder] = found.load(folder / found.FINDINGS_FILE)
            return loaded[folder]
    return found.Findings()
