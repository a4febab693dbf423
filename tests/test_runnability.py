"""The runnability pass: what runs, and the reason shown for what doesn't."""

from __future__ import annotations

import ast

import pytest

from converter.document import Block, CodeBlock, Document, Meta, Paragraph
from converter.passes.files import find_files
from tests.course_environment import COURSE
from converter.environment import from_requirements
from converter.writers.notebook import code_cell_source
from converter.passes.runnability import FILE, RAISES, REWRITTEN, RUNS, SETUP, SKIPPED, decide_runnability


def _decide(*blocks: tuple[str, str] | Block) -> list[CodeBlock]:
    """Run the pass over code blocks ((code, language) pairs) and prose; return the code blocks."""
    made = tuple(CodeBlock(b[0], language=b[1]) if isinstance(b, tuple) else b for b in blocks)
    return list(decide_runnability(find_files(Document(Meta("t", "s"), made)), environment=COURSE).code_blocks)


RUNS_CASES = [
    "print('hello')",
    "import json\nprint(json.dumps({'a': 1}))",
    "def add(a, b):\n    return a + b\n\nprint(add(2, 3))",
    "import asyncio\n\nasync def main():\n    await asyncio.sleep(0)\n\nawait main()",
    "class A:\n    def __init__(self, x):\n        self.x = x\n\nprint(A(1).x)",
    "nums = [n * n for n in range(5)]\nprint(sum(nums))",
    "from collections import Counter\nprint(Counter('hello').most_common(1))",
    "import time\ntime.sleep(0.1)",
    "try:\n    1 / 0\nexcept ZeroDivisionError as err:\n    print(err)",
    "while True:\n    break",
    "if __name__ == '__main__':\n    print('main')",
    "import threading\nt = threading.Thread(target=print, args=('x',))\nt.start(); t.join()",
]


@pytest.mark.parametrize("code", RUNS_CASES)
def test_self_contained_python_runs(code: str) -> None:
    [block] = _decide((code, "python"))
    assert (block.status, block.reason) == (RUNS, "")


SKIP_CASES = [
    ("def broken(:\n    pass", "fragment, not complete Python"),
    ("import notarealpackage_xyz\nnotarealpackage_xyz.go()", "from the PyPI package `notarealpackage-xyz`, which the course environment does not have (add `notarealpackage-xyz` to the `course` extra"),
    ('print "hello"', "Python 2 code (`print \"hello\"`)"),
    ("try:\n    x = 1\nexcept Exception, e:\n    pass", "Python 2 code (`except Exception, e:`)"),
    ("from .models import User", "tutorial's own module `.models`"),
    ("import asyncio\n\ndef start():\n    asyncio.run(main())", "inside a function"),
    ("name = input('Name? ')", "keyboard input"),
    ("import requests\nrequests.get('https://example.com')", "needs the network"),
    ("import urllib.request\nurllib.request.urlopen('http://x')", "needs the network"),
    ("import subprocess\nsubprocess.run(['ls'])", "runs programs or deletes files"),
    ("import shutil\nshutil.rmtree('build')", "runs programs or deletes files"),
    ("import sys\nprint('bye')\nsys.exit(3)", "stop the notebook's Python process"),
    ("import os\nos._exit(4)", "stop the notebook's Python process"),
    ("while True:\n    print('tick')", "loops forever"),
    ("import time\ntime.sleep(3600)", "sleeps for 3600 seconds"),
    ("server.serve_forever()", "never returns"),
    ("result = compute(data)", "a fragment: uses `compute`, `data`"),
    ("user.save()\nprofile.save()", "a fragment: uses `profile`, `user`"),
    ("!pip install flask", "shell commands"),
    ('with open("notes.txt") as f:\n    text = f.read()', "reads `notes.txt`"),
    ('from pathlib import Path\nPath("data.csv").read_text()', "reads `data.csv`"),
]


@pytest.mark.parametrize(("code", "reason"), SKIP_CASES)
def test_python_that_would_fail_is_skipped_with_reason(code: str, reason: str) -> None:
    [block] = _decide((code, "python"))
    assert block.status == SKIPPED
    assert reason in block.reason


