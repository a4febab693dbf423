"""Markdown (CommonMark + GFM tables) -> one Document.

markdown-it-py's syntax tree is walked and inline content is rendered back to
CommonMark from its tokens, which normalises the source as a side effect:
inline HTML tags are dropped (their text kept), entities are decoded,
autolinks become ordinary links. Raw HTML blocks go through the HTML reader.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode
from markdown_it.token import Token

from converter.document import (
    Block,
    CodeBlock,
    Document,
    Heading,
    Image,
    ListBlock,
    Meta,
    Paragraph,
    Quote,
    Rule,
    Table,
)
from converter.errors import SourceError
from converter.commonmark import render
from converter.myst_escape import code_span, escape, escape_mid_line, link_target
from converter.readers.html_blocks import (
    BR,
    blocks_from_html,
    clean_code,
    drop_title_heading,
    inline_paragraphs,
    iso_date,
    list_item,
    normalize_headings,
    table_cell,
)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_BR_TAG = re.compile(r"<br\s*/?>", re.I)
# MyST fences that hold code: ```{code-cell} python
_CODE_DIRECTIVES = {"{code-cell}", "{code}", "{code-block}", "{sourcecode}"}
# MyST fences whose content is Markdown for the reader: kept as a quote.
_ADMONITIONS = {
    "{note}", "{tip}", "{hint}", "{important}", "{warning}", "{caution}", "{attention}",
    "{danger}", "{error}", "{seealso}", "{admonition}",
}
_DIRECTIVE_OPTION = re.compile(r"\A(?:[ \t]*:[\w-]+:.*\n)+")


def read(text: str, *, source: str) -> list[Document]:
    """The Markdown file as one Document; SourceError if it has no content."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise SourceError(source, "empty file")
    front, body, notes = _split_front_matter(text)
    body = site_generator_code(body, notes)
    body, regions = gather_html_regions(body)
    tree = _parse(body)
    blocks = _blocks(tree.children, notes, regions)

    title = _string(front.get("title"))
    if not title:
        title, blocks = _take_h1(tree, blocks)
    blocks = drop_title_heading(normalize_headings(blocks), title) if title else blocks
    if not blocks:
        raise SourceError(source, "no content besides front matter")
    if not title:
        title = Path(source).stem
        notes.append("no title in front matter or # heading; used the file name")
    meta = Meta(
        title=title,
        source=source,
        url=_string(front.get("canonical_url") or front.get("url") or front.get("link")),
        author=_author(front.get("author") or front.get("authors")),
        date=_date(front.get("date") or front.get("published")),
        tags=_tags(front.get("tags") or front.get("categories") or front.get("keywords")),
    )
    return [Document(meta, tuple(blocks), tuple(notes))]


def blocks_from_markdown(text: str) -> tuple[list[Block], list[str]]:
    """A Markdown fragment (a feed item's body) as blocks, top heading level 2, and notes."""
    notes: list[str] = []
    body, regions = gather_html_regions(site_generator_code(text, notes))
    return normalize_headings(_blocks(_parse(body).children, notes, regions)), notes


