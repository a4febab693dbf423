"""Exercise generator: predict what a piece of the tutorial's code prints.

A short cell, in any language whose output `course check` records (Python, Ruby,
JavaScript, Go, shell), that ran as written and printed a few steady lines. The
expected output is what check recorded the cell printing (`CodeBlock.printed`, from
findings.json): convert never runs code to learn it, so a cell check has not run
yet gets no exercise until the next check+convert. An output the tutorial writes
out anywhere (a `# => ...` comment, the prose) is not asked: reading it off is no
prediction. The check compares the learner's answer with it line by line, by
digest (the output itself never appears in the check); only spaces at line ends and
blank lines at the end don't count.

This module also holds the static helpers the other code generators share
(`running_blocks`, `context_for`, `impure`, ...).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .. import python_code as py
from ..document import CodeBlock, Document, Exercise, Heading
from ..myst_escape import code_fence
from .checks import CHECK_HELPERS, digest

RUNNING = ("runs", "rewritten")
MAX_LINES = 6
MAX_LINE_CHARS = 120
# Quality heuristics, not safety (tutorial code only ever runs in check's sandbox):
# output that would change from run to run or machine to machine makes a bad question.
_UNSTABLE_OUTPUT = re.compile(
    r"0x[0-9a-f]{4,}|\bat 0x|\d+\.\d+\s*(s|ms|sec|secs|seconds)\b|\d{1,2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}"
    r"|/tmp/|<[\w.]+ object|\bpid\b",
    re.I,
)
# Calls whose results depend on the run (I/O, time, randomness, processes, network): a check
# comparing such code's behaviour or output would be flaky, so generators decline it.
_IMPURE_NAMES = {
    "open", "input", "exec", "eval", "compile", "breakpoint", "exit", "quit", "id", "hash", "globals",
    "locals", "vars", "setattr", "delattr", "__import__",
}
_IMPURE_MODULES = {
    "os", "sys", "io", "time", "random", "secrets", "uuid", "datetime", "subprocess", "socket", "shutil",
    "pathlib", "threading", "multiprocessing", "concurrent", "asyncio", "requests", "httpx", "aiohttp",
    "urllib", "http", "sqlite3", "tempfile", "logging", "signal", "select", "selectors", "smtplib",
    "ftplib", "webbrowser", "glob", "pickle", "shelve", "dbm", "getpass", "platform", "psutil", "gc",
    "inspect", "importlib", "builtins", "ctypes", "resource", "tracemalloc", "timeit",
}
_IMPURE_METHODS = {
    "write", "writelines", "read", "readline", "readlines", "write_text", "write_bytes", "read_text",
    "read_bytes", "unlink", "mkdir", "rmdir", "touch", "send", "sendall", "recv", "connect", "execute",
    "executemany", "commit", "sleep", "urlopen", "get_event_loop", "run_until_complete", "create_task",
    "start", "submit", "map_async", "run", "fetch", "post", "put", "delete", "request",
}


# --------------------------------------------------------------------------------------------
# Shared helpers: the tutorial's running code and static slicing.


@dataclass(frozen=True, slots=True)
class Statement:
    """One top-level statement of a running cell."""

    block: int
    """Index of its block in `doc.blocks`."""
    node: ast.stmt
    source: str
    binds: frozenset[str]
    """Names it binds at module level."""


def running_blocks(doc: Document) -> list[tuple[int, CodeBlock, ast.Module]]:
    """The Python cells the notebook runs as they are (or rewritten), parsed."""
    found = []
    for index, block in enumerate(doc.blocks):
        if isinstance(block, CodeBlock) and block.language == "python" and block.status in RUNNING:
            tree = py.parse(block.code)
            if tree is not None:
                found.append((index, block, tree))
    return found


def top_binds(node: ast.stmt) -> frozenset[str]:
    """Module-level names one statement binds (loosely, for compound statements)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return frozenset({node.name})
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return frozenset((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
    names = set()
    for sub in py.walk(node):
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)) and sub is not node:
            if not isinstance(sub, ast.Lambda):
                names.add(sub.name)
            continue
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, (ast.Store, ast.Del)):
            names.add(sub.id)
    return frozenset(names)


