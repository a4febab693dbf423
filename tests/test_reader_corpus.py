"""The readers on a corpus of real-style pages, measured per input format (issue 13).

`tests/corpus/readers/inputs/` holds pages modelled on public blog engines'
markup (WordPress, Ghost, Hugo, Jekyll, Medium, dev.to, Hashnode, Substack,
Blogger, Docusaurus, MkDocs Material, Gatsby), Sphinx and nbconvert pages, a
two-column example site, feeds and Markdown, each with a hand-checked
`<name>.expected.yaml`: the code blocks (text and language) and key prose
paragraphs of each article. `dumps/` holds text dumps of those pages in the
layouts people paste, rendered by `render_dumps.py`; their expected output
is the expected output of the pages they were rendered from.

Each input goes through the real readers and the per-tutorial passes. Per
format the test reports code recall (expected blocks found whole, whitespace
normalised), precision (output blocks that are code of the article, which
matters for dumps), language accuracy (found blocks with the expected
language), prose recall, HTML tags leaked into the notebooks and articles
with code that were left out. The table prints with `pytest -s` and is
written to `_build/reader-corpus.txt` with the misses of every input.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from converter.characters import clean_strings
from converter.document import CodeBlock, Course, Document, Heading, ListBlock, Meta, Paragraph, Quote, Table
from converter.passes import passes
from converter.passes.languages import assign_languages
from converter.passes.selection import select_tutorials
from converter.readers import READERS, decode, detect_format
from converter.writers.notebook import to_myst
from tests.corpus.readers import render_dumps
from tests.course_environment import COURSE
from tests.test_golden import leaked_tags

CORPUS = Path(__file__).parent / "corpus" / "readers"
INPUTS = CORPUS / "inputs"
REPORT = Path(__file__).parent.parent / "_build" / "reader-corpus.txt"
_FORMAT_OF_SUFFIX = {".html": "html", ".atom": "feed", ".rss": "feed", ".md": "markdown"}
TARGETS = {"recall": 0.99, "language": 0.97, "prose": 0.98}
DUMP_PRECISION = 0.95


# --- the corpus -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    title: str
    code: tuple[tuple[str, str], ...]
    """(language, code) of each block, in order."""
    prose: tuple[str, ...]


@dataclass(frozen=True)
class Case:
    path: Path
    format: str
    articles: tuple[Expected, ...]


def _expected(name: str) -> tuple[Expected, ...]:
    data = yaml.safe_load((INPUTS / f"{name}.expected.yaml").read_text(encoding="utf-8"))
    return tuple(
        Expected(a["title"], tuple((c["language"], c["code"]) for c in a.get("code", [])), tuple(a.get("prose", [])))
        for a in data.get("articles", [data])
    )


def corpus() -> list[Case]:
    cases = [Case(p, _FORMAT_OF_SUFFIX[p.suffix], _expected(p.stem))
             for p in sorted(INPUTS.iterdir()) if p.suffix in _FORMAT_OF_SUFFIX]
    cases += [Case(CORPUS / "dumps" / d.name, "dump", tuple(a for name in d.cases for a in _expected(name)))
              for d in render_dumps.DUMP_LAYOUTS]
    return cases


def convert(path: Path) -> tuple[list[Document], list[str]]:
    """The tutorials read from `path` with their languages, and their notebooks after all the
    per-tutorial passes. Code is measured before the later passes: they rewrite blocks on purpose
    (a `>>>` transcript becomes one cell per output, a setup cell is added)."""
    source = path.relative_to(CORPUS).as_posix()
    text = decode(path.read_bytes(), source=source)
    docs = clean_strings(READERS[detect_format(text, suffix=path.suffix)](text, source=source))
    read = [assign_languages(d) for d in docs]
    for _name, apply in passes(COURSE):
        docs = [apply(d) for d in docs]
    return read, [to_myst(d) for d in docs]


# --- measures -------------------------------------------------------------------------------------


def norm_code(code: str) -> str:
    return " ".join(code.split())


_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def norm_prose(text: str) -> str:
    """Markdown to comparable text: links to their text, no escapes, code marks or emphasis."""
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"\\(?=[^\sA-Za-z0-9])", "", text).replace("`", "").replace("**", "").replace("*", "")
    return " ".join(text.translate(_QUOTES).split())


def _prose_text(doc: Document) -> str:
    parts: list[str] = [doc.meta.title]
    for block in doc.blocks:
        if isinstance(block, (Heading, Paragraph, Quote)):
            parts.append(block.text)
        elif isinstance(block, ListBlock):
            parts.extend(block.items)
        elif isinstance(block, Table):
            parts.extend(block.header + tuple(c for row in block.rows for c in row))
    return norm_prose(" \n ".join(parts))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _match_document(expected: Expected, index: int, count: int, docs: list[Document]) -> Document | None:
    """The tutorial that is this expected article: by title, or by position when counts agree."""
    want = _words(expected.title)
    scored = [(len(want & _words(d.meta.title)) / max(len(want), 1), i) for i, d in enumerate(docs)]
    best = max(scored, default=(0.0, -1))
    if best[0] >= 0.6:
        return docs[best[1]]
    return docs[index] if len(docs) == count else None


def _runs(texts: list[str]) -> set[str]:
    """Every concatenation of consecutive blocks: a block split in two, or two blocks joined."""
    return {" ".join(texts[i:j]) for i in range(len(texts)) for j in range(i + 1, len(texts) + 1)}


@dataclass
class Measure:
    inputs: int = 0
    articles: int = 0
    expected: int = 0
    found: int = 0
    right_language: int = 0
    output_blocks: int = 0
    real_blocks: int = 0
    prose: int = 0
    prose_found: int = 0
    leaked: int = 0
    left_out: int = 0
    misses: list[str] = field(default_factory=list)

    def ratio(self, part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def figures(self) -> dict[str, float]:
        return {
            "recall": self.ratio(self.found, self.expected),
            "precision": self.ratio(self.real_blocks, self.output_blocks),
            "language": self.ratio(self.right_language, self.found),
            "prose": self.ratio(self.prose_found, self.prose),
        }


def measure_case(case: Case, into: Measure) -> None:
    into.inputs += 1
    name = case.path.name
    try:
        docs, notebooks = convert(case.path)
    except Exception as err:  # a source the reader refuses loses everything it holds
        docs, notebooks = [], []
        into.misses.append(f"{name}: not read ({err})")
    kept = {d.meta.title for d in select_tutorials(Course(tuple(docs))).documents}
    expected_texts = [norm_code(code) for article in case.articles for _lang, code in article.code]
    joined = _runs(expected_texts)
    for doc in docs:
        for block in doc.code_blocks:
            into.output_blocks += 1
            text = norm_code(block.code)
            if text and (text in joined or any(text in e for e in expected_texts)):
                into.real_blocks += 1
            else:
                into.misses.append(f"{name}: not code of the article: {block.code[:70]!r}")
    into.leaked += sum(len(leaked_tags(n)) for n in notebooks)
    for n in notebooks:
        into.misses += [f"{name}: leaked tag {t}" for t in leaked_tags(n)]
    for index, article in enumerate(case.articles):
        into.articles += 1
        doc = _match_document(article, index, len(case.articles), docs)
        blocks = [b for b in doc.code_blocks] if doc else []
        texts = [norm_code(b.code) for b in blocks]
        found_any = False
        for language, code in article.code:
            into.expected += 1
            want = norm_code(code)
            # Found: one output block is this block, or holds it merged with its neighbours (two
            # adjacent blocks read as one lose nothing); a block cut in pieces is not found.
            hit = next((b for b, t in zip(blocks, texts) if t == want or (want in t and t in joined)), None)
            if hit is None:
                split = want in _runs(texts)
                into.misses.append(f"{name}: {'split' if split else 'missed'} [{language}] {code.strip()[:70]!r}")
                continue
            into.found += 1
            found_any = True
            got = hit.language
            if got == language:
                into.right_language += 1
            else:
                into.misses.append(f"{name}: language {got or '(none)'} for [{language}] {code.strip()[:50]!r}")
        if article.code and (doc is None or not found_any or doc.meta.title not in kept):
            into.left_out += 1
            into.misses.append(f"{name}: article with code left out: {article.title!r}")
        prose = _prose_text(doc) if doc else ""
        for paragraph in article.prose:
            into.prose += 1
            if norm_prose(paragraph) in prose:
                into.prose_found += 1
            else:
                into.misses.append(f"{name}: prose missing {paragraph[:70]!r}")


def measure(fmt: str) -> Measure:
    total = Measure()
    for case in (c for c in corpus() if c.format == fmt):
        measure_case(case, total)
    return total


_FORMATS = ("html", "feed", "markdown", "dump")


def table(measures: dict[str, Measure]) -> str:
    head = f"{'format':<9} {'inputs':>6} {'articles':>8} {'blocks':>6} {'recall':>7} {'precision':>9} " \
           f"{'language':>8} {'prose':>6} {'leaked':>6} {'left out':>8}"
    rows = [head]
    for fmt, m in measures.items():
        f = m.figures
        rows.append(f"{fmt:<9} {m.inputs:>6} {m.articles:>8} {m.expected:>6} {f['recall']:>7.1%} "
                    f"{f['precision']:>9.1%} {f['language']:>8.1%} {f['prose']:>6.1%} {m.leaked:>6} {m.left_out:>8}")
    return "\n".join(rows)


def _report(fmt: str, m: Measure) -> None:
    REPORT.parent.mkdir(exist_ok=True)
    parts = {}
    if REPORT.exists():  # one section per format, rewritten by each format's test
        for section in REPORT.read_text(encoding="utf-8").split("\n\n## ")[1:]:
            parts[section.split("\n", 1)[0]] = "## " + section.strip()
    parts[fmt] = "\n".join([f"## {fmt}", table({fmt: m}), *m.misses])
    REPORT.write_text("# tests/test_reader_corpus.py\n\n" + "\n\n".join(parts[k] for k in _FORMATS if k in parts) + "\n",
                      encoding="utf-8")


@pytest.mark.parametrize("fmt", _FORMATS)
def test_reader_corpus(fmt: str) -> None:
    m = measure(fmt)
    print("\n" + table({fmt: m}))
    print("\n".join(m.misses))
    _report(fmt, m)
    f = m.figures
    assert m.inputs and m.expected, "no inputs of this format"
    assert f["recall"] >= TARGETS["recall"], m.misses
    assert f["language"] >= TARGETS["language"], m.misses
    assert f["prose"] >= TARGETS["prose"], m.misses
    assert m.leaked == 0, m.misses
    assert m.left_out == 0, m.misses
    if fmt == "dump":
        assert f["precision"] >= DUMP_PRECISION, m.misses


def test_corpus_size_and_coverage() -> None:
    cases = corpus()
    assert len(cases) >= 40
    assert sum(c.format == "dump" for c in cases) >= 15
    # Every HTML case a dump is rendered from has an article region the renderer knows.
    assert {n for d in render_dumps.DUMP_LAYOUTS for n in d.cases} <= set(render_dumps.ARTICLE)


def test_dumps_are_the_render_scripts_output() -> None:
    for dump in render_dumps.DUMP_LAYOUTS:
        path = CORPUS / "dumps" / dump.name
        assert path.read_bytes() == render_dumps.render(dump).encode("utf-8"), (
            f"{dump.name} is stale: run python tests/corpus/readers/render_dumps.py")


# --- the measures themselves ----------------------------------------------------------------------


def test_measure_counts_prose_in_code_and_split_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = (Expected("T", (("python", "a = 1\nb = 2\n"), ("shell", "ls -l\n")), ("Some prose here.",)),)
    doc = Document(meta=Meta(title="T", source="x"),
                   blocks=(CodeBlock("a = 1", "python"), CodeBlock("b = 2", "python"),
                           CodeBlock("Some prose here.", "text"), Paragraph("Other text.")))
    monkeypatch.setattr(sys.modules[__name__], "convert", lambda path: ([doc], [to_myst(doc)]))
    fake = Measure()
    measure_case(Case(INPUTS / "x.html", "html", expected), fake)
    # a block cut in two is not found, nor the shell block; prose read as code is not precise.
    assert (fake.expected, fake.found, fake.output_blocks, fake.real_blocks) == (2, 0, 3, 2)
    assert (fake.prose, fake.prose_found, fake.left_out) == (1, 0, 1)  # no block of it found whole
