"""Document -> nbformat notebook -> Jupytext MyST text. The only code that knows notebooks."""

from __future__ import annotations

import re
import threading
import types
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import PurePath

from .. import _jupytext_without_servers  # noqa: F401 (imports jupytext, without jupyter_server)
import fastjsonschema
import jupytext
import jupytext.formats
import jupytext.header
import jupytext.myst
import markdown_it.parser_block
import nbformat
import yaml
from markdown_it.rules_block.state_block import StateBlock
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import nbbase
from pygments.token import Error

from .. import compile_cache, practice
from ..cells import code_cell_source, exercise_answers, exercise_sources
from ..document import Block, CodeBlock, Document, Exercise, Heading, Paragraph
from ..commonmark import render
from ..languages import pygments_lexer
from ..errors import WriterError, describe
from ..myst_escape import code_fence, code_span, escape, link_target, text_with_code
from ..stamp import PLACEHOLDER, stamp

__all__ = ["to_notebook", "to_myst", "code_cell_source", "exercise_sources", "SKIP_TAGS"]

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
SKIP_TAGS = ["skip-execution", "nbval-skip"]


def to_myst(doc: Document) -> str:
    """The notebook as Jupytext MyST Markdown, stamped with a hash of its own text.
    WriterError if the text would not read back as the same cells."""
    nb = to_notebook(doc)
    with _fast_jupytext():
        text = jupytext.writes(nb, fmt="md:myst")
    _check_reads_back(nb, text, doc)
    return stamp(text)


_PATCHING = threading.Lock()
_JUPYTEXT_YAML_USERS = (jupytext.myst, jupytext.formats, jupytext.header)


@contextmanager
def _fast_jupytext() -> Iterator[None]:
    """nbformat validates every cell it makes against the notebook schema with jsonschema
    (a third of a page's conversion); in here it does not, and the caller validates the
    whole notebook once instead (fastjsonschema: the same schema, a fraction of the time).
    jupytext's YAML (cell options, the front matter) goes through libyaml, PyYAML's own
    parser and emitter in C, several times faster: it is read the same, and written by
    libyaml where that gives the same text (`_emitted_alike`; a test holds them equal).
    markdown-it finds the text's lines with `_LinedStateBlock`, in one parser for every page
    (jupytext builds one per page: 0.3 ms). The lock keeps two writers in threads from
    restoring each other's stand-ins."""
    with _PATCHING:
        saved = nbbase.validate, [m.yaml for m in _JUPYTEXT_YAML_USERS], jupytext.myst.get_parser
        nbbase.validate = _no_validation
        markdown_it.parser_block.StateBlock = _LinedStateBlock
        jupytext.myst.get_parser = _myst_parser
        for module in _JUPYTEXT_YAML_USERS if _LIBYAML is not None else ():
            module.yaml = _LIBYAML
        try:
            yield
        finally:
            nbbase.validate, jupytext.myst.get_parser = saved[0], saved[2]
            markdown_it.parser_block.StateBlock = StateBlock
            for module, original in zip(_JUPYTEXT_YAML_USERS, saved[1]):
                module.yaml = original


@lru_cache(maxsize=1)
def _myst_parser() -> markdown_it.MarkdownIt:
    """jupytext's MyST parser, made once (a parser keeps no state between texts)."""
    return _JUPYTEXT_GET_PARSER()


_JUPYTEXT_GET_PARSER = jupytext.myst.get_parser


class _LinedStateBlock(StateBlock):
    """markdown-it's block state, its line tables made with `str.split`: markdown-it-py 3
    walks the text character by character in Python for them, 40% of reading a page back
    (myst-parser pins markdown-it-py 3). The same tables: a test compares the two."""

    def __init__(self, src: str, md: markdown_it.MarkdownIt, env: dict, tokens: list) -> None:
        super().__init__("", md, env, tokens)  # every other field as markdown-it sets it
        self.src = src
        self.bMarks, self.eMarks, self.tShift, self.sCount = line_tables(src)
        self.bsCount = [0] * len(self.bMarks)
        self.lineMax = len(self.bMarks) - 1  # the last entry is markdown-it's sentinel


