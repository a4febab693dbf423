"""Go blocks: complete programs run with `go run`; fragments are wrapped into one.

A fragment without `package main` becomes a program only when that keeps its
meaning: its declarations (func, type, var, const) stay at the top level, its
statements go into `func main`, and the standard packages it uses are imported.
A fragment that uses a function an earlier fragment declared gets that
declaration too. Other packages, servers and the network are not run.
"""

from __future__ import annotations

import re

from .verdict import Context, Verdict, run, skip

# Standard packages a fragment may use, by the name it calls them.
_STD = {
    "fmt": "fmt", "time": "time", "sync": "sync", "strings": "strings", "strconv": "strconv", "context": "context",
    "errors": "errors", "os": "os", "sort": "sort", "math": "math", "rand": "math/rand", "bytes": "bytes",
    "bufio": "bufio", "io": "io", "regexp": "regexp", "json": "encoding/json", "atomic": "sync/atomic",
    "unicode": "unicode", "log": "log", "utf8": "unicode/utf8", "slices": "slices", "maps": "maps",
}
_TOP = re.compile(r"^(func|type|var|const|import)\b")
_NETWORK = re.compile(r"\bnet/http\b|\bhttp\.(ListenAndServe|Get|Post|HandleFunc)\b|\bnet\.(Dial|Listen)\b")


def judge(code: str, context: Context = Context()) -> Verdict:
    stripped = _strip(code)
    if _NETWORK.search(code):
        return skip("starts a server or needs the network", "server")
    package = re.search(r"^package\s+(\w+)", code, re.M)
    if package:
        if package.group(1) != "main" or not re.search(r"^func main\(\)", code, re.M):
            return skip(f"part of the Go package `{package.group(1)}`, not a program to run", "fragment")
        return run(code)
    declarations, statements = _split(code)
    if not declarations and not statements.strip():
        return skip("no Go code to run", "reading")
    if re.search(r"^\s*(case|default)\b.*:\s*$", statements, re.M) and not re.search(r"\b(switch|select)\b", statements):
        return skip("a fragment of a `select` or `switch`, not complete on its own", "fragment")
    carried: list[str] = []
    wanted = set(re.findall(r"\b([A-Za-z_]\w*)\b", stripped))
    own = {_declared(d) for d in declarations}
    for block in reversed(context.earlier):
        for decl in reversed(_split(_without_package(block))[0]):
            name = _declared(decl)
            if name and name != "main" and (name in wanted - own or _receiver(decl) in wanted | own):
                carried.insert(0, decl)
                own.add(name)
                wanted |= set(re.findall(r"\b([A-Za-z_]\w*)\b", _strip(decl)))
    body = "\n\n".join(["// from an earlier block:\n" + d for d in carried] + declarations)
    imports = _imports(body + "\n" + statements)
    program = ["package main // added: a fragment becomes a program", ""]
    if imports:
        program += ["import ("] + [f'\t"{path}"' for path in imports] + [")", ""]
    if body.strip():
        program += [body.strip(), ""]
    if "main" in own:  # the fragment has its own main: only the package line and imports were missing
        return run("\n".join(program).rstrip() + "\n" + ("\n" + statements.strip() + "\n" if statements.strip() else ""),
                   change="given `package main` and the standard packages it uses")
    indented = "\n".join(("\t" + line) if line.strip() else "" for line in statements.strip("\n").splitlines())
    program += ["func main() {", indented, "}"] if statements.strip() else ["func main() {}"]
    change = "wrapped in `package main` and `func main()`, with the standard packages it uses imported"
    if carried:
        change += ", and the functions it uses from earlier blocks"
    return run("\n".join(program) + "\n", change=change)


def _strip(code: str) -> str:
    code = re.sub(r"/\*.*?\*/", "", code, flags=re.S)
    code = re.sub(r"`[^`]*`|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", '""', code)
    return re.sub(r"//.*", "", code)


def _split(code: str) -> tuple[list[str], str]:
    """(top-level declarations, statements): a declaration starts at column 0 and runs to its closing brace."""
    decls: list[str] = []
    stmts: list[str] = []
    lines = code.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if _TOP.match(line):
            depth, j = 0, i
            while j < len(lines):
                depth += _strip(lines[j]).count("{") + _strip(lines[j]).count("(") - _strip(lines[j]).count("}") - _strip(lines[j]).count(")")
                j += 1
                if depth <= 0:
                    break
            decls.append("\n".join(lines[i:j]))
            i = j
        else:
            stmts.append(line)
            i += 1
    return [d for d in decls if not d.startswith("import")], "\n".join(stmts)


def _without_package(code: str) -> str:
    return re.sub(r"^package\s+\w+\s*$", "", code, flags=re.M)


def _declared(decl: str) -> str:
    """The name a declaration declares: `func (r Rect) Area` -> "Rect.Area", `type Rect` -> "Rect"."""
    match = re.match(r"func\s+\(\s*\w*\s*\*?(\w+)[^)]*\)\s*(\w+)|func\s+(\w+)|type\s+(\w+)|(?:var|const)\s+(\w+)", decl)
    if not match:
        return ""
    receiver, method, func, typ, var = match.groups()
    return f"{receiver}.{method}" if method else func or typ or var or ""


def _receiver(decl: str) -> str:
    return _declared(decl).split(".")[0] if "." in _declared(decl) else ""


def _imports(code: str) -> list[str]:
    used = set(re.findall(r"(?<![\w.])([a-z]\w*)\.[A-Z]", _strip(code)))
    return sorted(_STD[name] for name in used if name in _STD)
