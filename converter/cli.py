"""The `course` command line: convert, check, build.

Exit status: 0 all good, 1 failures found (a source that can't be read, a cell
that fails, a book that doesn't build), 2 bad usage or input (unknown option, missing
path, a file that is not a notebook, convert or build outside a project).
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .atomic import atomic_write
from .budget import Budget
from .convert import ConvertReport, Layout, convert, expand_sources, freeze_for_the_command
from .errors import describe
from .check_settings import CELL_TIMEOUT, NOTEBOOK_TIMEOUT, ClusterUnavailable, SandboxUnavailable, default_jobs
from .compile_cache import default_directory
from .findings import FINDINGS_FILE
from .sandbox import Limits, parse_size
from .publish import publish
from .writers.toc import course_extra, front_matter, read_entries

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from .execute import NotebookResult
# The executor (nbformat, the runners, sqlglot) is imported by the commands that run notebooks,
# so that `course convert` starts reading first (converter.convert).

OK, FAILURES, USAGE = 0, 1, 2

# One message, one line; no rich markup: messages and tables hold source text ("[/]" in a title).
console: Console | None = None
"""Where messages and tables go (stderr), made when first used: rich (0.02 s to import) comes
once `course convert`'s readers have started."""


def _console() -> Console:
    global console
    if console is None:
        from rich.console import Console

        console = Console(stderr=True, highlight=False, soft_wrap=True, markup=False)
    return console


