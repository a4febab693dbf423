"""Exercise generator: put the pieces of a program in order (a Parsons problem on
top-level statements), for code in any language, run or not.

A code block is cut into its top-level pieces (brace- or indentation-balanced; SQL
statements). What a piece must come after is read statically: a piece that uses a
name another piece declares (`const app = express()` before `app.get(...)`, `CREATE
TABLE users` before `INSERT INTO users`) comes after it, and pieces that do
something rather than declare keep their order. Every order that keeps those
constraints is accepted: the check holds the valid orders' digests and the
constraints' digests (never in plain sight), so it can say which piece comes too
early without showing the answer. One piece is shown twice, the second time with a
slip in it (`mutants.py`): the learner must leave that one out.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import math
import random
import re
import textwrap
from dataclasses import dataclass, replace

from bs4 import BeautifulSoup

from .. import python_code as py
from ..document import CodeBlock, Document, Exercise
from .mutants import LANGUAGE_NAMES, masked, mutants, without_comments
from .predict import PRINTING, fenced, printed_lines, section_of, top_binds

LANGUAGES = ("javascript", "typescript", "go", "ruby", "python", "sql")
PIECES = (4, 9)
MAX_PIECE_LINES = 25
MAX_ORDERS = 720
MAX_OFFERS = 3
LETTERS = "ABCDEFGHIJ"


@dataclass(frozen=True, slots=True)
class Piece:
    code: str
    declares: frozenset[str]
    uses: frozenset[str]
    effect: bool
    """It does something when it runs (a call, a query), rather than only declaring."""
    prints: bool = False
    """It prints when it runs (not only inside a callback it registers)."""


def code_of(doc: Document) -> list[tuple[int, CodeBlock]]:
    """The tutorial's code blocks in the languages these exercises read; a page's inline
    `<script>` counts as a JavaScript block of its own."""
    found = []
    for index, block in enumerate(doc.blocks):
        if not isinstance(block, CodeBlock) or block.status == "setup":
            continue
        if block.language in LANGUAGES:
            found.append((index, block))
        elif block.language == "html":
            for script in BeautifulSoup(block.code, "html.parser").find_all("script"):
                if not script.get("src") and script.string and script.string.strip():
                    found.append((index, replace(block, code=textwrap.dedent(script.string).strip("\n") + "\n",
                                                 language="javascript", status="skipped")))
    return found


def order_the_pieces(doc: Document) -> list[Exercise]:
    """Parsons problems on the pieces of the tutorial's code blocks, best first."""
    found: dict[str, Exercise] = {}
    for index, block in code_of(doc):
        for exercise in _exercises(doc, index, block):
            found.setdefault(exercise.prompt, exercise)  # a block the page shows twice: once
        if len(found) >= MAX_OFFERS:
            break  # the first ones are offered: later blocks cannot change them
    return list(found.values())[:MAX_OFFERS]


# --- cutting code into pieces ----------------------------------------------------------------


def pieces_of(code: str, language: str, within: str = "") -> list[Piece] | None:
    """The top-level pieces of `code` with what each declares and uses; None when the code
    can't be cut cleanly (unbalanced brackets, a name declared twice). `within`: the block
    `code` was cut from, if not `code` itself (see `mutants.masked`)."""
    within = within or code
    code = without_comments(code, language, within)
    if language == "sql":
        texts = [s.strip() + ";" for s in _sql_statements(code, within)]
    elif language in ("python", "ruby"):
        texts = _indented_pieces(code, language, within)
    else:
        texts = _braced_pieces(code, language, within)
    if texts is None:
        return None
    texts = ["\n".join(line.rstrip() for line in t.splitlines() if line.strip()) for t in texts]
    texts = [t for t in texts if t.strip()]
    made = [_piece(t, language, within) for t in texts]
    if any(p is None for p in made):
        return None
    declared = [name for p in made for name in p.declares]
    if len(declared) != len(set(declared)):
        return None  # a name declared twice: "before its use" would be ambiguous
    return made


