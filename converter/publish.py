"""`course build`'s last step: publish the book with Jupyter Book 1, reusing `course check`'s runs.

The book does not execute notebooks a second time. `_config.yml` sets
`execute_notebooks: cache` with `cache: _build/.jupyter_cache`, the jupyter-cache
that `course check` (converter/execute.py) fills with every executed notebook.
MyST-NB hashes each notebook (kernelspec, code-cell sources and metadata),
finds the run and merges its outputs. Cache mode executes a notebook it can't
match (outside the sandbox), so `uncached_notebooks` lists those beforehand and
`course build` refuses to publish them.
Why cache mode rather than `off` + pointing the book at `_build/executed/*.ipynb`:
the book keeps the hand-editable `.md` notebooks as its pages (their download
button, their paths in _toc.yml) and gets the outputs from the standard
MyST-NB/jupyter-cache mechanism without a second copy of the book.
The cache path in _config.yml is relative, so the build runs in the project folder.
The book's own Sphinx extension (converter/sphinx_course.py) adds the learner downloads,
the launch buttons and the JupyterLite copy of the course, so `jupyter-book build .` alone
publishes the same site.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

JUPYTER_CACHE = Path("_build/.jupyter_cache")


def jupyter_book_command() -> str:
    """The jupyter-book script installed beside this Python, else the one on PATH."""
    beside = Path(sys.executable).with_name("jupyter-book")
    return str(beside) if beside.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def publish(root: Path, *, strict: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `jupyter-book build` on the project; strict turns Sphinx warnings into errors.

    The book's extension converter.sphinx_course also writes the learner copies and the
    JupyterLite copy of the course into the site; without JupyterLite it leaves that out,
    and since `course build` shows jupyter-book's log only on failure, the hint is said here.
    """
    from .sphinx_course import LITE_HINT, lite_available

    if not lite_available():
        print(LITE_HINT, file=sys.stderr)
    command = [jupyter_book_command(), "build", "."]
    if strict:
        command += ["-W", "--keep-going"]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=root)


def uncached_notebooks(notebooks: Iterable[Path], root: Path) -> list[Path]:
    """Notebooks whose code MyST-NB would not find in the jupyter-cache (it would execute them)."""
    notebooks = list(notebooks)
    folder = root / JUPYTER_CACHE
    if not folder.exists():
        return notebooks
    from . import _jupytext_without_servers  # noqa: F401 (imports jupytext, without jupyter_server)
    import jupytext
    from jupyter_cache import get_cache
    from jupyter_cache.cache.db import NbCacheRecord

    cache = get_cache(str(folder))
    missing = []
    for path in notebooks:
        _, key = cache.create_hashed_notebook(jupytext.read(path))
        try:
            NbCacheRecord.record_from_hashkey(key, cache.db)
        except KeyError:
            missing.append(path)
    return missing