def _say(label: str, message: str) -> None:
    """`label: message` on one line, the label coloured (red for errors)."""
    from rich.text import Text

    _console().print(Text.assemble((f"{label}:", "red" if label == "error" else "yellow"), " ", message))


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        # Run as the command: what the imports made lives as long as the process, so the
        # collector stops walking it (7% of a conversion's time; forked workers share the pages).
        # The passes make and drop many small objects (syntax trees, tokens), few in cycles:
        # the youngest generation is collected every 10,000 allocations, not 700 (3% less time).
        freeze_for_the_command()
        gc.set_threshold(10_000, *gc.get_threshold()[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return USAGE
    layout = Layout(Path(args.root))
    if args.command in ("convert", "build") and not layout.config.is_file():
        # Not a course project: writing book/ and _toc.yml here would litter the folder.
        _say("error", f"{layout.root.resolve()} has no _config.yml, so it is not a course project: "
                      "run course in the project's folder, or give it with --root PATH")
        return USAGE
    missing = [p for p in getattr(args, "sources", []) or [] if not Path(p).exists()]
    if missing:
        for path in missing:
            _say("error", f"{path}: no such file or folder")
        return USAGE
    # check and student take notebooks: anything else is a mistake to say, not to run ("1 ok").
    wrong = [(p, why) for p in getattr(args, "notebooks", []) or []
             if (why := _not_a_notebook(Path(p), ipynb=args.command == "student"))]
    for path, why in wrong:
        _say("error", f"{path}: {why}")
    if wrong:
        return USAGE
    try:
        return args.run(args, layout)
    except (SandboxUnavailable, ClusterUnavailable) as err:  # check and build refuse alike, in one line
        _say("error", str(err))
        return USAGE


DISTRIBUTION = "course-builder"
"""The name pyproject.toml installs the project under: `course --version` asks it."""

EPILOG = """\
examples:
  course convert sources/                  every tutorial in sources/ into book/, _toc.yml, book/index.md
  course convert --force feed.xml          again, over hand edits (each kept in _build/backups/ first)
  course check                             run every notebook of book/ in the sandbox
  course check book/python/loops.md        run one notebook
  course student --out lms/                learner copies without the solutions
  course build                             convert sources/, check, publish _build/html
  course --root ~/my-course convert x.md   work on a project in another folder

input formats (detected from the content, not the file name):
  RSS 2.0, RSS 1.0 and Atom feeds          one tutorial per item
  HTML pages                               the article, without navigation, sidebars, comments
  plain-text dumps of blog pages           one tutorial per "•" article
  Markdown                                 front matter, # headings, fenced code

exit status:
  0  all good
  1  failures found: a source that cannot be read, a cell that fails, a book that does not build
  2  bad usage or input: an unknown option, a path that does not exist or is not a notebook,
     a folder that is not a course project (no _config.yml)
"""

COMMAND_EPILOGS = {
    "convert": """\
examples:
  course convert sources/                  a folder: every file in it
  course convert feed.xml page.html        files of any of the formats
  course convert --force sources/          over hand edits (each kept in _build/backups/ first)
  course convert --source-time 60 big.xml  a larger budget for a slow source
  course convert --no-cache sources/       every tutorial converted again, nothing taken from the cache

Writes book/<chapter>/<slug>.md, _toc.yml, book/index.md and _build/convert.json; prints a
line for every post left out and every piece of a source dropped (a feed item, page chrome).
What it works out for a tutorial is kept in _build/.convert-cache: converting again redoes
only the tutorials whose source (or the converter) changed.
""",
    "check": """\
examples:
  course check                             every notebook of book/
  course check book/python/loops.md        one notebook (a MyST .md, as convert writes them)
  course check -j 1 --timeout 120          one at a time, two minutes per cell
  course check --no-cache                  run again notebooks that have not changed

Writes _build/executed/, _build/report.json and findings.json.
""",
    "student": """\
examples:
  course student                           every notebook of book/, into _build/student/
  course student --out lms/ book/web/x.md  one notebook (MyST .md or .ipynb), into lms/
""",
    "build": """\
examples:
  course build                             sources/ into _build/html/index.html
  course build my-tutorials/ -j 2          other sources, two notebooks run at once
""",
}


class _Parser(argparse.ArgumentParser):
    """argparse, saying "unknown option --foo" where it says "unrecognized arguments"
    (or, in a sub-command, only that a positional argument is missing)."""

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def,override]
        self._given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(self._given, namespace)

    def error(self, message: str) -> NoReturn:
        unknown = self._unknown_option(message)
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"course: error: {f'unknown option {unknown}' if unknown else message}\n")

    def _unknown_option(self, message: str) -> str:
        if message.startswith("unrecognized arguments: "):
            return next((a for a in message.split(": ", 1)[1].split() if a.startswith("-")), "")
        return next((a for a in getattr(self, "_given", []) if a.startswith("-") and not self._knows(a)), "")

    def _knows(self, arg: str) -> bool:
        """An option of this parser (also abbreviated, `--opt=value`, `-j4`), `--`, `-` or a negative number."""
        if arg in ("-", "--") or re.fullmatch(r"-\d+(?:\.\d*)?", arg):
            return True
        name = arg.split("=", 1)[0] if arg.startswith("--") else arg[:2]
        return any(o == name or (name.startswith("--") and o.startswith(name)) for o in self._option_string_actions)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # only for --version (0.02 s)

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "(not installed: run `make install`)"


