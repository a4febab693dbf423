"""`course convert` is a pure function of its inputs: it never runs, imports or evaluates
tutorial code, and what is installed in the venv running it changes nothing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run convert in a fresh interpreter; with "block", flask and django cannot be imported there.
RUNNER = r'''
import importlib.abc, json, sys
from pathlib import Path

class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("flask", "django"):
            raise ImportError(f"{name} is blocked for this test")
        return None

source, root, mode = sys.argv[1:4]
if mode == "block":
    sys.meta_path.insert(0, Blocked())
from converter.convert import Layout, convert
report = convert([Path(source)], layout=Layout(Path(root)))
print(json.dumps({
    "failures": [str(f) for f in report.failures],
    "imported": sorted(m for m in ("flask", "django", "werkzeug", "flask_sqlalchemy") if m in sys.modules),
    "notebooks": len(report.paths),
}))
'''


def tutorial(marker: str) -> str:
    """A tutorial whose Python would write files, exit, sleep and import web frameworks."""
    fence = "```"
    return f"""# Side effects everywhere

A tutorial about files, exits and waiting.

## Files

{fence}python
with open('{marker}-open.txt', 'w') as f:
    f.write('written by the tutorial')
print('saved')
{fence}

{fence}python
import zipfile
with zipfile.ZipFile('{marker}.zip', 'w') as archive:
    archive.writestr('a.txt', 'a')
{fence}

{fence}python
from pathlib import Path
Path('{marker}-path.txt').write_text('hello')
print(len('hello'))
{fence}

## Arithmetic

{fence}python
def area(width, height):
    open('{marker}-area.txt', 'w').write('called')
    return width * height

def perimeter(width, height):
    total = 2 * (width + height)
    return total

print(perimeter(2, 3))
print(perimeter(4, 5))
{fence}

**Incorrect:** the total is a string.

{fence}python
open('{marker}-fix.txt', 'w').write('bad')
total = sum(['1', 2])
{fence}

**Correct:** use numbers.

{fence}python
total = sum([1, 2])
{fence}

## Leaving

{fence}python
import sys
print('bye')
sys.exit(3)
{fence}

{fence}python
import os
os._exit(4)
{fence}

{fence}python
import time
time.sleep(60)
print(6 * 7)
{fence}

## Web

{fence}python
from flask import Flask

app = Flask(__name__)

@app.route('/')
def home():
    return 'hi'
{fence}

{fence}python
import django
print(django.get_version())
{fence}
"""


def _convert(source: Path, root: Path, mode: str) -> tuple[dict, float]:
    shutil.copy(ROOT / "_config.yml", root)
    shutil.copy(ROOT / "pyproject.toml", root)  # the course extra declares Flask and Django
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(source), str(root), mode],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), time.perf_counter() - start


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.md"))}


def test_convert_runs_nothing_imports_nothing_and_ignores_the_venv(tmp_path: Path) -> None:
    marker = f"/tmp/course-purity-{uuid.uuid4().hex}"
    source = tmp_path / "side-effects.md"
    source.write_text(tutorial(marker), encoding="utf-8")
    normal, blocked = tmp_path / "normal", tmp_path / "blocked"
    normal.mkdir()
    blocked.mkdir()

    found, seconds = _convert(source, normal, "normal")
    found_blocked, seconds_blocked = _convert(source, blocked, "block")

    assert found["failures"] == [] and found["notebooks"] == 1
    assert found["imported"] == []  # convert never imports the tutorial's packages
    assert found_blocked == found
    assert max(seconds, seconds_blocked) < 20  # nothing sleeps for the tutorial's 60 s
    assert not list(Path("/tmp").glob(f"{Path(marker).name}*"))  # no file the tutorial writes
    assert _files(normal) == _files(blocked)  # byte for byte, whatever the venv can import
    notebook = (normal / "book").rglob("side-effects*.md")
    text = next(notebook).read_text(encoding="utf-8")
    assert "from flask import Flask" in text and "```{code-cell}" in text
    assert "which would stop the notebook's Python process" in text  # sys.exit(), os._exit()
    # Exercises were proposed (statically), not proved: that is `course check`'s job.
    assert "exercise-start" in text
