"""JavaScript blocks: run on Node.js, when they need nothing the course cannot give.

Not run: code for the browser, npm packages (the course installs none), servers
that keep listening, the network, Jest tests, and fragments that use names no
block defines. ES module syntax and top-level `await` run in Node's module mode.
"""

from __future__ import annotations

import re

from .carry import carried
from .verdict import Verdict, run, skip

# ES modules (import/export, top-level await) need Node's module mode: stdin is CommonJS by default.
NODE_MODULE_MAGIC = "%%script node --input-type=module"
_BUILTINS = frozenset((
    "assert", "async_hooks", "buffer", "child_process", "cluster", "console", "crypto", "dgram", "dns", "events",
    "fs", "fs/promises", "http", "http2", "https", "net", "os", "path", "perf_hooks", "process", "querystring",
    "readline", "stream", "string_decoder", "timers", "timers/promises", "tls", "url", "util", "v8", "vm",
    "worker_threads", "zlib", "node:test",
))
_GLOBALS = frozenset((
    "console", "require", "module", "exports", "process", "Buffer", "setTimeout", "setInterval", "setImmediate",
    "clearTimeout", "clearInterval", "Promise", "Object", "Array", "String", "Number", "Boolean", "Math", "JSON",
    "Date", "Map", "Set", "WeakMap", "WeakSet", "Symbol", "Error", "TypeError", "RangeError", "SyntaxError",
    "RegExp", "Function", "Reflect", "Proxy", "Intl", "BigInt", "globalThis", "structuredClone", "queueMicrotask",
    "parseInt", "parseFloat", "isNaN", "isFinite", "encodeURIComponent", "decodeURIComponent", "URL",
    "URLSearchParams", "TextEncoder", "TextDecoder", "AbortController", "EventTarget", "Event", "__dirname",
    "__filename", "undefined", "NaN", "Infinity", "this", "super", "arguments", "new", "typeof", "await",
    "async", "function", "return", "if", "for", "while", "switch", "catch", "import", "export", "class", "const",
    "let", "var", "of", "in", "do", "else", "try", "throw", "yield", "delete", "void", "instanceof", "case",
    "default", "break", "continue", "true", "false", "null", "from", "static", "get", "set", "extends", "finally",
    "Uint8Array", "ArrayBuffer", "DataView", "Int32Array", "Float64Array", "AggregateError", "WeakRef",
))
_BROWSER = re.compile(r"\b(document|window|localStorage|sessionStorage|navigator|alert|fetch)\s*[.(]|\bio\(")
_SERVER = re.compile(r"\.listen\(|\bcreateServer\(|new\s+[\w.]*Server\(|\bsetInterval\(")
_NETWORK = re.compile(r"https?://(?!localhost|127\.0\.0\.1)[\w.-]+")
_TEST = re.compile(r"^\s*(describe|it|test)\(\s*['\"`]", re.M)
_IMPORTS = re.compile(r"""\brequire\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+(?:[\w*{}\s,]+\s+from\s+)?['"]([^'"]+)['"]""", re.M)
_DEFINES = re.compile(
    r"^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:function\*?|class)\s+([\w$]+)|"
    r"^\s*(?:export\s+)?(?:const|let|var)\s+([\w$]+)", re.M)
_MODULE = re.compile(r"^\s*(import\s|export\s)|^await\s|^(const|let|var)\s[^=]*=\s*await\s", re.M)
_OUTPUT_CLAIM = re.compile(r"//\s*(?:=>|->|Output:|output:|prints:?|Prints:?|logs:?)\s*(.+)$")


def defines(code: str) -> set[str]:
    """Names the block declares at any level (functions, classes, variables, destructured names)."""
    text = _strip(code)
    names = {a or b for a, b in _DEFINES.findall(text)}
    for group in re.findall(r"\b(?:const|let|var)\s*[{\[]([^}\]]*)[}\]]", text):
        names |= {part.split(":")[-1].split("=")[0].strip(" .") for part in group.split(",")}
    for clause in re.findall(r"^\s*import\s+([^'\"]+?)\s+from\b", text, re.M):
        names |= {part.split(" as ")[-1].strip(" {}*") for part in clause.split(",")}
    return {n for n in names if n}


def _quiet(code: str) -> bool:
    """No top-level call (`console.log(...)`, `main();`): carrying the block prints nothing."""
    return not re.search(r"^(console\.|[\w$.]+\([^)]*\);?\s*$)", _strip(code), re.M)


def _strip(code: str) -> str:
    """Code without comments and with string contents emptied (names in them are not uses)."""
    code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)
    code = re.sub(r"`(?:\\.|[^`\\])*`", "``", code, flags=re.S)
    code = re.sub(r"'(?:\\.|[^'\\\n])*'|\"(?:\\.|[^\"\\\n])*\"", "''", code)
    return re.sub(r"(?<![:\\])//.*", "", code)


def _undefined(code: str) -> list[str]:
    """Names used as objects or functions that nothing declares (parameters and methods count)."""
    text = _strip(code)
    declared = defines(code)
    for group in re.findall(r"\b(?:catch|function\s*[\w$]*)\s*\(([^)]*)\)|\(([^()]*)\)\s*=>", text):
        declared |= set(re.findall(r"[\w$]+", " ".join(group)))
    declared |= set(re.findall(r"([\w$]+)\s*=>", text))
    declared |= set(re.findall(r"(?<![\w$.])([\w$]+)\s*\([^()]*\)\s*\{", text))  # methods
    used = re.findall(r"(?<![\w$.])([A-Za-z_$][\w$]*)\s*(?=[.(\[])", text)
    used += re.findall(r"\bawait\s+([A-Za-z_$][\w$]*)\b", text)
    return sorted({u for u in used if u not in declared and u not in _GLOBALS})


def judge(code: str, earlier: tuple[str, ...] = ()) -> Verdict:
    text = _strip(code)
    if _BROWSER.search(text):
        return skip("JavaScript for the web browser (it uses the page or a client library)", "browser")
    for match in _IMPORTS.finditer(code):
        name = match.group(1) or match.group(2)
        bare = name.removeprefix("node:")
        if name.startswith("."):
            return skip(f"imports the tutorial's own file `{name}`, which the tutorial does not name", "fragment")
        if bare not in _BUILTINS and bare.split("/")[0] not in _BUILTINS:
            return skip(f"needs the npm package `{name}`, which the course does not install", "package")
    if _TEST.search(code):
        return skip("a test for a test runner (Jest, Mocha): run it with the tutorial's test command", "package")
    if _SERVER.search(text):
        return skip("starts a server or timer that keeps running", "server")
    if _NETWORK.search(code):
        return skip("needs the network", "network")
    full, names = carried(code, earlier, defines=defines, quiet=_quiet, comment="//")
    missing = _undefined(full)
    if missing:
        shown = ", ".join(f"`{n}`" for n in missing[:3])
        return skip(f"a fragment: uses {shown}, which the tutorial defines elsewhere or not at all", "fragment")
    magic = NODE_MODULE_MAGIC if _MODULE.search(_strip(full)) else ""
    change = f"runs with the definitions it uses from earlier blocks ({', '.join(f'`{n}`' for n in names)})" if names else ""
    return run(full, change=change, magic=magic)
