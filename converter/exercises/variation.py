"""A variation of the tutorial's code: the same program with its own names renamed.

Exercises whose answer is a piece of the tutorial's code (spot the slip: the line
corrected) ask about a variation, so the answer is not on the page above: the
learner has to understand the line, not find it. Only names the code itself
declares are renamed (variables, parameters, loop variables), everywhere outside
strings and comments, never an attribute (`.name`), a keyword argument or object
key (`name:`), or a symbol (`:name`): the program means the same.
"""

from __future__ import annotations

import re

from .mutants import masked

# Familiar alternatives first; other names get a prefix that keeps the language's style.
SYNONYMS = {
    "client": "peer", "user": "member", "users": "members", "item": "entry", "items": "entries", "data": "payload",
    "result": "outcome", "results": "outcomes", "msg": "note", "message": "note", "res": "reply", "req": "incoming",
    "response": "reply", "request": "incoming", "conn": "link", "connection": "link", "ws": "sock", "socket": "sock",
    "article": "post", "articles": "posts", "app": "server", "i": "n", "j": "m", "w": "k", "key": "slot",
    "value": "val", "name": "label", "state": "status", "db": "store", "e": "exc", "err": "problem", "error": "problem",
    "row": "record", "rows": "records", "order": "purchase", "orders": "purchases", "task": "job", "tasks": "jobs",
    "count": "tally", "total": "amount", "text": "content", "ch": "pipe", "jobs": "work", "channel": "pipe",
    "bucket": "bin", "cacheKey": "storeKey", "cachedData": "storedData", "first_one": "earliest", "product": "good",
    "config": "settings", "payload": "body", "city": "town", "id": "ident", "ids": "idents", "queue": "line",
    "cache": "memo", "word": "term", "words": "terms", "num": "value", "numbers": "values", "list": "seq",
    "a": "first", "b": "second", "x": "left", "y": "right", "s3": "storage", "str": "phrase", "sys": "machine",
    "wss": "hub", "io": "hub", "event": "occurrence", "callback": "handler", "fn": "func",
}

# name = ..., name := ..., const/let/var name, for (const name of ...), for name in, |name|, (name) =>,
# function/def/func parameters.
_DECLARED = (
    re.compile(r"^\s*([A-Za-z_$][\w$]*)(?:\s*,\s*([A-Za-z_$][\w$]*))?\s*(?::=|(?<![=!<>])=(?![=>]))", re.M),
    re.compile(r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)"),
    re.compile(r"\bfor\s*\(?\s*(?:const|let|var)?\s*([A-Za-z_$][\w$]*)\s+(?:of|in)\b"),
    re.compile(r"\bfor\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s*:="),
    re.compile(r"\|\s*([a-z_]\w*)(?:\s*,\s*([a-z_]\w*))?\s*\|"),
    re.compile(r"\(\s*([A-Za-z_$][\w$]*)\s*\)\s*=>"),
    re.compile(r"\b([A-Za-z_$][\w$]*)\s*=>"),
)
_PARAMETERS = re.compile(r"\b(?:function\s*[\w$]*|def\s+\w+[?!]?|func\s+\w*)\s*\(([^)]*)\)")


def declared_names(code: str, language: str, within: str = "") -> list[str]:
    """Names the code declares itself, in order of first appearance (`within`: the block
    `code` was cut from, if any)."""
    hidden = masked(code, language, within)
    names: list[str] = []
    for pattern in _DECLARED:
        for match in pattern.finditer(hidden):
            names += [g for g in match.groups() if g]
    for match in _PARAMETERS.finditer(hidden):
        for part in match.group(1).split(","):
            word = re.match(r"\s*\*{0,2}&?([A-Za-z_$][\w$]*)", part)
            if word:
                names.append(word.group(1))
    keywords = {"self", "this", "super", "true", "false", "nil", "None", "True", "False", "null", "undefined", "_"}
    return [n for n in dict.fromkeys(names) if n not in keywords]


def _new_name(name: str, language: str, taken: set[str]) -> str | None:
    candidate = SYNONYMS.get(name)
    if candidate is None and not name[:1].islower():
        return None  # `WebSocket`, `PORT`: a module or a constant keeps its name
    if candidate is None:
        candidate = f"my_{name}" if language in ("python", "ruby") or "_" in name else "my" + name[:1].upper() + name[1:]
    return None if candidate in taken else candidate


_SQL_ALIAS = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(?!(?:ON|WHERE|JOIN|LEFT|RIGHT|INNER|OUTER|FULL|CROSS|GROUP|ORDER|LIMIT|USING)\b)(\w+)", re.I)


_SQL_WORDS = frozenset("as at by if in is of on or to and asc end for key not set all any use add desc from join case else null with".split())


