"""Static facts about a Python snippet: what it binds, needs, imports and opens.

Deliberately loose about scopes: the aim is to predict whether a tutorial's
cell will fail in a notebook, not to be a compiler.
"""

from __future__ import annotations

import ast
from functools import lru_cache
import re
import builtins
from dataclasses import dataclass, field

BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "display", "get_ipython"}
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True, slots=True)
class Facts:
    """What one snippet does, as far as running it is concerned."""

    binds: frozenset[str]
    """Names the snippet defines at module level (and, loosely, anywhere)."""
    needs: frozenset[str]
    """Names read while the snippet runs (module level, decorators, defaults, class bodies)."""
    calls: frozenset[str]
    """Plain names called while the snippet runs: their function bodies run too."""
    deferred: dict[str, frozenset[str]] = field(default_factory=dict)
    """For each function defined: the outside names its body reads when called."""
    imports: tuple[tuple[str, int], ...] = ()
    """(module, level) of every import, anywhere; level > 0 is relative."""
    imports_now: tuple[tuple[str, int], ...] = ()
    """The imports that run with the snippet (not those inside function bodies)."""


MAX_DEPTH = 200
"""Syntax trees deeper than this are treated as code that does not parse: the passes walk
trees recursively, and `x = ------...1` (100,000 minus signs) made CPython's own parser
raise MemoryError."""


class Unparsable(SyntaxError):
    """Code the passes do not take apart: not Python, or nested too deep for them."""


def parse_or_raise(code: str) -> ast.Module:
    """The syntax tree; SyntaxError (Unparsable for the cases ast.parse does not raise it for).
    The tree is shared by every caller that parses the same code: never change it."""
    tree = _parsed(code)
    if isinstance(tree, SyntaxError):
        raise type(tree)(*tree.args)  # a fresh one: a raised exception keeps its traceback
    return tree


@lru_cache(maxsize=256)
def _parsed(code: str) -> ast.Module | SyntaxError:
    """Cached: the passes and the exercise generators take the same block apart again and
    again (the seeds: 713 parses of 247 blocks)."""
    try:
        tree = ast.parse(code)
    except SyntaxError as err:
        return err.with_traceback(None)
    except (ValueError, MemoryError, RecursionError) as err:  # NUL bytes, a parser stack overflow
        return Unparsable(f"Python's parser gave up ({type(err).__name__})")
    if _depth(tree) > MAX_DEPTH:
        return Unparsable(f"nested more than {MAX_DEPTH} deep")
    return tree


def walk(node: ast.AST) -> tuple[ast.AST, ...]:
    """`ast.walk(node)`, kept on the node: the passes and generators walk the same shared trees
    (see `parse_or_raise`) again and again, 2,959 walks of 485 trees on the seeds."""
    try:
        return node._walked  # type: ignore[attr-defined]
    except AttributeError:
        walked = node._walked = tuple(ast.walk(node))  # type: ignore[attr-defined]
        return walked


def parse(code: str) -> ast.Module | None:
    """The syntax tree, or None for code that does not parse (or is nested too deep)."""
    try:
        return parse_or_raise(code)
    except SyntaxError:
        return None


