"""The `dependencies` pass: PyPI requirements from imports and install commands."""

from __future__ import annotations

import tomllib
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from converter.document import CodeBlock, Course, Document, Heading, ListBlock, Meta, Paragraph
from converter.passes import run_passes
from tests.course_environment import COURSE
from converter.passes.dependencies import (
    EXTRA_EXCLUSIONS, IMPORT_TO_PYPI, course_requirements, distribution_for, imported_modules,
    infer_requirements, install_command_packages, missing_from_extra, normalize, own_modules,
    requirement_name,
)
from converter.readers import read_source

ROOT = Path(__file__).resolve().parents[1]


def _doc(*blocks) -> Document:
    return Document(Meta("T", "t.md"), tuple(blocks))


def _py(code: str, **kw) -> CodeBlock:
    return CodeBlock(code, "python", **kw)


def _requirements(*blocks) -> tuple[str, ...]:
    return infer_requirements(_doc(*blocks)).meta.requirements


# --- imports -----------------------------------------------------------------------


@pytest.mark.parametrize("code, expected", [
    ("import flask", ("Flask",)),
    ("import yaml as y", ("PyYAML",)),
    ("import numpy, pandas as pd", ("numpy", "pandas")),
    ("import google.protobuf.message as m", ("protobuf",)),
    ("from sqlalchemy.orm import Session", ("SQLAlchemy",)),
    ("from bs4 import BeautifulSoup", ("beautifulsoup4",)),
    ("from PIL import Image", ("Pillow",)),
    ("import cv2", ("opencv-python",)),
    ("from sklearn.linear_model import LinearRegression", ("scikit-learn",)),
    ("import jwt", ("PyJWT",)),
    ("from dotenv import load_dotenv", ("python-dotenv",)),
    ("from dateutil import parser", ("python-dateutil",)),
    ("import psycopg2", ("psycopg2-binary",)),
    ("from airflow.models.dag import DAG", ("apache-airflow",)),
    ("from jinja2 import Template", ("Jinja2",)),
    ("import attr", ("attrs",)),
    ("from flask_sqlalchemy import SQLAlchemy", ("Flask-SQLAlchemy",)),
    ("from google.cloud import storage", ("google-cloud",)),
    ("import google.cloud.storage", ("google-cloud-storage",)),
    ("from google.oauth2 import service_account", ("google-oauth2",)),
    ("def handler():\n    import boto3\n    return boto3", ("boto3",)),
    ("class A:\n    def f(self):\n        from redis import Redis\n", ("redis",)),
    ("import somethingnew", ("somethingnew",)),
    ("import Some_Thing.sub", ("some-thing",)),
])
def test_imports_of_every_kind_become_pypi_names(code: str, expected: tuple[str, ...]) -> None:
    assert _requirements(_py(code)) == expected


@pytest.mark.parametrize("code", [
    "import os, sys, json\nfrom collections import Counter",
    "import asyncio\nfrom concurrent.futures import ThreadPoolExecutor",
    "import tomllib\nimport xml.etree.ElementTree as ET",
    "from __future__ import annotations",
    "from . import views\nfrom .models import User\nfrom ..core import x",
])
def test_standard_library_relative_and_future_imports_are_not_requirements(code: str) -> None:
    assert _requirements(_py(code)) == ()


@pytest.mark.parametrize("code, expected", [
    # The code falls back to the standard library: nothing to install.
    ("try:\n    import ujson as json\nexcept ImportError:\n    import json", ()),
    # A backport for older Pythons behind a standard-library import.
    ("try:\n    import tomllib\nexcept ModuleNotFoundError:\n    import tomli as tomllib", ()),
    # Optional: the code does without.
    ("try:\n    import orjson\nexcept ImportError:\n    orjson = None", ()),
    # The fallback is what the code is sure to need.
    ("try:\n    from yaml import CSafeLoader as Loader\n"
     "except ImportError:\n    from yaml import SafeLoader as Loader", ("PyYAML",)),
    # A handler that gives up makes the import required.
    ("try:\n    import requests\nexcept ImportError:\n    raise SystemExit('pip install requests')", ("requests",)),
    ("import sys\ntry:\n    import httpx\nexcept (ImportError, AttributeError):\n    sys.exit(1)", ("httpx",)),
    # Only for type checkers.
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pandas import DataFrame", ()),
])
def test_optional_imports(code: str, expected: tuple[str, ...]) -> None:
    assert _requirements(_py(code)) == expected


