"""Exercise generator: write the command (pg_dump, tar, scp, docker, npm, pip, uv ...).

A command line from one of the tutorial's shell blocks becomes a task in words,
for other values than the tutorial's (another database, another archive), so the
answer is not on the page above: the learner has to know the options. Nothing is
executed: the check parses the learner's command with `shlex` and compares its
*meaning* with the expected one: which program and subcommand, which options
(short or long spelling, `-Fc` / `-F c` / `--format=custom`, `-czvf` or `-c -z -v
-f`, in any order) with which values, and which arguments. Feedback says which part
of the task the command misses or gets wrong, never the flag.

The option tables below are the part of each tool's manual the tutorials use;
an option a table lacks makes the generator decline that command.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from dataclasses import dataclass

from ..document import CodeBlock, Document, Exercise
from ..myst_escape import code_span, escape
from .predict import section_of

MAX_OFFERS = 4

# One tool: its options (spelling -> (meaning key, takes a value)), the values an option's
# value may be spelled as (key -> spelling -> meaning), whether the order of its arguments
# matters, and how the task describes each key ({v} is the value).
# Keys ending in "*" may be given several times (docker's -p).
_PG_DUMP = {
    "options": {"-U": ("user", True), "--username": ("user", True), "-d": ("database", True), "--dbname": ("database", True),
                "-f": ("file", True), "--file": ("file", True), "-F": ("format", True), "--format": ("format", True),
                "-h": ("host", True), "--host": ("host", True), "-p": ("port", True), "--port": ("port", True),
                "-a": ("data only", False), "--data-only": ("data only", False), "-s": ("schema only", False),
                "--schema-only": ("schema only", False), "-t": ("table", True), "--table": ("table", True),
                "-v": ("verbose", False), "--verbose": ("verbose", False), "-C": ("create", False), "--create": ("create", False)},
    "values": {"format": {"c": "custom", "custom": "custom", "p": "plain", "plain": "plain", "d": "directory",
                          "directory": "directory", "t": "tar", "tar": "tar"}},
    "ordered": False,
    "positional": "database",  # `pg_dump shop` is `pg_dump -d shop`
    "says": {"user": "connects as the user `{v}`", "database": "dumps the database `{v}`", "file": "writes the dump to `{v}`",
             "format": "in PostgreSQL's {v} archive format", "host": "on the server `{v}`", "port": "on port `{v}`",
             "data only": "dumps the data only, without the schema", "schema only": "dumps the schema only",
             "table": "dumps only the table `{v}`", "verbose": "reports what it does as it goes",
             "create": "includes the command to create the database", "args": "dumps the database `{v}`"},
}
_TAR = {
    "options": {"-c": ("create", False), "--create": ("create", False), "-x": ("extract", False), "--extract": ("extract", False),
                "-t": ("list", False), "--list": ("list", False), "-z": ("gzip", False), "--gzip": ("gzip", False),
                "-j": ("bzip2", False), "--bzip2": ("bzip2", False), "-J": ("xz", False), "--xz": ("xz", False),
                "-v": ("verbose", False), "--verbose": ("verbose", False), "-f": ("file", True), "--file": ("file", True),
                "-C": ("directory", True), "--directory": ("directory", True)},
    "values": {},
    "ordered": False,
    "old_style": True,  # `tar czvf x.tar.gz dir`: the first argument is a cluster of flags without a dash
    "says": {"create": "creates an archive", "extract": "extracts an archive", "list": "lists what an archive holds",
             "gzip": "compressed with gzip", "bzip2": "compressed with bzip2", "xz": "compressed with xz",
             "verbose": "listing each file as it goes", "file": "the archive file is `{v}`",
             "directory": "working in the folder `{v}`", "args": "of {v}"},
}
_SCP = {
    "options": {"-i": ("identity", True), "-r": ("recursive", False), "-P": ("port", True), "-p": ("preserve", False),
                "-C": ("compress", False), "-q": ("quiet", False)},
    "values": {},
    "ordered": True,
    "says": {"identity": "authenticates with the private key `{v}`", "recursive": "copies folders recursively",
             "port": "connects to port `{v}`", "preserve": "keeps the files' times and modes",
             "compress": "compresses the transfer", "quiet": "shows no progress", "args": "copies {v} (in this order: from, to)"},
}
_DOCKER_RUN = {
    "options": {"-d": ("detached", False), "--detach": ("detached", False), "--name": ("name", True),
                "-p": ("published port*", True), "--publish": ("published port*", True), "-e": ("environment*", True),
                "--env": ("environment*", True), "-v": ("volume*", True), "--volume": ("volume*", True),
                "--rm": ("remove", False), "-it": ("interactive", False)},
    "values": {},
    "ordered": True,
    "says": {"detached": "runs in the background", "name": "names the container `{v}`",
             "published port*": "publishes the port mapping(s) {v}", "environment*": "sets the environment {v}",
             "volume*": "mounts {v}", "remove": "removes the container when it stops",
             "interactive": "runs interactively with a terminal", "args": "runs the image {v}"},
}
def _packages(options: dict, **says: str) -> dict:
    """A package manager's install command: options, and the task's words for them."""
    return {"options": options, "values": {}, "ordered": False,
            "says": {"requirements": "what `{v}` lists", "editable": "`{v}` in editable (development) mode",
                     "upgrade": "upgrading what is already installed", "dev": "as a development dependency",
                     "global": "globally", "yes": "accepting every default without asking", "args": "the package(s) {v}",
                     **says}}


_NPM = _packages({"-D": ("dev", False), "--save-dev": ("dev", False), "-g": ("global", False), "--global": ("global", False),
                  "-y": ("yes", False), "--yes": ("yes", False)})
_YARN = _packages({"-D": ("dev", False), "--dev": ("dev", False)})
_PIP = _packages({"-r": ("requirements", True), "--requirement": ("requirements", True), "-e": ("editable", True),
                  "--editable": ("editable", True), "-U": ("upgrade", False), "--upgrade": ("upgrade", False),
                  "-y": ("yes", False), "--yes": ("yes", False)})
_UV_ADD = _packages({"--dev": ("dev", False), "-r": ("requirements", True), "--requirements": ("requirements", True)})
_PLAIN = {"options": {}, "values": {}, "ordered": True, "says": {"args": "on {v}"}}

# program (and subcommand words) -> tool; the longest match wins. Aliases share a meaning.
TOOLS: dict[tuple[str, ...], dict] = {
    ("pg_dump",): _PG_DUMP,
    ("tar",): _TAR,
    ("scp",): _SCP,
    ("docker", "run"): _DOCKER_RUN,
    ("npm", "install"): _NPM, ("npm", "i"): _NPM, ("npm", "init"): _NPM,
    ("pnpm", "add"): _NPM, ("pnpm", "install"): _NPM, ("yarn", "add"): _YARN,
    ("pip", "install"): _PIP, ("pip", "uninstall"): _PIP,
    ("uv", "pip", "install"): _PIP, ("uv", "add"): _UV_ADD, ("uv", "venv"): _PLAIN, ("uv", "pip", "freeze"): _PLAIN,
    ("uv", "run"): _PLAIN,
    ("ruff", "check"): _PLAIN, ("ruff", "format"): _PLAIN,
}
_WHAT = {
    ("pg_dump",): "Write the `pg_dump` command that backs up a PostgreSQL database: it",
    ("tar",): "Write the `tar` command that",
    ("scp",): "Write the `scp` command that",
    ("docker", "run"): "Write the `docker run` command that",
    ("npm", "install"): "Write the `npm` command that installs", ("npm", "init"): "Write the `npm` command that creates a `package.json`,",
    ("pnpm", "add"): "Write the `pnpm` command that adds", ("pnpm", "install"): "Write the `pnpm` command that installs",
    ("yarn", "add"): "Write the `yarn` command that adds",
    ("pip", "install"): "Write the `pip` command that installs", ("pip", "uninstall"): "Write the `pip` command that uninstalls",
    ("uv", "pip", "install"): "Write the `uv` command (its pip interface) that installs", ("uv", "add"): "Write the `uv` command that adds",
    ("uv", "venv"): "Write the `uv` command that creates a virtual environment",
    ("uv", "pip", "freeze"): "Write the `uv` command that lists the installed packages with their versions",
    ("uv", "run"): "Write the `uv` command that runs",
    ("ruff", "check"): "Write the `ruff` command that lints", ("ruff", "format"): "Write the `ruff` command that formats",
}

# The parser, as source: the converter runs it here and pastes it into the checks (one definition).
PARSER = r'''
import shlex as _shlex

def _meaning(command, tools):
    """(tool words, {key: value or True or sorted values}, arguments) of a command line, or an error string."""
    try:
        words = _shlex.split(str(command).strip().lstrip("$ "))
    except ValueError as err:
        return f"the command does not parse ({err})"
    if words and words[0] == "sudo":
        words = words[1:]
    match = max((k for k in tools if tuple(words[:len(k)]) == k), key=len, default=None)
    if match is None:
        return "it does not start with the program (and subcommand) the task asks for"
    spec, options, args = tools[match], {}, []
    rest = words[len(match):]
    if spec.get("old_style") and rest and not rest[0].startswith("-") and all(f"-{c}" in spec["options"] for c in rest[0]):
        rest = ["-" + rest[0], *rest[1:]]
    def put(spelling, value):
        key, takes = spec["options"][spelling]
        value = spec["values"].get(key, {}).get(value, value) if takes else True
        if key.endswith("*"):
            options[key] = tuple(sorted((*options.get(key, ()), value)))
        else:
            options[key] = value
    n = 0
    while n < len(rest):
        word = rest[n]
        n += 1
        if word.startswith("--") and len(word) > 2:
            name, eq, value = word.partition("=")
            if name not in spec["options"]:
                return f"it has an option this task does not use: {name}"
            if spec["options"][name][1] and not eq:
                if n >= len(rest):
                    return f"the option {name} needs a value"
                value, n = rest[n], n + 1
            put(name, value)
        elif word.startswith("-") and len(word) > 1:
            if word in spec["options"]:
                cluster = [word]
            else:
                cluster = [f"-{c}" for c in word[1:]]
            for i, flag in enumerate(cluster):
                if flag not in spec["options"]:
                    return f"it has an option this task does not use: {flag}"
                if spec["options"][flag][1]:
                    attached = "".join(c[1:] for c in cluster[i + 1:]) if len(cluster) > 1 else ""
                    if attached:
                        put(flag, attached)
                        break
                    if n >= len(rest):
                        return f"the option {flag} needs a value"
                    put(flag, rest[n])
                    n += 1
                else:
                    put(flag, None)
        else:
            args.append(word)
    key = spec.get("positional")
    if key and len(args) == 1 and key not in options:
        options[key] = args.pop()
    match = {("npm", "i"): ("npm", "install")}.get(match, match)
    return match, options, tuple(args) if spec["ordered"] else tuple(sorted(args))
'''
_helpers: dict = {}
exec(PARSER, _helpers)  # our own parser source (never tutorial code)
meaning = _helpers["_meaning"]


@dataclass(frozen=True)
class _Command:
    words: tuple[str, ...]
    options: dict
    args: tuple[str, ...]


def write_the_command(doc: Document) -> list[Exercise]:
    """"Write the command" exercises from the tutorial's shell command lines, best first."""
    found: list[Exercise] = []
    seen: set = set()
    for index, block in enumerate(doc.blocks):
        if not isinstance(block, CodeBlock) or block.language != "shell":
            continue
        for line in _command_lines(block.code):
            parsed = meaning(line, TOOLS)
            if isinstance(parsed, str):
                continue
            command = _Command(*parsed)
            # The same options in another package manager (`npm -D`, `pnpm -D`, `yarn -D`) ask the same.
            lesson = command.words[0] in _SUBCOMMAND_LESSON
            same = (command.words if lesson else _REGISTRY.get(command.words[0], command.words), tuple(sorted(command.options)))
            if (not command.options and not lesson) or same in seen:
                continue  # `pip install flask`: no option to know, the prompt would dictate it
            exercise = _exercise(doc, index, _varied(command))
            if exercise:
                seen.add(same)
                found.append(exercise)
    return found[:MAX_OFFERS]


