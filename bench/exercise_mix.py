"""The exercise mix `course convert` gives a set of tutorials: per tutorial, how many
exercises and how many apply the idea; per kind, how many; the share of apply-kind ones.

    .venv/bin/python bench/exercise_mix.py [SOURCE ...]   (default: sources/, with findings.json)

Issue 10's targets: every tutorial with code has at least 5 exercises, 3 of them apply-kind;
reading-only tutorials at least 3; at least 70% apply-kind overall.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from converter import environment, findings  # noqa: E402
from converter.convert import ConvertReport, Layout, expand_sources, read_all  # noqa: E402
from converter.document import CodeBlock, Course, Exercise  # noqa: E402
from converter.passes import run_passes  # noqa: E402
from converter.passes.exercises import APPLY_KINDS  # noqa: E402


def _kind(exercise: Exercise) -> str:
    """The kind as a reader names it (titles carry the tutorial's words after a colon or a backtick)."""
    named = {"command": "Write the command", "complete": "Complete the code"}
    return named.get(exercise.kind, exercise.title.split(":")[0])


def main(sources: list[str]) -> None:
    layout = Layout(ROOT)
    docs = read_all(expand_sources(Path(s) for s in sources), ConvertReport())
    course = run_passes(Course(tuple(docs)), environment=environment.read(layout.pyproject),
                        findings=findings.load(layout.findings))
    kinds: Counter = Counter()
    applied = total = short = 0
    print(f"{'tutorial':60} {'code':>5} {'exercises':>9} {'apply':>5}")
    for doc in course.documents:
        exercises = [b for b in doc.blocks if isinstance(b, Exercise)]
        apply = sum(e.kind in APPLY_KINDS for e in exercises)
        code = any(isinstance(b, CodeBlock) for b in doc.blocks)
        short += (len(exercises) < 5 or apply < 3) if code else len(exercises) < 3
        applied, total = applied + apply, total + len(exercises)
        kinds.update(_kind(e) for e in exercises)
        print(f"{doc.meta.title[:60]:60} {'yes' if code else 'no':>5} {len(exercises):>9} {apply:>5}")
    print("\nby kind: " + ", ".join(f"{kind} {n}" for kind, n in kinds.most_common()))
    print(f"apply-kind: {applied} of {total} ({100 * applied / max(total, 1):.0f}%); "
          f"tutorials below the per-tutorial target: {short} of {len(course.documents)}")


if __name__ == "__main__":
    main(sys.argv[1:] or [str(ROOT / "sources")])
