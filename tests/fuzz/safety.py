"""What every conversion must guarantee, whatever the input, and a guarded runner for one case.

- `convert_one`: the converter in-process; an escaping exception is a finding, and
  so is a refusal that is not one line naming the file, or that wraps a reader bug.
- `page_problems`: a written page carries no control characters, reads as a valid
  notebook whose cells survive a jupytext round trip, and holds no active markup
  beyond what the converter itself writes (writers/notebook.py, writers/toc.py).
- `run_case`: both, in a forked child with a wall-clock and memory budget, so a
  pathological input is a finding rather than a hung or swapping test run.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import traceback
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import jupytext
import nbformat
import yaml

from converter.budget import Budget, OverBudget, WorkerDied, each_within
from converter import execute
from converter.convert import Layout, convert

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 30.0
MEMORY = 2 << 30  # RLIMIT_AS of the child, bytes
# One input per reader, and exercises: converted once before forking (see warm).
WARM_SOURCES = ("rss/basic-rss.xml", "atom/xhtml-content.atom", "html/devto-article.html",
                "markdown/fenced-code.md", "text/two-articles.txt", "pipeline/practice.md")

# Directives the converter writes in Markdown cells, by page: sphinx-exercise's gated exercise and
# solution in a tutorial (writers/notebook.py `_exercise_cells`), the build note on the landing page
# (writers/toc.py `build_note`). Code cells are jupytext's {code-cell} fences, outside Markdown cells.
TUTORIAL_DIRECTIVES = frozenset({"exercise-start", "exercise-end", "solution-start", "solution-end"})
LANDING_DIRECTIVES = frozenset({"note"})
# Read or embed local files, or pass raw HTML/reST through: never, in any context.
DANGEROUS = frozenset({"literalinclude", "download", "raw", "eval-rst", "include"})
# The one role the converter writes: an exercise's link back to its section.
PRACTISES = re.compile(r"\*Practises: \{ref\}`([\w-]+)`\.\*")
# In-book links: the landing page's chapter/slug.md, an anchor.
IN_BOOK = re.compile(r"(?:[\w-]+/)*[\w-]+\.(?:md|ipynb)(?:#[\w-]+)?|#[\w-]+")
# C0 and C1 controls but newline and tab, line/paragraph separators, lone surrogates.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


@dataclass
class Finding:
    kind: str
    detail: str
    trace: str = ""


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    pages: list[Path] = field(default_factory=list)
    """The Markdown pages written under book/."""
    seconds: float = 0.0
    """Time in convert() (for run_case: the whole case, checks included)."""
    over_budget_reported: int = 0
    """Sources and tutorials the converter stopped at its own budget, and said so (not a finding)."""


# ------------------------------------------------------------------ conversion


def convert_one(path: Path, root: Path) -> Outcome:
    """Convert one source into the project at root; findings about the run itself."""
    start = time.perf_counter()
    try:
        report = convert([path], layout=Layout(root))
    except Exception as err:
        return Outcome([_traceback(err)], seconds=time.perf_counter() - start)
    seconds = time.perf_counter() - start
    findings = [problem for err in report.failures for problem in failure_problems(str(err), path)]
    pages = sorted(p for p in report.written if p.suffix == ".md" and (root / "book") in p.parents)
    stopped = sum("budget)" in line for line in [*map(str, report.failures), *report.warnings])
    return Outcome(findings, pages, seconds, stopped)


def _traceback(err: BaseException, kind: str = "traceback") -> Finding:
    frame = traceback.extract_tb(err.__traceback__)[-1]
    detail = f"{type(err).__name__}: {_short(str(err))} (last frame {frame.filename}:{frame.lineno} in {frame.name})"
    return Finding(kind, detail, "".join(traceback.format_exception(err)))


def failure_problems(message: str, path: Path) -> list[Finding]:
    """A refusal is one plain line that names the source; a wrapped exception is a reader bug."""
    problems = []
    if len(message.splitlines()) != 1 or FORBIDDEN.search(message):
        problems.append(Finding("failure-message", f"not one plain line: {_short(message)!r}"))
    if str(path) not in message:
        problems.append(Finding("failure-message", f"does not name {path.name}: {_short(message)!r}"))
    if "could not be converted (" in message:  # read_all's catch-all: a reader raised
        problems.append(Finding("reader-bug", _short(message.replace(str(path), path.name))))
    return problems


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


# ------------------------------------------------------------------ pages


def page_problems(md_text: str) -> list[str]:
    """Problems of one written page, each "kind: detail"."""
    problems = [f"control-char: {_char(m.group())} at offset {m.start()}" for m in _first(FORBIDDEN.finditer(md_text))]
    problems += _front_matter_problems(md_text)
    try:
        nb = jupytext.reads(md_text, fmt="md:myst")
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        return problems + [f"nbformat: {_error(err)}"]
    except Exception as err:
        return problems + [f"jupytext: {_error(err)}"]
    problems += _round_trip_problems(nb)
    markdown = [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    # Tutorials have front matter; the landing page has none.
    directives = TUTORIAL_DIRECTIVES if md_text.startswith("---\n") else LANDING_DIRECTIVES
    return problems + list(markup_problems(markdown, directives))


def _error(err: Exception) -> str:
    return f"{type(err).__name__}: {_short(' '.join(str(err).split()))}"


def _first(matches: Iterator[re.Match], n: int = 3) -> list[re.Match]:
    return [m for _, m in zip(range(n), matches)]


def _char(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()


def _front_matter_problems(text: str) -> list[str]:
    if not text.startswith("---\n"):
        return []  # the landing page has none
    end = text.find("\n---\n", 4)
    if end < 0:
        return ["front-matter: not closed"]
    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError as err:
        return [f"front-matter: {_error(err)}"]
    if not isinstance(data, dict):
        return [f"front-matter: not a mapping ({type(data).__name__})"]
    # Escaped in YAML ("\x0c"), a control character still reaches titles, the toc and the landing page.
    return [f"front-matter-char: {_char(m.group())} in {where}" for where, value in _strings(data)
            for m in _first(FORBIDDEN.finditer(value), 1)]


def _strings(data: object, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(key, where)
            yield from _strings(value, f"{where}.{key}".lstrip("."))
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value, where)
    elif isinstance(data, str):
        yield where, data


def _round_trip_problems(nb: nbformat.NotebookNode) -> list[str]:
    try:
        again = jupytext.reads(jupytext.writes(nb, fmt="md:myst"), fmt="md:myst")
    except Exception as err:
        return [f"round-trip: {_error(err)}"]
    before = [(c.cell_type, c.source) for c in nb.cells]
    after = [(c.cell_type, c.source) for c in again.cells]
    if before == after:
        return []
    n = next((i for i, (a, b) in enumerate(zip(before, after)) if a != b), min(len(before), len(after)))
    return [f"round-trip: {len(before)} cells became {len(after)}, first change at cell {n}: "
            f"{_short(repr(before[n][1] if n < len(before) else ''), 120)}"]


# ------------------------------------------------------------------ markup


@cache
def _parser():
    """markdown-it configured as the book's MyST (the extensions _config.yml enables)."""
    from myst_parser.config.main import MdParserConfig
    from myst_parser.mdit_to_docutils.base import DocutilsRenderer
    from myst_parser.parsers.mdit import create_md_parser

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    extensions = set(config.get("parse", {}).get("myst_enable_extensions", []))
    return create_md_parser(MdParserConfig(enable_extensions=extensions), DocutilsRenderer)