def _sql_statements(code: str, within: str) -> list[str]:
    mask = masked(code, "sql", within)
    out, start = [], 0
    for match in re.finditer(";", mask):
        out.append(code[start:match.start()])
        start = match.end()
    if code[start:].strip():
        out.append(code[start:])
    return [s for s in out if s.strip()]


def _braced_pieces(code: str, language: str, within: str) -> list[str] | None:
    mask = masked(code, language, within)
    pieces, current, depth = [], [], 0
    for line, hidden in zip(code.splitlines(), mask.splitlines()):
        current.append(line)
        depth += sum(hidden.count(c) for c in "([{") - sum(hidden.count(c) for c in ")]}")
        if depth < 0:
            return None
        continuing = hidden.rstrip().endswith((",", "+", "=", "&&", "||", "?", ":", "."))
        if depth == 0 and not continuing and "".join(current).strip():
            pieces.append("\n".join(current))
            current = []
    if depth != 0:
        return None
    if "".join(current).strip():
        pieces.append("\n".join(current))
    return pieces


def _indented_pieces(code: str, language: str, within: str) -> list[str] | None:
    mask = masked(code, language, within)
    pieces: list[list[str]] = []
    depth = 0
    for line, hidden in zip(code.splitlines(), mask.splitlines()):
        if not line.strip():
            continue
        top = not line[0].isspace() and depth == 0
        closing = language == "ruby" and line.strip() == "end"
        decorated = pieces and pieces[-1][-1].lstrip().startswith("@") and not pieces[-1][-1][0].isspace()
        if top and not closing and not decorated:
            pieces.append([line])
        elif pieces:
            pieces[-1].append(line)
        else:
            return None
        depth += sum(hidden.count(c) for c in "([{") - sum(hidden.count(c) for c in ")]}")
    return None if depth else ["\n".join(p) for p in pieces]


