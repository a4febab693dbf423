"""Fuzz campaign: the checks of tests/test_fuzz.py on many more mutants, and optionally a built site.

Usage: .venv/bin/python bench/fuzz_campaign.py [--cases 10000] [--seed 0] [--jobs 2] [--site N]

Each mutant (tests/fuzz/mutations.py) is converted in a fresh temporary project,
in a forked child with a wall-clock and memory budget (tests/fuzz/safety.py).
Writes _build/fuzz/summary.json and keeps every input with a finding in
_build/fuzz/findings/ beside a .txt naming the problems, ready to become a test case.
--site N also converts N mutants that converted into one project, builds it with
jupyter-book and checks the HTML the way tests/test_hostile_site.py does: no active
markup beyond the theme's, no local file content, no payload running in headless Chromium.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from functools import partial
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from converter.convert import Layout, convert  # noqa: E402
from converter.publish import publish  # noqa: E402
from tests.fuzz.mutations import corpus, mutants  # noqa: E402
from tests.fuzz.safety import SECONDS, Finding, Outcome, run_case, warm  # noqa: E402

OUT = ROOT / "_build" / "fuzz"


def _run(case: tuple[str, bytes], seconds: float) -> tuple[str, bytes, Outcome]:
    name, data = case
    return name, data, run_case(name, data, seconds=seconds)


def signature(finding: Finding) -> str:
    """A defect class: the finding without the file names, quoted values and numbers that vary."""
    detail = re.sub(r"book/(?!index\.md)[^:]+\.md", "book/<page>.md", finding.detail)
    detail = re.sub(r"\S*\d{5}-[^\s:]+", "<file>", detail)
    detail = re.sub(r"'[^']*'|\"[^\"]*\"|(?<![\w+#])\d+\b", "…", detail)
    return f"{finding.kind}: {detail[:110]}"


def save_finding(folder: Path, name: str, data: bytes, findings: list[Finding]) -> None:
    (folder / name).write_bytes(data)
    text = "\n\n".join(f"{f.kind}: {f.detail}" + (f"\n{f.trace}" if f.trace else "") for f in findings)
    (folder / f"{name}.txt").write_text(text + "\n", encoding="utf-8")


def campaign(cases: int, seed: int, jobs: int, seconds: float, keep: int) -> tuple[dict, list[tuple[str, bytes]]]:
    """Run the cases; the summary, and the first `keep` inputs that converted cleanly into tutorial pages."""
    findings_dir = OUT / "findings"
    shutil.rmtree(findings_dir, ignore_errors=True)
    findings_dir.mkdir(parents=True)
    warm()  # in the parent: the pool's forked workers inherit it
    kinds, classes, examples = Counter(), Counter(), {}
    times, converted, with_findings, reported = [], [], 0, 0
    start = time.perf_counter()
    with get_context("fork").Pool(jobs) as pool:
        work = partial(_run, seconds=seconds)
        for name, data, outcome in pool.imap_unordered(work, mutants(corpus(), cases, seed), chunksize=4):
            times.append((outcome.seconds, name))
            reported += outcome.over_budget_reported
            for kind in {f.kind for f in outcome.findings}:
                kinds[kind] += 1
            for sig in {signature(f) for f in outcome.findings}:
                classes[sig] += 1
                examples.setdefault(sig, name)
            if outcome.findings:
                with_findings += 1
                save_finding(findings_dir, name, data, outcome.findings)
            elif keep and any(p.parent.name != "book" for p in outcome.pages):  # wrote a tutorial page
                converted = sorted([*converted, (name, data)])[:keep]  # the first by case number: reproducible
    total = time.perf_counter() - start
    seconds_each = sorted(t for t, _ in times)
    summary = {
        "cases": cases, "seed": seed, "jobs": jobs, "budget_seconds": seconds,
        "cases_with_findings": with_findings,
        "tracebacks": kinds["traceback"],
        "reader_bugs": kinds["reader-bug"],
        "failures_with_bad_message": kinds["failure-message"],
        "over_budget": kinds["over-budget"],
        "over_budget_reported": reported,
        "crashes": kinds["crash"],
        "check_crashes": kinds["check-crash"],
        "checker_errors": kinds["checker-error"],
        "page_problems": {k.removeprefix("page:"): n for k, n in sorted(kinds.items()) if k.startswith("page:")},
        "classes": [{"class": sig, "cases": n, "example": examples[sig]} for sig, n in classes.most_common()],
        "timing": {
            "total": round(total, 2),
            "median": round(statistics.median(seconds_each), 3),
            "p99": round(seconds_each[min(len(seconds_each) - 1, int(len(seconds_each) * 0.99))], 3),
            "max": round(seconds_each[-1], 3),
            "slowest": [name for _, name in sorted(times)[-5:][::-1]],
        },
    }
    return summary, converted


# ------------------------------------------------------------------ the site


def site(sources: list[tuple[str, bytes]], run_check: bool = False) -> dict:
    """Convert the sources into one project, build it, and check the HTML as test_hostile_site does."""
    # The hostile site test's helpers (that module imports pytest: loaded only for --site).
    from tests.test_hostile_site import CONTROL, _active, _build

    with tempfile.TemporaryDirectory(prefix="fuzz-site-") as tmp:
        folder = Path(tmp)
        (folder / "control.md").write_text(CONTROL, encoding="utf-8")
        control = _build(folder / "control", [folder / "control.md"])
        allowed = _any_folder(set().union(*(_active(p, control.html) for p in control.pages())))
        # Set up as _build does (execution off, the marker file beside the book), but here a
        # refused source or a build warning is reported, not asserted.
        root = folder / "project"
        shutil.copytree(control.root, root, ignore=shutil.ignore_patterns("_build", "book", "_toc.yml"))
        (folder / "sources").mkdir()
        for name, data in sources:
            (folder / "sources" / name).write_bytes(data)
        with warnings.catch_warnings():  # parser warnings (bs4's) are not what this reports
            warnings.simplefilter("ignore")
            report = convert(sorted((folder / "sources").iterdir()), layout=Layout(root))
        checked = _check(root) if run_check else {}
        build = publish(root, strict=True)
        html = root / "_build" / "html"
        # lite/ is the JupyterLite app, the same in every build (the tutorials are files there).
        pages = sorted(p for p in html.rglob("*.html") if not {"_static", "lite"} & set(p.relative_to(html).parts))
        active = {p.relative_to(html).as_posix(): sorted(map(str, _any_folder(_active(p, html)) - allowed))
                  for p in pages}
        log = (build.stdout + build.stderr).splitlines()
        return {
            "sources": len(sources), "failures": [str(e) for e in report.failures], "pages": len(pages),
            "build_returncode": build.returncode,
            "build_warnings": [line for line in log if "WARNING" in line or "ERROR" in line][:50],
            "active_markup": {page: found for page, found in active.items() if found},
            "local_files": _local_files(html, control.marker),
            **_browser(pages, html, folder),
            **checked,
        }


def _check(root: Path) -> dict:
    """`course check` on every converted page, in the sandbox: each gets a verdict, none crashes it."""
    from converter.execute import CheckOptions, check

    notebooks = sorted(p for p in (root / "book").rglob("*.md") if p.name != "index.md")
    options = CheckOptions(out_dir=root / "_build" / "executed", report=root / "_build" / "report.json",
                           jupyter_cache=None, cell_timeout=20, notebook_timeout=120, jobs=2)
    try:
        results = check(notebooks, options)
    except Exception as err:  # what the campaign looks for: check crashing on converted text
        return {"check_notebooks": len(notebooks), "check_crash": f"{type(err).__name__}: {err}"}
    return {"check_notebooks": len(notebooks), "check_verdicts": len(results), "check_crash": "",
            "check_ok": sum(r.ok for r in results)}


def _local_files(html: Path, marker: str) -> list[str]:
    """Files of the site that are, or hold, /etc/passwd or the marker file beside the book."""
    from tests.test_hostile_site import MARKER_FILE, PASSWD_LINE

    found = []
    for path in sorted(p for p in html.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.name in ("passwd", MARKER_FILE) or PASSWD_LINE.search(data) or marker.encode() in data:
            found.append(path.relative_to(html).as_posix())
    return found


def _browser(pages: list[Path], html: Path, folder: Path) -> dict:
    """Load every page (and a search) in headless Chromium: any sign that a payload ran."""
    from tests.test_hostile_site import CHROMIUM, _dump_dom, _pwned

    if not CHROMIUM:
        return {"chromium_pages": 0, "payloads_ran": "chromium not installed"}
    urls = [p.as_uri() for p in pages] + [(html / "search.html").as_uri() + "?q=python"]
    ran = {}
    for n, url in enumerate(urls):
        try:
            signs = _pwned(_dump_dom(url, folder / f"profile-{n}"))
        except (AssertionError, OSError, subprocess.SubprocessError) as err:  # _dump_dom asserts a DOM came back
            signs = [f"chromium failed: {str(err)[:200]}"]
        if signs:
            ran[url.removeprefix(html.as_uri())] = signs
    return {"chromium_pages": len(urls), "payloads_ran": ran}


def _any_folder(found: set[tuple]) -> set[tuple]:
    """The theme's thebe config names the page's chapter folder; the control page sits in one chapter."""
    return {tuple(re.sub(r'path: "\./book/[\w-]+"', 'path: "<folder>"', x) if isinstance(x, str) else x for x in sig)
            for sig in found}


# ------------------------------------------------------------------ report


def show(summary: dict) -> None:
    timing = summary["timing"]
    print(f"fuzz campaign: {summary['cases']} cases, seed {summary['seed']}, {summary['jobs']} jobs, "
          f"{timing['total']:.1f} s (per case median {timing['median']:.3f} s, p99 {timing['p99']:.3f} s, "
          f"max {timing['max']:.2f} s)")
    print(f"cases with findings: {summary['cases_with_findings']}   tracebacks: {summary['tracebacks']}   "
          f"reader bugs: {summary['reader_bugs']}   bad failure messages: {summary['failures_with_bad_message']}")
    print(f"over budget, unreported: {summary['over_budget']} (stopped by the converter's budget and "
          f"reported: {summary['over_budget_reported']})   crashes: {summary['crashes']}   check crashes: {summary['check_crashes']}   "
          f"checker errors: {summary['checker_errors']}   page problems: {summary['page_problems'] or 'none'}")
    if summary["classes"]:
        print("defect classes (cases, example):")
        for entry in summary["classes"][:12]:
            print(f"  {entry['cases']:5d}  {entry['class']}\n         {entry['example']}")
        print(f"inputs and problems: {OUT.relative_to(ROOT)}/findings/")
    if "site" in summary:
        s = summary["site"]
        print(f"site: {s['sources']} sources, {s['pages']} pages, build exit {s['build_returncode']}, "
              f"{len(s['build_warnings'])} warnings, active markup on {len(s['active_markup'])} pages, "
              f"local files {len(s['local_files'])}, payloads ran on {s['chromium_pages']} pages in Chromium: "
              f"{s['payloads_ran'] or 'none'}")
        if "check_notebooks" in s:
            print(f"check: {s['check_notebooks']} notebooks, {s.get('check_verdicts', 0)} verdicts "
                  f"({s.get('check_ok', 0)} ok), crash: {s['check_crash'] or 'none'}")
    print(f"summary: {OUT.relative_to(ROOT)}/summary.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--budget", type=float, default=SECONDS, help="wall-clock seconds per case")
    parser.add_argument("--site", type=int, default=0, metavar="N", help="build a site from N converted mutants")
    parser.add_argument("--check", action="store_true", help="also run `course check` (sandbox) on the site's notebooks")
    args = parser.parse_args()
    summary, converted = campaign(args.cases, args.seed, args.jobs, args.budget, keep=args.site)
    if args.site:
        summary["site"] = site(converted, run_check=args.check)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    show(summary)


if __name__ == "__main__":
    main()
