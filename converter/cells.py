"""The exact sources of a notebook's cells as the writer makes them: `course check` keys what
it proves by them, and the passes look those findings up before any page is written. Apart
from the writer, so that the passes need neither jupytext nor nbformat."""

from __future__ import annotations

from . import practice, runtimes
from .document import CodeBlock, Exercise


def code_cell_source(block: CodeBlock, *, appending: bool) -> str:
    """The exact source of a block's code cell (`course check` keys its findings by it);
    `appending`: an earlier cell already wrote the block's file."""
    if block.status == "file":
        return f"%%writefile {'-a ' if appending else ''}{block.file}\n{block.code}"
    return runtimes.cell_source(block.magic, block.code)


def exercise_sources(ex: Exercise) -> tuple[str, str, str]:
    """The exact sources of an exercise's starter and solution cells, and of its check's function
    in the practice cell (`course check` keys what it proves about the exercise by them)."""
    return ex.starter.rstrip("\n"), ex.solution.rstrip("\n"), practice.check_function(ex.label, ex.check)


def exercise_answers(ex: Exercise) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The other answers `course check` tries in place of the starter: (correct variants, wrong answers)."""
    return tuple(a.rstrip("\n") for a in ex.right), tuple(a.rstrip("\n") for a in ex.wrong)