def renamed(code: str, language: str, within: str = "") -> tuple[str, dict[str, str]]:
    """`code` with every name it declares renamed (SQL: its table aliases), and the renames made
    (`within`: the block `code` was cut from, if any)."""
    hidden = masked(code, language, within)
    taken = set(re.findall(r"[A-Za-z_$][\w$]*", code))
    renames: dict[str, str] = {}
    if language == "sql":
        for table, alias in _SQL_ALIAS.findall(hidden):
            unusable = taken | set(renames.values()) | _SQL_WORDS
            new = next((table[:k].lower() for k in (2, 3, 4, 5) if table[:k].lower() not in unusable), None)
            if new and alias != new:
                renames[alias] = new
    else:
        for name in declared_names(code, language, within):
            new = _new_name(name, language, taken | set(renames.values()))
            if new:
                renames[name] = new
    if not renames:
        return code, {}
    key = "" if language == "python" else r"(?!\s*:(?![:=]))"  # `name: value` is a key there, not our name
    words = "|".join(map(re.escape, sorted(renames, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![\w$.:@])({words})(?![\w$]){key}")
    out, last = [], 0
    for match in pattern.finditer(hidden):
        before, after = hidden[:match.start()].rstrip()[-1:], hidden[match.end():].lstrip()
        line = hidden[hidden.rfind("\n", 0, match.start()) + 1:match.start()]
        in_call = not re.match(r"\s*(?:async\s+)?(?:def|function|func)\b", line)
        if in_call and before in ("(", ",") and after.startswith("=") and not after.startswith("=="):
            continue  # a keyword argument's name (`f(name=name)`): the callee's, not ours
        out += [code[last:match.start()], renames[match.group(1)]]
        last = match.end()
    out.append(code[last:])
    return "".join(out), renames


def renumbered(code: str, language: str, within: str = "") -> str:
    """`code` with its numbers (2 and up, outside strings and comments) a little larger:
    limits and sizes that are data, not the lesson (`max(280)` -> `max(300)`). `within`: the
    block `code` was cut from, if any."""
    hidden = masked(code, language, within)
    out, last = [], 0
    for match in re.finditer(r"(?<![\w.$])(\d+)(?![\w.])", hidden):
        value = int(match.group(1))
        if value < 2:
            continue
        bigger = value + max(1, round(value * 0.1 / 10 ** (len(str(value)) - 2)) * 10 ** (len(str(value)) - 2) if value >= 100 else 1)
        out += [code[last:match.start()], str(bigger)]
        last = match.end()
    out.append(code[last:])
    return "".join(out)


# --- SQL: other values in the conditions ------------------------------------------------------

# A value the tutorial compares with -> another of the same kind (the sample database is made
# from the varied SQL, so it holds rows for the new values).
VALUE_SWAPS = {
    "shipped": "delivered", "delivered": "shipped", "pending": "cancelled", "cancelled": "pending",
    "completed": "refunded", "active": "suspended", "inactive": "active", "paid": "unpaid", "open": "closed",
    "closed": "open", "admin": "editor", "editor": "admin", "new york": "Chicago", "london": "Paris",
    "sales": "Support", "engineering": "Marketing", "electronics": "Books", "books": "Toys",
    "germany": "France", "france": "Germany", "usa": "Canada", "canada": "USA", "uk": "Ireland", "spain": "Italy",
    "italy": "Spain", "berlin": "Munich", "paris": "Lyon", "tokyo": "Osaka",
}
_COMPARED = re.compile(r"(?:=|<>|!=|>=|<=|>|<|\bLIKE|\bIN\s*\()\s*('(?:[^']|'')*'|\b\d+\b)", re.I)
_DATE = re.compile(r"^'(\d{4})(-\d{2}-\d{2}.*)'$")


def varied_values(sql_texts: list[str]) -> dict[str, str]:
    """Literal -> another literal, for the values the queries compare with: a date a year
    later, a number one more, a word from a list of familiar alternatives (others stay)."""
    swaps: dict[str, str] = {}
    for sql in sql_texts:
        for match in _COMPARED.finditer(sql):
            literal = match.group(1)
            if literal in swaps:
                continue
            date = _DATE.match(literal)
            if date:
                swaps[literal] = f"'{int(date.group(1)) + 1}{date.group(2)}'"
            elif literal.isdigit() and int(literal) > 1:  # 0 and 1 are often flags
                swaps[literal] = str(int(literal) + 1)
            elif literal.startswith("'") and len(literal) > 2:
                word = literal[1:-1]
                other = VALUE_SWAPS.get(word.lower())
                if other:
                    other = other if word[:1].isupper() or not other[:1].isupper() else other.lower()
                elif "@" in word:
                    other = "ana@example.com" if word != "ana@example.com" else "ben@example.com"
                elif re.fullmatch(r"[\w .-]{2,40}", word) and "%" not in word:
                    other = f"{word}2"  # `'jdoe'` -> `'jdoe2'`: plainly another value of the same kind
                if other:
                    swaps[literal] = f"'{other}'"
    return swaps


def with_values(sql: str, swaps: dict[str, str]) -> str:
    """`sql` with every swapped literal replaced (in conditions and data alike)."""
    if not swaps:
        return sql
    pattern = re.compile("|".join(rf"(?<![\w']){re.escape(k)}(?![\w'])" for k in sorted(swaps, key=len, reverse=True)))
    return pattern.sub(lambda m: swaps[m.group(0)], sql)
