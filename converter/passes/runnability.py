"""Pass: decide how each code block takes part in the notebook, and say why.

Statuses (`CodeBlock.status`):
    runs       runs as the tutorial wrote it
    rewritten  runs after a change that keeps the lesson, marked in the code
    file       written with %%writefile because a later cell (or a setup cell) imports it
    raises     the tutorial says it fails: tagged raises-exception
    setup      a cell the course adds (folders, loading a Django project)
    skipped    not run, with a reason for learners and a category for reports

Static analysis only, and conservative: a block runs when nothing suggests it
would fail, block, need a service or the network, or touch the learner's machine.
Whether a package is available is a question for the declared course environment
(`converter.environment`), never for the venv running the converter. `course
check` then proves it by running every notebook (in its sandbox); what it finds
failing is demoted by the `findings` pass at the next convert.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .. import python_code as py
from .. import claims, runtimes
from ..document import Block, CodeBlock, Document
from ..environment import CourseEnvironment, import_names
from .dependencies import distribution_for
from .files import text_before
from ..recipes import asyncio_run, django_project, flask_app, imports, workspace
from ..exercises.query import missing_tables_script
from ..runners import javascript, sql
from ..runners.verdict import Context

RUNS, REWRITTEN, FILE, RAISES, SETUP, SKIPPED = "runs", "rewritten", "file", "raises", "setup", "skipped"
_SHELL_REASON = "shell commands: run them in your own terminal; the course never changes your machine"

_NETWORK_MODULES = {"socket", "urllib.request", "http.client", "smtplib", "ftplib", "socketserver",
                    "aiohttp", "requests", "httpx", "urllib3", "websockets", "paramiko"}
# Client modules of a server the notebook starts (converter.runtimes.SERVICES), when the course has them.
_STARTED_SERVICES = {"redis": "redis"}
_SERVICE_MODULES = {"redis": "a Redis server", "psycopg2": "a PostgreSQL server", "pymysql": "a MySQL server",
                    "pymongo": "a MongoDB server", "pika": "a RabbitMQ broker", "kafka": "a Kafka broker",
                    "celery": "a message broker", "boto3": "an AWS account"}
_SIDE_EFFECT_CALLS = {
    "os.system", "os.remove", "os.unlink", "os.rmdir", "shutil.rmtree", "subprocess.run",
    "subprocess.call", "subprocess.Popen", "subprocess.check_call", "subprocess.check_output",
}
_EXIT_CALLS = {"sys.exit", "os._exit", "os.abort", "exit", "quit"}
_SERVER_CALLS = {"serve_forever", "run_forever", "run_until_complete", "uvicorn.run"}
_LONG_SLEEP_SECONDS = 10
# Output that differs from run to run: timings, randomness, threads and processes.
_VOLATILE = re.compile(
    r"\b(perf_counter|monotonic|time\.time|datetime\.now|date\.today|random|uuid|id(?=\()|"
    r"Thread\w*|threading|multiprocessing|ProcessPool\w*|ThreadPool\w*|create_task|TaskGroup)\b"
)
# "This will throw a BuildError", "raises a KeyError", "would fail with ..."
_EXPECTS_ERROR = re.compile(
    r"\b(will|would|should)\s+(throw|raise|fail|crash)\b|\braises?\s+an?\s+\w*(Error|Exception)\b", re.I
)


@dataclass(slots=True)
class _Kernel:
    """What the notebook's kernel holds when the next cell runs."""

    names: set[str] = field(default_factory=set)
    functions: dict[str, frozenset[str]] = field(default_factory=dict)
    modules: set[str] = field(default_factory=set)
    """Top-level module names the tutorial's written files provide."""
    exports: dict[str, frozenset[str]] = field(default_factory=dict)
    """Names each written module defines (module name -> names)."""
    files: set[str] = field(default_factory=set)
    file_code: dict[str, str] = field(default_factory=dict)
    """What the tutorial's files that cells write hold (path -> code)."""
    flask_apps: set[str] = field(default_factory=set)
    volatile_functions: set[str] = field(default_factory=set)
    """Functions whose output changes from run to run (they time themselves, say)."""
    flask_known: flask_app.Known = flask_app.Known()
    """The tutorial's app factories and the apps its files make."""
    project: set[str] = field(default_factory=set)
    """Top-level packages of every file the tutorial names (`tests` for tests/conftest.py)."""


