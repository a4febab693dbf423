"""The Practice section's checks: defined once in a folded cell, called in one line.

A notebook's exercises are checked by functions its *practice cell* defines (folded
in the book and in Jupyter), so that each exercise's check cell is one visible line,
`check_exercise("ex-slug-1")`, in the book, in the learner copies and in any Jupyter.
A check that finds the answer wrong raises `NotYet`, an AssertionError that IPython
shows as one line ("❌ Not yet: ...") rather than a traceback; it is still an error,
so nbgrader, nbval and `course check` see the verdict.

Each exercise's check code (written by its generator to run at the top level of a
cell) becomes a function body whose `global` statement names every name the code
binds: it reads and writes the notebook's namespace exactly as the cell did.

Checks that compare with a reference the learner must not see (the tutorial's
working program, its query) compute it between `REFERENCE_BEGIN` and `REFERENCE_END`,
setting `_expected` to digests only. Learner copies replace that region with the
value `course check` recorded (`expected_value`), so they hold no solution, not
even compressed.
"""

from __future__ import annotations

import ast
import json
import re
from functools import lru_cache

__all__ = ["CHECKER", "check_call", "check_function", "function_name", "practice_cell", "checks_in", "for_learners"]

TAG = "practice"
"""The tag of the practice cell."""

REFERENCE_BEGIN = "# reference: begin (learner copies hold the digests course check recorded)"
REFERENCE_END = "# reference: end"

CHECKER = '''\
# The exercises' checks. Run this cell once; then check an exercise with check_exercise("its label").
import inspect as _inspect


class NotYet(AssertionError):
    """A check's verdict on an answer that is not right yet: shown as one line, not a traceback."""

    def _render_traceback_(self):
        return ["❌ " + str(self)]


def check_exercise(label):
    """Check your answer to the exercise `label`: prints ✅, or says what is not right yet."""
    try:
        outcome = _COURSE_CHECKS[label]()
    except AssertionError as error:
        verdict = str(error)
    else:
        return _verdict(outcome) if _inspect.iscoroutine(outcome) else None
    # Raised here, not in the handler: the failed assert (and what it caught, such as a
    # MemoryError holding a runaway answer's data) is not kept alive as the verdict's context.
    raise NotYet(verdict)


async def _verdict(outcome):
    try:
        await outcome
    except AssertionError as error:
        verdict = str(error)
    else:
        return
    raise NotYet(verdict)
'''

VERDICTS = ("AssertionError", "NotYet")
"""The error names of a check that rejects an answer (its asserts, through `check_exercise`)."""


def function_name(label: str) -> str:
    return "_check_" + re.sub(r"\W", "_", label)


def is_async(code: str) -> bool:
    """Whether check code awaits at its top level (its function is `async def`)."""
    return _shape(code)[1]


@lru_cache(maxsize=512)
def _shape(code: str) -> tuple[tuple[str, ...], bool]:
    """The names check code binds at its top level, sorted, and whether it awaits there; one
    parse, cached: the writer, check and the learner copies each ask about every check."""
    tree = ast.parse(code)
    # Only these words make an await, and only `:=` binds inside an expression that reads:
    # checks hold long lists of digests, walked for nothing without them.
    awaits = ("await" in code or "async" in code) and _awaits(tree)
    return tuple(sorted(_bound(tree, walrus=":=" in code))), awaits


def _awaits(tree: ast.Module) -> bool:
    scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
            return True
        if not isinstance(node, scopes):
            pending.extend(ast.iter_child_nodes(node))
    return False


def check_call(label: str, code: str) -> str:
    """The check cell: one line."""
    call = f"check_exercise({label!r})"
    return f"await {call}" if is_async(code) else call


@lru_cache(maxsize=512)
def check_function(label: str, code: str) -> str:
    """Check code as a function of the practice cell, with the cell's semantics: every name
    it binds at its top level is the notebook's global, as it was in a cell of its own."""
    bound, awaits = _shape(code)
    body = [f"global {', '.join(bound)}"] if bound else []
    body += code.rstrip("\n").split("\n")
    indented = "\n".join(("    " + line) if line.strip() else "" for line in body)
    keyword = "async def" if awaits else "def"
    return f"{keyword} {function_name(label)}():\n{indented or '    pass'}\n"


def _bound(tree: ast.Module, *, walrus: bool = True) -> set[str]:
    """Names the code binds in its own scope (not inside functions, classes or comprehensions).
    `walrus=False`: the code has no `:=`, so an expression that only reads binds nothing."""
    names: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if not walrus and isinstance(node, ast.expr) and not isinstance(getattr(node, "ctx", None), (ast.Store, ast.Del)):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            pending.extend(node.decorator_list)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            # Only a walrus inside binds outside; its iterables are evaluated here.
            pending.extend(n for n in ast.walk(node) if isinstance(n, ast.NamedExpr))
            pending.append(node.generators[0].iter)
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        pending.extend(ast.iter_child_nodes(node))
    return names


def practice_cell(checks: list[tuple[str, str]]) -> str:
    """The practice cell for (label, check code) pairs, in the order of the exercises."""
    return _assembled({label: check_function(label, code) for label, code in checks})


def _assembled(functions: dict[str, str]) -> str:
    table = "".join(f"    {label!r}: {function_name(label)},\n" for label in functions)
    body = "\n\n".join(f.rstrip("\n") + "\n" for f in functions.values())
    return f"{CHECKER}\n\n{body}\n\n_COURSE_CHECKS = {{\n{table}}}"


def checks_in(cell: str) -> dict[str, str]:
    """{label: its check function's source} in a practice cell (`course check` keys its
    findings about an exercise by it, as convert does with `check_function`)."""
    try:
        tree = ast.parse(cell)
    except SyntaxError:
        return {}
    functions = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    table = next((n.value for n in tree.body if isinstance(n, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == "_COURSE_CHECKS" for t in n.targets)), None)
    found = {}
    if isinstance(table, ast.Dict):
        lines = cell.split("\n")
        for key, value in zip(table.keys, table.values):
            if isinstance(key, ast.Constant) and isinstance(value, ast.Name) and value.id in functions:
                node = functions[value.id]
                found[key.value] = "\n".join(lines[node.lineno - 1:node.end_lineno]) + "\n"
    return found


def has_reference(function: str) -> bool:
    return REFERENCE_BEGIN in function


def reference(code: str) -> str:
    """Check code that sets `_expected` from a reference the learner must not see, marked as such."""
    return f"{REFERENCE_BEGIN}\n{code.rstrip()}\n{REFERENCE_END}\n"


def expected_value(recorded: object) -> str:
    """What a learner copy holds in place of the reference: the recorded digests, as Python."""
    return f"_expected = {json.loads(json.dumps(recorded))!r}"


def for_learners(cell: str, recorded: dict[str, object]) -> tuple[str, list[str]]:
    """The practice cell of a learner copy: every reference region replaced by the digests
    check recorded for its exercise. Also the labels whose check has a reference but no
    recording: they cannot be checked without the answer, so the copy leaves them out."""
    kept, missing = {}, []
    for label, function in checks_in(cell).items():
        if has_reference(function):
            if label not in recorded:
                missing.append(label)
                continue
            function = _REGION.sub(lambda m: f"{m.group(1)}{expected_value(recorded[label])}\n", function)
        kept[label] = function
    return _assembled(kept), missing


_REGION = re.compile(rf"^( *){re.escape(REFERENCE_BEGIN)}\n.*?^ *{re.escape(REFERENCE_END)}\n", re.S | re.M)
