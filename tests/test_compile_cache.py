"""converter.compile_cache: patterns and methods rebuilt from the file are what `re` and
`dataclasses` make, a covered module's generated code what `exec` makes, and a lexer's
word-list patterns what Pygments writes."""

from __future__ import annotations

import builtins
import marshal
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import fastjsonschema
import pygments.lexer
import pytest
from pygments import regexopt
from pygments.lexers import get_lexer_by_name

import dataclasses

from converter import budget
from converter import compile_cache
from converter.languages import _RULES

needs_sre = pytest.mark.skipif(compile_cache._compiler is None, reason="this interpreter's re has no _sre to feed")

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
    monkeypatch.setattr(compile_cache, "_file", None)
    for name in ("_known", "_last_run", "_new", "_used"):
        monkeypatch.setattr(compile_cache, name, type(getattr(compile_cache, name))())
    monkeypatch.setattr(compile_cache._compiler, "compile", compile_cache._compiler.compile)
    monkeypatch.setattr(compile_cache._compiler, "_sre", compile_cache._compiler._sre)
    monkeypatch.setattr(dataclasses, "exec", builtins.exec, raising=False)  # removed again after
    monkeypatch.setattr(budget, "between_items", [])
    monkeypatch.setattr(compile_cache, "WORTH_WRITING", 0.0)  # the file is written after any new pattern
    re.purge()
    yield tmp_path
    re.purge()


def _fresh(pattern: str | bytes, flags: int) -> re.Pattern:
    return compile_cache._ORIGINAL(pattern, flags)


@needs_sre
def test_patterns_from_the_file_equal_the_ones_re_compiles(cache: Path) -> None:
    """Pattern objects compare by pattern, flags and SRE code: equal means the same program."""
    patterns = _patterns()
    assert len(patterns) > 200
    re.purge()  # making the lexer compiled its patterns, into re's own cache
    assert compile_cache.install(cache)
    made = [re.compile(p, flags) for p, flags in patterns]
    missing = [(p, f) for p, f in patterns if ("re", p, int(f)) not in compile_cache._new]
    assert not missing, missing[:3]
    compile_cache.save()
    compile_cache._known.clear()
    compile_cache._known.update(compile_cache._read(compile_cache._file)[1])
    re.purge()
    again = [re.compile(p, flags) for p, flags in patterns]
    assert len(compile_cache._used) == len(patterns) and not compile_cache._new  # all from the file
    for (p, flags), first, second in zip(patterns, made, again):
        assert second == first == _fresh(p, flags), p
        assert (second.groups, second.groupindex) == (first.groups, first.groupindex)


@needs_sre
def test_they_match_alike(cache: Path) -> None:
    texts = ["2024-05-06", "  # note", "STRASSE straße", "ab abc", "x = 1", "word word", "Привет", "aB",
             "\x00\xff", "k=v", "aaa ab xxx", ""]
    compile_cache.install(cache)
    for p, flags in _WRITTEN:
        re.compile(p, flags)
    compile_cache.save()
    compile_cache._known.update(compile_cache._read(compile_cache._file)[1])
    re.purge()
    for p, flags in _WRITTEN:
        cached, fresh = re.compile(p, flags), _fresh(p, flags)
        for text in texts:
            subject = text.encode("latin-1", "replace") if isinstance(p, bytes) else text
            assert [m.groups() for m in cached.finditer(subject)] == [m.groups() for m in fresh.finditer(subject)]


@needs_sre
def test_a_damaged_entry_is_compiled_again(cache: Path) -> None:
    compile_cache.install(cache)
    key = ("re", r"(?P<a>x)+y", 0)
    re.compile(*key[1:])
    rest = list(marshal.loads(compile_cache._known[key]))
    rest[1] = bytes(len(rest[1]))  # code of zeros: _sre refuses it
    compile_cache._known[key] = marshal.dumps(tuple(rest))
    compile_cache._new.clear()
    re.purge()
    assert re.compile(*key[1:]) == _fresh(*key[1:])
    assert key in compile_cache._new and marshal.loads(compile_cache._known[key])[1] != rest[1]


@needs_sre
@pytest.mark.parametrize("damage", [b"", b"not marshal", marshal.dumps(("another python", 1, {}, {}, [])),
                                    marshal.dumps([1, 2, 3]), marshal.dumps((sys.version, 1, [], [], []))])