def decide_runnability(doc: Document, *, environment: CourseEnvironment) -> Document:
    """Give every code block a status (and a reason when it doesn't simply run);
    `environment`: what the course's notebooks can import."""
    flask_known = _flask_known(doc.blocks)
    blocks = [_rewritten(b, flask_known) if _is_python(b) else b for b in doc.blocks]
    written = _files_to_write(blocks)
    known_imports = _tutorial_imports(blocks, environment)
    kernel = _Kernel(project=_project_packages(blocks), flask_known=flask_known)
    others = _OtherLanguages(required=_required_by_javascript(blocks))
    out: list[Block] = []
    for index, block in enumerate(blocks):
        if isinstance(block, CodeBlock):
            if not _is_python(block):
                block = _other_language(block, others, kernel, environment)
            elif index in written:
                block = replace(block, status=FILE, reason="so that later cells can import it")
                module = workspace.module_of(block.file)
                kernel.modules.add(module.split(".")[0])
                kernel.files.add(block.file)
                kernel.file_code[block.file] = kernel.file_code.get(block.file, "") + block.code
                tree = py.parse(block.code)
                kernel.exports[module] = kernel.exports.get(module, frozenset()) | (py.facts(tree).binds if tree else frozenset())
            else:
                block = _saved_instead(_judge(block, text_before(blocks, index), kernel, known_imports, environment))
        out.append(block)
    out = [_keep_original(new, old) for new, old in zip(out, doc.blocks)]
    return replace(doc, blocks=tuple(_with_setup_cells(out)))


# Why a named file can't run in the kernel, though saving it is still what the tutorial says to do.
_SAVE_INSTEAD = frozenset({"package", "module", "network", "service", "fragment", "file"})


def _saved_instead(block: CodeBlock) -> CodeBlock:
    """A block the tutorial names a file for (`# tests/conftest.py`) is saved as that file
    when it can't run in the kernel: the learner gets the file, and the reason it isn't run."""
    if block.status != SKIPPED or not block.file or block.category not in _SAVE_INSTEAD or py.parse(block.code) is None:
        return block
    return replace(block, status=FILE, reason=f"not run here: {block.reason}")


def _project_packages(blocks: list[Block]) -> set[str]:
    return {workspace.module_of(b.file).split(".")[0] for b in blocks if _is_python(b) and b.file}


def _keep_original(new: Block, old: Block) -> Block:
    """Remember the tutorial's own code on a block a recipe changed."""
    if isinstance(new, CodeBlock) and isinstance(old, CodeBlock) and new.code != old.code:
        return replace(new, original=old.code)
    return new


def _is_python(block: Block) -> bool:
    return isinstance(block, CodeBlock) and block.language == "python" and block.status != SETUP


def _flask_known(blocks: Iterable[Block]) -> flask_app.Known:
    return flask_app.known_apps([(workspace.module_of(b.file) if b.file else "", tree) for b in blocks
                                 if _is_python(b) and (tree := py.parse(b.code))])


def _rewritten(block: CodeBlock, flask_known: flask_app.Known) -> CodeBlock:
    """Apply the order-free recipes; the block's reason lists what changed."""
    code, notes = block.code, []
    if block.file:
        code, note = django_project.fill_elided_apps(code)
        notes += [note] if note else []
    for recipe in (asyncio_run.rewrite, lambda code, tree: flask_app.rewrite(code, tree, flask_known)):
        tree = py.parse(code)
        if tree is None:
            break
        code, note = recipe(code, tree)
        notes += [note] if note else []
    if not notes:
        return block
    return replace(block, code=code, status=REWRITTEN, reason="; ".join(notes))


