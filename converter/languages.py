"""Name the language of a code block.

`normalize` maps whatever a source declared (a CSS class, a fence info string)
to one canonical Pygments short name; `detect` trusts a plausible declaration
and otherwise reads the code itself.

Decisions (the names we emit in Markdown fences):

* Prompts (`$ cmd`) and shell sessions are "shell", like scripts: the writers
  and the runnability pass look at the code, not at a separate "console" name.
* Templates that contain HTML tags (Jinja/Django, `{{ url_for('x') }}` in an
  attribute) are "html"; template code without tags is "jinja".
* Crontab lines, directory trees, requirements.txt listings, logs, tracebacks
  and program output are "text": none of them is a program to run.
* Languages outside our table that Pygments knows (kotlin, swift, ...) keep
  Pygments' own short name; names nobody knows normalize to "" (undeclared).

Detection runs in three steps: exact formats first (a parse or an unmistakable
shape: JSON, trees, HTTP messages, diffs, Dockerfiles, markup, INI/TOML/YAML
files), then weighted regex signals per programming language, then Pygments
to break near ties (the candidate lexer that produces fewer Error tokens).
"""

from __future__ import annotations

import ast
import configparser
import json
import re
import tomllib
from functools import lru_cache

import pygments.lexer
import yaml
from pygments.lexers import get_lexer_by_name
from pygments.token import Error
from pygments.util import ClassNotFound

from . import compile_cache
from .needles import may_match, needle

# Declared name -> canonical name. Keys are lower case, prefixes already gone.
ALIASES: dict[str, str] = {
    **dict.fromkeys(("python", "py", "py3", "python3", "python2", "pycon", "ipython",
                     "ipython3", "pyi", "sage"), "python"),
    **dict.fromkeys(("javascript", "js", "jsx", "node", "nodejs", "mjs", "cjs",
                     "ecmascript", "react"), "javascript"),
    **dict.fromkeys(("typescript", "ts", "tsx", "mts", "cts"), "typescript"),
    **dict.fromkeys(("go", "golang"), "go"),
    **dict.fromkeys(("ruby", "rb", "rails", "erb-ruby", "irb", "gemfile"), "ruby"),
    **dict.fromkeys(("sql", "mysql", "postgresql", "postgres", "psql", "plpgsql", "pgsql",
                     "sqlite", "sqlite3", "tsql", "plsql", "mariadb", "sql-template"), "sql"),
    **dict.fromkeys(("shell", "sh", "bash", "zsh", "ksh", "fish", "console", "shell-session",
                     "shellsession", "terminal", "term", "cmd", "bat", "powershell", "ps1",
                     "pwsh", "command", "commandline", "cli", "sh-session", "bash-session"),
                    "shell"),
    **dict.fromkeys(("html", "html5", "htm", "xhtml", "html+jinja", "html+django",
                     "htmldjango", "vue", "svelte", "erb", "ejs", "handlebars", "hbs"), "html"),
    **dict.fromkeys(("xml", "svg", "rss", "atom", "xsd", "xsl", "xslt", "plist", "wsdl",
                     "pom", "csproj"), "xml"),
    **dict.fromkeys(("jinja", "jinja2", "j2", "django", "liquid", "nunjucks", "twig"), "jinja"),
    **dict.fromkeys(("css", "scss", "sass", "less", "stylus", "postcss"), "css"),
    **dict.fromkeys(("http", "https", "http-request", "http-response", "rest"), "http"),
    **dict.fromkeys(("json", "json5", "jsonc", "jsonl", "ndjson", "geojson", "javascript+json",
                     "json-object"), "json"),
    **dict.fromkeys(("toml", "pyproject"), "toml"),
    **dict.fromkeys(("yaml", "yml", "docker-compose", "compose", "k8s", "kubernetes"), "yaml"),
    **dict.fromkeys(("ini", "cfg", "conf", "config", "dosini", "cnf", "properties",
                     "systemd", "editorconfig", "gitconfig", "desktop"), "ini"),
    **dict.fromkeys(("dockerfile", "docker", "containerfile"), "dockerfile"),
    **dict.fromkeys(("diff", "patch", "udiff", "git-diff"), "diff"),
    **dict.fromkeys(("java",), "java"),
    **dict.fromkeys(("c", "h"), "c"),
    **dict.fromkeys(("cpp", "c++", "cxx", "cc", "hpp", "hxx"), "cpp"),
    **dict.fromkeys(("rust", "rs"), "rust"),
    **dict.fromkeys(("php", "php7", "php8"), "php"),
    **dict.fromkeys(("r", "rlang", "rscript", "splus"), "r"),
    **dict.fromkeys(("text", "plaintext", "plain", "none", "txt", "nohighlight", "no-highlight",
                     "output", "out", "log", "raw", "crontab", "cron", "tree", "requirements",
                     "pip-requirements", "csv", "ascii", "md-text"), "text"),
}

