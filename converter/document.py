"""The neutral document model between readers and writers.

Readers turn a source into `Document`s; passes return new `Document`s
(`dataclasses.replace`); writers turn them into notebooks. Inline text is a
CommonMark string (already escaped by the reader), never raw HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True, slots=True)
class Meta:
    """Where a tutorial came from and where it goes in the course."""

    title: str
    """The tutorial's own title, plain text."""
    source: str
    """The source file the tutorial was read from (path as given)."""
    url: str = ""
    """The article's address on the web, when the source names one."""
    author: str = ""
    date: str = ""
    """Publication date as ISO 8601 (YYYY-MM-DD), when known."""
    tags: tuple[str, ...] = ()
    position: int = 0
    """Index of the article within its source (feeds and dumps hold many)."""
    slug: str = ""
    """File name stem of the notebook; set by the `placement` pass."""
    chapter: str = ""
    """Chapter (book part) title; set by the `placement` pass."""
    kind: str = "tutorial"
    """"tutorial" (has code) or "reading" (a conceptual chapter without code)."""
    duplicates: tuple[str, ...] = ()
    """Titles of other tutorials in the course that cover nearly the same ground."""
    requirements: tuple[str, ...] = ()
    """PyPI distributions the tutorial's code needs (set by the `dependencies` pass)."""
    findings: tuple[str, ...] = ()
    """Keys of the `course check` findings this notebook was converted from (demoted cells,
    dropped exercises, predicted outputs), so that check keeps them when it prunes findings.json."""


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading; level 2 is the top level inside a tutorial."""

    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of inline CommonMark."""

    text: str


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A bulleted or numbered list; each item is CommonMark (may hold nested lists)."""

    items: tuple[str, ...]
    ordered: bool = False
    start: int = 1


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A block of source code, kept verbatim."""

    code: str
    language: str = ""
    """Pygments-style language name (python, javascript, sql, shell, text, ...)."""
    declared: str = ""
    """The language the source itself declared (a CSS class, a fence info), if any."""
    status: str = ""
    """Decided by the `runnability` pass: "runs", "rewritten" (runs after a change
    marked in the code), "file" (written with %%writefile), "raises" (an error the
    tutorial expects), "setup" (a cell the course adds), "skipped" or "" (undecided)."""
    reason: str = ""
    """Why the block is not run as it is, for learners."""
    category: str = ""
    """Short kind of reason, for reports: language, shell, service, network, fragment, ..."""
    file: str = ""
    """Path (relative to the notebook's working folder) the block is, when the tutorial makes it a file."""
    original: str = ""
    """The code as the tutorial wrote it, when a recipe changed `code` (else "")."""
    volatile: bool = False
    """Its output changes from run to run (timings, threads): tests must not compare it."""
    printed: str | None = None
    """What `course check` saw the cell print last time it ran (None: not known; convert never runs code)."""
    magic: str = ""
    """The IPython cell magic a block of another language runs under (`%%script node`); "" for Python."""
    expected: str | None = None
    """The output the tutorial shows for this block (after a `>>>` prompt, in a `# Output:` comment,
    in a text block announced by "This outputs:"); `course check` compares what the cell prints with it."""
    claim: str = ""
    """What `course check` found when it compared that output: "" (not compared yet or it held),
    or a one-line note saying how the real output differs."""
    services: tuple[str, ...] = ()
    """Servers the notebook starts for this block (`converter.runtimes.SERVICES`: "redis")."""


@dataclass(frozen=True, slots=True)
class Table:
    """A table of inline CommonMark cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Image:
    """An image with its alternative text."""

    src: str
    alt: str = ""


@dataclass(frozen=True, slots=True)
class Quote:
    """A block quote; its text is CommonMark and may span paragraphs."""

    text: str


@dataclass(frozen=True, slots=True)
class Rule:
    """A thematic break (horizontal rule)."""


@dataclass(frozen=True, slots=True)
class Exercise:
    """A practice task made from the tutorial, with a reference solution and a check.

    Contract (see the exercise contract in DESIGN.md): run `starter` then `check`
    and the check raises AssertionError with a friendly message; run `solution`
    then `check` and it prints one success line. Both run after the tutorial's own
    cells (and `setup`), with only the course requirements installed.
    """

    kind: str
    """"predict", "complete", "fix", "query", "choice" (multiple-choice quiz) or "short" (short-answer quiz)."""
    title: str
    """Short title shown in the book."""
    prompt: str
    """CommonMark: what to do (may hold fenced code to read)."""
    starter: str
    """Python the learner edits: placeholders (`...`) where the answer goes."""
    solution: str
    """Python that replaces the starter and passes the check."""
    check: str
    """Python that raises AssertionError when wrong and prints a success line when right;
    it compares hashes or behaviour, never shows the answer as a literal."""
    section: str = ""
    """Heading text of the tutorial section the exercise practises ("" for the whole tutorial)."""
    setup: str = ""
    """Python run before the starter (a sample database, say); shown folded in the book."""
    label: str = ""
    """Unique label in the book (`ex-<slug>-<n>`); set by the `exercises` pass."""
    right: tuple[str, ...] = ()
    """Other correct answers a fair instructor accepts (each in place of the starter): the
    check must pass with each. `course check` proves it."""
    wrong: tuple[str, ...] = ()
    """Plausible wrong answers (mutants, distractors, the tutorial's own bad example): the
    check must reject each with AssertionError. `course check` proves it."""


Block = Union[Heading, Paragraph, ListBlock, CodeBlock, Table, Image, Quote, Rule, Exercise]


@dataclass(frozen=True, slots=True)
class Document:
    """One tutorial: its metadata and a flat list of blocks in reading order."""

    meta: Meta
    blocks: tuple[Block, ...]
    notes: tuple[str, ...] = field(default=())
    """What the reader or a pass noticed and logged (for the report)."""
    source_notes: tuple[str, ...] = field(default=())
    """What the reader noticed about the source as a whole (a feed's item it could not
    read, a dump's text before its first article); on the first tutorial read from it."""

    @property
    def code_blocks(self) -> tuple[CodeBlock, ...]:
        return tuple(b for b in self.blocks if isinstance(b, CodeBlock))


LOSS_VERBS = ("skipped ", "dropped ", "ignored ")
"""A reader's note that starts with one of these says a piece of the source is not in the
course (a feed item, a page's sidebar, an image); `course convert` prints each on the console."""


def is_loss(note: str) -> bool:
    return note.startswith(LOSS_VERBS)


LEFT_OUT = "exercises left out: "
"""Starts the note of a tutorial whose exercises (or some) could not be made: over the
budget, or a generator failed on it. The conversion report lists these as warnings."""


@dataclass(frozen=True, slots=True)
class Excluded:
    """A source article left out of the course, and why."""

    title: str
    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class Course:
    """Everything read from the sources, after the course-level passes."""

    documents: tuple[Document, ...]
    excluded: tuple[Excluded, ...] = ()
