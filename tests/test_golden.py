"""Golden files: every input under tests/cases/ and its expected notebooks beside it.

One case per file: `tests/cases/<reader>/<name>.<ext>` is converted (reader chosen
from content, the per-tutorial passes, the MyST writer) and compared with
`<name>.expected.md`: its notebooks, or the one-line error for a source the
converter refuses. Course-level passes (selection, duplicates, placement) have
their own tests, except under `tests/cases/pipeline/`: there each tutorial
(`<name>.md`) goes through the whole pipeline, exercises included, into
`<name>.expected.md`; and when `<name>.findings.yaml` says what `course check`
recorded (by cell source and exercise label), also into `<name>.checked.expected.md`.
After a reviewed change, regenerate with `pytest tests/test_golden.py --regen`.
Every case also checks an invariant: jupytext reads and re-writes each notebook
to the very same text.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pytest
import yaml

from converter import findings as found
from converter.document import Course, Exercise
from converter.errors import SourceError
from converter.passes import passes, run_passes
from converter.readers import READERS, decode, detect_format
from converter.characters import clean_strings
from converter.writers.notebook import exercise_sources, to_myst
from tests.course_environment import COURSE
from tests.exercise_contract import assert_contract

CASES = Path(__file__).parent / "cases"
PIPELINE = CASES / "pipeline"
REPRODUCERS = CASES / "hostile" / "reproducers"  # the fuzzing campaign's: tests/test_hostile_inputs.py
SEPARATOR = "\n<!-- ======== next notebook ======== -->\n\n"


def _inputs() -> list[Path]:
    return sorted(p for p in CASES.rglob("*") if p.is_file() and not p.name.endswith(".expected.md")
                  and PIPELINE not in p.parents and REPRODUCERS not in p.parents)


def convert_case(path: Path) -> list[str]:
    """The case's notebooks; a source the converter refuses gives its one-line error."""
    source = path.relative_to(CASES).as_posix()
    try:
        text = decode(path.read_bytes(), source=source)
        docs = clean_strings(READERS[detect_format(text, suffix=path.suffix)](text, source=source))
    except SourceError as err:
        return [f"error: {err}\n"]
    for _name, apply in passes(COURSE):
        docs = [apply(d) for d in docs]
    return [to_myst(d) for d in docs]


@pytest.mark.parametrize("path", _inputs(), ids=lambda p: p.relative_to(CASES).as_posix())
def test_case(path: Path, regen: bool) -> None:
    notebooks = convert_case(path)
    _compare(notebooks, path.with_name(path.name.rsplit(".", 1)[0] + ".expected.md"), regen)
    if HOSTILE not in path.parents:  # hostile titles are tag-shaped text on purpose, escaped
        assert [tag for n in notebooks for tag in leaked_tags(n)] == []


# --- markup leaks: no HTML tag reaches a notebook's prose ---------------------------------------

HOSTILE = CASES / "hostile"
# A raw tag, or an escaped one that is markup rather than a tag named in prose ("the \\<div\\>
# element"): a closing tag or one with attributes.
_LEAKED_TAG = re.compile(r"(?<!\\)</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>|\\<(?:/[A-Za-z][\w:-]*|[A-Za-z][\w:-]*\s[^<>]*)\\?>")
_FENCE = re.compile(r"^(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)")


def leaked_tags(notebook: str) -> list[str]:
    """HTML tags, raw or escaped (`\\</td>` shows as "</td>"), in a notebook's Markdown outside
    code: front matter, code cells, fenced blocks, code spans and cell metadata lines left out."""
    lines = notebook.split("\n")
    if lines and lines[0] == "---":
        lines = lines[lines.index("---", 1) + 1:]
    leaked: list[str] = []
    fence = ""
    for line in lines:
        marker = _FENCE.match(line)
        if fence:
            if marker and line.strip() == fence[0] * len(line.strip()) and len(line.strip()) >= len(fence):
                fence = ""
            continue
        if marker:
            fence = marker.group(1)
            continue
        if line.startswith("+++"):
            continue
        leaked += _LEAKED_TAG.findall(_CODE_SPAN.sub("", line))
    return leaked


@pytest.mark.parametrize("text, expected", [
    ("---\nx: 1\n---\n\nA <td>cell</td> and \\<div class=\"x\"\\> too.", ["<td>", "</td>", '\\<div class="x"\\>']),
    ("```html\n<div></div>\n```\n\nUse `<div>` here; 2 < 3 and 4 > 1.\n\n```{code-cell}\n<b>\n```", []),
    ("Word HTML: <o:p></o:p>", ["<o:p>", "</o:p>"]),
    ("The \\<div\\> element and List\\<String\\>; but \\</td\\> leaked.", ["\\</td\\>"]),
])
def test_leaked_tags_counts_tags_outside_code(text: str, expected: list[str]) -> None:
    assert leaked_tags(text) == expected


