"""A Flask app's `app.run()` blocks the notebook forever: use the test client instead.

The replacement requests every route the tutorial defined that takes no
argument and prints the status and the start of each answer, which shows the
same thing as opening those URLs in a browser.

An app is found however the tutorial makes it: `Flask(__name__)` in the cell, an
application factory (`create_app()`, `factory.make_app()`: any function of the tutorial's
that returns a new Flask app), or an import of the app a tutorial file makes
(`from app import app`, the Flask mega-tutorial's layout).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from ..python_code import dotted, walk

NOTE = "`app.run()` would block the notebook forever; the cell asks the app's routes with Flask's test client instead"

_DEMO = """\
{indent}# {call}  # changed: a server never returns; ask every route with the test client instead
{indent}client = {app}.test_client()
{indent}for rule in sorted({app}.url_map.iter_rules(), key=lambda r: r.rule):
{indent}    if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
{indent}        response = client.get(rule.rule)
{indent}        print(f"GET {{rule.rule}} -> {{response.status_code}} {{response.get_data(as_text=True)[:60]!r}}")"""


@dataclass(frozen=True, slots=True)
class Known:
    """What the whole tutorial says about its Flask apps."""

    factories: frozenset[str] = frozenset({"create_app"})
    """Names of functions that return a new app."""
    module_apps: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    """(module, name) of apps the tutorial's files create at import."""
    cell_apps: frozenset[str] = field(default_factory=frozenset)
    """Apps the notebook's cells make: a later cell may run them."""


def known_apps(code: list[tuple[str, ast.Module]]) -> Known:
    """Factories and apps in the tutorial's code: (module name, parsed code) for its files,
    ("", parsed code) for cells that run in the notebook."""
    factories = {"create_app"} | {f.name for _, tree in code for f in walk(tree)
                                  if isinstance(f, ast.FunctionDef) and _returns_new_app(f)}
    known = Known(frozenset(factories))
    apps = {(module, name) for module, tree in code if module for name in flask_apps(_top_level(tree), known)}
    known = Known(known.factories, frozenset(apps))
    cells = {name for module, tree in code if not module for name in flask_apps(tree, known)}
    return Known(known.factories, known.module_apps, frozenset(cells))


def _top_level(tree: ast.Module) -> ast.Module:
    """The statements that run at import (not function or class bodies)."""
    body = [n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return ast.Module(body=body, type_ignores=[])


def _returns_new_app(function: ast.FunctionDef) -> bool:
    """`app = Flask(...)` ... `return app`, or `return Flask(...)`."""
    plain = Known(frozenset())
    made = {t.id for node in walk(function) if isinstance(node, ast.Assign) and _makes_app(node.value, plain)
            for t in node.targets if isinstance(t, ast.Name)}
    return any(isinstance(node, ast.Return) and node.value is not None
               and ((isinstance(node.value, ast.Name) and node.value.id in made) or _makes_app(node.value, plain))
               for node in walk(function))


def _makes_app(value: ast.AST, known: Known) -> bool:
    if not isinstance(value, ast.Call):
        return False
    name = dotted(value.func)
    return name in ("Flask", "flask.Flask") or name.rpartition(".")[2] in known.factories


def rewrite(code: str, tree: ast.Module, known: Known = Known()) -> tuple[str, str]:
    """Replace `app.run(...)` statements on a Flask app; (code, note or "")."""
    apps = flask_apps(tree, known) | known.cell_apps
    runs = [
        node for node in walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == "run"
        and dotted(node.value.func.value) in apps
    ]
    if not runs:
        return code, ""
    lines = code.split("\n")
    for node in sorted(runs, key=lambda n: n.lineno, reverse=True):
        line = lines[node.lineno - 1]
        indent = line[: len(line) - len(line.lstrip())]
        call = "\n".join(lines[node.lineno - 1 : node.end_lineno]).strip()
        demo = _DEMO.format(indent=indent, app=dotted(node.value.func.value), call=call)
        lines[node.lineno - 1 : node.end_lineno] = demo.split("\n")
    return "\n".join(lines), NOTE


def flask_apps(tree: ast.Module, known: Known = Known()) -> set[str]:
    """Names bound to a Flask app: `app = Flask(...)`, `app = create_app()` (or another
    factory of the tutorial's), `from app import app` of an app a tutorial file makes."""
    names = set()
    for node in walk(tree):
        if isinstance(node, ast.Assign) and _makes_app(node.value, known):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names |= {a.asname or a.name for a in node.names if (node.module, a.name) in known.module_apps}
    return names


def wrap_in_request(code: str, app: str) -> str:
    """Run a url_for() snippet inside a test request of `app`, as in a view function."""
    body = "\n".join(("    " + line) if line.strip() else line for line in code.split("\n"))
    return f"with {app}.test_request_context():  # changed: url_for() needs a request\n{body}"