@pytest.mark.parametrize(
    ("language", "code", "reason"),
    [
        ("go", "package lib\n\nfunc F() {}\n", "not a program"), ("ruby", "require 'rails'\n", "the gem `rails`"),
        ("javascript", "const x = require('left-pad');\n", "npm package `left-pad`, which the course does not install"),
        ("javascript", "const amqp = require('amqplib');\n", "needs a RabbitMQ broker"),
        ("typescript", "import { requireAdmin } from '~/lib/auth';\nrequireAdmin(user);", "the tutorial's own file `~/lib/auth`"), ("shell", "pip install flask", "installs"),
        ("shell", "sudo rm -rf /", "`sudo` changes the system"), ("sql", "SET GLOBAL x = 1;", "server administration"),
        ("html", "<p>x</p>", "browser"), ("json", "{}", "JSON"), ("toml", "a = 1", "TOML"),
        ("text", "anything", "to read"), ("http", "GET / HTTP/1.1", "HTTP"), ("kotlin", "fun main() {}", "Kotlin"),
    ],
)
def test_other_languages_not_run_say_why(language: str, code: str, reason: str) -> None:
    [block] = _decide((code, language))
    assert block.status == SKIPPED and reason in block.reason and block.category


@pytest.mark.parametrize(
    ("language", "code", "magic"),
    [
        ("go", 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println(1) }\n', "%%script bash -c"),
        ("ruby", "puts [1, 2].sum\n", "%%script ruby"),
        ("javascript", "console.log([1, 2].map(x => x * 2));\n", "%%script node"),
        ("javascript", "import { sep } from 'node:path';\nconsole.log(sep);\n", "%%script node --input-type=module"),
        ("shell", "mkdir -p data\necho hi > data/x.txt\ncat data/x.txt\n", "%%bash"),
        ("sql", "SELECT 1;", "%%sql"),
    ],
)
def test_other_languages_run_through_their_magic(language: str, code: str, magic: str) -> None:
    blocks = _decide((code, language))
    block = blocks[-1]
    assert block.status == RUNS and block.magic.startswith(magic)
    assert code_cell_source(block, appending=False).startswith(block.magic + "\n")


def test_sql_gets_a_database_and_sample_tables_for_tables_it_never_creates() -> None:
    setup, tables, query = _decide(("SELECT name FROM customers WHERE city = 'Paris';", "sql"))
    assert setup.status == tables.status == "setup" and "%sql sqlite://" in setup.code
    assert tables.magic == "%%sql" and "CREATE TABLE customers" in tables.code and "'Paris'" in tables.code
    assert query.status == RUNS


def test_sql_the_tutorial_creates_needs_no_sample_tables() -> None:
    blocks = _decide(("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO t VALUES (1, 'a');", "sql"),
                     ("SELECT name FROM t;", "sql"))
    assert [b.status for b in blocks] == ["setup", RUNS, RUNS]


def test_sql_without_jupysql_in_the_course_environment_is_not_run() -> None:
    doc = Document(Meta("t", "s"), (CodeBlock("SELECT 1;", "sql"),))
    [block] = decide_runnability(doc, environment=from_requirements([])).code_blocks
    assert block.status == SKIPPED and "jupysql" in block.reason


def test_names_from_earlier_running_cells_are_known() -> None:
    first, second = _decide(("x = 41", "python"), ("print(x + 1)", "python"))
    assert first.status == second.status == RUNS


def test_names_from_skipped_cells_are_not_known() -> None:
    first, second = _decide(("import notarealpackage_xyz\nx = 1", "python"), ("print(x)", "python"))
    assert first.status == second.status == SKIPPED
    assert "`x`" in second.reason


def test_files_written_earlier_can_be_read() -> None:
    first, second = _decide(
        ('with open("notes.txt", "w") as f:\n    f.write("hi")', "python"),
        ('print(open("notes.txt").read())', "python"),
    )
    assert first.status == second.status == RUNS


def test_prose_blocks_are_left_alone() -> None:
    doc = Document(Meta("t", "s"), (Paragraph("text"),))
    assert decide_runnability(doc, environment=COURSE) == doc


# --- rewrites, files, expected errors, recipes ----------------------------------------------

def test_asyncio_run_becomes_top_level_await() -> None:
    [block] = _decide(("import asyncio\n\nasync def main():\n    print('hi')\n\nif __name__ == '__main__':\n    asyncio.run(main(), debug=True)", "python"))
    assert block.status == REWRITTEN and "top-level `await`" in block.reason
    assert "    # asyncio.run(main(), debug=True)  # changed: the notebook's event loop is already running\n" in block.code
    assert "    asyncio.get_running_loop().set_debug(True)\n    await main()" in block.code