def line_tables(src: str) -> tuple[list[int], list[int], list[int], list[int]]:
    """Per line of `src`: where it begins and ends, where its text starts after spaces and tabs,
    and that indent with tabs expanded to 4 columns; then markdown-it's sentinel entry. As in
    markdown-it, what follows the last line break is a line only when it holds more than
    spaces and tabs."""
    begins, ends, shifts, counts = [], [], [], []
    start, length = 0, len(src)
    for line in src.split("\n"):
        end = start + len(line)
        text = line.lstrip(" \t")
        if end == length and not text:
            break
        indent = len(line) - len(text)
        columns = indent
        if "\t" in line[:indent]:
            columns = 0
            for character in line[:indent]:
                columns += 4 - columns % 4 if character == "\t" else 1
        begins.append(start)
        ends.append(end)
        shifts.append(indent)
        counts.append(columns)
        start = end + 1
    return begins + [length], ends + [length], shifts + [0], counts + [0]


def _no_validation(node: object, ref: str | None = None) -> None:
    return None


def _libyaml() -> types.ModuleType | None:
    """The yaml module as jupytext uses it, its safe loading and dumping done by libyaml
    (None when PyYAML was built without it)."""
    if not getattr(yaml, "__with_libyaml__", False):
        return None

    class CompactDumper(yaml.CSafeDumper):
        """jupytext's MyST CompactDumper (lists in flow style when flat), emitted by libyaml."""

    CompactDumper.add_representer(list, jupytext.myst.represent_list)
    CompactDumper.add_representer(dict, jupytext.myst.represent_dict)
    dumpers = {jupytext.myst.CompactDumper: CompactDumper, yaml.SafeDumper: yaml.CSafeDumper}

    def dump(data, stream=None, Dumper=yaml.Dumper, **options):  # noqa: N803 (PyYAML's name)
        if _emitted_alike(data):
            Dumper = dumpers.get(Dumper, Dumper)  # noqa: N806
        return yaml.dump_all([data], stream, Dumper=Dumper, **options)

    module = types.ModuleType("yaml")
    module.__dict__.update(vars(yaml))
    module.dump = dump
    module.safe_dump = lambda data, stream=None, **options: dump(data, stream, Dumper=yaml.SafeDumper, **options)
    module.safe_load = lambda stream: yaml.load(stream, Loader=yaml.CSafeLoader)  # noqa: S506 (the safe loader)
    module.safe_load_all = lambda stream: yaml.load_all(stream, Loader=yaml.CSafeLoader)  # noqa: S506
    return module


_LIBYAML = _libyaml()
_PRINTABLE_ASCII = re.compile(r"[ -~]*")


def _emitted_alike(data: object) -> bool:
    """Whether libyaml's emitter writes `data` exactly as PyYAML's own does: strings of
    printable ASCII, numbers, booleans and None, in lists and dicts. A line break, a tab or
    a non-ASCII character makes a string double-quoted, and the two emitters fold those
    differently; the text must stay what jupytext itself writes (Jupyter saving the page
    unchanged must not make it look hand-edited). A test holds the two equal on random data."""
    if isinstance(data, dict):
        return all(_emitted_alike(k) and _emitted_alike(v) for k, v in data.items())
    if isinstance(data, list):
        return all(_emitted_alike(v) for v in data)
    if isinstance(data, str):
        return _PRINTABLE_ASCII.fullmatch(data) is not None
    return data is None or isinstance(data, (bool, int, float))


