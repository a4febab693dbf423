"""An event loop can't be started inside Jupyter's running one: await the coroutine instead.

Covers the ways tutorials start a loop: `asyncio.run(main())` (also imported as `run` or
through an alias), `loop.run_until_complete(...)` on `asyncio.get_event_loop()` or
`new_event_loop()`, and `runner.run(...)` in `with asyncio.Runner() as runner:`. Only calls
outside function bodies change: `await` is allowed there in a notebook cell.
"""

from __future__ import annotations

import ast

from ..python_code import dotted, walk

NOTE = "`{call}` became top-level `await`, because the notebook's event loop is already running"
_LOOPS = {"get_event_loop", "new_event_loop", "get_running_loop", "Runner"}
_STARTS = {"run", "run_until_complete"}


def rewrite(code: str, tree: ast.Module) -> tuple[str, str]:
    """Replace module-level loop starts by `await coroutine`; (code, note or "")."""
    names = _asyncio_names(tree)
    loops = _loop_variables(tree, names)
    starts = [n for n in _module_level(tree) if isinstance(n, ast.Call) and n.args and _starts_loop(n, names, loops)]
    closes = [n for n in _module_level(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
              and isinstance(n.value.func, ast.Attribute) and n.value.func.attr == "close"
              and dotted(n.value.func.value) in loops and not n.value.args]
    if not starts:
        return code, ""
    lines = code.split("\n")
    statements = _statements(tree)
    edits: dict[ast.stmt, list[ast.Call]] = {}
    for call in starts:
        edits.setdefault(_enclosing(statements, call), []).append(call)
    if any(a is not b and _within(a, b) for a in [*edits, *closes] for b in edits):
        return code, ""  # a loop started in a compound statement's header around another: leave it to the judge
    for statement in sorted([*edits, *closes], key=lambda s: s.lineno, reverse=True):
        first, last = statement.lineno - 1, statement.end_lineno
        old = lines[first:last]
        indent = old[0][: len(old[0]) - len(old[0].lstrip())]
        if statement in closes:
            new = [f"{indent}# {old[0].strip()}  # changed: the notebook's event loop is not ours to close"]
        else:
            debug = any(_debug(c) for c in edits[statement])
            new = [f"{indent}# {line[len(indent):] if line.startswith(indent) else line.strip()}" for line in old]
            new[0] += "  # changed: the notebook's event loop is already running"
            new += [f"{indent}asyncio.get_running_loop().set_debug(True)"] if debug else []
            new += _awaited(code, statement, edits[statement]).split("\n")
        lines[first:last] = new
    forms = sorted({_form(c, names) for c in starts})
    return _without_runners("\n".join(lines), names), NOTE.format(call="`, `".join(forms))


def _without_runners(code: str, names: dict[str, str]) -> str:
    """`with asyncio.Runner() as runner:` -> its body alone: a Runner closing its own loop
    would run it inside the notebook's (its calls are awaited by now)."""
    tree = ast.parse(code)  # top-level await parses (it is only refused when compiled)
    lines = code.split("\n")
    runners = [n for n in _module_level(tree) if isinstance(n, ast.With) and len(n.items) == 1
               and isinstance(n.items[0].context_expr, ast.Call) and _resolved(n.items[0].context_expr.func, names) == "Runner"]
    for node in sorted(runners, key=lambda n: n.lineno, reverse=True):
        item = node.items[0]
        header, body = node.lineno - 1, (item.optional_vars or item.context_expr).end_lineno
        shift = node.body[0].col_offset - node.col_offset
        indent = " " * node.col_offset
        lines[body : node.end_lineno] = [line[shift:] if line[:shift].isspace() else line for line in lines[body : node.end_lineno]]
        lines[header:body] = [f"{indent}# {line.strip()}  # changed: the notebook's event loop runs the calls below"
                              for line in lines[header:body]]
    return "\n".join(lines)


def _asyncio_names(tree: ast.Module) -> dict[str, str]:
    """Local name -> asyncio function or module: `import asyncio as aio`, `from asyncio import run`."""
    names = {"asyncio": "asyncio"}
    for node in walk(tree):
        if isinstance(node, ast.Import):
            names |= {(a.asname or a.name): "asyncio" for a in node.names if a.name == "asyncio"}
        elif isinstance(node, ast.ImportFrom) and node.module == "asyncio" and not node.level:
            names |= {(a.asname or a.name): a.name for a in node.names}
    return names


def _resolved(func: ast.AST, names: dict[str, str]) -> str:
    """`aio.run` -> `run`, `run` (from asyncio) -> `run`; "" for anything not from asyncio."""
    name = dotted(func)
    head, _, rest = name.partition(".")
    if names.get(head) == "asyncio" and rest and "." not in rest:
        return rest
    return names.get(name, "") if not rest and names.get(name) != "asyncio" else ""


def _loop_variables(tree: ast.Module, names: dict[str, str]) -> set[str]:
    """Names bound to an event loop or a Runner: `loop = asyncio.get_event_loop()`,
    `with asyncio.Runner() as runner`."""
    found = set()
    for node in walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _resolved(node.value.func, names) in _LOOPS:
            found |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            found |= {item.optional_vars.id for item in node.items
                      if isinstance(item.context_expr, ast.Call) and _resolved(item.context_expr.func, names) in _LOOPS
                      and isinstance(item.optional_vars, ast.Name)}
    return found


def _starts_loop(call: ast.Call, names: dict[str, str], loops: set[str]) -> bool:
    if _resolved(call.func, names) == "run":
        return True
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in _STARTS:
        return False
    target = call.func.value  # loop.run_until_complete(...), asyncio.get_event_loop().run_until_complete(...)
    return dotted(target) in loops or (isinstance(target, ast.Call) and _resolved(target.func, names) in _LOOPS)


def _form(call: ast.Call, names: dict[str, str]) -> str:
    if _resolved(call.func, names) == "run":
        return "asyncio.run(...)"
    return f"{'loop' if call.func.attr == 'run_until_complete' else 'runner'}.{call.func.attr}(...)"


def _debug(call: ast.Call) -> bool:
    return any(k.arg == "debug" and isinstance(k.value, ast.Constant) and k.value.value for k in call.keywords)


def _awaited(code: str, statement: ast.stmt, calls: list[ast.Call]) -> str:
    """The statement's lines with each call replaced by `await <its coroutine>`."""
    lines = [line.encode() for line in code.split("\n")[statement.lineno - 1 : statement.end_lineno]]
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)  # ast's columns count UTF-8 bytes
    text = b"\n".join(lines)
    for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset), reverse=True):
        begin = starts[call.lineno - statement.lineno] + call.col_offset
        end = starts[call.end_lineno - statement.lineno] + call.end_col_offset
        coroutine = ast.get_source_segment(code, call.args[0]) or ""
        text = text[:begin] + f"await {coroutine}".encode() + text[end:]
    return text.decode()


def _statements(tree: ast.Module) -> list[ast.stmt]:
    return [n for n in walk(tree) if isinstance(n, ast.stmt)]


def _enclosing(statements: list[ast.stmt], call: ast.Call) -> ast.stmt:
    """The innermost simple statement holding the call (a compound one only holds it in its header)."""
    holding = [s for s in statements
               if (s.lineno, s.col_offset) <= (call.lineno, call.col_offset)
               and (s.end_lineno, s.end_col_offset) >= (call.end_lineno, call.end_col_offset)
               and not any(isinstance(child, ast.stmt) and _within(call, child) for child in ast.iter_child_nodes(s))]
    return max(holding, key=lambda s: (s.lineno, s.col_offset))


def _within(inner: ast.AST, node: ast.AST) -> bool:
    return (node.lineno, node.col_offset) <= (inner.lineno, inner.col_offset) and \
        (node.end_lineno, node.end_col_offset) >= (inner.end_lineno, inner.end_col_offset)


def _module_level(tree: ast.Module):
    """Nodes outside function bodies (await is only allowed there in a notebook cell)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield node
        stack += list(ast.iter_child_nodes(node))
