"""Fuzzing, bounded: seeded mutants of the golden inputs and the seeds convert safely.

Each case is converted in a fresh temporary project, in a forked child with a
wall-clock and memory budget (tests/fuzz/safety.py): no traceback, refusals are
one line naming the file, and every page written passes `page_problems`. The
campaign (bench/fuzz_campaign.py) runs the same checks on 10,000 cases; reproduce
one case alone with `list(mutants(corpus(), i + 1, SEED))[i]`.
"""

from __future__ import annotations

import jupytext
import nbformat
import pytest

from tests.fuzz.mutations import PAYLOAD, corpus, mutants
from tests.fuzz.safety import page_problems, run_case

CASES = 400
SEED = 2024


def _report(name: str, data: bytes) -> list[str]:
    return [f"{f.kind}: {f.detail}" for f in run_case(name, data).findings]


@pytest.mark.parametrize(("name", "data"), [pytest.param(*case, id=case[0]) for case in mutants(corpus(), CASES, SEED)])
def test_mutant_converts_safely(name: str, data: bytes) -> None:
    assert _report(name, data) == []


@pytest.mark.parametrize(("name", "data"), [pytest.param(*case, id=case[0]) for case in corpus()])
def test_golden_inputs_pass_the_checks(name: str, data: bytes) -> None:
    # What the converter writes from its own golden inputs is the lint's allowlist: no false alarm here.
    assert _report(name, data) == []


# ------------------------------------------------------------------ the checks can fail


def _page(*markdown: str) -> str:
    """A jupytext MyST page: a title cell, then one Markdown cell per argument."""
    cells = [nbformat.v4.new_markdown_cell(source) for source in ("# Title", *markdown)]
    return jupytext.writes(nbformat.v4.new_notebook(cells=cells), fmt="md:myst")


EXERCISE = "```{{exercise-start}} Try it\n:label: ex-1\n```\n\n{prompt}\n\n*Practises: {{ref}}`t-a`.*"

BAD_PAGES = {
    "script": (_page(f"Text <script>{PAYLOAD}</script>."), "html"),
    "raw fence": (_page("```{raw} html\n<b>x</b>\n```"), "dangerous"),
    "form feed": (_page("Text\x0cmore."), "control-char"),
    "line separator": (_page("Text\u2028more."), "control-char"),
    "download role": (_page("See {download}`x </etc/passwd>`."), "dangerous"),
    "unknown directive": (_page("```{figure} https://e.com/x.png\n```"), "directive"),
    "landing-page directive in a tutorial": (_page(":::{note}\nx\n:::"), "directive"),
    "other role": (_page("{ref}`t-a` without a target"), "role"),
    "local link": (_page("[passwd](../../etc/passwd)"), "link"),
    "stray target": (_page("(label)=\n\nText."), "target"),
    "role in prompt": (_page("(t-a)=\n## A", EXERCISE.format(prompt="Use {ref}`t-a`.")), "prompt-markup"),
    "directive in prompt": (_page("(t-a)=\n## A", EXERCISE.format(prompt="```{exercise-end}\n```")), "prompt-markup"),
    "bad front matter": ("---\ntitle: [unclosed\n---\n\n# T\n", "front-matter"),
    "escaped control": ('---\ntitle: "a\\x0cb"\n---\n\n# T\n', "front-matter-char"),
    "lone surrogate": ('---\ntitle: "\\ud83d"\n---\n\n# T\n', "front-matter-char"),
    "garbled cells": (_page("```{code-cell}\nprint(1)"), "round-trip"),
}


@pytest.mark.parametrize("case", sorted(BAD_PAGES))
def test_page_checks_catch(case: str) -> None:
    text, kind = BAD_PAGES[case]
    assert kind in {problem.split(":")[0] for problem in page_problems(text)}


def test_page_checks_pass_what_the_converter_writes() -> None:
    assert page_problems(_page("(t-a)=\n## A", EXERCISE.format(prompt="Complete `f`."))) == []


def test_a_case_over_its_budget_is_a_finding() -> None:
    [finding] = run_case("late.md", b"# T\n\nText.\n", seconds=0.001).findings
    assert finding.kind == "over-budget"
