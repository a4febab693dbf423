"""Real servers and tools for tutorials, end to end: converted as `course convert` does, run by `course check`
in the sandbox. A Redis tutorial talks to the Redis server its notebook starts (Python and Node);
an Express tutorial's server keeps running for the `curl` below it; a Rails model runs on Active Record;
a Jest test runs against the file the notebook wrote."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from converter.convert import Layout, convert
from converter.execute import CheckOptions, check
from converter.findings import FINDINGS_FILE
from converter.sandbox import bwrap_path
from tests.course_environment import ROOT

NODE_MODULES = ROOT / "node_modules"

REDIS_PY = """# Caching with Redis in Python

Connect with redis-py and store a greeting:

```python
import redis

r = redis.Redis(decode_responses=True)
r.set("greeting", "hello")
print(r.get("greeting"))
```

Counters are atomic:

```python
r.incr("visits")
r.incr("visits")
print(r.get("visits"))
```
"""

REDIS_NODE = """# Caching with Redis in Node.js

```javascript
const { createClient } = require('redis');

async function main() {
  const client = createClient();
  await client.connect();
  await client.set('lang', 'node');
  console.log(await client.get('lang'));
  await client.quit();
}
main();
```
"""

EXPRESS = """# A tiny Express API

```javascript
const express = require('express');
const app = express();
app.get('/todos', (req, res) => res.json([{ id: 1, title: 'Learn Express' }]));
app.listen(3000, () => console.log('Listening on 3000'));
```

Then ask it from a terminal:

```bash
curl -s http://localhost:3000/todos
```
"""

RAILS = """# Active Record basics

```ruby
class CreateBooks < ActiveRecord::Migration[7.0]
  def change
    create_table :books do |t|
      t.string :title
      t.timestamps
    end
  end
end
```

```ruby
class Book < ApplicationRecord
  validates :title, presence: true
end
```

```ruby
Book.create(title: "Dune")
Book.create(title: "")
puts Book.count
```
"""

# Title -> the programs its notebook needs.
JEST = """# Testing with Jest

A function to test:

`sum.js`

```javascript
function sum(a, b) {
  return a + b;
}
module.exports = sum;
```

Its test:

`sum.test.js`

```javascript
const sum = require('./sum');

test('adds two numbers', () => {
  expect(sum(1, 2)).toBe(3);
});
```
"""

NEEDS = {
    "Caching with Redis in Python": ("redis-server",), "Caching with Redis in Node.js": ("redis-server", "node"),
    "A tiny Express API": ("node", "curl"), "Active Record basics": ("ruby",), "Testing with Jest": ("node",),
}


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, nbformat.NotebookNode]:
    if not bwrap_path():
        pytest.skip("bubblewrap is not installed (the sandbox course check runs tutorial code in)")
    root = tmp_path_factory.mktemp("services")
    for name in ("_config.yml", "pyproject.toml", "package.json"):
        shutil.copy(ROOT / name, root)
    sources = root / "sources"
    sources.mkdir()
    for name, text in {"redis-py": REDIS_PY, "redis-node": REDIS_NODE, "express": EXPRESS, "rails": RAILS, "jest": JEST}.items():
        (sources / f"{name}.md").write_text(text, encoding="utf-8")
    options = CheckOptions(out_dir=root / "_build" / "executed", report=root / "_build" / "report.json",
                           jupyter_cache=None,  # not the repository's: tests run side by side
                           findings=root / FINDINGS_FILE, node_modules=NODE_MODULES, jobs=2)
    # As `course build` does: convert, check, convert again with what the check found (an
    # exercise whose check the run disproved is dropped), check again.
    for _round in range(2):
        report = convert([sources], layout=Layout(root))
        results = check(sorted(report.paths.values()), options)
    assert all(r.ok for r in results), [(r.notebook, r.error) for r in results]
    executed = {r.notebook: r.executed for r in results}
    return {title: nbformat.read(executed[str(path)], as_version=4) for title, path in report.paths.items()}


def _tutorial_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("runnable", {}).get("status") not in
            ("setup", "exercise", "check", None) and c.metadata.get("runnable", {}).get("category") != "solution"]


def _printed(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _notebook(checked: dict, title: str) -> nbformat.NotebookNode:
    missing = [p for p in NEEDS[title] if not shutil.which(p)]
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")
    return checked[title]


def test_python_talks_to_the_redis_server_its_notebook_starts(checked) -> None:
    first, second = _tutorial_cells(_notebook(checked, "Caching with Redis in Python"))
    assert (_printed(first), _printed(second)) == ("hello\n", "2\n")


@pytest.mark.skipif(not (NODE_MODULES / "redis").is_dir(), reason="needs the course's npm packages: npm ci")
def test_node_talks_to_the_redis_server_its_notebook_starts(checked) -> None:
    [cell] = _tutorial_cells(_notebook(checked, "Caching with Redis in Node.js"))
    assert _printed(cell) == "node\n"


@pytest.mark.skipif(not (NODE_MODULES / "express").is_dir(), reason="needs the course's npm packages: npm ci")
def test_an_express_server_answers_the_curl_below_it(checked) -> None:
    server, ask = _tutorial_cells(_notebook(checked, "A tiny Express API"))
    assert server.source.startswith("%%script bash course_background.sh") and _printed(server) == "Listening on 3000\n"
    assert ask.source.startswith("%%bash") and _printed(ask) == '[{"id":1,"title":"Learn Express"}]'


@pytest.mark.skipif(subprocess.run(["ruby", "-e", "require 'active_record'"], capture_output=True).returncode != 0
                    if shutil.which("ruby") else True, reason="needs Ruby with Active Record")
def test_rails_models_run_on_active_record(checked) -> None:
    migration, model, use = _tutorial_cells(_notebook(checked, "Active Record basics"))
    assert all(re.match(r"%%script ruby -r \./course_active_record\.rb", c.source) for c in (migration, model, use))
    assert _printed(use) == "1\n"  # the validation kept the empty title out


@pytest.mark.skipif(not (NODE_MODULES / "jest").is_dir(), reason="needs the course's npm packages: npm ci")
def test_the_tutorials_jest_test_runs_against_the_file_it_wrote(checked) -> None:
    module, test = _tutorial_cells(_notebook(checked, "Testing with Jest"))
    assert module.source.startswith("%%writefile sum.js")
    report = _printed(test)
    assert "PASS" in report and "adds two numbers" in report and "1 passed" in report and "\x1b[" not in report