def _check_reads_back(nb: NotebookNode, text: str, doc: Document) -> None:
    """Cells are sliced from the text again by jupytext (check, the book, a learner's
    Jupyter): a character it splits lines at, or a fence in the content, would garble the
    page there; the cells' metadata (tags, an exercise's contract) goes through YAML and must
    come back too. Up to blank lines at the ends and spaces at line ends, which jupytext drops."""
    try:
        with _fast_jupytext():
            back = jupytext.reads(text, fmt="md:myst")
    except Exception as err:
        raise WriterError(doc.meta.source, f"{doc.meta.title!r}: the notebook would not read back ({describe(err)})") from None
    # Cell by cell what the validated notebook holds (so the page reads back valid too);
    # jupytext adds its own `jupytext` entry.
    wrote = [(c.cell_type, _layout_free(c.source), c.metadata) for c in nb.cells]
    read = [(c.cell_type, _layout_free(c.source), c.metadata) for c in back.cells]
    if any(back.metadata.get(key) != value for key, value in nb.metadata.items() if key != "jupytext"):
        raise WriterError(doc.meta.source, f"{doc.meta.title!r}: the notebook's metadata would not read back as written")
    if wrote != read:
        cell = next((i for i, (a, b) in enumerate(zip(wrote, read)) if a != b), min(len(wrote), len(read)))
        raise WriterError(doc.meta.source, f"{doc.meta.title!r}: the notebook would not read back as written (cell {cell + 1})")


def _layout_free(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip("\n").split("\n"))


def warm_validator() -> None:
    """Build nbformat's notebook validator now (fastjsonschema writes the schema as Python and
    compiles that: 0.03 s, the compiling kept by the compile cache): convert's page workers
    forked after this inherit it instead of each building its own."""
    compile_cache.cover(fastjsonschema)
    nbformat.validator.get_validator(version=nbformat.v4.nbformat, version_minor=nbformat.v4.nbformat_minor)


def to_notebook(doc: Document) -> NotebookNode:
    """Build the notebook: title cell, provenance line, then the blocks in order."""
    with _fast_jupytext():
        nb = _build_notebook(doc)
    nbformat.validate(nb)
    return nb


def _build_notebook(doc: Document) -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["course"] = _course_metadata(doc)
    # Keep our metadata in the MyST header; leave out jupytext's own version so
    # that upgrading jupytext does not change every notebook.
    nb.metadata["jupytext"] = {"notebook_metadata_filter": "course,-jupytext.text_representation.jupytext_version"}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {escape(doc.meta.title)}"))
    nb.cells.append(nbformat.v4.new_markdown_cell(_provenance(doc)))
    prose: list[str] = []
    written: set[str] = set()  # files already written: a second block for one appends to it
    exercises = [b for b in doc.blocks if isinstance(b, Exercise)]
    targets = {ex.section: section_target(doc.meta.slug, ex.section) for ex in exercises if ex.section}
    targets_used: set[str] = set()
    for block in _consecutive_headings(tuple(b for b in doc.blocks if not isinstance(b, Exercise))):
        if isinstance(block, Heading) and prose:
            nb.cells.append(nbformat.v4.new_markdown_cell("\n\n".join(prose)))
            prose = []
        if isinstance(block, Heading) and block.text in targets:
            # A MyST target before the heading, so that exercises can link back to it.
            prose.append(f"({targets.pop(block.text)})=")
            targets_used.add(block.text)
        if isinstance(block, CodeBlock):
            if prose:
                nb.cells.append(nbformat.v4.new_markdown_cell("\n\n".join(prose)))
                prose = []
            nb.cells.extend(_code_cells(block, written))
        elif (markdown := render(block)):
            prose.append(markdown)
    if prose:
        nb.cells.append(nbformat.v4.new_markdown_cell("\n\n".join(prose)))
    if exercises:
        nb.cells.append(nbformat.v4.new_markdown_cell(_PRACTICE))
        checks = practice.practice_cell([(ex.label, ex.check) for ex in exercises])
        nb.cells.append(_code(checks, {}, [practice.TAG, "hide-input"], {"status": "setup", "reason": "defines the exercises' checks"}))
        for exercise in exercises:
            target = section_target(doc.meta.slug, exercise.section) if exercise.section in targets_used else ""
            nb.cells.extend(_exercise_cells(exercise, target))
    return nb


_PRACTICE = """## Practice

Each exercise has a cell for your answer, a folded solution and a check: run
the folded cell below once (it defines the checks), then your cell, then the
check. A check says what is not right yet, or prints ✅ when your answer is right."""


