"""Characters no tutorial means, taken out of every string a reader returns (and out of
text before myst_escape escapes it, so that nothing changes what it escaped).

Three kinds of character break the tools downstream although a page shows them
as nothing or as a line break:
- line separators other than "\\n" (VT, FF, FS, GS, RS, NEL, U+2028, U+2029):
  `str.splitlines()` breaks lines at them and jupytext slices cells with it,
  so a notebook's cells came out garbled; they become "\\n", except inside a
  string literal in code (`"one\\ftwo"`), where a line break would end the
  string too soon: there they become their visible symbol (␌), one character still;
- other control characters and the non-characters U+FFFE and U+FFFF: PyYAML
  refuses them, so one in a page made every `course check` fail; they go;
- lone surrogates (a YAML "\\ud83d" escape): they can't be encoded as UTF-8,
  so writing the page failed; a valid pair becomes its character, a lone one U+FFFD.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass, replace
from typing import TypeVar

from pygments.token import String

from .document import CodeBlock
from .languages import pygments_lexer

__all__ = ["clean_text", "clean_code", "clean_strings"]

T = TypeVar("T")

# What str.splitlines() treats as a line boundary, besides "\n" and "\r".
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# What PyYAML refuses (it accepts TAB, LF, CR, printable ASCII, NEL and U+00A0 up).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` with one kind of line break, no control characters and no lone surrogates."""
    if _SURROGATE.search(text):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return _CONTROLS.sub("", _LINE_BREAKS.sub("\n", text))


_PICTURES = {"\x0b": "\u240b", "\x0c": "\u240c", "\x1c": "\u241c", "\x1d": "\u241d", "\x1e": "\u241e",
             "\x85": "\u2424", "\u2028": "\u2424", "\u2029": "\u2424"}
_SEPARATOR = re.compile("[" + "".join(_PICTURES) + "]")


def clean_code(code: str, language: str) -> str:
    """`clean_text` for code in `language`: a line separator inside a string literal (as
    Pygments lexes it) becomes its visible symbol, elsewhere a line break."""
    lexer = pygments_lexer(language) if language and _SEPARATOR.search(code) else None
    if lexer is not None:
        in_strings = {i for start, token, value in lexer.get_tokens_unprocessed(code) if token in String
                      for i in range(start, start + len(value))}
        code = _SEPARATOR.sub(lambda m: _PICTURES[m.group()] if m.start() in in_strings else m.group(), code)
    return clean_text(code)


def clean_strings(value: T) -> T:
    """`value` with `clean_text` applied to every string in it (dataclasses, tuples, lists,
    dicts), and `clean_code` to code blocks' code."""
    if isinstance(value, CodeBlock):
        value = replace(value, code=clean_code(value.code, value.declared or value.language))  # type: ignore[assignment]
    if isinstance(value, str):
        return clean_text(value)  # type: ignore[return-value]
    if isinstance(value, (tuple, list)):
        return type(value)(clean_strings(v) for v in value)  # type: ignore[return-value]
    if isinstance(value, dict):
        return {clean_strings(k): clean_strings(v) for k, v in value.items()}  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: clean_strings(getattr(value, f.name)) for f in fields(value) if f.init}
        return replace(value, **changes)
    return value
