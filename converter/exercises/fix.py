"""Exercise generator: fix the bug the tutorial warns about.

Finds "incorrect vs correct" material whose correct version is runnable Python:
    (a) one code block with both parts, marked by comments (`# Incorrect` /
        `# Wrong` / `# Bad` ... `# Correct` / `# Right` / `# Good`), or
    (b) two code blocks in a row, introduced by prose such as "Incorrect:" and
        "Correct:" (or Before/After, Don't/Do, Bad/Good, Wrong/Right).
The starter is the broken version (wrapped in try/except when it raises, so
the cell reports the error instead of stopping), the solution the correct one.
The check compares behaviour by digest: either the values the code leaves in
its variables (`repr`), or what the functions it defines return for the
tutorial's own calls. Both versions run in a sandboxed subprocess first; the
exercise is offered only when they differ and the contract holds.
"""

from __future__ import annotations

import ast
import json
import re

from .. import python_code as py
from ..document import CodeBlock, Document, Exercise, Heading, Paragraph
from .checks import CHECK_HELPERS, digest
from .predict import RUNNING, context_for, contract_holds, fenced, needs_of, run_twice, section_of, top_binds

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
_ADDRESS = re.compile(r"0x[0-9a-f]{4,}|<[\w.]+ object", re.I)


def fix_the_bug(doc: Document) -> list[Exercise]:
    """Offer "fix the bug" exercises, best first."""
    found = []
    for index, bad, good, explanation in _pairs(doc):
        exercise, context = _exercise(doc, index, bad, good, explanation)
        if exercise is not None and contract_holds(exercise, context):
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
        for sub in ast.walk(node):
            if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                break
            targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target] if isinstance(
                sub, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                for name in ast.walk(target):
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
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in defined:
                if all(py.is_literal(a) and not isinstance(a, ast.Starred) for a in node.args) and not node.keywords:
                    found.append((node.func.id, "".join(f"{ast.unparse(a)}, " for a in node.args)))
    return found[:6]


_PROBE_VALUES = '''\
import json as _json
_probe = {{}}
for _name in {names!r}:
    if _name in globals():
        try:
            _probe[_name] = repr(globals()[_name])
        except Exception:
            pass
print(_json.dumps(_probe))
'''

_OUTCOMES = '''\
import contextlib as _contextlib
import io as _io

def _outcome(function, args):
    try:
        with _contextlib.redirect_stdout(_io.StringIO()):
            return repr(function(*args))
    except Exception as error:
        return "raises " + type(error).__name__

_outcomes = []
{calls}
'''


def _outcomes_code(calls: list[tuple[str, str]]) -> str:
    lines = "\n".join(
        f"_outcomes.append(_outcome({name}, ({args}))) if {name!r} in globals() else _outcomes.append('missing')"
        for name, args in calls
    )
    return _OUTCOMES.format(calls=lines)


def _exercise(doc: Document, index: int, bad: str, good: str, explanation: str) -> tuple[Exercise | None, str]:
    bad_tree, good_tree = _parse(bad), _parse(good)
    if bad_tree is None or good_tree is None:
        return None, ""
    own = set()
    for tree in (bad_tree, good_tree):
        for node in tree.body:
            own |= top_binds(node)
    needed = (needs_of(bad_tree) | needs_of(good_tree)) - own
    context = context_for(doc, needed)
    if context is None:
        return None, ""
    names = _values(good_tree)
    calls = _calls(good_tree)
    probe = _PROBE_VALUES.format(names=names)
    outcomes = _outcomes_code(calls) + "print(' | '.join(_outcomes))\n"
    results = run_twice([
        {"code": context, "fresh": True}, {"code": bad}, {"code": probe}, {"code": outcomes},
        {"code": context, "fresh": True}, {"code": good}, {"code": probe}, {"code": outcomes},
    ])
    if results is None or results[5]["error"] or results[6]["error"] or results[7]["error"]:
        return None, ""
    raised = results[1]["error"]
    bad_values, good_values = _json(results[2]["out"]), _json(results[6]["out"])
    keys = [n for n in names if n in good_values and not _ADDRESS.search(good_values[n])
            and (raised or bad_values.get(n) != good_values[n])]
    if keys:
        setup = f"# Forget the tutorial's own results, so the check sees yours.\nfor _name in {keys!r}:\n    globals().pop(_name, None)\n"
        check = _state_check(keys, {n: digest(good_values[n]) for n in keys})
    elif calls and results[3]["out"] != results[7]["out"] and not _ADDRESS.search(results[7]["out"]):
        setup = ""
        check = _calls_check(calls, digest(results[7]["out"].strip()))
    else:
        return None, ""
    starter, solution = (_guarded(bad), _guarded(good)) if raised else (bad, good)
    what = f" (it raises `{raised}`)" if raised else ""
    said = f"\n\nWhat the tutorial says about it: {explanation}" if explanation else ""
    prompt = (
        f"The tutorial shows this code as a mistake{what}:\n\n{fenced(bad)}{said}\n\n"
        "Fix the code in the cell below so that it works the way the tutorial's correct version does, "
        "run it, then run the check."
    )
    exercise = Exercise(
        kind="fix", title="Fix the bug", prompt=prompt, starter=_strip_markers(starter) + "\n",
        solution=_strip_markers(solution) + "\n", check=check, section=section_of(doc, index), setup=setup,
    )
    return exercise, context


def _parse(code: str) -> ast.Module | None:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    return tree if tree.body else None


def _json(text: str) -> dict:
    try:
        return json.loads(text.strip().splitlines()[-1]) if text.strip() else {}
    except ValueError:
        return {}


def _strip_markers(code: str) -> str:
    """The code without the comment lines that say which version is which."""
    return "\n".join(line for line in code.splitlines()
                     if not (_COMMENT_BAD.match(line) or _COMMENT_GOOD.match(line))).strip("\n")


def _guarded(code: str) -> str:
    body = "\n".join(("    " + line) if line.strip() else "" for line in _strip_markers(code).splitlines())
    return (
        "try:\n" + body + "\n"
        "except Exception as error:\n"
        "    print(f\"It still fails: {type(error).__name__}: {error}\")\n"
    )


def _state_check(keys: list[str], digests: dict[str, str]) -> str:
    lines = [CHECK_HELPERS, f"_expected = {digests!r}", ""]
    lines.append(
        "for _name, _want in _expected.items():\n"
        "    if _name not in globals():\n"
        "        raise AssertionError(f\"`{_name}` is not set: run your fixed code (it must get to the end) first.\")\n"
        "    try:\n"
        "        _seen = repr(globals()[_name])\n"
        "    except Exception as _error:\n"
        "        raise AssertionError(f\"Could not read `{_name}`: {type(_error).__name__}.\") from None\n"
        "    if _digest(_seen) != _want:\n"
        "        raise AssertionError(f\"`{_name}` doesn't hold what the correct code gives yet. Look at the mistake again.\")\n"
        "print(\"✅ Fixed! Your code now behaves like the tutorial's correct version.\")\n"
    )
    return "\n".join(lines)


def _calls_check(calls: list[tuple[str, str]], expected: str) -> str:
    shown = ", ".join(f"`{name}({args.rstrip(', ')})`" for name, args in calls[:3])
    return (
        CHECK_HELPERS + "\n" + _outcomes_code(calls)
        + f"if _digest(' | '.join(_outcomes)) != {expected!r}:\n"
        + f"    raise AssertionError({('Not fixed yet: ' + shown + ' still behave(s) like the broken version. Run your fixed cell, then the check.')!r})\n"
        + "print(\"✅ Fixed! The functions now behave like the tutorial's correct version.\")\n"
    )
