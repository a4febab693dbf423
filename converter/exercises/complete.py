"""Exercise generator: complete a function from the tutorial.

Picks a small, pure function a running cell defines and the tutorial itself
calls with literal arguments (its "usage"). The starter is the function under
a new name (`my_<name>`) with one step blanked out as `...`; the check calls
the learner's function and the tutorial's own (still defined in the kernel) on
the usage arguments and compares the results: behaviour, never a literal.

Declined (static analysis only): async functions (a check would need
top-level `await`, which plain exec and our contract tests don't run),
generators, decorated functions, functions whose results depend on the run
(I/O, sleep, time, randomness: the comparison would be flaky), functions the
tutorial defines twice, and functions nobody calls with literal arguments.
Convert proposes; `course check` proves the contract in the notebook, and a
disproved offer is dropped at the next convert.
"""

from __future__ import annotations

import ast

from .. import python_code as py
from ..document import Document, Exercise
from .mutants import mutants
from .predict import context_for, impure, running_blocks, section_of, statements

MAX_OFFERS = 2
MAX_CASES = 4
MAX_STATEMENTS = 8


def complete_the_code(doc: Document) -> list[Exercise]:
    """Offer "complete the function" exercises, best first."""
    stmts = statements(doc)
    bound: dict[str, int] = {}
    for s in stmts:
        for name in s.binds:
            bound[name] = bound.get(name, 0) + 1
    found = []
    for index, block, tree in running_blocks(doc):
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef) or bound.get(node.name) != 1 or not _suitable(node):
                continue
            cases = _usage(doc, node.name, index)
            if not cases:
                continue
            # What the function needs must be defined once, by code whose results don't vary.
            context = context_for(doc, {node.name})
            if context is None or impure(ast.parse(context)):
                continue
            exercise = _exercise(doc, index, block.code, node, cases)
            if exercise:
                found.append(exercise)
            if len(found) >= MAX_OFFERS:
                return found
    return found


def _body(node: ast.FunctionDef) -> list[ast.stmt]:
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def _suitable(node: ast.FunctionDef) -> bool:
    body = _body(node)
    if node.decorator_list or not 1 <= len(body) <= MAX_STATEMENTS:
        return False
    if sum(isinstance(n, ast.stmt) for n in py.walk(node)) > MAX_STATEMENTS + 6:
        return False
    if impure(node):
        return False
    returns = [n for n in py.walk(node) if isinstance(n, ast.Return)]
    return any(r.value is not None and not (isinstance(r.value, ast.Constant) and r.value.value is None) for r in returns)


# --- usage: the tutorial's own calls with literal arguments ---------------------------------



def _usage(doc: Document, name: str, start: int) -> list[str]:
    """Argument lists (source text, e.g. "100_000" or "5, 5") the tutorial calls `name` with."""
    literal_lists: dict[str, list[ast.expr]] = {}
    for s in statements(doc):
        if isinstance(s.node, ast.Assign) and len(s.node.targets) == 1 and isinstance(s.node.targets[0], ast.Name):
            value = s.node.value
            if isinstance(value, (ast.List, ast.Tuple)) and py.is_literal(value):
                literal_lists[s.node.targets[0].id] = list(value.elts)
    cases: list[str] = []
    for index, block, tree in running_blocks(doc):
        if index < start:
            continue
        for node in py.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Name) and node.func.id == name:
                if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
                    continue
                if all(py.is_literal(a) for a in node.args) and all(py.is_literal(k.value) for k in node.keywords):
                    parts = [ast.unparse(a) for a in node.args] + [f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords]
                    cases.append(", ".join(parts))
            elif _is_map(node) and isinstance(node.args[0], ast.Name) and node.args[0].id == name and len(node.args) == 2:
                items = node.args[1]
                elements = literal_lists.get(items.id, []) if isinstance(items, ast.Name) else (
                    list(items.elts) if isinstance(items, (ast.List, ast.Tuple)) and py.is_literal(items) else [])
                cases += [ast.unparse(e) for e in elements]
    unique = list(dict.fromkeys(cases))
    return (unique + _nearby(unique))[:MAX_CASES] if unique else []


def _is_map(node: ast.Call) -> bool:
    return (isinstance(node.func, ast.Name) and node.func.id == "map") or (
        isinstance(node.func, ast.Attribute) and node.func.attr == "map")


def _nearby(cases: list[str]) -> list[str]:
    """One more case next to the first: small int arguments moved by one."""
    tree = ast.parse(f"f({cases[0]})", mode="eval").body
    args = [ast.literal_eval(a) for a in tree.args]
    if tree.keywords or not args or not all(type(a) is int for a in args):
        return []
    extra = ", ".join(str(a + 1) for a in args)
    return [extra] if extra not in cases else []


# --- the exercise ----------------------------------------------------------------------------


def _blank_target(node: ast.FunctionDef) -> ast.expr | None:
    """The expression to blank out: the returned expression, or what computes the returned name."""
    body = _body(node)
    last = body[-1]
    if not isinstance(last, ast.Return) or last.value is None:
        return None
    if not isinstance(last.value, (ast.Name, ast.Constant)):
        return last.value
    if isinstance(last.value, ast.Name):
        target = last.value.id
        found = None
        for sub in py.walk(ast.Module(body=body[:-1], type_ignores=[])):
            if isinstance(sub, ast.Assign) and any(isinstance(t, ast.Name) and t.id == target for t in sub.targets):
                found = sub.value if not isinstance(sub.value, (ast.Name, ast.Constant)) else found
            elif isinstance(sub, ast.AugAssign) and isinstance(sub.target, ast.Name) and sub.target.id == target:
                found = sub.value if not isinstance(sub.value, ast.Constant) else found
        return found
    return None


