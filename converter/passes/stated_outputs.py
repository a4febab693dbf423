"""Pass: the outputs a tutorial states, attached to the code that should print them.

- Interactive transcripts (`>>> ` / `... ` prompts, IPython `In [1]:` / `Out[1]:`)
  become code cells without the prompts, one cell per shown output (a cell
  displays only its last value), each with the output it shows
  (`CodeBlock.expected`). Parsed by the standard library's `doctest.DocTestParser`.
- Claims in comments: `# Output: …`, `# => …`, `# prints …` (`//` and `--` too),
  when every statement that prints carries one, at the top level.
- A text block announced by prose ("This outputs:", "Output:") after a code block.
- A Python block indented as a whole (copied out of a class) is dedented.

Convert only attaches the claims; `course check` compares them with what the
cells really print, by doctest's rules (`converter.claims`).
"""

from __future__ import annotations

import doctest
import re
import textwrap
from dataclasses import replace

from ..document import Block, CodeBlock, Document, Paragraph

_PARSER = doctest.DocTestParser()
_IPYTHON_IN = re.compile(r"^In \[\d*\]: ?", re.M)
_IPYTHON_MORE = re.compile(r"^\s+\.{3,}: ?")
_IPYTHON_OUT = re.compile(r"^Out\[\d*\]: ?")
# Comment markers per language and the statements that print.
_COMMENT = {"python": "#", "ruby": "#", "shell": "#", "javascript": "//", "typescript": "//", "go": "//", "sql": "--"}
_PRINTS = {
    "python": r"print\(",
    "ruby": r"(puts|p|print|pp)\b",
    "javascript": r"console\.log\(",
    "go": r"fmt\.Print(ln|f)?\(",
}
_CLAIM = r"\s*(?:=>|->|[Oo]utput:|[Pp]rints:?|[Rr]esult:|[Ll]ogs:?)\s*(.+?)\s*$"
_ANNOUNCES = re.compile(r"(\b(outputs?|prints?|displays?|returns|results? (is|in)|gives|shows|see)\b[^.:]*:|\bOutput:?)\s*$", re.I)


def attach_stated_outputs(doc: Document) -> Document:
    """Split transcripts into cells with their outputs; attach comment and prose claims."""
    blocks: list[Block] = []
    for block in doc.blocks:
        if isinstance(block, CodeBlock) and block.language == "python":
            blocks += _transcript_cells(block) or [_dedented(block)]
        elif isinstance(block, CodeBlock) and block.language == "ruby" and _IRB.search(block.code):
            blocks.append(_from_irb(block))
        else:
            blocks.append(block)
    blocks = [_with_comment_claims(b) if isinstance(b, CodeBlock) and b.expected is None else b for b in blocks]
    return replace(doc, blocks=tuple(_with_announced_output(blocks)))


_IRB = re.compile(r"^(irb\([\w.]+\):\d+:\d+[>*\"'] ?|>> )", re.M)


def _from_irb(block: CodeBlock) -> CodeBlock:
    """An irb session as the Ruby it runs: prompts gone, the `=> value` lines irb echoes dropped
    (a script prints only what it `puts`)."""
    lines = []
    for line in block.code.splitlines():
        if _IRB.match(line):
            lines.append(_IRB.sub("", line, count=1))
        elif not line.startswith("=>") and lines:
            continue  # output irb showed
    return replace(block, code="\n".join(lines) + "\n")


def is_transcript(code: str) -> bool:
    first = next((line for line in code.splitlines() if line.strip()), "")
    return first.lstrip().startswith(">>>") or bool(_IPYTHON_IN.match(first))