class _VersionAction(argparse.Action):
    """argparse's "version" action, the version looked up only when asked for."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show program's version number and exit")

    def __call__(self, parser, namespace, values, option_string=None) -> NoReturn:  # noqa: ANN001
        print(f"course {_version()}")  # on stdout, as argparse's own action prints it
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="course",
        description="Turn web tutorials (RSS/Atom feeds, HTML pages, plain-text dumps, Markdown) "
        "into a runnable Jupyter Book course.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", default=".", help="project folder with _config.yml and book/ (default: .)")
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    conv = _command(commands, "convert", "convert tutorials into notebooks in book/ and regenerate _toc.yml")
    conv.add_argument("sources", nargs="+", metavar="SOURCE", help="tutorial files or folders of them")
    _convert_options(conv)
    conv.add_argument("--no-cache", action="store_true", help="convert every tutorial again, even if neither its "
                      "source nor the converter changed (nothing taken from _build/.convert-cache)")
    conv.set_defaults(run=_run_convert)

    chk = _command(commands, "check", "execute the notebooks with nbclient and report every cell")
    chk.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="notebooks to run (default: all in book/)")
    _check_options(chk)
    chk.add_argument("--no-cache", action="store_true", help="run every notebook even if unchanged")
    chk.set_defaults(run=_run_check)

    student = _command(commands, "student", "write learner copies (.ipynb, solutions removed) for download or an LMS")
    student.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="notebooks to copy (default: all in book/)")
    student.add_argument("--out", default=None, help="folder for the copies (default: _build/student)")
    student.add_argument(
        "--nbgrader", default=None, metavar="DIR",
        help="also write an nbgrader course folder: instructor copies in DIR/source/ASSIGNMENT and an "
             "nbgrader_config.py (then `nbgrader generate_assignment` and `nbgrader autograde` in DIR)",
    )
    student.add_argument("--assignment", default="course", help="the nbgrader assignment's name (default: course)")
    student.set_defaults(run=_run_student)

    build = _command(commands, "build", "convert + check + publish the book into _build/html")
    build.add_argument("sources", nargs="*", metavar="SOURCE", help="tutorial files or folders (default: sources/)")
    _convert_options(build)
    _check_options(build)
    build.add_argument("--no-cache", action="store_true", help="convert every tutorial and run every notebook again, even if unchanged")
    build.set_defaults(run=_run_build)
    return parser


def _command(commands: argparse._SubParsersAction, name: str, summary: str) -> argparse.ArgumentParser:
    """A sub-command whose --help shows its examples."""
    return commands.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".",
                               epilog=COMMAND_EPILOGS[name], formatter_class=argparse.RawDescriptionHelpFormatter)


def _convert_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="overwrite notebooks even if edited by hand")
    parser.add_argument(
        "--source-time", type=float, default=Budget().seconds, metavar="S",
        help=f"seconds to read one source, and to make one tutorial's exercises; over it, that source "
             f"is left out (or the tutorial has no exercises) and the others go on; 0: no budget (default: {Budget().seconds:g})",
    )
    parser.add_argument(
        "--source-memory", type=parse_size, default=Budget().memory, metavar="SIZE",
        help="memory for the same, e.g. 1G or 512M (default: 1G)",
    )


def _check_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-j", "--jobs", type=int, default=default_jobs(), help="notebooks run in parallel (default: three per core, fewer if memory is short)")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT, help=f"seconds per cell (default: {CELL_TIMEOUT})")
    parser.add_argument(
        "--notebook-timeout", type=float, default=NOTEBOOK_TIMEOUT, metavar="S",
        help=f"seconds per notebook; a notebook over it is stopped and reported as a hang (default: {NOTEBOOK_TIMEOUT})",
    )
    parser.add_argument(
        "--no-sandbox", action="store_true",
        help="run kernels as you, without the bubblewrap sandbox (only for code you trust; shown in the report)",
    )
    parser.add_argument(
        "--memory", type=parse_size, default=Limits().memory, metavar="SIZE",
        help="memory per sandboxed kernel, e.g. 2G or 512M (default: 2G)",
    )
    parser.add_argument(
        "--cluster", default=None, metavar="ADDRESS",
        help="run the notebooks on the workers of a Dask distributed cluster (tcp://host:8786); "
             "its workers need the course environment and bubblewrap (pip install distributed)",
    )


def _run_convert(args: argparse.Namespace, layout: Layout) -> int:
    report = _convert(args.sources, layout, args)
    return FAILURES if report.failures else OK


def _run_check(args: argparse.Namespace, layout: Layout) -> int:
    notebooks = [Path(n) for n in args.notebooks] or _book_notebooks(layout)
    return OK if _check(notebooks, layout, args) else FAILURES


def _run_student(args: argparse.Namespace, layout: Layout) -> int:
    from .student import write_learner_copies, write_nbgrader_course  # jupytext and nbgrader: only here

    notebooks = [Path(n) for n in args.notebooks] or _book_notebooks(layout)
    out = Path(args.out) if args.out else layout.root / "_build" / "student"
    def left_out(path: Path, labels: list[str]) -> None:
        _say("left out", f"{_relative(str(path), layout)}: exercises {', '.join(labels)} compare with a reference "
                         "`course check` has not recorded yet, and the copy holds no answer (run `course check`)")

    written = write_learner_copies(notebooks, out, on_left_out=left_out)
    _console().print(f"{len(written)} learner copies (no solutions) written to {out}")
    if args.nbgrader:
        folder = Path(args.nbgrader)
        sources = write_nbgrader_course(notebooks, folder, args.assignment)
        _console().print(f"{len(sources)} instructor copies written to {folder / 'source' / args.assignment}; "
                      f"in {folder}: `nbgrader generate_assignment {args.assignment}`, then `nbgrader autograde {args.assignment}`")
    return OK


def _run_build(args: argparse.Namespace, layout: Layout) -> int:
    import time

    from .publish import uncached_notebooks

    sources = args.sources or [str(layout.root / "sources")]
    if not all(Path(s).exists() for s in sources):
        _say("error", f"{sources[0]}: no such folder; give the tutorials to build as SOURCE arguments")
        return USAGE
    report = _convert(sources, layout, args)
    notebooks = _book_notebooks(layout)
    findings = layout.root / FINDINGS_FILE
    # Convert proposes, check proves: what the check found (a failing cell, a disproved
    # exercise, a cell's real output) goes into findings.json; convert again with it, and
    # check what that changed, until nothing does.
    for _round in range(MAX_ROUNDS):
        before = findings.read_bytes() if findings.exists() else b""
        checked = _check(notebooks, layout, args)
        if (findings.read_bytes() if findings.exists() else b"") == before or _round == MAX_ROUNDS - 1:
            break
        _console().print("Converting again with what the check found (findings.json) …")
        report = _convert(sources, layout, args)
        if not report.written:
            break
        notebooks = _book_notebooks(layout)
    # The book takes every notebook's outputs from the jupyter-cache `course check` filled;
    # MyST-NB would execute a notebook missing there itself, outside the sandbox: never.
    uncached = uncached_notebooks(notebooks, layout.root)
    for path in uncached:
        _say("error", f"{_relative(str(path), layout)} has no run in the check's cache; "
                      "the book build would execute it outside the sandbox, so it is not published (run `course check`)")
    if uncached:
        return FAILURES
    _console().print("Publishing with Jupyter Book (outputs from the check, nothing executed again) …")
    start = time.perf_counter()
    result = publish(layout.root)
    if result.returncode != 0:
        _console().print(result.stdout[-3000:] + result.stderr[-3000:])
        _say("error", "jupyter-book build failed (warnings count as errors)")
        return FAILURES
    log = result.stdout + result.stderr
    reused, executed = log.count("Using cached notebook"), log.count("Executing notebook")
    _console().print(
        f"Book written to {layout.root / '_build' / 'html' / 'index.html'} in {time.perf_counter() - start:.0f} s "
        f"({reused} notebooks' outputs reused from the check, {executed} executed by the book)"
    )
    return FAILURES if report.failures or not checked else OK


MAX_ROUNDS = 4
"""Check-convert rounds at most: the first check learns failures and outputs, the next
convert demotes and adds predict exercises, the next check proves those (a third round
drops what it disproved); a fourth only if a demotion made another cell fail."""


def _not_a_notebook(path: Path, *, ipynb: bool) -> str:
    """Why `path` is not a notebook `course check` (a MyST one) or `course student` (MyST or
    .ipynb, `ipynb`) can take; "" when it is one."""
    if not path.exists():
        return "no such file"
    if not path.is_file():
        return "not a notebook file (give notebooks, or none for every notebook in book/)"
    if path.suffix == ".ipynb":
        if not ipynb:
            return "course check runs MyST notebooks (.md, as in book/), not .ipynb"
        import nbformat

        try:
            nbformat.validate(nbformat.read(path, as_version=4))
        except Exception as err:  # nbformat raises JSON, validation and type errors alike
            return f"not a valid .ipynb notebook ({describe(err, limit=120)})"
        return ""
    try:
        header = front_matter(path)
    except (OSError, UnicodeDecodeError) as err:
        return f"cannot be read as a notebook ({describe(err, limit=120)})"
    representation = header.get("jupytext", {}) if isinstance(header.get("jupytext"), dict) else {}
    representation = representation.get("text_representation", {})
    if not isinstance(header.get("kernelspec"), dict) or not isinstance(representation, dict) \
            or representation.get("format_name") != "myst":
        return "not a notebook: a MyST notebook starts with a jupytext header (format_name: myst) and a kernelspec"
    return ""


def _book_notebooks(layout: Layout) -> list[Path]:
    return [layout.root / f"{e.path}.md" for e in read_entries(layout.book, layout.root)]


def _progress() -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=_console(), transient=True,
    )


class _ProgressOnceStarted:
    """A progress bar that appears once `start` is called (`course convert` imports rich
    while its readers read, not before they start), or at the first step."""

    def __init__(self, description: str, total: int) -> None:
        self.description, self.total = description, total
        self.bar: Progress | None = None

    def start(self) -> None:
        if self.bar is None:
            self.bar = _progress()
            self.bar.start()
            self.task = self.bar.add_task(self.description, total=self.total)

    def advance(self, _step: object = None) -> None:
        self.start()
        self.bar.advance(self.task)

    def __enter__(self) -> _ProgressOnceStarted:
        return self

    def __exit__(self, *_exception: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _convert(sources: list[str], layout: Layout, args: argparse.Namespace) -> ConvertReport:
    files = expand_sources(Path(s) for s in sources)
    budget = Budget(seconds=args.source_time, memory=args.source_memory)
    with _ProgressOnceStarted("Converting", len(files)) as progress:
        report = convert(files, layout=layout, force=args.force, budget=budget, use_cache=not args.no_cache,
                         on_file=progress.advance, on_reading=progress.start)
    _print_convert_summary(report, layout)
    _write_convert_report(report, layout, files)
    return report


def _print_convert_summary(report: ConvertReport, layout: Layout) -> None:
    from rich.table import Table

    table = Table(title="Converted tutorials", title_justify="left")
    for column in ("Notebook", "Chapter", "Code blocks", "Run", "Not run", "Notes"):
        table.add_column(column, justify="right" if column in ("Code blocks", "Run", "Not run") else "left", overflow="fold")
    for doc in report.course.documents:
        code = doc.code_blocks
        runs = sum(b.status not in ("skipped", "setup", "") for b in code)
        notes = []
        if doc.meta.kind == "reading":
            notes.append("reading chapter")
        if doc.meta.duplicates:
            notes.append("near-duplicate")
        path = report.paths.get(doc.meta.title)
        table.add_row(
            str(path.relative_to(layout.book)) if path else doc.meta.slug, doc.meta.chapter,
            str(len(code)), str(runs), str(len(code) - runs), ", ".join(notes),
        )
    _print_table(table)
    pairs = {tuple(sorted((d.meta.title, other))) for d in report.course.documents for other in d.meta.duplicates}
    for first, second in sorted(pairs):
        _say("near-duplicate", f"{first} ≈ {second} (both kept, flagged on their pages)")
    for item in report.excluded:
        _say("left out", f"{item.title} ({item.source}): {item.reason}")
    for loss in report.dropped:
        _say("dropped", f"{loss.source}: " + (f"{loss.tutorial}: " if loss.tutorial else "") + loss.what)
    from .passes.dependencies import course_requirements, missing_from_extra

    needed = course_requirements(report.course.documents)
    missing = missing_from_extra(needed, course_extra(layout.root).values())
    if missing:
        _say("course requirements", f"add {', '.join(missing)} to the `course` extra in pyproject.toml "
                      "(with a version range known to work) so that learners and CI install them")
    for path in report.kept_edits:
        _say("kept hand edits", f"{path} was edited by hand and was not overwritten (use --force)")
    for path, backup in report.backups:
        _say("overwritten", f"kept a backup of {_relative(str(path), layout)} in {_relative(str(backup), layout)} "
                            "(--force replaced its hand edits)")
    for warning in report.warnings:
        _say("warning", warning)
    for failure in report.failures:
        _say("error", str(failure))
    pages = set(report.paths.values())  # the notebooks among the files written (_toc.yml and index.md aside)
    _console().print(
        f"{_counted(len(report.course.documents), 'notebook')} "
        f"({sum(p in pages for p in report.written)} written, "
        f"{sum(p in pages for p in report.unchanged)} unchanged), {len(report.excluded)} left out, "
        f"{_counted(len(report.dropped), 'piece')} of sources dropped, "
        f"{len(report.failures)} failed sources"
    )


def _write_convert_report(report: ConvertReport, layout: Layout, files: list[Path]) -> None:
    """_build/convert.json: what an instructor or CI needs to know about the conversion.
    What the file says about sources not converted this time stays (`course convert b.xml`
    must not forget a.txt's notes); kept hand edits and backups are this run's."""
    path = layout.root / "_build" / "convert.json"
    data = {
        "tutorials": [
            {
                "title": d.meta.title, "source": d.meta.source, "kind": d.meta.kind, "chapter": d.meta.chapter,
                "notebook": str(report.paths.get(d.meta.title, "")), "duplicates": list(d.meta.duplicates),
                "code_blocks": [
                    {"language": b.language, "status": b.status, "reason": b.reason}
                    | ({"category": b.category} if b.category else {})
                    | ({"expected": b.expected} if b.expected is not None else {})
                    for b in d.code_blocks
                ],
                "notes": list(d.source_notes + d.notes),
            }
            for d in report.course.documents
        ],
        "excluded": [asdict(e) for e in report.excluded],
        "dropped": [asdict(d) for d in report.dropped],
        "kept_hand_edits": [str(p) for p in report.kept_edits],
        "backups": [{"file": str(path), "backup": str(backup)} for path, backup in report.backups],
        "warnings": report.warnings,
        "failures": [str(f) for f in report.failures],
    }
    converted = {_resolved(str(f)) for f in files}
    for key, earlier in _earlier_entries(path).items():
        if key in ("tutorials", "excluded", "dropped"):
            data[key] = [e for e in earlier if isinstance(e, dict) and _resolved(str(e.get("source"))) not in converted
                         and (key != "tutorials" or Path(str(e.get("notebook") or "")).is_file())] + data[key]
        elif key in ("warnings", "failures"):  # one line each, "<source>: ..."
            data[key] = [line for line in earlier if isinstance(line, str)
                         and _resolved(line.split(": ", 1)[0]) not in converted] + data[key]
    atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _earlier_entries(path: Path) -> dict[str, list]:
    """The lists of the convert.json an earlier run wrote ({} if none or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, list)} if isinstance(data, dict) else {}