def _files_to_write(blocks: list[Block]) -> set[int]:
    """Indexes of file blocks that something imports, directly or through other files.

    Every block's imports count: a file nobody imports runs in the kernel
    instead, and its imports count just the same.
    """
    files = {i: b for i, b in enumerate(blocks) if _is_python(b) and b.file}
    by_module: dict[str, int] = {}
    for i, b in sorted(files.items(), key=lambda item: item[1].file.endswith("__init__.py")):
        by_module[workspace.module_of(b.file)] = i  # a package wins over a module of its name, as in Python
    imported: dict[int, list[str]] = {}
    for i, b in enumerate(blocks):
        if _is_python(b) and (tree := py.parse(b.code)):
            imported[i] = [_absolute(m, level, _package_of(b.file)) for m, level in py.imported_modules(tree) if not level or b.file]
    wanted = {(m, i) for i, modules in imported.items() for m in modules}
    wanted |= {(m, -1) for m in _django_modules(_file_texts(files.values()), blocks)}
    # A file's imports of its own package (app/__init__.py importing app.main) don't need it.
    needed = {by_module[c] for m, i in wanted for c in _prefixes(m) if by_module.get(c, i) != i}
    # A shell block that runs a file (`python app.py`, `pytest test_app.py`) needs it too.
    needed |= {i for i, b in files.items() if b.file in _files_run_by_shell(blocks)}
    # Appending to a file (a second block for the same path) needs the first one too.
    paths = {files[i].file for i in needed}
    return needed | {i for i, b in files.items() if b.file in paths}


def _files_run_by_shell(blocks: list[Block]) -> set[str]:
    shell = "\n".join(b.code for b in blocks if isinstance(b, CodeBlock) and b.language == "shell")
    return set(re.findall(r"\b(?:python3?|pytest)\s+(?:-\S+\s+)*([\w./-]+\.py)\b", shell))


def _required_by_javascript(blocks: list[Block]) -> set[str]:
    return {name for b in blocks if isinstance(b, CodeBlock) and b.language in ("javascript", "typescript")
            for name in javascript.required_files(b.code)}


def _package_of(path: str) -> str:
    """The package a file's relative imports start from ("" for a notebook cell)."""
    if not path:
        return ""
    module = workspace.module_of(path)
    return module if path.endswith("__init__.py") else module.rpartition(".")[0]


def _prefixes(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:n]) for n in range(len(parts), 0, -1)]


def _absolute(module: str, level: int, package: str) -> str:
    if not level:
        return module
    base = package.split(".")[: len(package.split(".")) - (level - 1)] if package else []
    return ".".join([*base, module] if module else base)


def _file_texts(files: Iterable[CodeBlock]) -> dict[str, str]:
    """Path -> what the tutorial writes there (a second block for a path appends to it)."""
    texts: dict[str, str] = {}
    for block in files:
        texts[block.file] = texts.get(block.file, "") + block.code + "\n"
    return texts


def _django_modules(files: dict[str, str], blocks: list[Block]) -> set[str]:
    """Modules the Django setup cell imports: the settings and each app's models, admin and config."""
    found = django_project.project(files) if _uses_django(blocks) else None
    return set(found.modules) if found else set()


def _uses_django(blocks: list[Block]) -> bool:
    return any(_is_python(b) and re.search(r"^\s*(from|import) django\b", b.code, re.M) for b in blocks)


@dataclass(frozen=True, slots=True)
class _Imports:
    """The tutorial's imports: its own lines by bound name, and the packages it uses."""

    lines: dict[str, str]
    packages: tuple[str, ...]

    def add(self, code: str, missing: set[str]) -> tuple[str, set[str]]:
        return imports.add_imports(code, missing, self.lines, self.packages)