def _compare(notebooks: list[str], expected: Path, regen: bool) -> None:
    actual = SEPARATOR.join(notebooks)
    if regen or not expected.exists():
        expected.write_text(actual, encoding="utf-8")
        if not regen:
            pytest.fail(f"no expected output yet: wrote {expected.name}; review it and run again")
    assert actual == expected.read_text(encoding="utf-8")
    for text in (n for n in notebooks if n.startswith("---")):
        assert jupytext.writes(jupytext.reads(text, fmt="md:myst"), fmt="md:myst") == text


# --- the whole pipeline, exercises and findings included ---------------------------------------


def _pipeline_inputs() -> list[Path]:
    return sorted(p for p in PIPELINE.glob("*.md") if not p.name.endswith(".expected.md"))


def convert_pipeline(path: Path, findings: found.Findings = found.Findings()) -> Course:
    source = path.relative_to(CASES).as_posix()
    docs = READERS[detect_format(decode(path.read_bytes(), source=source), suffix=path.suffix)](
        decode(path.read_bytes(), source=source), source=source)
    return run_passes(Course(tuple(docs)), environment=COURSE, findings=findings)


def recorded_findings(path: Path, tutorial: Path, out: Path) -> found.Findings:
    """The case's findings.yaml as the findings.json `course check` would write: cells keyed by
    (slug, source), exercises by the sources of the exercise with that label in the notebook."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    [doc] = convert_pipeline(tutorial).documents
    cells = {found.cell_key(doc.meta.slug, c["source"]): found.CellFinding(c["status"], c.get("reason", ""), c.get("stdout"))
             for c in data.get("cells", [])}
    # The exercises as check saw them: in the notebook converted with the cells' findings.
    shipped = {b.label: b for d in convert_pipeline(tutorial, found.Findings(cells)).documents
               for b in d.blocks if isinstance(b, Exercise)}
    exercises = {
        found.exercise_key(e["label"], *exercise_sources(shipped[e["label"]])): found.ExerciseFinding(e["ok"], e.get("reason", ""))
        for e in data.get("exercises", [])
    }
    found.save(out, found.Findings(cells, exercises))
    return found.load(out)


@pytest.mark.parametrize("path", _pipeline_inputs(), ids=lambda p: p.name)
def test_pipeline(path: Path, regen: bool) -> None:
    course = convert_pipeline(path)
    _compare([to_myst(d) for d in course.documents], path.with_name(path.stem + ".expected.md"), regen)
    # What `course check` will prove, here in plain Python: each exercise keeps its contract
    # after the tutorial's cells (run past their errors, as check does).
    for doc in course.documents:
        context = "\n".join(f"try:\n    exec({b.code!r})\nexcept Exception:\n    pass" for b in doc.code_blocks
                            if b.language == "python" and b.status in ("runs", "rewritten", "raises"))
        for exercise in (b for b in doc.blocks if isinstance(b, Exercise)):
            assert assert_contract(exercise, context).startswith("✅"), exercise.label


@pytest.mark.parametrize("path", sorted(PIPELINE.glob("*.findings.yaml")), ids=lambda p: p.name)
def test_pipeline_with_findings(path: Path, regen: bool, tmp_path: Path) -> None:
    tutorial = path.with_name(path.name.replace(".findings.yaml", ".md"))
    findings = recorded_findings(path, tutorial, tmp_path / found.FINDINGS_FILE)
    course = convert_pipeline(tutorial, findings)
    notebooks = [to_myst(d) for d in course.documents]
    _compare(notebooks, path.with_name(path.name.replace(".findings.yaml", ".checked.expected.md")), regen)
    # Every finding was used: the keys really are the cells' and exercises' sources.
    [doc] = course.documents
    demoted = [b for b in doc.code_blocks if b.category == "check"]
    predicted = [b for b in doc.blocks if isinstance(b, Exercise) and b.kind == "predict" and "```python" in b.prompt]
    assert len(demoted) == sum(c.status in ("failed", "timeout", "limit") for c in findings.cells.values())
    assert len(predicted) == sum(c.stdout is not None for c in findings.cells.values())
    assert len(doc.notes) == sum(not e.ok for e in findings.exercises.values())
    # Converging: converting again from the same inputs gives the same notebooks.
    assert [to_myst(d) for d in convert_pipeline(tutorial, findings).documents] == notebooks
