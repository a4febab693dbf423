"""`course convert`: sources -> model -> passes -> notebooks, table of contents, landing page.

A pure function of its inputs: the sources, the project's settings, the declared
course environment (the `course` extra of pyproject.toml) and what the last
`course check` proved (findings.json). It never runs, imports or evaluates
tutorial code, and its output does not depend on what the running venv holds.
"""

from __future__ import annotations

import gc
import hashlib
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, partial
from pathlib import Path

import yaml

from . import environment, findings
from .atomic import atomic_write
from .document import LEFT_OUT, CodeBlock, Course, Document, Excluded, is_loss
from .errors import ConverterError, SourceError, describe
from .budget import NO_BUDGET, Budget, OverBudget, before_fork, each_within
from .environment import CourseEnvironment, fingerprint
from .findings import Findings
from .memo import Memo
from .passes.placement import Chapter, book_chapters, chapter_by_title, chapters_from_config
from .readers import Split, assemble, build_entry, import_entry_readers, read_source, split_source
from .stamp import is_hand_edited, stamp
from .writers.toc import SAFE_LOADER, course_extra, front_matter, landing_page, read_entries, toc_yaml

DEFAULT_TITLE = "A Runnable Course"
"""The landing page's title when _config.yml gives none (the course's own title belongs there)."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the course lives: the project root with _config.yml, _toc.yml and book/."""

    root: Path

    @property
    def book(self) -> Path:
        return self.root / "book"

    @property
    def toc(self) -> Path:
        return self.root / "_toc.yml"

    @property
    def index(self) -> Path:
        return self.book / "index.md"

    @property
    def config(self) -> Path:
        return self.root / "_config.yml"

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def findings(self) -> Path:
        return self.root / findings.FINDINGS_FILE

    @property
    def convert_cache(self) -> Path:
        """What convert's per-tutorial steps gave last time (converter.memo); outside book/."""
        return self.root / "_build" / ".convert-cache"

    @property
    def backups(self) -> Path:
        """Where --force keeps the hand-edited files it overwrites: outside book/, so
        neither the book nor `course check` takes a backup for a notebook."""
        return self.root / "_build" / "backups"


@dataclass(frozen=True, slots=True)
class Dropped:
    """A piece of a source that is not in the course (a feed item, a page's sidebar), as a reader noted it."""

    source: str
    tutorial: str
    """The tutorial it was in; "" for the source as a whole (a feed's item, a dump's article)."""
    what: str


