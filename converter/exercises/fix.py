"""Exercise generator: fix the bug the tutorial warns about.

Finds "incorrect vs correct" material whose correct version is runnable Python:
    (a) one code block with both parts, marked by comments (`# Incorrect` /
        `# Wrong` / `# Bad` ... `# Correct` / `# Right` / `# Good`), or
    (b) two code blocks in a row, introduced by prose such as "Incorrect:" and
        "Correct:" (or Before/After, Don't/Do, Bad/Good, Wrong/Right).
The starter is the broken version (wrapped in try/except, so that the cell
reports an error instead of stopping the notebook), the solution the correct
one. The check compares behaviour: it runs the tutorial's correct version
(compressed in the check: it is the answer; learner copies hold only digests of what it does) in a copy of the notebook's
namespace and compares the values the code leaves in its variables (`repr`),
or what the functions it defines return for the tutorial's own calls, with
the learner's. Nothing runs at convert time: `course check` proves that the
broken version fails the check and the correct one passes, and an offer it
disproves (both versions behave the same, say) is dropped at the next convert.
"""

from __future__ import annotations

import ast
import re

from .. import python_code as py
from ..document import CodeBlock, Document, Exercise, Heading, Paragraph
from .checks import EXACT_DIGEST, packed, reference
from .predict import RUNNING, context_for, fenced, impure, needs_of, section_of, top_binds

MAX_OFFERS = 2
_BAD = r"(?:❌\s*)?(?:incorrect|wrong|bad|before|don[’']t|do not|avoid|the mistake|mistake|buggy|broken)"
_GOOD = r"(?:✅\s*)?(?:correct(?:ed)?|right|good|after|do|the fix|fix(?:ed)?|better|instead)"
# prose that introduces a block: "**Incorrect:**", "Before (slow):", "❌ Don't do this:"
_PROSE_BAD = re.compile(rf"^[\W_]*{_BAD}\b[^:\n]{{0,40}}:", re.I)
_PROSE_GOOD = re.compile(rf"^[\W_]*{_GOOD}\b[^:\n]{{0,40}}:", re.I)
_PROSE_EMOJI_BAD = re.compile(r"^\W*❌")
_PROSE_EMOJI_GOOD = re.compile(r"^\W*✅")
# comment markers inside one block: "# Incorrect", "# ❌ Wrong way", "# Good:"
_COMMENT_BAD = re.compile(rf"^\s*#\s*{_BAD}\b", re.I)
_COMMENT_GOOD = re.compile(rf"^\s*#\s*{_GOOD}\b", re.I)


def fix_the_bug(doc: Document) -> list[Exercise]:
    """Offer "fix the bug" exercises, best first."""
    found = []
    for index, bad, good, explanation in _pairs(doc):
        exercise = _exercise(doc, index, bad, good, explanation)
        if exercise is not None:
            found.append(exercise)
        if len(found) >= MAX_OFFERS:
            break
    return found


# --- finding the pairs -----------------------------------------------------------------------


def _pairs(doc: Document) -> list[tuple[int, str, str, str]]:
    """(block index, broken code, correct code, what the tutorial says about the mistake)."""
    pairs = []
    blocks = doc.blocks
    for index, block in enumerate(blocks):
        if not _python(block):
            continue
        if block.status in (*RUNNING, "raises"):
            split = _split_marked(block.code)
            if split:
                before = blocks[index - 1] if index else None
                pairs.append((index, *split, before.text.strip() if isinstance(before, Paragraph) else ""))
                continue
        intro = _prose_before(blocks, index)
        if not (_PROSE_BAD.match(intro) or _PROSE_EMOJI_BAD.match(intro)):
            continue
        following = _next_code(blocks, index)
        if following is None:
            continue
        between, other = following
        if not (_PROSE_GOOD.match(between) or _PROSE_EMOJI_GOOD.match(between)):
            continue
        if _python(blocks[other]) and blocks[other].status in RUNNING:
            pairs.append((index, _code_of(block), blocks[other].code, intro))
    return pairs


def _python(block) -> bool:
    return isinstance(block, CodeBlock) and block.language == "python" and block.status != "setup"


def _code_of(block: CodeBlock) -> str:
    """The broken version as the tutorial wrote it."""
    return block.original or block.code


