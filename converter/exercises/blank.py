"""Exercise generator: put back a piece of a cell the tutorial runs ("complete the code").

For a running cell whose output is stable, one piece that matters is taken out:
an argument naming something the tutorial defined (`app.register_blueprint(auth_bp)`),
a keyword value (`url_prefix='/admin'`), a route path, or the awaited call. The
starter is the cell wrapped in `def my_version():` (`async def` when it awaits)
with `...` in place of the piece; the check runs the learner's version and the
tutorial's and compares what they print. The tutorial's version travels
compressed in the check, so the answer is not in plain sight; learner copies hold
only the digests of what it does.

Such cells need the notebook's own files and state (a Flask app importing the
`auth.py` the notebook wrote), so the contract is proved where they run:
`course check` runs every starter/check and solution/check pair in the kernel.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .. import python_code as py
from ..document import CodeBlock, Document, Exercise, Heading
from .checks import packed, reference
from .predict import awaits, impure

MAX_OFFERS = 2
MAX_LINES = 40


@dataclass(frozen=True, slots=True)
class _Piece:
    """One single-line piece of code to take out, and a hint about what it is."""

    line: int
    start: int
    end: int
    hint: str


def complete_a_line(doc: Document) -> list[Exercise]:
    """Offer "put the missing piece back" exercises on the tutorial's running cells, best first."""
    defined: set[str] = set()
    section = ""
    found: list[tuple[int, Exercise]] = []
    for block in doc.blocks:
        if isinstance(block, Heading):
            section = block.text
        if not isinstance(block, CodeBlock) or block.language != "python":
            continue
        tree = py.parse(block.code)
        if tree is None or block.status not in ("runs", "rewritten", "file"):
            continue
        if (block.status != "file" and _suitable(block, tree)) or (block.status == "file" and _is_settings(tree)):
            pieces = _pieces(block, tree, defined)
            if pieces:
                rank, piece = pieces[0]
                found.append((rank, _exercise(block, piece, tree, section, sorted(defined))))
        defined |= py.facts(tree).binds
    found.sort(key=lambda item: item[0])
    return [exercise for _, exercise in found[:MAX_OFFERS]]


_ROUTES = ("route", "get", "post", "put", "patch", "delete")


def _suitable(block: CodeBlock, tree: ast.Module) -> bool:
    """A short cell with observable behaviour (it prints, or defines functions the check can
    call, or a web app whose routes it can list) and no I/O of its own, nor a server's state
    (a Redis counter gives another answer each time the check replays the code)."""
    lines = block.code.count("\n") + 1
    return _observable(tree) and not block.volatile and not block.services and lines <= MAX_LINES and not _touches_files(tree) and not (
        impure(tree) and not awaits(tree)
    )


def _observable(tree: ast.Module) -> bool:
    prints = any(isinstance(n, ast.Call) and py.dotted(n.func) == "print" for n in py.walk(tree))
    callable_here = any(
        isinstance(n, ast.FunctionDef) and not n.args.args and not n.args.kwonlyargs
        and all(_is_route(d) for d in n.decorator_list)
        for n in tree.body
    )
    # A decorator with arguments leaves them on the function (pytest marks, routes).
    decorated = any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(isinstance(d, ast.Call) and (d.args or d.keywords) for d in n.decorator_list)
        for n in tree.body
    )
    return prints or callable_here or decorated


def _is_route(decorator: ast.expr) -> bool:
    """`@app.route("/")`, `@bp.get("/x")`: the decorator hands back the function itself."""
    return isinstance(decorator, ast.Call) and py.dotted(decorator.func).rsplit(".", 1)[-1] in _ROUTES


def _is_settings(tree: ast.Module) -> bool:
    """A file of plain settings (NAME = value lines, like a Django settings.py): safe to run anywhere."""
    assigns = [n for n in tree.body if isinstance(n, ast.Assign)]
    return bool(assigns) and all(
        isinstance(n, ast.Assign) and all(isinstance(t, ast.Name) for t in n.targets)
        and not any(isinstance(x, ast.Call) for x in py.walk(n.value))
        for n in tree.body
    )


def _touches_files(tree: ast.Module) -> bool:
    return bool(py.files_opened(tree, writing=True) | py.files_opened(tree, writing=False))


