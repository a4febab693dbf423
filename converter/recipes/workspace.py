"""The notebook's working folder: folders for %%writefile, and src/ layouts importable."""

from __future__ import annotations

from pathlib import PurePosixPath


def module_of(path: str) -> str:
    """The module a file provides: app/main/routes.py -> app.main.routes;
    packages/lib/src/lib/core.py -> lib.core (a src/ layout, as if installed)."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if "src" in parts:
        parts = parts[len(parts) - parts[::-1].index("src") :]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_root(path: str) -> str:
    """The folder to put on sys.path for a file in a src/ layout, else ""."""
    parts = PurePosixPath(path).parts
    if "src" not in parts[:-1]:
        return ""
    cut = len(parts) - parts[::-1].index("src")
    return str(PurePosixPath(*parts[:cut]))


def setup_cell(files: list[str]) -> str:
    """Create the folders the tutorial's files go in (%%writefile doesn't), and put
    src/ layouts on sys.path as an editable install would."""
    folders = sorted({str(PurePosixPath(f).parent) for f in files} - {"."})
    roots = sorted({import_root(f) for f in files} - {""})
    lines = ["# Course setup: folders for the files this tutorial creates."]
    if folders:
        lines += ["import os", f"for folder in {folders!r}:", "    os.makedirs(folder, exist_ok=True)"]
    if roots:
        lines += ["import sys", f"sys.path[:0] = {roots!r}  # as `pip install -e` of these packages would"]
    return "\n".join(lines)
