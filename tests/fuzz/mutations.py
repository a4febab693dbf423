"""Seeded, deterministic mutations of converter inputs, for the fuzz test and the campaign.

A mutator is a pure function (random.Random, bytes) -> bytes. `mutants` draws a
base (a golden input, a slice of a real seed, or a small generated document) and
applies one to three mutators to it. Case i depends only on the seed, i and the
corpus, so any finding can be regenerated on its own.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_BASE = 8_000  # bytes kept of a large base: each case stays small and fast

Mutator = Callable[[random.Random, bytes], bytes]


def corpus(root: Path = ROOT) -> list[tuple[str, bytes]]:
    """The golden inputs under tests/cases/ (not their expected outputs) and the real seeds, by path from root."""
    cases = (root / "tests" / "cases").rglob("*")
    golden = sorted(p for p in cases if p.is_file() and not p.name.endswith(".expected.md"))
    seeds = sorted((root / "sources").glob("*.txt"))
    return [(p.relative_to(root).as_posix(), p.read_bytes()) for p in golden + seeds]


# ------------------------------------------------------------------ hostile dictionary


# A script that, if it ever ran in a built page, marks it (tests/test_hostile_site.py `_pwned`).
PAYLOAD = "document.documentElement.dataset.pwned=/fuzz/.source"


def _deep_divs(rng: random.Random) -> str:
    depth = rng.randint(1000, 3000)
    return "<div>" * depth + "deep" + "</div>" * depth


# What has broken converters before: characters the page must not carry, markup and
# MyST syntax that must stay text, URLs that fail to parse, sizes that blow up parsers.
TOKENS: tuple[str | Callable[[random.Random], str], ...] = (
    "\x01", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\u202e", "\u200b",
    "\\ud83d", '"\\ud83d"', '{"title": "\\udc00"}', "&#x01;", "&#1;", "&#xD800;", "&#x2028;", "&#133;",
    "<embed src=x>", "<![CDATA[", "]]>", "<dc:creator>Eve</dc:creator>", "<media:title>m</media:title>",
    "http://[x", '<a href="http://[x">broken</a>', "[broken](http://[x)", '<img src="http://[x">',
    "````", f"\n```{{raw}} html\n<script>{PAYLOAD}</script>\n```\n", "{download}`x </etc/passwd>`",
    "\n```{literalinclude} /etc/passwd\n```\n", "{eval-rst}`x`", "\n:::{include} /etc/passwd\n:::\n",
    f"<img src=x onerror={PAYLOAD}>", f"<script>{PAYLOAD}</script>", f'<a href="javascript:{PAYLOAD}">j</a>',
    f"[j](javascript:{PAYLOAD})", f"<svg onload={PAYLOAD}>", "[/]", "[bold red]x[/]", "&a [*b,*b]", "{{ x }}",
    "(label)=", "\n+++\n", "\n---\n", "\n% comment\n", "$x$",
    lambda rng: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(300, 1200))),
    lambda rng: "word " * rng.randint(10_000, 12_000),
    _deep_divs,
    lambda rng: "> " * rng.randint(500, 2000) + "quoted\n",
    lambda rng: "".join("  " * k + "- item\n" for k in range(rng.randint(100, 400))),
    lambda rng: rng.choice("[*_`<") * rng.randint(2000, 6000),
)

TITLES = (
    "a/b", "../../etc/passwd", "..", ".", "/", "x" * 300, "Python " * 60, "[/]", "[bold]t[/bold] [/]",
    "CON", "t\x7fx", "\u202eevil", "   ", "-", "#", "a\\b", "ti\x0ctle", "\u2028line", "&#x01;", "Title: with: colons",
    "🐍" * 90, f"<script>{PAYLOAD}</script>", "{download}`t </etc/passwd>`",
)

FRONT_MATTER = (
    'title: "Lone \\ud83d surrogate"', 'title: "controls \\x01 \\x0c \\u2028 \\x85"', "title: [/]",
    'title: "[bold]x[/]"', "tags: &a [*b, *b]", 'title: !!python/object/apply:os.system ["echo x"]',
    "date: 99999-99-99", "title: " + "x" * 300, 'title: "a/../../b"', "author: {name: {name: {name: x}}}",
    'tags: "{download}`x </etc/passwd>`"', f'canonical_url: "javascript:{PAYLOAD}"', 'canonical_url: "http://[x"',
    'author: "\\udc00"', "tags: [python, \x0c]",
)


def _alias_bomb(rng: random.Random) -> str:
    """Billion-laughs YAML: cheap to load, each level multiplies what walking it costs."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, rng.randint(4, 9)):
        lines.append(f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + f"\ntags: *l{len(lines) - 1}"


def token(rng: random.Random) -> bytes:
    choice = rng.choice(TOKENS)
    return (choice(rng) if callable(choice) else choice).encode("utf-8")


# ------------------------------------------------------------------ positions


_BOUNDARY = re.compile(rb"\n|(?<=>)|(?=<)")


def _position(rng: random.Random, data: bytes) -> int:
    """A line or tag boundary half the time (tokens land in text), else any character start."""
    if rng.random() < 0.5:
        cuts = [m.start() for m in _BOUNDARY.finditer(data)]
        if cuts:
            return rng.choice(cuts)
    pos = rng.randrange(len(data) + 1)
    while pos < len(data) and data[pos] & 0xC0 == 0x80:  # not inside a UTF-8 character
        pos += 1
    return pos


def _span(rng: random.Random, data: bytes) -> tuple[int, int]:
    start = _position(rng, data)
    end = _position(rng, data)
    start, end = sorted((start, end))
    return start, min(end, start + rng.choice((16, 128, 1024)))


# ------------------------------------------------------------------ mutators


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8) if out else 0):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def delete_slice(rng: random.Random, data: bytes) -> bytes:
    start, end = _span(rng, data)
    return data[:start] + data[end:]


