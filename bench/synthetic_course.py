"""Benchmark: `course convert` on synthetic courses of N tutorials, in all four input formats.

Usage: .venv/bin/python bench/synthetic_course.py [--sizes 100 1000] [--seed 0]

For each size N the generator writes N tutorials of 10 code blocks each (Python
that runs, JavaScript, shell, SQL, output), spread over the four formats a user
gives: a quarter as Markdown files, a quarter as HTML pages, a quarter as items of
RSS feeds (50 per feed) and a quarter as articles of plain-text page dumps (25
per dump, code blocks unmarked, in the seed dump's layout). Topics, names and numbers vary with the seed, so
no two tutorials are the same (near-duplicate detection has real work).

Each size runs `course convert` once in a fresh process on an empty project and
reports wall time, time per tutorial, the peak memory of the process (ru_maxrss
of the child), and for two sizes the growth ratio. Targets (issue 13): 1,000
tutorials under 60 s, growing at most 11x from 100 to 1,000, peak memory under 1 GB.
Then it edits one tutorial (a Markdown source) and converts again in that project,
which takes the other tutorials from the convert cache (_build/.convert-cache).
"""

from __future__ import annotations

import argparse
import html
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TOPICS = ["caching", "queues", "logging", "retries", "pagination", "rate limits", "sessions", "uploads",
          "migrations", "indexes", "webhooks", "search", "metrics", "feature flags", "background jobs"]
STACKS = ["Python", "Flask", "FastAPI", "Node.js", "Express", "PostgreSQL", "SQLite", "Redis", "Go", "Ruby"]


