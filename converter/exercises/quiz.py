"""Quiz generators: multiple choice and short answer on a tutorial's key ideas.

Both read only what the tutorial itself says, so every option can be checked
against its text:

* `multiple_choice` asks which term a definition list describes, what the FAQ
  answers to one of its questions, or which fix the "Common mistakes" section
  gives for a mistake. The wrong options come from the same list, the same FAQ
  or the same mistakes section: each is said elsewhere in the tutorial about
  something else.
* `short_answer` asks for the order of a procedure the tutorial lists as steps
  (a numbered list under a step-by-step heading), shown scrambled.

Nothing is asked from summaries or conclusions (a restatement: recall, not
understanding), and no question is offered where the option sharing the most
words with the question is the answer (`overlap_picks`): word matching alone
must not find it.

Both are pure and deterministic (any shuffling is derived from a hash of the
text) and return [] when the tutorial gives them nothing sensible. Checks
compare digests (see `checks.py`), never the answer as a literal.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..document import Block, Document, Exercise, Heading, ListBlock, Paragraph
from .checks import CHECK_HELPERS, digest, normalize

MAX_PER_KIND = 3
"""At most this many exercises per generator and tutorial."""
MAX_TEXT = 200
"""Quoted definitions, answers, fixes and sentences longer than this are skipped."""
MIN_TEXT = 15
LETTERS = "ABCDEFGH"
MAX_OPTIONS = 4
MAX_STEPS = 7
# Sections that restate the tutorial: a question quoting them asks for recall, not understanding.
_SUMMARY = re.compile(r"takeaway|summary|recap|conclusion|bottom line|key points|cheat ?sheet|remember", re.IGNORECASE)


# ---------------------------------------------------------------- text helpers

_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MARKUP = re.compile(r"\\([!-/:-@\[-`{-~])|\*\*|`+|(?<![\w\\])\*(?=\S)|(?<=\S)(?<!\\)\*(?!\w)|\[([^\]]*)\]\([^)]*\)")


@lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    """Inline CommonMark as plain text (escapes, emphasis, code marks and links dropped).
    Cached: the distractors are compared with every paragraph of the section, pair by pair."""

    def repl(match: re.Match) -> str:
        if match.group(1) is not None:
            return match.group(1)
        if match.group(2) is not None:
            return match.group(2)
        return ""

    return " ".join(_MARKUP.sub(repl, text).split())


def _hash(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


_NUMBERING = re.compile(
    r"^\s*(?:\d+\\?[.)]\s+|(?:step|mistake|pitfall|problem)\s*\d+\s*(?:[:.)]|\\\.|[-–—])\s*)", re.IGNORECASE
)


def _title(heading_text: str) -> str:
    """A heading without its numbering ("1\\. ", "Step 2: ", "Mistake 3: ")."""
    return _NUMBERING.sub("", heading_text).strip()


_ABBREVIATIONS = re.compile(r"(?:\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|Mr|Mrs|Dr|St|No|Fig)|\b[A-Z])\.$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][\"”’)*_]*(?=\s|$)")


def _sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations ("e.g.") and decimals whole."""
    out, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if _ABBREVIATIONS.search(text[start : match.start() + 1]):
            continue
        sentence = text[start:end].strip()
        if sentence:
            out.append(sentence)
        start = end
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return out


def _lead(text: str, enough: int = 40) -> str | None:
    """The first sentence (with the next ones while shorter than `enough` characters), or None."""
    if "\n" in text:
        text = text.split("\n", 1)[0]
    sentences = _sentences(text)
    if not sentences:
        return None
    lead = sentences[0]
    for sentence in sentences[1:]:
        plain = _plain(lead)
        if len(plain) >= enough and len(plain.split()) > 4:
            break
        longer = f"{lead} {sentence}"
        if len(_plain(longer)) > MAX_TEXT and len(plain) >= 40:
            break
        lead = longer
    plain = _plain(lead)
    if not MIN_TEXT <= len(plain) <= MAX_TEXT or lead.rstrip().endswith(":"):
        return None
    return lead