def _pieces(block: CodeBlock, tree: ast.Module, defined: set[str]) -> list[tuple[int, _Piece]]:
    """Candidate pieces, best first; only in lines the tutorial wrote (not a recipe's lines)."""
    own = {line.strip() for line in (block.original or block.code).splitlines() if line.strip()}
    lines = block.code.splitlines()
    found: list[tuple[int, _Piece]] = []
    # Only what runs when the cell runs: a piece inside a function body that nobody
    # calls would change nothing the check can see.
    for node in py.run_now(tree):
        if isinstance(node, ast.Call):
            for arg in node.args:
                if isinstance(arg, ast.Name) and arg.id in defined:
                    found.append((0, _piece(arg, "a name the tutorial defined earlier")))
                elif isinstance(arg, ast.Constant) and isinstance(arg.value, str) and _is_route(node):
                    found.append((2, _piece(arg, "the URL of the route")))
            for keyword in node.keywords:
                if keyword.arg and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    found.append((1, _piece(keyword.value, f"the value of `{keyword.arg}`")))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if names and names[0].isupper():
                found.append((1, _piece(node.value, f"the value of the setting `{names[0]}`")))
        elif isinstance(node, ast.Await) and isinstance(node.value, ast.Call) and py.dotted(node.value.func) in defined | py.facts(tree).binds:
            # The await may be ours (asyncio.run() rewritten), the coroutine is the tutorial's.
            found.append((3, _piece(node.value, "the coroutine the tutorial runs")))
    usable = [
        (rank, piece) for rank, piece in found
        if 0 < piece.line <= len(lines) and (rank == 3 or lines[piece.line - 1].strip() in own)
        and "# changed:" not in lines[piece.line - 1]
    ]
    return sorted(usable, key=lambda item: (item[0], item[1].line))


def _piece(node: ast.expr, hint: str) -> _Piece:
    if node.lineno != node.end_lineno:
        return _Piece(0, 0, 0, hint)  # spread over lines: line 0 never matches
    return _Piece(node.lineno, node.col_offset, node.end_col_offset, hint)


def _wrapped(code: str, name: str, asynchronous: bool) -> str:
    body = "\n".join(("    " + line) if line.strip() else "" for line in code.splitlines())
    ending = "    return locals()  # the check compares what this code defines, as well as what it prints"
    return f"{'async ' if asynchronous else ''}def {name}():\n{body}\n{ending}\n"


def _with_piece(block: CodeBlock, piece: _Piece, text: str, asynchronous: bool) -> str:
    """The learner's cell with `text` where the piece goes."""
    lines = block.code.splitlines()
    line = lines[piece.line - 1]
    lines[piece.line - 1] = f"{line[:piece.start]}{text}{line[piece.end:]}"
    return _wrapped("\n".join(lines), "my_version", asynchronous)


def _answers(block: CodeBlock, piece: _Piece, names: list[str], asynchronous: bool) -> tuple[tuple, tuple]:
    """Correct variants (the piece in parentheses; a comment added) and wrong answers (another
    name the tutorial defined earlier, the empty string, None) for `course check` to try."""
    line = block.code.splitlines()[piece.line - 1]
    text = line[piece.start:piece.end]
    commented = _wrapped(f"# my answer\n{block.code}", "my_version", asynchronous)
    right = (_with_piece(block, piece, f"({text})", asynchronous), commented)
    others = [n for n in names if n != text and not n.startswith("_")][-2:]
    wrong = tuple(_with_piece(block, piece, other, asynchronous) for other in [*others, '""', "None", "0"][:3])
    return right, wrong


def _exercise(block: CodeBlock, piece: _Piece, tree: ast.Module, section: str, names: list[str] = ()) -> Exercise:
    asynchronous = awaits(tree)
    lines = block.code.splitlines()
    line = lines[piece.line - 1]
    lines[piece.line - 1] = f"{line[:piece.start]}...{line[piece.end:]}  # <- complete this"
    starter = (
        "# The tutorial's code with one piece taken out: put it back where `...` is.\n"
        "# Then run the check below: it compares what your version prints with the tutorial's.\n"
        + _wrapped("\n".join(lines), "my_version", asynchronous)
    )
    solution = _wrapped(block.code, "my_version", asynchronous)
    right, wrong = _answers(block, piece, list(names), asynchronous)
    # Same function name as the learner's, so that qualified names in what they define match.
    tutorial = packed(_wrapped(block.code, "my_version", asynchronous))
    prompt = (
        f"This is the tutorial's code from «{section}» with one piece taken out (`...`). "
        f"Put it back: the missing piece is {piece.hint}. Your version must behave exactly like the "
        "tutorial's code (print the same, define the same). Run the tutorial's cells above first, "
        "then yours, then the check."
        if section else
        f"This is the tutorial's code with one piece taken out (`...`). Put it back: the missing piece is "
        f"{piece.hint}. Your version must behave exactly like the tutorial's code."
    )
    return Exercise(
        kind="complete", title="Complete the code", prompt=prompt, starter=starter, solution=solution,
        check=_check(tutorial, asynchronous),
        section=section, right=right, wrong=wrong,
    )


def _check(tutorial: str, asynchronous: bool) -> str:
    """Runs the learner's `my_version` and the tutorial's (packed), compares their fingerprints."""
    await_ = "await " if asynchronous else ""
    run = _REFERENCE.replace("{tutorial}", tutorial).replace("{await}", await_)
    code = (_ASYNC_CHECK if asynchronous else _CHECK).replace("{{", "{").replace("}}", "}")
    return code.replace("{reference}", reference(run))