def _tutorial_imports(blocks: list[Block], environment: CourseEnvironment) -> _Imports:
    lines: dict[str, str] = {}
    packages: set[str] = set()
    for b in blocks:
        if _is_python(b) and (tree := py.parse(b.code)):
            lines.update(py.import_lines(tree, b.code))
            packages |= {m.split(".")[0] for m, level in py.facts(tree).imports if not level}
    return _Imports(lines, tuple(sorted(p for p in packages if p in environment.imports)))


@dataclass(slots=True)
class _OtherLanguages:
    """What the blocks of other languages that run leave for the ones after them."""

    earlier: dict[str, list[str]] = field(default_factory=dict)
    """Language -> the code of its blocks that run, in order."""
    required: set[str] = field(default_factory=set)
    """The tutorial's own JavaScript files its blocks import (`sum` for `require('./sum')`)."""
    ports: set[int] = field(default_factory=set)
    """Ports servers started in the background listen on."""


def _other_language(block: CodeBlock, others: _OtherLanguages, kernel: _Kernel, environment: CourseEnvironment) -> CodeBlock:
    """Run the block through its language's magic (`converter.runtimes`), or show it with the reason."""
    runtime = runtimes.runtime_of(block.language)
    if runtime is None:
        return _skip(block, *runtimes.not_run(block.language))
    if runtime.package and not any(environment.provides(name) for name in import_names(runtime.package)):
        return _skip(block, f"needs {runtime.name}: {runtime.install}", "package")
    if block.file and runtime.registry == "npm" and javascript.required_stem(block.file) in others.required:
        kernel.file_code[block.file] = block.code
        return replace(block, status=FILE, reason="so that later cells can import it", category="")
    same = others.earlier.setdefault(block.language, [])
    context = Context(earlier=tuple(same), installed=environment.npm if runtime.registry == "npm" else frozenset(),
                      files=dict(kernel.file_code), ports=frozenset(others.ports), file=block.file)
    verdict = runtime.judge(block.code, context)
    if not verdict.runs:
        return _skip(block, verdict.reason, verdict.category)
    same.append(block.code)
    others.ports |= verdict.serves
    volatile = verdict.volatile or bool(runtime.volatile_output and re.search(runtime.volatile_output, block.code, re.M))
    return replace(block, code=verdict.code, magic=verdict.magic or runtime.magic,
                   status=REWRITTEN if verdict.change else RUNS, reason=verdict.change, category="",
                   volatile=volatile, expected=verdict.expected if verdict.expected is not None else block.expected,
                   services=verdict.services)


def _judge(
    block: CodeBlock, before: str, kernel: _Kernel, known_imports: _Imports, environment: CourseEnvironment,
) -> CodeBlock:
    """Run the block in the kernel, rewrite it, expect its error, or skip it."""
    found = _ipython_syntax(block.code)
    if found:
        return _skip(block, *found)
    try:
        tree = py.parse_or_raise(block.code)
    except py.Unparsable as err:
        return _skip(block, f"not taken apart here: {err.msg}", "fragment")
    except SyntaxError as err:
        python2 = py.python2_line(block.code)
        if python2:
            return _skip(block, f"Python 2 code (`{python2}`): Python 3 does not run it as written", "python2")
        return _skip(block, f"a fragment, not complete Python on its own ({err.msg}, line {err.lineno})", "fragment")
    found = _import_problem(tree, kernel, environment) or _call_problem(tree, kernel) or _loop_problem(tree, kernel)
    if found:
        return _skip(block, *found)
    facts = py.facts(tree)
    if _defines_django_model(tree):
        return _skip(block, "a Django model must live in an app's models.py, and the tutorial doesn't say which app", "fragment")
    shows_error = block.expected is not None and claims.exception_line(block.expected) is not None
    if shows_error or _EXPECTS_ERROR.search(before) or _EXPECTS_ERROR.search(_comments(block.code)):
        return _expect_error(block, facts, kernel, known_imports)
    missing_files = sorted(py.files_opened(tree, writing=False) - py.files_opened(tree, writing=True) - kernel.files)
    if missing_files:
        return _skip(block, f"reads {_quote(missing_files)}, a file this notebook does not create", "file")
    code, missing = known_imports.add(block.code, py.missing_names(facts, kernel.names, kernel.functions))
    reason = "; ".join(filter(None, [block.reason, imports.NOTE if code != block.code else ""]))
    if "url_for" in facts.calls:
        if not kernel.flask_apps:
            return _skip(block, "calls `url_for()`, which needs the tutorial's complete app and a request", "fragment")
        code = flask_app.wrap_in_request(code, sorted(kernel.flask_apps)[0])
        reason = "; ".join(filter(None, [reason, f"runs inside a request of `{sorted(kernel.flask_apps)[0]}`, as in a view"]))
    if missing:
        return _skip(block, f"a fragment: uses {_quote(sorted(missing))}, which the tutorial defines elsewhere or not at all", "fragment")
    tree = py.parse(code) or tree
    _remember(kernel, tree)
    status = REWRITTEN if reason else RUNS
    services = tuple(sorted({_STARTED_SERVICES[m.split(".")[0]] for m, level in py.facts(tree).imports
                             if not level and m.split(".")[0] in _STARTED_SERVICES}))
    volatile = bool(_VOLATILE.search(code)) or _calls_volatile(py.facts(tree), kernel)
    return replace(block, code=code, status=status, reason=reason, category="", volatile=volatile,
                   services=services)