def _same(a: str, b: str) -> bool:
    return normalize(_plain(a)).rstrip(".!") == normalize(_plain(b)).rstrip(".!")


def _stems(text: str) -> set[str]:
    return {word[:5] for word in re.findall(r"[a-z][a-z0-9]{3,}", _plain(text).casefold())}


def _says(text: str, term: str) -> bool:
    """Does `text` contain `term` as a whole word (plain text, case-insensitive)?"""
    needle = normalize(_plain(term))
    return bool(needle) and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", normalize(_plain(text))) is not None


# ---------------------------------------------------------------- walking a document


@dataclass(frozen=True)
class _Placed:
    index: int
    block: Block
    trail: tuple[Heading, ...]
    """The headings the block sits under, outermost first (a heading's own trail excludes it)."""
    parent: int
    """Block index of the innermost of those headings (-1 at the top)."""

    @property
    def section(self) -> str:
        return self.trail[-1].text if self.trail else ""


def _walk(doc: Document) -> list[_Placed]:
    trail: list[tuple[int, Heading]] = []
    placed = []
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Heading):
            while trail and trail[-1][1].level >= block.level:
                trail.pop()
        headings = tuple(h for _, h in trail)
        placed.append(_Placed(index, block, headings, trail[-1][0] if trail else -1))
        if isinstance(block, Heading):
            trail.append((index, block))
    return placed


# ---------------------------------------------------------------- building exercises


def _wrong(section: str, leak: Sequence[str] = ()) -> str:
    name = _plain(section)
    if name and not any(normalize(_plain(x)) in normalize(name) for x in leak if _plain(x)):
        return f"Not quite: reread the section «{name}» and try again."
    return "Not quite: reread that part of the tutorial and try again."


def _check(lines: Sequence[str], right: str) -> str:
    body = [
        CHECK_HELPERS,
        'assert answer is not ..., "Replace the ... with your answer first."',
        *lines,
        f"print({right!r})",
    ]
    return "\n".join(body) + "\n"


def _options_markdown(options: Sequence[str]) -> str:
    return "\n".join(f"- **{LETTERS[i]}.** {text}" for i, text in enumerate(options))


@dataclass(frozen=True)
class _Choice:
    """A multiple-choice question before it is laid out."""

    title: str
    question: str
    """CommonMark: the question, already holding the quoted tutorial text."""
    right: str
    distractors: tuple[str, ...]
    section: str
    source: str  # "definition", "faq", "mistake", "section"


def overlap(question: str, option: str) -> int:
    """Words (stems) an option shares with its question: what a test-wise guesser goes by."""
    return len(_stems(question) & _stems(option))


def overlap_picks(question: str, options: Sequence[str], right: str) -> bool:
    """Would picking the option that shares the most words with the question pick `right`?"""
    return overlap(question, right) > max((overlap(question, o) for o in options if o != right), default=-1)