# Class prefixes that mark a language in HTML and fence info strings.
# nbconvert marks a cell's lexer as `hl-ipython3` (`div.highlight.hl-ipython3`).
_PREFIXES = ("language-", "lang-", "highlight-source-", "highlight-", "source-", "brush:", "hl-")
# Class names that say "code" but no language; never handed to Pygments.
_NOT_LANGUAGES = frozenset((
    "highlight", "hljs", "code", "sourcecode", "prettyprint", "linenums", "notranslate",
    "shiki", "chroma", "syntax", "codehilite", "snippet", "line-numbers", "wrap", "nowrap",
    "copy", "copyable", "block", "pre", "brush", "numberlines", "example",
))

# Declared/detected pairs that are both right for the same code.
_COMPATIBLE = frozenset((
    ("typescript", "javascript"), ("javascript", "typescript"),
    ("html", "jinja"), ("jinja", "html"), ("html", "xml"), ("xml", "html"),
    ("javascript", "json"), ("typescript", "json"), ("python", "json"), ("yaml", "json"),
    ("ini", "toml"), ("toml", "ini"), ("cpp", "c"), ("c", "cpp"),
))

# Weighted signals, matched against the code with multi-line strings emptied
# (so SQL inside a Python docstring counts for Python, not SQL) and comment
# words dropped (prose in `# ...` says nothing; the `#` marker does).
# (language, pattern, weight, flags); each rule counts once per block.
_M, _I = re.MULTILINE, re.IGNORECASE
_RULES: tuple[tuple[str, str, int, int], ...] = (
    # Python
    ("python", r"^\s*(async\s+)?def \w+\(.*\)\s*(->\s*[^:]+)?:\s*$", 5, _M),
    ("python", r"^\s*(from [\w.]+ import \S|import [\w.]+(\s+as \w+)?(, [\w.]+)*\s*$)", 3, _M),
    ("python", r"^\s*class \w+(\(.*\))?:\s*$", 5, _M),
    ("python", r"\bprint\(", 2, 0),
    ("python", r"\bself\.", 1, 0),
    ("python", r"\b(elif|None|True|False|nonlocal)\b", 2, 0),
    ("python", r"\bf(\"|')[^\"'\n]*\{", 2, 0),
    ("python", r"^\s*(if|for|while|with|try|else|elif|finally|except)\b[^{;]*:\s*(#.*)?$", 3, _M),
    ("python", r"^\s*except\b|^\s*raise \w+", 3, _M),
    ("python", r"\blambda\b[^:\n]*:", 2, 0),
    ("python", r"__\w+__", 2, 0),
    ("python", r"\[[^\]\n]* for \w+(, \w+)* in [^\]\n]*\]", 3, 0),
    ("python", r"\b(range|isinstance|enumerate|sorted|zip|len)\([^)\n]*\)(?!\s*\{)", 1, 0),
    ("python", r"\b(range|isinstance|enumerate|sorted)\(", 1, 0),
    ("python", r"\"\"\"|'''", 3, 0),
    ("python", r"^[A-Z_][A-Z0-9_]* = [\[{(\"'\dTFN]", 2, _M),  # module constants
    ("python", r"\.(append|items|keys|get|split|join|strip)\(", 1, 0),
    ("python", r"[(,]\s*[a-z_]\w*=[^=\s]", 2, 0),  # keyword arguments
    ("python", r"^\s*@[\w.]+(\(.*\))?\s*$", 1, _M),
    ("python", r"\b(await|async with|async for)\b", 1, 0),
    # JavaScript (TypeScript inherits these; see _score)
    ("javascript", r"^\s*(export\s+)?(const|let|var)\s+[\w{}\[\], ]+\s*=", 3, _M),
    ("javascript", r"\)\s*=>|\b\w+\s*=>\s*[{(\w]", 2, 0),
    ("javascript", r"\brequire\(['\"]", 3, 0),
    ("javascript", r"\bconsole\.(log|error|warn|info|table)\(", 4, 0),
    ("javascript", r"^\s*(export\s+)?(default\s+)?(async\s+)?function\*?\s*\w*\s*\(", 3, _M),
    ("javascript", r"\bmodule\.exports\b|\bexports\.\w+\s*=", 4, 0),
    ("javascript", r"===|!==", 2, 0),
    ("javascript", r"\b(document|window|localStorage|navigator)\.", 2, 0),
    ("javascript", r"^\s*import\s+.*\bfrom\s+['\"]|^\s*import\s+['\"]", 2, _M),
    ("javascript", r"^\s*export\s+(default|const|function|class|async|\{)", 2, _M),
    ("javascript", r"^\s*\}\)+;?\s*$|\}, \[.*\]\);", 1, _M),
    ("javascript", r"\.(then|catch|addEventListener|forEach|querySelector\w*)\(", 2, 0),
    ("javascript", r"\?\?|\?\.\w|\|\|=", 1, 0),
    ("javascript", r"\bthis\.\w+", 1, 0),
    ("javascript", r"\bconstructor\s*\(", 2, 0),
    ("javascript", r"\bnew [A-Z]\w*\(", 1, 0),
    ("javascript", r"\bawait\s+\w+", 1, 0),
    ("javascript", r"^\s*//", 1, _M),  # the commonest language with // comments in tutorials
    # JSX: a function returning markup, or markup holding `{expression}`; HTML has neither.
    ("javascript", r"\breturn\s+\(?\s*<[A-Za-z]|=>\s*\(?\s*<[A-Za-z]|<\w+[^<>]*>[^<>]*\{\w[\w.]*\}", 4, 0),
    # TypeScript-only
    ("typescript", r"^\s*(export\s+)?(declare\s+)?(interface|type)\s+\w+(<.*>)?\s*(=|\{|extends)", 5, _M),
    ("typescript", r"[\w)\]]\??:\s*(string|number|boolean|any|void|unknown|never|bigint)\b", 5, 0),
    ("typescript", r"\b(private|public|protected|readonly)\s+\w+\s*[:(=]", 3, 0),
    ("typescript", r"\):\s*[A-Za-z][\w.<>\[\]| ]*\s*(\{|=>)|\bfunction \w+<[^>]+>\(|:\s*Promise<|<typeof\b", 3, 0),
    ("typescript", r"\bas const\b|\bsatisfies\b|^\s*import type\b|\benum \w+ \{|\bimplements\b", 3, _M),
    ("typescript", r"\b\w+<[A-Z][\w\[\]]*(, ?\w+)*>\(", 2, 0),
    ("typescript", r"<(string|number|boolean)(\[\])?(,\s*\w+(\[\])?)*>", 3, 0),  # generics over primitives
    ("typescript", r"\(\s*\w+\??:\s*[A-Z]\w*(\[\])?(<[^>]*>)?\s*[,)=]", 2, 0),
    ("typescript", r"\bfrom ['\"]zod['\"]|\bz\.infer<", 3, 0),
    # Go
    ("go", r"^package \w+\s*$", 6, _M),
    ("go", r"^\s*func\s+(\([^)]*\)\s*)?\w+\(", 6, _M),
    ("go", r":=", 3, 0),
    ("go", r"\bfmt\.\w+\(", 5, 0),
    ("go", r"\bchan\b|<-\s*\w|\w\s*<-", 3, 0),
    ("go", r"\bgo func\b|\bfunc\(", 4, 0),
    ("go", r"\berr != nil\b", 5, 0),
    ("go", r"^\s*defer ", 3, _M),
    ("go", r"\bmake\((map|\[\]|chan)", 4, 0),
    ("go", r"^\s*type \w+ (struct|interface)\s*\{", 6, _M),
    ("go", r"^import \(\s*$|^import \"", 4, _M),
    ("go", r"\*(\w+\.)?[A-Z]\w*\b[,)]", 1, 0),
    ("go", r"\b(context|time|sync|log|http|json|os|strings)\.[A-Z]\w*", 2, 0),
    ("go", r"\[\](string|int|byte|float64)\b|\bmap\[\w+\]", 3, 0),
    # Ruby
    ("ruby", r"^\s*end\s*$", 3, _M),
    ("ruby", r"^\s*def (self\.)?\w+[?!]?(\(.*\))?\s*$", 4, _M),
    ("ruby", r"\bdo\s*\|[^|\n]*\||\w\s+do\s*$", 4, _M),
    ("ruby", r"^\s*puts\b|\bputs [\"'#@\w]", 4, _M),
    ("ruby", r"\battr_(accessor|reader|writer)\b", 5, 0),
    ("ruby", r"(^|[\s(,&]):[a-z_]\w*[?!]?", 2, _M),
    ("ruby", r"^\s*class \w+ < [\w:]+", 5, _M),
    ("ruby", r"#\{[^}\n]*\}", 3, 0),
    ("ruby", r"^\s*(require|require_relative|gem) [\"']", 4, _M),
    ("ruby", r"\b(unless|elsif)\b", 3, 0),
    ("ruby", r"^\s*@\w+\s*(\+|-|\|\|)?=", 2, _M),
    ("ruby", r"\{\s*\|\w+(,\s*\w+)*\|", 4, 0),
    ("ruby", r"^\s*rescue\b|^\s*begin\s*$", 3, _M),
    ("ruby", r"^\s*module [A-Z]\w*(::\w+)*\s*$", 3, _M),
    ("ruby", r"\b\w+\.(each|map|select|reject|each_pair|each_with_index)\b\s*(\{|do\b|\(&)", 3, 0),
    ("ruby", r"\(\w+: (\"|'|\d|true\b|false\b|nil\b|:\w)", 2, 0),  # keyword arguments
    ("ruby", r"\bRails\.|ActiveRecord::|ApplicationRecord\b|\w+::\w+", 1, 0),
    # SQL
    ("sql", r"^\s*(select\s+([\w*(]|distinct)|insert\s+into|update\s+\w+\s+set\b|delete\s+from"
            r"|create\s+(or\s+replace\s+|unique\s+)?(table|index|view|database|schema|function"
            r"|trigger|extension)|alter\s+(table|user|database)|drop\s+(table|index|database|view)"
            r"|explain\b|show\s+(variables|tables|databases|status|index|create)|grant\s+"
            r"|set\s+(global|session)\s|with\s+\w+\s+as\s*\(|truncate\s+table)", 5, _M | _I),
    ("sql", r"\b(FROM|JOIN|WHERE|GROUP BY|ORDER BY|LIMIT|VALUES|PRIMARY KEY|NOT NULL|VARCHAR"
            r"|INTEGER|SERIAL|REFERENCES|DEFAULT|IF EXISTS)\b", 2, 0),
    ("sql", r"^\s*--\s", 1, _M),
    ("sql", r"^\s*(BEGIN|COMMIT|ROLLBACK|START TRANSACTION);", 3, _M | _I),
    ("sql", r"\$\$ LANGUAGE", 3, 0),
    # Shell
    ("shell", r"^\s*\$ \S", 5, _M),
    ("shell", r"^#!\s*/(usr/)?bin/(env )?(ba|z|k)?sh\b", 8, _M),
    ("shell", r"^\s*(fi|done|esac)\s*$|;\s*(then|do)\s*$", 4, _M),
    ("shell", r"\$\{?[A-Za-z_]\w*\}?|\$\(", 1, 0),
    ("shell", r"(&&|\|\|)\s*\w|2>&1|\s>>?\s*[\w/.~]|\s\|\s*\w", 1, 0),
    ("shell", r"\s--?[a-zA-Z][\w-]*", 1, 0),
    # HTML fragments that do not start the block (markup that does is an exact format)
    ("html", r"<(div|span|p|a|ul|ol|li|button|form|input|img|table|tr|td|h[1-6]|section|nav"
             r"|main|header|footer|head|body|script|link|meta|label|select|option|textarea)\b[^>]*>", 3, 0),
    ("html", r"</(div|span|p|a|ul|li|button|form|table|section|nav|main|body|html|script)>", 2, 0),
    # CSS
    ("css", r"^\s*[.#:@]?[\w\-\[\]=\"'.:#>~+ ,*()]+\s*\{\s*$", 2, _M),
    ("css", r"^\s*(--)?[a-z-]+\s*:\s*[^;{}\n]+;\s*$", 2, _M),
    ("css", r"^\s*@(media|import|keyframes|font-face|supports)\b", 5, _M),
    ("css", r"^\s*[^{}();\n]+\{\s*(--)?[a-z-]+\s*:\s*[^;{}\n]+;", 3, _M),  # one-line rule set
    ("css", r"\b\d+(\.\d+)?(px|rem|em|vh|vw|ms)\b|#[0-9a-fA-F]{3,6}\b|\brgba?\(", 2, 0),
    ("css", r":(hover|focus|root|active|nth-child|first-child|last-child)\b|::(before|after)", 4, 0),
    ("css", r"\bvar\(--[\w-]+\)", 4, 0),
    # Java
    ("java", r"\b(public|private|protected)\s+(static\s+)?(final\s+)?[\w<>\[\], ]+\s+\w+\s*\(", 5, 0),
    ("java", r"\bSystem\.(out|err)\.print", 8, 0),
    ("java", r"^\s*(public\s+)?(final\s+|abstract\s+)?class \w+( extends \w+)?( implements [\w, ]+)?\s*\{", 2, _M),
    ("java", r"@(Override|Autowired|RestController|Service|Entity|\w+Mapping|PathVariable)\b", 3, 0),
    ("java", r"\b(String|Integer|Long|Double|Boolean|List<\w+>|Map<[\w, ]+>)(\[\])?\s+\w+\s*[=;,)]", 3, 0),
    ("java", r"^\s*import (static )?[\w.]+(\.\*)?;", 4, _M),
    ("java", r"\w::\w+\)", 2, 0),
    # A generic type before a variable name (`Stream<String> lines =`): typed declarations
    # JavaScript has not; try-with-resources; `x -> ...` lambdas (JavaScript's arrow is `=>`).
    ("java", r"\b[A-Z]\w*<[\w<>, ?]+>\s+\w+\s*[=;,)]", 3, 0),
    ("java", r"\btry\s*\(", 3, 0),
    ("java", r"\(\s*[a-z]\w*\s+->\s+[!a-z(]", 2, 0),
    # C, C++, Rust, PHP: enough to not call them something else
    ("c", r"^#include\s*[<\"]", 6, _M),
    ("c", r"\b(printf|malloc|free|sizeof)\(|\bint main\(", 3, 0),
    ("cpp", r"\bstd::|\bcout\s*<<|\btemplate\s*<|#include <(iostream|vector|string|map)>", 8, 0),
    ("rust", r"\bfn \w+\(|\blet mut\b|\bprintln!\(|\bimpl\b|\buse (std|crate)::", 5, 0),
    ("php", r"<\?php|\$this->|\becho \$", 8, 0),
)
_COMPILED = tuple((lang, re.compile(pattern, flags), weight, needle(pattern, flags))
                  for lang, pattern, weight, flags in _RULES)