@pytest.mark.parametrize("code, expected", [
    ("from flask import Flask\napp = Flask(__name__\n", ("Flask",)),  # unclosed paren
    (">>> import numpy as np\n>>> np.arange(3)\narray([0, 1, 2])", ("numpy",)),
    ("import requests\n...\nresponse = requests.get(url\n    # ... more\n", ("requests",)),
    ("from django.db import (\n    models,\n", ("Django",)),
    ("import pandas as pd, numpy\nprint(pd.__version__", ("numpy", "pandas")),
    ("from .models import X\nimport os\nif x\n", ()),
    ("We import the data and then\nfrom here import that is prose\nprint(", ()),  # not an import line
])
def test_fragments_that_do_not_parse_are_read_line_by_line(code: str, expected: tuple[str, ...]) -> None:
    assert _requirements(_py(code)) == expected


def test_imported_modules_keeps_the_full_dotted_name_in_order() -> None:
    code = "import a.b as c\nfrom d.e import f\nfrom . import g\ndef h():\n    import i"
    assert imported_modules(code) == ["a.b", "d.e", "i"]


def test_only_python_blocks_are_read_for_imports() -> None:
    blocks = [
        CodeBlock("import express from 'express';\nimport { Server } from 'socket.io';", "javascript"),
        CodeBlock('import (\n    "fmt"\n    "sync"\n)', "go"),
        CodeBlock("import pandas", "text"),
    ]
    assert _requirements(*blocks) == ()


def test_code_that_needs_a_plugin_it_does_not_import() -> None:
    code = "import pytest\n\n@pytest.mark.asyncio\nasync def test_x():\n    assert True"
    assert _requirements(_py(code)) == ("pytest", "pytest-asyncio")
    assert _requirements(_py("from fastapi.testclient import TestClient")) == ("fastapi", "httpx2")


# --- the tutorial's own modules -------------------------------------------------------


@pytest.mark.parametrize("blocks", [
    # `file` set by the files pass
    [_py("from flask import Blueprint\nbp = Blueprint('auth', __name__)", file="auth.py"),
     _py("from flask import Flask\nfrom auth import bp")],
    [_py("x = 1", file="app/main/routes.py"), _py("from app.main.routes import x\nimport flask")],
    [_py("class User: ...", file="accounts/models.py"), _py("from accounts.models import User\nimport flask")],
    # a first-line comment naming the file, even after the import that uses it
    [_py("from flask import Flask\nfrom auth import auth_bp"), _py("# auth.py\nfrom flask import Blueprint")],
    [_py("# Inside blog/routes.py\nfrom flask import Blueprint"), _py("from blog.routes import bp\nimport flask")],
    # the prose names the file
    [Paragraph("Create a file named `auth.py`:"), _py("import flask"), _py("from auth import bp")],
    [Paragraph("In app/admin/routes.py, we define the dashboard:"), _py("from app.admin.routes import admin\nimport flask")],
    [ListBlock(("Open **`services/api/src/billing/core.py`**",)), _py("from billing.core import charge\nimport flask")],
    [Heading(2, "The shop\\_utils.py module"), _py("from shop_utils import price\nimport flask")],
    # a directory tree
    [CodeBlock("/my_project\n    /blog\n        /__init__.py\n        /routes.py\n    /run.py", "text"),
     _py("from blog import routes\nimport run\nimport flask")],
    [CodeBlock("repo/\n├── pyproject.toml\n└── packages/\n    └── shared_lib/\n        └── core.py", "text"),
     _py("from shared_lib.core import greet\nimport flask")],
    # names tutorials use for their own code
    [_py("from src.app import app\nfrom tests.test_db import engine\nimport flask")],
])
def test_the_tutorials_own_modules_are_not_requirements(blocks) -> None:
    assert _requirements(*blocks) == ("Flask",)


def test_prose_mentioning_a_known_package_file_does_not_hide_it() -> None:
    blocks = [Paragraph("Flask's own requests.py is not what we mean."), _py("import requests")]
    assert _requirements(*blocks) == ("requests",)
    # A code block that *is* the file wins: it shadows the package.
    assert _requirements(_py("# redis.py\nclass Redis: ..."), _py("from redis import Redis")) == ()


