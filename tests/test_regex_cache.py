"""converter.regex_cache: patterns rebuilt from the file are the patterns `re` compiles."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name

from converter import budget, regex_cache
from converter.languages import _RULES

if regex_cache._compiler is None:
    pytest.skip("this interpreter's re has no _sre to feed", allow_module_level=True)

_WRITTEN = [
    (r"\d+", 0), (r"(?P<year>\d{4})-(?P<month>\d\d)", 0), (r"^\s*#.*$", re.M), (r"straße", re.I),
    (r"(?<=a)b(?!c)", 0), (r"(a|b)*?c{2,5}", re.S), (r"[^\W\d_]+", 0), (r"\bfoo\b", re.A | re.I),
    (r"""(?x) \s* ( [a-z]+ )  # a word
         \s* = \s* (?P<value> .*? ) $""", 0), (r"(\w+) \1", 0), (r"[\u0400-\u04ff]+", 0), (r"(?i:a)B", 0),
    (rb"\x00[\x80-\xff]+", 0), (rb"(?P<k>\w+)=", re.I | re.L), (r"a{,3}|(?>ab)|x*+", 0), (r"", 0),
]


def _patterns() -> list[tuple[str | bytes, int]]:
    """Written ones, language detection's rules and Python's Pygments lexer's: all kinds."""
    found = list(_WRITTEN) + [(pattern, flags) for _lang, pattern, _weight, flags in _RULES]
    lexer = type(get_lexer_by_name("python"))
    for state in lexer.tokens.values():
        for entry in state:
            if isinstance(entry, tuple) and isinstance(entry[0], str):
                found.append((entry[0], re.M))
    return list(dict.fromkeys(found))