def duplicate_slice(rng: random.Random, data: bytes) -> bytes:
    start, end = _span(rng, data)
    return data[:end] + data[start:end] + data[end:]


def insert_token(rng: random.Random, data: bytes) -> bytes:
    pos = _position(rng, data)
    return data[:pos] + token(rng) + data[pos:]


def mix_line_endings(rng: random.Random, data: bytes) -> bytes:
    first, *rest = data.split(b"\n")
    return first + b"".join(rng.choice((b"\n", b"\r\n", b"\r")) + line for line in rest)


def add_bom(rng: random.Random, data: bytes) -> bytes:
    pos = 0 if rng.random() < 0.5 else _position(rng, data)
    return data[:pos] + b"\xef\xbb\xbf" * rng.randint(1, 2) + data[pos:]


_TITLE_SPOTS = (
    re.compile(rb"<title[^>]*>(.*?)</title>", re.S), re.compile(rb"<h1[^>]*>(.*?)</h1>", re.S),
    re.compile(rb"^#[ \t]+(.*)$", re.M), re.compile(rb"^title:[ \t]*(.*)$", re.M),
    re.compile(rb"^[ \t]*\xe2\x80\xa2[ \t]+(.*)$", re.M),
)


def hostile_title(rng: random.Random, data: bytes) -> bytes:
    """Replace a title (feed item, page, heading, front matter, dump bullet) with a hostile one."""
    title = rng.choice(TITLES).encode("utf-8")
    spots = [m.span(1) for pattern in _TITLE_SPOTS for m in pattern.finditer(data)]
    if not spots:
        return title + b"\n\n" + data
    start, end = rng.choice(spots)
    return data[:start] + title + data[end:]


def front_matter(rng: random.Random, data: bytes) -> bytes:
    """Hostile YAML front matter lines, in the existing front matter or a new one."""
    lines = [_alias_bomb(rng) if rng.random() < 0.15 else rng.choice(FRONT_MATTER) for _ in range(rng.randint(1, 3))]
    block = "\n".join(lines).encode("utf-8") + b"\n"
    if data.startswith(b"---\n"):
        return b"---\n" + block + data[4:]
    return b"---\n" + block + b"---\n" + data


def splicer(donors: Sequence[bytes]) -> Mutator:
    """Token splice: a slice of another corpus file, cut and inserted at line/tag boundaries mostly."""
    def splice(rng: random.Random, data: bytes) -> bytes:
        donor = rng.choice(donors)
        start, end = _span(rng, donor)
        pos = _position(rng, data)
        return data[:pos] + donor[start:end] + data[pos:]
    return splice


MUTATORS: tuple[tuple[Mutator, int], ...] = (  # (mutator, weight)
    (truncate, 2), (flip_bytes, 1), (delete_slice, 2), (duplicate_slice, 2), (insert_token, 8),
    (mix_line_endings, 1), (add_bom, 1), (hostile_title, 3), (front_matter, 2),
)


# ------------------------------------------------------------------ generated documents


WORDS = (
    "python list value returns the a loop function data query async server request file "
    "dictionary class object module test import database cache user token stream error"
).split()
CODE = {
    "python": ("print(sum([1, 2, 3]))", "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
               "items = {'a': 1}\nfor key, value in items.items():\n    print(key, value)"),
    "sql": ("SELECT name FROM users WHERE id = 1;", "CREATE TABLE t (id INTEGER PRIMARY KEY);"),
    "javascript": ("console.log([1, 2].map(x => x * 2));",),
    "bash": ("pip install requests", "echo hello"),
}


def _text(rng: random.Random, hostile: float = 0.25) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]
    if rng.random() < hostile:
        words.insert(rng.randrange(len(words) + 1), token(rng).decode("utf-8"))
    return " ".join(words).capitalize() + "."


