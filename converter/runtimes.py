"""How every code block is presented and run: the one table, by language.

`course convert` (the `runnability` pass), the notebook writer and `course check`
all read this module; no other module keeps its own list of languages.

A language with a `Runtime` runs in the notebook's Python kernel through a
standard IPython cell magic (`%%script node`, `%%bash`) or an established magic
package (JupySQL's `%%sql`), so the notebooks work in any Jupyter with those
programs installed; no home-made kernel. Why magics rather than a kernel per
language: a tutorial mixes languages (Python and SQL, JavaScript and a shell
session) and a notebook has one kernel; Node.js, Ruby and Go have no Jupyter
kernel that installs from PyPI, Debian or npm without a network build step
(IJavascript needs zeromq's native build, IRuby and gophernotes come from
RubyGems and the Go proxy). Blocks of one language that build on each other get
the earlier blocks' definitions in the cell (see `converter.runners`).

A language without a runtime is shown as a fenced block with the reason in
`NOT_RUN`.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from .runners import active_record, go, javascript, ruby, setups, shell, sql
from .runners.verdict import Context, Verdict

__all__ = ["Runtime", "RUNTIMES", "Service", "SERVICES", "NOT_RUN", "not_run", "runtime_of", "cell_source", "missing_hint", "MISSING_CATEGORY"]


@dataclass(frozen=True, slots=True)
class Runtime:
    """A language the notebook runs through an IPython cell magic."""

    name: str
    """What learners call it: "Node.js"."""
    program: str
    """The executable the magic starts ("" when the kernel itself runs it, as for SQL)."""
    magic: str
    """The cell's first line."""
    install: str
    """The one command that installs `program` (shown when it is missing)."""
    judge: Callable[[str, Context], Verdict]
    """Whether a block runs, and in what form (`converter.runners`), from its code and what
    the notebook holds by then (`Context`)."""
    package: str = ""
    """A PyPI distribution the kernel needs for the magic (in the course environment)."""
    volatile_output: str = ""
    """A regex: code whose output may differ from run to run (threads, goroutines)."""
    registry: str = ""
    """Where the packages its blocks may import come from ("npm": the course's package.json)."""


@dataclass(frozen=True, slots=True)
class Service:
    """A real server a notebook starts for its cells (a tutorial's Redis)."""

    name: str
    """What it needs, for "needs a Redis server: ..." when it is missing."""
    program: str
    install: str
    does: str
    """What its setup cell does, shown above the cell."""
    setup: str
    """The Python setup cell that starts it (in the sandbox, it dies with the kernel's namespace)."""
    check: tuple[str, ...] = ()
    """A command that fails when `program` lacks a library the service needs."""


# Go reads no program from stdin: the cell is saved as main.go in a folder of its own, then run.
_GO_MAGIC = "%%script bash -c 'd=$(mktemp -d) && cat > \"$d/main.go\" && cd \"$d\" && exec go run main.go'"

# Timers, randomness, clocks, and the ids a server gives its connections.
_JS_VOLATILE = r"\b(setInterval|Math\.random|Date\.now|new Date\(\)|performance\.now|socket\.id|listen)\b"

RUNTIMES: dict[str, Runtime] = {
    "javascript": Runtime("Node.js", "node", "%%script node", "sudo apt-get install nodejs", javascript.judge,
                          volatile_output=_JS_VOLATILE, registry="npm"),
    "typescript": Runtime("TypeScript (ts-node)", "ts-node", javascript.TS_MAGIC, "npm ci (ts-node is in package.json)",
                          javascript.judge_typescript, volatile_output=_JS_VOLATILE, registry="npm"),
    "ruby": Runtime("Ruby", "ruby", "%%script ruby", "sudo apt-get install ruby", ruby.judge,
                    volatile_output=r"\b(Thread\.new|rand|Time\.now|object_id|SecureRandom)\b"),
    "go": Runtime("Go", "go", _GO_MAGIC, "sudo apt-get install golang-go", go.judge,
                  volatile_output=r"^\s*go\s+\w|\bgo func\b|\btime\.Now\b|\brand\."),
    "shell": Runtime("Bash", "bash", "%%bash", "sudo apt-get install bash", shell.judge,
                     volatile_output=r"\b(date|ls\s+-l\w*|du|df|ps|top|uptime|time|\$RANDOM|mktemp)\b"),
    "sql": Runtime("SQLite (JupySQL)", "", "%%sql", "add `jupysql` to the `course` extra in pyproject.toml",
                   sql.judge, package="jupysql"),
}