def _defines_django_model(tree: ast.Module) -> bool:
    """A class deriving from `models.Model` or from a class imported from a `django...models` module."""
    model_bases = {"models.Model"}
    for node in py.walk(tree):
        if isinstance(node, ast.ImportFrom) and re.fullmatch(r"django(\.\w+)*\.models", node.module or ""):
            model_bases |= {alias.asname or alias.name for alias in node.names}
    return any(
        isinstance(node, ast.ClassDef) and any(py.dotted(base) in model_bases for base in node.bases)
        for node in py.walk(tree)
    )


def _expect_error(block: CodeBlock, facts: py.Facts, kernel: _Kernel, known_imports: _Imports) -> CodeBlock:
    """The tutorial says this fails: run it where it fails for the reason it gives,
    not for a missing import or a missing request."""
    code, missing = known_imports.add(block.code, py.missing_names(facts, kernel.names, kernel.functions))
    if missing:
        return _skip(block, f"a fragment: uses {_quote(sorted(missing))}, which the tutorial defines elsewhere or not at all", "fragment")
    if "url_for" in facts.calls:
        if not kernel.flask_apps:
            return _skip(block, "calls `url_for()`, which needs the tutorial's complete app and a request", "fragment")
        code = flask_app.wrap_in_request(code, sorted(kernel.flask_apps)[0])
    return replace(block, code=code, status=RAISES, reason="the tutorial shows this error on purpose", volatile=True)


def _calls_volatile(facts: py.Facts, kernel: _Kernel) -> bool:
    """The cell calls a function of an earlier cell whose output changes from run to run
    (it times itself, say), directly or through other functions."""
    seen, todo = set(), list(facts.calls)
    while todo:
        name = todo.pop()
        if name in kernel.volatile_functions:
            return True
        if name not in seen:
            seen.add(name)
            todo += kernel.functions.get(name, ())
    return False


def _remember(kernel: _Kernel, tree: ast.Module) -> None:
    f = py.facts(tree)
    kernel.volatile_functions |= {node.name for node in tree.body
                                  if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
                                  and _VOLATILE.search(ast.unparse(node))}
    kernel.names |= f.binds
    kernel.functions.update(f.deferred)
    kernel.flask_apps |= flask_app.flask_apps(tree, kernel.flask_known)
    kernel.files |= py.files_opened(tree, writing=True)


def _skip(block: CodeBlock, reason: str, category: str) -> CodeBlock:
    return replace(block, status=SKIPPED, reason=reason, category=category)