def test_flask_app_run_becomes_test_client_requests() -> None:
    code = "from flask import Flask\napp = Flask(__name__)\n\n@app.route('/')\ndef home():\n    return 'hi'\n\nif __name__ == '__main__':\n    app.run(debug=True)"
    [block] = _decide((code, "python"))
    assert block.status == REWRITTEN and "test client" in block.reason
    assert "    # app.run(debug=True)  # changed:" in block.code
    assert "client = app.test_client()" in block.code


def test_missing_name_gets_the_tutorials_own_import() -> None:
    first, second = _decide(("admin = Blueprint('admin', __name__)", "python"), ("from flask import Blueprint\nb = Blueprint('b', __name__)", "python"))
    assert first.status == REWRITTEN and first.code.startswith("from flask import Blueprint  # added")


def test_function_bodies_may_use_names_defined_later() -> None:
    blocks = _decide(
        ("async def say(what):\n    await asyncio.sleep(0)\n    print(what)", "python"),
        ("import asyncio\nawait say('hi')", "python"),
    )
    assert [b.status for b in blocks] == [RUNS, RUNS]


def test_calling_a_function_needs_the_names_its_body_uses() -> None:
    [block] = _decide(("def answer(q):\n    return llm.generate(q)\n\nprint(answer('x'))", "python"))
    assert block.status == SKIPPED and "`llm`" in block.reason


def test_file_blocks_are_written_only_when_imported() -> None:
    blocks = _decide(
        Paragraph("Create a file named auth.py:"),
        ("def login():\n    return 'ok'", "python"),
        ("# app.py\nfrom auth import login\nprint(login())", "python"),
    )
    auth, app = blocks  # no folders to create: no setup cell
    assert (auth.status, auth.file) == (FILE, "auth.py")
    assert (app.status, app.file) == (RUNS, "app.py")  # nothing imports app.py: it simply runs


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("# tests/conftest.py\nimport pytest\nfrom tests.test_db import engine", "`tests.test_db`, a module of the tutorial's project that it never shows"),
        ("# scraper.py\nimport requests\nprint(requests.get('https://example.com').text)", "needs the network"),
        ("# jobs.py\nfrom notarealpackage_xyz import Job", "the PyPI package `notarealpackage-xyz`"),
        ("# report.py\nprint(summarise(rows))", "uses `rows`, `summarise`"),
    ],
)
def test_named_file_that_cannot_run_is_still_saved(code: str, reason: str) -> None:
    *_, block = _decide((code, "python"))
    assert block.status == FILE and block.reason.startswith("not run here: ") and reason in block.reason


def test_named_file_that_is_not_python_is_not_saved() -> None:
    *_, block = _decide(("# broken.py\ndef f(:\n    pass", "python"))
    assert block.status == SKIPPED


def test_url_for_runs_inside_a_request_of_the_tutorials_app() -> None:
    blocks = _decide(
        ("from flask import Flask, url_for\napp = Flask(__name__)\n\n@app.route('/login')\ndef login():\n    return 'ok'", "python"),
        ("url_for('login')", "python"),
    )
    assert (blocks[1].status, blocks[1].code.splitlines()[0]) == (REWRITTEN, "with app.test_request_context():  # changed: url_for() needs a request")
    [alone] = _decide(("from flask import url_for\nurl_for('login')", "python"))
    assert alone.status == SKIPPED and "complete app" in alone.reason


def test_a_file_a_shell_block_runs_is_written_and_run_there() -> None:
    blocks = _decide(("# greet.py\nprint('hello from greet')", "python"), ("python greet.py", "shell"))
    *_, greet, shell = blocks
    assert (greet.status, greet.file) == (FILE, "greet.py")
    assert shell.status == RUNS and shell.magic == "%%bash"
    [alone] = _decide(("python greet.py", "shell"))
    assert alone.status == SKIPPED and "does not create" in alone.reason


def test_a_file_that_starts_a_server_is_not_run_from_the_shell() -> None:
    *_, shell = _decide(("# app.py\nfrom flask import Flask\napp = Flask(__name__)\napp.run(port=5000)", "python"),
                        ("python app.py", "shell"))
    assert shell.status == SKIPPED and "starts the tutorial's server" in shell.reason


SERVER_JS = "const http = require('http');\nhttp.createServer((q, r) => r.end('ok')).listen(3000);\n"


@pytest.mark.parametrize(("command", "runs"), [
    ("curl http://localhost:3000/todos", True), ("curl -s localhost:3000", True),
    ("curl http://localhost:4000/", False), ("curl https://example.com", False),
])
def test_shell_may_ask_a_server_the_notebook_started(command: str, runs: bool) -> None:
    server, shell = [b for b in _decide((SERVER_JS, "javascript"), (command, "shell")) if b.status != SETUP]
    assert server.status == REWRITTEN and "background" in server.services
    assert (shell.status == RUNS) is runs
    [alone] = _decide((command, "shell"))
    assert alone.status == SKIPPED and "network" in alone.reason


