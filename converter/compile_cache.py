"""What the command compiles at run time, kept between runs, as __pycache__ keeps modules.

Three kinds of compiling repeat identically in every run:
- regular expressions: CPython compiles a pattern in pure Python (re._parser, then
  re._compiler), 0.1 ms for a small one, several ms for a big one. Converting the seeds
  compiles about 1,800 (Pygments' lexers, language detection, the libraries' own): a tenth
  of its CPU time. What compiling makes, the pattern's SRE code, is kept, and
  `_sre.compile` (which checks the code) builds the pattern object from it;
- the methods `dataclasses` writes for each class (__init__, __eq__, ...), as source it
  compiles with `exec`: 0.6 ms a class, 70 classes before convert's passes can start. Their
  code objects are kept, as a .pyc keeps a module's. So is the validator fastjsonschema
  writes for nbformat's notebook schema (175 kB of Python: 0.02 s to compile), for a
  module that asks (`cover`);
- the pattern Pygments writes from each word list of a lexer (`words(...)`, through
  `regex_opt`, in pure Python: 8 ms for the lexers convert warms, 13 ms more for CSS's), once
  a lexer is looked up through `converter.languages` (`cover_word_lists`).

What is kept depends only on the pattern and its flags, on the source, or on the words, and on
the interpreter: the file is per interpreter version, in the user's cache folder. A pattern
built from the file equals (`==`: same pattern, flags and code) the one `re` compiles, a
method compiled from the file is the one `exec` makes, and a word list's pattern is the one
Pygments writes; the tests hold them equal.

Only the command installs it (converter.command), as only the command freezes the
collector: the converter used as a library leaves `re`, `dataclasses`, fastjsonschema and
Pygments alone. Forked
workers inherit what the parent loaded, and leave what they compiled anew for the parent's
`save`. Anything unexpected (another implementation of `re`, a damaged file or entry, no
cache folder) falls back to compiling as usual: the cache costs time when it is wrong,
never results. The file is trusted as the user's own (as __pycache__ is): tutorial code
never runs outside the sandbox, whose home folder is an empty one of its own.
"""

from __future__ import annotations

import builtins
import dataclasses
import marshal
import os
import re
import sys
import threading
import time
import types
from array import array
from collections.abc import Callable
from pathlib import Path

from . import budget

try:
    import _sre
    from re import _compiler
except ImportError:  # another implementation of `re`: no patterns kept
    _sre = _compiler = None  # type: ignore[assignment]

KEPT_RUNS = 20
"""An entry that none of the last this many runs that wrote the file used leaves it:
patterns built from one course's own text (its names, escaped) must not make it grow
without end."""

LIMIT = 3000
"""Entries in the file at most, those used last first: a course of thousands of tutorials
compiles patterns of their own names by the thousand. Converting the seeds uses about 2,000;
the file loads in about 1 ms per 1,000 entries (each is decoded when first used)."""

WORTH_WRITING = 0.01
"""Seconds of compiling the new entries must have cost before the file is written again
(writing it costs about 5 ms): a pattern built from a set, in an order that differs in
every process, is new in every run and cheap (Python's tokenize, 1.6 ms)."""

_ORIGINAL = getattr(_compiler, "compile", None)
_Key = tuple  # ("re", pattern, flags), ("py", source) or ("words", words, prefix, suffix)
# Each entry marshalled, decoded when used: ("re", ...) -> the rest of `_sre.compile`'s
# arguments, (flags, code as bytes, groups, groupindex, indexgroup), the code made a list
# when used; ("py", ...) -> a code object; ("words", ...) -> the pattern, a string.
_known: dict[_Key, bytes] = {}
_last_run: dict[_Key, int] = {}  # the last run that used each entry of the file
_run = [0]                       # how many runs have written the file
_new: dict[_Key, bytes] = {}     # compiled in this process
_new_seconds = [0.0]             # what compiling them took
_used: set[_Key] = set()         # taken from the file in this process
_reported_new: set[_Key] = set()  # what a worker has written out for the parent
_reported_old: set[_Key] = set()
_recorded = threading.local()
_file: Path | None = None