def test_own_modules_are_collected_from_the_whole_tutorial() -> None:
    doc = _doc(_py("x", file="pkg/sub/mod.py"), Paragraph("Edit `settings/base.py`."), _py("# tools.py\n"))
    assert {"pkg", "sub", "mod", "settings", "base", "tools"} <= own_modules(doc)


# --- install commands -------------------------------------------------------------------


@pytest.mark.parametrize("command, expected", [
    ("pip install flask", ["flask"]),
    ("pip3 install -U Flask requests", ["Flask", "requests"]),
    ("python -m pip install --upgrade 'django>=4.2,<5' httpx==0.27.0", ["django", "httpx"]),
    ("python3 -m pip install -r requirements.txt -e . pydantic~=2.0", ["pydantic"]),
    ("py -m pip install --index-url https://example.org/simple numpy", ["numpy"]),
    ("sudo pip install --user --no-cache-dir pyyaml", ["pyyaml"]),
    ("pip install 'fastapi[standard]' uvicorn[standard]>=0.30", ["fastapi", "uvicorn"]),
    ("pip install -e packages/shared_library", []),
    ("pip install ./dist/pkg-1.0-py3-none-any.whl git+https://github.com/x/y.git", []),
    ("pip install --upgrade pip setuptools wheel", []),
    ("pip install -U pip && pip install celery[redis]", ["celery"]),
    ("pip install django>=4 > install.log", ["django"]),
    ("uv add httpx", ["httpx"]),
    ("uv add --dev pytest pytest-asyncio", ["pytest", "pytest-asyncio"]),
    ("uv add --group lint ruff", ["ruff"]),
    ("uv pip install requests", ["requests"]),
    ("uv pip install -r requirements.txt", []),
    ("poetry add sqlalchemy@^2.0", ["sqlalchemy"]),  # poetry's `@` constraint: the package is still sqlalchemy
    ("poetry add -G dev black", ["black"]),
    ("poetry add pendulum", ["pendulum"]),
    ("pipenv install --dev pytest-mock", ["pytest-mock"]),
    ("conda install -c conda-forge numpy=1.26 conda-forge::scipy pytorch python=3.11",
     ["numpy", "scipy", "torch"]),
    ("!pip install -q transformers", ["transformers"]),
    ("%pip install pandas", ["pandas"]),
    ("$ pip install redis  # the client", ["redis"]),
    ("RUN pip install --no-cache-dir gunicorn", ["gunicorn"]),
])
def test_install_commands_of_each_tool(command: str, expected: list[str]) -> None:
    assert install_command_packages(command) == expected


@pytest.mark.parametrize("command", [
    "npm install redis axios",
    "npm install --save-dev jest",
    "pnpm install express socket.io",
    "pnpm add -D jest",
    "yarn add --dev jest",
    "gem install rails",
    "bundle install",
    "cargo install ripgrep",
    "go get github.com/lib/pq",
    "brew install python",
    "apt-get install -y python3-pip",
    "pipx install ruff",
    "uv tool install ruff",
    "poetry install",
    "uv pip freeze > requirements.txt",
    "pip uninstall trio",
])
def test_other_installers_and_commands_are_ignored(command: str) -> None:
    assert install_command_packages(command) == []
    assert _requirements(CodeBlock(command, "shell")) == ()


def test_install_commands_give_requirements_with_pypi_spelling() -> None:
    blocks = [
        CodeBlock("# Install Django\npip install django\npip install flask_sqlalchemy pyyaml", "shell"),
        _py("# pip install beautifulsoup4\nfrom bs4 import BeautifulSoup"),
        Paragraph("Then run `uv add Requests` and `npm install left-pad`."),
    ]
    assert _requirements(*blocks) == ("beautifulsoup4", "Django", "Flask-SQLAlchemy", "PyYAML", "requests")


def test_an_installed_alternative_satisfies_the_import() -> None:
    blocks = [CodeBlock("pip install opencv-python-headless psycopg2", "shell"), _py("import cv2\nimport psycopg2")]
    assert _requirements(*blocks) == ("opencv-python-headless", "psycopg2")


def test_install_commands_in_javascript_blocks_are_not_read() -> None:
    code = "// run: pip install flask\nconst x = require('x');"
    assert _requirements(CodeBlock(code, "javascript")) == ()


# --- names and the pass's contract ---------------------------------------------------------


