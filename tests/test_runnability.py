"""The runnability pass: what runs, and the reason shown for what doesn't."""

from __future__ import annotations

import pytest

from converter.document import CodeBlock, Document, Meta, Paragraph
from converter.passes.runnability import RUNS, SKIPPED, decide_runnability


def _decide(*blocks: tuple[str, str]) -> list[CodeBlock]:
    doc = Document(Meta("t", "s"), tuple(CodeBlock(code, language=lang) for code, lang in blocks))
    return list(decide_runnability(doc).code_blocks)


RUNS_CASES = [
    "print('hello')",
    "import json\nprint(json.dumps({'a': 1}))",
    "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
    "import asyncio\n\nasync def main():\n    await asyncio.sleep(0)\n\nawait main()",
    "class A:\n    def __init__(self, x):\n        self.x = x\n\nprint(A(1).x)",
    "nums = [n * n for n in range(5)]\nprint(sum(nums))",
    "from collections import Counter\nprint(Counter('hello').most_common(1))",
    "import time\ntime.sleep(0.1)",
    "try:\n    1 / 0\nexcept ZeroDivisionError as err:\n    print(err)",
    "while True:\n    break",
    "if __name__ == '__main__':\n    print('main')",
    "import threading\nt = threading.Thread(target=print, args=('x',))\nt.start(); t.join()",
]


@pytest.mark.parametrize("code", RUNS_CASES)
def test_self_contained_python_runs(code: str) -> None:
    [block] = _decide((code, "python"))
    assert (block.status, block.reason) == (RUNS, "")


SKIP_CASES = [
    ("def broken(:\n    pass", "fragment, not complete Python"),
    ("from flask import Flask\napp = Flask(__name__)", "needs the package `flask`"),
    ("from .models import User", "tutorial's own module `.models`"),
    ("import asyncio\nasyncio.run(main())", "asyncio.run()"),
    ("name = input('Name? ')", "keyboard input"),
    ("import requests\nrequests.get('https://example.com')", "needs the network"),
    ("import urllib.request\nurllib.request.urlopen('http://x')", "needs the network"),
    ("import subprocess\nsubprocess.run(['ls'])", "runs programs or deletes files"),
    ("import shutil\nshutil.rmtree('build')", "runs programs or deletes files"),
    ("while True:\n    print('tick')", "loops forever"),
    ("import time\ntime.sleep(3600)", "sleeps for 3600 seconds"),
    ("server.serve_forever()", "never returns"),
    ("result = compute(data)", "a fragment: uses `compute`, `data`"),
    ("user.save()\nprofile.save()", "a fragment: uses `profile`, `user`"),
    ("!pip install flask", "shell commands"),
    ('with open("notes.txt") as f:\n    text = f.read()', "reads `notes.txt`"),
    ('from pathlib import Path\nPath("data.csv").read_text()', "reads `data.csv`"),
]


@pytest.mark.parametrize(("code", "reason"), SKIP_CASES)
def test_python_that_would_fail_is_skipped_with_reason(code: str, reason: str) -> None:
    [block] = _decide((code, "python"))
    assert block.status == SKIPPED
    assert reason in block.reason


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("go", "Go code"), ("ruby", "Ruby code"), ("javascript", "JavaScript for Node.js"),
        ("typescript", "TypeScript"), ("shell", "your own terminal"), ("sql", "database server"),
        ("html", "browser"), ("json", "JSON"), ("toml", "TOML"), ("text", "to read"), ("http", "HTTP"),
    ],
)
def test_other_languages_are_not_run_and_say_why(language: str, reason: str) -> None:
    [block] = _decide(("anything", language))
    assert block.status == SKIPPED and reason in block.reason


def test_names_from_earlier_running_cells_are_known() -> None:
    first, second = _decide(("x = 41", "python"), ("print(x + 1)", "python"))
    assert first.status == second.status == RUNS


def test_names_from_skipped_cells_are_not_known() -> None:
    first, second = _decide(("import flask\nx = 1", "python"), ("print(x)", "python"))
    assert first.status == second.status == SKIPPED
    assert "`x`" in second.reason


def test_files_written_earlier_can_be_read() -> None:
    first, second = _decide(
        ('with open("notes.txt", "w") as f:\n    f.write("hi")', "python"),
        ('print(open("notes.txt").read())', "python"),
    )
    assert first.status == second.status == RUNS


def test_prose_blocks_are_left_alone() -> None:
    doc = Document(Meta("t", "s"), (Paragraph("text"),))
    assert decide_runnability(doc) == doc