def _choice_exercise(choice: _Choice) -> Exercise | None:
    distractors = [d for d in choice.distractors if not _same(d, choice.right)]
    unique: list[str] = []
    for text in distractors:
        if not any(_same(text, seen) for seen in unique):
            unique.append(text)
    seed = choice.question + "\x00" + choice.right
    unique.sort(key=lambda text: _hash(seed + "\x00" + _plain(text)))
    # At least one distractor shares as many words with the question as the answer does,
    # so that word overlap gives nothing away.
    needed = overlap(choice.question, choice.right)
    decoys = [text for text in unique if overlap(choice.question, text) >= needed]
    if not decoys:
        return None
    unique = [decoys[0], *[text for text in unique if text != decoys[0]]][: MAX_OPTIONS - 1]
    if len(unique) < 2:
        return None
    count = len(unique) + 1
    position = _hash(seed) % count
    options = unique[:position] + [choice.right] + unique[position:]
    letter = LETTERS[position]
    letters = LETTERS[:count]
    listed = ", ".join(letters[:-1]) + f" or {letters[-1]}"
    prompt = (
        f"{choice.question}\n\n{_options_markdown(options)}\n\n"
        f"Set `answer` to the letter of your choice ({listed})."
    )
    check = _check(
        [
            (
                f"assert isinstance(answer, str) and len(_normalize(answer)) == 1 and _normalize(answer) in "
                f"{letters.casefold()!r}, {('Answer with one letter: ' + listed + '.')!r}"
            ),
            f"assert _digest(answer) == {digest(letter)!r}, {_wrong(choice.section, [choice.right])!r}",
        ],
        "✅ Correct: that is what the tutorial says.",
    )
    return Exercise(
        kind="choice",
        title=choice.title,
        prompt=prompt,
        starter='answer = ...  # "' + '", "'.join(letters[:-1]) + f'" or "{letters[-1]}"\n',
        solution=f"answer = {letter!r}\n",
        check=check,
        section=choice.section,
        right=(f"answer = {letter.lower()!r}\n", f"answer = {f' {letter} '!r}\n"),
        wrong=tuple(f"answer = {other!r}\n" for other in letters if other != letter)
        + ((f"answer = {LETTERS[count]!r}\n",) if count < 4 else ()),
    )


# ---------------------------------------------------------------- definition lists

_BOLD_TERM = re.compile(r"^\*\*(?P<term>[^*]+?)\*\*\s*(?P<sep>:|\s[—–-]\s|[—–])?\s*(?P<body>.*)$")
_PLAIN_TERM = re.compile(r"^(?P<term>[^:*]+?)(?P<sep>:\s|\s[—–-]\s)\s*(?P<body>.*)$")


@dataclass(frozen=True)
class _Definition:
    term: str
    body: str
    """The full definition text (CommonMark)."""


def _definition(item: str) -> _Definition | None:
    """`**Term**: text`, `**Term:** text`, `Term: text`, `Term — text`; None for other items."""
    if "\n" in item:
        return None
    match = _BOLD_TERM.match(item)
    if match:
        term, body = match["term"].strip(), match["body"].strip()
        if not match["sep"] and not term.endswith(":"):
            return None
        term = term.rstrip(":").strip()
    else:
        match = _PLAIN_TERM.match(item)
        if not match:
            return None
        term, body = match["term"].strip(), match["body"].strip()
    plain = _plain(term)
    if not plain or len(plain) > 40 or len(plain.split()) > 5 or plain.endswith((".", ",", ";")):
        return None
    if not body:
        return None
    return _Definition(term, body)


def _definition_choices(placed: list[_Placed]) -> list[tuple[tuple, _Choice]]:
    found = []
    for position, spot in enumerate(placed):
        block = spot.block
        if not isinstance(block, ListBlock) or len(block.items) < 3 or any(_SUMMARY.search(h.text) for h in spot.trail):
            continue
        parsed = [_definition(item) for item in block.items]
        definitions = [d for d in parsed if d]
        if len(definitions) < 3 or len(definitions) * 4 < len(block.items) * 3:
            continue  # a list of sentences, not of definitions
        terms = [normalize(_plain(d.term)) for d in definitions]
        if len(set(terms)) < len(terms):
            continue
        candidates = []
        for order, definition in enumerate(definitions):
            lead = _lead(definition.body)
            if not lead or _says(lead, definition.term):
                continue
            others = [d.term for d in definitions if d is not definition and not _says(lead, d.term)]
            if len(others) < 2:
                continue
            giveaway = bool(_stems(definition.term) & _stems(lead))
            candidates.append(((giveaway, abs(len(_plain(lead)) - 90), order), definition, lead, others))
        if not candidates:
            continue
        score, definition, lead, others = min(candidates, key=lambda c: c[0])
        rank = (0, score[0], 0 if len(others) >= 3 else 1, position)
        found.append(
            (
                rank,
                _Choice(
                    title="Match the term",
                    question=f"Which term does the tutorial describe like this: «{lead}»?",
                    right=definition.term,
                    distractors=tuple(others),
                    section=spot.section,
                    source="definition",
                ),
            )
        )
    return found