def _resolved(source: str) -> Path:
    return Path(source).resolve()


def _check(notebooks: list[Path], layout: Layout, args: argparse.Namespace) -> bool:
    from .execute import CheckOptions, check

    build = layout.root / "_build"
    options = CheckOptions(
        out_dir=build / "executed", report=build / "report.json", cell_timeout=args.timeout,
        notebook_timeout=args.notebook_timeout, jobs=max(1, args.jobs), use_cache=not args.no_cache,
        jupyter_cache=build / ".jupyter_cache", sandbox=not args.no_sandbox, limits=Limits(memory=args.memory),
        findings=layout.root / FINDINGS_FILE, node_modules=_node_modules(layout.root), cluster=args.cluster,
        run_times=default_directory(),
    )
    if args.no_sandbox:
        _say("warning", "--no-sandbox: tutorial code runs as you, with your files, secrets and network")
    with _progress() as progress:
        task = progress.add_task("Running notebooks", total=len(notebooks))
        results = check(notebooks, options, on_done=lambda _: progress.advance(task))
    _print_check_summary(results, layout)
    return all(r.ok for r in results)


def _node_modules(root: Path) -> Path | None:
    """The course's npm packages; a one-line note when package.json asks for them and they are missing."""
    if not (root / "package.json").is_file():
        return None
    if not (root / "node_modules").is_dir():
        _say("note", "JavaScript cells that need npm packages will fail: run `npm ci` (or `make install`)")
    return root / "node_modules"


