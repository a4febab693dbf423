"""Which blocks are files, and the small recipes that make code run in a notebook."""

from __future__ import annotations

import pytest

from converter import python_code as py
from converter.passes.files import file_named
from converter.recipes import asyncio_run, django_project, flask_app, imports, workspace


@pytest.mark.parametrize(
    ("code", "before", "expected"),
    [
        ("# app/routes.py\nx = 1", "", "app/routes.py"),
        ("#  auth.py \nx = 1", "", "auth.py"),
        ("# Inside admin/routes.py\nx = 1", "", ""),
        ("x = 1", "Create a file named auth.py:", "auth.py"),
        ("x = 1", "Open accounts/models.py. We will import AbstractUser.", "accounts/models.py"),
        ("x = 1", "In app/main/routes.py, we define the public-facing pages:", "app/main/routes.py"),
        ("x = 1", "**`packages/shared\\_library/src/shared\\_library/core.py`**", "packages/shared_library/src/shared_library/core.py"),
        ("x = 1", "Now run python app.py in your terminal:", ""),
        ("x = 1", "Copy models.py into views.py:", ""),  # two files: ambiguous
        ("x = 1", "Let's write some code:", ""),
    ],
)
def test_file_named(code: str, before: str, expected: str) -> None:
    assert file_named(code, before) == expected


@pytest.mark.parametrize(
    ("code", "before", "expected"),
    [
        ("// server.js\nconst x = 1;", "", "server.js"),
        ("const x = 1;", "`sum.test.js`", "sum.test.js"),
        ("const x = 1;", "To test it, create a file named sum.test.js:", "sum.test.js"),
        ("const x = 1;", "highlight.js does the same with `hljs-` classes:", ""),  # a library, not a file
        ("const x = 1;", "Assuming you have Node.js installed:", ""),
        ("const x = 1;", "Now run node server.js and open the page:", ""),
    ],
)
def test_javascript_file_named(code: str, before: str, expected: str) -> None:
    assert file_named(code, before, "javascript") == expected


@pytest.mark.parametrize(
    ("path", "module", "root"),
    [
        ("auth.py", "auth", ""),
        ("app/__init__.py", "app", ""),
        ("app/main/routes.py", "app.main.routes", ""),
        ("packages/lib/src/lib/core.py", "lib.core", "packages/lib/src"),
        ("src/pkg/__init__.py", "pkg", "src"),
    ],
)
def test_module_of_file(path: str, module: str, root: str) -> None:
    assert workspace.module_of(path) == module
    assert workspace.import_root(path) == root


def test_workspace_setup_creates_folders_and_src_roots() -> None:
    code = workspace.setup_cell(["auth.py", "app/main/routes.py", "packages/lib/src/lib/core.py"])
    assert "['app/main', 'packages/lib/src/lib']" in code and "sys.path[:0] = ['packages/lib/src']" in code
    compile(code, "<setup>", "exec")


def test_facts_separate_what_runs_now_from_function_bodies() -> None:
    tree = py.parse("import os\n\n@decorate\ndef f(x=default):\n    import json\n    return later + x\n\nf(1)")
    facts = py.facts(tree)
    assert facts.needs == {"decorate", "default", "f"}
    assert facts.deferred["f"] == {"later"}
    assert facts.calls == {"f"}
    assert ("json", 0) in facts.imports and ("json", 0) not in facts.imports_now
    assert py.missing_names(facts, set(), {}) == {"decorate", "default", "later"}


def test_asyncio_rewrite_leaves_function_bodies_alone() -> None:
    code = "import asyncio\n\ndef sync_entry():\n    asyncio.run(main())\n"
    assert asyncio_run.rewrite(code, py.parse(code)) == (code, "")


def test_flask_rewrite_only_touches_flask_apps() -> None:
    code = "import threading\nworker = threading.Thread(target=print)\nworker.run()"
    assert flask_app.rewrite(code, py.parse(code)) == (code, "")


def test_imports_prefer_the_tutorials_own_line() -> None:
    code, missing = imports.add_imports(
        "print(np.pi, url_for('home'))", {"np", "url_for", "mystery"}, {"np": "import numpy as np"}, ("flask",))
    assert code.splitlines()[:2] == [
        "from flask import url_for  # added: imported elsewhere in the tutorial",
        "import numpy as np  # added: imported elsewhere in the tutorial",
    ]
    assert missing == {"mystery"}


def test_imports_from_a_package_come_from_the_static_table_not_an_import() -> None:
    # `Path` really is in pathlib, but convert never imports a package to learn its names.
    assert imports.import_for("Path", {}, ("pathlib",)) == ""
    assert imports.import_for("url_for", {}, ("flask",)) == "from flask import url_for"
    assert imports.import_for("url_for", {}, ()) == ""


def test_django_elided_apps_are_filled_once() -> None:
    code, note = django_project.fill_elided_apps("INSTALLED_APPS = [\n    ...\n    'shop',\n]")
    namespace: dict = {}
    exec(code, namespace)
    assert namespace["INSTALLED_APPS"] == [*django_project.DEFAULT_APPS, "shop"] and note


def test_django_setup_without_settings_configures_in_memory() -> None:
    code = django_project.setup_cell(django_project.project({"shop/models.py": "x = 1"}))
    assert "settings.configure(" in code and "'shop'" in code and ":memory:" in code and "import shop.models" in code
    compile(code, "<setup>", "exec")