_IDENTIFIER = re.compile(r"(?<![\w$.@:])[A-Za-z_$][\w$]*")
_JS_DECLARES = (
    re.compile(r"^\s*(?:export\s+)?(?:async\s+)?(?:function\*?|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)"),
    re.compile(r"^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)"),
    re.compile(r"^\s*(?:export\s+)?(?:const|let|var)\s+\{([^}]*)\}"),
    re.compile(r"^\s*import\s+([A-Za-z_$][\w$]*)"),
    re.compile(r"^\s*import\s+(?:[\w$]+\s*,\s*)?\{([^}]*)\}"),
)
_GO_DECLARES = (
    re.compile(r"^\s*func\s+([A-Za-z_]\w*)"), re.compile(r"^\s*(?:var|const|type)\s+([A-Za-z_]\w*)"),
    re.compile(r"^\s*([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*:="),
)
_RUBY_DECLARES = (
    re.compile(r"^\s*(?:class|module)\s+([A-Z]\w*)"), re.compile(r"^\s*def\s+(?:self\.)?([a-z_]\w*[?!]?)"),
    re.compile(r"^([a-z_]\w*)\s*=[^=]"),
)
_SQL_DECLARES = re.compile(r"^\s*CREATE\s+(?:TEMP(?:ORARY)?\s+)?(?:TABLE|VIEW|INDEX)\s+(?:IF\s+NOT\s+EXISTS\s+)?[`\"\[]?(\w+)", re.I)
_SQL_USES = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE|ON)\s+[`\"\[]?(\w+)", re.I)
_SQL_EFFECT = re.compile(r"^\s*(INSERT|UPDATE|DELETE|SELECT|ALTER|DROP|EXPLAIN|WITH)\b", re.I)
_DEFINITION = re.compile(r"^\s*(?:@|export\s+)?(?:async\s+)?(?:def|class|function\*?|func|module|interface|type|enum)\b")
# `const app = express()`, `msg := <-ch`, `user = User.new`: a declaration that also does something.
_ASSIGNED_CALL = re.compile(r"^\s*(?:const|let|var)?\s*[\w$,\s{}]+(?::=|(?<![=!<>])=(?![=>]))\s*.*(?:\(|<-|\.new\b)")
_DECLARING_START = re.compile(
    r"^\s*(?:export\s+)?(?:async\s+)?(?:function|class|interface|type|enum|const|let|var|import|def|module|func|package)\b"
    r"|^\s*@|^\s*(?:from\s+\S+\s+)?import\b|^[a-z_]\w*\s*=[^=]|^\s*[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*\s*:=")


def _piece(text: str, language: str, within: str) -> Piece | None:
    first = text.splitlines()[0]
    if language == "python":
        tree = py.parse(text)
        if tree is None or len(tree.body) != 1:
            return None
        node = tree.body[0]
        declares = top_binds(node)
        uses = frozenset(n.id for n in py.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))
        declaring = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)
        calls = isinstance(node, (ast.Assign, ast.AnnAssign)) and any(
            isinstance(n, (ast.Call, ast.Await)) for n in py.walk(node.value or ast.Constant(None)))
        effect = not isinstance(node, declaring) or calls
        prints = effect and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and any(
            isinstance(n, ast.Call) and py.dotted(n.func) == "print" for n in py.walk(node))
        return Piece(text, frozenset(declares), uses - declares, effect, prints)
    if language == "sql":
        created = _SQL_DECLARES.match(text)
        declares = frozenset({created.group(1).lower()}) if created else frozenset()
        uses = frozenset(m.lower() for m in _SQL_USES.findall(masked(text, "sql", within))) - declares
        return Piece(text, declares, uses, bool(_SQL_EFFECT.match(text)))
    patterns = {"ruby": _RUBY_DECLARES, "go": _GO_DECLARES}.get(language, _JS_DECLARES)
    names: set[str] = set()
    for pattern in patterns:
        match = pattern.match(first)
        if match:
            names |= {n.split(":")[0].split(" as ")[-1].strip() for n in match.group(1).split(",") if n.strip()}
    names = {n for n in names if re.fullmatch(r"[A-Za-z_$][\w$]*[?!]?", n)}
    hidden = masked(text, language, within)
    uses = frozenset(_IDENTIFIER.findall(hidden)) - names
    effect = not _DECLARING_START.match(first) or bool(_ASSIGNED_CALL.search(first))
    return Piece(text, frozenset(names), uses, effect, effect and bool(PRINTING.search(_outermost(hidden))))


def _outermost(hidden: str) -> str:
    """The text of a piece outside any brackets: what runs at once, not in a callback it
    passes on (`wss.on('connection', (ws) => { console.log(...) })` prints only later)."""
    out, depth = [], 0
    for part in re.split(r"([()\[\]{}])", hidden):
        if part in ("(", "[", "{"):
            depth += 1
        elif part in (")", "]", "}"):
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(part)
    return " ".join(out)




# --- orders ----------------------------------------------------------------------------------

# Names every program may use without declaring them: sharing one does not tie two pieces.
GLOBALS = frozenset("""console print puts p pp fmt Math JSON Object Array String Number Promise process require module
exports window document setTimeout setInterval await async return new this self true false nil None True False null
undefined len str int range dict list set sum min max sorted time os sys asyncio""".split())


# A piece that waits (for goroutines, threads, tasks, a channel, a promise): what the program
# does before it and after it stays on its side ("All workers finished." after `wg.Wait()`).
_BARRIER = re.compile(r"\.Wait\(\)|\.join\(\)|\bawait\b|<-\s*\w|\basyncio\.run\(|\.result\(\)|\bgather\(")


def constraints(pieces: list[Piece], output_shown: bool = False) -> set[tuple[int, int]]:
    """(i, j): piece i must come before piece j: j uses what i declares, or both do something
    to the same thing the program makes, or one of them waits for the others, so their order
    changes what it does; or both print and the exercise shows what the program prints (else
    any order of prints is fair)."""
    # Things pieces act on: what the program makes, not the functions and classes it defines
    # (two calls of one function do not interact; two changes to one list do).
    declared = frozenset().union(*(p.declares for p in pieces if not _DEFINITION.match(p.code))) - GLOBALS
    found = set()
    for i, j in itertools.combinations(range(len(pieces)), 2):
        first, second = pieces[i], pieces[j]
        shared = first.uses & second.uses & declared  # both act on something this program makes
        barrier = _BARRIER.search(first.code) or _BARRIER.search(second.code)
        together = first.effect and second.effect and (
            shared or barrier or (output_shown and first.prints and second.prints))
        if first.declares & second.uses or together:
            found.add((i, j))
        if second.declares & first.uses and (i, j) not in found:
            return set()  # used before it is declared in the tutorial itself (a hoisted function...): not ours to judge
    return found


def valid_orders(count: int, before: set[tuple[int, int]]) -> list[tuple[int, ...]]:
    """Every order of `count` pieces that keeps `before`, in lexicographic order (the
    tutorial's own first); at most MAX_ORDERS + 1 of them (more means: hardly constrained)."""
    needs = {j: {i for i, k in before if k == j} for j in range(count)}
    orders: list[tuple[int, ...]] = []

    def extend(placed: tuple[int, ...]) -> None:
        if len(orders) > MAX_ORDERS:
            return
        if len(placed) == count:
            orders.append(placed)
            return
        for piece in range(count):
            if piece not in placed and needs[piece] <= set(placed):
                extend((*placed, piece))

    extend(())
    return orders


def digest16(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# --- the exercise ----------------------------------------------------------------------------

_CHECK = '''\
import hashlib as _hashlib
_digest = lambda text: _hashlib.sha256(text.encode()).hexdigest()[:16]
assert order is not ..., "Replace the ... with the letters of the pieces, in order."
_given = [c for c in (order if isinstance(order, str) else "".join(map(str, order))).upper() if c.isalpha()]
_unknown = sorted(set(_given) - set({letters!r}))
assert not _unknown, f"Not yet: there is no piece {{', '.join(_unknown)}}; use the letters shown."
assert len(_given) == len(set(_given)), "Not yet: use each piece once."
assert len(_given) == {count}, f"Not yet: the program has {count} pieces; you used {{len(_given)}}."
assert _digest("".join(sorted(_given))) == {pieces!r}, (
    "Not yet: one of the pieces you chose is the copy with a slip in it; compare the pieces that look alike.")
_after = set({after!r})
for _n, _first in enumerate(_given):
    for _second in _given[_n + 1:]:
        assert _digest(_second + "<" + _first) not in _after, (
            f"Not yet: piece {{_first}} comes too early: it needs piece {{_second}} first "
            "(it uses what that one defines, or happens after it).")
assert _digest("".join(_given)) in {orders!r}, "Not yet: that order does not make the program."
print("✅ Right: in that order the program works as the tutorial's does.")
'''


def _usable(pieces: list[Piece] | None, language: str = "", within: str = "") -> bool:
    """Enough pieces to order (three will do when one has a slip to spot: four to choose from)."""
    if not pieces or not all(len(p.code.splitlines()) <= MAX_PIECE_LINES for p in pieces):
        return False
    fewest = PIECES[0] - 1 if any(m.rank <= 1 for p in pieces for m in mutants(p.code, language, within)) else PIECES[0]
    return fewest <= len(pieces) <= PIECES[1]


def body_of(code: str, language: str) -> str | None:
    """The body of the one function that holds most of `code` (Go's `func main() {...}`, a
    JavaScript handler, a Python or Ruby method), dedented; None if there is none."""
    lines = code.splitlines()
    if len(lines) < 5:
        return None
    opens = lines[0].rstrip().endswith(("{", ":")) or re.match(r"^\s*def\b", lines[0])
    closes = lines[-1].strip() in ("}", "});", "end", "};") or language == "python"
    if not (opens and closes):
        return None
    inner = lines[1:] if language == "python" else lines[1:-1]
    indent = min((len(line) - len(line.lstrip()) for line in inner if line.strip()), default=0)
    return "\n".join(line[indent:] for line in inner)


def _exercises(doc: Document, index: int, block: CodeBlock) -> list[Exercise]:
    """The block's top-level pieces, and the statements of the function that holds most of it
    (Go's `main`, where the order of top-level declarations does not matter; a long handler):
    two levels, two exercises where both make one."""
    pieces = pieces_of(block.code, block.language)
    found = [_pieces_exercise(doc, index, block, pieces) if _usable(pieces, block.language, block.code) else None]
    if pieces:
        body = body_of(max(pieces, key=lambda p: len(p.code.splitlines())).code, block.language)
        inner = pieces_of(body, block.language, block.code) if body else None
        found.append(_pieces_exercise(doc, index, block, inner) if _usable(inner, block.language, block.code) else None)
    return [exercise for exercise in found if exercise]


def _pieces_exercise(doc: Document, index: int, block: CodeBlock, pieces: list[Piece]) -> Exercise | None:
    language = block.language
    output = printed_lines(block.printed) if block.printed and not block.volatile and block.printed.strip() else None
    before = constraints(pieces, output_shown=output is not None)
    orders = valid_orders(len(pieces), before)
    if not before or len(orders) > MAX_ORDERS or len(orders) * 3 > math.factorial(len(pieces)):
        return None  # hardly any order is wrong: nothing to learn
    slips = [(n, m) for n, piece in enumerate(pieces) for m in mutants(piece.code, language, block.code) if m.rank <= 1]
    slipped, mutant = slips[0] if slips else (None, None)
    # the last one is the copy with the slip (when a plausible slip exists)
    shown = [*range(len(pieces)), *([len(pieces)] if mutant else [])]
    rng = random.Random(hashlib.sha256(block.code.encode()).digest())
    while [p for p in shown if p != len(pieces)] == list(range(len(pieces))):
        rng.shuffle(shown)
    letter = {piece: LETTERS[n] for n, piece in enumerate(shown)}
    texts = [p.code for p in pieces] + ([mutant.code] if mutant else [])
    as_letters = ["".join(letter[p] for p in order) for order in orders]
    solution = as_letters[0]
    other = next((o for o in as_letters[1:]), None)
    i, j = min(before)
    swapped = solution.replace(letter[i], "_").replace(letter[j], letter[i]).replace("_", letter[j])
    wrong = [solution[:-1], swapped, solution[::-1]]
    if mutant:
        wrong.insert(0, solution.replace(letter[slipped], letter[len(pieces)]))
    right = [" ".join(solution.lower()), list(solution), *([other] if other else [])]
    table = "\n\n".join(f"Piece {letter[p]}:\n\n{fenced(texts[p], language)}" for p in shown)
    check = _CHECK.format(
        letters="".join(sorted(letter.values())), count=len(pieces),
        pieces=digest16("".join(sorted(letter[p] for p in range(len(pieces))))),
        after=sorted(digest16(f"{letter[i]}<{letter[j]}") for i, j in before),
        orders=sorted(digest16(o) for o in as_letters),
    )
    slip = (" One of them is shown twice, the second time with **a slip in it**: leave that copy out."
            if mutant else "")
    prompt = (
        f"Here are the pieces of a {LANGUAGE_NAMES[language]} program from this section, shuffled.{slip} Set `order` to the "
        "letters of the pieces to keep, in an order that makes the program work (any order that does is right: a "
        "piece must come after the pieces whose names it uses, and what the program does happens in the order it "
        "should).\n\n"
        + (f"The program prints:\n\n{fenced(chr(10).join(output), 'text')}\n\n" if output else "")
        + table
    )
    return Exercise(
        kind="parsons", title="Put the pieces in order", prompt=prompt,
        starter='order = ...  # the letters of the pieces to keep, in order, e.g. "BDA..."\n',
        solution=f"order = {solution!r}\n", check=check, section=section_of(doc, index),
        right=tuple(f"order = {r!r}\n" for r in right), wrong=tuple(f"order = {w!r}\n" for w in dict.fromkeys(wrong)),
    )
