"""The declared course environment: what the notebooks may import, as data.

`course convert` must not depend on what happens to be installed in the venv
that runs it, so "is this package available to the course?" is answered from
the `course` extra of the project's pyproject.toml (what `make book` installs
for learners and CI), read once into a `CourseEnvironment` value and passed to
the passes. A project without that file or extra has only the standard library.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

EXTRA = "course"

# Distributions whose import names the default rule (`name.lower().replace("-", "_")`)
# gets wrong or incompletely. Read from their wheels' RECORD files once, by hand;
# the converter never asks the running venv.
IMPORT_NAMES: dict[str, tuple[str, ...]] = {
    "pytest": ("pytest", "_pytest", "py"),
    "beautifulsoup4": ("bs4",),
    "pyyaml": ("yaml",),
    "pillow": ("PIL",),
    "scikit-learn": ("sklearn",),
    "python-dateutil": ("dateutil",),
    "python-dotenv": ("dotenv",),
    "pyjwt": ("jwt",),
    "psycopg2-binary": ("psycopg2",),
    "opencv-python": ("cv2",),
    "djangorestframework": ("rest_framework",),
    "markdown-it-py": ("markdown_it",),
    "jupysql": ("sql",),
}


@dataclass(frozen=True, slots=True)
class CourseEnvironment:
    """The packages the course declares (the `course` extra) and the modules they provide."""

    requirements: tuple[str, ...] = ()
    """The extra's requirement strings, as written (`"Flask>=3.1,<4"`)."""
    imports: frozenset[str] = frozenset()
    """Top-level import names those requirements provide (`flask`), standard library not included."""
    npm: frozenset[str] = frozenset()
    """npm packages the course installs for its JavaScript cells (package.json next to pyproject.toml)."""

    def provides(self, module: str) -> bool:
        """A notebook in this environment can import `module` (standard library or declared)."""
        top = module.split(".")[0]
        return top in sys.stdlib_module_names or top in self.imports


def distribution_name(requirement: str) -> str:
    """`"Flask-SQLAlchemy[async]>=3.1; python_version>'3'"` -> `Flask-SQLAlchemy` ("" if it is
    not a requirement, by PEP 508 as `packaging` reads it)."""
    # Imported here: `course convert` reads the environment once its readers have started.
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(requirement).name
    except InvalidRequirement:
        return ""


def import_names(distribution: str) -> tuple[str, ...]:
    """The top-level modules a distribution provides (by the table, else the default rule)."""
    key = re.sub(r"[-_.]+", "-", distribution).lower()
    return IMPORT_NAMES.get(key, (distribution.lower().replace("-", "_").replace(".", "_"),))


def from_requirements(requirements: Iterable[str]) -> CourseEnvironment:
    """The environment those requirement strings declare."""
    specs = tuple(str(r) for r in requirements)
    names = {name for spec in specs if (dist := distribution_name(spec)) for name in import_names(dist)}
    return CourseEnvironment(specs, frozenset(names))


def read(pyproject: Path) -> CourseEnvironment:
    """The `course` extra of a pyproject.toml and the npm packages of the package.json beside
    it; empty (standard library only) without them."""
    return replace(_read_extra(pyproject), npm=read_npm(pyproject.with_name("package.json")))


def fingerprint(env: CourseEnvironment) -> str:
    """A short digest of what the course installs: findings made in another environment are stale
    (a package added to package.json must not leave its cells demoted)."""
    text = "\n".join([*env.requirements, "--npm--", *sorted(env.npm)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def read_npm(package_json: Path) -> frozenset[str]:
    """The dependencies a package.json declares (none when it is missing or unreadable)."""
    try:
        data = json.loads(package_json.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return frozenset()
    if not isinstance(data, dict):
        return frozenset()
    found = (data.get(key) for key in ("dependencies", "devDependencies"))
    return frozenset(name for table in found if isinstance(table, dict) for name in table)


def _read_extra(pyproject: Path) -> CourseEnvironment:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return CourseEnvironment()
    specs = data.get("project", {}).get("optional-dependencies", {}).get(EXTRA, [])
    return from_requirements(specs if isinstance(specs, list) else [])
