"""Stated outputs: transcripts split into cells with their outputs, comment and prose claims,
and the doctest-rule comparison `course check` makes (converter.claims)."""

from __future__ import annotations

import pytest

from converter import claims
from converter.document import CodeBlock, Document, Meta, Paragraph
from converter.passes.stated_outputs import attach_stated_outputs


def _attach(*blocks) -> list:
    return list(attach_stated_outputs(Document(Meta("t", "s"), tuple(blocks))).blocks)


TRANSCRIPTS = [
    # (transcript, [(cell code, expected)])
    (">>> 2 + 2\n4\n", [("2 + 2\n", "4")]),
    (">>> x = [3, 1]\n>>> sorted(x)\n[1, 3]\n>>> len(x)\n2\n", [("x = [3, 1]\nsorted(x)\n", "[1, 3]"), ("len(x)\n", "2")]),
    (">>> for i in range(2):\n...     print(i)\n...\n0\n1\n", [("for i in range(2):\n    print(i)\n", "0\n1")]),
    (">>> 1/0\nTraceback (most recent call last):\n  ...\nZeroDivisionError: division by zero\n",
     [("1/0\n", "Traceback (most recent call last):\n  ...\nZeroDivisionError: division by zero")]),
    (">>> import math\n", [("import math\n", None)]),
    ("    >>> 'a'.upper()\n    'A'\n", [("'a'.upper()\n", "'A'")]),  # indented in the page
    ("In [1]: a = 5\n\nIn [2]: a * 2\nOut[2]: 10\n", [("a = 5\na * 2\n", "10")]),
    ("In [3]: def f(x):\n   ...:     return x + 1\n   ...:\n\nIn [4]: f(1)\nOut[4]: 2\n",
     [("def f(x):\n    return x + 1\nf(1)\n", "2")]),
    # IPython's traceback has blank lines: the output runs to the next prompt.
    ("In [5]: 1/0\n---------\nZeroDivisionError    Traceback (most recent call last)\nCell In[5], line 1\n\n"
     "ZeroDivisionError: division by zero\n\nIn [6]: 2\nOut[6]: 2\n",
     [("1/0\n", "---------\nZeroDivisionError    Traceback (most recent call last)\nCell In[5], line 1\n<BLANKLINE>\n"
                 "ZeroDivisionError: division by zero"), ("2\n", "2")]),
]


@pytest.mark.parametrize(("code", "cells"), TRANSCRIPTS)
def test_transcripts_become_cells_with_their_outputs(code: str, cells: list) -> None:
    got = _attach(CodeBlock(code, "python"))
    assert [(b.code, b.expected) for b in got] == cells


COMMENT_CLAIMS = [
    ("python", "print(2 + 3)  # Output: 5\nprint('a')  # => a\n", "5\na"),
    ("ruby", "puts 'hi'.upcase # => \"HI\"\n", "HI"),  # puts prints the value without quotes
    ("ruby", "p 'hi' # => \"hi\"\n", '"hi"'),  # p prints it with them
    ("ruby", "puts String.ancestors.first\n# Output: String\n", "String"),
    ("javascript", "console.log([1, 2].length); // => 2\n", "2"),
    ("go", 'fmt.Println("go") // Output: go\n', "go"),
]


@pytest.mark.parametrize(("language", "code", "expected"), COMMENT_CLAIMS)
def test_comment_claims(language: str, code: str, expected: str) -> None:
    [block] = _attach(CodeBlock(code, language))
    assert block.expected == expected


@pytest.mark.parametrize("code", [
    "for i in range(3):\n    print(i)  # => 0\n",  # prints three times, one claim
    "print(1)  # => 1\nprint(2)\n",  # one print without its claim
    "def f():\n    print('x')  # => x\n",  # prints only when called
    "x = 1  # => 1\n",  # an assignment prints nothing
])
def test_incomplete_or_ambiguous_claims_are_not_attached(code: str) -> None:
    [block] = _attach(CodeBlock(code, "python"))
    assert block.expected is None


def test_an_announced_text_block_is_the_output_of_the_code_before_it() -> None:
    code, prose, text = _attach(CodeBlock("print('a')\nprint('b')\n", "python"), Paragraph("This outputs:"),
                                CodeBlock("a\nb\n", "text"))
    assert code.expected == "a\nb" and text.expected is None


def test_a_text_block_not_announced_is_not_a_claim() -> None:
    code, _prose, _text = _attach(CodeBlock("print('a')\n", "python"), Paragraph("Here is a config file."),
                                  CodeBlock("a = 1\n", "text"))
    assert code.expected is None


def test_an_indented_block_is_dedented() -> None:
    [block] = _attach(CodeBlock("    def f():\n        return 1\n", "python"))
    assert block.code == "def f():\n    return 1\n"


@pytest.mark.parametrize(("expected", "printed", "error", "holds"), [
    ("{1, 2, 3}", "{1, 2, 3}\n", "", True),
    ("[1, 2, ..., 9]", "[1, 2, 3, 4, 5, 6, 7, 8, 9]\n", "", True),  # ELLIPSIS
    ("a   b\nc", "a b c\n", "", True),  # NORMALIZE_WHITESPACE
    ("{3, 1, 2}", "{1, 2, 3}\n", "", False),
    ("5", "", "", False),
    ("Traceback (most recent call last):\n  File ...\nKeyError: 'x'", "", "KeyError: 'x'", True),
    ("Traceback (most recent call last):\n  ...\nKeyError: 'x'", "", "KeyError: 'y'", False),
    ("Traceback (most recent call last):\n  ...\nKeyError: 'x'", "x\n", "", False),  # no error at all
    # The module path of the exception does not count (IPython shows the bare name), its message does.
    ("Traceback (most recent call last):\n  ...\njson.decoder.JSONDecodeError: Expecting value: line 1",
     "", "JSONDecodeError: Expecting value: line 1", True),
    ("Traceback (most recent call last):\n  ...\njson.decoder.JSONDecodeError: Expecting value: line 1",
     "", "JSONDecodeError: Extra data: line 1", False),
    ("\x1b[33m2\x1b[39m", "2\n", "", False),  # the claim is compared as written
    ("2", "\x1b[33m2\x1b[39m\n", "", True),  # colour codes of the real output are ignored
])
def test_compare_follows_doctest_rules(expected: str, printed: str, error: str, holds: bool) -> None:
    result = claims.compare(expected, printed, error=error)
    assert (result == claims.HOLDS) is holds
    if not holds:
        assert result.startswith("the tutorial shows `") and "printed" in result


def test_a_mismatch_note_names_both_outputs_and_the_runtime() -> None:
    note = claims.compare("{3, 1, 2}", "{1, 2, 3}\n", runtime="Python 3.11")
    assert note == "the tutorial shows `{3, 1, 2}`; Python 3.11 printed `{1, 2, 3}`"
