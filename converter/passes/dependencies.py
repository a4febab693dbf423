"""Pass: infer the PyPI distributions a tutorial's code needs.

Two kinds of evidence, both read from the tutorial itself:

- imports in its Python code blocks (`ast`; a block that does not parse is read
  line by line), less the standard library, relative imports, `__future__` and
  the tutorial's own modules (files it writes or names: `auth.py`,
  `app/main/routes.py`, a `# models.py` first line, "Create a file named
  auth.py", a directory tree);
- install commands (`pip install`, `python -m pip install`, `uv add`,
  `uv pip install`, `poetry add`, `pipenv install`, `conda install`) in shell
  and Python blocks and in inline code in the prose. npm, yarn, gem and the
  like install other languages' packages and are ignored.

Import names become PyPI names through `IMPORT_TO_PYPI` (yaml -> PyYAML);
unknown names stand for themselves, normalised (lower case, "-").
"""

from __future__ import annotations

import ast
import re
import shlex
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from functools import cache

from .. import python_code as py
from ..document import CodeBlock, Document, Heading, ListBlock, Paragraph, Quote, Table
from ..environment import distribution_name as requirement_name

# Import name (top-level, or a dotted prefix) -> PyPI distribution, spelled as on PyPI.
IMPORT_TO_PYPI: dict[str, str] = {
    # Web frameworks and their friends
    "flask": "Flask", "flask_sqlalchemy": "Flask-SQLAlchemy", "flask_login": "Flask-Login",
    "flask_wtf": "Flask-WTF", "flask_migrate": "Flask-Migrate", "flask_cors": "Flask-Cors",
    "flask_restful": "Flask-RESTful", "flask_jwt_extended": "Flask-JWT-Extended",
    "flask_socketio": "Flask-SocketIO", "flask_caching": "Flask-Caching", "flask_mail": "Flask-Mail",
    "flask_limiter": "Flask-Limiter", "flask_bcrypt": "Flask-Bcrypt", "flask_marshmallow": "flask-marshmallow",
    "django": "Django", "rest_framework": "djangorestframework", "corsheaders": "django-cors-headers",
    "django_filters": "django-filter", "channels": "channels", "debug_toolbar": "django-debug-toolbar",
    "environ": "django-environ", "crispy_forms": "django-crispy-forms",
    "fastapi": "fastapi", "starlette": "starlette", "sqlmodel": "sqlmodel", "uvicorn": "uvicorn",
    "gunicorn": "gunicorn", "pydantic": "pydantic", "pydantic_settings": "pydantic-settings",
    "jinja2": "Jinja2", "werkzeug": "Werkzeug", "markupsafe": "MarkupSafe", "itsdangerous": "itsdangerous",
    "tornado": "tornado", "sanic": "sanic", "falcon": "falcon", "bottle": "bottle", "quart": "quart",
    "aiohttp": "aiohttp", "websockets": "websockets", "socketio": "python-socketio",
    "engineio": "python-engineio", "graphene": "graphene", "strawberry": "strawberry-graphql",
    "multipart": "python-multipart", "slowapi": "slowapi", "marshmallow": "marshmallow",
    # HTTP, parsing, formats
    "requests": "requests", "httpx": "httpx", "httpx2": "httpx2", "urllib3": "urllib3",
    "bs4": "beautifulsoup4", "lxml": "lxml", "yaml": "PyYAML", "toml": "toml", "tomli": "tomli",
    "ujson": "ujson", "orjson": "orjson", "simplejson": "simplejson", "msgpack": "msgpack",
    "markdown": "Markdown", "markdown_it": "markdown-it-py", "dateutil": "python-dateutil",
    "pytz": "pytz", "pendulum": "pendulum", "arrow": "arrow", "dotenv": "python-dotenv",
    "click": "click", "typer": "typer", "rich": "rich", "tqdm": "tqdm", "tabulate": "tabulate",
    "attr": "attrs", "attrs": "attrs", "multidict": "multidict", "yarl": "yarl",
    "google.protobuf": "protobuf", "grpc": "grpcio", "jsonschema": "jsonschema",
    "magic": "python-magic", "docx": "python-docx", "pptx": "python-pptx", "fitz": "PyMuPDF",
    "PyPDF2": "PyPDF2", "pypdf": "pypdf", "openpyxl": "openpyxl", "xlrd": "xlrd",
    # Security
    "jwt": "PyJWT", "jose": "python-jose", "passlib": "passlib", "bcrypt": "bcrypt",
    "cryptography": "cryptography", "nacl": "PyNaCl", "OpenSSL": "pyOpenSSL", "Crypto": "pycryptodome",
    "paramiko": "paramiko", "oauthlib": "oauthlib", "authlib": "Authlib",
    # Databases, queues, caches (client libraries)
    "sqlalchemy": "SQLAlchemy", "alembic": "alembic", "psycopg2": "psycopg2-binary",
    "psycopg": "psycopg", "asyncpg": "asyncpg", "pymysql": "PyMySQL", "MySQLdb": "mysqlclient",
    "mysql": "mysql-connector-python", "aiosqlite": "aiosqlite", "pymongo": "pymongo",
    "motor": "motor", "bson": "pymongo", "redis": "redis", "aioredis": "aioredis",
    "elasticsearch": "elasticsearch", "cassandra": "cassandra-driver", "neo4j": "neo4j",
    "peewee": "peewee", "tortoise": "tortoise-orm", "mongoengine": "mongoengine",
    "celery": "celery", "kombu": "kombu", "pika": "pika", "aio_pika": "aio-pika",
    "kafka": "kafka-python", "confluent_kafka": "confluent-kafka", "rq": "rq", "dramatiq": "dramatiq",
    "boto3": "boto3", "botocore": "botocore", "airflow": "apache-airflow", "prefect": "prefect",
    "docker": "docker", "kubernetes": "kubernetes",
    # Data and science
    "numpy": "numpy", "pandas": "pandas", "scipy": "scipy", "sklearn": "scikit-learn",
    "matplotlib": "matplotlib", "seaborn": "seaborn", "plotly": "plotly", "polars": "polars",
    "pyarrow": "pyarrow", "cv2": "opencv-python", "PIL": "Pillow", "skimage": "scikit-image",
    "torch": "torch", "torchvision": "torchvision", "tensorflow": "tensorflow", "keras": "keras",
    "transformers": "transformers", "sentence_transformers": "sentence-transformers",
    "openai": "openai", "anthropic": "anthropic", "langchain": "langchain", "tiktoken": "tiktoken",
    "faiss": "faiss-cpu", "chromadb": "chromadb", "nltk": "nltk", "spacy": "spacy",
    "networkx": "networkx", "sympy": "sympy", "statsmodels": "statsmodels", "xgboost": "xgboost",
    "lightgbm": "lightgbm", "joblib": "joblib", "dask": "dask", "numba": "numba",
    # Testing and tooling
    "pytest": "pytest", "_pytest": "pytest", "pytest_asyncio": "pytest-asyncio",
    "pytest_mock": "pytest-mock", "pytest_django": "pytest-django", "pytest_cov": "pytest-cov",
    "hypothesis": "hypothesis", "factory": "factory-boy", "faker": "Faker", "freezegun": "freezegun",
    "responses": "responses", "respx": "respx", "mock": "mock", "anyio": "anyio", "trio": "trio",
    "uvloop": "uvloop", "gevent": "gevent", "greenlet": "greenlet", "structlog": "structlog",
    "loguru": "loguru", "prometheus_client": "prometheus-client", "sentry_sdk": "sentry-sdk",
    "opentelemetry": "opentelemetry-api", "schedule": "schedule", "apscheduler": "APScheduler",
    "tenacity": "tenacity", "cachetools": "cachetools", "psutil": "psutil", "setuptools": "setuptools",
    "pkg_resources": "setuptools", "packaging": "packaging", "IPython": "ipython",
    "ipywidgets": "ipywidgets", "serial": "pyserial", "usb": "pyusb", "win32api": "pywin32",
}

