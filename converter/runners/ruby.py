"""Ruby blocks: run with Ruby, when they need nothing the course cannot give.

Active Record code (models, migrations, queries) runs on Active Record without
Rails (`active_record.py`). Not run: the rest of Rails (controllers, jobs,
mailers), gems outside Ruby's standard library, keyboard input, the network, and
fragments that use constants no block defines.
"""

from __future__ import annotations

import re

from . import active_record
from .carry import carried
from .verdict import Context, Verdict, run, skip

_STDLIB = frozenset((
    "json", "set", "date", "time", "securerandom", "digest", "ostruct", "forwardable", "singleton", "benchmark",
    "logger", "csv", "yaml", "psych", "pp", "stringio", "fileutils", "open3", "erb", "bigdecimal", "optparse",
    "observer", "delegate", "tempfile", "tmpdir", "pathname", "English", "shellwords", "timeout", "zlib", "base64",
    "monitor", "thread", "etc", "io/console", "prime", "matrix", "racc", "strscan", "weakref", "objspace",
    "coverage", "ripper", "fiber", "continuation", "abbrev", "find", "uri", "digest/sha2", "digest/md5",
))
_NETWORK = re.compile(r"\bNet::(HTTP|FTP|SMTP)\b|\bTCPSocket\b|\bURI\.open\b|\bopen-uri\b|https?://(?!localhost)")
_CORE = frozenset((
    "String", "Integer", "Float", "Numeric", "Array", "Hash", "Symbol", "Object", "BasicObject", "Kernel", "Comparable",
    "Enumerable", "Module", "Class", "Struct", "Proc", "Method", "UnboundMethod", "NilClass", "TrueClass",
    "FalseClass", "Range", "Time", "File", "Dir", "IO", "Math", "Exception", "StandardError", "ArgumentError",
    "NoMethodError", "NameError", "RuntimeError", "TypeError", "KeyError", "IndexError", "ZeroDivisionError",
    "NotImplementedError", "FrozenError", "StopIteration", "RangeError", "IOError", "Errno", "Set", "JSON",
    "ObjectSpace", "Fiber", "Thread", "Mutex", "Queue", "SizedQueue", "ConditionVariable", "Enumerator", "Rational",
    "Complex", "Random", "Signal", "Process", "ENV", "ARGV", "STDOUT", "STDERR", "STDIN", "Marshal", "GC", "Date",
    "DateTime", "OpenStruct", "Forwardable", "Singleton", "Benchmark", "Logger", "CSV", "YAML", "SecureRandom",
    "Digest", "StringIO", "Encoding", "Regexp", "MatchData", "Binding", "RUBY_VERSION", "Ractor", "Data", "Warning",
    "Comparable", "Observable", "Timeout", "FileUtils", "Pathname", "Tempfile", "BigDecimal", "ERB", "Shellwords",
    "SimpleDelegator", "DelegateClass", "Monitor", "Base64", "Zlib", "URI", "Prime", "Matrix", "Vector",
    "LocalJumpError", "SystemExit", "ScriptError", "SecurityError", "Interrupt", "FloatDomainError", "EOFError",
    "NoMatchingPatternError", "UncaughtThrowError", "ThreadError", "ClosedQueueError", "Object", "TracePoint",
))
_DEFINES = re.compile(r"^\s*(?:class|module)\s+(?:[\w:]+::)?([A-Z]\w*)|^\s*([A-Z]\w*)\s*=[^=]|^\s*def\s+(?:self\.)?(\w+[?!=]?)|"
                      r"^([a-z_]\w*)\s*=(?![=~>])", re.M)  # a top-level local, as a learner's irb session keeps it


