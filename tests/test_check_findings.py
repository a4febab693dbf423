"""Findings from `course check` feed the next convert: demoted cells, dropped exercises."""

from __future__ import annotations

from dataclasses import replace

import jupytext

from converter.document import CodeBlock, Course, Document, Exercise, Heading, Meta
from converter.execute import practice_checks
from converter.findings import CellFinding, ExerciseFinding, Findings, cell_key, exercise_key
from converter.passes.check_findings import with_findings
from converter.passes.exercises import add_exercises
from converter.writers.notebook import code_cell_source, exercise_sources, to_myst, to_notebook

SLUG = "demo"


def py(code: str, status: str = "runs", **kw) -> CodeBlock:
    return CodeBlock(code=code, language="python", status=status, **kw)


DOC = Document(Meta("Demo", "demo.md", slug=SLUG), (
    Heading(2, "Start"),
    py("x = 1\nprint(x)"),
    py("print(y)"),
    py("VALUE = 1", status="file", file="settings.py"),
    py("OTHER = 2", status="file", file="settings.py"),
    py("import time\ntime.sleep(100)"),
    py("print('shown only')", status="skipped", reason="a fragment", category="fragment"),
))


def key(source: str) -> str:
    return cell_key(SLUG, source)


def test_a_cell_check_saw_fail_is_demoted_with_its_reason() -> None:
    findings = Findings({
        key("print(y)"): CellFinding("failed", "NameError: name 'y' is not defined"),
        key("import time\ntime.sleep(100)"): CellFinding("timeout", ""),
        key("x = 1\nprint(x)"): CellFinding("ran", "", "1\n"),
    })
    doc = with_findings(DOC, findings)
    ran, failed, _first, _second, slept, _shown = doc.code_blocks
    assert (failed.status, failed.category) == ("skipped", "check")
    assert failed.reason == "course check: NameError: name 'y' is not defined"
    assert (slept.status, slept.reason) == ("skipped", "course check: timeout")
    assert ran.status == "runs" and ran.printed == "1\n"
    assert set(doc.meta.findings) == {key("print(y)"), key("import time\ntime.sleep(100)")}
    text = to_myst(doc)
    assert "*Not run here: course check: NameError: name 'y' is not defined.*" in text
    cell = next(c for c in jupytext.reads(text, fmt="md:myst").cells if c.source == "print(y)")
    assert "skip-execution" in cell.metadata["tags"] and cell.metadata["runnable"]["category"] == "check"


def test_only_failures_demote() -> None:
    for status in ("ran", "expected-error", "not-reached"):
        doc = with_findings(DOC, Findings({key("print(y)"): CellFinding(status, "something")}))
        assert doc.code_blocks[1].status == "runs" and not doc.meta.findings
    for status in ("failed", "timeout", "limit"):
        doc = with_findings(DOC, Findings({key("print(y)"): CellFinding(status, "why")}))
        assert doc.code_blocks[1].status == "skipped"


def test_findings_are_keyed_by_the_exact_cell_source_and_the_slug() -> None:
    failed = CellFinding("limit", "limit: disk")
    # The second block for settings.py appends to the file: its cell says so, and so must the key.
    doc = with_findings(DOC, Findings({key("%%writefile -a settings.py\nOTHER = 2"): failed}))
    assert [b.status for b in doc.code_blocks[2:5]] == ["file", "skipped", "runs"]
    for wrong in (key("OTHER = 2"), key("%%writefile settings.py\nOTHER = 2"), cell_key("other-slug", "print(y)")):
        assert with_findings(DOC, Findings({wrong: failed})) == DOC


def test_the_keys_are_the_sources_check_reads_back_from_the_notebook() -> None:
    text = to_myst(DOC)
    read_back = [c.source for c in jupytext.reads(text, fmt="md:myst").cells if c.cell_type == "code"]
    written: set[str] = set()
    expected = []
    for block in DOC.code_blocks:
        expected.append(code_cell_source(block, appending=block.file in written))
        written |= {block.file} if block.status == "file" else set()
    assert read_back == expected