def test_own_module_must_define_what_is_imported() -> None:
    *_, block = _decide(("# app.py\nx = 1", "python"), ("from app import db", "python"))
    assert block.status == SKIPPED and "`db`" in block.reason


def test_error_the_tutorial_announces_is_expected() -> None:
    blocks = _decide(
        ("from flask import Flask\napp = Flask(__name__)", "python"),
        ("# This will throw a BuildError because 'login' isn't a route\nurl_for('login')", "python"),
    )
    assert blocks[1].status == RAISES and blocks[1].volatile
    assert blocks[1].code.startswith("with app.test_request_context():")
    assert "from flask import url_for  # added" in blocks[1].code


def test_django_project_files_are_loaded_by_a_setup_cell() -> None:
    blocks = _decide(
        Paragraph("Open accounts/models.py and add:"),
        ("from django.db import models\n\nclass Note(models.Model):\n    text = models.TextField()", "python"),
        ("# myproject/settings.py\nINSTALLED_APPS = [\n    ...\n    'accounts',\n]", "python"),
        ("from django.db import models\n\nclass Post(models.Model):\n    title = models.CharField(max_length=9)", "python"),
    )
    folders, models, settings, setup, post = blocks
    assert [b.status for b in blocks] == [SETUP, FILE, FILE, SETUP, SKIPPED]
    assert "'django.contrib.auth'," in settings.code and "\n    ...\n" not in settings.code
    assert 'DJANGO_SETTINGS_MODULE", "myproject.settings"' in setup.code and "import accounts.models" in setup.code
    assert "Django model must live in an app" in post.reason


@pytest.mark.parametrize(
    ("code", "volatile"),
    [("import time\nprint(time.perf_counter())", True), ("import random\nprint(random.random())", True),
     ("from concurrent.futures import ProcessPoolExecutor\nwith ProcessPoolExecutor() as ex:\n    print(list(ex.map(abs, [-1])))", True),
     ("print(id(object()))", True),
     ("print(sorted({3, 1, 2}))", False)],
)
def test_unstable_output_is_flagged(code: str, volatile: bool) -> None:
    [block] = _decide((code, "python"))
    assert block.volatile is volatile


# IPython syntax never becomes a cell that runs: the kernel would hand it to the shell or a magic.
MAGIC_CASES = [
    ("!ls -la", "shell"),
    ("import os\n!rm -rf build\nprint(os.getcwd())", "shell"),
    ("%%bash\necho hi", "shell"),
    ("%%sh\nls", "shell"),
    ("files = !ls", "shell"),
    ("print('a')\n    !pwd", "shell"),
    ("%run other_notebook.ipynb", "magic"),
    ("%load_ext autoreload\n%autoreload 2\nimport mymodule", "magic"),
    ("%env API_KEY=secret", "magic"),
    ("elapsed = %time sum(range(10))", "magic"),
    ("def f():\n    return 1\n%timeit f()", "magic"),
    ("%%writefile app.py\nprint('hi')", "magic"),
    ("import json\njson.dumps?", "magic"),
    ("json.loads??", "magic"),
    ("?print", "magic"),
]


@pytest.mark.parametrize(("code", "category"), MAGIC_CASES)
def test_ipython_magics_and_shell_escapes_never_run(code: str, category: str) -> None:
    [block] = _decide((code, "python"))
    assert (block.status, block.category) == (SKIPPED, category)
    assert block.reason


def test_percent_and_bang_inside_python_are_not_magics() -> None:
    [block] = _decide(("ratio = 7 % 3\nok = 1 != 2\nprint(f'{ratio:%}', ok)", "python"))
    assert block.status == RUNS


@pytest.mark.parametrize(
    ("earlier", "code", "carried"),
    [
        ("article = Post.new('Hi')\nputs article.title\n", "article.publish!\n", "article = Post.new('Hi')"),
        ("def make_counter\n  [-> { 1 }, 0]\nend\ninc, current = make_counter\nputs current\n", "3.times { inc.call }\n", "inc, current = make_counter"),
    ],
)
def test_ruby_locals_of_earlier_blocks_are_carried(earlier: str, code: str, carried: str) -> None:
    from converter.runners import ruby
    from converter.runners.verdict import Context

    verdict = ruby.judge(code, Context(earlier=("class Post\n  def initialize(t)\n    @t = t\n  end\nend\n", earlier)))
    assert verdict.runs and carried in verdict.code