@dataclass(frozen=True)
class _Context:
    directives: frozenset[str]
    """The directives allowed on this page."""
    targets: set[str]
    """The MyST targets the page defines: what a Practises {ref} may point to."""


def markup_problems(cells: list[str], directives: frozenset[str]) -> Iterator[str]:
    """Active markup in Markdown cells beyond what the converter writes (`directives` among it)."""
    parsed = [_parser().parse(source) for source in cells]
    context = _Context(directives, {t.content for tokens in parsed for t in tokens if t.type == "myst_target"})
    for tokens in parsed:
        if tokens and tokens[0].type == "fence" and _directive(tokens[0])[0] == "exercise-start":
            # The prompt: between the directive and the closing *Practises: ...* paragraph.
            closing = max((i for i, t in enumerate(tokens) if t.type == "paragraph_open"), default=len(tokens))
            yield from _walk(tokens[:1], context)
            yield from _walk(tokens[1:closing], context, prompt=True)
            yield from _walk(tokens[closing:], context)
        else:
            yield from _walk(tokens, context)


def _directive(token) -> tuple[str, str]:
    """(name, argument) of a ```{name} argument fence."""
    name, _, argument = token.info.strip()[1:].partition("}")
    return name.strip(), argument.strip()


def _walk(tokens, context: _Context, *, prompt: bool = False, ref_to: str = "") -> Iterator[str]:
    where = "prompt-markup" if prompt else ""
    for i, token in enumerate(tokens):
        if token.type in ("html_block", "html_inline"):
            yield f"html: {_short(token.content.strip(), 80)!r}"
        elif token.type == "myst_role":
            name = token.meta.get("name", "")
            if name in DANGEROUS:
                yield f"dangerous: {{{name}}} role"
            elif prompt or not (name == "ref" and ref_to and token.content == ref_to):
                yield f"{where or 'role'}: {{{name}}}`{_short(token.content, 60)}`"
        elif token.type in ("fence", "colon_fence") and token.info.strip().startswith("{"):
            yield from _directive_problems(token, context, prompt)
        elif token.type in ("link_open", "image"):
            href = token.attrGet("href") if token.type == "link_open" else token.attrGet("src")
            if not _allowed_link(str(href or "")):
                yield f"link: {token.type} {_short(str(href), 80)!r}"
        elif token.type == "myst_target":
            before_heading = i + 1 < len(tokens) and tokens[i + 1].type == "heading_open"
            if prompt or not before_heading:
                yield f"{where or 'target'}: ({_short(token.content, 60)})="
        elif token.type in ("front_matter", "myst_block_break"):
            yield f"structure: {token.type} inside a cell"
        if token.children:
            practises = PRACTISES.fullmatch(token.content.strip()) if token.type == "inline" else None
            allowed = practises.group(1) if practises and practises.group(1) in context.targets else ""
            yield from _walk(token.children, context, prompt=prompt, ref_to=allowed)