# A fence that opens a line; the Markdown a feed item carries instead of HTML.
_FENCE_PAIR = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n`]*\n[\s\S]*?^ {0,3}\1[ \t]*$", re.M)
_HTML_STRUCTURE = re.compile(r"<(p|div|pre|h[1-6]|ul|ol|li|table|blockquote|br|article|section)\b[^>]*>", re.I)


def is_markdown(text: str) -> bool:
    """Text that is Markdown rather than HTML: at least one closed code fence, and no HTML
    structure outside the fences (a code block may well show HTML)."""
    if not _FENCE_PAIR.search(text):
        return False
    return _HTML_STRUCTURE.search(_FENCE_PAIR.sub("", text)) is None


def _parse(text: str) -> SyntaxTreeNode:
    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    tokens = parser.parse(text)
    for token in tokens:
        if token.children:
            token.children = _bounded_nesting(token.children, parser.options["maxNesting"])
    return SyntaxTreeNode(tokens)


def _bounded_nesting(children: list[Token], limit: int) -> list[Token]:
    """Inline tokens with emphasis nested at most `limit` deep; deeper opening and closing
    tokens go, their text stays. markdown-it bounds block nesting but not emphasis: a run of
    300 asterisks nested 150 deep, and building the tree hit RecursionError."""
    kept, dropped = [], []  # `dropped`: for each open token, whether it was left out
    for token in children:
        if token.nesting == 1:
            dropped.append(len(dropped) - sum(dropped) >= limit)
            if dropped[-1]:
                continue
        elif token.nesting == -1 and dropped and dropped.pop():
            continue
        kept.append(token)
    return kept


# ------------------------------------------------------------- front matter


def _split_front_matter(text: str) -> tuple[dict, str, list[str]]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, []
    # Keep line numbers stable for markdown-it's maps: blank lines replace it.
    body = "\n" * match.group(0).count("\n") + text[match.end():]
    try:
        data = yaml.load(match.group(1) or "", Loader=_FrontMatterLoader)
    except yaml.YAMLError as error:
        problem = str(error).splitlines()[0]
        return {}, body, [f"ignored front matter that is not valid YAML ({problem})"]
    if not isinstance(data, dict):
        return {}, text, []  # a "---" rule and text, not front matter
    return data, body, []


class _FrontMatterLoader(yaml.SafeLoader):
    """SafeLoader without aliases: nine nested `*a` lists of nine are 9**9 items once
    printed (a 346-byte "billion laughs" took minutes and gigabytes); a tutorial's
    title, date and tags never need them."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in front matter", self.peek_event().start_mark)
        return super().compose_node(parent, index)


def _string(value: object) -> str:
    """A scalar as one line of text; a list or mapping where a string belongs is no title."""
    if value is None or isinstance(value, (list, dict)):
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _author(value: object) -> str:
    if isinstance(value, dict):
        return _string(value.get("name"))
    if isinstance(value, list):
        return ", ".join(filter(None, (_author(v) for v in value)))
    return _string(value)


def _date(value: object) -> str:
    if isinstance(value, (date, datetime)):  # YAML parses unquoted dates itself
        return value.strftime("%Y-%m-%d")
    return iso_date(_string(value)) if value else ""


def _tags(value: object) -> tuple[str, ...]:
    items = value if isinstance(value, list) else re.split(r"[,;]", _string(value))
    tags: list[str] = []
    for tag in map(_string, items):
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


def _take_h1(tree: SyntaxTreeNode, blocks: list[Block]) -> tuple[str, list[Block]]:
    """The first `#` heading is the title; the blocks come back without it."""
    node = next((n for n in tree.children if n.type == "heading" and n.tag == "h1"), None)
    if node is None:
        return "", blocks
    title = re.sub(r"\s+", " ", _plain(node)).strip()
    i = next((i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.level == 1), None)
    if not title or i is None:  # "# <span></span>": no text, no block
        return "", blocks
    return title, blocks[:i] + blocks[i + 1:]


# ------------------------------------------- static site generators' tags

# Jekyll's Liquid and Hugo's shortcodes mark code with template tags instead of fences:
# `{% highlight python linenos %}` ... `{% endhighlight %}`, `{{< highlight go "opts" >}}` ...
# `{{< / highlight >}}`. `{% raw %}` / `{% endraw %}` only stop Liquid from reading the `{{ }}`
# of the code or prose between them; they are not content.
_HIGHLIGHT_OPEN = re.compile(
    r"^\s*(?:\{%-?\s*highlight\s+([\w+#.-]+)[^%]*-?%\}"
    r"|\{\{[<%]\s*(?:highlight|code)\s+(?:lang=)?[\"']?([\w+#.-]+)[\"']?[^}]*[>%]\}\})\s*$")