# Distributions that also provide an import name: an install command naming one
# of them satisfies the import (`pip install opencv-python-headless` + `import cv2`).
ALTERNATIVES: dict[str, tuple[str, ...]] = {
    "psycopg2": ("psycopg2",),
    "cv2": ("opencv-python-headless", "opencv-contrib-python", "opencv-contrib-python-headless"),
    "PIL": ("PIL",),
    "yaml": ("ruamel.yaml",),
    "jwt": ("jwt",),
    "faiss": ("faiss-gpu",),
    "mysql": ("mysql-connector",),
    "attr": ("attr",),
}

# Code that needs a distribution it does not import by name.
IMPLIED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bpytest\.mark\.asyncio\b"), "pytest-asyncio"),
    (re.compile(r"\bpytest\.mark\.anyio\b"), "anyio"),
    # starlette's TestClient needs an HTTP client: httpx2 (httpx is deprecated there).
    (re.compile(r"^\s*(from|import)\s+(fastapi|starlette)\.testclient\b", re.M), "httpx2"),
)

# Names tutorials give their own code; never a dependency even when no file is named.
CONVENTIONAL_LOCAL_NAMES = frozenset({
    "src", "tests", "test", "app", "apps", "main", "config", "settings", "models", "views", "routes",
    "utils", "helpers", "myapp", "myproject", "mysite", "project", "conftest", "manage", "run",
    "wsgi", "asgi", "your_app", "your_project", "my_app", "my_project", "my_module", "mymodule",
})