def section_target(slug: str, heading: str) -> str:
    """The MyST target of a tutorial's section: unique in the book (the slug leads)."""
    words = re.findall(r"[a-z0-9]+", re.sub(r"\\(.)", r"\1", heading).lower())
    return "-".join([slug or "tutorial", *words])[:80].rstrip("-")


def _exercise_cells(ex: Exercise, target: str) -> list[NotebookNode]:
    """sphinx-exercise gated directives around the starter and the folded solution; then the check."""
    meta = {"exercise": ex.label}
    practises = f"\n\n*Practises: {{ref}}`{target}`.*" if target else "\n\n*Practises: the whole tutorial.*"
    # The title is a directive argument: one line of plain text (a backtick
    # fence's info string can't hold backticks, and some titles quote the source).
    title = escape(" ".join(ex.title.replace("`", "").split()))
    start = f"```{{exercise-start}} {title}\n:label: {ex.label}\n```\n\n{ex.prompt}{practises}"
    cells = [nbformat.v4.new_markdown_cell(start)]
    if ex.setup:
        cells.append(_code(ex.setup, meta, ["hide-input"], {"status": "setup", "reason": "prepares the exercise"}))
    starter, solution, check = ex.starter.rstrip("\n"), ex.solution.rstrip("\n"), ex.check
    cells += [
        _code(starter, meta, ["exercise"], {"status": "exercise", "reason": "", "kind": ex.kind}),
        nbformat.v4.new_markdown_cell("```{exercise-end}\n```"),
        nbformat.v4.new_markdown_cell(f"```{{solution-start}} {ex.label}\n:class: dropdown\n```"),
        _code(solution, {**meta, **_answers(ex)}, ["solution", *SKIP_TAGS],
              {"status": "skipped", "reason": "the reference solution", "category": "solution"}),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
        # One line, calling the check the practice cell defines. It fails until the exercise
        # is solved: expected in the shipped notebook.
        _code(practice.check_call(ex.label, check), meta, ["check", "raises-exception", "nbval-ignore-output"],
              {"status": "check", "reason": ""}),
    ]
    return cells


def _answers(ex: Exercise) -> dict:
    """Solution-cell metadata holding the answers check tries (learner copies drop it with the solution)."""
    right, wrong = exercise_answers(ex)
    return {"answers": {"right": list(right), "wrong": list(wrong)}} if right or wrong else {}


def _code(source: str, meta: dict, tags: list[str], runnable: dict) -> NotebookNode:
    cell = nbformat.v4.new_code_cell(source.rstrip("\n"))
    cell.metadata.update(meta)
    cell.metadata["runnable"] = runnable
    cell.metadata["tags"] = tags
    return cell


def _course_metadata(doc: Document) -> dict:
    meta = doc.meta
    data = {
        "title": meta.title,
        "source": {"file": meta.source, "url": meta.url},
        "author": meta.author,
        "date": meta.date,
        "tags": list(meta.tags),
        "slug": meta.slug,
        "chapter": meta.chapter,
        "kind": meta.kind,
        "position": meta.position,
        "summary": summary(doc),
    }
    if meta.duplicates:
        data["duplicates"] = list(meta.duplicates)
    if meta.requirements:
        data["requirements"] = list(meta.requirements)
    if meta.findings:
        data["findings"] = list(meta.findings)
    data["content_hash"] = PLACEHOLDER
    return data


def summary(doc: Document, limit: int = 160) -> str:
    """The first sentence of the tutorial's first paragraph, shortened, as CommonMark."""
    first = next((b.text for b in doc.blocks if isinstance(b, Paragraph)), "")
    sentence = first.split(". ")[0].strip().replace("\n", " ")
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0].rstrip("\\") + "…"
        # A cut through emphasis, code or a link would leave broken markup.
        unescaped = re.sub(r"\\.", "", sentence)
        if any(unescaped.count(c) % 2 for c in "*`") or unescaped.count("[") != unescaped.count("]"):
            return ""
    elif sentence and not sentence.endswith((".", "?", "!")):
        sentence += "."
    return sentence