# ---------------------------------------------------------------- FAQ


def _faq_choices(placed: list[_Placed]) -> list[tuple[tuple, _Choice]]:
    pairs = []  # (group key, level, question, answer, heading text, position)
    for position, spot in enumerate(placed[:-1]):
        block, after = spot.block, placed[position + 1].block
        if not isinstance(block, Heading) or not isinstance(after, Paragraph):
            continue
        question = _title(block.text)
        if not _plain(question).endswith("?") or len(_plain(question)) > MAX_TEXT:
            continue
        answer = _lead(after.text)
        if not answer:
            continue
        pairs.append((spot.parent, block.level, question, answer, block.text, position))
    groups: dict = {}
    for pair in pairs:
        groups.setdefault((pair[0], pair[1]), []).append(pair)
    usable = [group for group in groups.values() if len(group) >= 3]
    if not usable:
        by_level: dict = {}
        for pair in pairs:
            by_level.setdefault(pair[1], []).append(pair)
        usable = [group for group in by_level.values() if len(group) >= 3]
    found = []
    for group in usable:
        for order, (_, _, question, answer, heading, position) in enumerate(group):
            others = tuple(p[3] for p in group if p[3] is not answer)
            found.append(
                (
                    (1, order, position),
                    _Choice(
                        title="FAQ",
                        question=f"What does the tutorial answer to «{question}»?",
                        right=answer,
                        distractors=others,
                        section=heading,
                        source="faq",
                    ),
                )
            )
    return found


# ---------------------------------------------------------------- common mistakes

_LABEL = r"^(?:\*\*)?(?:the\s+)?(?P<label>{words})(?:\*\*)?\s*:\s*(?:\*\*)?\s*(?P<text>.*)$"
_MISTAKE = re.compile(_LABEL.format(words=r"mistake|problem|incorrect|pitfall|wrong"), re.IGNORECASE)
_FIX = re.compile(_LABEL.format(words=r"fix|solution|correct|right"), re.IGNORECASE)
_MISTAKE_HEADING = re.compile(r"^(?:the\s+)?mistake\s*\d*\s*:\s*(?P<text>.+)$", re.IGNORECASE)
_MISTAKES_SECTION = re.compile(r"mistake|pitfall|gotcha|anti-?pattern", re.IGNORECASE)


@dataclass(frozen=True)
class _Mistake:
    mistake: str
    fix: str
    section: str
    position: int


def _mistakes(placed: list[_Placed]) -> list[_Mistake]:
    found: list[_Mistake] = []
    pending: tuple[str, str] | None = None  # (mistake text, section) said explicitly
    titled: tuple[str, str] | None = None  # (heading title, heading) under a mistakes section
    last_heading = ""
    for position, spot in enumerate(placed):
        block = spot.block
        if isinstance(block, Heading):
            match = _MISTAKE_HEADING.match(_title(block.text)) or _MISTAKE_HEADING.match(block.text)
            explicit = _MISTAKE.match(block.text)
            pending, titled = None, None
            if explicit and explicit["label"].casefold() == "mistake" and explicit["text"]:
                # A heading that is itself "The Mistake: ..." belongs to the section before it.
                pending = (explicit["text"], last_heading)
            elif match:
                titled = (match["text"], block.text)
            elif any(_MISTAKES_SECTION.search(h.text) for h in spot.trail):
                titled = (_title(block.text), block.text)
            last_heading = block.text
            continue
        if not isinstance(block, Paragraph):
            continue
        mistake = _MISTAKE.match(block.text)
        if mistake and mistake["text"]:
            pending = (mistake["text"], spot.section)
            continue
        fix = _FIX.match(block.text)
        if not fix or not fix["text"]:
            continue
        source = pending or titled
        pending, titled = None, None
        if not source:
            continue
        text, section = source
        text, remedy = _lead(text) or "", _lead(fix["text"], enough=80)
        if len(_plain(text)) < 8 or not remedy:
            continue
        found.append(_Mistake(text, remedy, section, position))
    return found