def _from_ipython(code: str) -> str:
    """An IPython session written the doctest way (`>>> `, `... `, shown output). IPython's
    output runs to the next `In [n]:` prompt, blank lines included (a traceback has them):
    doctest's `<BLANKLINE>` keeps them in the shown output."""
    out = []
    lines = code.splitlines()
    for number, line in enumerate(lines):
        if not line.strip():
            following = next((later for later in lines[number + 1:] if later.strip()), None)
            inside = out and not out[-1].startswith((">>>", "...")) and following is not None
            out.append("<BLANKLINE>" if inside and not _IPYTHON_IN.match(following) else line)
        elif _IPYTHON_IN.match(line):
            out.append(">>> " + _IPYTHON_IN.sub("", line))
        elif _IPYTHON_MORE.match(line) and out and out[-1].startswith((">>>", "...")):
            out.append("... " + _IPYTHON_MORE.sub("", line))
        elif _IPYTHON_OUT.match(line):
            out.append(_IPYTHON_OUT.sub("", line))
        else:
            out.append(line)
    return "\n".join(out)


def _transcript_cells(block: CodeBlock) -> list[CodeBlock]:
    """One cell per shown output; [] when the block is not a transcript."""
    if not is_transcript(block.code):
        return []
    text = textwrap.dedent(_from_ipython(block.code))
    try:
        examples = _PARSER.get_examples(text)
    except ValueError:  # prompts without the space doctest wants (`>>>x`): not a transcript it can read
        return []
    cells: list[CodeBlock] = []
    sources: list[str] = []
    for example in examples:
        sources.append(example.source.rstrip("\n"))
        if example.want or example.exc_msg:
            cells.append(replace(block, code="\n".join(sources) + "\n", expected=example.want.rstrip("\n")))
            sources = []
    if sources:
        cells.append(replace(block, code="\n".join(sources) + "\n", expected=None))
    return cells


def _dedented(block: CodeBlock) -> CodeBlock:
    code = textwrap.dedent(block.code)
    return replace(block, code=code) if code != block.code else block


def _with_comment_claims(block: CodeBlock) -> CodeBlock:
    """`print(x)  # Output: 5` and `puts s # => hi`: the block's stated output, when every
    printing statement states one and all of them run once (top level, no loop)."""
    marker = _COMMENT.get(block.language)
    prints = _PRINTS.get(block.language)
    if not marker or not prints:
        return block
    claim = re.compile(re.escape(marker) + _CLAIM)
    lines = block.code.splitlines()
    claims: list[str] = []
    printing = 0
    for number, line in enumerate(lines):
        code, _, comment = line.partition(marker)
        if re.search(rf"(^|[\s;{{(]){prints}", code):
            if code[:1].isspace() or re.search(r"\b(for|while|each|times|map|forEach|loop)\b", code):
                return block  # prints more than once, or inside a function: the comments can't say it all
            printing += 1
        found = claim.match(marker + comment) if comment else None
        if found and (code.strip() or (number and claims is not None)):
            value = found.group(1)
            if code.strip() and re.search(rf"(^|\s){prints}", code) and re.fullmatch(r"\"[^\"]*\"|'[^']*'", value) \
                    and not re.search(r"\b(p|pp)\b\s", code):
                value = value[1:-1]  # `puts s # => "hi"` shows the value; puts prints it without quotes
            claims.append(value)
    if not claims or len(claims) != printing:
        return block
    return replace(block, expected="\n".join(claims))


def _with_announced_output(blocks: list[Block]) -> list[Block]:
    """A text block right after a code block (or after one sentence announcing it) is its output."""
    out = list(blocks)
    for i, block in enumerate(out):
        if not (isinstance(block, CodeBlock) and block.language in ("text", "") and block.code.strip()):
            continue
        j = i - 1
        if j >= 0 and isinstance(out[j], Paragraph):
            if not _ANNOUNCES.search(out[j].text.strip()):
                continue
            j -= 1
        elif not _ANNOUNCES.search(block.declared or "") and block.declared not in ("output", "out", "console"):
            continue
        code = out[j] if j >= 0 else None
        if isinstance(code, CodeBlock) and code.language in _COMMENT and code.expected is None and not is_transcript(code.code):
            out[j] = replace(code, expected=block.code.rstrip("\n"))
    return out