# Commands that start shell lines (after an optional `$ ` prompt or sudo).
_COMMANDS = (
    "pip", "pip3", "pipx", "npm", "npx", "yarn", "pnpm", "bun", "deno", "cd", "mkdir", "ls",
    "cp", "mv", "rm", "cat", "echo", "git", "docker", "docker-compose", "podman", "curl", "wget",
    "export", "source", "apt", "apt-get", "brew", "dnf", "yum", "chmod", "chown", "python",
    "python3", "py", "node", "uv", "uvx", "poetry", "pipenv", "conda", "pg_dump", "pg_restore",
    "psql", "mysql", "mysqldump", "createdb", "crontab", "kubectl", "helm", "minikube", "go",
    "cargo", "rustup", "make", "ssh", "scp", "rsync", "tar", "systemctl", "service", "touch",
    "grep", "find", "gunicorn", "uvicorn", "django-admin", "bundle", "gem install", "rails", "rake",
    "flask", "terraform", "aws", "gcloud", "az", "heroku", "vercel", "netlify", "openssl",
    "which", "nano", "vim", "tail", "less", "kill", "ps", "ln", "unzip", "redis-cli",
    "redis-server", "mongosh", "alembic", "pytest", "ruff", "black", "mypy", "tox", "nox",
    "ollama", "nvm", "sed", "awk", "sort", "wc", "xargs", "env", "set", "unset", "alias",
    "ngrok", "http", "jq", "htop", "top", "df", "du", "free", "ping", "dig", "nslookup",
    "ufw", "nginx", "certbot", "sudo", "su", "java", "javac", "mvn", "gradle", "dotnet",
    "composer", "php", "ruby", "irb", "rspec", "jupyter", "streamlit", "celery", "locust", "ab",
    "wrk", "k6", "hey", "time", "watch", "nohup", "bash", "sh", "zsh", "tsc", "tsx", "ts-node",
    "vite", "ng", "expo", "firebase", "supabase", "prisma", "wrangler", "gh", "ssh-keygen",
)
_COMMAND_LINE = re.compile(
    r"^\s*(\$\s+)?(sudo\s+)?(" + "|".join(map(re.escape, _COMMANDS)) + r"|\./[\w./-]+|~/[\w./-]+)"
    r"(?=\s+[^\s=(.:]|\s*$|\s+\.)(?!\s+(const|let|var|default|function|class|async|type|interface)\b)",
    re.MULTILINE)

