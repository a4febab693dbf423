"""The practice cell: exercise checks as functions with a cell's semantics, called in one line,
and learner copies that hold recorded digests instead of a check's reference."""

from __future__ import annotations

import asyncio

import pytest

from converter import practice

# Check code runs at the top level of a cell; as a function of the practice cell it must
# leave the notebook's namespace exactly as the cell did.
CELL_CODES = {
    "assignments": "a = 1\nb, (c, d) = 2, (3, 4)\na += 10\n",
    "reads a learner's global": "total = answer * 2\n",
    "loops and with": "for i in range(3):\n    last = i\nimport io\nwith io.StringIO('x') as f:\n    text = f.read()\n",
    "imports": "import os.path\nfrom json import dumps as _dumps\nimport collections as _c\n",
    "functions and classes": "def _helper(x):\n    inner = x + 1\n    return inner\nclass Box:\n    size = 2\nresult = _helper(1)\n",
    "comprehensions keep their variables": "squares = [n * n for n in range(4)]\npairs = {k: v for k, v in [(1, 2)]}\n",
    "walrus in a comprehension binds outside": "found = [y for x in range(5) if (y := x * 2) > 4]\n",
    "except as is unbound after the handler": "try:\n    1 / 0\nexcept ZeroDivisionError as err:\n    kind = type(err).__name__\n",
    "delete": "temp = 5\ndel temp\nanswer = answer + 1\n",
    "lambda keeps its argument": "double = lambda value: value * 2\nfour = double(2)\n",
    "nested function reads a global set later": "def _later():\n    return late\nlate = 3\nseen = _later()\n",
    "targets of every kind": ("import types\nns = types.SimpleNamespace()\nns.x = 1\nd = {}\nd['k'] = [n for n in 'ab']\n"
                              "first, *rest = [1, 2, 3]\nsize = len(rest)\nfor k, (v, w) in [(1, (2, 3))]:\n    pass\n"),
    "match binds its captures": "match [1, 2, 3]:\n    case [x, *ys]:\n        got = (x, ys)\n",
    "walrus inside a call": "print(z := 3)\nlength = len(digits := [1, 2])\n",
    "decorators and long literals": ("import functools\n@functools.lru_cache\ndef _cached(x):\n    return x\n"
                                     "table = [('a', 1), ('b', 2)] * 3\nv = _cached(len(table))\n"),
    "the word await in a string": "note = 'await me, async too'\n",
}


def _namespace_after(code: str, *, as_function: bool) -> dict:
    namespace: dict = {"answer": 20}
    if as_function:
        exec(practice.check_function("ex-demo-1", code), namespace)
        namespace.pop("_check_ex_demo_1")()
    else:
        exec(code, namespace)
    return {k: repr(v) if not callable(v) else type(v).__name__ for k, v in namespace.items() if k != "__builtins__"}


@pytest.mark.parametrize("code", CELL_CODES.values(), ids=CELL_CODES.keys())
def test_a_check_function_leaves_the_namespace_as_the_cell_did(code: str) -> None:
    assert _namespace_after(code, as_function=True) == _namespace_after(code, as_function=False)


def test_a_check_that_awaits_is_an_async_function_and_its_call_awaits() -> None:
    code = "import asyncio as _asyncio\nawait _asyncio.sleep(0)\nawaited = True\n"
    assert practice.check_call("ex-a-1", code) == "await check_exercise('ex-a-1')"
    assert practice.check_function("ex-a-1", code).startswith("async def _check_ex_a_1():")
    nested = "async def _inner():\n    await something()\nvalue = 1\n"  # an await inside a nested function only
    assert practice.check_call("ex-a-1", nested) == "check_exercise('ex-a-1')"


def _practice_namespace(checks: list[tuple[str, str]]) -> dict:
    namespace: dict = {}
    exec(practice.practice_cell(checks), namespace)
    return namespace


def test_check_exercise_turns_a_failed_assert_into_a_one_line_verdict() -> None:
    namespace = _practice_namespace([("ex-q-1", 'assert answer == 2, "Not yet: count again."\nprint("✅ Right.")\n')])
    namespace["answer"] = 3
    with pytest.raises(AssertionError) as caught:
        namespace["check_exercise"]("ex-q-1")
    assert type(caught.value).__name__ == "NotYet"
    assert caught.value._render_traceback_() == ["❌ Not yet: count again."]  # what IPython shows: one line
    namespace["answer"] = 2
    assert namespace["check_exercise"]("ex-q-1") is None


def test_an_async_check_gives_its_verdict_when_awaited() -> None:
    code = "import asyncio as _asyncio\nawait _asyncio.sleep(0)\nassert answer == 2, 'Not yet.'\n"
    namespace = _practice_namespace([("ex-q-1", code)])
    namespace["answer"] = 1
    with pytest.raises(AssertionError, match="Not yet."):
        asyncio.run(namespace["check_exercise"]("ex-q-1"))


def test_other_errors_keep_their_traceback() -> None:
    namespace = _practice_namespace([("ex-q-1", "print(undefined_name)\n")])
    with pytest.raises(NameError):
        namespace["check_exercise"]("ex-q-1")


REFERENCED = (
    "import base64 as _b\n"
    + practice.reference("_secret = _b.b64decode('c2VjcmV0').decode()\n_expected = [len(_secret)]\n")
    + "assert [len(answer)] == _expected, 'Not yet: not the right length.'\nprint('✅')\n"
)


def test_checks_in_reads_back_each_exercises_function() -> None:
    cell = practice.practice_cell([("ex-a-1", "x = 1\n"), ("ex-a-2", REFERENCED)])
    found = practice.checks_in(cell)
    assert list(found) == ["ex-a-1", "ex-a-2"]
    assert found["ex-a-2"] == practice.check_function("ex-a-2", REFERENCED)
    assert practice.checks_in("def broken(:\n") == {}


def test_learner_cells_hold_the_recorded_digests_not_the_reference() -> None:
    cell = practice.practice_cell([("ex-a-1", "x = 1\n"), ("ex-a-2", REFERENCED)])
    learner, missing = practice.for_learners(cell, {"ex-a-2": [6]})
    assert missing == []
    assert "c2VjcmV0" not in learner and "reference: begin" not in learner
    assert "    _expected = [6]\n" in learner
    namespace = {"answer": "sesame"}
    exec(learner, namespace)
    namespace["check_exercise"]("ex-a-2")  # passes on the recorded digests alone
    namespace["answer"] = "open"
    with pytest.raises(AssertionError, match="not the right length"):
        namespace["check_exercise"]("ex-a-2")


def test_an_exercise_whose_reference_was_never_recorded_is_left_out_whole() -> None:
    cell = practice.practice_cell([("ex-a-1", "x = 1\n"), ("ex-a-2", REFERENCED)])
    learner, missing = practice.for_learners(cell, {})
    assert missing == ["ex-a-2"]
    assert "c2VjcmV0" not in learner and "_check_ex_a_2" not in learner and "'ex-a-1'" in learner