# IPython syntax, line by line: `!cmd`, `%magic`, `%%cell_magic`, `x = !ls`, `x = %time f()`,
# `obj?` / `obj??` / `?obj` (help). A notebook would hand any of them to IPython, which
# runs shell commands and magics: never a cell that runs.
_ESCAPE_LINE = re.compile(r"^\s*[!%]")
_ESCAPE_ASSIGNMENT = re.compile(r"^\s*[\w.]+(\s*,\s*[\w.]+)*\s*=\s*[!%]")
_HELP_LINE = re.compile(r"^\s*(\?{1,2}[\w.]+|[\w.]+\?{1,2})\s*$")
_SHELL_MAGIC = re.compile(r"^\s*(!|%%?(bash|sh|script|sx|system|system_raw)\b|[\w.,\s]+=\s*!)")


def _ipython_syntax(code: str) -> tuple[str, str] | None:
    """(reason, category) when the block holds IPython shell escapes, magics or help syntax."""
    lines = [line for line in code.splitlines() if line.strip()]
    escapes = [line for line in lines if _ESCAPE_LINE.match(line) or _ESCAPE_ASSIGNMENT.match(line)]
    if any(_SHELL_MAGIC.match(line) for line in escapes):
        return _SHELL_REASON, "shell"
    if escapes:
        magic = re.search(r"%+[\w.]*", escapes[0]).group()
        return f"uses the IPython magic `{magic}`; the course runs only plain Python", "magic"
    helps = [line.strip() for line in lines if _HELP_LINE.match(line)]
    if helps:
        return f"IPython help syntax (`{helps[0]}`), for an interactive session", "magic"
    return None


def _import_problem(tree: ast.Module, kernel: _Kernel, environment: CourseEnvironment) -> tuple[str, str] | None:
    for node in py.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module in kernel.exports:
            absent = sorted({a.name for a in node.names} - kernel.exports[node.module] - {"*"})
            if absent:
                return f"imports {_quote(absent)} from `{node.module}`, which the tutorial's file does not define", "fragment"
    for module, level in py.facts(tree).imports_now:
        if level:
            return f"imports the tutorial's own module `{'.' * level}{module}`, which only works inside its package", "module"
        top = module.split(".")[0]
        if module in _NETWORK_MODULES or top in _NETWORK_MODULES:
            return f"needs the network (`{module}`)", "network"
        if top in _SERVICE_MODULES and not (top in _STARTED_SERVICES and environment.provides(module)):
            return f"needs {_SERVICE_MODULES[top]} (`{module}`)", "service"
        if top in kernel.modules:
            continue
        if top in kernel.project:
            return f"imports `{module}`, a module of the tutorial's project that it never shows", "module"
        if top == "__future__" or environment.provides(module):
            continue
        package = distribution_for(module)
        return (f"imports `{module}` from the PyPI package `{package}`, which the course environment does not have "
                f"(add `{package}` to the `course` extra in pyproject.toml)", "package")
    return None


def _call_problem(tree: ast.Module, kernel: _Kernel) -> tuple[str, str] | None:
    for node in py.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = py.dotted(node.func)
        last = name.rsplit(".", 1)[-1]
        if name == "asyncio.run":
            return "calls `asyncio.run()` inside a function, which cannot start in the notebook's running event loop", "server"
        if name == "input":
            return "waits for keyboard input, which a notebook run cannot give", "input"
        if name in _SIDE_EFFECT_CALLS:
            return f"calls `{name}()`, which runs programs or deletes files on your machine", "side-effect"
        if name in _EXIT_CALLS:
            return f"calls `{name}()`, which would stop the notebook's Python process", "side-effect"
        if last in _SERVER_CALLS or name in _SERVER_CALLS or (last == "run" and name.split(".")[0] in kernel.flask_apps):
            return f"starts a server or loop with `{name}()` that never returns", "server"
        if name == "time.sleep" and node.args and isinstance(node.args[0], ast.Constant):
            if isinstance(node.args[0].value, (int, float)) and node.args[0].value > _LONG_SLEEP_SECONDS:
                return f"sleeps for {node.args[0].value} seconds", "slow"
    return None