# Installer names that are tooling, not something the tutorial's code imports.
_NOT_REQUIREMENTS = frozenset({"pip", "setuptools", "wheel", "uv", "python", "pip-tools"})

# Packages in the course's optional-dependency group `course` are what the seed
# tutorials need, except these (kept out on purpose; see pyproject.toml).
EXTRA_EXCLUSIONS: dict[str, str] = {
    "apache-airflow": "hundreds of dependencies with pins that conflict with the course's own; "
                      "install it in a separate environment to run the Airflow example",
}

_SHELL_LANGUAGES = frozenset({"shell", "console", "powershell", "dockerfile", "text", "", "makefile", "batch"})
_PYTHON_LANGUAGES = frozenset({"python", "pycon", "ipython"})

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_DOTTED = rf"{_NAME}(?:\s*\.\s*{_NAME})*"
_IMPORT_LINE = re.compile(
    rf"^\s*(?:>>>\s*|\.\.\.\s*)?(?:"
    rf"from\s+(?P<from>\.*(?:{_DOTTED})?)\s+import\s+"
    rf"(?:\(|\*|{_NAME}(?:\s+as\s+{_NAME})?(?:\s*,\s*{_NAME}(?:\s+as\s+{_NAME})?)*\s*[,(\\]?)\s*(?:#.*)?$"
    rf"|import\s+(?P<names>{_DOTTED}(?:\s+as\s+{_NAME})?(?:\s*,\s*{_DOTTED}(?:\s+as\s+{_NAME})?)*)\s*(?:#.*)?$)",
    re.M,
)
_PY_PATH = re.compile(r"(?<![\w./-])((?:[\w-]+/)*[A-Za-z_]\w*)\.py\b")
_CREATE_FILE = re.compile(r"\b(?:file|module)\s+(?:named|called)\s+`?((?:[\w-]+/)*[A-Za-z_]\w*)\.py\b", re.I)
_TREE_LINE = re.compile(r"^[\s│├└─|`+\\-]*?/?(?P<name>[\w.][\w.-]*?)(?P<py>\.py)?/?\s*(?:#.*)?$")
_INSTALLER = re.compile(
    r"(?:^|[\s`'\"(!%;&|$])"
    r"(?P<tool>(?:(?:python[\d.]*|py)\s+-m\s+pip|pip[\d.]*|uv\s+pip|uv|poetry|pipenv|conda|mamba|micromamba))"
    r"\s+(?P<verb>install|add)\b(?=(?P<args>[^\n`]*))"
)
# Options of the installers that take a value (the value is not a package).
_OPTIONS_WITH_VALUE = frozenset({
    "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i", "--index-url",
    "--extra-index-url", "-f", "--find-links", "-t", "--target", "--prefix", "--root", "--src",
    "-p", "--python", "--group", "-G", "--optional", "--source", "--platform", "--python-version",
    "--implementation", "--abi", "--progress-bar", "--upgrade-strategy", "--trusted-host", "--cache-dir",
    "-n", "--name", "--channel", "--index", "--default-index", "--extra", "--package", "--only-binary",
    "--no-binary", "--config-settings", "-C", "--report", "--log", "--timeout", "--retries",
})