def statements(doc: Document) -> list[Statement]:
    found = []
    for index, block, tree in running_blocks(doc):
        for node in tree.body:
            source = ast.get_source_segment(block.code, node) or ""
            found.append(Statement(index, node, source, top_binds(node)))
    return found


def needs_of(tree: ast.AST) -> set[str]:
    """Outside names the code reads when it runs, counting the bodies of the functions it defines."""
    module = tree if isinstance(tree, ast.Module) else ast.Module(body=[tree], type_ignores=[])
    f = py.facts(module)
    needed = set(f.needs)
    for inner in f.deferred.values():
        needed |= inner
    return needed - py.BUILTINS


_MUTATORS = {"append", "extend", "insert", "pop", "remove", "clear", "update", "add", "discard",
             "setdefault", "sort", "reverse", "popitem", "appendleft", "popleft"}


def mutated_names(trees: list[ast.AST]) -> set[str]:
    """Names whose objects the code changes in place (x.append(...), x[k] = v, x.attr = v, global x)."""
    names = set()
    for tree in trees:
        for node in py.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _MUTATORS:
                if isinstance(node.func.value, ast.Name):
                    names.add(node.func.value.id)
            elif isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)):
                if isinstance(node.value, ast.Name):
                    names.add(node.value.id)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                names |= set(node.names)
    return names