_HIGHLIGHT_CLOSE = re.compile(r"^\s*(?:\{%-?\s*endhighlight\s*-?%\}|\{\{[<%]\s*/\s*(?:highlight|code)\s*[>%]\}\})\s*$")
_RAW_TAG = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
# A line that is only a template tag (`{% include toc.html %}`, `{{< notice warning >}}`,
# `{{< /notice >}}`): an instruction to the site generator, not text of the article.
_TEMPLATE_LINE = re.compile(r"^\s*(?:\{%-?\s*[a-z]\w*\b[^%]*-?%\}|\{\{[<%]\s*/?\s*[\w-]+\b[^}]*[>%]\}\})\s*$")


def site_generator_code(body: str, notes: list[str]) -> str:
    """Liquid and Hugo code tags to fences, template-only lines out; fenced code untouched."""
    out: list[str] = []
    fence = ""
    code: list[str] | None = None
    language = opener = ""
    for line in body.split("\n"):
        marker = _FENCE_LINE.match(line)
        if code is not None:
            if _HIGHLIGHT_CLOSE.match(line):
                ticks = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", "\n".join(code))), default=0))
                out += [ticks + language, *code, ticks]
                code = None
            elif not _RAW_TAG.fullmatch(line.strip()):
                code.append(_RAW_TAG.sub("", line))
            continue
        if fence:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = ""
        elif marker:
            fence = marker.group(1)
        elif opening := _HIGHLIGHT_OPEN.match(line):
            code, language, opener = [], opening.group(1) or opening.group(2), line
            continue
        elif _TEMPLATE_LINE.match(line):
            notes.append(f"dropped a site generator's template tag: {line.strip()[:60]!r}")
            out.append("")
            continue
        else:
            line = _RAW_TAG.sub("", line)
        out.append(line)
    if code is not None:  # never closed: the tag line was text after all
        out += [opener, *code]
    return "\n".join(out)


# ------------------------------------------------------- raw HTML regions

# Block-level elements that open a raw HTML region at the start of a line.
_HTML_OPEN = re.compile(
    r"^ {0,3}<(table|div|section|article|aside|figure|details|dl|ul|ol|blockquote|center|main"
    r"|header|footer|nav|fieldset)(?=[\s>/])", re.I)
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_PRE_SPAN = re.compile(r"<(pre|textarea)\b[\s\S]*?</\1\s*>", re.I)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_MAX_REGION_LINES = 5000


def gather_html_regions(body: str) -> tuple[str, dict[str, str]]:
    """Raw HTML elements that CommonMark would cut apart, each put back together.

    CommonMark ends an HTML block at the first blank line: a Jekyll post's
    `<table>` with blank lines between rows, or a Rouge code table whose code
    has a blank line, fell apart into HTML pieces, paragraphs of code and
    indented "code blocks" of `<tr>` tags. An element that opens a line is
    taken whole, up to its matching closing tag, when every part of it between
    blank lines (outside `<pre>`) is markup; a part that is Markdown text
    (`<div>` + blank line + `**Note**`) keeps CommonMark's reading. Each region
    becomes a one-line placeholder comment (line count kept) that `_block`
    reads with the HTML block reader.
    """
    lines = body.splitlines(keepends=True)
    out: list[str] = []
    regions: dict[str, str] = {}
    fence = ""
    i = 0
    while i < len(lines):
        line = lines[i]
        marker = _FENCE_LINE.match(line)
        if fence:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence) \
                    and not line.strip().lstrip(fence[0]):
                fence = ""
            out.append(line)
            i += 1
            continue
        if marker:
            fence = marker.group(1)
            out.append(line)
            i += 1
            continue
        opening = _HTML_OPEN.match(line)
        end = _region_end(lines, i, opening.group(1).lower()) if opening else None
        if end is not None:
            region = "".join(lines[i:end + 1])
            if _whole_markup(region):
                key = f"<!--course-html-region-{len(regions)}-->"
                regions[key] = region
                out.append(key + "\n" * (region.count("\n") or 1))
                i = end + 1
                continue
        out.append(line)
        i += 1
    return "".join(out), regions