def infer_requirements(doc: Document) -> Document:
    """Set `meta.requirements`: the PyPI distributions the tutorial's code needs, sorted case-insensitively."""
    own = own_modules(doc)
    installed: dict[str, str] = {}
    for command_text in _install_texts(doc):
        for name in install_command_packages(command_text):
            installed.setdefault(normalize(name), canonical(name))
    needed: dict[str, str] = dict(installed)
    for block in doc.code_blocks:
        if block.language not in _PYTHON_LANGUAGES:
            continue
        for module in imported_modules(block.code):
            top = module.split(".")[0]
            if top in own or top in CONVENTIONAL_LOCAL_NAMES or top in sys.stdlib_module_names or top == "__future__":
                continue
            dist = distribution_for(module)
            if dist and not _satisfied(module, dist, installed):
                needed.setdefault(normalize(dist), dist)
        for pattern, dist in IMPLIED:
            if pattern.search(block.code):
                needed.setdefault(normalize(dist), dist)
    names = sorted(needed.values(), key=lambda n: (normalize(n), n))
    return replace(doc, meta=replace(doc.meta, requirements=tuple(names)))


def course_requirements(docs: Iterable[Document]) -> list[str]:
    """Every tutorial's requirements together, sorted (for reports and the `course` extra)."""
    found: dict[str, str] = {}
    for doc in docs:
        for name in doc.meta.requirements:
            found.setdefault(normalize(name), name)
    return sorted(found.values(), key=lambda n: (normalize(n), n))


# --- names ----------------------------------------------------------------------


def normalize(name: str) -> str:
    """PEP 503 form of a distribution name: `Flask_SQLAlchemy` -> `flask-sqlalchemy`."""
    # packaging is imported when first needed: `course convert` starts its readers first.
    from packaging.utils import canonicalize_name

    return canonicalize_name(name)


@cache
def _spelled() -> dict[str, str]:
    """PyPI's spelling of the distributions the table knows, by normalised name."""
    return {normalize(d): d for d in IMPORT_TO_PYPI.values()}


def canonical(name: str) -> str:
    """A distribution name as PyPI spells it when known (`flask` -> `Flask`), else normalised."""
    return _spelled().get(normalize(name), normalize(name))


def distribution_for(module: str) -> str:
    """The PyPI distribution that provides an imported module ("" for none we can name)."""
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        dist = IMPORT_TO_PYPI.get(".".join(parts[:i]))
        if dist:
            return dist
    top = parts[0]
    if top == "google" and len(parts) > 1:  # namespace packages: google.cloud.storage, google.auth
        tail = parts[1:3] if parts[1] == "cloud" and len(parts) > 2 else parts[1:2]
        return normalize("google-" + "-".join(tail))
    if top == "azure" and len(parts) > 1:
        return normalize("azure-" + "-".join(parts[1:3]))
    if top in ("google", "azure"):
        return ""
    return normalize(top)


def _satisfied(module: str, dist: str, installed: Mapping[str, str]) -> bool:
    top = module.split(".")[0]
    providers = {normalize(dist), normalize(top), *(normalize(a) for a in ALTERNATIVES.get(top, ()))}
    return bool(providers & installed.keys())


def missing_from_extra(needed: Iterable[str], extra: Iterable[str]) -> list[str]:
    """What `needed` holds that the `course` extra's specifiers don't cover, less `EXTRA_EXCLUSIONS`."""
    covered = {normalize(requirement_name(spec)) for spec in extra}
    excluded = {normalize(name) for name in EXTRA_EXCLUSIONS}
    return sorted(n for n in needed if normalize(n) not in covered | excluded)


# --- imports --------------------------------------------------------------------


