"""`course student`: learner copies of the notebooks, without the solutions.

Each copy is an .ipynb (ready for Jupyter, Colab or an LMS upload) with the
solution cells and their folding directives removed; exercises, starters and
checks stay, so a learner can still check their own answers.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import jupytext
import nbformat
from nbformat.notebooknode import NotebookNode

_SOLUTION_FENCE = re.compile(r"^```\{solution-(start|end)\}")


def learner_copy(nb: NotebookNode) -> NotebookNode:
    """The notebook without solution code cells and without the solution directives around them."""
    copied = copy.deepcopy(nb)
    copied.cells = [cell for cell in copied.cells if not _is_solution(cell)]
    copied.metadata.pop("jupytext", None)  # an .ipynb of its own, not paired with the .md
    return copied


def _is_solution(cell: NotebookNode) -> bool:
    if cell.cell_type == "code":
        return "solution" in cell.metadata.get("tags", [])
    return cell.cell_type == "markdown" and bool(_SOLUTION_FENCE.match(cell.source.strip()))


def write_learner_copies(notebooks: list[Path], out_dir: Path) -> list[Path]:
    """Write `<out_dir>/<slug>.ipynb` for every notebook; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        target = out_dir / f"{path.stem}.ipynb"
        nbformat.write(learner_copy(jupytext.read(path)), target)
        written.append(target)
    return written