def _mistake_choices(placed: list[_Placed]) -> list[tuple[tuple, _Choice]]:
    mistakes = _mistakes(placed)
    if len(mistakes) < 3:
        return []
    found = []
    for order, item in enumerate(mistakes):
        others = tuple(m.fix for m in mistakes if m is not item)
        found.append(
            (
                (2, order, item.position),
                _Choice(
                    title="Fix the mistake",
                    question=f"Which fix does the tutorial give for this mistake: «{item.mistake}»?",
                    right=item.fix,
                    distractors=others,
                    section=item.section,
                    source="mistake",
                ),
            )
        )
    return found


# ---------------------------------------------------------------- picking


def _interleave(*ranked: list) -> list:
    """One of each source in turn (the preferred source first), then the rest in the same turn."""
    queues = [list(q) for q in ranked]
    out = []
    while any(queues):
        for queue in queues:
            if queue:
                out.append(queue.pop(0))
    return out


def multiple_choice(doc: Document) -> list[Exercise]:
    """Up to three multiple-choice questions: definitions, then FAQ, then common mistakes."""
    placed = _walk(doc)
    sources = [
        [c for _, c in sorted(_definition_choices(placed), key=lambda rc: rc[0])],
        [c for _, c in sorted(_faq_choices(placed), key=lambda rc: rc[0])],
        [c for _, c in sorted(_mistake_choices(placed), key=lambda rc: rc[0])],
    ]
    exercises: list[Exercise] = []
    asked: list[str] = []
    for choice in _interleave(*sources):
        if len(exercises) >= MAX_PER_KIND:
            break
        if any(_same(choice.right, seen) for seen in asked):
            continue
        exercise = _choice_exercise(choice)
        if exercise and not _leaks(exercise, [choice.right]):
            exercises.append(exercise)
            asked.append(choice.right)
    return exercises


# ---------------------------------------------------------------- order the steps

_STEP_HEADING = re.compile(r"^step\s*(?P<n>\d+)\s*(?:[:.)]|\\\.|[-–—])\s*(?P<title>.+)$", re.IGNORECASE)
_NUMBERED_HEADING = re.compile(r"^(?P<n>\d+)\\?[.)]\s+(?P<title>.+)$")
_STEPWISE = re.compile(r"\bsteps?\b|step-by-step|workflow", re.IGNORECASE)
_STEPWISE_INTRO = re.compile(r"\bsteps?\b|step-by-step|workflow|how it works", re.IGNORECASE)


@dataclass(frozen=True)
class _Steps:
    titles: tuple[str, ...]
    section: str
    position: int
    from_headings: bool