def _region_end(lines: list[str], start: int, name: str) -> int | None:
    """The line where the element opened on `start` closes, None if it does not."""
    tag = re.compile(rf"<(/?){name}(?=[\s>/])[^>]*>", re.I)
    depth = 0
    for j in range(start, min(len(lines), start + _MAX_REGION_LINES)):
        for match in tag.finditer(lines[j]):
            if match.group(1):
                depth -= 1
            elif not match.group(0).endswith("/>"):
                depth += 1
            if depth <= 0:
                return j
    return None


def _whole_markup(region: str) -> bool:
    """A blank line inside, and every part between blank lines is markup (starts with a tag)."""
    masked = _PRE_SPAN.sub("<pre></pre>", region)
    if not _BLANK_LINE.search(region):
        return False
    return all(part.strip().startswith("<") for part in _BLANK_LINE.split(masked) if part.strip())


# ------------------------------------------------------------------- blocks


def _blocks(nodes: list[SyntaxTreeNode], notes: list[str], regions: dict[str, str] | None = None) -> list[Block]:
    blocks: list[Block] = []
    for node in nodes:
        blocks += _block(node, notes, regions or {})
    return blocks


def _block(node: SyntaxTreeNode, notes: list[str], regions: dict[str, str]) -> list[Block]:
    kind = node.type
    if kind == "heading":
        text = " ".join(_paragraphs(node)).replace("\\\n", " ")
        return [Heading(int(node.tag[1]), text)] if text else []
    if kind == "paragraph":
        return _paragraph(node, notes)
    if kind == "fence":
        return _fence(node, notes)
    if kind == "code_block":
        code = clean_code(node.content)
        return [CodeBlock(code)] if code else []
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, notes, regions)
    if kind == "blockquote":
        inner = _blocks(node.children, notes, regions)
        text = "\n\n".join(filter(None, (render(b, nested=True) for b in inner)))
        code = [b for b in inner if isinstance(b, CodeBlock)]
        return ([Quote(text)] if text else []) + code
    if kind == "hr":
        return [Rule()]
    if kind == "table":
        return _table(node)
    if kind == "html_block":
        # Not normalised on its own: its <h3> sits among the file's ### headings.
        html = regions.get(node.content.strip(), node.content)
        blocks, html_notes = blocks_from_html(html, normalize=False)
        notes += [n for n in html_notes if n not in notes]
        return blocks
    notes.append(f"skipped unsupported Markdown block: {kind}")
    return []


def _fence(node: SyntaxTreeNode, notes: list[str]) -> list[Block]:
    words = node.info.split()
    declared = words[0] if words else ""
    if declared in _CODE_DIRECTIVES:
        declared = words[1] if len(words) > 1 else ""
    elif declared in _ADMONITIONS:
        # Its content is Markdown: read like the rest, so it is escaped like the rest.
        inner = _blocks(_parse(_DIRECTIVE_OPTION.sub("", node.content)).children, notes)
        text = "\n\n".join(filter(None, (render(b, nested=True) for b in inner)))
        return ([Quote(text)] if text else []) + [b for b in inner if isinstance(b, CodeBlock)]
    elif declared.startswith("{"):
        # Any other directive ({raw} html, {eval-rst}, {include}) would act on the
        # book: its content is shown as code, in the format it names.
        notes.append(f"showed a MyST {declared} directive as code: the book must not act on it")
        declared = {"{raw}": words[1] if len(words) > 1 else "", "{eval-rst}": "rst"}.get(declared, "")
    code = clean_code(node.content)
    return [CodeBlock(code, declared=declared.strip("{}."))] if code else []