def imported_modules(code: str) -> list[str]:
    """Absolute modules a block imports, in order; optional imports (try/except ImportError,
    `if TYPE_CHECKING:`) left out. A block that does not parse is read line by line."""
    tree = py.parse(code)
    if tree is None:
        return _imports_by_regex(code)
    skipped = _optional_import_nodes(tree)
    modules = []
    for node in py.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            modules.append(node.module)
    return modules


def _optional_import_nodes(tree: ast.AST) -> set[int]:
    """Ids of import nodes the code can do without.

    In `try: import A / except ImportError: import B`, A is optional (the code
    falls back to B, or does without); B is optional too when A is the standard
    library (a backport for older Pythons, like `tomli` for `tomllib`). A handler
    that only re-raises or exits makes A required after all.
    """
    skipped: set[int] = set()
    for node in py.walk(tree):
        handlers = [h for h in node.handlers if _catches_import_error(h)] if isinstance(node, ast.Try) else []
        if handlers and not all(_gives_up(h) for h in handlers):
            body = [n for stmt in node.body for n in py.walk(stmt) if isinstance(n, (ast.Import, ast.ImportFrom))]
            skipped |= {id(n) for n in body}
            if body and all(_is_stdlib(n) for n in body):
                for handler in node.handlers:
                    skipped |= {id(n) for stmt in handler.body for n in py.walk(stmt)
                                if isinstance(n, (ast.Import, ast.ImportFrom))}
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            skipped |= {id(n) for stmt in node.body for n in py.walk(stmt) if isinstance(n, (ast.Import, ast.ImportFrom))}
    return skipped


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError") for n in names)


def _gives_up(handler: ast.ExceptHandler) -> bool:
    """The handler raises or exits: the import in the `try` is required after all."""
    for stmt in handler.body:
        if isinstance(stmt, ast.Raise):
            return True
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            func = stmt.value.func
            name = ast.unparse(func) if isinstance(func, (ast.Name, ast.Attribute)) else ""
            if name in ("exit", "quit", "sys.exit", "os._exit"):
                return True
    return False


def _is_stdlib(node: ast.Import | ast.ImportFrom) -> bool:
    modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
    return all(m.split(".")[0] in sys.stdlib_module_names for m in modules) and not getattr(node, "level", 0)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports_by_regex(code: str) -> list[str]:
    modules = []
    for match in _IMPORT_LINE.finditer(code):
        if match.group("from") is not None:
            module = re.sub(r"\s+", "", match.group("from"))
            if module and not module.startswith("."):
                modules.append(module)
        else:
            for part in match.group("names").split(","):
                modules.append(re.sub(r"\s+", "", part.split(" as ")[0]))
    return modules


# --- the tutorial's own modules ---------------------------------------------------


def own_modules(doc: Document) -> set[str]:
    """Module and package names the tutorial writes itself (never a dependency)."""
    own: set[str] = set()
    for block in doc.blocks:
        if isinstance(block, CodeBlock):
            if block.file:
                own |= _path_names(block.file)
            first = next((line for line in block.code.splitlines() if line.strip()), "")
            if first.lstrip().startswith(("#", "//")):
                own |= {n for path in _PY_PATH.findall(first) for n in _path_names(path + ".py")}
            if block.language in ("text", "") and _is_tree(block.code):
                own |= {n for n in _tree_names(block.code) if n not in IMPORT_TO_PYPI}
        else:
            text = _prose(block)
            strong = {n for path in _CREATE_FILE.findall(text) for n in _path_names(path + ".py")}
            weak = {n for path in _PY_PATH.findall(text) for n in _path_names(path + ".py")}
            own |= strong | {n for n in weak if n not in IMPORT_TO_PYPI}
    return own


def _path_names(path: str) -> set[str]:
    """The importable names along a path: `app/main/routes.py` -> {app, main, routes}."""
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if not parts:
        return set()
    last = parts[-1]
    names = parts[:-1] + ([last[:-3]] if last.endswith(".py") else [] if "." in last else [last])
    return {n for n in names if n.isidentifier()}


def _is_tree(code: str) -> bool:
    lines = [line for line in code.splitlines() if line.strip()]
    if len(lines) < 2 or not all(_TREE_LINE.match(line) for line in lines):
        return False
    return any(c in code for c in "├└│") or any(line.strip().startswith("/") or line.rstrip().endswith("/")
                                                 or ".py" in line for line in lines)


