"""Needles: the text every match of a pattern holds, so that a pattern can be skipped when a
text lacks it. A needle that some match lacks would hide a language's signal or a mutant."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from converter.exercises.mutants import _OPERATORS, _SQL_OPERATORS
from converter.languages import _RULES
from converter.needles import may_match, needle

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"(?<![<>=!-])>=(?![=>])", (">=", False)),
    (r"(?<![=!])!==?(?!=)", ("!=", False)),           # the last "=" may be left out
    (r"\.reverse\b(?:\(\))?", (".reverse", False)),
    (r"(?<=[\w)\]]) \+ (?=[\w(])", (" + ", False)),   # a class holding ")" and "]" inside a lookbehind
    (r"(?i)\bLEFT\s+(?:OUTER\s+)?JOIN\b", ("left", True)),
    (r"(?mi)^\s*SELECT\b", ("select", True)),       # flags together
    (r"(?m)^\s*SELECT\b", ("SELECT", False)),
    (r"\bcout\s*<<", ("cout", False)),
    (r"ab+c", ("ab", False)),
    (r"colou?r", ("colo", False)),
    (r"x{2}yz", ("yz", False)),
    (r"[]a]bc", ("bc", False)),
    (r"(\d+)", None),                                # nothing plain
    (r"===|!==", None),                              # an alternation at the top
    (r"(a)\1", None),                                # a backreference
])
def test_the_needle_is_the_longest_run_every_match_holds(pattern: str, expected: tuple[str, bool] | None) -> None:
    assert needle(pattern) == expected


def _patterns() -> list[tuple[str, int]]:
    return ([(p, f) for _lang, p, _w, f in _RULES]
            + [(p, 0) for _rank, p, _new, _change in _OPERATORS + _SQL_OPERATORS])


def _texts() -> list[str]:
    """Code and prose of the test cases and the seeds, and random texts made of the patterns'
    own characters (so that near misses are common)."""
    texts = [p.read_text(encoding="utf-8", errors="replace")
             for folder in ("tests/cases", "tests/corpus", "sources") for p in sorted((ROOT / folder).rglob("*"))
             if p.is_file() and p.suffix in {".md", ".txt", ".html", ".xml", ".py", ".js", ".rb", ".go", ".sql"}]
    rng = random.Random(3)
    alphabet = sorted({c for p, _f in _patterns() for c in p if c.isprintable()} | set(" \n\tıſ"))
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60))) for _ in range(3000)]
    return texts


def test_no_match_lacks_its_needle() -> None:
    texts = _texts()
    lowered = [t.lower() for t in texts]
    for pattern, flags in _patterns():
        compiled, found = re.compile(pattern, flags), needle(pattern, flags)
        for text, low in zip(texts, lowered):
            if compiled.search(text):
                assert may_match(found, text, low), (pattern, found, text[:200])


def test_case_is_ignored_only_where_the_engine_folds_like_lower() -> None:
    found = needle(r"(?i)\bIN\s*\(")
    assert not may_match(found, "SELECT 1", "select 1")
    assert may_match(found, "where id ın (1)", "where id ın (1)")  # the dotless ı: left to the engine