def _prose_before(blocks, index: int) -> str:
    for block in reversed(blocks[max(0, index - 2):index]):
        if isinstance(block, (Paragraph, Heading)):
            return block.text.strip()
        if isinstance(block, CodeBlock):
            return ""
    return ""


def _next_code(blocks, index: int) -> tuple[str, int] | None:
    """The prose between block `index` and the next code block (at most two blocks on), and its index."""
    texts = []
    for other in range(index + 1, min(len(blocks), index + 4)):
        block = blocks[other]
        if isinstance(block, CodeBlock):
            return ("\n".join(texts[-1:]), other) if texts else None
        if isinstance(block, (Paragraph, Heading)):
            texts.append(block.text.strip())
        else:
            return None
    return None


def _split_marked(code: str) -> tuple[str, str] | None:
    """(shared lines + broken part, shared lines + correct part) of a block marked with comments."""
    lines = code.splitlines()
    bad = next((n for n, line in enumerate(lines) if _COMMENT_BAD.match(line)), None)
    good = next((n for n, line in enumerate(lines) if _COMMENT_GOOD.match(line)), None)
    if bad is None or good is None or bad == good:
        return None
    shared = lines[: min(bad, good)]
    if bad < good:
        broken, fixed = lines[bad:good], lines[good:]
    else:
        fixed, broken = lines[good:bad], lines[bad:]
    return "\n".join(shared + broken).strip("\n"), "\n".join(shared + fixed).strip("\n")


# --- the exercise ----------------------------------------------------------------------------


def _values(tree: ast.Module) -> list[str]:
    """Variables the code binds at module level (not functions, classes or modules)."""
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
            continue
        for sub in py.walk(node):
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                break
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target] if isinstance(
                sub, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                for name in py.walk(target):
                    if isinstance(name, ast.Name) and not name.id.startswith("_") and name.id not in names:
                        names.append(name.id)
    return names



def _calls(tree: ast.Module) -> list[tuple[str, str]]:
    """(function, argument source) for the calls the code makes, with literal arguments, to the
    functions it defines at module level, in order."""
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    found = []
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        for node in py.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in defined:
                if all(py.is_literal(a) and not isinstance(a, ast.Starred) for a in node.args) and not node.keywords:
                    found.append((node.func.id, "".join(f"{ast.unparse(a)}, " for a in node.args)))
    return found[:6]


def _exercise(doc: Document, index: int, bad: str, good: str, explanation: str) -> Exercise | None:
    bad_tree, good_tree = _parse(bad), _parse(good)
    if bad_tree is None or good_tree is None or impure(good_tree):
        return None  # results that vary from run to run can't be compared
    own = set()
    for tree in (bad_tree, good_tree):
        for node in tree.body:
            own |= top_binds(node)
    # What both versions read must be defined once, before them: else "the correct
    # version's results" would depend on where in the notebook the check runs.
    if context_for(doc, (needs_of(bad_tree) | needs_of(good_tree)) - own) is None:
        return None
    names, calls = _values(good_tree), _calls(good_tree)
    starter, solution = _strip_markers(bad), _strip_markers(good)
    if names:
        setup = f"# Forget the tutorial's own results, so the check sees yours.\nfor _name in {names!r}:\n    globals().pop(_name, None)\n"
        check = _state_check(names, solution)
    elif calls:
        setup = ""
        shown = ", ".join(f"`{name}({args.rstrip(', ')})`" for name, args in calls[:3])
        message = f"Not fixed yet: {shown} still behave(s) like the broken version. Run your fixed cell, then the check."
        check = _calls_check([f"{name}({args})" for name, args in calls], message, solution)
    else:
        return None
    if not _only_definitions(bad_tree):
        starter, solution = _guarded(starter), _guarded(solution)
    block = doc.blocks[index]
    what = " (it raises an error)" if isinstance(block, CodeBlock) and block.status == "raises" else ""
    said = f"\n\nWhat the tutorial says about it: {explanation}" if explanation else ""
    prompt = (
        f"The tutorial shows this code as a mistake{what}:\n\n{fenced(bad)}{said}\n\n"
        "Fix the code in the cell below so that it works the way the tutorial's correct version does, "
        "run it, then run the check."
    )
    return Exercise(
        kind="fix", title="Fix the bug", prompt=prompt, starter=starter + "\n",
        solution=solution + "\n", check=check, section=section_of(doc, index), setup=setup,
    )


def _parse(code: str) -> ast.Module | None:
    tree = py.parse(code)
    return tree if tree is not None and tree.body else None


def _only_definitions(tree: ast.Module) -> bool:
    return all(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom))
               for n in tree.body)