def test_a_damaged_or_foreign_file_is_ignored_and_written_again(cache: Path, damage: bytes) -> None:
    file = compile_cache.cache_file(cache)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_bytes(damage)
    assert compile_cache.install(cache)
    assert re.compile(r"q+z") == _fresh(r"q+z", 0)
    compile_cache.save()
    run, entries, *_ = compile_cache._read(file)
    assert run == 1 and ("re", r"q+z", 0) in entries


def _in_a_worker(pattern: str) -> None:
    """A forked worker compiles `pattern`, then its budget hook runs after its item."""
    pid = os.fork()
    if pid == 0:
        try:
            re.compile(pattern)
            for hook in budget.between_items:
                hook()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


@needs_sre
def test_a_worker_leaves_what_it_compiled_for_the_parent(cache: Path) -> None:
    compile_cache.install(cache)
    _in_a_worker(r"only in the worker \d")
    assert ("re", r"only in the worker \d", 0) not in compile_cache._known
    compile_cache.save()
    assert ("re", r"only in the worker \d", 0) in compile_cache._read(compile_cache._file)[1]
    assert not list(cache.glob("*.part"))


@needs_sre
def test_new_patterns_cheaper_than_writing_the_file_do_not_write_it(cache: Path, monkeypatch) -> None:  # noqa: ANN001
    """A run whose new patterns took less than WORTH_WRITING to compile leaves the file as
    it was; a worker's part stays for a later run, which loads it."""
    monkeypatch.setattr(compile_cache, "WORTH_WRITING", 60.0)
    compile_cache.install(cache)
    re.compile(r"cheap (in the parent)")
    _in_a_worker(r"cheap (in a worker)")
    compile_cache.save()
    assert not compile_cache.cache_file(cache).exists()
    assert len(list(cache.glob("*.part"))) == 1
    compile_cache._known.clear()
    compile_cache._file = None
    compile_cache.install(cache)
    assert ("re", r"cheap (in a worker)", 0) in compile_cache._known
    assert ("re", r"cheap (in the parent)", 0) not in compile_cache._known
    compile_cache.save()  # the part is still not worth writing in
    assert not compile_cache.cache_file(cache).exists()
    monkeypatch.setattr(compile_cache, "WORTH_WRITING", 0.0)
    compile_cache.save()
    assert ("re", r"cheap (in a worker)", 0) in compile_cache._read(compile_cache._file)[1]
    assert not list(cache.glob("*.part"))