def default_directory() -> Path | None:
    """The user's cache folder for the course builder (XDG_CACHE_HOME, or ~/.cache); None
    without a home folder to keep it in."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "course-builder"
    except RuntimeError:  # Path.home() with no HOME and no passwd entry
        return None


def cache_file(directory: Path) -> Path:
    """The file for this interpreter in `directory`: its version and SRE's magic number
    (which changes with the code's format) are in the name."""
    return directory / f"compiled-{sys.implementation.cache_tag}-{sys.hexversion:x}-{getattr(_sre, 'MAGIC', 0)}.marshal"


def install(directory: Path | None = None) -> bool:
    """Compile through the cache in `directory` (default: `default_directory()`) from now on,
    in this process and the workers it forks. False if it is installed already, or there is
    no folder to keep it in."""
    global _file
    if _file is not None:
        return False
    directory = directory or default_directory()
    if directory is None:  # no home folder to keep it in: compiling as usual
        return False
    _file = cache_file(directory)
    run, entries, last_runs, _ = _read(_file)
    _run[0] = int(run)
    _known.update(entries)
    _last_run.update(last_runs)
    for part in _file.parent.glob(f"{_file.name}.*.part"):  # new entries not written in yet
        entries = _read(part)[1]
        _known.update(entries)
        _last_run.update(dict.fromkeys(entries, _run[0]))
    if _compiler is not None and array("I").itemsize == getattr(_sre, "CODESIZE", 0):
        _compiler._sre = _recording_sre()
        _compiler.compile = _compile
    dataclasses.exec = _exec  # shadows the builtin for dataclasses' own `exec(source, ...)` only
    budget.between_items.append(keep_new)
    return True


def _forget_the_parents() -> None:
    """In a forked child: the parent saves what it compiled and used itself."""
    for kept in (_new, _used, _reported_new, _reported_old):
        kept.clear()
    _new_seconds[0] = 0.0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_the_parents)


def _recording_sre() -> types.ModuleType:
    """`_sre` as re._compiler sees it: its `compile` notes the arguments it was given."""

    def compile(pattern, *rest):  # noqa: ANN001, ANN202, A001 (_sre.compile's own arguments)
        _recorded.rest = rest
        return _sre.compile(pattern, *rest)

    module = types.ModuleType("_sre")
    module.__dict__.update(vars(_sre))
    module.compile = compile
    return module


def _compile(p, flags=0):  # noqa: ANN001, ANN202 (re._compiler.compile's own signature)
    if not isinstance(p, (str, bytes)) or flags & re.DEBUG:
        return _ORIGINAL(p, flags)
    key = ("re", p, int(flags))
    kept = _known.get(key)
    if kept is not None:
        try:
            all_flags, code, groups, groupindex, indexgroup = marshal.loads(kept)
            pattern = _sre.compile(p, all_flags, array("I", code).tolist(), groups, groupindex, indexgroup)
        except Exception:  # noqa: BLE001 (a damaged entry: compiled again below, and replaced)
            del _known[key]
        else:
            _used.add(key)
            return pattern
    _recorded.rest = None
    started = time.perf_counter()
    pattern = _ORIGINAL(p, flags)
    _new_seconds[0] += time.perf_counter() - started
    if _recorded.rest is not None:  # plain data for marshal: flags and opcodes are int subclasses
        all_flags, code, groups, groupindex, indexgroup = _recorded.rest
        _new[key] = _known[key] = marshal.dumps(
            (int(all_flags), array("I", code).tobytes(), groups, dict(groupindex), tuple(indexgroup)))
    return pattern


def cover(module: types.ModuleType) -> None:
    """`exec` in `module`, which runs Python it writes from data (as dataclasses does), through
    the cache, when the command installed it. The module must have no __future__ imports
    (`exec` would compile with them): fastjsonschema has none."""
    if _file is not None:
        module.exec = _exec  # type: ignore[attr-defined] (shadows the builtin there)


def _exec(source, globals=None, locals=None):  # noqa: ANN001, ANN202, A002 (exec's own signature)
    """`exec` as dataclasses (or a covered module) calls it: source compiled once, as `exec`
    compiles it there (neither has __future__ imports to inherit)."""
    if not isinstance(source, str):
        return builtins.exec(source, globals, locals)
    code = _kept_or_made(("py", source), types.CodeType, lambda: compile(source, "<string>", "exec", dont_inherit=True))
    return builtins.exec(code, globals, locals)


def cover_word_lists(lexers: types.ModuleType) -> None:
    """Pygments' `regex_opt` as `lexers` (pygments.lexer) calls it, through the cache, when
    the command installed it: the pattern it writes depends only on the set of words and on
    the prefix and suffix, all strings."""
    write = lexers.regex_opt
    if _file is None or getattr(write, "kept_by_compile_cache", False):
        return

    def regex_opt(strings, prefix="", suffix=""):  # noqa: ANN001, ANN202 (Pygments' own signature)
        words = tuple(sorted(set(strings)))
        if not all(isinstance(part, str) for part in (*words, prefix, suffix)):
            return write(strings, prefix=prefix, suffix=suffix)
        return _kept_or_made(("words", words, prefix, suffix), str, lambda: write(strings, prefix=prefix, suffix=suffix))

    regex_opt.kept_by_compile_cache = True  # type: ignore[attr-defined]
    lexers.regex_opt = regex_opt