def _exercise(doc: Document, index: int, cell: str, node: ast.FunctionDef, cases: list[str]) -> Exercise | None:
    source = ast.get_source_segment(cell, node)
    if not source:
        return None
    indent = " " * node.col_offset
    source = "\n".join(line[len(indent):] if line.startswith(indent) else line for line in source.splitlines())
    tree = ast.parse(source)
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    target = _blank_target(func)
    if target is None:
        return None
    name, mine = func.name, f"my_{func.name}"
    lines = source.splitlines()
    first, last = target.lineno - 1, target.end_lineno - 1
    blanked = lines[first][: target.col_offset] + "...  # TODO: complete" + lines[last][target.end_col_offset:].rstrip()
    starter_lines = lines[:first] + [blanked] + lines[last + 1:]
    starter = _rename("\n".join(starter_lines), name, mine)
    solution = _rename(source, name, mine)
    if ast.dump(ast.parse(starter)) == ast.dump(ast.parse(solution)):
        return None
    cases_src = "[\n" + "".join(f"    ({_args_tuple(c)}),\n" for c in cases) + "]"
    check = _CHECK.format(name=name, mine=mine, cases=cases_src)
    usage = ", ".join(f"`{name}({c})`" for c in cases[:2])
    prompt = (
        f"The tutorial defines `{name}()` and calls it, for instance {usage}. "
        f"Below is a copy named `{mine}()` with one step missing (the `...` marked `# TODO: complete`). "
        f"Fill it in so that `{mine}()` returns the same results as the tutorial's `{name}()`, "
        "then run the check. Try it without scrolling up to the tutorial's version."
    )
    # Correct variants: the missing step in parentheses, a comment added. Wrong answers: the
    # step with a slip in it (a boundary, an operator), or nothing returned.
    step = "\n".join(lines[first:last + 1])[target.col_offset:]
    step = step[: len(step) - (len(lines[last]) - target.end_col_offset)] if first == last else None
    right = [f"# my version\n{solution}\n"]
    if step is not None:
        right.append(_rename("\n".join(lines[:first] + [lines[first][: target.col_offset] + f"({step})" + lines[last][target.end_col_offset:]] + lines[last + 1:]), name, mine) + "\n")
    slips = [m.code for m in mutants(solution, "python") if m.rank <= 2 and m.line - 1 in range(first, last + 1)]
    guesses = [a.arg for a in func.args.args[:1]] + ["None", "0"]  # an argument back, nothing, zero
    wrong = [*slips[:2], *(starter.replace("...  # TODO: complete", guess) + "\n" for guess in guesses)][:4]
    return Exercise(
        kind="complete", title=f"Complete `{name}()`", prompt=prompt, starter=starter + "\n",
        solution=solution + "\n", check=check, section=section_of(doc, index),
        right=tuple(right), wrong=tuple(dict.fromkeys(wrong)),
    )


def _args_tuple(case: str) -> str:
    """Source of an (args, kwargs) pair for one case, e.g. "(5, 5), {}"."""
    call = ast.parse(f"f({case})", mode="eval").body
    args = "(" + "".join(f"{ast.unparse(a)}, " for a in call.args) + ")"
    kwargs = "{" + ", ".join(f"{k.arg!r}: {ast.unparse(k.value)}" for k in call.keywords) + "}"
    return f"{args}, {kwargs}"


def _rename(source: str, old: str, new: str) -> str:
    """The definition under its new name (the header only: recursive calls may keep the old one)."""
    return source.replace(f"def {old}(", f"def {new}(", 1)


_CHECK = '''\
import contextlib as _contextlib
import copy as _copy
import io as _io

_cases = {cases}

try:
    {mine}
except NameError:
    raise AssertionError("Run the cell that defines `{mine}` first.") from None
try:
    {name}
except NameError:
    raise AssertionError("Run the tutorial's cells above first: the check compares with its `{name}`.") from None
_checked = 0

def _show(args, kwargs):
    parts = [repr(a) for a in args] + [f"{{k}}={{v!r}}" for k, v in kwargs.items()]
    return "{mine}(" + ", ".join(parts) + ")"

for _args, _kwargs in _cases:
    _call = _show(_args, _kwargs)
    try:
        with _contextlib.redirect_stdout(_io.StringIO()):
            _expected = {name}(*_copy.deepcopy(_args), **_copy.deepcopy(_kwargs))
    except Exception:
        continue  # the tutorial's own function doesn't take this case
    try:
        with _contextlib.redirect_stdout(_io.StringIO()):
            _got = {mine}(*_copy.deepcopy(_args), **_copy.deepcopy(_kwargs))
    except Exception as _error:
        raise AssertionError(f"{{_call}} raised {{type(_error).__name__}}: {{_error}}") from None
    if _got is ...:
        raise AssertionError(f"{{_call}} returned `...`: fill in the line marked TODO first.")
    try:
        _same = bool(_got == _expected)
    except Exception:
        _same = False
    _checked += 1
    if not _same:
        _shown = repr(_got)
        _shown = _shown if len(_shown) <= 60 else _shown[:57] + "..."
        raise AssertionError(f"{{_call}} returned {{_shown}}, which is not what the tutorial's `{name}` returns.")
assert _checked, "The tutorial's `{name}` failed on every test call: run the tutorial's cells above again."
print(f"✅ Well done: `{mine}` agrees with the tutorial's `{name}` on {{_checked}} call(s).")
'''