def _list(node: SyntaxTreeNode, notes: list[str], regions: dict[str, str]) -> list[Block]:
    ordered = node.type == "ordered_list"
    items: list[str] = []
    hoisted: list[Block] = []
    for item in node.children:
        text, code = list_item(_blocks(item.children, notes, regions), ordered=ordered)
        items += [text] if text else []
        hoisted += code
    start = int(node.attrs.get("start", 1)) if ordered else 1
    return ([ListBlock(tuple(items), ordered, start)] if items else []) + hoisted


def _table(node: SyntaxTreeNode) -> list[Block]:
    rows = [
        tuple(table_cell(" ".join(_paragraphs(cell))) for cell in tr.children)
        for section in node.children
        for tr in section.children
    ]
    return [Table(rows[0], tuple(rows[1:]))] if rows else []


def _paragraph(node: SyntaxTreeNode, notes: list[str]) -> list[Block]:
    inline = node.children[0] if node.children else None
    if inline is not None and _images_only(inline):
        images = [_image(img) for img in _find_images(inline)]
        if None in images:
            notes.append("skipped an image that is not on the web (not http or https)")
        return [image for image in images if image]
    return [Paragraph(p) for p in _paragraphs(node)]


# ------------------------------------------------------------------- inline


def _paragraphs(node: SyntaxTreeNode) -> list[str]:
    """Inline content of a heading/paragraph/cell node as CommonMark paragraphs."""
    return inline_paragraphs("".join(_inline(child) for child in node.children))


def _inline(node: SyntaxTreeNode) -> str:
    kind = node.type
    if kind == "inline":
        return "".join(_inline(child) for child in node.children)
    if kind == "text":  # &nbsp; arrives decoded; the HTML reader collapses it too
        return escape_mid_line(node.content.replace("\xa0", " "))
    if kind == "code_inline":
        return code_span(node.content)
    if kind == "softbreak":
        return "\n"
    if kind == "hardbreak":
        return BR
    if kind == "html_inline":  # keep the text between tags, drop the tags
        return BR if _BR_TAG.fullmatch(node.content.strip()) else ""
    inner = "".join(_inline(child) for child in node.children)
    if kind == "strong":
        return f"**{inner}**" if inner.strip() else inner
    if kind == "em":
        return f"*{inner}*" if inner.strip() else inner
    if kind == "s":
        return f"~~{inner}~~" if inner.strip() else inner
    if kind == "link":
        # Only web addresses: a relative or local path keeps its text, not the link.
        target = link_target(str(node.attrs["href"]))
        if not inner.strip():
            return ""
        return f"[{inner}]({target})" if target else inner
    if kind == "image":
        image = _image(node)
        if image is None:  # not on the web: its description stays in the sentence
            return escape_mid_line(re.sub(r"\s+", " ", "".join(_plain(c) for c in node.children)).strip())
        return f"![{escape(image.alt)}]({image.src})"
    return inner


def _image(node: SyntaxTreeNode) -> Image | None:
    """The image, or None when it is not on the web (a local path would be copied into the site)."""
    target = link_target(str(node.attrs.get("src", "")))
    alt = "".join(_plain(child) for child in node.children)
    return Image(target, re.sub(r"\s+", " ", alt).strip()) if target else None


def _plain(node: SyntaxTreeNode) -> str:
    if node.type in ("text", "code_inline"):
        return node.content
    if node.type == "softbreak":
        return " "
    return "".join(_plain(child) for child in node.children)


def _find_images(node: SyntaxTreeNode) -> list[SyntaxTreeNode]:
    if node.type == "image":
        return [node]
    return [img for child in node.children for img in _find_images(child)]


def _images_only(inline: SyntaxTreeNode) -> bool:
    """`![a](x)` or `[![a](x)](link)` alone in a paragraph: a block image."""
    def empty(node: SyntaxTreeNode) -> bool:
        if node.type == "image":
            return True
        if node.type == "link":
            return all(empty(child) for child in node.children)
        if node.type in ("softbreak", "hardbreak"):
            return True
        return node.type == "text" and not node.content.strip()

    return bool(_find_images(inline)) and all(empty(child) for child in inline.children)
