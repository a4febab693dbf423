"""Pass: decide which code blocks run in the course kernel, and say why the others don't.

The rule is conservative: a block runs only when static analysis finds nothing
that would make it fail, block or touch the learner's machine. Every block that
does not run gets a reason a learner can read.
"""

from __future__ import annotations

import ast
import builtins
import sys
from dataclasses import replace

from ..document import CodeBlock, Document

RUNS = "runs"
SKIPPED = "skipped"

_LANGUAGE_NAMES = {
    "javascript": "JavaScript", "typescript": "TypeScript", "go": "Go", "ruby": "Ruby",
    "java": "Java", "c": "C", "cpp": "C++", "rust": "Rust", "php": "PHP", "css": "CSS", "r": "R",
}
_READ_ONLY = {
    "json": "a JSON document to read",
    "toml": "a TOML configuration file to read",
    "yaml": "a YAML configuration file to read",
    "ini": "a configuration file to read",
    "xml": "an XML document to read",
    "dockerfile": "a Dockerfile, built by Docker outside the course",
    "diff": "a diff to read",
    "http": "an HTTP message shown for reading",
    "text": "text or program output to read, not code",
    "": "text or program output to read, not code",
}
_BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "display", "get_ipython"}
_NETWORK_MODULES = {"socket", "urllib.request", "http.client", "smtplib", "ftplib", "ssl", "socketserver"}
_SIDE_EFFECT_CALLS = {
    "os.system", "os.remove", "os.unlink", "os.rmdir", "shutil.rmtree", "subprocess.run",
    "subprocess.call", "subprocess.Popen", "subprocess.check_call", "subprocess.check_output",
}
_SERVER_CALLS = {"serve_forever", "run_forever", "run_until_complete"}
_LONG_SLEEP_SECONDS = 10


def decide_runnability(doc: Document) -> Document:
    """Mark each code block `runs` or `skipped` (with a reason), in reading order."""
    defined: set[str] = set()
    files: set[str] = set()
    blocks = []
    for block in doc.blocks:
        if isinstance(block, CodeBlock):
            reason = _why_not_python(block) if block.language == "python" else _why_not_other(block)
            if block.language == "python" and not reason:
                reason = _why_python_fails(block.code, defined, files)
            if not reason:
                tree = ast.parse(block.code)
                defined |= _names_defined(tree)
                files |= _files_opened(tree, writing=True)
            block = replace(block, status=SKIPPED if reason else RUNS, reason=reason)
        blocks.append(block)
    return replace(doc, blocks=tuple(blocks))


def _why_not_other(block: CodeBlock) -> str:
    lang = block.language
    if lang in ("shell", "console"):
        return "shell commands: run them in your own terminal; the course never changes your machine"
    if lang == "sql":
        return "SQL for a database server (MySQL/PostgreSQL), which the course does not start"
    if lang == "html":
        return "an HTML page: save it and open it in a browser"
    if lang in _READ_ONLY:
        return _READ_ONLY[lang]
    name = _LANGUAGE_NAMES.get(lang, lang.capitalize())
    if lang in ("javascript", "typescript"):
        return f"{name} for Node.js or the browser; the course kernel runs Python"
    return f"{name} code; the course kernel runs Python only"


def _why_not_python(block: CodeBlock) -> str:
    lines = [line for line in block.code.splitlines() if line.strip()]
    if lines and all(line.lstrip().startswith(("!", "%")) for line in lines):
        return "shell commands: run them in your own terminal; the course never changes your machine"
    return ""


def _why_python_fails(code: str, defined: set[str], files: set[str]) -> str:
    """The first reason this Python would fail, block or have side effects; "" if none."""
    try:
        tree = ast.parse(code)
    except SyntaxError as err:
        return f"a fragment, not complete Python on its own ({err.msg}, line {err.lineno})"
    for check in (_import_problem, _call_problem, _loop_problem):
        reason = check(tree)
        if reason:
            return reason
    missing_files = sorted(_files_opened(tree, writing=False) - _files_opened(tree, writing=True) - files)
    if missing_files:
        return f"reads {_quote(missing_files)}, a file this notebook does not create"
    missing = sorted(_names_used(tree) - _names_defined(tree) - defined - _BUILTINS)
    if missing:
        return f"a fragment: uses {_quote(missing)}, which the tutorial defines elsewhere or not at all"
    return ""


def _import_problem(tree: ast.AST) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            return f"imports the tutorial's own module `{'.' * node.level}{node.module or ''}`, which is not part of this notebook"
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
        )
        for module in modules:
            if module in _NETWORK_MODULES or module.split(".")[0] in ("aiohttp", "requests", "httpx"):
                return f"needs the network (`{module}`)"
            top = module.split(".")[0]
            if top not in sys.stdlib_module_names:
                return f"needs the package `{top}`, which the course does not install"
    return ""


def _call_problem(tree: ast.AST) -> str:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        last = name.rsplit(".", 1)[-1]
        if name == "asyncio.run":
            return "calls `asyncio.run()`, which cannot start inside the notebook's running event loop"
        if name == "input":
            return "waits for keyboard input, which a notebook run cannot give"
        if name in _SIDE_EFFECT_CALLS:
            return f"calls `{name}()`, which runs programs or deletes files on your machine"
        if last in _SERVER_CALLS or name.endswith("app.run"):
            return f"starts a server or loop with `{name}()` that never returns"
        if name == "time.sleep" and node.args and isinstance(node.args[0], ast.Constant):
            if isinstance(node.args[0].value, (int, float)) and node.args[0].value > _LONG_SLEEP_SECONDS:
                return f"sleeps for {node.args[0].value} seconds"
    return ""


def _files_opened(tree: ast.AST, *, writing: bool) -> set[str]:
    """Literal file names the code opens for writing (or for reading)."""
    names = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted(node.func)
        if name in ("open", "io.open") and node.args and _literal(node.args[0]):
            mode = _literal(node.args[1]) if len(node.args) > 1 else next(
                (_literal(k.value) for k in node.keywords if k.arg == "mode"), "r")
            if bool(set(mode or "r") & set("wax")) == writing:
                names.add(_literal(node.args[0]))
        elif isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call):
            inner = node.func.value
            if _dotted(inner.func) in ("Path", "pathlib.Path") and inner.args and _literal(inner.args[0]):
                if node.func.attr in (("write_text", "write_bytes") if writing else ("read_text", "read_bytes")):
                    names.add(_literal(inner.args[0]))
    return names


def _literal(node: ast.AST) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else ""


def _loop_problem(tree: ast.AST) -> str:
    for node in ast.walk(tree):
        if isinstance(node, ast.While) and isinstance(node.test, ast.Constant) and node.test.value:
            if not any(isinstance(n, (ast.Break, ast.Return)) for n in ast.walk(node)):
                return "loops forever (`while True` without a way out)"
    return ""


def _names_used(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _names_defined(tree: ast.AST) -> set[str]:
    """Every name the code binds anywhere (a deliberately loose view of scopes)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
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


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _quote(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:3])
    return shown + (" and more" if len(names) > 3 else "")