def _tree_names(code: str) -> Iterator[str]:
    for line in code.splitlines():
        match = _TREE_LINE.match(line)
        if match and (match.group("py") or "." not in match.group("name")) and match.group("name").isidentifier():
            yield match.group("name")


def _prose(block: object) -> str:
    """A prose block's text with CommonMark backslash escapes undone (`\\_\\_init\\_\\_.py`)."""
    if isinstance(block, (Paragraph, Heading, Quote)):
        text = block.text
    elif isinstance(block, ListBlock):
        text = "\n".join(block.items)
    elif isinstance(block, Table):
        text = "\n".join(" ".join(row) for row in (block.header, *block.rows))
    else:
        return ""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


# --- install commands -------------------------------------------------------------


def _install_texts(doc: Document) -> Iterator[str]:
    """Text that may hold install commands: shell-like blocks, Python blocks' `!pip` lines
    and comments, and inline code in the prose."""
    for block in doc.blocks:
        if isinstance(block, CodeBlock):
            if block.language in _SHELL_LANGUAGES:
                yield re.sub(r"\\\n", " ", block.code)
            elif block.language in _PYTHON_LANGUAGES:
                yield "\n".join(line for line in block.code.splitlines()
                                if line.lstrip().startswith(("!", "%", "#")))
        else:
            yield "\n".join(re.findall(r"`([^`\n]+)`", _prose(block)))


def install_command_packages(text: str) -> list[str]:
    """Distribution names installed by the Python installer commands in `text`, as written."""
    names = []
    for match in _INSTALLER.finditer(text):
        tool = re.sub(r"\s+", " ", match.group("tool"))
        verb = match.group("verb")
        if (tool in ("uv", "poetry") and verb != "add") or (tool not in ("uv", "poetry") and verb != "install"):
            continue
        names += _packages_in_args(match.group("args"), conda=tool in ("conda", "mamba", "micromamba"))
    return names


def _packages_in_args(args: str, *, conda: bool) -> list[str]:
    names = []
    skip_value = False
    for token in _command_tokens(args):
        if token in _SHELL_OPERATORS:
            break  # the command ends: `&&`, `;`, `|`, ...
        if skip_value or token.startswith("-"):
            skip_value = not skip_value and token in _OPTIONS_WITH_VALUE
            continue
        if token in ("<", ">", ">>"):
            skip_value = True  # a redirection and its file
            continue
        token = token.rstrip(",.")  # prose: "pip install flask, requests."
        if conda and "::" in token:
            token = token.split("::", 1)[1]  # conda-forge::numpy
        if re.match(r"^(\.|/|~|[A-Za-z+]+://|git\+|file:|\$)", token) or token.endswith(_ARCHIVES):
            continue  # a path, an archive, a variable or a URL: not a name on PyPI
        name = _requirement_name(token, conda=conda)
        if not name or re.fullmatch(r"[\d.]+", name) or normalize(name) in _NOT_REQUIREMENTS:
            continue
        names.append("torch" if conda and name == "pytorch" else name)
    return names


def _requirement_name(token: str, *, conda: bool) -> str:
    """The distribution a requirement names (`Flask[async]>=3` -> `Flask`), "" if the token is
    not one. conda pins with one `=` (`numpy=1.26`), which PEP 508 spells `==`."""
    if conda:
        token = re.sub(r"(?<![=<>!~])=(?!=)", "==", token)
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(token).name
    except InvalidRequirement:
        return ""


_SHELL_OPERATORS = frozenset({";", "&", "&&", "|", "||", "(", ")", ";;"})
_ARCHIVES = (".whl", ".tar.gz", ".zip", ".txt", ".toml", ".cfg")


def _command_tokens(args: str) -> list[str]:
    """Shell words of the rest of a command line; operators and redirections as their own tokens."""
    lexer = shlex.shlex(args, posix=True, punctuation_chars=";&|()<>")
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # an unclosed quote: fall back to words
        return [w.strip("\"'") for w in args.split()]