# Exact formats.
_TREE = re.compile(r"[├└│]|^\s*[|`]--")
_PATH_ENTRY = re.compile(r"^\s*/?[\w.@-]+(/[\w.@-]+)*/?\s*(#.*)?$")
# A line shaped like code: a call, attribute access, assignment, index or statement end.
_CODE_SHAPE = re.compile(r"[\w\])'\"]\s*[(.=\[;]|\w\s*[*/%]\s*[\w(]")
_HTTP_START = re.compile(
    r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|CONNECT|TRACE) (/\S*|https?://\S+)( HTTP/[\d.]+)?\s*$"
    r"|^HTTP/[\d.]+ \d{3}\b")
_HEADER = re.compile(r"^[A-Za-z][\w-]*: .+$")
_DIFF = re.compile(r"^(diff --git |@@ -\d+(,\d+)? \+\d+(,\d+)? @@|--- \S+\n\+\+\+ \S+)", re.MULTILINE)
_DOCKER_INSTRUCTION = re.compile(
    r"^(FROM|RUN|COPY|ADD|WORKDIR|CMD|ENTRYPOINT|ENV|ARG|EXPOSE|USER|VOLUME|LABEL|HEALTHCHECK"
    r"|SHELL|STOPSIGNAL|ONBUILD)\s")