def _command_lines(code: str) -> list[str]:
    """Single command lines: no pipes, redirections, substitutions, variables or continuations
    (`$(date +%F)` becomes a plain word: the variation replaces the value anyway)."""
    lines = []
    for line in code.splitlines():
        line = re.sub(r"\s#.*$", "", line).strip()
        line = re.sub(r"\$\([^()]*\)", "DATE", line)
        if not line or line.startswith("#") or re.search(r"[|><;&`\\]|\$\w|\$\{", line):
            continue
        lines.append(line)
    return lines


# --- the variation: other values than the tutorial's -----------------------------------------

_NEW_VALUES = {
    "user": "backup_admin", "database": "inventory", "host": "db.internal", "port": "5433", "identity": "/home/deploy/.ssh/deploy_key",
    "name": "cache", "table": "orders", "directory": "/srv/restore", "requirements": "requirements-dev.txt",
    "editable": "libs/billing",
}
# Tools whose subcommands are the lesson (`uv pip install` for `npm install`): asked even without options.
_SUBCOMMAND_LESSON = frozenset({"uv"})
# Other packages than the tutorial's, from the same registry.
_PACKAGE_NAMES = {"npm": ("lodash", "dotenv", "nodemon"), "pip": ("httpx", "rich", "pydantic")}
_REGISTRY = {"npm": "npm", "pnpm": "npm", "yarn": "npm", "pip": "pip", "uv": "pip"}