_APPS = "INSTALLED_APPS = ['django.contrib.auth', {}]"


@pytest.mark.parametrize(
    ("files", "settings", "apps", "modules"),
    [
        ({"mysite/settings.py": _APPS.format("'polls'"), "polls/models.py": ""},  # startproject
         "mysite.settings", ("polls",), ("mysite.settings", "polls.models")),
        ({"config/settings/base.py": _APPS.format("'blog'"), "config/settings/local.py": "from .base import *",
          "config/settings/production.py": "from .base import *", "blog/models.py": "", "blog/admin.py": ""},
         "config.settings.local", ("blog",), ("config.settings.local", "blog.models", "blog.admin")),
        ({"shop/models/__init__.py": "", "shop/models/product.py": ""},  # a models package, no project
         "", ("shop",), ("shop.models",)),
        ({"src/config/settings.py": _APPS.format("'inventory.apps.InventoryConfig'"), "src/inventory/apps.py": "",
          "src/inventory/models.py": ""},
         "config.settings", ("inventory",), ("config.settings", "inventory.apps", "inventory.models")),
        ({"settings.py": _APPS.format("'catalog'"), "catalog/__init__.py": ""},  # an app named only in the settings
         "settings", ("catalog",), ("settings",)),
    ],
    ids=["startproject", "split-settings", "models-package", "src-layout", "named-only"],
)
def test_django_project_is_read_from_files(files: dict, settings: str, apps: tuple, modules: tuple) -> None:
    found = django_project.project(files)
    assert (found.settings, found.apps, found.modules) == (settings, apps, modules)


def test_no_django_project_without_an_app() -> None:
    assert django_project.project({"mysite/settings.py": "DEBUG = True", "utils.py": ""}) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import asyncio\nasyncio.run(main())", "await main()"),
        ("import asyncio as aio\nx = aio.run(main(1))", "x = await main(1)"),
        ("from asyncio import run\nprint(run(main()))", "print(await main())"),
        ("import asyncio\nloop = asyncio.get_event_loop()\nloop.run_until_complete(main())\nloop.close()", "await main()"),
        ("import asyncio\nasyncio.new_event_loop().run_until_complete(main())", "await main()"),
        ("import asyncio\nwith asyncio.Runner() as r:\n    r.run(main())", "await main()"),
        ("import asyncio\nasyncio.run(\n    main(\n        2,\n    )\n)", "await main(\n        2,\n    )"),
    ],
    ids=["run", "alias", "from-import", "explicit-loop", "new-loop", "runner", "multi-line"],
)
def test_asyncio_loop_starts_become_await(code: str, expected: str) -> None:
    new, note = asyncio_run.rewrite(code, py.parse(code))
    assert expected in new.split("\n") or expected in new
    assert note and py.parse(new.replace("await ", "")) is not None
    live = [line for line in new.split("\n") if not line.lstrip().startswith("#")]
    assert not any(call in line for line in live for call in ("run(", "run_until_complete(", ".close()"))


def test_asyncio_rewrite_leaves_other_runs_alone() -> None:
    code = "import subprocess\nsubprocess.run(['ls'])\nloop = make_loop()\nloop.run_until_complete(main())"
    assert asyncio_run.rewrite(code, py.parse(code)) == (code, "")


@pytest.mark.parametrize(
    ("files", "cell", "app"),
    [
        ({"": "from flask import Flask\napp = Flask(__name__)"}, "app.run()", "app"),
        ({"flaskr": "from flask import Flask\ndef create_app():\n    app = Flask(__name__)\n    return app"},
         "from flaskr import create_app\napp = create_app()\napp.run()", "app"),
        ({"factory": "import flask\ndef make_app():\n    server = flask.Flask('x')\n    return server"},
         "import factory\napplication = factory.make_app()\napplication.run(port=1)", "application"),
        ({"app": "from flask import Flask\napp = Flask(__name__)"}, "from app import app\napp.run(debug=True)", "app"),
    ],
    ids=["one-file", "factory", "factory-module", "package-app"],
)
def test_flask_apps_are_found_in_every_layout(files: dict, cell: str, app: str) -> None:
    known = flask_app.known_apps([(m, py.parse(c)) for m, c in files.items()])
    new, note = flask_app.rewrite(cell, py.parse(cell), known)
    assert note and f"client = {app}.test_client()" in new


def test_flask_factory_is_a_function_that_returns_a_new_app() -> None:
    known = flask_app.known_apps([("helpers", py.parse("def make_thing():\n    return 1"))])
    cell = "import helpers\nthing = helpers.make_thing()\nthing.run()"
    assert flask_app.rewrite(cell, py.parse(cell), known) == (cell, "")


def test_a_block_is_parsed_once_and_its_refusal_raised_fresh_each_time() -> None:
    from converter import python_code

    assert python_code.parse_or_raise("x = 1\n") is python_code.parse_or_raise("x = 1\n")
    deep = "x = " + "(" * (python_code.MAX_DEPTH + 10) + "1" + ")" * (python_code.MAX_DEPTH + 10)
    raised = []
    for _ in range(2):
        with pytest.raises(SyntaxError) as info:
            python_code.parse_or_raise(deep)
        raised.append(info.value)
    assert raised[0] is not raised[1] and str(raised[0]) == str(raised[1])
    assert python_code.parse("def (") is None and python_code.parse("def (") is None