def _step_groups(placed: list[_Placed]) -> list[_Steps]:
    groups: list[_Steps] = []
    # "Step 1: ..." headings (or "1. ..." headings under a step-by-step heading).
    current: list[tuple[int, str, _Placed]] = []

    def close() -> None:
        if len(current) >= 3:
            first = current[0][2]
            shared = first.section and all(spot.parent == first.parent for _, _, spot in current)
            parent = first.section if shared else first.block.text
            titles = tuple(t for _, t, _ in current)
            groups.append(_Steps(titles, parent, first.index, True))
        current.clear()

    for spot in placed:
        block = spot.block
        if not isinstance(block, Heading):
            continue
        match = _STEP_HEADING.match(block.text)
        if not match and spot.trail and _STEPWISE.search(spot.trail[-1].text):
            match = _NUMBERED_HEADING.match(block.text)
        if not match:
            continue  # "Step 3" may follow sub-headings of step 2
        number = int(match["n"])
        if current and (number != current[-1][0] + 1 or block.level != current[0][2].block.level):
            close()
        if not current and number != 1:
            continue
        current.append((number, match["title"].strip(), spot))
    close()
    # Ordered lists of steps under a step-by-step heading or after "follow these steps:".
    for position, spot in enumerate(placed):
        block = spot.block
        if not isinstance(block, ListBlock) or not block.ordered or len(block.items) < 3:
            continue
        before = placed[position - 1].block if position else None
        intro = before.text if isinstance(before, Paragraph) else ""
        if not (_STEPWISE.search(spot.section) or (_STEPWISE_INTRO.search(intro) and intro.rstrip().endswith(":"))):
            continue
        titles = []
        for item in block.items:
            definition = _definition(item)
            title = definition.term if definition else item
            if "\n" in title or len(_plain(title)) > 90:
                break
            titles.append(title)
        else:
            groups.append(_Steps(tuple(titles), spot.section, spot.index, False))
    usable = []
    for group in groups:
        titles = group.titles[:MAX_STEPS]
        plain = [normalize(_plain(t)) for t in titles]
        if len(set(plain)) == len(plain) and all(3 <= len(p) <= 90 for p in plain):
            usable.append(_Steps(titles, group.section, group.position, group.from_headings))
    usable.sort(key=lambda g: (not g.from_headings, g.position))
    return usable


def _order_exercise(steps: _Steps, *, what: str = "steps") -> Exercise:
    count = len(steps.titles)
    seed = "\x00".join(steps.titles)
    shown = sorted(range(count), key=lambda i: _hash(f"{seed}\x00{i}"))
    if shown == list(range(count)):
        shown = shown[1:] + shown[:1]
    labels = LETTERS[:count]
    answer = "".join(labels[shown.index(step)] for step in range(count))
    options = [steps.titles[i] for i in shown]
    where = f" in «{steps.section}»" if steps.section else ""
    prompt = (
        f"Put the tutorial's {what}{where} in order:\n\n{_options_markdown(options)}\n\n"
        f"Set `answer` to the letters in the tutorial's order, first {what[:-1]} first, as one string "
        "(commas and spaces are fine)."
    )
    check = _check(
        [
            '_order = "".join(ch for ch in str(answer) if ch.isalnum())',
            f"assert len(_order) == {count}, {f'Give all {count} letters, each once.'!r}",
            f"assert _digest(_order) == {digest(answer)!r}, {_wrong(steps.section, [])!r}",
        ],
        "✅ Correct: that is the tutorial's order.",
    )
    return Exercise(
        kind="short",
        title=f"Order the {what}",
        prompt=prompt,
        starter=f'answer = ...  # the letters {", ".join(labels)} in order, as one string\n',
        solution=f"answer = {answer!r}\n",
        check=check,
        section=steps.section,
        right=(f"answer = {', '.join(answer.lower())!r}\n", f"answer = {' '.join(answer)!r}\n"),
        wrong=(f"answer = {answer[::-1]!r}\n", f"answer = {answer[1] + answer[0] + answer[2:]!r}\n",
               f"answer = {answer[:-1]!r}\n"),
    )


def _leaks(exercise: Exercise, answers: Sequence[str]) -> bool:
    """Does the check show an answer as text (outside the digests)?"""
    readable = re.sub(r"'[0-9a-f]{16}'", "", exercise.check).casefold()
    return any(_plain(a) and _plain(a).casefold() in readable for a in answers if len(_plain(a)) > 1)


def short_answer(doc: Document) -> list[Exercise]:
    """Up to three "order the steps" exercises: a procedure the tutorial lists as steps, scrambled.
    Step *headings* are left alone: ordering them asks for the article's outline, not the procedure."""
    return [_order_exercise(s) for s in _step_groups(_walk(doc)) if not s.from_headings][:MAX_PER_KIND]
