"""`course build`'s last step: publish the book with Jupyter Book 1."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def jupyter_book_command() -> str:
    """The jupyter-book script installed beside this Python, else the one on PATH."""
    beside = Path(sys.executable).with_name("jupyter-book")
    return str(beside) if beside.exists() else (shutil.which("jupyter-book") or "jupyter-book")


def publish(root: Path, *, strict: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `jupyter-book build` on the project; strict turns Sphinx warnings into errors."""
    command = [jupyter_book_command(), "build", str(root)]
    if strict:
        command += ["-W", "--keep-going"]
    return subprocess.run(command, capture_output=True, text=True, check=False)