def _print_check_summary(results: list[NotebookResult], layout: Layout) -> None:
    from rich.table import Table
    from rich.text import Text

    from . import claims, runtimes

    table = Table(title="Notebook runs", title_justify="left")
    for column in ("Notebook", "Ran", "Skipped (by reason)", "Failed", "Result"):
        table.add_column(column, justify="right" if column in ("Ran", "Failed") else "left", overflow="fold")
    for r in sorted(results, key=lambda r: r.notebook):
        name = _relative(r.notebook, layout).removeprefix("book/").removesuffix(".md")
        ran = str(r.count("ran"))
        extra = [f"{r.count('written')} written"] if r.count("written") else []
        if r.count("expected-error"):
            extra.append(f"{r.count('expected-error')} expected error" + "s" * (r.count("expected-error") > 1))
        if extra:
            ran += f" ({', '.join(extra)})"
        skipped = ", ".join(f"{n} {category}" for category, n in r.skipped_by_category().items()) or "-"
        failed = r.count("failed") + r.count("timeout")
        if r.ok:
            verdict = Text.assemble(("ok", "green"), " (cached)" if r.cached else f" ({r.seconds:.1f} s)" if r.kernel else " (nothing to run)")
        else:
            verdict = Text.assemble(("HANG" if r.hang else "FAILED", "red"), f" {r.error}")
        table.add_row(name, ran, skipped, str(failed) if failed else "-", verdict)
    _print_table(table)
    missing = sorted({c.reason for r in results for c in r.cells if c.category == runtimes.MISSING_CATEGORY})
    if missing:
        skipped = sum(c.category == runtimes.MISSING_CATEGORY for r in results for c in r.cells)
        _say("runtimes missing", f"{skipped} cells skipped; " + "; ".join(missing))
    _print_blocks_run(results)
    compared = [c for r in results for c in r.cells if c.claim]
    if compared:
        held = sum(c.claim == claims.HOLDS for c in compared)
        _console().print(f"stated outputs: {held} of {len(compared)} match what the cells print "
                      f"({len(compared) - held} differ: listed under `claims` in the report)")
    failed = sum(r.outcome == "failed" for r in results)
    hangs = sum(r.hang for r in results)
    cached = sum(r.cached for r in results)
    _console().print(
        f"{_counted(len(results), 'notebook')} ({cached} unchanged, not run again): {len(results) - failed - hangs} ok, "
        f"{failed} with unexpected errors, {hangs} hung; {_counted(sum(r.exercises for r in results), 'exercise')} proved "
        f"(starter fails its check, solution passes, {sum(r.variants for r in results)} correct variants pass, "
        f"{sum(r.wrong_answers for r in results)} wrong answers fail); details in {_relative(str(layout.root / '_build' / 'report.json'), layout)}"
    )