_CRON = re.compile(r"^(@(reboot|yearly|annually|monthly|weekly|daily|hourly)|([\d*/,-]+\s+){5})\S")
_REQUIREMENT = re.compile(r"^[A-Za-z][\w.-]*(\[[\w,.-]+\])?\s*((==|>=|<=|~=|!=|>|<)\s*[\w.*]+,?)*\s*(;.*)?$")
_PINNED = re.compile(r"(==|>=|<=|~=)\s*\d")
_LOG_LINE = re.compile(r"^\[?\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|^\[?\d{2}:\d{2}:\d{2}[\].,\s]")
_TRACEBACK = re.compile(r"^Traceback \(most recent call last\):", re.MULTILINE)
_PYCON = re.compile(r"^>>> ", re.MULTILINE)
# TOML's typed values (strings, arrays, inline tables) or nested tables; bare
# `key=value` lines under `[section]` are INI even though TOML would accept them.
_TOML_TYPED = re.compile(r"=\s*[\"'\[{]|^\s*\[\[|^\s*\[[\w-]+\.[\w.-]+\]", re.MULTILINE)
_SECTION = re.compile(r"^\s*\[\[?[\w.\-: \"]+\]\]?\s*$")
_INI_KEY = re.compile(r"^\s*[\w.\-]+\s*[=:]\s*.*$|^\s*[\w.\-]+\s*$")
_YAML_LINE = re.compile(r"^\s*(- )*([\w.\-/]+|\"[^\"]*\"|'[^']*'):(\s|$)|^\s*- \S|^\s*(---|\.\.\.)\s*$")
_TAG = re.compile(r"<(/?)([A-Za-z][\w:.-]*)")
_TEMPLATE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_HTML_TAGS = frozenset((
    "html", "head", "body", "div", "span", "p", "a", "ul", "ol", "li", "button", "form", "input",
    "img", "table", "tr", "td", "th", "thead", "tbody", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "nav", "main", "header", "footer", "article", "aside", "script", "style", "link",
    "meta", "title", "label", "select", "option", "textarea", "br", "hr", "strong", "em", "pre",
    "code", "iframe", "video", "audio", "canvas", "svg", "template", "slot", "details", "summary",
    "dialog", "small", "b", "i", "blockquote", "figure", "figcaption", "picture", "source",
))
# Strings that may span lines: triple-quoted, backtick templates.
_LONG_STRING = re.compile(r"(\"\"\"|''')[\s\S]*?\1|`[^`]*\n[^`]*`")
_COMMENT = re.compile(r"^\s*(#|//|--|;|<!--)")
# A comment line's words say nothing about its language; its marker does.
_COMMENT_TEXT = re.compile(
    r"^(\s*(#(?!!|include\b|define\b|ifn?def\b|endif\b|pragma\b)|//|--(?=\s)))[^\n]*", re.MULTILINE)