def test_ruby_names_bound_by_rescue_and_multiple_assignment_are_not_missing() -> None:
    from converter.runners import ruby

    code = "begin\n  Integer('x')\nrescue ArgumentError => e\n  puts e.message\nend\nlow, high = [1, 2]\nputs low.succ, high.pred\n"
    assert ruby.judge(code).runs


def test_a_ruby_block_that_reopens_a_class_gets_its_earlier_definition_first() -> None:
    from converter.runners import ruby
    from converter.runners.verdict import Context

    first = "class Book\n  def initialize(title)\n    @title = title\n  end\nend\n\nputs Book.new('Dune')\n"
    reopen = "class Book\n  def shout = @title.upcase\nend\n\nputs Book.new('Dune').shout\n"
    verdict = ruby.judge(reopen, Context(earlier=(first,)))
    assert verdict.runs
    assert verdict.code.index("def initialize(title)") < verdict.code.index("def shout")
    assert "puts Book.new('Dune')\n" not in verdict.code.split("# this block:")[0]  # what printed is not carried


def test_transcripts_are_shown_as_pythons_own_prompt_shows_them() -> None:
    blocks = _decide(("x = 1", "python"), CodeBlock("class P:\n    pass\nP()", language="python", expected="<__main__.P object at 0x...>"))
    assert [b.status for b in blocks] == [RUNS, SETUP, RUNS]
    assert blocks[1].code == "%config PlainTextFormatter.pprint = False"
    assert all(b.status != SETUP for b in _decide(("print(1)", "python")))


def test_python_redis_gets_the_redis_server_the_notebook_starts() -> None:
    code = "import redis\nr = redis.Redis()\nr.set('k', 'v')\nprint(r.get('k'))"
    blocks = _decide((code, "python"))
    assert [b.status for b in blocks] == [SETUP, RUNS] and blocks[1].services == ("redis",)
    assert "redis-server" in blocks[0].code
    doc = Document(Meta("t", "s"), (CodeBlock(code, language="python"),))
    [alone] = decide_runnability(doc, environment=from_requirements([])).code_blocks
    assert alone.status == SKIPPED and "needs a Redis server" in alone.reason


def test_a_javascript_file_a_later_block_requires_is_written_and_its_test_runs_with_jest() -> None:
    blocks = _decide(
        Paragraph("`sum.js`"),
        ("function sum(a, b) {\n  return a + b;\n}\nmodule.exports = sum;", "javascript"),
        Paragraph("`sum.test.js`"),
        ("const sum = require('./sum');\n\ntest('adds', () => {\n  expect(sum(1, 2)).toBe(3);\n});", "javascript"),
    )
    module, setup, test = blocks
    assert (module.status, module.file) == (FILE, "sum.js")
    assert code_cell_source(module, appending=False).startswith("%%writefile sum.js\n")
    assert setup.status == SETUP and "node_modules" in setup.code
    assert test.status == REWRITTEN and test.magic.startswith("%%script bash -c 'cat > sum.test.js && ") and "jest" in test.magic
    doc = Document(Meta("t", "s"), tuple(CodeBlock(b.code, language="javascript") for b in (module, test)))
    without_jest = decide_runnability(find_files(doc), environment=from_requirements([])).code_blocks
    assert [b.status for b in without_jest] == [RUNS, SKIPPED]


def test_a_cell_calling_a_function_that_times_itself_is_flagged_too() -> None:
    timed, through, calls, plain = _decide(
        ("import time\n\ndef run():\n    start = time.perf_counter()\n    print(time.perf_counter() - start)\n\n"
         "def steady():\n    print('same')", "python"),
        ("def main():\n    run()", "python"),
        ("main()", "python"),
        ("steady()", "python"),
    )
    assert timed.volatile and not through.volatile  # defining a function prints nothing
    assert calls.volatile and not plain.volatile


def test_a_tree_is_walked_once_and_in_ast_walk_s_order() -> None:
    from converter import python_code

    tree = python_code.parse_or_raise("def f(x):\n    return [y for y in x if y]\nprint(f([0, 1]))\n")
    walked = python_code.walk(tree)
    assert [type(n) for n in walked] == [type(n) for n in ast.walk(tree)]
    assert python_code.walk(tree) is walked  # kept on the node
    inner = tree.body[0]
    assert python_code.walk(inner) == tuple(ast.walk(inner))
