"""Model blocks as CommonMark text.

Shared by the notebook writer and by readers that flatten nested content (a
list item that holds a list, a quote or a table) into one CommonMark string.
"""

from __future__ import annotations

from .document import Block, CodeBlock, Heading, Image, ListBlock, Paragraph, Quote, Rule, Table
from .myst_escape import escape, link_target


def render(block: Block, *, nested: bool = False) -> str:
    """One prose block as CommonMark; "" for blocks without a prose form (code)."""
    if isinstance(block, Heading):
        # Inside a list item a heading can't be a section: keep it as bold text.
        text = block.text.replace("\n", " ")  # a heading is one line; the next would be a paragraph
        return f"**{text}**" if nested else f"{'#' * block.level} {text}"
    if isinstance(block, Paragraph):
        return block.text
    if isinstance(block, ListBlock):
        return render_list(block)
    if isinstance(block, Table):
        return render_table(block)
    if isinstance(block, Image):
        target = link_target(block.src)  # readers keep web addresses only; this is the last gate
        return f"![{escape(block.alt)}]({target})" if target else escape(block.alt)
    if isinstance(block, Quote):
        return "\n".join(f"> {line}" if line else ">" for line in block.text.split("\n"))
    if isinstance(block, Rule):
        # At the top level a rule next to a heading or a cell edge is a Sphinx
        # error ("document may not end with a transition"); sections separate anyway.
        return "***" if nested else ""
    if isinstance(block, CodeBlock):
        return ""
    raise TypeError(f"no CommonMark for {type(block).__name__}")


def render_list(block: ListBlock) -> str:
    """Items with continuation lines indented under the item text; loose if any item has paragraphs."""
    loose = any("\n\n" in item for item in block.items)
    rendered = []
    for n, item in enumerate(block.items, start=block.start):
        marker = f"{n}. " if block.ordered else "- "
        first, *rest = item.split("\n")
        rendered.append("\n".join([marker + first] + [" " * len(marker) + line if line else "" for line in rest]))
    return ("\n\n" if loose else "\n").join(rendered)


def render_table(block: Table) -> str:
    """A pipe table; short rows are padded so every row has the same cells."""
    width = max([len(block.header)] + [len(row) for row in block.rows])
    rows = [list(block.header) + [""] * (width - len(block.header)), ["---"] * width]
    rows += [list(row) + [""] * (width - len(row)) for row in block.rows]
    return "\n".join("| " + " | ".join(cell.replace("\n", " ") for cell in row) + " |" for row in rows)