# Formats have no scoring rules; this is the least sign that a declared one fits.
_FITS: dict[str, re.Pattern[str]] = {
    lang: re.compile(pattern, re.MULTILINE) for lang, pattern in (
        ("json", r"^\s*[\[{\"]"),
        ("yaml", r"^\s*(- )?[\w.\-\"']+:(\s|$)|^\s*- "),
        ("toml", r"^\s*\[|^\s*[\w.\-\"]+\s*="),
        ("ini", r"^\s*\[|^\s*[\w.\-]+\s*[=:]"),
        ("http", r"^\s*([A-Z]+ /|HTTP/|[\w-]+: )"),
        ("dockerfile", r"^(FROM|RUN|COPY|ADD|WORKDIR|CMD|ENTRYPOINT|ENV|ARG|EXPOSE|USER)\s"),
        ("diff", r"^[-+@]"),
        ("xml", r"<\w"), ("html", r"<\w|\{[{%]"), ("jinja", r"\{[{%]"),
    )
}
_SCORED = frozenset(lang for lang, *_ in _RULES) | {"shell"}
# Long blocks are scored on their beginning: enough to tell, and regexes stay fast.
_SAMPLE_CHARS = 6000

# Below this score a block is not recognisably code: text.
_MIN_SCORE = 2
# Near ties within this margin go to Pygments.
_TIE_MARGIN = 2
# Scored languages -> Pygments lexer names for tie-breaking.
_LEXERS = {"shell": "bash"}


def normalize(name: str) -> str:
    """Map a declared language (CSS classes, fence info string) to a canonical name, "" if unknown."""
    text = name.strip().lower().replace("brush:", " ").strip("{}")
    for token in re.split(r"[\s,;{}]+", text):
        token = token.lstrip(".").split(":", 1)[0].split("[", 1)[0]  # python:app.py (Qiita, Zenn), python[app.py]
        for prefix in _PREFIXES:
            if token.startswith(prefix) and len(token) > len(prefix):
                token = token[len(prefix):]
                break
        found = _canonical(token)
        if found:
            return found
    return ""


@lru_cache(maxsize=512)
def _canonical(token: str) -> str:
    """One token to a canonical name: our table, then any name Pygments knows."""
    if not token or token in _NOT_LANGUAGES:
        return ""
    if token in ALIASES:
        return ALIASES[token]
    try:
        lexer = get_lexer_by_name(token)
    except ClassNotFound:
        return ""
    short = lexer.aliases[0] if lexer.aliases else ""
    return ALIASES.get(short, short)


def detect(code: str, declared: str = "", *, context: str = "") -> str:
    """The language of a code block; a declaration wins over the content.

    * Undeclared: the content decides. `context` is the tutorial's main
      language: a block too short to tell on its own (`url_for('login')`,
      `article.destroy`) takes it when it lexes cleanly as that language and
      looks like code.
    * Declared plain text or output (`text`, `plaintext`, `output`, `none`,
      `nohighlight`...): text, whatever it looks like. Program output, logs
      and prose often read like code, and nothing the author marked as
      something to read may become something to run.
    * Declared as a language: that language, unless the content is *certainly*
      something else (`_certainly`: a shebang, a `$ ` prompt on every line,
      a `>>>` transcript, a parse as JSON, a drawn tree...) and the declared
      language does not fit it at all.
    """
    stated = normalize(declared)
    if stated == "text":
        return "text"
    if not stated:
        found, strength = _detect_content(code)
        if found == "text" and strength == 0 and context and _plausible_in(code, context):
            return context
        return found
    certain = _certainly(code)
    if not certain or certain == stated or (stated, certain) in _COMPATIBLE:
        return stated
    return stated if _fits_certainly(code, stated) else certain


# Shapes no other language has: a shebang names its interpreter; a prompt on
# every line is a shell session; `>>>` lines are Python's interactive prompt.
_SHEBANG = re.compile(r"\A#!\s*(?:/usr)?/bin/(?:env\s+)?(\w+)")
_INTERPRETERS = {"sh": "shell", "bash": "shell", "zsh": "shell", "ksh": "shell", "python": "python",
                 "python3": "python", "node": "javascript", "ruby": "ruby"}
_PROMPT_LINE = re.compile(r"^\s*\$ \S")
_GO_PACKAGE = re.compile(r"^package \w+\s*$(?=[\s\S]*^\s*func\b)", re.MULTILINE)
# Exact formats that are certain (a parse or a shape no program has); YAML, INI,
# TOML and markup are left out: annotated Python, templates and configs in code read as them.
_CERTAIN_FORMATS = frozenset(("json", "http", "diff", "dockerfile", "text", "python"))


