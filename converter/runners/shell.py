"""Shell blocks: run in the notebook's folder only when every command is harmless there.

An allowlist, not a blocklist: a command runs when its program only reads, prints
or changes files in the working folder (`echo`, `cat`, `mkdir`, `python app.py`,
`pytest`). Installs, `sudo`, deletions, the network, servers, absolute paths
outside the folder and Windows commands are shown with the reason.
A `$ ` prompt session is split into its commands; the lines after a command are
the output the tutorial shows (a claim `course check` compares).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping

from .verdict import Context, Verdict, run, skip

# Programs that read, print or touch files in the working folder only.
_HARMLESS = frozenset((
    "echo", "printf", "cat", "ls", "head", "tail", "wc", "grep", "egrep", "sort", "uniq", "cut", "tr",
    "sed", "awk", "mkdir", "touch", "cp", "mv", "pwd", "date", "test", "[", "true", "false", "seq",
    "basename", "dirname", "find", "diff", "base64", "sha256sum", "md5sum", "tee", "expr", "rev",
    "cd", "export", "set", "read", "printenv", "env", "which", "type", "nl", "paste", "fold", "column",
    "python", "python3", "pytest", "node", "ruby", "tar", "gzip", "gunzip", "zip", "unzip", "file",
    "stat", "du", "xargs", "jq", "sleep", "wait", "exit", "return", "local", "shift", "source",
    "for", "do", "done", "while", "until", "if", "then", "else", "elif", "fi", "case", "esac", "in",
    "function", "{", "}", "(", ")", "break", "continue", "let", "declare", "readonly", "unset",
    "chmod", "ln", "rm", "rmdir", "sqlite3", "bash", "sh", "time", "yes", "id", "whoami", "uname",
))
_INSTALLERS = frozenset(("pip", "pip3", "pipx", "npm", "pnpm", "yarn", "npx", "bun", "apt", "apt-get", "yum", "dnf",
                         "brew", "gem", "bundle", "cargo", "uv", "uvx", "poetry", "conda", "choco", "winget",
                         "snap", "go", "composer", "rails", "django-admin", "nvm", "pyenv", "corepack"))
_NETWORK = frozenset(("curl", "wget", "ssh", "scp", "rsync", "git", "ping", "nc", "telnet", "ftp", "http", "dig",
                      "nslookup", "aws", "gcloud", "az", "kubectl", "helm", "terraform", "heroku", "vercel"))
_SERVICES = frozenset(("docker", "docker-compose", "podman", "systemctl", "service", "psql", "mysql", "pg_dump",
                       "pg_restore", "mysqldump", "redis-cli", "redis-server", "mongo", "mongosh", "nginx",
                       "uvicorn", "gunicorn", "flask", "celery", "jenkins", "supervisorctl"))
_ADMIN = frozenset(("sudo", "su", "doas", "shutdown", "reboot", "mount", "umount", "mkfs", "dd", "chown", "kill",
                    "killall", "pkill", "useradd", "passwd", "iptables", "ufw", "visudo", "crontab"))
_WINDOWS = re.compile(r"\\Scripts\\|\.(bat|ps1|exe)\b|^\s*(powershell|cmd|set [A-Z_]+=|\$env:)", re.I | re.M)
_PROMPT = re.compile(r"^(?:\([\w.-]+\)\s*)?(?:[\w@.-]+(?::[~\w/.-]*)?)?\$ ")
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")


def split_session(code: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A `$ ` prompt session as (commands, [(command, shown output)]); None when the block has no prompts."""
    lines = code.splitlines()
    if not any(_PROMPT.match(line) for line in lines):
        return None
    pairs: list[tuple[str, list[str]]] = []
    for line in lines:
        match = _PROMPT.match(line)
        if match:
            pairs.append((line[match.end():], []))
        elif pairs and line.startswith(("> ", "  ")) and pairs[-1][0].rstrip().endswith("\\"):
            pairs[-1] = (pairs[-1][0] + "\n" + line.lstrip("> "), pairs[-1][1])
        elif pairs:
            pairs[-1][1].append(line)
        else:
            return None  # output before any prompt: not a session
    commands = "\n".join(command for command, _ in pairs)
    return commands, [(command, "\n".join(out).strip("\n")) for command, out in pairs]


def judge(code: str, context: Context = Context()) -> Verdict:
    """Run the block with %%bash when every command in it is harmless in the notebook's folder
    (each shell cell starts afresh in that folder, like a new terminal: nothing to carry)."""
    session = split_session(code)
    commands = session[0] if session else code
    expected = "\n".join(out for _, out in session[1] if out) if session else ""
    if _WINDOWS.search(commands):
        return skip("Windows commands: run them in your own terminal on Windows", "shell")
    created = set(re.findall(r">>?\s*['\"]?([\w./-]+)", commands)) | set(re.findall(r"\btouch\s+([\w./ -]+)", commands))
    for words in _commands(commands):
        if _asks_own_server(words, context.ports):
            continue
        problem = _problem(words) or _missing_file(words, created | set(context.files)) or _starts_server(words, context.files)
        if problem:
            return skip(*problem)
    if not commands.strip():
        return skip("no command to run", "reading")
    return run(commands, expected=expected or None)