def _varied(command: _Command) -> _Command:
    """The same command for other values, so that the tutorial's own line is not the answer."""
    options = {}
    for key, value in command.options.items():
        if value is True or key == "format" or key.endswith("*"):
            options[key] = value
        elif key == "file":
            options[key] = _renamed_file(value)
        else:
            options[key] = _NEW_VALUES.get(key, value)
    return _Command(command.words, options, _varied_args(command))


def _renamed_file(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    suffix = name[name.find("."):] if "." in name else ""
    return f"nightly{suffix}"


def _varied_args(command: _Command) -> tuple[str, ...]:
    words, args = command.words, command.args
    if words == ("tar",):
        return tuple(sorted(("/srv/app/data", "/etc/nginx", "/home/deploy")[: len(args)]))
    if words == ("scp",) and len(args) == 2:
        return ("deploy@203.0.113.7:/backups/nightly.dump", "./restore/") if ":" in args[0] else ("./nightly.dump", "deploy@203.0.113.7:/backups/")
    if words[0] in _REGISTRY and args:
        names = _PACKAGE_NAMES[_REGISTRY[words[0]]]
        return tuple(sorted(names[n % len(names)] for n in range(len(args))))
    if words == ("pg_dump",) and args:
        return ("inventory",)
    return args


# --- rendering a meaning as a command line ---------------------------------------------------


def render(command: _Command, *, long: bool = False, reverse: bool = False, cluster: bool = False,
           quote: str = "") -> str:
    """A command line with this meaning: short or long option spellings, options in order or
    reversed, flags clustered (`-czv`) or apart, arguments in double quotes or bare."""
    spec = TOOLS[command.words]
    parts: list[str] = []
    flags: list[str] = []
    keys = sorted(command.options, reverse=reverse)
    for key in keys:
        value = command.options[key]
        spelling = _spelling(spec, key, long)
        if value is True:
            flags.append(spelling)
            continue
        values = value if isinstance(value, tuple) else (value,)
        for one in values:
            shown = _quoted(_value_spelling(spec, key, one), quote)
            parts += [f"{spelling}={shown}"] if spelling.startswith("--") else [spelling, shown]
    if cluster and flags and all(len(f) == 2 for f in flags):
        flags = ["-" + "".join(f[1] for f in flags)]
    arguments = [_quoted(a, quote) for a in command.args]
    return " ".join([*command.words, *flags, *parts, *arguments])


def _quoted(word: str, quote: str) -> str:
    """`word` in the quotes asked for (the shell removes them), else quoted only where needed."""
    return f"{quote}{word}{quote}" if quote and quote not in word else shlex.quote(word)


def _spelling(spec: dict, key: str, long: bool) -> str:
    spellings = [s for s, (k, _) in spec["options"].items() if k == key]
    longs = [s for s in spellings if s.startswith("--")]
    shorts = [s for s in spellings if not s.startswith("--")]
    return (longs or shorts)[0] if long else (shorts or longs)[0]


def _value_spelling(spec: dict, key: str, value: str) -> str:
    """The shortest spelling of a value the tool accepts (`c` for the custom format)."""
    spellings = [s for s, v in spec["values"].get(key, {}).items() if v == value]
    return min(spellings, key=len) if spellings else value


# --- the exercise ----------------------------------------------------------------------------

_CHECK = '''\
{parser}
_TOOLS = {tools!r}
assert command is not ..., "Replace the ... with your command, as a string."
_got = _meaning(command, _TOOLS)
assert not isinstance(_got, str), f"Not yet: {{_got}}."
_words, _options, _args = _got
_digest = lambda value: __import__("hashlib").sha256(repr(value).encode()).hexdigest()[:16]
assert _digest(_words) == {words!r}, "Not yet: it is not the program and subcommand the task asks for."
_expected = {expected!r}
_says = {says!r}
for _key in _expected:
    assert _key in _options, f"Not yet: your command does not say this part of the task: {{_says[_key]}}."
    assert _digest(_options[_key]) == _expected[_key], f"Not yet: check the value for this part of the task: {{_says[_key]}}."
for _key in _options:
    assert _key in _expected, f"Not yet: your command does more than the task asks ({{_says.get(_key, _key)}})."
assert _digest(_args) == {args!r}, "Not yet: check the arguments (what it works on{order})."
print("✅ Right: that command does exactly what the task asks.")
'''


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def _task(template: str, value: object) -> str:
    """A part of the task in words, with the tutorial's values as code spans (one holds any
    backtick in a value: the template's own `{v}` would not)."""
    if isinstance(value, tuple):
        shown = ", ".join(code_span(str(v)) for v in value)
    else:
        shown = code_span(str(value)) if "`{v}`" in template else escape(str(value))
    return template.replace("`{v}`", "{v}").format(v=shown)


def _exercise(doc: Document, index: int, command: _Command) -> Exercise | None:
    spec = TOOLS[command.words]
    says = spec["says"]
    tasks = [_task(says["args"], tuple(command.args))] if command.args else []
    for key in sorted(command.options):
        tasks.append(_task(says[key], command.options[key]))
    if command.args and command.words[0] not in _REGISTRY:
        tasks.append(tasks.pop(0))  # "... of `/srv/app/data`": what it works on reads best last
    prompt = (
        f"{_WHAT[command.words]} {'; '.join(tasks)}.\n\n"
        "Set `command` to the command line, as a string. Any spelling the tool accepts is fine: short or long "
        "options, in any order. Nothing is run: the check reads what your command means."
    )
    task_says = {key: says[key].format(v="…") for key in spec["says"] if key != "args"}
    check = _CHECK.format(
        parser=PARSER, tools={k: v for k, v in TOOLS.items() if k[0] == command.words[0]} | {command.words: spec},
        words=_digest(command.words), expected={k: _digest(v) for k, v in command.options.items()},
        says=task_says, args=_digest(command.args), order=", in order" if spec["ordered"] else "",
    )
    solution = render(command)
    styles = (render(command, long=True, reverse=True), render(command, cluster=True, reverse=True),
              render(command, reverse=True), render(command, quote='"'), render(command, quote="'"))
    right = tuple(dict.fromkeys(v for v in styles if v != solution))[:2]
    wrong = _wrong_answers(command)
    if len(right) < 2 or len(wrong) < 3:
        return None
    return Exercise(
        kind="command", title=f"Write the `{' '.join(command.words)}` command", prompt=prompt,
        starter="command = ...  # the command line, as a string\n", solution=f"command = {solution!r}\n",
        check=check, section=section_of(doc, index),
        right=tuple(f"command = {r!r}\n" for r in right), wrong=tuple(f"command = {w!r}\n" for w in wrong),
    )


def _wrong_answers(command: _Command) -> list[str]:
    """Commands a learner might write: one part of the task left out, a value or the arguments
    wrong, one option too many."""
    spec = TOOLS[command.words]
    wrong = []
    for key in sorted(command.options):
        fewer = {k: v for k, v in command.options.items() if k != key}
        wrong.append(render(_Command(command.words, fewer, command.args)))
        break
    if "format" in command.options:
        other = "plain" if command.options["format"] != "plain" else "custom"
        wrong.append(render(_Command(command.words, {**command.options, "format": other}, command.args)))
    if len(command.args) >= 2 and spec["ordered"]:
        wrong.append(render(_Command(command.words, command.options, tuple(reversed(command.args)))))
    elif command.args:
        wrong.append(render(_Command(command.words, command.options, command.args[:-1] or ("other",))))
    unused = [s for s, (k, takes) in spec["options"].items() if not takes and k not in command.options and not s.startswith("--")]
    if unused:
        key = spec["options"][unused[0]][0]
        wrong.append(render(_Command(command.words, {**command.options, key: True}, command.args)))
    if len(command.words) > 1:  # the subcommand left out: `uv requests` for `uv pip install requests`
        wrong.append(" ".join([command.words[0], *render(command).split()[len(command.words):]]))
    valued = [k for k, v in command.options.items() if isinstance(v, str) and k != "format"]
    if valued:
        wrong.append(render(_Command(command.words, {**command.options, valued[0]: command.options[valued[0]] + "x"}, command.args)))
    return list(dict.fromkeys(w for w in wrong if w != render(command)))[:4]