def _strip(code: str) -> str:
    code = re.sub(r"^=begin.*?^=end", "", code, flags=re.S | re.M)
    code = re.sub(r"'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"", "''", code)
    return re.sub(r"(?<![$?\\])#(?!\{).*", "", code)


_MULTIPLE_ASSIGNMENT = re.compile(r"^([a-z_]\w*(?:\s*,\s*\*?[a-z_]\w*)+)\s*=(?!=)", re.M)


def defines(code: str) -> set[str]:
    text = _strip(code)
    names = {next(n for n in m if n) for m in _DEFINES.findall(text)}
    return names | {n for group in _MULTIPLE_ASSIGNMENT.findall(text) for n in re.findall(r"[a-z_]\w*", group)}


def _quiet(code: str) -> bool:
    return not re.search(r"^(puts|p|print|pp|printf)\b", _strip(code), re.M)


def judge(code: str, context: Context = Context()) -> Verdict:
    text = _strip(code)
    if active_record.needs_rails_app(text):
        return skip("Rails application code (controllers, jobs, mailers): it needs a whole Rails app, which the "
                    "course does not create", "framework")
    for gem in re.findall(r"^\s*require\s+['\"]([^'\"]+)['\"]", code, re.M):
        if gem not in _STDLIB and gem not in ("active_record", "active_support/all", "sqlite3"):
            return skip(f"needs the gem `{gem}`, which the course does not install", "package")
    if re.search(r"^\s*require_relative\b", code, re.M):
        return skip("loads the tutorial's own files, which the tutorial does not name", "fragment")
    if re.search(r"\b(gets|STDIN\.read|\$stdin)\b", text):
        return skip("waits for keyboard input, which a notebook run cannot give", "input")
    if _NETWORK.search(code):
        return skip("needs the network", "network")
    if re.search(r"\b(loop\s+do|while\s+true)\b", text) and not re.search(r"\b(break|raise|exit)\b", text):
        return skip("loops forever", "server")
    # Active Record cells share a database: an earlier block's queries and writes must not run
    # again, so only the definitions (classes, methods, one-line assignments) they need are carried.
    shares_database = any(active_record.uses_active_record(_strip(c)) for c in (code, *context.earlier))
    quiet = (lambda _: False) if shares_database else _quiet
    full, names = carried(code, context.earlier, defines=defines, quiet=quiet, comment="#", closer="end", uses=_uses,
                          reopens=True)
    used = set(re.findall(r"(?<![\w:@$])([A-Z]\w*)", _strip(full)))
    models = active_record.uses_active_record(_strip(full))
    provided = active_record.CONSTANTS if models else frozenset()
    missing = sorted(used - defines(full) - _CORE - provided - _nested_constants(full))
    if missing:
        shown = ", ".join(f"`{n}`" for n in missing[:3])
        return skip(f"a fragment: uses {shown}, which the tutorial defines elsewhere or not at all", "fragment")
    unknown = _undefined_locals(full)
    if unknown:
        shown = ", ".join(f"`{n}`" for n in unknown[:3])
        return skip(f"a fragment: uses {shown}, which an earlier part of the tutorial sets up", "fragment")
    change = f"runs with the definitions it uses from earlier blocks ({', '.join(f'`{n}`' for n in names)})" if names else ""
    if models:
        return run(full, change=change, magic=active_record.MAGIC, services=("active_record",))
    return run(full, change=change)


def _uses(code: str) -> set[str]:
    """The names code uses: not those in strings, comments, symbols (`:articles`), hash keys
    (`title:`), or the parameters of its blocks and methods (`|article|`)."""
    text = _strip(code)
    params = _parameters(text)
    text = re.sub(r"(?<![:\w]):[a-z_]\w*[?!]?|\b[a-z_]\w*:(?!:)", " ", text)
    return set(re.findall(r"[A-Za-z_]\w*", text)) - params


def _parameters(text: str) -> set[str]:
    """The names a block (`|article, i|`) or a method (`def add(a, b)`) takes."""
    groups = re.findall(r"\|([^|]*)\|", text) + re.findall(r"^\s*def\s+\S+?\s*\(([^)\n]*)", text, re.M)
    return {name for group in groups for name in re.findall(r"[a-z_]\w*", group)}


def _nested_constants(code: str) -> set[str]:
    """Constants and symbols-as-constants inside class bodies (`STATES = [...]`), and `Struct.new` members."""
    return set(re.findall(r"^\s+([A-Z][A-Z0-9_]*)\s*=", code, re.M))


_KNOWN_RECEIVERS = frozenset(("self", "super", "puts", "p", "require", "attr_accessor", "lambda", "proc", "loop",
                              "binding", "caller", "__method__", "it", "_1", "nil", "true", "false"))


def _undefined_locals(code: str) -> list[str]:
    """Lower-case names used as receivers (`article.update`) that the code never assigns or takes."""
    text = _outside_definitions(_strip(code))
    bound = set(re.findall(r"(?<![\w.:@$])([a-z_]\w*)\s*(?:=(?![=~>])|\+=|-=|\|\|=)", text))
    bound |= _parameters(text)
    bound |= set(re.findall(r"\bfor\s+([a-z_]\w*)\s+in\b", text))
    bound |= set(re.findall(r"\brescue\b[^\n]*=>\s*([a-z_]\w*)", text))  # rescue Error => e
    for group in re.findall(r"^\s*([a-z_]\w*(?:\s*,\s*\*?[a-z_]\w*)+)\s*=(?!=)", text, re.M):  # a, b = pair
        bound |= set(re.findall(r"[a-z_]\w*", group))
    bound |= set(re.findall(r"^\s*def\s+(?:self\.)?([a-z_]\w*)", text, re.M))
    for group in re.findall(r"attr_(?:accessor|reader|writer)\s+(.*)", text):
        bound |= set(re.findall(r":(\w+)", group))
    used = re.findall(r"(?<![\w.:@$])([a-z_]\w*)\.(?=[a-z_])", text)
    return sorted({u for u in used if u not in bound and u not in _KNOWN_RECEIVERS})


def _outside_definitions(code: str) -> str:
    """The code outside top-level `class`/`module`/`def` bodies: in there, a bare lower-case
    receiver is a method of the object (an Active Record attribute), not an unset local."""
    kept, inside = [], False
    for line in code.splitlines():
        if not inside and re.match(r"(class|module|def)\b", line):
            inside = not re.search(r"\bend\s*$", line)
        elif inside and re.match(r"end\b", line):
            inside = False
        elif not inside:
            kept.append(line)
    return "\n".join(kept)