@pytest.fixture
def cache(tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    """The cache installed in a folder of its own; `re` and the module as they were after."""
    monkeypatch.setattr(regex_cache, "_file", None)
    for name in ("_known", "_last_run", "_new", "_used"):
        monkeypatch.setattr(regex_cache, name, type(getattr(regex_cache, name))())
    monkeypatch.setattr(regex_cache._compiler, "compile", regex_cache._compiler.compile)
    monkeypatch.setattr(regex_cache._compiler, "_sre", regex_cache._compiler._sre)
    monkeypatch.setattr(budget, "between_items", [])
    monkeypatch.setattr(regex_cache, "WORTH_WRITING", 0.0)  # the file is written after any new pattern
    re.purge()
    yield tmp_path
    re.purge()


def _fresh(pattern: str | bytes, flags: int) -> re.Pattern:
    return regex_cache._ORIGINAL(pattern, flags)


def test_patterns_from_the_file_equal_the_ones_re_compiles(cache: Path) -> None:
    """Pattern objects compare by pattern, flags and SRE code: equal means the same program."""
    patterns = _patterns()
    assert len(patterns) > 200
    re.purge()  # making the lexer compiled its patterns, into re's own cache
    assert regex_cache.install(cache)
    made = [re.compile(p, flags) for p, flags in patterns]
    missing = [(p, f) for p, f in patterns if (p, int(f)) not in regex_cache._new]
    assert not missing, missing[:3]
    regex_cache.save()
    regex_cache._known.clear()
    regex_cache._known.update({key: rest for key, (_, rest) in regex_cache._read(regex_cache._file)[1].items()})
    re.purge()
    again = [re.compile(p, flags) for p, flags in patterns]
    assert len(regex_cache._used) == len(patterns) and not regex_cache._new  # all from the file
    for (p, flags), first, second in zip(patterns, made, again):
        assert second == first == _fresh(p, flags), p
        assert (second.groups, second.groupindex) == (first.groups, first.groupindex)


def test_they_match_alike(cache: Path) -> None:
    texts = ["2024-05-06", "  # note", "STRASSE straße", "ab abc", "x = 1", "word word", "Привет", "aB",
             "\x00\xff", "k=v", "aaa ab xxx", ""]
    regex_cache.install(cache)
    for p, flags in _WRITTEN:
        re.compile(p, flags)
    regex_cache.save()
    regex_cache._known.update({key: rest for key, (_, rest) in regex_cache._read(regex_cache._file)[1].items()})
    re.purge()
    for p, flags in _WRITTEN:
        cached, fresh = re.compile(p, flags), _fresh(p, flags)
        for text in texts:
            subject = text.encode("latin-1", "replace") if isinstance(p, bytes) else text
            assert [m.groups() for m in cached.finditer(subject)] == [m.groups() for m in fresh.finditer(subject)]


def test_a_damaged_entry_is_compiled_again(cache: Path) -> None:
    regex_cache.install(cache)
    key = (r"(?P<a>x)+y", 0)
    re.compile(*key)
    rest = list(regex_cache._known[key])
    rest[1] = bytes(len(rest[1]))  # code of zeros: _sre refuses it
    regex_cache._known[key] = tuple(rest)
    regex_cache._new.clear()
    re.purge()
    assert re.compile(*key) == _fresh(*key)
    assert key in regex_cache._new and regex_cache._known[key][1] != rest[1]


@pytest.mark.parametrize("damage", [b"", b"not marshal", marshal.dumps(("another python", 1, [], [])),
                                    marshal.dumps([1, 2, 3])])
def test_a_damaged_or_foreign_file_is_ignored_and_written_again(cache: Path, damage: bytes) -> None:
    file = regex_cache.cache_file(cache)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(damage)
    assert regex_cache.install(cache)
    assert re.compile(r"q+z") == _fresh(r"q+z", 0)
    regex_cache.save()
    run, entries, _ = regex_cache._read(file)
    assert run == 1 and (r"q+z", 0) in entries


def test_a_worker_leaves_what_it_compiled_for_the_parent(cache: Path) -> None:
    regex_cache.install(cache)
    pid = os.fork()
    if pid == 0:  # the worker: compiles one, then its budget hook runs
        try:
            re.compile(r"only in the worker \d")
            for hook in budget.between_items:
                hook()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    assert (r"only in the worker \d", 0) not in regex_cache._known
    regex_cache.save()
    assert (r"only in the worker \d", 0) in regex_cache._read(regex_cache._file)[1]
    assert not list(cache.glob("*.part"))


def test_new_patterns_cheaper_than_writing_the_file_do_not_write_it(cache: Path, monkeypatch) -> None:  # noqa: ANN001
    """A run whose new patterns took less than WORTH_WRITING to compile leaves the file as
    it was; a worker's part stays for a later run, which loads it."""
    monkeypatch.setattr(regex_cache, "WORTH_WRITING", 60.0)
    regex_cache.install(cache)
    re.compile(r"cheap (in the parent)")
    pid = os.fork()
    if pid == 0:
        try:
            re.compile(r"cheap (in a worker)")
            for hook in budget.between_items:
                hook()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    regex_cache.save()
    assert not regex_cache.cache_file(cache).exists()
    assert len(list(cache.glob("*.part"))) == 1
    regex_cache._known.clear()
    monkeypatch.setattr(regex_cache._compiler, "compile", regex_cache._ORIGINAL)
    regex_cache.install(cache)
    assert (r"cheap (in a worker)", 0) in regex_cache._known
    assert (r"cheap (in the parent)", 0) not in regex_cache._known
    regex_cache.save()  # the part is still not worth writing in
    assert not regex_cache.cache_file(cache).exists()
    monkeypatch.setattr(regex_cache, "WORTH_WRITING", 0.0)
    regex_cache.save()
    assert (r"cheap (in a worker)", 0) in regex_cache._read(regex_cache._file)[1]
    assert not list(cache.glob("*.part"))


def test_patterns_no_run_uses_leave_the_file(cache: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(regex_cache, "KEPT_RUNS", 4)
    file = regex_cache.cache_file(cache)
    for run in range(1, 8):
        for name in ("_known", "_last_run", "_new", "_used"):
            getattr(regex_cache, name).clear()
        monkeypatch.setattr(regex_cache._compiler, "compile", regex_cache._ORIGINAL)
        re.purge()
        regex_cache.install(cache)
        re.compile(r"every run")
        re.compile(f"only in run {run}")
        regex_cache.save()
        run_count, entries, _ = regex_cache._read(file)
        assert run_count == run
        kept = sorted(p for p, _flags in entries if p.startswith("only"))
        assert kept == [f"only in run {n}" for n in range(max(1, run - 3), run + 1)]
        assert (r"every run", 0) in entries


def test_only_the_command_installs_it(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    library = subprocess.run([sys.executable, "-c", "import re, converter.cli, converter.convert\n"
                              "print(re._compiler.compile.__module__)"], capture_output=True, text=True, env=env)
    assert library.stdout.split() == ["re._compiler"]
    assert not (tmp_path / "course-builder").exists()
    command = subprocess.run([sys.executable, "-m", "converter", "--help"], capture_output=True, text=True, env=env)
    assert command.returncode == 0
    assert regex_cache.cache_file(tmp_path / "course-builder").is_file()
