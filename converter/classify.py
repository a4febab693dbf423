"""Tell code from prose in plain-text dumps of tutorials.

Text dumps lose the `<pre>` markup, so code has to be recognised from its
shape. Two layers:

* `line_score(line)`: evidence from one line alone; > 0 means code. Code
  evidence is punctuation, keywords of common languages, comment markers,
  assignments and calls; prose evidence is sentence shape (plain words,
  final full stop, typographic quotes, "Label: text" prefixes).
* `label_run(lines)`: labels every line of a *run* (the lines between two
  empty lines) using context: whitespace-only lines only occur inside code
  in these dumps, a code run starts at its first code line and keeps
  comment-like or prose-like lines (docstrings, `# notes`), bullets and
  numbered items before it stay list items.

Everything here is pure: strings in, labels out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import Enum


class Kind(Enum):
    """What a line of a run is."""

    CODE = "code"
    PROSE = "prose"
    BULLET = "bullet"
    NUMBERED = "numbered"
    BLANK = "blank"
    """Whitespace-only line inside a run: a blank line of code."""


# --- list markers -----------------------------------------------------------

BULLET = re.compile(r"^[•◦▪‣●○■□–]\s+(?P<text>\S.*)$")
# "- item" / "* item" are bullets in prose but YAML items / comment bodies in code.
ASCII_BULLET = re.compile(r"^[-*+]\s+(?P<text>\S.*)$")
NUMBERED = re.compile(r"^(?P<num>\d{1,3})[.)]\s+(?P<text>\S.*)$")

# --- code evidence ----------------------------------------------------------

# Comment markers of Python/shell/Ruby/YAML, C-family, SQL/Lua, HTML, ini.
_COMMENT = re.compile(r"^(#(?:\s|!|$)|//|/\*|\*/|--(?:\s|$)|<!--|;\s)")
_KEYWORD_START = re.compile(
    r"^(?:"
    # Python
    r"(?:async\s+)?def\s+\w+\s*\(|class\s+\w+\s*[(:<{]|class\s+\w+$|import\s+[\w.]+|from\s+[\w.]+\s+import\b"
    r"|return\b|raise\b|yield\b|await\s|lambda\b|pass$|assert\s|global\s|nonlocal\s"
    r"|(?:el)?if\s.*:$|else:$|try:$|finally:$|except\b.*:$|(?:async\s+)?(?:for|with)\s.*:$|while\s.*:$"
    r"|@[\w.]+(?:\(.*\))?$"
    # JavaScript / TypeScript
    r"|(?:export\s+)?(?:default\s+)?(?:const|let|var)\s+[\w${[]|(?:export\s+)?(?:async\s+)?function\b"
    r"|module\.exports\b|exports\.\w+|require\(|console\.\w+\(|new\s+[A-Z]\w*\("
    r"|(?:export\s+)?(?:interface|enum)\s+\w+|type\s+\w+\s*=|(?:if|for|while|switch)\s*\(|}\s*(?:else|catch|finally)\b"
    r"|case\s.*:$|default:$|break;?$|continue;?$|throw\s"
    # Go
    r"|package\s+\w+$|func\s|import\s*\($|import\s+(?:\w+\s+)?\"[\w./-]+\"$|defer\s|go\s+\w+[\w.]*\(|select\s*{|type\s+\w+\s+(?:struct|interface)\b"
    # Ruby
    r"|end$|end\.|module\s+[A-Z]\w*$|require\s+['\"]|puts\s|attr_(?:accessor|reader|writer)\s"
    r"|(?:has_many|has_one|belongs_to|validates?|scope|before_\w+|after_\w+)\s+:|private$|protected$|public$"
    r"|using\s+[A-Z]\w*$|refine\s+[A-Z]|elsif\s|unless\s|until\s|rescue\b|ensure$|begin$"
    # Dockerfile instructions, YAML list of mappings
    r"|(?:FROM|RUN|COPY|CMD|ENV|WORKDIR|EXPOSE|ENTRYPOINT|ARG|VOLUME|HEALTHCHECK)\s+\S+(?:\s+\S+)*$(?<![a-z][.!?])"
    r"|-\s+[a-z_][\w.-]*:(?:\s|$)"
    # shell control flow, C-family declarations
    r"|for\s+\w+\s+in\s.*;\s*do\b|if\s+\[|while\s+\[|then$|do$|#include\s*[<\"]"
    r"|(?:public|private|protected|static|final|override|fn|pub|impl|struct|val|fun)\s+[\w<]"
    r")"
)
# SQL statements and clauses: upper-case keyword followed by more text.
_SQL_START = re.compile(
    r"^(?:SELECT|FROM|WHERE|AND|OR|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|ADD|AS|SET|EXPLAIN|ANALYZE|OPTIMIZE"
    r"|INNER|LEFT|RIGHT|FULL|CROSS|OUTER|JOIN|ON|ORDER|GROUP|HAVING|LIMIT|OFFSET|VALUES|UNION|WITH|BEGIN"
    r"|COMMIT|ROLLBACK|SHOW|USE|GRANT|REVOKE|TRUNCATE|DESCRIBE|PRIMARY|FOREIGN|UNIQUE|INDEX|KEY)\b"
    r"(?:\s+(?:[A-Z_]+\b|[*(\w'`\"]))"
)
_SHELL_COMMANDS = frozenset(
    "pip pip3 npm npx yarn pnpm python python3 node deno go cd mkdir ls cat echo export source sudo apt apt-get "
    "brew docker docker-compose kubectl git curl wget rails bundle gem rake django-admin flask uvicorn gunicorn "
    "cargo rustc chmod chown rm cp mv touch ssh scp tar make cmake mysql psql redis-cli sqlite3 conda poetry "
    "pytest celery heroku aws gcloud az terraform helm systemctl service nginx ln grep sed awk find".split()
)
_SHELL_PROMPT = re.compile(r"^(?:\$|>>>|\.\.\.|PS>|C:\\>)\s")
_HTML_TAG = re.compile(r"^</?[a-zA-Z][\w-]*(?:\s[^>]*)?/?>|^<!DOCTYPE|^<!--|^<\?xml|^</?[a-zA-Z][\w-]*$", re.I)
_HTTP = re.compile(
    r"^(?:(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)\s+\S+(?:\s+HTTP/\d(?:\.\d)?)?$"
    r"|HTTP/\d(?:\.\d)?\s+\d{3}\b"
    r"|[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+:\s*\S+$)"
)
_YAML_KEY = re.compile(r"^[a-z_][\w.-]*:(?:\s+\S.*)?$")
_INI_SECTION = re.compile(r"^\[\[?[\w.\- \"']+\]\]?$")
_ASSIGNMENT = re.compile(r"^[\w$@.\[\]'\"]+(?:\s*,\s*[\w$@.]+)*\s*(?:=|:=|\+=|-=|\*=|/=|\|\|=|\?\?=|<-)(?!=)\s*\S")
_CALL_START = re.compile(r"^[\w$@.:]+(?:\.[\w$]+)*[!?]?\(")
_CLOSER = re.compile(r"^(?:[)\]}]+[)\]};,]*\s*;?|\.\.\.|end|fi|done|esac|\)\.\w+\(.*\)[;,]?)$")
_TREE = re.compile(r"^(?:[│├└]|\|--|`--|/[\w.\-]+/?(?:\s+#.*)?$|[\w.\-]+/$)")
_QUOTED_ITEM = re.compile(r"""^(["'`]).*\1[,;]?$""")
_PATH_TOKEN = re.compile(r"^[\w.~-]*[\\/][\w.\\/~-]+$")
# Tokens that only appear in code: calls, attribute access, operators, sigils.
_CODE_TOKEN = re.compile(
    r"[{}\[\];=<>|\\$@]|\w\(|\)\.|::|->|=>|\w\.\w|^\.\w|^:\w|\w_\w|^_|[a-z][A-Z]|^[&*]\w"
)
# A capitalised word with inner capitals alone on a line is a name (JavaScript, GitHub,
# PostgreSQL, a tag list glued together), not code: identifiers alone on a line are rare.
_PROPER_NAME = re.compile(r"^[A-Z][a-z]+(?:[A-Z][A-Za-z]*)+$|^[A-Z]{2,}[a-z]+$")
# A row of comma-separated fields without spaces after the commas: CSV data, not a sentence.
_CSV_ROW = re.compile(r"^[^\s,]+(?:,[^\s,]*){2,}$")
_STRING_LITERAL = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`")
_TRAILING_COMMENT = re.compile(r"\s(?:#|//|--)\s.*$")

# --- prose evidence -----------------------------------------------------------

_PLAIN_WORD = re.compile(r"^[(“‘\"']?[A-Za-z][a-z’']*(?:-[a-z]+)*[)”’\"']?[,.;:!?]*[)”’]?$")
_CAPITALISED = re.compile(r"^[A-Z][a-z’']+[,:]?$")
_TYPOGRAPHIC = re.compile(r"[“”‘’—–…]")
# "The Fix: ...", "Step 2: ...", "AbstractUser vs. AbstractBaseUser: ..." (label, then text).
_LABEL = re.compile(r"^[A-Z][\w’'.&/()-]*(?:\s+[\w’'.&/()-]+){0,4}:\s+(?P<rest>\S.*)$")
# Labels that introduce prose even when code follows ("The Fix: Blueprint(...)").
_KNOWN_LABEL = re.compile(
    r"^(?:The\s+)?(?:Mistake|Fix|Problem|Solution|Example|Note|Tip|Pro\s+Tip|Warning|Correct|Incorrect|Pros|Cons"
    r"|Usage|Why|Result|Caution|Important|Hint|Bad|Good|Wrong|Right|Instead|Before|After)(?:\s+\d+)?:\s",
    re.I,
)
_SENTENCE_END = re.compile(r"[a-z0-9)”’\"'][.!?]$")
_INNER_SENTENCE = re.compile(r"[a-z]{3,}[.!?]\s+[A-Z]")
_CODE_PUNCT = re.compile(r"[(){}\[\];=<>|]")


def _strip_trailing_comment(s: str) -> tuple[str, bool]:
    """Split off `code  # comment` when the part before it looks like code."""
    match = _TRAILING_COMMENT.search(s)
    if match and match.start() > 0:
        head = s[: match.start()].rstrip()
        if _KEYWORD_START.match(head) or _ASSIGNMENT.match(head) or any(_CODE_TOKEN.search(t) for t in head.split()):
            return head, True
    return s, False


def _code_evidence(s: str) -> float:
    """Points for code from the (comment-free) line `s`."""
    score = 0.0
    first = s.split(maxsplit=1)[0]
    if _PROPER_NAME.match(s):
        return 0.0
    if _KEYWORD_START.match(s):
        score += 3.5
    if _SQL_START.match(s):
        score += 3.0
    if first in _SHELL_COMMANDS and len(s.split()) >= 2 and not _SENTENCE_END.search(s):
        score += 3.5
    if _SHELL_PROMPT.match(s):
        score += 3.0
    if _HTML_TAG.match(s):
        score += 4.0
    if _HTTP.match(s):
        score += 4.0
    if _INI_SECTION.match(s) or _TREE.match(s):
        score += 3.5
    if _CLOSER.match(s):
        score += 5.0
    if _ASSIGNMENT.match(s):
        score += 3.0
    if _CALL_START.match(s):
        score += 2.5
    if _YAML_KEY.match(s):
        score += 1.5
    if _QUOTED_ITEM.match(s):
        score += 2.5
    if s[-1] in ";{[(" or s.endswith(("=>", "->", "\\", " do", "|")):
        score += 2.0
    elif s[-1] in ",}" or (s[-1] == ")" and re.search(r"\w\(", s)):
        score += 1.0
    tokens = s.split()
    if len(tokens) == 1 and (_PATH_TOKEN.match(s) or _CODE_TOKEN.search(s)):
        score += 2.5
    if _CSV_ROW.match(s):
        score += 3.0
    code_tokens = sum(1 for t in _STRING_LITERAL.sub('""', s).split() if _CODE_TOKEN.search(t))
    score += min(code_tokens, 4) * 0.75
    return score


def _prose_evidence(s: str) -> float:
    """Points for prose from the line `s` (string literals removed first)."""
    score = 0.0
    bare = _STRING_LITERAL.sub(" ", s)
    tokens = bare.split()
    plain = sum(1 for t in tokens if _PLAIN_WORD.match(t))
    if tokens:
        score += max(0, plain - 2) * 0.6 + (plain / len(tokens)) * (1.5 if len(tokens) >= 3 else 0.5)
    if _SENTENCE_END.search(s) and len(tokens) >= 3 and not s.endswith("..."):
        score += 2.5
    if s.endswith("?") and len(tokens) >= 2:
        score += 2.0
    if tokens and _CAPITALISED.match(tokens[0]) and not _CODE_PUNCT.search(s):
        score += 1.5
    if _TYPOGRAPHIC.search(s):
        score += 2.0
    label = _LABEL.match(s)
    if label and len(label["rest"].split()) >= 2:
        score += 3.0
        if _KNOWN_LABEL.match(s):
            score += 3.0
    if _INNER_SENTENCE.search(s):
        score += 1.5
    return score


def line_score(line: str) -> float:
    """Code evidence minus prose evidence for one line; > 0 means code."""
    s = line.strip()
    if not s:
        return 0.0
    if BULLET.match(s):
        return -10.0
    if _COMMENT.match(s):
        return 6.0
    head, had_comment = _strip_trailing_comment(s)
    score = _code_evidence(head) - _prose_evidence(head)
    return score + (1.5 if had_comment else 0.0)


def line_is_code(line: str) -> bool:
    """True when one line, seen alone, is more likely code than prose."""
    return line_score(line) > 0


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _base_label(line: str, score: float) -> Kind:
    s = line.strip()
    if not s:
        return Kind.BLANK
    if BULLET.match(s):
        return Kind.BULLET
    if NUMBERED.match(s) and score < 4:
        return Kind.NUMBERED
    if ASCII_BULLET.match(s) and not _COMMENT.match(s) and score < 2:
        return Kind.BULLET
    return Kind.CODE if score > 0 else Kind.PROSE


def _is_bare_word(line: str) -> bool:
    """A lone identifier such as `max_connections`: a heading, not a program."""
    return re.fullmatch(r"[A-Za-z_][\w-]*", line.strip()) is not None


def label_run(lines: Sequence[str]) -> list[Kind]:
    """Label each line of a run (lines between empty lines; blank = whitespace-only).

    Indentation must be relative to the article body. Rules, in order:
    1. Each line gets its own label from `line_score` and its list marker.
    2. A lone bare identifier is prose (config names used as headings).
    3. The code region starts at the first code line or at a whitespace-only
       line that precedes text (the dump's code opener); everything from
       there on is code, because prose-shaped lines inside code (comments,
       docstrings, SQL remarks) are common and prose after code without an
       empty line is rare. The exception is a tail of unindented lines that
       are plainly prose (a bullet, or a sentence), with no code after them.
    """
    scores = [line_score(line) for line in lines]
    labels = [_base_label(line, score) for line, score in zip(lines, scores)]
    text_rows = [i for i, kind in enumerate(labels) if kind is not Kind.BLANK]
    if not text_rows:
        return labels
    if len(text_rows) == 1 and _is_bare_word(lines[text_rows[0]]):
        labels[text_rows[0]] = Kind.PROSE
        return labels

    start = _code_region_start(lines, labels, scores)
    if start is None:
        return labels
    end = _prose_tail_start(lines, labels, scores, start)
    for i in range(start, end):
        if labels[i] is not Kind.BLANK:
            labels[i] = Kind.CODE
    return labels


def _code_region_start(lines: Sequence[str], labels: list[Kind], scores: list[float]) -> int | None:
    """Index of the first line of code in the run, if any."""
    for i, kind in enumerate(labels):
        if kind is Kind.CODE:
            return i
        if kind is Kind.BLANK:
            # A whitespace-only line before more text opens code; the lines
            # seen so far keep their labels (a list that runs into code).
            nxt = next((j for j in range(i + 1, len(labels)) if labels[j] is not Kind.BLANK), None)
            if nxt is not None:
                return nxt
            continue
        # A line indented under an unpunctuated first line (a directory
        # tree, a block header) makes the whole run code.
        if i > 0 and _indent(lines[i]) > _indent(lines[0]) and labels[0] is Kind.PROSE and scores[0] > -4:
            return 0
    return None


def _prose_tail_start(lines: Sequence[str], labels: list[Kind], scores: list[float], start: int) -> int:
    """Where plain prose resumes after the code that starts at `start`."""
    end = len(lines)
    i = end - 1
    while i > start:
        kind = labels[i]
        if kind is Kind.BLANK:
            break
        plainly_prose = kind is Kind.BULLET or (kind is Kind.PROSE and scores[i] <= -5)
        if not plainly_prose or _indent(lines[i]) > 0:
            break
        end = i
        i -= 1
    return end


def snippet_is_code(text: str) -> bool:
    """Classify a whole snippet: code when most of its text lines are code."""
    lines = text.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return False
    labels = [k for k in label_run(lines) if k is not Kind.BLANK]
    return sum(k is Kind.CODE for k in labels) * 2 > len(labels)