def _certainly(code: str) -> str:
    """A language the content certainly is, whatever was declared; "" when not certain."""
    stripped = code.strip()
    if not stripped:
        return ""
    shebang = _SHEBANG.match(stripped)
    if shebang:
        name = shebang.group(1)
        return _INTERPRETERS.get(name) or _INTERPRETERS.get(name.rstrip("0123456789"), "")
    lines = _significant(code)
    if lines and all(_PROMPT_LINE.match(line) for line in lines):
        return "shell"
    if lines and all(_COMMAND_LINE.match(line) for line in lines):
        return "shell"  # `pip install flask` under a python fence
    if _GO_PACKAGE.search(code):
        return "go"
    exact = _exact_format(code)
    if exact == "text" and _TRACEBACK.search(code) and not stripped.startswith("Traceback"):
        return ""  # code, then the traceback it ends with: still the declared language
    return exact if exact in _CERTAIN_FORMATS else ""


def _fits_certainly(code: str, lang: str) -> bool:
    """Whether declared `lang` still holds against certain content: it shows a sign of the
    language (code followed by its traceback is still Python), or it parses as Python."""
    if _fits(code, lang):
        return True
    if lang == "python":
        try:
            ast.parse(code)
        except (SyntaxError, ValueError):
            return False
        return True
    return False


def _plausible_in(code: str, lang: str) -> bool:
    """Short code with no signals of its own that reads as `lang` without errors."""
    lines = _significant(code)
    lexer = pygments_lexer(lang)
    if not lines or lexer is None or not all(_CODE_SHAPE.search(line) for line in lines):
        return False
    return not any(token in Error for token, _ in lexer.get_tokens(code))


def _fits(code: str, lang: str) -> bool:
    """Whether the code shows any sign of the language (a fragment of it counts)."""
    if lang in _FITS:
        return bool(_FITS[lang].search(code))
    if lang in _SCORED:
        return _score(code).get(lang, 0) > 0
    return True  # a language we have no rules for (kotlin, swift, ...): trust it


def _detect_content(code: str) -> tuple[str, float]:
    """Language and confidence from the code alone; exact formats are certain (100)."""
    exact = _exact_format(code)
    if exact:
        return exact, 100
    scores = _score(code)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] < _MIN_SCORE:
        return "text", 0
    best, top = ranked[0]
    close = [lang for lang, score in ranked if top - score < _TIE_MARGIN]
    if len(close) > 1:
        best = _fewest_errors(code, close)
    return best, top


def _significant(code: str) -> list[str]:
    """Non-blank lines that are not comments."""
    return [line for line in code.splitlines() if line.strip() and not _COMMENT.match(line)]


def _exact_format(code: str) -> str:
    """A language recognised by parsing or an unmistakable shape, else ""."""
    stripped = code.strip()
    lines = _significant(code)
    if not stripped:
        return "text"
    if _PYCON.search(code):
        return "python"  # a transcript, with the tracebacks it shows
    if _is_tree(lines) or _TRACEBACK.search(code):
        return "text"
    if _is_json(stripped):
        return "json"
    if _is_http(stripped):
        return "http"
    if _DIFF.search(code):
        return "diff"
    if lines and all(_CRON.match(line.strip()) for line in lines):
        return "text"  # crontab entries: a schedule, not a command to run now
    if _is_dockerfile(lines):
        return "dockerfile"
    markup = _markup(stripped)
    if markup:
        return markup
    if _is_requirements(lines) or (lines and all(_LOG_LINE.match(line) for line in lines)):
        return "text"
    return _config_format(stripped, lines)


def _is_tree(lines: list[str]) -> bool:
    """A directory tree: drawn with box characters (a stray `├──` inside code is not),
    or an indented listing of paths (`/app`, `    /routes.py  # comment`)."""
    drawn = sum(bool(_TREE.search(line)) for line in lines)
    if drawn > 0 and drawn * 2 >= len(lines):
        return True
    paths = [line.split("#", 1)[0] for line in lines if _PATH_ENTRY.match(line)]
    indents = {len(line) - len(line.lstrip()) for line in lines}
    return (len(lines) >= 3 and len(paths) == len(lines) and len(indents) >= 2
            and sum("/" in p for p in paths) * 2 >= len(paths))


def _is_json(text: str) -> bool:
    """An object or array that parses, tolerating // comments and trailing commas."""
    if text[0] not in "[{" or text[-1] not in "]}":
        return False
    for candidate in (text, re.sub(r",(\s*[}\]])", r"\1", re.sub(r"^\s*//.*$", "", text, flags=re.M))):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        return isinstance(value, (dict, list))
    return False


def _is_http(text: str) -> bool:
    """A request or status line, then headers (a lone request line with a version also counts)."""
    lines = text.splitlines()
    if not _HTTP_START.match(lines[0]):
        return False
    headers = [line for line in lines[1:] if line.strip()][:1]
    return "HTTP/" in lines[0] or bool(headers and _HEADER.match(headers[0]))


def _is_dockerfile(lines: list[str]) -> bool:
    """Starts with FROM (or ARG) and is made of Dockerfile instructions."""
    if not lines or not re.match(r"^(FROM|ARG)\s+\S", lines[0]):
        return False
    instructions = sum(bool(_DOCKER_INSTRUCTION.match(line)) for line in lines)
    continued = sum(line.startswith((" ", "\t")) for line in lines)
    return instructions >= 2 and instructions + continued == len(lines)


