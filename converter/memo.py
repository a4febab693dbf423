"""What convert's per-tutorial steps gave last time, kept between conversions.

Reading a source, preparing a tutorial (the per-tutorial passes) and making a tutorial's
exercises and page are pure functions: of the source's bytes; of the tutorial as read and
the course environment; of the tutorial as placed and check's findings. Their results are
kept in `_build/.convert-cache/`, keyed by a digest of those inputs and of the converter
itself (its own source files, Python, and the libraries whose work the page holds), so
converting again after editing one source redoes that source's tutorials only.

Entries are JSON, the document model's own fields: a cache folder from elsewhere is data,
never code (a pickle would run code as it loads). A broken entry is a miss. The folder keeps
what the last conversion used and, of the rest, the most recently used, up to `KEEP`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import sys
from functools import cache
from pathlib import Path

from . import document
from .atomic import atomic_write

KEEP = 2000
"""Entries kept besides the ones the last conversion used (about 1,000 tutorials' worth)."""

# Libraries whose output is part of what a step returns (a page's text, a lexer's verdict).
_LIBRARIES = ("bs4", "feedparser", "jupytext", "markdown_it", "mdit_py_plugins", "nbformat", "packaging",
              "pygments", "sqlglot", "yaml")
_TYPES = {cls.__name__: cls for cls in (
    document.Meta, document.Document, document.Heading, document.Paragraph, document.ListBlock, document.CodeBlock,
    document.Table, document.Image, document.Quote, document.Rule, document.Exercise)}


@cache
def code_version() -> str:
    """A digest of what computes the steps: every file of the converter package, Python's
    version, and each library's installed files (the size and time of its `__init__`, which
    an upgrade rewrites; found without importing it, so that convert's workers start first).
    Any change to them makes every entry a miss."""
    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).parent
    for name in _package_files(str(package)):
        digest.update(name.encode() + b"\0" + (package / name).read_bytes())
    for name in _LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
            stat = Path(spec.origin).stat() if spec and spec.origin else None
        except (ImportError, ValueError, OSError):
            stat = None
        installed = f"{spec.origin}:{stat.st_size}:{stat.st_mtime_ns}" if stat else "missing"
        digest.update(f"\0{name}={installed}".encode())
    return digest.hexdigest()


def _package_files(package: str) -> list[str]:
    """The package's files, but its bytecode, as sorted relative POSIX paths (os.walk: a
    third of the time of Path.rglob, which convert waits for before its readers start)."""
    found = []
    for folder, subfolders, files in os.walk(package):
        subfolders[:] = [d for d in subfolders if d != "__pycache__"]
        inside = Path(folder).relative_to(package).as_posix()
        found += [name if inside == "." else f"{inside}/{name}" for name in files]
    return sorted(found)


class Memo:
    """The cache folder of one conversion (`folder=None`: nothing is kept or looked up;
    `reuse=False`: what is made is kept, nothing is looked up)."""

    def __init__(self, folder: Path | None, *, reuse: bool = True) -> None:
        self.folder, self.reuse = folder, reuse
        self.used: set[str] = set()

    def key(self, step: str, *inputs: str) -> str:
        digest = hashlib.sha256(f"{code_version()}\0{step}".encode())
        for part in inputs:
            digest.update(b"\0" + part.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str) -> object | None:
        """The value kept under `key` (documents as documents), or None."""
        if self.folder is None or not self.reuse:
            return None
        path = self._path(key)
        try:
            value = from_data(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError, KeyError, RecursionError):
            return None
        self.used.add(key)
        try:
            os.utime(path)  # recently used: kept longest
        except OSError:
            pass
        return value

    def put(self, key: str, value: object) -> None:
        if self.folder is None:
            return
        try:
            atomic_write(self._path(key), json.dumps(to_data(value), ensure_ascii=False, separators=(",", ":")))
        except OSError:
            return  # a read-only project still converts, only slower next time
        self.used.add(key)

    def prune(self) -> None:
        """Remove the entries this conversion did not use, beyond the KEEP most recent."""
        if self.folder is None or not self.folder.is_dir():
            return
        others = [p for p in self.folder.glob("*/*.json") if p.stem not in self.used]
        others.sort(key=_mtime, reverse=True)
        for path in others[KEEP:]:
            path.unlink(missing_ok=True)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"  # type: ignore[operator] (not None here)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def to_data(value: object) -> object:
    """JSON-able data for documents, blocks and tuples of them (strings and numbers as they are)."""
    if type(value) in _PLAIN:
        return value
    names = _FIELDS.get(type(value))
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = tuple(f.name for f in dataclasses.fields(value))  # not the model's: kept, read back as a miss
    if names is not None:
        data = {"~": type(value).__name__}
        for name in names:
            data[name] = to_data(getattr(value, name))
        return data
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot keep a {type(value).__name__}")


_PLAIN = frozenset({str, int, float, bool, type(None)})
_FIELDS = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _TYPES.values()}
"""The model's classes and their fields (`from_data` knows these; anything else is not kept)."""


def from_data(data: object) -> object:
    """The inverse of `to_data` (the model's sequences are tuples)."""
    if isinstance(data, dict):
        fields = {k: from_data(v) for k, v in data.items() if k != "~"}
        return _TYPES[data["~"]](**fields)
    if isinstance(data, list):
        return tuple(from_data(v) for v in data)
    return data