def _kept_or_made(key: _Key, kind: type, make: Callable[[], object]) -> object:
    """The value the file keeps under `key` when it decodes to a `kind`; else `make()`'s, kept
    for the file (its time counted towards WORTH_WRITING). A damaged entry is made again."""
    kept = _decoded(_known.get(key))
    if isinstance(kept, kind):
        _used.add(key)
        return kept
    started = time.perf_counter()
    made = make()
    _new_seconds[0] += time.perf_counter() - started
    _new[key] = _known[key] = marshal.dumps(made)
    return made


def _decoded(kept: bytes | None) -> object:
    try:
        return marshal.loads(kept) if kept is not None else None
    except (ValueError, EOFError, TypeError):  # a damaged entry: compiled again
        return None


def save() -> None:
    """Write the file when this run (here or in its workers) compiled new entries worth
    writing (WORTH_WRITING), or used one whose last use is getting old: the file's entries,
    less those the last KEPT_RUNS runs that wrote it did not use, with the new, up to LIMIT."""
    if _file is None:
        return
    parts = sorted(_file.parent.glob(f"{_file.name}.*.part"))
    new, used, seconds = dict(_new), set(_used), _new_seconds[0]
    for part in parts:
        their_seconds, their_new, _, their_used = _read(part)
        new.update(their_new)
        used.update(their_used)
        seconds += their_seconds
    if (new and seconds >= WORTH_WRITING) or _getting_old(used):
        run = _run[0] + 1
        last_run = {**_last_run, **dict.fromkeys(used, run), **dict.fromkeys(new, run)}
        entries = {**_known, **new}
        kept = sorted((key for key in entries if key in last_run and run - last_run[key] < KEPT_RUNS),
                      key=lambda key: -last_run[key])[:LIMIT]
        _write(_file, marshal.dumps((sys.version, run, {key: entries[key] for key in kept},
                                     {key: last_run[key] for key in kept}, [])))
        for part in parts:
            part.unlink(missing_ok=True)
    _new.clear()
    _new_seconds[0] = 0.0


def _getting_old(used: set[_Key]) -> list[_Key]:
    """The entries in `used` that no run used in the last KEPT_RUNS / 2 runs."""
    return [key for key in used if _run[0] + 1 - _last_run.get(key, _run[0] + 1) > KEPT_RUNS // 2]


def keep_new() -> None:
    """In a forked worker, after an item: the entries it compiled anew and those it used
    that are getting old, since it last did, for the parent's `save` (a worker ends by
    SIGKILL: nothing runs at its exit)."""
    if _file is None:
        return
    new = list(_new.items())[len(_reported_new):]
    old = [key for key in _getting_old(_used) if key not in _reported_old]
    if not new and not old:
        return
    _reported_new.update(key for key, _ in new)
    _reported_old.update(old)
    part = _file.with_name(f"{_file.name}.{os.getpid()}.{len(_reported_new)}.{len(_reported_old)}.part")
    _write(part, marshal.dumps((sys.version, _new_seconds[0], dict(new), {}, old)), whole=False)
    _new_seconds[0] = 0.0


def _read(path: Path) -> tuple[float, dict[_Key, bytes], dict[_Key, int], list[_Key]]:
    """The file's run count (a part's: what compiling its entries took), its entries, the
    last run that used each, and the keys it says were used; nothing if it is missing,
    damaged or written by another interpreter."""
    try:
        version, run, entries, last_runs, used = marshal.loads(path.read_bytes())
        if version != sys.version or not (isinstance(entries, dict) and isinstance(last_runs, dict)):
            return 0, {}, {}, []
        return run, entries, last_runs, [tuple(key) for key in used]
    except (OSError, ValueError, EOFError, TypeError):
        return 0, {}, {}, []


def _write(path: Path, data: bytes, *, whole: bool = True) -> None:
    """`whole`: through a temporary file, as another run may be reading it. A worker's part
    is written in place: a worker stopped while writing it leaves a part that does not
    load, which the next `save` removes as it removes the others."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not whole:
            path.write_bytes(data)
            return
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only home: compiling as usual costs time, not results