def _directive_problems(token, context: _Context, prompt: bool) -> Iterator[str]:
    name, argument = _directive(token)
    if name in DANGEROUS:
        yield f"dangerous: {{{name}}} directive"
    elif prompt or name not in context.directives:
        yield f"{'prompt-markup' if prompt else 'directive'}: {{{_short(name, 60)}}}"
    else:
        # Sphinx parses an allowed directive's title and body as MyST too.
        yield from _walk(_parser().parseInline(argument), context)
        body = "\n".join(line for line in token.content.split("\n") if not re.match(r":[\w-]+:", line))
        yield from _walk(_parser().parse(body), context)


def _allowed_link(href: str) -> bool:
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(parts.netloc)) or bool(IN_BOOK.fullmatch(href))


# ------------------------------------------------------------------ one guarded case


def check(path: Path, root: Path) -> Outcome:
    """Convert one source, then lint every page it wrote and read it as `course check` does."""
    with warnings.catch_warnings():  # parser warnings (bs4's) are not what this checks
        warnings.simplefilter("ignore")
        outcome = convert_one(path, root)
    for page in outcome.pages:
        text = page.read_text(encoding="utf-8")
        for problem in page_problems(text):
            kind, _, detail = problem.partition(": ")
            outcome.findings.append(Finding(f"page:{kind}", f"{page.relative_to(root)}: {detail}"))
        if page.name != "index.md" and (crash := check_reading_problem(page, text, root)):
            outcome.findings.append(crash)
    return outcome


def check_reading_problem(page: Path, text: str, root: Path) -> Finding | None:
    """What `course check` does with a page short of starting a kernel: read it, build the
    exercises' answer runs, classify every cell and write the executed notebook. It used to
    crash on converted text (a control character: yaml ReaderError), failing every notebook."""
    try:
        nb = execute._read(text)
        execute.answer_runs(nb)
        execute._run_without_kernel(page, execute.cache_key(text, 60), nb, root / "_build" / f"{page.stem}.ipynb")
    except Exception as err:
        return _traceback(err, kind="check-crash")
    return None


def run_case(name: str, data: bytes, *, seconds: float = SECONDS, memory: int = MEMORY) -> Outcome:
    """`check` one input (named by its file name, or a path: its last part) in a fresh temporary project,
    in a forked child with a time and memory budget."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        root = Path(tmp) / "project"
        (root / "book").mkdir(parents=True)
        for config in ("pyproject.toml", "package.json"):  # the course environment convert reads
            shutil.copy(ROOT / config, root)
        source = Path(tmp) / "sources" / Path(name).name
        source.parent.mkdir()
        source.write_bytes(data)
        warm()
        start = time.perf_counter()
        outcome = _forked(lambda: check(source, root), seconds, memory)
        outcome.seconds = time.perf_counter() - start
        return outcome


@cache
def warm() -> None:
    """Load in the parent, once, what every forked child would otherwise import and build again
    (the readers' and passes' lazy imports, lexers, the Markdown parser)."""
    with tempfile.TemporaryDirectory(prefix="fuzz-warm-") as tmp:
        for n, source in enumerate(WARM_SOURCES):
            root = Path(tmp) / str(n)
            (root / "book").mkdir(parents=True)
            check(ROOT / "tests" / "cases" / source, root)


def _forked(work, seconds: float, memory: int) -> Outcome:
    """work() in a forked child under the converter's own budget (converter/budget.py)."""
    [result] = each_within(Budget(seconds=seconds, memory=memory), lambda _: work(), [None])
    if isinstance(result, OverBudget):
        return Outcome([Finding("crash" if isinstance(result, WorkerDied) else "over-budget", str(result))])
    if isinstance(result, BaseException):  # a bug in the checks themselves
        return Outcome([Finding("checker-error", f"{type(result).__name__}: {_short(str(result))}",
                                "".join(traceback.format_exception(result)))])
    return result