@pytest.mark.parametrize("module, dist", [
    ("flask", "Flask"), ("django.db.models", "Django"), ("yaml", "PyYAML"), ("sklearn", "scikit-learn"),
    ("pytest_asyncio", "pytest-asyncio"), ("google.protobuf", "protobuf"), ("google", ""),
    ("brand_new_pkg", "brand-new-pkg"), ("Cython", "cython"),
])
def test_distribution_for(module: str, dist: str) -> None:
    assert distribution_for(module) == dist


def test_the_table_spells_every_distribution_once() -> None:
    by_normal: dict[str, set[str]] = {}
    for dist in IMPORT_TO_PYPI.values():
        by_normal.setdefault(normalize(dist), set()).add(dist)
    assert all(len(spellings) == 1 for spellings in by_normal.values()), by_normal


def test_the_pass_is_pure_and_keeps_everything_else() -> None:
    meta = Meta("T", "t.md", slug="t", chapter="Python")
    doc = Document(meta, (_py("import flask", status="runs"),), notes=("n",))
    out = infer_requirements(doc)
    assert out.meta.requirements == ("Flask",) and doc.meta.requirements == ()
    assert out.blocks == doc.blocks and out.notes == doc.notes and out.meta.slug == "t"
    assert infer_requirements(out) == out
    with pytest.raises(FrozenInstanceError):
        out.meta.requirements = ()  # type: ignore[misc]


def test_course_requirements_is_the_sorted_union() -> None:
    docs = [infer_requirements(_doc(_py("import flask, requests"))),
            infer_requirements(_doc(_py("import aiohttp\nimport flask")))]
    assert course_requirements(docs) == ["aiohttp", "Flask", "requests"]
    assert course_requirements([]) == []


@pytest.mark.parametrize("spec, name", [
    ("Flask>=3.1,<4", "Flask"), ("  pytest-asyncio >=1.5", "pytest-asyncio"), ("uvicorn[standard]", "uvicorn"), ("", ""),
])
def test_requirement_name(spec: str, name: str) -> None:
    assert requirement_name(spec) == name


def test_missing_from_extra_ignores_case_separators_and_exclusions() -> None:
    needed = ["Flask", "pytest_asyncio", "apache-airflow", "requests"]
    assert missing_from_extra(needed, ["flask>=3", "pytest-asyncio>=1"]) == ["requests"]


# --- the seeds and the `course` extra ----------------------------------------------------------


@pytest.fixture(scope="module")
def seed_docs() -> list[Document]:
    docs = [d for path in sorted((ROOT / "sources").iterdir()) for d in read_source(path)]
    return [infer_requirements(d) for d in run_passes(Course(tuple(docs)), environment=COURSE).documents]


@pytest.fixture(scope="module")
def course_extra() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return data["project"]["optional-dependencies"]["course"]


def test_seed_tutorials_need_what_they_import_and_install(seed_docs: list[Document]) -> None:
    by_title = {d.meta.title: d.meta.requirements for d in seed_docs}
    assert by_title["Mastering Django Custom User Models: The Ultimate Implementation Guide"] == ("Django",)
    # `from auth import auth_bp`, `from app import create_app` are the tutorials' own modules.
    assert by_title["Mastering Flask Blueprints: The Ultimate Guide to Scalable Python Web Apps"] == ("Flask",)
    monorepo = by_title["Mastering Python Monorepos: A Practical Guide"]
    assert {"fastapi", "pendulum", "apache-airflow"} <= set(monorepo) and "shared-library" not in monorepo
    # Node.js, Ruby and Go tutorials install with npm/gem/go: no Python requirements.
    assert by_title["A Developer's Guide to Jest: What, When, and How to Test"] == ()
    assert by_title["Mastering Redis Caching: Patterns, Best Practices, and Performance"] == ()


def test_the_course_extra_covers_what_the_seeds_need(seed_docs: list[Document], course_extra: list[str]) -> None:
    assert missing_from_extra(course_requirements(seed_docs), course_extra) == []


def test_the_course_extra_leaves_out_the_documented_exclusions(course_extra: list[str]) -> None:
    names = {normalize(requirement_name(spec)) for spec in course_extra}
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for excluded in EXTRA_EXCLUSIONS:
        assert normalize(excluded) not in names
        assert f"#   {excluded}" in pyproject  # and the comment there says why


def test_the_course_extra_gives_ranges(course_extra: list[str]) -> None:
    for spec in course_extra:
        assert ">=" in spec and "<" in spec.split(">=", 1)[1], spec