def _provenance(doc: Document) -> str:
    meta = doc.meta
    target = link_target(meta.url)
    # The tutorial's address, else its file's name: never a path on the instructor's machine.
    where = f"[{escape(meta.url)}]({target})" if target else code_span(PurePath(meta.source).name)
    parts = [f"Source: {where}"]
    if meta.author:
        parts.append(f"by {escape(meta.author)}")
    if meta.date:
        parts.append(meta.date)
    if meta.tags:
        parts.append("tags: " + ", ".join(escape(t) for t in meta.tags))
    line = "*" + " · ".join(parts) + "*"
    if meta.kind == "reading":
        line += "\n\nThis chapter is for reading: the article has no code to run."
    if meta.duplicates:
        others = "; ".join(f"*{escape(t)}*" for t in meta.duplicates)
        line += f"\n\n**Near-duplicate:** this tutorial covers much the same ground as {others}."
    return line


# The visible line above a code cell that doesn't simply run, by status.
_NOTES = {
    "rewritten": "Changed to run in the notebook: {reason}.",
    "file": "Saved as {file}, {reason}.",
    "raises": "This cell raises an error on purpose: {reason}.",
    "setup": "Course setup, not part of the tutorial: {reason}.",
    "skipped": "Not run here: {reason}.",
}


def _code_cells(block: CodeBlock, written: set[str]) -> list[NotebookNode]:
    """The cells for one code block: a note when it doesn't simply run, then the code."""
    status = block.status or "skipped"
    runnable = {"status": status, "reason": block.reason}
    runnable |= {"category": block.category} if block.category else {}
    runnable |= {"file": block.file} if block.file else {}
    runnable |= {"original": block.original} if block.original else {}
    runnable |= {"services": list(block.services)} if block.services else {}
    runnable |= {"language": block.language or "text"} if block.language != "python" else {}
    runnable |= {"expected": block.expected} if block.expected is not None and status != "skipped" else {}
    note = _NOTES.get(status, "").format(reason=text_with_code(block.reason or "not decided"), file=code_span(block.file))
    if block.claim:
        note = " ".join(filter(None, [note, f"Check the output: {text_with_code(block.claim)}."]))
    if block.language != "python" and (status == "skipped" or not (block.magic or status == "file")):
        markdown = f"*{note}*\n\n" + fenced(block.code, block.language)
        return [nbformat.v4.new_markdown_cell(markdown, metadata={"runnable": runnable})]
    code, tags = code_cell_source(block, appending=block.file in written), []
    if status == "file":
        written.add(block.file)
    tags += {"skipped": SKIP_TAGS, "raises": ["raises-exception"], "setup": ["hide-input"]}.get(status, [])
    tags += ["nbval-ignore-output"] if block.volatile and status != "skipped" else []
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata["runnable"] = runnable
    if tags:
        cell.metadata["tags"] = tags
    return [nbformat.v4.new_markdown_cell(f"*{note}*"), cell] if note else [cell]


def fenced(code: str, language: str) -> str:
    """A fence that holds the code, labelled with a lexer Sphinx can use."""
    return code_fence(code, highlight_language(code, language))


def highlight_language(code: str, language: str) -> str:
    """`language` if Pygments lexes `code` with it cleanly, else "text".

    Sphinx warns when highlighting meets an error token; the book is built with
    warnings as errors, so a block that doesn't lex is shown as plain text.
    """
    lexer = pygments_lexer(language or "text")
    if lexer is None or any(token in Error for token, _ in lexer.get_tokens(code)):
        return "text"
    return language or "text"


def _consecutive_headings(blocks: tuple[Block, ...]) -> list[Block]:
    """Shift heading levels so that sections start at 2 and never skip a level."""
    levels = [b.level for b in blocks if isinstance(b, Heading)]
    shift = min(levels, default=2) - 2
    out: list[Block] = []
    previous = 1
    for block in blocks:
        if isinstance(block, Heading):
            level = min(max(block.level - shift, 2), previous + 1)
            block = Heading(level, block.text)
            previous = level
        out.append(block)
    return out