# The tutorial's own version, compressed: it is the answer, so it is not shown here.
_REFERENCE = '''\
import base64 as _base64, zlib as _zlib
_namespace = dict(globals())
exec(_zlib.decompress(_base64.b64decode("{tutorial}")).decode(), _namespace)
_expected = {await}_behaviour(_namespace["my_version"])
'''

_BEHAVIOUR = '''\
import contextlib as _contextlib, hashlib as _hashlib, inspect as _inspect, io as _io, os as _os

def _observed(made, printed):
    """What a version shows: its printed text, the plain values it sets, what its argument-free
    functions return and what decorators left on them, its routes, and the simple settings
    of the objects it makes."""
    seen = [printed]
    for name, value in sorted((made or {{}}).items()):
        if _inspect.isfunction(value) and not _inspect.iscoroutinefunction(value) and not [
            p for p in _inspect.signature(value).parameters.values() if p.default is p.empty
        ]:
            try:
                seen.append((name, repr(value())))
            except Exception as error:
                seen.append((name, type(error).__name__))
        rules = getattr(value, "url_map", None)
        if rules is not None and hasattr(rules, "iter_rules"):
            seen.append((name, sorted(str(rule) for rule in rules.iter_rules())))
        routes = getattr(value, "routes", None)
        if isinstance(routes, list):
            seen.append((name, sorted(str(getattr(route, "path", "")) for route in routes)))
        if _inspect.isroutine(value):
            marks = [(k, repr(v)) for k, v in sorted(vars(value).items()) if " at 0x" not in repr(v)]
            seen.append((name, marks))
        if isinstance(value, (str, int, float, bool, list, tuple, dict, set, type(None))):
            seen.append((name, repr(value)))
        elif not (_inspect.ismodule(value) or _inspect.isroutine(value) or _inspect.isclass(value)):
            simple = (str, int, float, bool, type(None))
            state = getattr(value, "__dict__", {{}})
            seen.append((name, sorted((k, repr(v)) for k, v in state.items() if isinstance(v, simple))))
    return seen

def _fingerprint(seen):
    """What a version shows, by digest: its printed lines, then each name with its value's
    digest (a learner copy holds the tutorial's fingerprint, not its code). The folder it
    runs in is left out (a Flask app's root_path): a learner's is not check's."""
    here = _os.getcwd()
    sha = lambda text: _hashlib.sha256(str(text).replace(here, "<here>").encode()).hexdigest()[:16]
    return [[sha(line) for line in seen[0].splitlines()], *[[name, sha(value)] for name, value in seen[1:]]]

def _difference(yours, theirs):
    """What differs, said without the answer: the first printed line, or the first name."""
    if yours[0] != theirs[0]:
        mine, want = yours[0], theirs[0]
        line = next((n for n, (a, b) in enumerate(zip(mine, want), 1) if a != b), min(len(mine), len(want)) + 1)
        return f"what it prints differs from what the tutorial's code prints, from line {{line}} on"
    names = {{name for name, _value in yours[1:]}}
    for name, value in theirs[1:]:
        if name not in names:
            return f"it does not make `{{name}}`, which the tutorial's code makes"
        if [name, value] not in yours[1:]:
            return f"`{{name}}` is not what the tutorial's code makes"
    return "it makes more than the tutorial's code"
'''

_CHECK = _BEHAVIOUR + '''
def _behaviour(function):
    _buffer = _io.StringIO()
    with _contextlib.redirect_stdout(_buffer):
        _made = function()
    return _fingerprint(_observed(_made, _buffer.getvalue()))

assert "my_version" in globals(), "Run your cell with my_version() first."
try:
    _yours = _behaviour(my_version)
except Exception as _error:
    raise AssertionError(f"Your version raised {{type(_error).__name__}}: {{_error}}") from None
{reference}assert _yours == _expected, f"Not yet: your version does not behave like the tutorial's code: {_difference(_yours, _expected)}."
print("✅ Well done: your version behaves like the tutorial's code.")
'''

_ASYNC_CHECK = _BEHAVIOUR + '''
async def _behaviour(function):
    _buffer = _io.StringIO()
    with _contextlib.redirect_stdout(_buffer):
        _made = await function()
    return _fingerprint(_observed(_made, _buffer.getvalue()))

assert "my_version" in globals(), "Run your cell with my_version() first."
try:
    _yours = await _behaviour(my_version)
except Exception as _error:
    raise AssertionError(f"Your version raised {{type(_error).__name__}}: {{_error}}") from None
{reference}assert _yours == _expected, f"Not yet: your version does not behave like the tutorial's code: {_difference(_yours, _expected)}."
print("✅ Well done: your version behaves like the tutorial's code.")
'''
