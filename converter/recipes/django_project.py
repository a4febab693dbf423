"""Load a tutorial's Django project inside the notebook, with an in-memory database.

The tutorial's files (settings.py, <app>/models.py, <app>/admin.py, ...) are
written with %%writefile; one setup cell then configures Django from the
tutorial's own settings (or in memory when it shows none) and imports the
app modules, which is where Django checks them.
"""

from __future__ import annotations

import re

DEFAULT_APPS = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
)
NOTE = "the `...` in INSTALLED_APPS stands for Django's default apps, now written out"
_ELIDED = re.compile(r"^(\s*)(\.\.\.|…),?\s*$", re.M)


def is_settings(path: str) -> bool:
    return path.endswith("settings.py")


def fill_elided_apps(code: str) -> tuple[str, str]:
    """Settings that elide the default apps with `...` -> the apps written out; (code, note)."""
    if "INSTALLED_APPS" not in code or not _ELIDED.search(code):
        return code, ""
    def apps(match: re.Match[str]) -> str:
        indent = match.group(1)
        lines = [f"{indent}# changed: '...' in the tutorial stands for Django's default apps"]
        return "\n".join(lines + [f"{indent}'{app}'," for app in DEFAULT_APPS])
    return _ELIDED.sub(apps, code, count=1), NOTE


def apps_of(files: list[str]) -> list[str]:
    """Django app packages among written files: folders holding a models.py."""
    return sorted({path.rsplit("/", 1)[0].replace("/", ".") for path in files if path.endswith("/models.py")})


def setup_cell(*, settings_module: str, apps: list[str], modules: list[str]) -> str:
    """Code of the cell that configures Django and imports the tutorial's app modules."""
    lines = ["# Course setup: load the Django project written above (in-memory database, no server).", "import django"]
    if settings_module:
        lines += [
            "import os",
            f'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{settings_module}")',
        ]
    else:
        installed = ", ".join(repr(a) for a in (*DEFAULT_APPS, *apps))
        lines += [
            "from django.conf import settings",
            "settings.configure(",
            f"    INSTALLED_APPS=[{installed}],",
            '    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},',
            ")",
        ]
    lines.append("django.setup()")
    lines += [f"import {module}" for module in modules]
    lines.append('print("Django project loaded:", ", ".join(' + repr(apps) + "))")
    return "\n".join(lines)