def _markup(text: str) -> str:
    """html, xml or jinja for blocks that are markup from the first line."""
    if text.startswith("<?xml"):
        return "xml"
    if re.match(r"<!doctype html|<html\b", text, re.I):
        return "html"
    tags = {name.lower() for _, name in _TAG.findall(_TEMPLATE.sub("", text))}
    starts_with_tag = bool(re.match(r"(<!--[\s\S]*?-->\s*)?<[A-Za-z]", text))
    if text.startswith("{%") or text.startswith("{{"):
        return "html" if tags & _HTML_TAGS else "jinja"
    if not starts_with_tag or not text.rstrip().endswith(">"):
        return ""
    return "html" if len(tags & _HTML_TAGS) * 2 >= len(tags) else "xml"


def _is_requirements(lines: list[str]) -> bool:
    """A requirements.txt listing: package names, at least one with a version pin."""
    return (len(lines) >= 2 and all(_REQUIREMENT.match(line.strip()) for line in lines)
            and any(_PINNED.search(line) for line in lines))


def _config_format(text: str, lines: list[str]) -> str:
    """toml, ini or yaml when the whole block is such a file, else ""."""
    sections = [line for line in lines if _SECTION.match(line)]
    if sections:
        try:
            if tomllib.loads(text) and _TOML_TYPED.search(text):
                return "toml"
        except tomllib.TOMLDecodeError:
            pass
        keys = [line for line in lines if _INI_KEY.match(line) and not _SECTION.match(line)]
        if keys and len(keys) + len(sections) == len(lines) and any("=" in k or ":" in k for k in keys):
            return "ini" if _parses_as_ini(text) else ""
    # One "key: value" line is as likely prose or output as YAML.
    if len(lines) >= 2 and all(_YAML_LINE.match(line) for line in lines) and _yaml_nesting_ok(lines):
        try:
            docs = [doc for doc in yaml.safe_load_all(text) if doc is not None]
        except yaml.YAMLError:
            return ""
        if docs and all(isinstance(doc, (dict, list)) for doc in docs):
            return "yaml"
    return ""


def _yaml_nesting_ok(lines: list[str]) -> bool:
    """Every `key:` without a value opens a nested block, as in YAML files (not `Output:` prose)."""
    for line, following in zip(lines, lines[1:] + [""]):
        if re.match(r"^\s*(- )?[\w.\-/\"']+:\s*$", line):
            indent, child = len(line) - len(line.lstrip()), len(following) - len(following.lstrip())
            if not following or (child <= indent and not following.lstrip().startswith("- ")):
                return False
    return True


def _parses_as_ini(text: str) -> bool:
    parser = configparser.ConfigParser(strict=False, allow_no_value=True, interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return False
    return bool(parser.sections())


def _score(code: str) -> dict[str, float]:
    """Weighted regex signals per language; shell also by its share of command lines."""
    flat = _LONG_STRING.sub(lambda m: m.group(1) * 2 if m.group(1) else '""', _sample(code))
    flat = _COMMENT_TEXT.sub(r"\1", flat)
    scores: dict[str, float] = {}
    lowered = flat.lower()
    for lang, pattern, weight, required in _COMPILED:
        if may_match(required, flat, lowered) and pattern.search(flat):
            scores[lang] = scores.get(lang, 0) + weight
    lines = _significant(flat)
    commands = sum(bool(_COMMAND_LINE.match(line)) for line in lines)
    if commands:
        scores["shell"] = scores.get("shell", 0) + 2 + 6 * commands / len(lines)
    if scores.get("typescript", 0) >= 2:  # TypeScript is JavaScript plus types
        scores["typescript"] += scores.get("javascript", 0)
    return scores


def _sample(code: str) -> str:
    """The first _SAMPLE_CHARS of the code, cut at a line end."""
    if len(code) <= _SAMPLE_CHARS:
        return code
    cut = code.rfind("\n", 0, _SAMPLE_CHARS)
    return code[: cut if cut > 0 else _SAMPLE_CHARS]


def _fewest_errors(code: str, candidates: list[str]) -> str:
    """Among near-tied candidates, the one whose Pygments lexer reports fewest Error tokens.

    Ties keep the candidates' order (highest score first).
    """
    def errors(lang: str) -> int:
        lexer = pygments_lexer(_LEXERS.get(lang, lang))
        if lexer is None:
            return 1 << 30
        return sum(1 for token, _ in lexer.get_tokens(_sample(code)) if token in Error)
    return min(candidates, key=errors)


@lru_cache(maxsize=128)
def pygments_lexer(name: str, *, exact: bool = False):
    """Pygments' lexer called `name`, or None if it has none (looked up once per name: a lookup
    scans every lexer's aliases). `exact`: one whose tokens join back to the text as given
    (no newline stripped or added), for code taken apart and put back together."""
    compile_cache.cover_word_lists(pygments.lexer)  # a lexer made here writes its word lists' patterns
    try:
        return get_lexer_by_name(name, stripnl=False, ensurenl=False) if exact else get_lexer_by_name(name)
    except ClassNotFound:
        return None