def _commands(code: str) -> list[list[str]]:
    """Each simple command's words (pipelines, `&&`, `;` and subshells split; comments dropped)."""
    text = re.sub(r"\\\n", " ", code)
    text = re.sub(r"<<-?\s*['\"]?(\w+)['\"]?.*?\n.*?^\s*\1\s*$", "", text, flags=re.S | re.M)  # here-documents
    out: list[list[str]] = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        inner = re.findall(r"\$\((.*?)\)|`(.*?)`", line)
        line = re.sub(r"\$\((.*?)\)|`(.*?)`", "SUBSTITUTION", line)
        for a, b in inner:
            out += _commands(a or b)
        try:
            lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|()<>")
            lexer.whitespace_split = True
            lexer.commenters = "#"
            tokens = list(lexer)
        except ValueError:
            tokens = line.split()
        words: list[str] = []
        redirect = False
        for token in [*tokens, ";"]:
            if token and set(token) <= set(";&|()"):
                while words and (_ASSIGNMENT.match(words[0]) or words[0] in ("!", "then", "do", "else", "time")):
                    words = words[1:]
                if words:
                    out.append(words)
                words = []
            elif token and set(token) <= set("<>"):
                redirect = True
            elif redirect:
                redirect = False  # the file a redirection names is not a command word
            else:
                words.append(token)
    return out


_LOCAL_URL = re.compile(r"^(?:https?://)?(?:localhost|127\.0\.0\.1):(\d+)(?:/\S*)?$")
_SERVER_CODE = re.compile(r"\b(app\.run|uvicorn\.run|serve_forever|run_forever)\(|\.listen\(")


def _asks_own_server(words: list[str], ports: frozenset[int]) -> bool:
    """`curl localhost:3000/todos` when a cell above started a server on port 3000."""
    program = words[0].rsplit("/", 1)[-1]
    urls = [m for w in words[1:] if (m := _LOCAL_URL.match(w))]
    return program in ("curl", "wget", "http") and bool(urls) and all(int(m.group(1)) in ports for m in urls)


def _starts_server(words: list[str], files: Mapping[str, str]) -> tuple[str, str] | None:
    """`python app.py` on a file a cell above wrote, when that file starts a server: it would never return."""
    for word in words[1:]:
        if word in files and _SERVER_CODE.search(files[word]):
            return f"`{word}` starts the tutorial's server, which runs until stopped: run it in your own terminal", "server"
    return None


def _missing_file(words: list[str], created: set[str]) -> tuple[str, str] | None:
    """A program or test run on a file this block does not write (each shell cell starts in the
    notebook's fresh folder, where only what the notebook writes exists)."""
    program = words[0].rsplit("/", 1)[-1]
    if program == "pytest" and not any(w.endswith(".py") and w in created for w in words[1:]):
        return "runs the tutorial's tests, which live in its project, not in this notebook", "fragment"
    if program in ("python", "python3", "node", "ruby", "bash", "sh") and len(words) > 1 and not words[1].startswith("-"):
        if words[1] not in created:
            return f"runs `{words[1]}`, a file of the tutorial's project that this notebook does not create", "fragment"
    return None


def _problem(words: list[str]) -> tuple[str, str] | None:
    program = words[0].rsplit("/", 1)[-1]
    if program in _ADMIN:
        return f"`{program}` changes the system, which the course never does", "side-effect"
    if program in _INSTALLERS or (program in ("python", "python3") and words[1:3] in (["-m", "pip"], ["-m", "venv"])):
        return f"installs or sets up with `{' '.join(words[:2])}`: run it in your own terminal", "install"
    if program in _NETWORK:
        return f"`{program}` needs the network or another machine", "network"
    if program in _SERVICES:
        return f"`{program}` needs a service (a server, Docker, cron) the course does not start", "service"
    if program not in _HARMLESS:
        return f"`{program}` is not a command the course runs (it may change your machine)", "shell"
    if program == "rm" and any(w.startswith("-") and "r" in w for w in words[1:]):
        return "deletes folders (`rm -r`): the course never deletes", "side-effect"
    if program == "source" and any("activate" in w for w in words[1:]):
        return "activates a virtual environment: a step for your own terminal", "install"
    for word in words[1:]:
        if re.match(r"^(/|~)", word) and not word.startswith(("/tmp", "/dev/null", "/dev/std")):
            return f"works on `{word}`, outside the notebook's folder", "side-effect"
    if program in ("python", "python3") and any(w.endswith("manage.py") for w in words[1:]) and "runserver" in words:
        return "starts a development server that never returns", "server"
    return None