def tutorial(n: int, rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """(title, [(kind, text)...]): prose paragraphs, headings and 10 code blocks."""
    topic, stack = rng.choice(TOPICS), rng.choice(STACKS)
    name = f"{rng.choice(['items', 'orders', 'users', 'events', 'jobs'])}_{n}"
    size = rng.randint(3, 9)
    title = f"{topic.title()} with {stack}, part {n}"
    parts: list[tuple[str, str]] = [
        ("p", f"This tutorial shows how to handle {topic} in a small {stack} service. "
              f"We build a list called {name} and work through it step by step."),
        ("h", "Getting started"),
        ("p", f"First we create the data: {size} numbers in a list."),
        ("python", f"{name} = list(range({size}))\nprint(len({name}))"),
        ("p", "The output is the length of the list:"),
        ("text", str(size)),
        ("python", f"def total(values):\n    result = 0\n    for value in values:\n        result += value\n    return result\n\nprint(total({name}))"),
        ("h", f"{topic.title()} in practice"),
        ("p", f"Install the tools first. {stack} makes {topic} simple once the basics are in place."),
        ("shell", f"pip install requests\ncurl -s http://localhost:{8000 + n % 1000}/health"),
        ("javascript", f"const {name} = [{', '.join(str(i) for i in range(size))}];\nconsole.log({name}.reduce((a, b) => a + b, 0));"),
        ("sql", f"CREATE TABLE {name} (id INTEGER PRIMARY KEY, price REAL);\nSELECT id, price FROM {name} WHERE price > {size} ORDER BY price DESC;"),
        ("python", f"squares = [value * value for value in {name}]\nprint(squares[-1])"),
        ("p", "A common mistake is to forget the conversion:"),
        ("python", f"count = int('{size}') + 1\nprint(count)"),
        ("python", f"import json\nprint(json.dumps({{'topic': '{topic}', 'size': {size}}}))"),
        ("python", f"for index, value in enumerate({name}[:3]):\n    print(index, value)"),
        ("h", "Key takeaways"),
        ("p", f"**{topic.title()}** is easier with small, tested steps; **{stack}** gives you the pieces."),
    ]
    return title, parts


def markdown(title: str, parts: list[tuple[str, str]]) -> str:
    out = [f"# {title}", ""]
    for kind, text in parts:
        out += [f"## {text}" if kind == "h" else text if kind == "p" else f"```{kind}\n{text}\n```", ""]
    return "\n".join(out)


def html_body(parts: list[tuple[str, str]]) -> str:
    out = []
    for kind, text in parts:
        if kind == "h":
            out.append(f"<h2>{html.escape(text)}</h2>")
        elif kind == "p":
            out.append(f"<p>{html.escape(text).replace('**', '')}</p>")
        else:
            out.append(f'<pre><code class="language-{kind}">{html.escape(text)}</code></pre>')
    return "\n".join(out)


def page(title: str, parts: list[tuple[str, str]]) -> str:
    return (f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>{html.escape(title)}</h1>\n{html_body(parts)}\n</article>"
            "<footer>© Example blog</footer></body></html>")


def feed(items: list[tuple[str, list[tuple[str, str]]]], n: int) -> str:
    entries = "".join(
        f"<item><title>{html.escape(t)}</title><link>https://example.org/{n}/{i}</link>"
        f"<description>{html.escape(html_body(p))}</description></item>"
        for i, (t, p) in enumerate(items))
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title>{entries}</channel></rss>'


def dump(items: list[tuple[str, list[tuple[str, str]]]]) -> str:
    """A plain-text dump of a tag page as a text browser renders it (the layout of the seed
    dump): each article a bullet, its text indented, code blocks unmarked."""
    out = ["Tag: backend development", ""]
    for title, parts in items:
        out += [f"  \u2022 {title}", ""]
        for kind, text in parts:
            if kind in ("p", "h"):
                out += [f"    {text.replace('**', '')}", ""]
            else:
                out += ["    ", *(f"    {line}" for line in text.splitlines()), " " * 16, ""]
    return "\n".join(out)


def write_course(folder: Path, size: int, seed: int) -> None:
    rng = random.Random(seed)
    tutorials = [tutorial(n, rng) for n in range(size)]
    quarter = max(1, size // 4)
    md, pages, feeds, dumps = (tutorials[:quarter], tutorials[quarter:2 * quarter],
                               tutorials[2 * quarter:3 * quarter], tutorials[3 * quarter:])
    sources = folder / "sources"
    sources.mkdir(parents=True)
    for n, (title, parts) in enumerate(md):
        (sources / f"md-{n}.md").write_text(markdown(title, parts), encoding="utf-8")
    for n, (title, parts) in enumerate(pages):
        (sources / f"page-{n}.html").write_text(page(title, parts), encoding="utf-8")
    for n in range(0, len(feeds), 50):
        (sources / f"feed-{n}.xml").write_text(feed(feeds[n:n + 50], n), encoding="utf-8")
    for n in range(0, len(dumps), 25):
        (sources / f"dump-{n}.txt").write_text(dump(dumps[n:n + 25]), encoding="utf-8")


def one_run(size: int, seed: int) -> tuple[float, int, str, float]:
    """(seconds, peak memory in bytes, the summary line) of one convert of a fresh course, and
    the seconds of converting it again after editing one tutorial."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("_config.yml", "pyproject.toml"):
            shutil.copy(ROOT / name, tmp)
        write_course(Path(tmp), size, seed)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        seconds, done = _convert(Path(tmp))
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        summary = next((line for line in reversed(done.splitlines()) if " notebooks (" in line), "")
        edited = Path(tmp) / "sources" / "md-0.md"
        edited.write_text(edited.read_text(encoding="utf-8").replace("\n\n", "\n\nEdited once more.\n\n", 1), encoding="utf-8")
        again, _ = _convert(Path(tmp))
        # ru_maxrss of children is the largest child so far (kilobytes on Linux): fresh per size only
        # when sizes grow, which they do here (sorted).
        return seconds, max(peak, before) * 1024, summary, again


def _convert(project: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "converter", "--root", str(project), "convert", str(project / "sources")],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-2000:])
    return seconds, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results = {}
    for size in sorted(args.sizes):
        seconds, peak, summary, again = one_run(size, args.seed)
        results[size] = seconds
        print(f"{size:>5} tutorials: {seconds:7.1f} s, {seconds / size * 1000:5.0f} ms per tutorial, "
              f"peak memory {peak / 2**20:6.0f} MiB  ({summary})")
        print(f"{'':>5}            again after editing one tutorial: {again:5.1f} s")
    if len(results) >= 2:
        small, large = min(results), max(results)
        print(f"growth {small} -> {large} tutorials: {results[large] / results[small]:.1f}x "
              f"(linear: {large / small:.0f}x)")


if __name__ == "__main__":
    main()
