"""HTML fragment -> document blocks, shared by the HTML, feed and Markdown readers.

Web HTML is walked in reading order. Inline content becomes CommonMark via
`escape()` / `code_span()`; `<pre>` becomes a verbatim `CodeBlock` whose
`declared` field holds the raw language named by the highlighter's classes.

List items are CommonMark strings that stand on their own, as if the item's
content started at column 0: a nested list follows the item's text on the
next line ("Parent\n- child"), deeper levels are indented under their own
markers, and the writer indents continuation lines by its marker's width.
Code inside list items and quotes is hoisted to a `CodeBlock` right after
the list/quote, so code stays code.
"""

from __future__ import annotations

import email.utils
import re
import warnings
from dataclasses import dataclass, field, replace
from datetime import datetime
from collections.abc import Iterable, Iterator

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import PageElement, PreformattedString

from converter.document import (
    Block,
    CodeBlock,
    Heading,
    Image,
    ListBlock,
    Paragraph,
    Quote,
    Rule,
    Table,
)
from converter.commonmark import render
from converter.languages import ALIASES
from converter.errors import describe
from converter.myst_escape import code_span, escape, escape_line_start, escape_mid_line, link_target

# Hard line break placeholder inside inline text until `inline_paragraphs`
# decides where breaks and paragraph splits go (<br><br> = new paragraph).
BR = "\x00"

_WS = re.compile(r"\s+")
_SPACES = re.compile(r" {2,}")
_HEADINGS = {f"h{n}" for n in range(1, 7)}
_BLOCK_TAGS = _HEADINGS | {
    "p", "div", "pre", "ul", "ol", "li", "table", "blockquote", "hr", "figure",
    "figcaption", "section", "article", "main", "header", "footer", "aside",
    "nav", "details", "summary", "dl", "dt", "dd", "center", "address",
    "fieldset", "hgroup", "form",
}
PRE_CODE = frozenset({"pre", "code"})
"""The tags that hold code: what lies inside them is never page chrome or prose."""
_PAGE_CONTENT = frozenset({"pre", "article", "h2", "h3"})
_SECTION_CONTENT = frozenset({"pre", "table", "h1", "h2", "h3"})
_DROP_TAGS = {
    "script", "style", "noscript", "iframe", "svg", "form", "button", "input",
    "select", "textarea", "template", "object", "embed", "canvas", "video",
    "audio", "head", "link", "meta", "math", "dialog",
}
# Copy buttons and dev.to's "Enter fullscreen mode / Exit fullscreen mode"
# panel (div.highlight__panel.js-actions-panel) sit next to every code block.
_WIDGET_CLASS = re.compile(
    r"highlight__panel|actions-panel|(^|[-_])toolbar$|copy|clipboard|fullscreen", re.I
)
_WIDGET_TEXT = {
    "enter fullscreen mode exit fullscreen mode", "copy", "copy code",
    "copied!", "copy to clipboard",
}
# Heading permalinks: dev.to `a.anchor` (empty), Sphinx `a.headerlink` (¶), ...
_ANCHOR_CLASSES = {
    "anchor", "headerlink", "anchor-link", "heading-anchor", "header-anchor",
    "hash-link", "anchorjs-link", "permalink", "heading-link",
}
_ANCHOR_TEXT = {"", "#", "¶", "§", "🔗"}
# Line-number gutters inside <pre>: Chroma span.ln/.lnt, Pygments
# span.linenos, Prism span.line-numbers-rows.
_LINENO_CLASSES = {"ln", "lnt", "linenos", "lineno", "line-numbers-rows", "gutter", "rouge-gutter"}
# One element per line and no newline characters (CodeMirror, some React
# highlighters): lines must be joined explicitly.
_LINE_CLASSES = {"line", "token-line", "code-line", "cm-line", "ace_line", "view-line"}
_LANG_PREFIX = re.compile(r"^(?:language|lang|highlight-source|highlight|hl)-(.+)$", re.I)
# Jupyter's output areas (JupyterLab's nbconvert and the classic one): what a cell printed,
# never code to run, whatever it looks like (a repr, a traceback).
_OUTPUT_AREA = {"jp-OutputArea-output", "output_area", "output_subarea", "output_text", "output_stream",
                "output_error", "output_result"}
