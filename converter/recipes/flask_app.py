"""A Flask app's `app.run()` blocks the notebook forever: use the test client instead.

The replacement requests every route the tutorial defined that takes no
argument and prints the status and the start of each answer, which shows the
same thing as opening those URLs in a browser.
"""

from __future__ import annotations

import ast

from ..python_code import dotted

NOTE = "`app.run()` would block the notebook forever; the cell asks the app's routes with Flask's test client instead"

_DEMO = """\
{indent}# {call}  # changed: a server never returns; ask every route with the test client instead
{indent}client = {app}.test_client()
{indent}for rule in sorted({app}.url_map.iter_rules(), key=lambda r: r.rule):
{indent}    if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
{indent}        response = client.get(rule.rule)
{indent}        print(f"GET {{rule.rule}} -> {{response.status_code}} {{response.get_data(as_text=True)[:60]!r}}")"""


def rewrite(code: str, tree: ast.Module) -> tuple[str, str]:
    """Replace `app.run(...)` statements on a Flask app; (code, note or "")."""
    apps = flask_apps(tree)
    runs = [
        node for node in ast.walk(tree)
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


def flask_apps(tree: ast.Module) -> set[str]:
    """Names assigned a Flask app: `app = Flask(...)` or `app = create_app()`."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if dotted(node.value.func) in ("Flask", "flask.Flask", "create_app"):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def wrap_in_request(code: str, app: str) -> str:
    """Run a url_for() snippet inside a test request of `app`, as in a view function."""
    body = "\n".join(("    " + line) if line.strip() else line for line in code.split("\n"))
    return f"with {app}.test_request_context():  # changed: url_for() needs a request\n{body}"
