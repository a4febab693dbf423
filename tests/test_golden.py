"""Golden files: every input under tests/cases/ and its expected notebooks beside it.

One case per file: `tests/cases/<reader>/<name>.<ext>` is converted (reader chosen
from content, the per-tutorial passes, the MyST writer) and compared with
`<name>.expected.md`: its notebooks, or the one-line error for a source the
converter refuses. Course-level passes (selection, duplicates, placement) have
their own tests.
After a reviewed change, regenerate with `pytest tests/test_golden.py --regen`.
Every case also checks an invariant: jupytext reads and re-writes each notebook
to the very same text.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import pytest

from converter.errors import SourceError
from converter.passes import passes
from converter.readers import READERS, decode, detect_format
from converter.writers.notebook import to_myst
from tests.course_environment import COURSE

CASES = Path(__file__).parent / "cases"
SEPARATOR = "\n<!-- ======== next notebook ======== -->\n\n"


def _inputs() -> list[Path]:
    return sorted(p for p in CASES.rglob("*") if p.is_file() and not p.name.endswith(".expected.md"))


def convert_case(path: Path) -> list[str]:
    """The case's notebooks; a source the converter refuses gives its one-line error."""
    source = path.relative_to(CASES).as_posix()
    try:
        text = decode(path.read_bytes(), source=source)
        docs = READERS[detect_format(text, suffix=path.suffix)](text, source=source)
    except SourceError as err:
        return [f"error: {err}\n"]
    for _name, apply in passes(COURSE):
        docs = [apply(d) for d in docs]
    return [to_myst(d) for d in docs]


@pytest.mark.parametrize("path", _inputs(), ids=lambda p: p.relative_to(CASES).as_posix())
def test_case(path: Path, regen: bool) -> None:
    notebooks = convert_case(path)
    expected = path.with_name(path.name.rsplit(".", 1)[0] + ".expected.md")
    actual = SEPARATOR.join(notebooks)
    if regen or not expected.exists():
        expected.write_text(actual, encoding="utf-8")
        if not regen:
            pytest.fail(f"no expected output yet: wrote {expected.name}; review it and run again")
    assert actual == expected.read_text(encoding="utf-8")
    for text in (n for n in notebooks if n.startswith("---")):
        assert jupytext.writes(jupytext.reads(text, fmt="md:myst"), fmt="md:myst") == text