@dataclass(slots=True)
class ConvertReport:
    """What a conversion did, file by file, for the summary table and the exit code."""

    course: Course = field(default_factory=lambda: Course(()))
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    kept_edits: list[Path] = field(default_factory=list)
    backups: list[tuple[Path, Path]] = field(default_factory=list)
    """(file, its backup) for each hand-edited file --force overwrote or removed."""
    failures: list[ConverterError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """One line each: what converted only in part (exercises over the budget)."""
    paths: dict[str, Path] = field(default_factory=dict)
    """Notebook path per tutorial title."""
    dropped: list[Dropped] = field(default_factory=list)
    """What the readers left out of the sources read, noted as they read them (before a
    tutorial left out of the course takes its notes with it)."""

    @property
    def excluded(self) -> tuple[Excluded, ...]:
        return self.course.excluded


def expand_sources(sources: Iterable[Path]) -> list[Path]:
    """Files as given; folders become their visible files, sorted."""
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            files += sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            files.append(source)
    return files


def read_all(
    files: list[Path], report: ConvertReport, on_file: Callable[[Path], None] = lambda _: None, *,
    environment: CourseEnvironment | Callable[[], CourseEnvironment] | None = None, budget: Budget = NO_BUDGET,
    memo: Memo | None = None, on_reading: Callable[[], None] = lambda: None,
) -> list[Document]:
    """Read every source, each under `budget`; a bad one is reported and skipped, the others
    still convert. A feed or dump that would hold up one worker long after the others is
    cut into its entries, built side by side, each under `budget` (an entry that fails costs
    only itself). Given the environment, then apply the per-tutorial passes to each tutorial
    (`prepare_all`). What `memo` kept from an earlier conversion is not done again.
    `environment` may be a function that reads it: it is called once the readers have started.
    `on_reading` is called then too, after this process's own work (the command shows its
    progress bar: rich is imported while the workers read)."""
    memo = memo or Memo(None)
    keys = [memo.key("read", str(path), _file_digest(path)) for path in files]
    kept = _kept(memo, keys)
    cut = _read_in_entries(files, kept, budget)
    # The workers start at once, each reading a source whole, or cutting one of `cut` into its
    # entries, which are built next, side by side (a worker keeps only what it read whole)...
    reading = _kept_or_within(memo, keys, kept, budget, _read_or_split, [(path, path in cut) for path in files],
                              keep=lambda found: not isinstance(found, Split))
    if callable(environment):
        environment = environment()
    # ...while this process imports what the next workers need and inherit: the readers
    # that build entries, if any, for the workers that build them, forked once the sources
    # are cut; the passes (a sixth of a second; the readers need none of them; the writer
    # comes while the passes run: see prepare_all). Hence the imports in the functions below.
    # With entries to build, in a thread: this one hands the workers their items.
    stages: list[Callable[[], None]] = [import_entry_readers] if cut else []
    if environment is not None:
        stages.append(partial(_passes_machinery, lexers=bool(budget.seconds) and None in kept))
    run: Callable[[Callable[[], None]], None] = _in_background if cut else _now
    if stages:
        run(stages.pop(0))
    on_reading()
    sources = list(reading)
    building = _building(sources, budget)  # (a fork waits for the thread)
    for stage in stages:
        run(stage)
    read = _assembled(sources, building)
    _join_background()
    _freeze_as_the_command_does()
    for key, source, found in zip(keys, sources, read):
        if isinstance(source, Split) and isinstance(found, list):  # assembled here (a worker keeps what it read whole)
            memo.put(key, found)
    docs: list[Document] = []
    for path, found in zip(files, read):
        if isinstance(found, SourceError):
            report.failures.append(found)
        elif isinstance(found, OverBudget):
            report.failures.append(SourceError(str(path), f"left out: {found}"))
        elif isinstance(found, BaseException):  # a reader bug must not cost the other sources
            report.failures.append(SourceError(str(path), f"could not be converted ({describe(found)})"))
        else:
            docs += [replace(d, meta=replace(d.meta, position=i)) for i, d in enumerate(found)]
        on_file(path)
    if environment is not None:
        docs = prepare_all(docs, report, environment=environment, budget=budget, memo=memo)
    report.dropped += noted_losses(docs)
    return docs


READ_IN_ENTRIES_ABOVE = 512 * 1024
"""Bytes: a feed or dump larger than this, and than its share of the sources to read (their
size over the workers), is read in entries built side by side (`bench/large_source.py`):
cutting it up and building in a second round of workers costs more than it saves below."""


def _read_in_entries(files: Sequence[Path], kept: Sequence[object | None], budget: Budget) -> set[Path]:
    """The sources to read in entries: those that would hold up one worker long after the
    others are done."""
    if not budget.seconds or budget.jobs < 2:
        return set()
    sizes = {path: _size(path) for path, earlier in zip(files, kept) if earlier is None}
    share = sum(sizes.values()) / budget.jobs
    return {path for path, size in sizes.items() if size > max(READ_IN_ENTRIES_ABOVE, share)}


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # the reader says what is wrong with it


def _read_or_split(item: tuple[Path, bool]) -> list[Document] | Split:
    path, in_entries = item
    return split_source(path) if in_entries else read_source(path)


def _building(found: Sequence[object], budget: Budget) -> Iterator[object]:
    """The entries of every split source (`found`), built side by side, each under `budget`,
    so that a large feed or dump is not read on one core while the other waits."""
    entries = [(split.format, entry) for split in found if isinstance(split, Split) for entry in split.entries]
    return iter(each_within(budget, build_entry, entries) if entries else ())


def _assembled(found: Sequence[object], building: Iterator[object]) -> list[object]:
    """Each source's Split in `found` replaced by its tutorials as built (or by what says
    none is left), the rest as they are."""
    read: list[object] = []
    for source in found:
        if isinstance(source, Split):
            try:
                read.append(assemble(source, [next(building) for _ in source.entries]))
            except Exception as err:  # SourceError: no tutorial left; else a reader bug, costing this source only
                read.append(err)
        else:
            read.append(source)
    return read


_COMMAND_FROZE = [False]


def freeze_for_the_command() -> None:
    """What exists now lives as long as the command (cli.main): the collector stops walking
    it, and what convert imports later is frozen as it comes (`_freeze_as_the_command_does`)."""
    gc.freeze()
    _COMMAND_FROZE[0] = True


def _freeze_as_the_command_does() -> None:
    """When the command froze what its imports made out of the collector, what was imported
    since is frozen too; called as a library, the collector is left alone. (A flag, not
    gc.get_freeze_count(), which counts the frozen objects one by one: 4 ms.)"""
    if _COMMAND_FROZE[0]:
        gc.freeze()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""  # the reader says what is wrong with it


def _kept(memo: Memo, keys: Sequence[str]) -> list[object | None]:
    """What `memo` holds under each key (None: nothing)."""
    return [memo.get(key) for key in keys]


def _kept_or_within(memo: Memo, keys: Sequence[str], kept: Sequence[object | None], budget: Budget,
                    work: Callable, items: Sequence, keep: Callable[[object], bool] = lambda _: True) -> Iterator[object]:
    """`each_within(budget, work, items)`, but an item whose value `memo` kept (`kept`, from
    `_kept`) takes that value instead of being worked on. A worker keeps what it makes (not
    exceptions, and only what `keep` accepts), side by side with the others. The workers
    start at once."""
    todo = [(key, item) for key, item, value in zip(keys, items, kept) if value is None]
    results = each_within(budget, partial(_work_and_keep, work=work, memo=memo, keep=keep), todo)

    def in_order() -> Iterator[object]:
        for key, value in zip(keys, kept):
            if value is None:
                value = next(results)
                memo.used.add(key)
            yield value

    return in_order()


def _work_and_keep(pair: tuple[str, object], *, work: Callable, memo: Memo, keep: Callable[[object], bool]) -> object:
    key, item = pair
    value = work(item)
    if keep(value):
        memo.put(key, value)
    return value


def prepare_all(docs: Sequence[Document], report: ConvertReport, *, environment: CourseEnvironment,
                budget: Budget = NO_BUDGET, memo: Memo | None = None) -> list[Document]:
    """The per-tutorial passes on each tutorial, each under `budget`, side by side in the
    budget's workers (tutorial by tutorial, not source by source: a feed of one long
    tutorial and a page of fourteen short ones keep both cores busy alike). One that fails
    is reported and left out; the others go on. A tutorial `memo` holds (read the same, in
    the same course environment) is not prepared again."""
    from .exercises.mutants import warm_lexers
    from .passes import prepare

    memo = memo or Memo(None)
    prepared: list[Document] = []
    setting = fingerprint(environment)
    keys = [memo.key("prepare", repr(doc), setting) for doc in docs]
    kept = _kept(memo, keys)
    made = _kept_or_within(memo, keys, kept, budget, partial(prepare, environment=environment), docs)
    if budget.seconds and any(earlier is None for earlier in kept):
        _in_background(_page_machinery)  # while the workers prepare (see exercised_pages)
    for doc, earlier, found in zip(docs, kept, made):
        if isinstance(found, BaseException):
            why = f"left out: {found}" if isinstance(found, OverBudget) else f"could not be converted ({describe(found)})"
            report.failures.append(SourceError(doc.meta.source, f"{doc.meta.title}: {why}"))
        else:
            prepared.append(found)
            if budget.seconds and earlier is None:  # while the workers prepare the next ones (see exercised_pages)
                warm_lexers(_languages([found]))
    _join_background()
    _freeze_as_the_command_does()
    return prepared


def _passes_machinery(*, lexers: bool) -> None:
    """What the per-tutorial passes' workers need; `lexers`: also the lexers of the languages
    the course runs (a source was read now, so its tutorials are prepared next): language
    detection (those workers) and the exercises (the last ones) lex with them, and each
    worker compiled its own."""
    from .passes import pipeline  # noqa: F401

    if lexers:
        from .exercises.mutants import warm_lexers
        from .runtimes import RUNTIMES

        warm_lexers({"python", *RUNTIMES})


def _page_machinery() -> None:
    """What the page workers need and the passes' workers do not: the exercise generators,
    the writer (jupytext, nbformat: a sixth of a second to import) and its validator."""
    from .passes import exercises  # noqa: F401
    from .writers.notebook import warm_validator

    warm_validator()


_BACKGROUND: list[threading.Thread] = []
_USUAL_INTERVAL: list[float] = []  # the interpreter's switch interval, while background work runs


_SWITCH_INTERVAL = 0.0005
"""How long the background thread holds the interpreter while the main thread waits for it:
a worker's result wakes the main thread, which hands that worker its next item once it has
the interpreter (Python's default, 5 ms, left both workers idle for 20 ms in all)."""


def _in_background(work: Callable[[], None]) -> None:
    """`work` in a thread of this process, while its main thread hands the workers their next
    items: done in the main thread, it kept a worker that finished waiting for its next one.
    Joined before this process forks again: a child must not start with an import half done."""
    thread = threading.Thread(target=work, name="convert-imports", daemon=True)
    if not _USUAL_INTERVAL:
        _USUAL_INTERVAL.append(sys.getswitchinterval())
        sys.setswitchinterval(_SWITCH_INTERVAL)
    _BACKGROUND.append(thread)
    thread.start()


def _now(work: Callable[[], None]) -> None:
    work()


def _join_background() -> None:
    while _BACKGROUND:
        _BACKGROUND.pop().join()
    if _USUAL_INTERVAL:
        sys.setswitchinterval(_USUAL_INTERVAL.pop())


before_fork.append(_join_background)


def _languages(docs: Iterable[Document]) -> set[str]:
    return {b.language for d in docs for b in d.blocks if isinstance(b, CodeBlock) and b.language}


def noted_losses(documents: Iterable[Document]) -> list[Dropped]:
    """The losses the reader noted in these tutorials."""
    found: list[Dropped] = []
    for doc in documents:
        found += [Dropped(doc.meta.source, "", note) for note in doc.source_notes if is_loss(note)]
        found += [Dropped(doc.meta.source, doc.meta.title, note) for note in doc.notes if is_loss(note)]
    return found


def exercised_pages(course: Course, *, findings: Findings, budget: Budget = NO_BUDGET, memo: Memo | None = None,
                    ) -> list[tuple[Document, str | BaseException]]:
    """Each tutorial with its exercises, and its notebook's text (or why it could not be
    written), in order. Both are pure work on one tutorial, so the budget's workers do them
    together, side by side: one hand-over per tutorial, and the worker that made an exercise
    has its code parsed and lexed when it writes it. A tutorial whose exercises ran over the
    budget is written without them (under the budget again), noted as it always was. A
    tutorial `memo` holds (placed the same, with the same findings) takes its page from there."""
    from .exercises.mutants import warm_lexers

    memo = memo or Memo(None)
    pages: list[tuple[Document, str | BaseException | None]] = []
    proved = hashlib.sha256(repr(findings).encode()).hexdigest()
    keys = [memo.key("page", repr(doc), proved) for doc in course.documents]
    kept = _kept(memo, keys)
    if None in kept:  # pages to make: the generators and the writer (imported already if the passes ran)
        _page_machinery()
        if budget.seconds:  # the generators lex every code block: once here, not in each worker
            warm_lexers(_languages(d for d, earlier in zip(course.documents, kept) if earlier is None))
    made = _kept_or_within(memo, keys, kept, budget, partial(_exercised_page, findings=findings), course.documents,
                           keep=lambda page: isinstance(page[1], str))  # a page that failed is tried again
    for doc, done in zip(course.documents, made):
        pages.append(done if not isinstance(done, BaseException) else (_without_exercises(doc, done, findings), None))
    unwritten = [i for i, (_doc, text) in enumerate(pages) if text is None]
    if unwritten:
        from .writers.notebook import to_myst

        for i, text in zip(unwritten, each_within(budget, to_myst, [pages[i][0] for i in unwritten])):
            pages[i] = (pages[i][0], text)
    return pages  # type: ignore[return-value] (every None was replaced)


def _without_exercises(doc: Document, stopped: BaseException, findings: Findings) -> Document:
    """The tutorial whose exercises could not be made, noted as such."""
    from .passes.exercises import with_exercises

    return with_exercises(doc, stopped, findings)


def _exercised_page(doc: Document, *, findings: Findings) -> tuple[Document, str | BaseException]:
    from .passes.exercises import offers, with_exercises
    from .writers.notebook import to_myst

    doc = with_exercises(doc, offers(doc), findings)
    try:
        return doc, to_myst(doc)
    except Exception as err:  # noqa: BLE001 (the page's failure is reported; its tutorial still counts)
        return doc, err


def convert(
    sources: Iterable[Path], *, layout: Layout, force: bool = False,
    on_file: Callable[[Path], None] = lambda _: None, budget: Budget = Budget(), use_cache: bool = True,
    on_reading: Callable[[], None] = lambda: None,
) -> ConvertReport:
    """Convert the sources into book/ and regenerate _toc.yml and the landing page.
    Each source is read and each tutorial's exercises made under `budget`; what an earlier
    conversion of the same input gave is taken from the project's cache (converter.memo)
    unless `use_cache` is off (what is made is kept all the same). `on_reading`: see read_all."""
    report = ConvertReport()
    memo = Memo(layout.convert_cache, reuse=use_cache)
    course_environment = cache(partial(environment.read, layout.pyproject))  # read as the readers read
    docs = read_all(expand_sources(sources), report, on_file, environment=course_environment, budget=budget, memo=memo,
                    on_reading=on_reading)
    from .passes import run_course_passes  # imported as read_all read (see there)

    proved = findings.load(layout.findings)
    if proved.environment != environment.fingerprint(course_environment()):
        proved = findings.Findings()  # made with other packages: check proves everything again
    config = course_config(layout)
    chapters = chapters_from_config(config)
    course = run_course_passes(Course(documents=tuple(docs)), findings=proved, chapters=chapters, exercises=False)
    pages = exercised_pages(course, findings=proved, budget=budget, memo=memo)
    report.course = replace(course, documents=tuple(doc for doc, _text in pages))
    report.warnings += [f"{d.meta.source}: {d.meta.title}: {note}" for d in report.course.documents
                        for note in d.notes if note.startswith(LEFT_OUT)]
    existing = _existing_notebooks(layout)
    # The files are written here, one process, in order.
    for doc, text in pages:
        if isinstance(text, BaseException):  # nothing written or removed for it; the others still are
            report.failures.append(text if isinstance(text, ConverterError) else
                                   SourceError(doc.meta.source, f"{doc.meta.title}: could not be written ({describe(text)})"))
            continue
        path = _target(doc, layout, existing, chapters)
        old = existing.get((doc.meta.source, doc.meta.title))
        if old and old != path:  # the tutorial moved (new chapter or slug)
            if is_hand_edited(old.read_text(encoding="utf-8")):
                if not force:
                    report.kept_edits.append(old)
                    continue
                report.backups.append((old, back_up(old, layout)))
            old.unlink()
        report.paths[doc.meta.title] = path
        write_generated(path, text, report, force=force, layout=layout)
    entries = read_entries(layout.book, layout.root)
    order = [c.title for c in book_chapters(chapters)]
    write_generated(layout.toc, stamp(toc_yaml(entries, order=order)), report, force=force, layout=layout)
    title = str(config.get("title") or DEFAULT_TITLE)
    page = landing_page(entries, title=title, pins=course_extra(layout.root), sandbox=proved.sandbox, order=order)
    write_generated(layout.index, stamp(page), report, force=force, layout=layout)
    memo.prune()
    return report


def course_config(layout: Layout) -> dict:
    """_config.yml as data ({} when it is missing or unreadable)."""
    try:
        config = yaml.load(layout.config.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except (OSError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}



def _existing_notebooks(layout: Layout) -> dict[tuple[str, str], Path]:
    """Notebooks already in book/, by (source file, title)."""
    found = {}
    for path in sorted(layout.book.rglob("*.md")):
        course = front_matter(path).get("course")
        if isinstance(course, dict) and "chapter" in course:
            found[(str(course.get("source", {}).get("file", "")), str(course.get("title", "")))] = path
    return found


def _target(doc: Document, layout: Layout, existing: dict[tuple[str, str], Path], chapters: Sequence[Chapter]) -> Path:
    """book/<chapter>/<slug>.md, with a suffix if another tutorial's notebook holds the name
    in any chapter: the name is the notebook's in _build/executed/ and _build/nbval/ too."""
    folder = layout.book / chapter_by_title(doc.meta.chapter, chapters).folder
    taken = {p.stem for key, p in existing.items() if key != (doc.meta.source, doc.meta.title)}
    slug, n = doc.meta.slug, 2
    while slug in taken:
        slug, n = f"{doc.meta.slug}-{n}", n + 1
    return folder / f"{slug}.md"


def write_generated(path: Path, text: str, report: ConvertReport, *, force: bool, layout: Layout) -> None:
    """Write a generated file atomically, unless it is unchanged or a person edited it
    (with `force`, a person's edits are overwritten, and kept in a backup first)."""
    if path.exists():
        old = path.read_text(encoding="utf-8", errors="replace")
        if old == text:
            report.unchanged.append(path)
            return
        if is_hand_edited(old):
            if not force:
                report.kept_edits.append(path)
                return
            report.backups.append((path, back_up(path, layout)))
    atomic_write(path, text)
    report.written.append(path)


def back_up(path: Path, layout: Layout) -> Path:
    """Copy `path` to _build/backups/<its path in the project>, the time in its name
    (book/web/x.md -> _build/backups/book/web/x.20250102-130405.md); never over another backup."""
    try:
        relative = path.resolve().relative_to(layout.root.resolve())
    except ValueError:
        relative = Path(path.name)
    stem = layout.backups / relative.parent / f"{relative.stem}.{time.strftime('%Y%m%d-%H%M%S')}"
    target, n = stem.with_name(stem.name + relative.suffix), 2
    while target.exists():
        target, n = stem.with_name(f"{stem.name}-{n}{relative.suffix}"), n + 1
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, target)
    return target


