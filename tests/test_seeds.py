"""End to end on the user's own tutorials (sources/): fidelity figures against a hand check.

The seeds are not training data: the readers and detectors are tested on our
own cases elsewhere. Here we measure what the issue asks for, against hand
counts kept in tests/data/ (code block boundaries and languages of the text
dump) and the feed's own markup (its `<pre class="highlight LANG">` blocks).
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import jupytext
import nbformat
import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from converter.convert import Layout, convert
from converter.execute import CheckOptions, check
from converter.findings import FINDINGS_FILE
from converter.student import write_learner_copies

ROOT = Path(__file__).resolve().parents[1]
DUMP = ROOT / "sources" / "000_4570511d4ad11a14.txt"
FEED = ROOT / "sources" / "003_de1538dbbdf76b2e.txt"
HAND_COUNT = json.loads((Path(__file__).parent / "data" / "seed_000_expected.json").read_text())
# The feed's four `highlight plaintext` blocks, labelled by hand: an ssh config,
# a crontab line, a directory tree and a requirements.txt listing.
PLAINTEXT_BY_HAND = "text"
READING = {
    "System Design Fundamentals: From Monolith to Microservices",
    "Hoppscotch: The Modern, Lightweight Alternative to Postman and Bruno",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "_config.yml", root)
    shutil.copy(ROOT / "pyproject.toml", root)  # the declared course environment (the `course` extra)
    shutil.copy(ROOT / "package.json", root)  # and its npm packages
    findings = ROOT / FINDINGS_FILE
    if findings.exists():  # what the last `course check` proved, as `course convert` sees it here
        shutil.copy(findings, root)
    report = convert([DUMP, FEED], layout=Layout(root))
    notebooks = {d.meta.title: jupytext.read(report.paths[d.meta.title]) for d in report.course.documents}
    return root, report, notebooks


def _code_cells(nb) -> list[tuple[str, str]]:
    """(language, code) of every code block in reading order, code cells and fences alike."""
    blocks = []
    for cell in nb.cells:
        runnable = cell.metadata.get("runnable", {})
        if "exercise" in cell.metadata:
            continue  # the Practice section is ours, not the tutorial's
        if cell.cell_type == "code" and runnable["status"] != "setup":
            # The tutorial's own code: before any recipe changed it, without %%writefile.
            source = cell.source.split("\n", 1)[1] if cell.source.startswith("%%") else cell.source
            original = runnable.get("original") or source
            blocks.append((runnable.get("language", "python"), original))
        elif cell.cell_type == "markdown" and "runnable" in cell.metadata:
            code = re.search(r"^(`{3,})\S*\n(.*)\n\1$", cell.source, re.S | re.M).group(2)
            blocks.append((cell.metadata["runnable"]["language"], code))
    return blocks


def _prose(nb) -> str:
    """The learner-visible text of the Markdown cells, without code, as plain text."""
    md = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown" and "runnable" not in c.metadata)
    text = BeautifulSoup(MarkdownIt("commonmark").enable("table").render(md), "html.parser").get_text(" ")
    return _norm(text)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def test_every_tutorial_has_a_notebook_and_non_tutorials_are_left_out(project) -> None:
    _root, report, notebooks = project
    assert not report.failures
    assert len(notebooks) == 25  # 23 with code + 2 reading chapters
    kinds = {d.meta.title: d.meta.kind for d in report.course.documents}
    assert {t for t, k in kinds.items() if k == "reading"} == READING
    assert [e.title for e in report.excluded] == ["Life Update #1"]
    for title, nb in notebooks.items():
        assert nb.cells[0].source.replace("\\", "") == f"# {title}"


def test_near_duplicate_flask_tutorials_are_flagged(project) -> None:
    _root, report, notebooks = project
    flagged = {d.meta.title for d in report.course.documents if d.meta.duplicates}
    assert flagged == {t for t in notebooks if t.startswith("Mastering Flask Blueprints")}
    assert len(flagged) == 2
    for title in flagged:
        assert "Near-duplicate" in notebooks[title].cells[1].source


def test_dump_code_blocks_lines_and_languages_against_hand_count(project) -> None:
    _root, _report, notebooks = project
    expected = [(a["title"], b) for a in HAND_COUNT["articles"] for b in a["code_blocks"]]
    found_blocks, right_language, code_lines, true_code_lines = 0, 0, 0, 0
    for article in HAND_COUNT["articles"]:
        blocks = _code_cells(notebooks[article["title"]])
        hand_lines = {line.strip() for b in article["code_blocks"] for line in _hand_block_lines(b)}
        for b in article["code_blocks"]:
            match = next((lang for lang, code in blocks if _holds(code, list(dict.fromkeys([b["first"], b["last"]])))), None)
            if match is None:
                print("\nnot found:", b["first"], "...", b["last"])
            found_blocks += match is not None
            right_language += match == b["language"]
        for _lang, code in blocks:
            lines = [line.strip() for line in code.splitlines() if line.strip()]
            code_lines += len(lines)
            true_code_lines += sum(line in hand_lines for line in lines)
    n = len(expected)
    print(f"\ndump: blocks {found_blocks}/{n}, languages {right_language}/{n}, code lines {true_code_lines}/{code_lines}")
    assert found_blocks / n >= 0.97
    assert right_language / n >= 0.95
    assert true_code_lines / code_lines >= 0.97


def _holds(code: str, original: list[str]) -> bool:
    """Every non-blank line of `original` is in `code`, in order (indentation may differ)."""
    lines = [line.strip() for line in code.splitlines()]
    position = 0
    for line in (line.strip() for line in original if line.strip()):
        try:
            position = lines.index(line, position) + 1
        except ValueError:
            return False
    return True


def _hand_block_lines(block: dict) -> list[str]:
    start, end = block["lines"]
    lines = DUMP.read_text(encoding="utf-8").splitlines()[start - 1 : end]
    return [re.sub(r"</?span[^>]*>", "", line) for line in lines]


def test_dump_prose_lines_are_all_present(project) -> None:
    _root, _report, notebooks = project
    lines = DUMP.read_text(encoding="utf-8").splitlines()
    in_code = {i for a in HAND_COUNT["articles"] for b in a["code_blocks"] for i in range(b["lines"][0], b["lines"][1] + 1)}
    titles = {a["title_line"] for a in HAND_COUNT["articles"]}
    skip = in_code | titles | set(HAND_COUNT["noise_lines"])
    prose = _norm(" ".join(_prose(nb) for nb in notebooks.values()))
    wanted = [_norm(re.sub(r"^\s*(•|\d+\.)\s+", "", line)) for n, line in enumerate(lines, 1) if line.strip() and n not in skip]
    present = sum(line in prose for line in wanted)
    print(f"\ndump prose lines present: {present}/{len(wanted)}")
    assert present / len(wanted) >= 0.98


def _feed_items() -> list[BeautifulSoup]:
    soup = BeautifulSoup(FEED.read_text(encoding="utf-8").lstrip(), "xml")
    return [(item.title.get_text(), BeautifulSoup(item.description.get_text(), "html.parser")) for item in soup.find_all("item")]


def test_feed_code_blocks_and_languages_match_the_feed_markup(project) -> None:
    _root, _report, notebooks = project
    total = found = right = 0
    for title, body in _feed_items():
        if title not in notebooks:
            continue
        blocks = _code_cells(notebooks[title])
        for pre in body.find_all("pre"):
            declared = pre["class"][-1]
            expected = PLAINTEXT_BY_HAND if declared == "plaintext" else declared
            code = pre.get_text().strip("\n")
            match = next((lang for lang, c in blocks if _holds(c, code.splitlines())), None)
            total += 1
            found += match is not None
            right += match == expected
    print(f"\nfeed: blocks {found}/{total}, languages {right}/{total}")
    assert total == 52 and found == total
    assert right / total >= 0.95


def test_feed_prose_is_all_present(project) -> None:
    _root, _report, notebooks = project
    wanted = []
    for title, body in _feed_items():
        if title in notebooks:
            prose = _prose(notebooks[title])
            for tag in body.find_all(["p", "h2", "h3", "h4", "td", "th", "li"]):
                if tag.name == "li" and tag.find(["ul", "ol", "pre"]):
                    continue
                wanted.append(_norm(tag.get_text(" ")) in prose)
    print(f"\nfeed prose blocks present: {sum(wanted)}/{len(wanted)}")
    assert sum(wanted) / len(wanted) >= 0.98


def test_no_html_tags_or_entities_leak_into_prose(project) -> None:
    _root, _report, notebooks = project
    for title, nb in notebooks.items():
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            text = re.sub(r"^(`{3,}).*?^\1$", "", cell.source, flags=re.S | re.M)  # fenced code
            text = re.sub(r"(`+).+?\1", "", text)  # code spans
            assert not re.search(r"(?<!\\)<[A-Za-z/!][^>]*>", text), (title, cell.source[:200])
            assert not re.search(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);", text), (title, cell.source[:200])


@pytest.fixture(scope="module")
def executed(project):
    """Every seed notebook run by `course check`: (results, executed notebooks)."""
    root, report, _notebooks = project
    notebooks = sorted(report.paths.values())
    options = CheckOptions(out_dir=root / "_build" / "executed", report=root / "_build" / "report.json",
                           jupyter_cache=None,  # not the repository's: tests run side by side
                           findings=root / FINDINGS_FILE,  # not the repository's findings.json
                           node_modules=ROOT / "node_modules")
    results = check(notebooks, options)
    return results, [nbformat.read(r.executed, as_version=4) for r in results]


def test_every_notebook_runs_without_unexpected_errors(executed) -> None:
    results, _notebooks = executed
    failures = [(r.notebook, r.error) for r in results if not r.ok]
    assert len(results) == 25 and not failures


def test_most_python_blocks_really_execute(executed) -> None:
    """A block counts when its cell ran without error, or, for a file it writes,
    when a later cell that ran without error imports it (or names the module)."""
    _results, notebooks = executed
    total = ran = 0
    for nb in notebooks:
        cells = [c for c in nb.cells if c.cell_type == "code" and "exercise" not in c.metadata
                 and c.metadata["runnable"].get("language", "python") == "python"]
        for index, cell in enumerate(cells):
            status = cell.metadata["runnable"]["status"]
            if status == "setup":
                continue
            total += 1
            if status in ("runs", "rewritten"):
                ran += _ran_cleanly(cell)
            elif status == "file" and _ran_cleanly(cell):
                module = _module(cell.metadata["runnable"]["file"])
                ran += any(_ran_cleanly(later) and module in later.source for later in cells[index + 1 :])
    print(f"\npython blocks executed: {ran}/{total} = {ran / total:.0%}")
    assert total == 45
    assert ran / total >= 0.70


def _ran_cleanly(cell) -> bool:
    return cell.execution_count is not None and not any(o.output_type == "error" for o in cell.outputs)


def _module(path: str) -> str:
    parts = Path(path).with_suffix("").parts
    parts = parts[len(parts) - parts[::-1].index("src"):] if "src" in parts else parts
    return ".".join(p for p in parts if p != "__init__")


# --- exercises (issue 4) -----------------------------------------------------------------------

CODE_KINDS = {"complete", "fix", "predict"}


def _exercise_kinds(nb) -> dict[str, str]:
    return {c.metadata["exercise"]: c.metadata["runnable"]["kind"] for c in nb.cells if "exercise" in c.metadata.get("tags", [])}


APPLY_KINDS = {"fix", "parsons", "complete", "predict", "query", "command"}


def test_exercises_apply_the_idea_where_the_tutorial_has_code(project) -> None:
    """Issue 10 asks for 5 per tutorial with code, 3 of them apply-kind; not reached yet on
    every seed (see the issue's notes). What holds now, and must not regress: recall kinds are
    gone, most notebooks have exercises, and apply-kind ones make up a good part of them."""
    _root, _report, notebooks = project
    kinds = [k for nb in notebooks.values() for k in _exercise_kinds(nb).values()]
    with_exercises = [t for t, nb in notebooks.items() if _exercise_kinds(nb)]
    assert len(with_exercises) >= len(notebooks) - 2, sorted(set(notebooks) - set(with_exercises))
    assert sum(k in APPLY_KINDS for k in kinds) >= 15, kinds
    for title, nb in notebooks.items():
        prompts = " ".join(c.source for c in nb.cells if c.cell_type == "markdown" and "exercise-start" in c.source)
        assert "Which section of the tutorial" not in prompts and "Fill in the blank" not in prompts, title


def test_every_tutorial_with_running_python_has_a_code_exercise(project) -> None:
    _root, _report, notebooks = project
    running = {"runs", "rewritten", "file"}
    for title, nb in notebooks.items():
        tutorial_cells = [c for c in nb.cells if c.cell_type == "code" and "exercise" not in c.metadata
                          and c.metadata["runnable"].get("language", "python") == "python"]
        if any(c.metadata["runnable"]["status"] in running for c in tutorial_cells):
            assert CODE_KINDS & set(_exercise_kinds(nb).values()), title


def test_notebooks_never_import_the_converter(project) -> None:
    _root, _report, notebooks = project
    for title, nb in notebooks.items():
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not re.search(r"^\s*(import|from)\s+converter\b", cell.source, re.M), title


def test_every_check_fails_with_its_starter_in_the_shipped_notebook(executed) -> None:
    _results, notebooks = executed
    checks = [c for nb in notebooks for c in nb.cells if "check" in c.metadata.get("tags", [])]
    assert len(checks) >= 75
    for cell in checks:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert [e.ename for e in errors] == ["NotYet"], cell.metadata["exercise"]  # one line, not a traceback
        assert len(errors[0].traceback) == 1 and errors[0].traceback[0].startswith("❌ "), cell.metadata["exercise"]


@pytest.fixture(scope="module")
def learner_copies(project, tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    """The seeds' learner copies, made with the findings.json of the repository (as the book's are)."""
    _root, report, _notebooks = project
    left_out = []
    copies = write_learner_copies(sorted(report.paths.values()), tmp_path_factory.mktemp("learner"),
                                  on_left_out=lambda path, labels: left_out.append((path.name, labels)))
    assert left_out == []  # check recorded every reference the copies need
    return {p.stem: nbformat.read(p, as_version=4) for p in copies}


def test_learner_copies_are_plain_and_hold_no_solution(project, learner_copies) -> None:
    from tests.test_learner_copies import myst_in

    _root, _report, notebooks = project
    solutions = [c.source for nb in notebooks.values() for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert len(learner_copies) == 25 and len(solutions) >= 75
    for stem, nb in learner_copies.items():
        text = nbformat.writes(nb)
        assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
        assert not [c for c in nb.cells if "answers" in c.metadata]  # correct variants, wrong answers
        assert "b64decode" not in text and not [s for s in solutions if s in text], stem
        assert [m for c in nb.cells if c.cell_type == "markdown" for m in myst_in(c.source)] == [], stem
        starters = [c for c in nb.cells if "exercise" in c.metadata.get("tags", [])]
        checks = [c for c in nb.cells if "check" in c.metadata.get("tags", [])]
        assert len(checks) == len(starters) and all(len(c.source.splitlines()) <= 3 for c in checks)


def _run_copies(copies: dict[str, nbformat.NotebookNode], folder: Path) -> dict[str, nbformat.NotebookNode]:
    """Run notebooks as `course check` does (in the sandbox, two at a time); the executed ones by name."""
    paths = []
    for stem, nb in copies.items():
        paths.append(folder / f"{stem}.md")
        paths[-1].parent.mkdir(parents=True, exist_ok=True)
        paths[-1].write_text(jupytext.writes(nb, fmt="md:myst"), encoding="utf-8")
    options = CheckOptions(out_dir=folder / "executed", report=folder / "report.json", jupyter_cache=None,
                           node_modules=ROOT / "node_modules")
    return {Path(r.notebook).stem: nbformat.read(r.executed, as_version=4) for r in check(paths, options)}


def _outcomes(nb: nbformat.NotebookNode) -> list[tuple[str, list[dict]]]:
    return [(c.source, [o for o in c.outputs if o.output_type == "error"]) for c in nb.cells if c.cell_type == "code"
            and ("check" in c.metadata.get("tags", []) or "raises-exception" not in c.metadata.get("tags", []))]


def test_learner_copies_run_top_to_bottom_and_their_solutions_pass(project, learner_copies, tmp_path: Path) -> None:
    _root, report, notebooks = project
    by_stem = {report.paths[title].stem: nb for title, nb in notebooks.items()}
    starters = _run_copies(learner_copies, tmp_path / "starters")
    solved = {}
    for stem, nb in learner_copies.items():
        answers = {c.metadata["exercise"]: c.source for c in by_stem[stem].cells if "solution" in c.metadata.get("tags", [])}
        solved[stem] = nbformat.reads(nbformat.writes(nb), as_version=4)
        for cell in solved[stem].cells:
            if "exercise" in cell.metadata.get("tags", []):
                cell.source = answers[cell.metadata["exercise"]]
    solutions = _run_copies(solved, tmp_path / "solutions")
    for stem in learner_copies:
        for source, errors in _outcomes(starters[stem]):
            if source.startswith(("check_exercise(", "await check_exercise(")):
                assert [(e.ename, len(e.traceback)) for e in errors] == [("NotYet", 1)], (stem, source)
            else:
                assert errors == [], (stem, source[:80], errors)  # the tutorial and course cells run as in the book
        for source, errors in _outcomes(solutions[stem]):
            assert errors == [], (stem, source[:80], [e.evalue for e in errors])