_BRUSH = re.compile(r"brush:\s*([\w#+.-]+)", re.I)
# Classes that mark "the next class is the language" (dev.to/Rouge
# `highlight python`, pandoc `sourceCode python`, highlight.js `python hljs`).
_LANG_MARKERS = {"highlight", "sourcecode", "hljs"}
_NOT_LANGS = _LANG_MARKERS | {
    "js-code-highlight", "notranslate", "chroma", "codehilite", "code",
    "line-numbers", "linenums", "prettyprint", "numbersource", "wrap", "nowrap",
    "highlighter-rouge", "shiki", "tab-size", "literal-block",
}
# Bare class names that are words of page markup more often than languages.
_BARE_NOT_LANGS = {"config", "conf", "rest", "raw", "term", "command", "block", "tree", "cli", "react"}
_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-srcset")


@dataclass
class _Context:
    base_url: str
    notes: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)


def blocks_from_html(
    fragment: str | Tag, *, base_url: str = "", normalize: bool = True
) -> tuple[list[Block], list[str]]:
    """Turn an HTML fragment (or an already parsed element) into blocks and notes.

    `normalize=False` keeps tag levels, for HTML embedded in a larger document.
    """
    ctx = _Context(base_url)
    if isinstance(fragment, str):
        soup, notes = parse_html(fragment.replace(BR, ""))
        ctx.notes += notes
        root: Tag = soup.body or soup
    else:
        root = fragment
    keep_embed_fallbacks(root)
    blocks = _walk(root, ctx)
    return (normalize_headings(blocks) if normalize else blocks), ctx.notes


# ------------------------------------------------------------------- parsing

# Elements HTML never lets hold content; libxml2 nests what follows some of them
# (<embed>) inside, and the dropped element took the rest of the article with it.
_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"))
MAX_DEPTH = 100
"""Elements nested deeper are unwrapped (their content kept): the walk recurses, and
real articles are a few dozen deep; 10,000 nested <div>s hit RecursionError."""


def first_named(tag: Tag, names: str | frozenset[str]) -> Tag | None:
    """The first element below `tag` with this name or one of these names, in document order:
    `tag.find(...)` without the filter objects Beautiful Soup 4.15 builds on every call (40 µs
    a call; a page's walk asks thousands of times)."""
    return next(_named(tag, names), None)


def parent_named(tag: Tag, names: str | frozenset[str]) -> Tag | None:
    """The nearest element above `tag` with this name or one of these names
    (`tag.find_parent(...)`, see `first_named`)."""
    names = _as_set(names)
    return next((parent for parent in tag.parents if parent.name in names), None)


def all_named(tag: Tag, names: str | frozenset[str]) -> list[Tag]:
    """Every element below `tag` with this name or one of these names, in document order
    (`tag.find_all(...)`, see `first_named`)."""
    return list(_named(tag, names))


def _named(tag: Tag, names: str | frozenset[str]) -> Iterator[Tag]:
    names = _as_set(names)
    return (node for node in tag.descendants if isinstance(node, Tag) and node.name in names)


def _as_set(names: str | frozenset[str]) -> frozenset[str]:
    return frozenset((names,)) if isinstance(names, str) else names  # one name: not its letters


def parse_html(text: str) -> tuple[BeautifulSoup, list[str]]:
    """Parse web HTML the way browsers shape it (void elements empty, a bound on
    nesting), with a note for what was reshaped."""
    with warnings.catch_warnings():  # bs4's advice to developers ("looks like XML", "looks like a URL")
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(text, "lxml")
    for void in all_named(soup, _VOID):
        if void.contents:
            void.insert_after(*[child.extract() for child in list(void.contents)])
    deep = flatten_deep(soup, MAX_DEPTH)
    return soup, ([f"HTML nested deeper than {MAX_DEPTH} elements: {deep} inner element(s) unwrapped"] if deep else [])


def flatten_deep(root: Tag, limit: int) -> int:
    """Unwrap every element deeper than `limit` below `root` (its text and children stay,
    one level up); `<pre>` is kept whole, it is read as text. Returns how many went."""
    deep: list[Tag] = []
    stack = [(root, 0)]
    while stack:  # iterative: the tree may be deeper than Python's recursion limit
        node, depth = stack.pop()
        for child in node.children:
            if not isinstance(child, Tag):
                continue
            if depth >= limit and child.name != "pre":
                deep.append(child)
            if child.name != "pre":
                stack.append((child, depth + 1))
    for tag in reversed(deep):  # innermost first: each unwrap then moves a few children, not a subtree
        tag.unwrap()
    return len(deep)


