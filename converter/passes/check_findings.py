"""Course pass: what the last `course check` proved about each code cell feeds this convert.

Convert proposes, check proves (converter/findings.py). A cell check saw fail,
hang or hit a sandbox limit is demoted to not-run, with check's reason; a cell
that ran keeps what it printed (`CodeBlock.printed`, for "predict the output"),
and, when it printed something else than the tutorial shows, a note saying so
(`CodeBlock.claim`).
Cells are found by the exact source the writer gives them, so this pass runs
after placement (the key holds the notebook's slug).

Converges: check runs a notebook past unexpected errors, so one run reveals
every cell that fails; demoting them changes nothing the other cells see, and
the demoted cells' keys go into the notebook (`Meta.findings`) so that check
keeps their findings when it prunes findings.json.
"""

from __future__ import annotations

from dataclasses import replace

from ..document import Block, CodeBlock, Course, Document
from ..findings import CellFinding, Findings, cell_key
from ..cells import code_cell_source

FAILED = frozenset({"failed", "timeout", "limit"})
CATEGORY = "check"
# Cells that run in the notebook (skipped ones are shown, never run, so check has nothing on them).
_RUNNING = frozenset({"runs", "rewritten", "file", "raises", "setup"})


def apply_findings(course: Course, *, findings: Findings) -> Course:
    """Demote what check found failing and attach what it saw printed, tutorial by tutorial."""
    return replace(course, documents=tuple(with_findings(doc, findings) for doc in course.documents))


def with_findings(doc: Document, findings: Findings) -> Document:
    blocks: list[Block] = []
    applied: list[str] = []
    written: set[str] = set()  # files a cell above writes: the writer appends (`%%writefile -a`) to them
    for block in doc.blocks:
        if isinstance(block, CodeBlock) and block.status in _RUNNING:
            key = cell_key(doc.meta.slug, code_cell_source(block, appending=block.file in written))
            found = findings.cells.get(key)
            if found and found.status in FAILED:
                block = demote(block, found)
                applied.append(key)
            elif found and found.status in ("ran", "expected-error"):
                if found.stdout is not None:
                    block = replace(block, printed=found.stdout)
                if found.claim:
                    block = replace(block, claim=found.claim)
                    applied.append(key)
        if isinstance(block, CodeBlock) and block.status == "file":
            written.add(block.file)
        blocks.append(block)
    meta = replace(doc.meta, findings=doc.meta.findings + tuple(applied))
    return replace(doc, meta=meta, blocks=tuple(blocks))


def demote(block: CodeBlock, finding: CellFinding) -> CodeBlock:
    """The block shown, not run, with check's reason."""
    reason = f"course check: {finding.reason or finding.status}"
    return replace(block, status="skipped", reason=reason, category=CATEGORY, volatile=False)
