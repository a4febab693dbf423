"""JavaScript and TypeScript blocks: run on Node.js, when they need nothing the course cannot give.

npm packages come from the course's package.json (installed by `npm ci`; cells find
them through NODE_PATH and a `node_modules` link). A server keeps running in the
background, as in a second terminal, for the cells below (`curl localhost:3000`);
a block that opens a connection or a timer runs until it only waits on its
connections (course_settle.js, from a setup cell), for a few seconds at most (`timeout`),
so that its output shows and the notebook goes on; a Redis
client gets a Redis server started for the notebook. ES module syntax and top-level `await` run in Node's module mode;
TypeScript runs on ts-node, transpiled only (no type check, as a tutorial's
fragment lacks the project's types).

Not run: code for the browser, packages the course does not install, other
services (RabbitMQ, AWS, MongoDB...), the network when the block calls it, Jest
tests, and fragments that use names no block defines.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .carry import carried
from .setups import SETTLED_SECONDS
from .verdict import Context, Verdict, run, skip

# ES modules (import/export, top-level await) need Node's module mode: stdin is CommonJS by default.
NODE_MODULE_MAGIC = "%%script node --input-type=module"
# ts-node reads the cell from stdin, with the tsconfig.json the "typescript" setup cell writes.
TS_MAGIC = "%%script ts-node"
RUNS_FOR_SECONDS = 5
# A test block is saved under its name and run by Jest (from the course's npm packages) with its
# default settings (`--config={}`: no package.json here), in plain text (the kernel asks for colours);
# its report, on stderr, is the cell's output.
_JEST = "%%script bash -c 'cat > {file} && FORCE_COLOR=0 exec jest --ci --config={{}} {file} 2>&1'"
# A server runs in the background, as in a second terminal, for the cells after it (`curl localhost:3000`):
# the cell is saved with this suffix and run by the script the "background" setup cell writes.
_BACKGROUND = "%%script bash course_background.sh {suffix} {command}"
# A program that stays up (server, open connection) is stopped once it only waits on its connections
# (the "settle" setup cell's script, preloaded), or after RUNS_FOR_SECONDS; neither stop is an error.
_TIMEBOX = "%%script bash -c 'timeout {seconds} {command} -r ./course_settle.js; s=$?; [ $s = 124 ] || exit $s'"
# require() is not defined in Node's module mode: the cell makes one, as Node's docs show.
_REQUIRE_IN_MODULE = "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n"
# npm packages that talk to a service the course does not start, by what they need.
_SERVICE_PACKAGES = {
    "amqplib": "a RabbitMQ broker", "aws-sdk": "an AWS account", "@aws-sdk": "an AWS account",
    "mongodb": "a MongoDB server", "mongoose": "a MongoDB server", "pg": "a PostgreSQL server",
    "mysql": "a MySQL server", "mysql2": "a MySQL server", "kafkajs": "a Kafka broker", "@prisma/client": "a database server",
}
# npm packages whose server the notebook starts (converter.runtimes.SERVICES).
_STARTED_SERVICES = {"redis": "redis", "ioredis": "redis"}
_SERVES = re.compile(r"\.listen\(|new\s+[\w.]*Server\(\s*\{[^}]*\bport\b")
_PORT = re.compile(r"\.listen\(\s*(\d{2,5})|\bport\s*[:=]\s*(\d{2,5})|\bPORT\s*=[^;\n]*?(\d{2,5})")
_KEEPS_RUNNING = re.compile(
    r"\.listen\(|\bcreateServer\(|new\s+[\w.]*Server\(|\bsetInterval\(|\bcreateClient\(|\.connect\(|new\s+Redis\(|"
    r"(?<![\w$.])io\(")
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
_BROWSER = re.compile(r"\b(document|window|localStorage|sessionStorage|navigator|alert|fetch)\s*[.(]")
# The Socket.IO client a page loads with a <script> tag: Node has it as the socket.io-client package.
_SOCKET_IO_CLIENT = re.compile(r"(?<![\w$.])io\(\s*['\"`](?:https?://)?(?:localhost|127\.0\.0\.1):(\d+)")
_SOCKET_IO_IMPORT = "const { io } = require('socket.io-client');  // added: the page loads it with a <script> tag\n"
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


def judge(code: str, context: Context = Context()) -> Verdict:
    """JavaScript on Node.js."""
    return _judge(code, context, typescript=False)


def judge_typescript(code: str, context: Context = Context()) -> Verdict:
    """TypeScript on ts-node (which the course installs with the npm packages)."""
    return _judge(code, context, typescript=True)


def _judge(code: str, context: Context, *, typescript: bool) -> Verdict:
    changes: list[str] = []
    text = _strip(code)
    if _BROWSER.search(text):
        return skip("JavaScript for the web browser (it uses the page)", "browser")
    if re.search(r"(?<![\w$.])io\(", text) and not re.search(r"\bio\b\s*=|require\(['\"]socket\.io-client", code):
        client = _SOCKET_IO_CLIENT.search(code)
        if not client or int(client.group(1)) not in context.ports or "socket.io-client" not in context.installed:
            return skip("JavaScript for the web browser (the Socket.IO client of a page, for a server this notebook "
                        "does not start)", "browser")
        code = _SOCKET_IO_IMPORT + code
        text = _strip(code)
        changes.append("the Socket.IO client a page loads comes from the socket.io-client package")
    for match in _IMPORTS.finditer(code):
        name = match.group(1) or match.group(2)
        package = _package(name)
        if name.startswith((".", "~", "@/")):
            if name.startswith(".") and _written(name, context.files):
                continue
            return skip(f"imports the tutorial's own file `{name}`, which the tutorial does not name", "fragment")
        if package in _BUILTINS:
            continue
        service = _SERVICE_PACKAGES.get(package) or _SERVICE_PACKAGES.get(package.split("/")[0])
        if service:
            return skip(f"needs {service} (npm package `{package}`), which the course does not start", "service")
        if package not in context.installed:
            return skip(f"needs the npm package `{package}`, which the course does not install "
                        "(add it to package.json)", "package")
    if _TEST.search(code):
        if "jest" not in context.installed or typescript or _MODULE.search(text):
            return skip("a test for a test runner (Jest, Mocha): run it with the tutorial's test command", "package")
        test_file = context.file if re.search(r"\.(test|spec)\.c?js$", context.file) else "course.test.js"
        return run(code, magic=_JEST.format(file=test_file), services=("npm",), volatile=True,
                   change=f"saved as `{test_file}` and run with Jest, as `npx jest` would")
    if _NETWORK.search(code) and not _quiet(code):
        return skip("needs the network", "network")
    full, names = carried(code, context.earlier, defines=defines, quiet=_quiet, comment="//", setup=_sets_up)
    missing = _undefined(full)
    if missing:
        shown = ", ".join(f"`{n}`" for n in missing[:3])
        return skip(f"a fragment: uses {shown}, which the tutorial defines elsewhere or not at all", "fragment")
    if _SERVES.search(_strip(full)) and not _SERVES.search(text):
        return skip("builds on the server an earlier block started, which runs in the background: "
                    "starting it again here would clash on its port", "server")
    if names:
        changes.append(f"runs with the definitions it uses from earlier blocks ({', '.join(f'`{n}`' for n in names)})")
    stripped = _strip(full)
    module = not typescript and bool(_MODULE.search(stripped))
    if module and re.search(r"(?<![\w$.])require\(", stripped):
        full = _REQUIRE_IN_MODULE + full
        changes.append("`require` made for Node's module mode")
    command = plain = TS_MAGIC if typescript else NODE_MODULE_MAGIC if module else "%%script node"
    packages = {p for p in map(_package, _imported(full)) if p not in _BUILTINS}
    services = ({"npm"} if packages else set()) | {_STARTED_SERVICES[p] for p in packages if p in _STARTED_SERVICES}
    services |= {"typescript"} if typescript else set()
    ports = frozenset()
    if _SERVES.search(text):
        ports = frozenset(int(n) for m in _PORT.findall(text) for n in m if n)
        suffix = ".ts" if typescript else ".mjs" if module else ".js"
        command = _BACKGROUND.format(suffix=suffix, command=command.removeprefix("%%script ").replace(" --input-type=module", ""))
        services.add("background")
        changes.append("keeps running in the background, as in a second terminal, for the cells below; it stops with the kernel")
    elif _KEEPS_RUNNING.search(stripped):
        command = _TIMEBOX.format(seconds=RUNS_FOR_SECONDS, command=command.removeprefix("%%script "))
        services.add("settle")
        changes.append(f"stopped once it only waits on its connections ({SETTLED_SECONDS} s), or after {RUNS_FOR_SECONDS}"
                       " seconds: it opens a connection or timer that would keep running")
    # What a server or a connection prints depends on timing (and ids it hands out): not compared by nbval.
    return run(full, change="; ".join(changes), magic=command, services=tuple(sorted(services)), serves=ports,
               volatile=command != plain)


def required_files(code: str) -> set[str]:
    """The tutorial's own files a block imports (`./sum` -> `sum`), without their extension."""
    return {required_stem(name) for name in _imported(code) if name.startswith(".")}


def required_stem(path: str) -> str:
    """`./lib/sum.js` and `lib/sum.ts` -> `lib/sum`: how an import names a file."""
    return re.sub(r"\.(m?js|cjs|ts)$", "", re.sub(r"^(\./)+", "", path))


def _written(name: str, files: Mapping[str, str]) -> bool:
    return required_stem(name) in {required_stem(path) for path in files}


def _sets_up(code: str) -> bool:
    """A call (or the function it calls) worth carrying with what it sets up: it starts no server
    and prints nothing, unless when an event comes (`client.on('error', (e) => console.log(e))`)."""
    registers = re.match(r"\s*[\w$.]+\.(on|once|addListener)\(", code)
    return not _SERVES.search(_strip(code)) and (bool(registers) or "console." not in _strip(code))


def _imported(code: str) -> list[str]:
    return [m.group(1) or m.group(2) for m in _IMPORTS.finditer(code)]


def _package(name: str) -> str:
    """The npm package of an import: `node:fs` -> `fs`, `@scope/pkg/sub` -> `@scope/pkg`, `pkg/sub` -> `pkg`."""
    parts = name.removeprefix("node:").split("/")
    return "/".join(parts[:2]) if parts[0].startswith("@") else parts[0]