# ------------------------------------------------------------ embed fallbacks

# Scripts that embed code from elsewhere (GitHub gists, GitLab snippets, Pastebin,
# CodePen, JSFiddle, generic embed loaders); their <noscript> holds the code itself.
_EMBED_SCRIPT = re.compile(r"gist\.github|gitlab\.[\w.]+/.*snippets|pastebin|codepen|jsfiddle|embed", re.I)


def keep_embed_fallbacks(root: Tag) -> int:
    """A <noscript> that follows an embed script (a gist) and holds code is the article's code:
    the page shows it where the script would. It becomes a <div>, so it is read like the rest
    (readers drop <noscript> otherwise). Returns how many were kept."""
    kept = 0
    for noscript in all_named(root, "noscript"):
        if first_named(noscript, PRE_CODE) is None:
            continue
        before = noscript.find_previous_sibling(True)
        while before is not None and before.name == "noscript":  # several fallbacks after one script
            before = before.find_previous_sibling(True)
        if before is not None and before.name == "script" and _EMBED_SCRIPT.search(str(before.get("src") or "")):
            noscript.name = "div"
            kept += 1
    return kept


# ----------------------------------------------------------------- block walk


def _walk(parent: Tag, ctx: _Context) -> list[Block]:
    """Blocks of a container: block children in turn, runs of inline ones as paragraphs."""
    blocks: list[Block] = []
    pending: list[PageElement] = []
    for child in parent.children:
        if isinstance(child, Tag) and _is_block(child):
            blocks += _flush(pending, ctx)
            pending = []
            blocks += _recovering_block(child, ctx)
        else:
            pending.append(child)
    return blocks + _flush(pending, ctx)


def _recovering_block(tag: Tag, ctx: _Context) -> list[Block]:
    """One element's blocks; an element that can't be read is noted and skipped, the rest of
    the article kept (as feedparser's "bozo" feeds and lxml's recover mode do)."""
    try:
        return _block(tag, ctx)
    except Exception as err:
        ctx.note(f"skipped a <{tag.name}> element that could not be read ({describe(err)})")
        return []


def _is_block(tag: Tag) -> bool:
    if tag.name in _BLOCK_TAGS:
        return True
    # <a><div>card</div></a>, <span><p>..</p></span>: treat as a container.
    return tag.name not in _DROP_TAGS and first_named(tag, _BLOCK_TAGS) is not None


def _block(tag: Tag, ctx: _Context) -> list[Block]:
    name = tag.name
    if _dropped(tag, ctx):
        return []
    if name in _HEADINGS:
        text = " ".join(inline_paragraphs(_inline_children(tag, ctx))).replace("\\\n", " ")
        return [Heading(int(name[1]), text)] if text else []
    if name == "pre":
        code = _code_block(tag)
        return [code] if code else []
    if name in ("ul", "ol"):
        return _list(tag, ctx)
    if name == "table":
        return _table(tag, ctx)
    if name == "blockquote":
        return _quote(tag, ctx)
    if name == "hr":
        return [Rule()]
    if name == "dt":
        text = " ".join(inline_paragraphs(_inline_children(tag, ctx)))
        return [Paragraph(f"**{text}**")] if text else []
    return _walk(tag, ctx)


def _flush(nodes: list[PageElement], ctx: _Context) -> list[Block]:
    """A run of inline nodes: image(s) alone, a lone multi-line <code>, or paragraphs."""
    content = [n for n in nodes if not _is_blank(n)]
    if not content:
        return []
    if all(isinstance(n, Tag) and _image_only(n) for n in content):
        images = [_image(img, ctx) for n in content for img in _imgs(n)]
        return [i for i in images if i]
    if len(content) == 1 and isinstance(content[0], Tag) and content[0].name == "code":
        # Old blogs put code in a bare <code> with <br> lines, no <pre>.
        code = content[0]
        if _holds_code(code):
            block = _code_block(code)
            return [block] if block else []
    text = "".join(_inline(n, ctx, frozenset()) for n in nodes)
    return [
        Paragraph(p)
        for p in inline_paragraphs(text)
        if _plain_key(p) not in _WIDGET_TEXT
    ]