@needs_sre
def test_the_file_keeps_the_entries_used_last_up_to_its_limit(cache: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(compile_cache, "LIMIT", 3)
    compile_cache.install(cache)
    for n in range(5):
        re.compile(f"first run {n}")
    compile_cache.save()
    compile_cache._file = None
    compile_cache.install(cache)
    re.purge()
    re.compile("first run 4")  # used again
    re.compile("second run")
    compile_cache.save()
    entries = compile_cache._read(compile_cache._file)[1]
    assert len(entries) == 3 and {("re", "first run 4", 0), ("re", "second run", 0)} <= set(entries)


@needs_sre
def test_patterns_no_run_uses_leave_the_file(cache: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(compile_cache, "KEPT_RUNS", 4)
    file = compile_cache.cache_file(cache)
    for run in range(1, 8):
        for name in ("_known", "_last_run", "_new", "_used"):
            getattr(compile_cache, name).clear()
        compile_cache._file = None
        re.purge()
        compile_cache.install(cache)
        re.compile(r"every run")
        re.compile(f"only in run {run}")
        compile_cache.save()
        run_count, entries, *_ = compile_cache._read(file)
        assert run_count == run
        kept = sorted(key[1] for key in entries if key[1].startswith("only"))
        assert kept == [f"only in run {n}" for n in range(max(1, run - 3), run + 1)]
        assert ("re", r"every run", 0) in entries


def _shapes() -> tuple[type, type]:
    """Two dataclasses with what their generated methods handle: frozen with slots, defaults,
    a default factory, a field left out of comparing; keyword-only and ordered."""

    @dataclasses.dataclass(frozen=True, slots=True)
    class Point:
        x: int
        y: int = 0
        tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)
        note: str = dataclasses.field(default="", compare=False)

    @dataclasses.dataclass(order=True, kw_only=True)
    class Version:
        major: int
        minor: int = 0

    return Point, Version


def _behaviour(point: type, version: type) -> list[object]:
    p, q = point(1, note="a"), point(1, 0, (), "b")
    frozen = "no error"
    try:
        p.x = 2
    except dataclasses.FrozenInstanceError as err:
        frozen = type(err).__name__
    return [repr(p), p == q, hash(p) == hash(q), frozen, point.__slots__, point.__match_args__,
            [repr(v) for v in sorted([version(major=2), version(major=1, minor=5)])], repr(version(major=3))]


def test_dataclass_methods_from_the_file_are_the_ones_exec_makes(cache: Path) -> None:
    expected = _behaviour(*_shapes())
    compile_cache.install(cache)
    made = _behaviour(*_shapes())
    sources = [key for key in compile_cache._new if key[0] == "py"]
    assert len(sources) >= 8  # __init__, __repr__, __eq__, __hash__, __setattr__, ... of the two
    compile_cache.save()
    compile_cache._known.clear()
    compile_cache._known.update(compile_cache._read(compile_cache._file)[1])
    again = _behaviour(*_shapes())
    assert set(sources) <= compile_cache._used
    assert expected == made == again
    for _kind, source in sources:
        assert marshal.loads(compile_cache._known[("py", source)]) == compile(source, "<string>", "exec", dont_inherit=True)


def test_a_damaged_method_is_compiled_again(cache: Path) -> None:
    expected = _behaviour(*_shapes())
    compile_cache.install(cache)
    _shapes()
    sources = [key for key in compile_cache._new if key[0] == "py"]
    compile_cache._new.clear()
    for key in sources:
        compile_cache._known[key] = b"\x00 not a code object"
    assert _behaviour(*_shapes()) == expected
    assert set(sources) <= set(compile_cache._new)


_SCHEMA = {
    "type": "object", "required": ["cells"], "additionalProperties": False,
    "properties": {"cells": {"type": "array", "items": {"$ref": "#/definitions/cell"}}},
    "definitions": {"cell": {"type": "object", "required": ["source"], "properties": {
        "source": {"type": "string", "pattern": "^[^\\t]*$"}, "tags": {"type": "array", "uniqueItems": True}}}},
}
_DOCUMENTS = [{"cells": []}, {"cells": [{"source": "x = 1"}]}, {"cells": [{"source": "\tx"}]},
              {"cells": [{"source": 1}]}, {"cells": [{"source": "", "tags": ["a", "a"]}]}, {"other": 1}]


def _verdicts(validate) -> list[str]:  # noqa: ANN001
    found = []
    for document in _DOCUMENTS:
        try:
            validate(document)
            found.append("valid")
        except fastjsonschema.JsonSchemaValueException as err:
            found.append(err.message)
    return found


def test_a_covered_module_s_generated_code_comes_from_the_file(cache: Path, monkeypatch) -> None:  # noqa: ANN001
    expected = _verdicts(fastjsonschema.compile(_SCHEMA))
    assert expected[:2] == ["valid", "valid"] and len(set(expected[2:])) == 4  # each wrong one for its own reason
    compile_cache.install(cache)
    monkeypatch.setattr(fastjsonschema, "exec", builtins.exec, raising=False)  # removed again after
    compile_cache.cover(fastjsonschema)
    made = _verdicts(fastjsonschema.compile(_SCHEMA))
    sources = [key for key in compile_cache._new if key[0] == "py"]
    assert len(sources) == 1
    compile_cache.save()
    compile_cache._known.clear()
    compile_cache._known.update(compile_cache._read(compile_cache._file)[1])
    again = _verdicts(fastjsonschema.compile(_SCHEMA))
    assert set(sources) <= compile_cache._used
    assert expected == made == again


def test_cover_leaves_a_module_alone_unless_the_command_installed_the_cache(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(compile_cache, "_file", None)
    monkeypatch.delattr(fastjsonschema, "exec", raising=False)
    compile_cache.cover(fastjsonschema)
    assert not hasattr(fastjsonschema, "exec")


def _css_lexer_made_anew() -> list[tuple[object, str]]:
    """The CSS lexer's class processed again (Pygments keeps its patterns on the class), and its
    tokens on a sample."""
    lexer_class = type(get_lexer_by_name("css"))
    if "_tokens" in lexer_class.__dict__:
        del lexer_class._tokens
    return list(lexer_class().get_tokens("a:hover { color: rebeccapurple; margin: 0 auto !important }\n"))


@pytest.mark.parametrize("seed", range(40))
def test_a_word_list_s_pattern_from_the_cache_is_pygments_own(cache: Path, monkeypatch, seed: int) -> None:  # noqa: ANN001
    monkeypatch.setattr(pygments.lexer, "regex_opt", pygments.lexer.regex_opt)
    compile_cache.install(cache)
    compile_cache.cover_word_lists(pygments.lexer)
    rng = random.Random(seed)
    alphabet = "abcdeé-_.*+?()[]|\\ "
    words = [''.join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 30))]
    words += rng.sample(words, len(words) // 3)  # repeated words, in another order
    prefix, suffix = rng.choice(["", r"\b", "(?<!-)"]), rng.choice(["", r"\b", r"(?=\s)"])
    expected = regexopt.regex_opt(words, prefix=prefix, suffix=suffix)
    assert pygments.lexer.regex_opt(words, prefix=prefix, suffix=suffix) == expected  # written, kept
    assert pygments.lexer.regex_opt(list(reversed(words)), prefix=prefix, suffix=suffix) == expected  # from the cache
    assert ("words", tuple(sorted(set(words))), prefix, suffix) in compile_cache._used
    other = (prefix + "(?:", ")" + suffix)  # the same words, another prefix and suffix: its own pattern
    assert pygments.lexer.regex_opt(words, *other) == regexopt.regex_opt(words, *other) != expected


def test_a_lexer_made_from_the_file_lexes_as_pygments_own(cache: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(pygments.lexer, "regex_opt", pygments.lexer.regex_opt)
    expected = _css_lexer_made_anew()
    compile_cache.install(cache)
    compile_cache.cover_word_lists(pygments.lexer)
    made = _css_lexer_made_anew()
    lists = [key for key in compile_cache._new if key[0] == "words"]
    assert len(lists) >= 3  # the CSS lexer's keywords, properties, units...
    compile_cache.save()
    compile_cache._known.clear()
    compile_cache._known.update(compile_cache._read(compile_cache._file)[1])
    again = _css_lexer_made_anew()
    assert set(lists) <= compile_cache._used
    assert expected == made == again


def test_word_lists_are_left_alone_unless_the_command_installed_the_cache(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(compile_cache, "_file", None)
    monkeypatch.setattr(pygments.lexer, "regex_opt", regexopt.regex_opt)
    compile_cache.cover_word_lists(pygments.lexer)
    assert pygments.lexer.regex_opt is regexopt.regex_opt


def test_the_user_cache_folder_is_none_without_a_home_folder(monkeypatch) -> None:  # noqa: ANN001
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert compile_cache.default_directory() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "/elsewhere")
    assert compile_cache.default_directory() == Path("/elsewhere/course-builder")


def test_without_a_home_folder_nothing_is_kept(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}  # no HOME, no XDG_CACHE_HOME
    done = subprocess.run([sys.executable, "-c", "import pathlib, re\n"
                           "pathlib.Path.home = lambda: (_ for _ in ()).throw(RuntimeError('no home'))\n"
                           "from converter import compile_cache\n"
                           "print(compile_cache.install(), re.compile('a+').match('aa') is not None)"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.stdout.split() == ["False", "True"], done.stderr


def test_only_the_command_installs_it(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    library = subprocess.run([sys.executable, "-c", "import re, dataclasses, converter.cli, converter.convert\n"
                              "print(re._compiler.compile.__module__, hasattr(dataclasses, 'exec'))"],
                             capture_output=True, text=True, env=env)
    assert library.stdout.split() == ["re._compiler", "False"]
    assert not (tmp_path / "course-builder").exists()
    command = subprocess.run([sys.executable, "-m", "converter", "--help"], capture_output=True, text=True, env=env)
    assert command.returncode == 0
    assert compile_cache.cache_file(tmp_path / "course-builder").is_file()