def _counted(number: int, noun: str) -> str:
    """"1 notebook", "2 notebooks"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _print_blocks_run(results: list[NotebookResult]) -> None:
    """One line: how many of the tutorials' code blocks ran, by language (the course's own cells aside)."""
    from .execute import by_language

    totals: dict[str, list[int]] = {}
    for result in results:
        for language, counts in by_language(result).items():
            entry = totals.setdefault(language, [0, 0])
            entry[0] += counts["ran"]
            entry[1] += counts["ran"] + counts["not run"]
    if totals:
        ran, blocks = sum(t[0] for t in totals.values()), sum(t[1] for t in totals.values())
        each = ", ".join(f"{language} {r}/{n}" for language, (r, n) in sorted(totals.items(), key=lambda kv: -kv[1][1]))
        _console().print(f"tutorial blocks run: {ran} of {blocks} ({each}); the notebooks say why each other one is not")


def _print_table(table: Table) -> None:
    """In a terminal, the table fits its width (a long name folds onto a second line, never
    cut with "…"); in a log or a pipe, it is as wide as its longest row, every name whole on
    its line for grep, whatever COLUMNS says."""
    from rich.console import Console

    if _console().is_terminal:
        _console().print(table)
        return
    # A table that does not expand is as wide as its content needs, up to the console's width.
    Console(file=_console().file, width=LOG_WIDTH, highlight=False, markup=False, soft_wrap=True).print(table)


LOG_WIDTH = 100_000
"""Wide enough for any table row: a log has no screen to fit."""


def _relative(path: str, layout: Layout) -> str:
    try:
        return str(Path(path).resolve().relative_to(layout.root.resolve()))
    except ValueError:
        return path


if __name__ == "__main__":
    sys.exit(main())