def _is_blank(node: PageElement) -> bool:
    if isinstance(node, PreformattedString):  # comments, CDATA, doctype
        return True
    return isinstance(node, NavigableString) and not node.strip()


def _dropped(tag: Tag, ctx: _Context) -> bool:
    if tag.name == "form" and first_named(tag, _PAGE_CONTENT) is not None:
        return False  # ASP.NET wraps the whole page in one <form>
    if tag.name in _DROP_TAGS:
        if tag.name in ("iframe", "video", "embed", "object", "audio"):
            src = tag.get("src") or tag.get("data") or ""
            ctx.note(f"dropped embedded {tag.name}" + (f" ({src})" if src else ""))
        return True
    if tag.has_attr("hidden") or "display:none" in str(tag.get("style", "")).replace(" ", ""):
        return True
    classes = tag.get("class") or []
    if any(_WIDGET_CLASS.search(c) for c in classes):
        # Never drop a wrapper that holds the code itself (Prism div.code-toolbar).
        return tag.name not in PRE_CODE and first_named(tag, PRE_CODE) is None
    return False


def _plain_key(text: str) -> str:
    return re.sub(r"[\\*`]", "", text).strip().lower()


# ------------------------------------------------------------------- inline


def _inline_children(tag: Tag, ctx: _Context, marks: frozenset[str] = frozenset()) -> str:
    return "".join(_inline(child, ctx, marks) for child in tag.children)


def _inline(node: PageElement, ctx: _Context, marks: frozenset[str]) -> str:
    """CommonMark for one inline node; `marks` avoids re-wrapping nested **/*."""
    if isinstance(node, PreformattedString):
        return ""
    if isinstance(node, NavigableString):
        return escape_mid_line(_WS.sub(" ", str(node)))
    if not isinstance(node, Tag) or _dropped(node, ctx):
        return ""
    name = node.name
    if name == "br":
        return BR
    if name == "img":
        image = _image(node, ctx)
        if image is None:  # not on the web: its description stays in the sentence
            return escape_mid_line(_WS.sub(" ", str(node.get("alt") or "")))
        return f"![{escape(image.alt)}]({image.src})"
    if name in ("code", "kbd", "samp", "tt", "var") and "code" not in marks:
        text = _WS.sub(" ", node.get_text()).strip()
        return code_span(text) if text else ""
    if name == "a":
        return _link(node, ctx, marks)
    if name in ("strong", "b") and "strong" not in marks:
        return _wrap(_inline_children(node, ctx, marks | {"strong"}), "**")
    if name in ("em", "i", "cite", "dfn") and "em" not in marks:
        return _wrap(_inline_children(node, ctx, marks | {"em"}), "*")
    if _is_block(node):  # block inside inline context (table cell, heading)
        return " " + " ".join(_render_cell_blocks(_walk(node, ctx))) + " "
    return _inline_children(node, ctx, marks)  # unknown inline tag: keep its text


def _wrap(inner: str, mark: str) -> str:
    """Emphasis with the surrounding spaces moved outside: `** x **` is not bold."""
    core = inner.strip(" " + BR)
    if not core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip(" " + BR))]
    trail = inner[len(inner.rstrip(" " + BR)):]
    return f"{lead}{mark}{core}{mark}{trail}"


def _link(tag: Tag, ctx: _Context, marks: frozenset[str]) -> str:
    if is_anchor(tag):
        return ""
    text = _inline_children(tag, ctx, marks | {"link"})
    href = str(tag.get("href") or "").strip()
    if not text.strip(" " + BR) or "link" in marks:
        return text
    # Only web addresses: a relative path without a base, a local file or
    # javascript: keeps its text and loses the link.
    target = link_target(href, base=ctx.base_url)
    if not target:
        return text
    core = text.strip(" ")
    lead = text[: len(text) - len(text.lstrip(" "))]
    trail = text[len(text.rstrip(" ")):]
    return f"{lead}[{core}]({target}){trail}"