# What a notebook starts or links before the cells that need it, by name (`CodeBlock.services`).
SERVICES: dict[str, Service] = {
    "npm": Service("the course's npm packages", "npm", "sudo apt-get install npm, then `npm ci`",
                   "links the course's npm packages into this folder, where Node looks for them", setups.NPM),
    "redis": Service("a Redis server", "redis-server", "sudo apt-get install redis-server",
                     "starts a Redis server for this notebook; it stops with the kernel", setups.REDIS),
    "typescript": Service("ts-node", "ts-node", "npm ci (ts-node is in package.json)",
                          "writes ts-node's settings (tsconfig.json) for the TypeScript cells", setups.TYPESCRIPT),
    "active_record": Service("Active Record", "ruby", active_record.INSTALL,
                             "Active Record without Rails, on a SQLite database of this notebook, for the Ruby cells",
                             active_record.SETUP, check=("ruby", "-e", "require 'active_record'; require 'sqlite3'")),
    "settle": Service("Node.js", "node", "sudo apt-get install nodejs",
                      "writes the script that stops a program once it only waits on its open connections",
                      setups.SETTLE),
    "background": Service("bash", "bash", "sudo apt-get install bash",
                          "lets the servers the tutorial starts run in the background; they stop with the kernel",
                          setups.BACKGROUND),
}

_LANGUAGE_NAMES = {
    "typescript": "TypeScript", "java": "Java", "c": "C", "cpp": "C++", "rust": "Rust", "php": "PHP",
    "css": "CSS", "r": "R", "kotlin": "Kotlin", "swift": "Swift", "csharp": "C#",
}

# Language -> (reason, category) for blocks shown, not run.
NOT_RUN: dict[str, tuple[str, str]] = {
    "json": ("a JSON document to read", "reading"),
    "toml": ("a TOML configuration file to read", "reading"),
    "yaml": ("a YAML configuration file to read", "reading"),
    "ini": ("a configuration file to read", "reading"),
    "xml": ("an XML document to read", "reading"),
    "dockerfile": ("a Dockerfile, built by Docker outside the course", "reading"),
    "diff": ("a diff to read", "reading"),
    "http": ("an HTTP message shown for reading", "reading"),
    "text": ("text or program output to read, not code", "reading"),
    "": ("text or program output to read, not code", "reading"),
    "html": ("an HTML page: save it and open it in a browser", "language"),
    "jinja": ("a template, rendered by the tutorial's web framework", "language"),
    "css": ("a style sheet for a web page", "language"),
}

MISSING_CATEGORY = "runtime"


def not_run(language: str) -> tuple[str, str]:
    """(reason, category) for a block of a language that has no runtime in the course."""
    if language in NOT_RUN:
        return NOT_RUN[language]
    name = _LANGUAGE_NAMES.get(language, language.capitalize())
    return f"{name} code: the course has no runtime for {name}", "language"


def runtime_of(language: str) -> Runtime | None:
    return RUNTIMES.get(language)


def cell_source(magic: str, code: str) -> str:
    """The code cell of a block run through a magic: the magic line, then the code as written."""
    return f"{magic}\n{code}" if magic else code


def missing_hint(language: str, services: Iterable[str] = (), *, which=shutil.which) -> str:
    """"needs Ruby: `sudo apt-get install ruby`" when the program a cell of `language` runs on,
    or a service it needs (`CodeBlock.services`), is not on this machine ("" when all are)."""
    runtime = RUNTIMES.get(language)
    if runtime is not None and runtime.program and not which(runtime.program):
        return f"needs {runtime.name}: `{runtime.install}`"
    for name in services:
        service = SERVICES.get(name)
        if service and not (which(service.program) and (not service.check or _succeeds(service.check))):
            return f"needs {service.name}: `{service.install}`"
    return ""


@cache
def _succeeds(command: tuple[str, ...]) -> bool:
    return subprocess.run(command, capture_output=True, timeout=60).returncode == 0