def _blocks(rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, text, language) blocks: headings, paragraphs, list items, code."""
    blocks = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.choice(("h", "p", "p", "li", "code", "code"))
        if kind == "code":
            language = rng.choice(tuple(CODE))
            code = rng.choice(CODE[language])
            blocks.append(("code", code + (token(rng).decode("utf-8") if rng.random() < 0.2 else ""), language))
        else:
            blocks.append((kind, _text(rng).rstrip(".") if kind == "h" else _text(rng), ""))
    return blocks


def _html_body(rng: random.Random, blocks: list[tuple[str, str, str]]) -> str:
    raw = rng.random() < 0.5  # hostile text as live markup, or escaped as a careful CMS would
    out = []
    for kind, text, language in blocks:
        text = text if raw else html.escape(text)
        if kind == "code":
            out.append(f'<pre><code class="language-{language}">{html.escape(text)}</code></pre>')
        else:
            out.append({"h": "<h2>{}</h2>", "p": "<p>{}</p>", "li": "<ul><li>{}</li></ul>"}[kind].format(text))
    return "\n".join(out)


def _markdown(rng: random.Random, title: str, blocks: list[tuple[str, str, str]]) -> str:
    out = [f"---\ntitle: {title!r}\ntags: [python]\n---\n"] if rng.random() < 0.4 else []
    out.append(f"# {title}\n")
    for kind, text, language in blocks:
        out.append({"h": f"## {text}\n", "p": f"{text}\n", "li": f"- {text}\n",
                    "code": f"```{language}\n{text}\n```\n"}[kind])
    return "\n".join(out)


def _dump(rng: random.Random, title: str, blocks: list[tuple[str, str, str]]) -> str:
    out = ["Tag: python", "", f"  • {title}", ""]
    for kind, text, _ in blocks:
        prefix = "    • " if kind == "li" else "    "
        out += [prefix + line for line in text.split("\n")] + [""]
    return "\n".join(out)


def _rss(rng: random.Random, title: str, blocks: list[tuple[str, str, str]]) -> str:
    body = _html_body(rng, blocks)
    body = f"<![CDATA[{body}]]>" if rng.random() < 0.3 else html.escape(body)
    namespaces = ' xmlns:dc="http://purl.org/dc/elements/1.1/"' if rng.random() < 0.7 else ""
    return (f'<?xml version="1.0"?>\n<rss version="2.0"{namespaces}><channel><title>Feed</title>\n'
            f"<item><title>{html.escape(title)}</title><link>https://example.com/{rng.randrange(99)}</link>"
            f"<dc:creator>Ann</dc:creator><description>{body}</description></item>\n</channel></rss>\n")


def _atom(rng: random.Random, title: str, blocks: list[tuple[str, str, str]]) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>\n'
            f'<entry><title>{html.escape(title)}</title><link href="https://example.com/a"/><id>urn:x:1</id>'
            f'<content type="html">{html.escape(_html_body(rng, blocks))}</content></entry>\n</feed>\n')


def _page(rng: random.Random, title: str, blocks: list[tuple[str, str, str]]) -> str:
    return (f"<!DOCTYPE html>\n<html><head><title>{title}</title></head><body><article>\n"
            f"<h1>{title}</h1>\n{_html_body(rng, blocks)}\n</article></body></html>\n")


GRAMMARS = {".md": _markdown, ".txt": _dump, ".xml": _rss, ".atom": _atom, ".html": _page}


def generate(rng: random.Random) -> tuple[str, bytes]:
    """A small random document in one of the input formats, with code blocks."""
    suffix = rng.choice(tuple(GRAMMARS))
    title = "Python " + _text(rng, hostile=0.15).rstrip(".")
    return f"generated{suffix}", GRAMMARS[suffix](rng, title, _blocks(rng)).encode("utf-8")


# ------------------------------------------------------------------ cases


def _small(rng: random.Random, data: bytes) -> bytes:
    """A large base (a real seed) cut to a few kB, preferably from an article's title bullet."""
    if len(data) <= MAX_BASE:
        return data
    starts = [m.start() for m in re.finditer(rb"^[ \t]*\xe2\x80\xa2 ", data, re.M)] or [0]
    start = rng.choice(starts)
    cut = start + rng.randint(1_000, MAX_BASE)
    end = data.find(b"\n", cut, cut + 200)  # at a line end if one is near
    return data[start:end if end > 0 else cut]


def mutants(corpus: list[tuple[str, bytes]], n: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """n cases (file name with the suffix that picks the reader, content), the same for the same seed and corpus."""
    donors = [_small(random.Random(f"{seed}:donor:{i}"), data) for i, (_, data) in enumerate(corpus)]
    mutators, weights = zip(*MUTATORS, (splicer(donors), 3))
    for i in range(n):
        rng = random.Random(f"{seed}:{i}")
        if rng.random() < 0.2:
            name, data = generate(rng)
            kinds, rounds = ["generated"], rng.choice((0, 1, 2))
        else:
            name, data = rng.choice(corpus)
            data, kinds, rounds = _small(rng, data), [], rng.choice((1, 1, 1, 2, 2, 3))
        for mutator in rng.choices(mutators, weights, k=rounds):
            data = mutator(rng, data)
            kinds.append(mutator.__name__)
        suffix = Path(name).suffix
        if rng.random() < 0.05:  # the suffix only matters for Markdown: swap it in or out
            suffix = ".txt" if suffix == ".md" else ".md"
        yield f"{i:05d}-{Path(name).stem[:24]}-{'+'.join(kinds)}{suffix}", data