def is_anchor(tag: Tag) -> bool:
    """A permalink a heading carries (`<a class="headerlink" href="#x">¶</a>`): not content."""
    classes = {c.lower() for c in tag.get("class") or []}
    if classes & _ANCHOR_CLASSES or tag.get("aria-hidden") == "true":
        return True
    href = str(tag.get("href") or "")
    return href.startswith("#") and tag.get_text(strip=True).lower() in _ANCHOR_TEXT


def inline_paragraphs(text: str) -> list[str]:
    """Split rendered inline text at BR markers: one BR = hard break, two = new paragraph.

    Lines are stripped and their starts escaped ("1. x" -> "1\\. x"); markup
    emitted by the readers never starts with a character that needs it,
    except GFM strikethrough.
    """
    paragraphs: list[list[str]] = [[]]
    for segment in text.split(BR):
        lines = (_SPACES.sub(" ", line).strip() for line in segment.split("\n"))
        joined = "\n".join(
            line if line.startswith("~~") else escape_line_start(line) for line in lines if line
        )
        if joined:
            paragraphs[-1].append(joined)
        elif paragraphs[-1]:
            paragraphs.append([])
    return ["\\\n".join(p) for p in paragraphs if p]


# ------------------------------------------------------------------- images


def _imgs(tag: Tag) -> list[Tag]:
    return [tag] if tag.name == "img" else all_named(tag, "img")


def _image_only(tag: Tag) -> bool:
    """<img>, <a><img></a>, <picture>...: an image with no text around it."""
    if tag.name == "br":
        return True
    return bool(_imgs(tag)) and not tag.get_text(strip=True)


def _image(tag: Tag, ctx: _Context) -> Image | None:
    src = str(tag.get("src") or "").strip()
    if not src or src.startswith("data:"):
        # Lazy loading: the real address is in data-src, src is a placeholder.
        lazy = next((str(tag[a]) for a in _LAZY_SRC if tag.get(a)), "")
        src = lazy.split()[0] if lazy else ""
    if not src:
        ctx.note("skipped an image without an address")
        return None
    target = link_target(src, base=ctx.base_url)
    if not target:
        # A local path would make Sphinx copy a file of the build machine into the site.
        ctx.note("skipped an image that is not on the web (not http or https)")
        return None
    alt = _WS.sub(" ", str(tag.get("alt") or "")).strip()
    return Image(target, alt)


# --------------------------------------------------------------------- code


def _code_block(pre: Tag) -> CodeBlock | None:
    code = clean_code(_pre_text(pre))
    return CodeBlock(code, declared=_declared(pre)) if code else None


