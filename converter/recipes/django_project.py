"""Load a tutorial's Django project inside the notebook, with an in-memory database.

The tutorial's files (settings, <app>/models.py, <app>/admin.py, ...) are written with
%%writefile; one setup cell then configures Django from the tutorial's own settings (or in
memory when it shows none), creates the tables `manage.py migrate` would, and imports the app
modules, which is where Django checks them.

Which file is the settings module and which folders are apps is read from the files' content
and names, so the common layouts all load: `startproject` (mysite/settings.py), settings split
per environment (config/settings/base.py + local.py), apps with a models package
(shop/models/__init__.py) or an AppConfig (apps.py), src/ layouts, and an app without a project.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..python_code import parse
from .workspace import module_of

DEFAULT_APPS = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
)
NOTE = "the `...` in INSTALLED_APPS stands for Django's default apps, now written out"
_ELIDED = re.compile(r"^(\s*)(\.\.\.|…),?\s*$", re.M)
# Settings meant for a server, not for trying the code out: chosen last.
_DEPLOYED = re.compile(r"prod|production|staging|deploy|ci|test", re.I)


@dataclass(frozen=True, slots=True)
class Project:
    """The Django project the tutorial's files make up."""

    settings: str
    """The settings module to load ("" when the tutorial shows none)."""
    apps: tuple[str, ...]
    """The tutorial's own app packages."""
    modules: tuple[str, ...]
    """Modules the setup cell imports (settings first): Django checks models and admin there."""


def fill_elided_apps(code: str) -> tuple[str, str]:
    """Settings that elide the default apps with `...` -> the apps written out; (code, note)."""
    if "INSTALLED_APPS" not in code or not _ELIDED.search(code):
        return code, ""
    def apps(match: re.Match[str]) -> str:
        indent = match.group(1)
        lines = [f"{indent}# changed: '...' in the tutorial stands for Django's default apps"]
        return "\n".join(lines + [f"{indent}'{app}'," for app in DEFAULT_APPS])
    return _ELIDED.sub(apps, code, count=1), NOTE


def project(files: dict[str, str]) -> Project | None:
    """The project in the tutorial's Python files (path -> code), or None without an app."""
    modules = {module_of(path): path for path in files}
    settings = settings_module(files)
    named = _installed_apps(files.get(modules.get(settings, ""), ""), set(modules))
    apps = sorted(set(named) | _app_folders(files))
    if not apps:
        return None
    imports = [f"{app}.{part}" for app in apps for part in ("apps", "models", "admin") if f"{app}.{part}" in modules]
    return Project(settings, tuple(apps), tuple(([settings] if settings else []) + imports))


def settings_module(files: dict[str, str]) -> str:
    """The module that configures the project: the one assigning INSTALLED_APPS, or a module
    building on it (`from .base import *`), preferring one for trying things out over one
    for a server (local.py over production.py)."""
    modules = {module_of(path): code for path, code in files.items() if path.endswith(".py")}
    defining = {m for m, code in modules.items() if _assigns(code, "INSTALLED_APPS")}
    extending = {m for m, code in modules.items() if m not in defining and _star_imports(code, m) & defining}
    candidates = sorted(extending or defining, key=lambda m: (bool(_DEPLOYED.search(m.rpartition(".")[2])), m))
    return candidates[0] if candidates else ""


def _assigns(code: str, name: str) -> bool:
    tree = parse(code)
    return bool(tree) and any(isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
                              for node in tree.body)


def _star_imports(code: str, module: str) -> set[str]:
    """Modules `from x import *` brings in, relative ones made absolute."""
    tree = parse(code)
    package = module.rpartition(".")[0].split(".") if "." in module else []
    found = set()
    for node in (tree.body if tree else []):
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            base = package[: len(package) - (node.level - 1)] if node.level else []
            found.add(".".join([*base, node.module] if node.module else base))
    return found


def _installed_apps(code: str, tutorial_modules: set[str]) -> list[str]:
    """The tutorial's own apps named in INSTALLED_APPS ("inventory.apps.InventoryConfig" -> "inventory")."""
    names = re.findall(r"""["']([\w.]+)["']""", code.partition("INSTALLED_APPS")[2].partition("]")[0])
    apps = []
    for name in names:
        parts = name.split(".")
        while parts and not any(m == ".".join(parts) or m.startswith(".".join(parts) + ".") for m in tutorial_modules):
            parts.pop()
        if parts[-2:-1] and parts[-1] == "apps":
            parts.pop()
        if parts:
            apps.append(".".join(parts))
    return apps


def _app_folders(files: dict[str, str]) -> set[str]:
    """Packages that hold models (models.py or a models/ package) or an AppConfig (apps.py)."""
    apps = set()
    for path in files:
        p = PurePosixPath(path)
        if p.name in ("models.py", "apps.py") or (p.name == "__init__.py" and p.parent.name == "models"):
            apps.add(module_of(path).rpartition(".")[0])  # shop/models.py, shop/models/__init__.py -> shop
    return apps - {""}


def setup_cell(found: Project) -> str:
    """Code of the cell that configures Django, makes its tables and imports the tutorial's app modules."""
    lines = [
        "# Course setup: load the Django project written above (in-memory database, no server).",
        "import os",
        "import django",
        "from django.conf import settings",
        "from django.core.management import call_command",
        "# Jupyter runs cells inside an event loop; Django's ORM refuses that unless told it is safe.",
        'os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"',
    ]
    memory = '{"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}'
    if found.settings:
        lines += [
            f'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{found.settings}")',
            "# The tutorial's own database may be a server or a file: each run starts from an empty one in memory.",
            f"settings.DATABASES = {memory}",
        ]
    else:
        installed = ", ".join(repr(a) for a in (*DEFAULT_APPS, *found.apps))
        lines += [
            "settings.configure(",
            f"    INSTALLED_APPS=[{installed}],",
            f"    DATABASES={memory},",
            '    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",',
            ")",
        ]
    lines += ["django.setup()",
              'call_command("migrate", run_syncdb=True, verbosity=0)  # the tables `manage.py migrate` would make']
    lines += [f"import {module}" for module in found.modules if module != found.settings]
    lines.append('print("Django project loaded:", ", ".join(' + repr(list(found.apps)) + "))")
    return "\n".join(lines)