def test_demotion_converges() -> None:
    findings = Findings({key("print(y)"): CellFinding("failed", "NameError: y")})
    once = with_findings(DOC, findings)
    assert with_findings(once, findings) == once  # nothing more to demote
    assert to_myst(with_findings(DOC, findings)) == to_myst(once)  # the same inputs, the same notebook


def _exercise(n: int) -> Exercise:
    return Exercise(kind="short", title=f"Question {n}", prompt="?", starter=f"answer{n} = ...\n",
                    solution=f"answer{n} = {n}\n", check=f"assert answer{n} == {n}, 'no'\nprint('✅')\n")


def test_an_exercise_check_disproved_is_dropped_reported_and_replaced(monkeypatch) -> None:
    from converter.passes import exercises as pass_module

    offers = [_exercise(n) for n in range(1, pass_module.MIN_EXERCISES + 2)]  # quizzes: up to MIN_EXERCISES
    monkeypatch.setattr(pass_module, "GENERATORS", (("short", lambda doc: offers),))
    course = Course((DOC,))
    labelled = [b for b in add_exercises(course).documents[0].blocks if isinstance(b, Exercise)]
    assert [e.title for e in labelled] == [f"Question {n}" for n in range(1, pass_module.MIN_EXERCISES + 1)]
    assert all(e.label.startswith("ex-demo-") for e in labelled) and len({e.label for e in labelled}) == len(labelled)
    second = labelled[1]
    disproved = exercise_key(second.label, *exercise_sources(second))
    findings = Findings(exercises={
        disproved: ExerciseFinding(False, "its check passes with the starter"),
        exercise_key(labelled[0].label, *exercise_sources(labelled[0])): ExerciseFinding(True),
    })
    doc = add_exercises(course, findings=findings).documents[0]
    kept = [b for b in doc.blocks if isinstance(b, Exercise)]
    # the next offer takes the place; the others keep their labels (and proofs)
    assert [e.title for e in kept] == [e.title for e in labelled if e is not second] + [f"Question {len(offers)}"]
    assert [e.label for e in kept][:-1] == [e.label for e in labelled if e is not second]
    assert doc.notes == (f"exercise {second.label} (Question 2) left out: course check: its check passes with the starter",)
    assert doc.meta.findings == (disproved,)
    assert to_notebook(doc).metadata["course"]["findings"] == [disproved]


def test_exercise_keys_are_the_sources_check_reads_back() -> None:
    ex = replace(_exercise(1), label="ex-demo-1")
    doc = replace(DOC, blocks=DOC.blocks + (ex,))
    nb = jupytext.reads(to_myst(doc), fmt="md:myst")
    by_tag = {t: c.source for c in nb.cells for t in c.metadata.get("tags", []) if t in ("exercise", "solution", "check")}
    assert by_tag["check"] == "check_exercise('ex-demo-1')"
    # the check's own code is its function in the practice cell
    functions = practice_checks(nb)
    assert (by_tag["exercise"], by_tag["solution"], functions["ex-demo-1"]) == exercise_sources(ex)


def test_a_block_ending_in_a_newline_is_found_by_the_source_its_notebook_keeps() -> None:
    """Carried blocks end with a newline; the MyST notebook does not keep it, and check keys
    its findings by the cell source it reads back."""
    block = py("# from an earlier block:\ndef f():\n    return y\n\n# this block:\nf()\n")
    doc = Document(Meta("Demo", "demo.md", slug=SLUG), (block,))
    [cell] = [c for c in jupytext.reads(to_myst(doc), fmt="md:myst").cells if c.cell_type == "code"]
    assert cell.source == block.code.rstrip("\n")
    demoted = with_findings(doc, Findings({key(cell.source): CellFinding("failed", "NameError: name 'y' is not defined")}))
    assert demoted.code_blocks[0].status == "skipped"