def clean_code(text: str) -> str:
    """Verbatim code minus web artefacts: CRLF, nbsp/zero-width chars, edge blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A copied &nbsp; is U+00A0, which Python rejects ("invalid non-printable character").
    text = text.replace("\xa0", " ").replace("\u200b", "").replace("\ufeff", "")
    text = re.sub(r"\A(?:[ \t]*\n)+", "", text)
    return text.rstrip()


def _pre_text(pre: Tag) -> str:
    # Without any newline, line elements (CodeMirror div.cm-line) are the lines.
    line_mode = "\n" not in pre.get_text().strip() and first_named(pre, "br") is None
    out: list[str] = []
    _collect_code(pre, out, line_mode)
    return "".join(out)


def _collect_code(node: Tag, out: list[str], line_mode: bool) -> None:
    for child in node.children:
        if isinstance(child, PreformattedString):
            continue
        if isinstance(child, NavigableString):
            out.append(str(child))
            continue
        if not isinstance(child, Tag):
            continue
        classes = set(child.get("class") or [])
        if child.name == "br":
            out.append("\n")
        elif child.name in ("button", "script", "style", "img") or classes & _LINENO_CLASSES:
            continue
        elif child.get("aria-hidden") == "true" and not child.get_text(strip=True):
            continue
        else:
            _collect_code(child, out, line_mode)
            is_line = child.name in ("div", "p", "li") or bool(classes & _LINE_CLASSES)
            if line_mode and is_line and out and not out[-1].endswith("\n"):
                out.append("\n")


def _declared(pre: Tag) -> str:
    """Raw language named by the markup of a <pre>, its <code>, or wrapper divs."""
    if any(set(p.get("class") or ()) & _OUTPUT_AREA for p in [pre, *pre.parents][:3]):
        return "output"
    candidates: list[Tag] = []
    code = first_named(pre, "code") if pre.name == "pre" else None
    if code is not None:
        candidates.append(code)
    candidates.append(pre)
    parent = pre.parent
    # Rouge: div.language-ruby > div.highlight > pre; Sphinx: div.highlight-python3 > div > pre.
    for _ in range(2):
        if not isinstance(parent, Tag) or parent.name not in ("div", "figure"):
            break
        candidates.append(parent)
        parent = parent.parent
    for element in candidates:
        language = _language_of(element)
        if language:
            return language
    return ""


def _language_of(tag: Tag) -> str:
    # data-lang (Hugo, dev.to), data-language (Shiki), lang (WP-Syntax <pre lang="python">),
    # data-enlighter-language (WordPress Enlighter).
    for attr in ("data-lang", "data-language", "data-enlighter-language", "lang"):
        if tag.get(attr) and (attr != "lang" or tag.name in ("pre", "code")):
            return str(tag[attr]).strip()
    classes = [str(c) for c in tag.get("class") or []]
    brush = _BRUSH.search(" ".join(classes))  # SyntaxHighlighter: "brush: python; gutter: false"
    if brush:
        return brush.group(1)
    for cls in classes:
        match = _LANG_PREFIX.match(cls)
        if match:
            return match.group(1)
    if {c.lower() for c in classes} & _LANG_MARKERS:
        others = [
            c for c in classes
            if c.lower() not in _NOT_LANGS and not c.startswith(("js-", "hljs-"))
        ]
        if others:
            return others[0]
    # A bare language class (old highlight.js `<code class="python">`, `<pre class="output">`):
    # only names in the language table, never a one-letter or generic word.
    if tag.name in ("pre", "code"):
        for cls in classes:
            if cls.lower() in ALIASES and len(cls) > 2 and cls.lower() not in _BARE_NOT_LANGS:
                return cls
    return ""


# -------------------------------------------------------------------- lists


def _list(tag: Tag, ctx: _Context) -> list[Block]:
    ordered = tag.name == "ol"
    try:
        start = int(str(tag.get("start", "1")).strip())
    except ValueError:
        start = 1
    item_blocks: list[list[Block]] = []
    for child in tag.children:
        if not isinstance(child, Tag) or _dropped(child, ctx):
            continue
        if child.name in ("ul", "ol") and item_blocks:
            # Invalid but common: <ul><li>a</li><ul>..</ul></ul> nests under "a".
            item_blocks[-1] += _list(child, ctx)
        elif child.name == "li" or child.get_text(strip=True):
            item_blocks.append(_walk(child, ctx))
    items: list[str] = []
    hoisted: list[Block] = []
    for blocks in item_blocks:
        text, code = list_item(blocks, ordered=ordered)
        items += [text] if text else []
        hoisted += code
    head: list[Block] = [ListBlock(tuple(items), ordered, start)] if items else []
    return head + hoisted


def list_item(blocks: Iterable[Block], *, ordered: bool) -> tuple[str, list[Block]]:
    """One list item's CommonMark plus the code blocks hoisted out of it."""
    text = ""
    hoisted: list[Block] = []
    for block in blocks:
        if isinstance(block, CodeBlock):
            hoisted.append(block)
            continue
        part = render(block, nested=True)
        if not part:
            continue
        if not text:
            text = part
        elif isinstance(block, ListBlock) and (not block.ordered or block.start == 1):
            text += "\n" + part  # tight: such a list may interrupt a paragraph
        else:
            text += "\n\n" + part
    return text, hoisted


# ------------------------------------------------------------------- quotes


def _quote(tag: Tag, ctx: _Context) -> list[Block]:
    blocks = _walk(tag, ctx)
    hoisted = [b for b in blocks if isinstance(b, CodeBlock)]
    text = "\n\n".join(filter(None, (render(b, nested=True) for b in blocks)))
    return ([Quote(text)] if text else []) + hoisted


# ------------------------------------------------------------------- tables


