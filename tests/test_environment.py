"""The declared course environment: the `course` extra read as data, never the running venv."""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.document import CodeBlock, Document, Meta
from converter.environment import CourseEnvironment, distribution_name, from_requirements, import_names, read
from converter.passes.runnability import RUNS, SKIPPED, decide_runnability

PYPROJECT = """\
[project]
name = "demo"
[project.optional-dependencies]
test = ["pytest>=8"]
course = [
    "Django>=5.2,<6",            # a comment
    "Flask-SQLAlchemy[async]>=3.1,<4",
    "httpx2>=2.16,<3",
    "pytest-asyncio>=1.5,<2; python_version >= '3.11'",
    "pytest>=9.2,<10",
]
"""


@pytest.mark.parametrize(("distribution", "modules"), [
    ("Django", ("django",)),
    ("Flask-SQLAlchemy", ("flask_sqlalchemy",)),
    ("flask_sqlalchemy", ("flask_sqlalchemy",)),
    ("httpx2", ("httpx2",)),  # its wheel's RECORD holds httpx2/ only (not httpx)
    ("pytest-asyncio", ("pytest_asyncio",)),
    ("pytest", ("pytest", "_pytest", "py")),
    ("PyYAML", ("yaml",)),
    ("beautifulsoup4", ("bs4",)),
    ("zope.interface", ("zope_interface",)),
])
def test_import_names_come_from_the_table_or_the_default_rule(distribution: str, modules: tuple[str, ...]) -> None:
    assert import_names(distribution) == modules


@pytest.mark.parametrize(("spec", "name"), [
    ("Flask>=3.1,<4", "Flask"),
    ("  Flask-SQLAlchemy[async] >= 3.1", "Flask-SQLAlchemy"),
    ("pytest-asyncio; python_version >= '3.11'", "pytest-asyncio"),
    (">=1", ""),
])
def test_distribution_name(spec: str, name: str) -> None:
    assert distribution_name(spec) == name


def test_the_course_extra_is_read_as_data(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    env = read(tmp_path / "pyproject.toml")
    assert env.requirements[0] == "Django>=5.2,<6" and len(env.requirements) == 5
    assert env.imports == {"django", "flask_sqlalchemy", "httpx2", "pytest_asyncio", "pytest", "_pytest", "py"}
    assert env.provides("django.db.models") and env.provides("json") and env.provides("os.path")
    assert not env.provides("flask")  # Flask-SQLAlchemy is declared, Flask itself is not
    assert not env.provides("pytest_mock")  # `test` extra is not the course's
    assert env == from_requirements(env.requirements)


@pytest.mark.parametrize("text", [None, "", "not [toml", '[project]\nname = "x"\n',
                                  '[project.optional-dependencies]\ncourse = "Flask"\n'])
def test_without_a_course_extra_only_the_standard_library(tmp_path: Path, text: str | None) -> None:
    if text is not None:
        (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    env = read(tmp_path / "pyproject.toml")
    assert env == CourseEnvironment()
    assert env.provides("sqlite3") and not env.provides("django")


def test_runnability_asks_the_declared_environment_not_the_venv() -> None:
    # Flask is installed in the venv running this test; what counts is what the course declares.
    doc = Document(Meta("t", "s"), (CodeBlock("from flask import Flask\napp = Flask(__name__)\n", language="python"),))
    [declared] = decide_runnability(doc, environment=from_requirements(["Flask>=3.1,<4"])).code_blocks
    [undeclared] = decide_runnability(doc, environment=CourseEnvironment()).code_blocks
    assert declared.status == RUNS
    assert undeclared.status == SKIPPED and undeclared.category == "package"
    assert "course environment" in undeclared.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"dependencies": {"express": "^4"}, "devDependencies": {"jest": "^29"}}', {"express", "jest"}),
        ('{"name": "x"}', set()), ("not json", set()), ("[1, 2]", set()), ('{"dependencies": ["ws"]}', set()),
    ],
)
def test_npm_packages_are_read_from_package_json_beside_pyproject(tmp_path: Path, text: str, expected: set) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "package.json").write_text(text, encoding="utf-8")
    assert read(tmp_path / "pyproject.toml").npm == expected