def _strip_markers(code: str) -> str:
    """The code without the comment lines that say which version is which."""
    return "\n".join(line for line in code.splitlines()
                     if not (_COMMENT_BAD.match(line) or _COMMENT_GOOD.match(line))).strip("\n")


def _guarded(code: str) -> str:
    body = "\n".join(("    " + line) if line.strip() else "" for line in code.splitlines())
    return (
        "try:\n" + body + "\n"
        "except Exception as error:\n"
        "    print(f\"It still fails: {type(error).__name__}: {error}\")\n"
    )


# Both checks run the tutorial's correct version in a copy of the notebook's namespace
# (without the learner's results) and compare what it leaves with what the learner's code
# left, by digest (learner copies hold the digests, not the correct version).
_RUN_CORRECT = '''\
import base64 as _base64, zlib as _zlib
_correct = _zlib.decompress(_base64.b64decode({correct!r})).decode()
_reference = {{k: v for k, v in globals().items() if k not in {names!r}}}
try:
    with _contextlib.redirect_stdout(_io.StringIO()):
        exec(_correct, _reference)
except Exception as _error:
    raise AssertionError(
        f"The tutorial's correct version failed here ({{type(_error).__name__}}): run the cells above first."
    ) from None
'''

_IMPORTS = "import contextlib as _contextlib, io as _io\n"

_STATE_REFERENCE = _RUN_CORRECT + '''\
_expected = {{}}
for _name in {names!r}:
    _want = repr(_reference.get(_name, ...))
    if _name in _reference and " at 0x" not in _want:  # else nothing to compare: unset, or an address
        _expected[_name] = _sha(_want)
'''

_STATE_CHECK = '''
_compared = 0
for _name, _want in _expected.items():
    if _name not in globals():
        raise AssertionError(f"`{_name}` is not set: run your fixed code (it must get to the end) first.")
    try:
        _seen = repr(globals()[_name])
    except Exception as _error:
        raise AssertionError(f"Could not read `{_name}`: {type(_error).__name__}.") from None
    if _sha(_seen) != _want:
        raise AssertionError(f"`{_name}` doesn't hold what the correct code gives yet. Look at the mistake again.")
    _compared += 1
assert _compared, "Nothing to compare: run the tutorial's cells above, then your fixed code."
print("✅ Fixed! Your code now behaves like the tutorial's correct version.")
'''

_OUTCOMES = '''
def _outcomes(namespace):
    found = []
    for _call in {calls!r}:
        try:
            with _contextlib.redirect_stdout(_io.StringIO()):
                found.append(_sha(repr(eval(_call, namespace))))
        except Exception as _error:
            found.append("raises " + type(_error).__name__)
    return found

'''

_CALLS_REFERENCE = _RUN_CORRECT.replace("{names!r}", "[]") + "_expected = _outcomes(_reference)\n"

_CALLS_CHECK = '''
if _outcomes(dict(globals())) != _expected:
    raise AssertionError({message!r})
print("✅ Fixed! The functions now behave like the tutorial's correct version.")
'''


def _state_check(names: list[str], solution: str) -> str:
    """Compares the values the code leaves in `names` with the correct version's."""
    return (EXACT_DIGEST + _IMPORTS + "\n" + reference(_STATE_REFERENCE.format(names=names, correct=packed(solution)))
            + _STATE_CHECK)


def _calls_check(calls: list[str], message: str, solution: str) -> str:
    """Compares what the code's own calls return with what they return in the correct version."""
    return (EXACT_DIGEST + _IMPORTS + _OUTCOMES.format(calls=calls)
            + reference(_CALLS_REFERENCE.format(correct=packed(solution))) + _CALLS_CHECK.format(message=message))