def _table(tag: Tag, ctx: _Context) -> list[Block]:
    classes = set(tag.get("class") or [])
    if classes & {"highlighttable", "lntable", "rouge-table"} or _gutter_and_code(tag):
        # Pygments/Chroma/Rouge line-number layout: gutter cell + code cell.
        pres = all_named(tag, "pre")
        code = _code_block(pres[-1]) if pres else None
        if code and not code.declared:  # Sphinx: div.highlight-python > table
            wrappers = [tag] + ([tag.parent] if isinstance(tag.parent, Tag) else [])
            code = replace(code, declared=next(filter(None, map(_language_of, wrappers)), ""))
        return [code] if code else []
    rows = [tr for tr in all_named(tag, "tr") if tr.find_parent("table") is tag]
    if not rows:
        return []
    if first_named(tag, _SECTION_CONTENT) is not None or any(map(_holds_code, all_named(tag, "code"))):
        # A layout table: its cells are page sections, not data; read row by row, cell by
        # cell (a two-column tutorial: the prose, then its code).
        return [b for tr in rows for cell in _cells(tr) if cell for b in _walk(cell, ctx)]
    grid = [[_cell_text(cell, ctx) for cell in _cells(tr)] for tr in rows]
    grid = [row for row in grid if row]
    if not grid:
        return []
    width = max(len(row) for row in grid)
    grid = [tuple(row + [""] * (width - len(row))) for row in grid]
    return [Table(grid[0], tuple(grid[1:]))]


def _gutter_and_code(table: Tag) -> bool:
    """A line-number table: one row, a code cell (td.code, td.lntd, td.rouge-code) and beside it
    only cells of line numbers. Docco/Pycco's td.docs + td.code rows are prose and code."""
    rows = [tr for tr in all_named(table, "tr") if tr.find_parent("table") is table]
    if len(rows) != 1 or table.find("td", class_=["code", "lntd", "rouge-code"]) is None:
        return False
    cells = rows[0].find_all(["td", "th"], recursive=False)
    others = [c for c in cells if not set(c.get("class") or []) & {"code", "rouge-code"}]
    return all(re.fullmatch(r"[\d\s]*", c.get_text()) for c in others)


def _holds_code(code: Tag) -> bool:
    """A <code> that is a block of code: several lines (with <br> or newlines)."""
    return first_named(code, "br") is not None or "\n" in code.get_text().strip()


def _cells(tr: Tag) -> list[Tag | None]:
    cells: list[Tag | None] = []
    for cell in tr.find_all(["td", "th"], recursive=False):
        try:
            span = max(1, min(int(str(cell.get("colspan", "1"))), 50))
        except ValueError:
            span = 1
        cells += [cell] + [None] * (span - 1)
    return cells


def _cell_text(cell: Tag | None, ctx: _Context) -> str:
    if cell is None:  # filler for colspan
        return ""
    return table_cell(" ".join(_render_cell_blocks(_walk(cell, ctx))))


def _render_cell_blocks(blocks: list[Block]) -> list[str]:
    return [
        code_span(b.code.replace("\n", " ")) if isinstance(b, CodeBlock) else render(b, nested=True)
        for b in blocks
    ]


def table_cell(text: str) -> str:
    """One line of cell CommonMark; GFM needs `\\|` even inside code spans."""
    text = _SPACES.sub(" ", text.replace("\\\n", " ").replace("\n", " ")).strip()
    return re.sub(r"(?<!\\)\|", r"\\|", text)


# ------------------------------------------------------- headings and titles


def normalize_headings(blocks: list[Block]) -> list[Block]:
    """Shift heading levels so the top section level is 2 (1 is the title)."""
    levels = [b.level for b in blocks if isinstance(b, Heading)]
    if not levels or min(levels) == 2:
        return blocks
    shift = 2 - min(levels)
    return [
        replace(b, level=min(6, b.level + shift)) if isinstance(b, Heading) else b
        for b in blocks
    ]


def drop_title_heading(blocks: list[Block], title: str) -> list[Block]:
    """Drop a leading heading that repeats the title (some sites use <h2> for it)."""
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            if _plain_key(block.text) == _plain_key(escape(title)):
                return normalize_headings(blocks[:i] + blocks[i + 1:])
            return blocks
        if not isinstance(block, Image):
            return blocks
    return blocks


# -------------------------------------------------------------------- dates


def iso_date(value: str) -> str:
    """YYYY-MM-DD from ISO 8601, RFC 822 (feeds) or a spelled-out date; "" if unknown."""
    value = _WS.sub(" ", value).strip()
    match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if match:
        return match.group(0)
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return ""