def _depth(tree: ast.AST) -> int:
    """How deep the tree is (iteratively: a deep tree is what this guards against)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_DEPTH:
            stack += [(child, depth + 1) for child in ast.iter_child_nodes(node)]
    return deepest


def facts(tree: ast.Module) -> Facts:
    binds = _bound(tree)
    needs: set[str] = set()
    calls: set[str] = set()
    deferred: dict[str, frozenset[str]] = {}
    for node in run_now(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            needs.add(node.id)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            calls.add(node.func.id)
        elif isinstance(node, _FUNCTIONS):
            body = ast.Module(body=node.body, type_ignores=[])
            inner = {n.id for n in walk(body) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            params = {a.arg for a in walk(node.args) if isinstance(a, ast.arg)}
            deferred[node.name] = frozenset(inner - _bound(body) - params - BUILTINS)
    return Facts(
        frozenset(binds), frozenset(needs - BUILTINS), frozenset(calls), deferred,
        _imports(walk(tree)), _imports(run_now(tree)),
    )


def _imports(nodes) -> tuple[tuple[str, int], ...]:
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return tuple(found)


def imported_modules(tree: ast.AST) -> list[tuple[str, int]]:
    """Every module an import may load, with its relative level: `from . import blog` may load
    the submodule `.blog`, and `from app import routes` the module `app.routes`."""
    found = list(_imports(walk(tree)))
    for node in walk(tree):
        if isinstance(node, ast.ImportFrom):
            found += [(".".join(filter(None, [node.module, a.name])), node.level) for a in node.names if a.name != "*"]
    return found


def missing_names(f: Facts, known: set[str], functions: dict[str, frozenset[str]]) -> set[str]:
    """Names the snippet needs that neither it nor `known` provides, counting the
    bodies of the functions it calls (its own and earlier ones in `functions`)."""
    needed = set(f.needs)
    seen: set[str] = set()
    todo = list(f.calls)
    bodies = {**functions, **f.deferred}
    while todo:
        name = todo.pop()
        if name in seen or name not in bodies:
            continue
        seen.add(name)
        needed |= bodies[name]
        todo += [n for n in bodies[name] if n in bodies]
    return needed - f.binds - known - BUILTINS


def run_now(tree: ast.AST):
    """Nodes evaluated when the snippet runs: not function bodies (they run when called)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, _FUNCTIONS):
            stack += node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d]
            stack += [a.annotation for a in walk(node.args) if isinstance(a, ast.arg) and a.annotation]
            stack += [node.returns] if node.returns else []
        elif isinstance(node, ast.Lambda):
            stack += node.args.defaults
        else:
            stack += list(ast.iter_child_nodes(node))


def _bound(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere."""
    names: set[str] = set()
    for node in walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names |= set(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
    return names


def dotted(node: ast.AST) -> str:
    """`a.b.c` for a Name/Attribute chain, "" otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def string(node: ast.AST | None) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def files_opened(tree: ast.AST, *, writing: bool) -> set[str]:
    """Literal file names the code opens for writing (or for reading)."""
    names = set()
    for node in walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if dotted(node.func) in ("open", "io.open") and node.args and string(node.args[0]):
            mode = string(node.args[1]) if len(node.args) > 1 else next(
                (string(k.value) for k in node.keywords if k.arg == "mode"), "r")
            if bool(set(mode or "r") & set("wax")) == writing:
                names.add(string(node.args[0]))
        elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call):
            inner = node.func.value
            if dotted(inner.func) in ("Path", "pathlib.Path") and inner.args and string(inner.args[0]):
                if node.func.attr in (("write_text", "write_bytes") if writing else ("read_text", "read_bytes")):
                    names.add(string(inner.args[0]))
    return names


def import_lines(tree: ast.Module, code: str) -> dict[str, str]:
    """Name -> the top-level import statement (source text) that binds it."""
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and not (isinstance(node, ast.ImportFrom) and node.level):
            source = ast.get_source_segment(code, node) or ""
            for alias in node.names:
                found[(alias.asname or alias.name).split(".")[0]] = source
    return found


def is_literal(node: ast.AST) -> bool:
    """Whether the expression is a plain literal (numbers, strings, containers of them)."""
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


# Statements and literals only Python 2 has: `print "x"`, `except E, e:`, `exec "..."`, backticks, `<>`, `10L`, `ur""`.
_PYTHON2 = re.compile(
    r"^\s*print\s+(?![\s(=]|$)[\"'\w]|^\s*except\s+[\w.]+\s*,\s*\w+\s*:|^\s*exec\s+[\"']|^\s*raise\s+\w+\s*,|"
    r"`\w+`|\s<>\s|\b\d+L\b|\bur[\"']|\.has_key\(|\bxrange\(|\braw_input\(|\bunicode\(", re.M)


def python2_line(code: str) -> str:
    """The first line that only Python 2 reads ("" when none does)."""
    match = _PYTHON2.search(code)
    if not match:
        return ""
    start = code.rfind("\n", 0, match.start()) + 1
    end = code.find("\n", match.start())
    return code[start:end if end >= 0 else None].strip()