def _loop_problem(tree: ast.Module, kernel: _Kernel) -> tuple[str, str] | None:
    for node in py.walk(tree):
        if isinstance(node, ast.While) and isinstance(node.test, ast.Constant) and node.test.value:
            if not any(isinstance(n, (ast.Break, ast.Return)) for n in py.walk(node)):
                return "loops forever (`while True` without a way out)", "server"
    return None


def _with_setup_cells(blocks: list[Block]) -> list[Block]:
    """Insert the course's setup cells: the SQL database before the first SQL cell that runs,
    folders before the first file, Django after the last."""
    blocks = _with_service_setup(_with_sql_setup(_with_plain_repr(blocks)))
    files = [b for b in blocks if isinstance(b, CodeBlock) and b.status == FILE]
    if not files:
        return blocks
    paths = [b.file for b in files]
    out = list(blocks)
    found = django_project.project(_file_texts(files)) if _uses_django(blocks) else None
    if found:
        last = max(i for i, b in enumerate(out) if isinstance(b, CodeBlock) and b.status == FILE)
        out.insert(last + 1, _setup("loads the Django project the cells above wrote", django_project.setup_cell(found)))
    first = next(i for i, b in enumerate(out) if isinstance(b, CodeBlock) and b.status == FILE)
    folders = workspace.setup_cell(paths)
    if "\n" in folders:  # not only its comment: files in folders, or src/ layouts
        out.insert(first, _setup("creates the folders the tutorial's files go in", folders))
    return out


def _with_sql_setup(blocks: list[Block]) -> list[Block]:
    runs = [i for i, b in enumerate(blocks) if isinstance(b, CodeBlock) and b.language == "sql" and b.status in (RUNS, REWRITTEN)]
    if not runs:
        return blocks
    setup = [_setup("connects JupySQL's `%%sql` to an empty SQLite database of this notebook", sql.SETUP)]
    tables = missing_tables_script([b.code for b in blocks if isinstance(b, CodeBlock) and b.language == "sql"])
    if tables:
        setup.append(CodeBlock(code=tables, language="sql", magic="%%sql", status=SETUP, category="setup",
                               reason="creates the tables the tutorial queries but never creates, with sample rows"))
    return [*blocks[:runs[0]], *setup, *blocks[runs[0]:]]


# A `>>>` transcript shows what Python's own REPL prints, repr(); IPython pretty-prints instead
# (`<__main__.Point at 0x…>` for `<__main__.Point object at 0x…>`, `__main__.Cat` for a class).
_PLAIN_REPR = "%config PlainTextFormatter.pprint = False"


def _with_plain_repr(blocks: list[Block]) -> list[Block]:
    shown = [i for i, b in enumerate(blocks) if _is_python(b) and b.expected is not None and b.status in (RUNS, REWRITTEN, RAISES)]
    if not shown:
        return blocks
    setup = _setup("results shown as Python's own prompt shows them (repr), as the tutorial's transcripts do", _PLAIN_REPR)
    return [*blocks[:shown[0]], setup, *blocks[shown[0]:]]


def _with_service_setup(blocks: list[Block]) -> list[Block]:
    """Start each server the notebook's cells need, just before the first of them."""
    out = list(blocks)
    for name, service in runtimes.SERVICES.items():
        first = next((i for i, b in enumerate(out) if isinstance(b, CodeBlock) and name in b.services), None)
        if first is not None:
            setup = _setup(service.does, service.setup)
            out.insert(first, replace(setup, services=(name,)))
    return out


def _setup(reason: str, code: str) -> CodeBlock:
    return CodeBlock(code=code, language="python", status=SETUP, reason=reason, category="setup")


def _comments(code: str) -> str:
    return "\n".join(line for line in code.splitlines() if line.lstrip().startswith("#"))


def _quote(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:3])
    return shown + (" and more" if len(names) > 3 else "")