def context_for(doc: Document, needed: set[str], *, exclude: ast.AST | None = None) -> str | None:
    """The tutorial statements that define `needed` (and what they need in turn), in order,
    as source; None when a name is ambiguous (bound twice, changed in place, awaited)."""
    stmts = [s for s in statements(doc) if s.node is not exclude]
    mutated = mutated_names([s.node for s in stmts])
    chosen: dict[int, Statement] = {}
    order = {id(s.node): n for n, s in enumerate(stmts)}
    todo, seen = list(needed), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        binders = [s for s in stmts if name in s.binds]
        if not binders:
            return None
        imports = [s for s in binders if isinstance(s.node, (ast.Import, ast.ImportFrom))]
        if imports and len(imports) == len(binders):
            statement = imports[-1]
        elif len(binders) == 1 and name not in mutated:
            statement = binders[0]
        else:
            return None
        definition = isinstance(statement.node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if not definition and not isinstance(statement.node, (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)):
            return None
        if awaits(statement.node) and not definition:
            return None
        chosen[id(statement.node)] = statement
        todo += sorted(needs_of(statement.node))
    picked = sorted(chosen.values(), key=lambda s: order[id(s.node)])
    return "\n".join(s.source for s in picked)


def awaits(node: ast.AST) -> bool:
    """Top-level await (outside any async function)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            return True
        if not isinstance(current, (ast.AsyncFunctionDef, ast.FunctionDef, ast.Lambda)) or current is node:
            stack += list(ast.iter_child_nodes(current))
    return False


def impure(tree: ast.AST) -> bool:
    """The code does I/O, keeps time, draws random numbers, sleeps or touches processes/network:
    its behaviour may differ between runs (a quality heuristic, not a safety check)."""
    for node in py.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(m.split(".")[0] in _IMPURE_MODULES for m in modules):
                return True
        elif isinstance(node, ast.Call):
            name = py.dotted(node.func)
            if name in _IMPURE_NAMES or name.split(".")[0] in _IMPURE_MODULES:
                return True
            if isinstance(node.func, ast.Attribute) and node.func.attr in _IMPURE_METHODS:
                return True
        elif isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith, ast.AsyncFunctionDef,
                               ast.Yield, ast.YieldFrom, ast.Global, ast.Nonlocal)):
            return True
    return False


def section_of(doc: Document, index: int) -> str:
    """Text of the nearest heading before block `index`."""
    for block in reversed(doc.blocks[:index]):
        if isinstance(block, Heading):
            return block.text
    return ""


def fenced(code: str, language: str = "python") -> str:
    """The code as a fence in an exercise prompt: longer than any backtick run inside it."""
    return code_fence(code.rstrip(), language)


# --------------------------------------------------------------------------------------------
# Predict: Python cells.

MAX_PREDICT = 3


def predict_output(doc: Document) -> list[Exercise]:
    """Offer "what does this print?" exercises, best first: cells in any language that
    `course check` saw print a steady output the tutorial itself does not state anywhere."""
    stated = "\n".join(b.code if isinstance(b, CodeBlock) else getattr(b, "text", "") for b in doc.blocks)
    found = []
    for index, block in enumerate(doc.blocks):
        if not isinstance(block, CodeBlock) or block.status not in RUNNING or block.volatile or block.services:
            continue
        if block.printed is None or block.language not in LANGUAGES:
            continue
        lines = printed_lines(block.printed)
        if not _askable(lines) or "\n".join(lines) in stated:
            continue  # the tutorial shows this output
        if block.status == "runs" and _short_printing(block) and not _stated(lines, stated):
            found.append(_exercise(doc, index, block, lines, block.code))
        elif (traced := _traced(doc, block)) and len(lines) > 1 and not _in_written_order(lines, traced):
            # the lines may be spelled out in the code: the question is their order
            found.append(_exercise(doc, index, block, lines, traced))
    return found[:MAX_PREDICT]


def _traced(doc: Document, block: CodeBlock) -> str | None:
    """Async Python whose print order its awaits and sleeps decide (`await asyncio.gather(...)`
    of coroutines defined earlier): the definitions it runs and the cell, to trace; else None."""
    if block.language != "python":
        return None
    tree = py.parse(block.code)
    if tree is None or len(tree.body) > 15 or not awaits(tree):
        return None
    calls = {py.dotted(n.func).split(".")[0] for n in py.walk(tree) if isinstance(n, ast.Call)}
    if calls & (_IMPURE_MODULES - {"asyncio"}) or calls & _IMPURE_NAMES:
        return None
    bound = set().union(*(top_binds(node) for node in tree.body))
    context = context_for(doc, needs_of(tree) - bound - {"asyncio"})
    if context is None or "print(" not in context + block.code:
        return None
    own = {line.strip() for line in block.code.splitlines()}
    context = "\n".join(line for line in context.splitlines() if not (line.startswith("import ") and line.strip() in own))
    return f"{context}\n\n{block.code.rstrip()}".strip()


def _in_written_order(lines: list[str], code: str) -> bool:
    """Every printed line is a literal of the code, in the order the code writes them: tracing
    that is only reading down the page."""
    position = 0
    for line in lines:
        found = code.find(line.strip(), position)
        if found < 0:
            return False
        position = found + len(line.strip())
    return True


LANGUAGES = ("python", "ruby", "javascript", "go", "shell")
"""Languages whose printed output `course check` records and a learner can predict by reading."""


def _short_printing(block: CodeBlock) -> bool:
    if block.language == "python":
        tree = py.parse(block.code)
        return tree is not None and _candidate(tree)
    return len(block.code.splitlines()) <= 25 and bool(PRINTING.search(block.code))


def _candidate(tree: ast.Module) -> bool:
    """A short cell that prints to stdout, without a value shown as Out[], and nothing in it
    that makes the output change from run to run (I/O, time, randomness, interleaved tasks)."""
    if not tree.body or len(tree.body) > 15:
        return False
    prints = [n for n in py.walk(tree) if isinstance(n, ast.Call) and py.dotted(n.func) == "print"]
    if not prints or awaits(tree) or impure(tree):
        return False
    if any(any(k.arg == "file" for k in n.keywords) for n in prints):
        return False
    last = tree.body[-1]
    if isinstance(last, ast.Expr) and not (isinstance(last.value, ast.Call) and py.dotted(last.value.func) == "print"):
        return False  # the notebook would also show the last expression's value
    return True


def _askable(lines: list[str]) -> bool:
    """A few short lines that look the same on every run (a quality heuristic)."""
    text = "\n".join(lines)
    if not text.strip() or len(lines) > MAX_LINES or any(len(line) > MAX_LINE_CHARS for line in lines):
        return False
    return not (_UNSTABLE_OUTPUT.search(text) or "```" in text)


def _stated(lines: list[str], text: str) -> bool:
    """The tutorial writes the output out somewhere (in the code, a comment, the prose):
    reading it off is no prediction."""
    return all(line.strip() in text for line in lines if line.strip())


# What counts as "the same output": the printed lines, less spaces at line ends and blank
# lines at the end. One definition, run here and pasted into the checks.
_PRINTED_HELPERS = '''\
import hashlib as _hashlib

def _printed_lines(text):
    return "\\n".join(line.rstrip() for line in str(text).splitlines()).rstrip("\\n").split("\\n")

def _line_digests(text):
    return [_hashlib.sha256(line.encode()).hexdigest()[:16] for line in _printed_lines(text)]
'''
_helpers: dict = {}
exec(_PRINTED_HELPERS, _helpers)  # our own helper source (never tutorial code)
printed_lines = _helpers["_printed_lines"]
line_digests = _helpers["_line_digests"]

_CHECK = '''\
{helpers}
assert answer is not ..., "Replace the ... with the text you expect the code to print."
assert isinstance(answer, str), "Put the printed text in a string, e.g. answer = \\"first line\\\\nsecond line\\"."
_expected, _given = {digests!r}, _line_digests(answer)
if _given != _expected:
    _wrong = next((n for n, (a, b) in enumerate(zip(_given, _expected), start=1) if a != b), None)
    if _wrong is not None:
        raise AssertionError(f"Not quite: line {{_wrong}} of your answer differs from what the code prints.")
    raise AssertionError(
        f"Not quite: the code prints {{len(_expected)}} line(s), your answer has {{len(_given)}}."
    )
print("✅ Right! That is exactly what the code prints.")
'''


def _exercise(doc: Document, index: int, block: CodeBlock, lines: list[str], shown: str) -> Exercise:
    text = "\n".join(lines)
    solution = _answer(text)
    prompt = (
        "Read this code from the tutorial and work out what it prints, without running it:\n\n"
        f"{fenced(shown, block.language)}\n\n"
        "What does this print? Write the printed text as a string in `answer` "
        "(one line per printed line: use `\\n` or a triple-quoted string). "
        "Write it exactly: letter case, spaces and punctuation count; only spaces at the end "
        "of a line and blank lines at the end don't."
    )
    starter = (
        "# What does the code print? Put the printed text in a string,\n"
        "# e.g. answer = \"first line\\nsecond line\"\n"
        "answer = ...\n"
    )
    return Exercise(
        kind="predict", title="Predict the output", prompt=prompt, starter=starter, solution=solution,
        check=_CHECK.format(helpers=_PRINTED_HELPERS, digests=line_digests(text)),
        section=section_of(doc, index),
        right=(f"answer = {text + chr(10)!r}\n", "answer = " + repr("\n".join(f"{line}  " for line in lines)) + "\n"),
        wrong=tuple(f"answer = {w!r}\n" for w in _near_misses(lines)),
    )


def _answer(text: str) -> str:
    lines = text.split("\n")
    if len(lines) == 1 or not all(line.isprintable() for line in lines):
        return f"answer = {text!r}\n"
    body = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return f'answer = """\\\n{body}\n"""\n'


def _near_misses(lines: list[str]) -> list[str]:
    """Answers a careless reader gives: a line missing, the case changed, two lines swapped,
    a number off by one. Each differs from the output (an exact comparison rejects it)."""
    text = "\n".join(lines)
    misses = []
    if len(lines) > 1:
        misses.append("\n".join(lines[:-1]))
    else:
        misses.append(text + "\n" + text)
    for changed in (text.swapcase(), "\n".join(lines[::-1]), re.sub(r"\d", lambda m: str((int(m.group()) + 1) % 10), text, count=1),
                    text.rstrip(".!?:") if text.rstrip(".!?:") != text else text + "."):
        if changed != text and changed not in misses:
            misses.append(changed)
    return misses[:4]


# Calls that print, in the languages the tutorials use (other generators read it too).
PRINTING = re.compile(r"\b(puts|print|println|printf|p|pp|console\.log|echo|fmt\.Print\w*|System\.out\.print\w*|say)\b")
