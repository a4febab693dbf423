"""Test helper: prove an Exercise keeps its contract by running it in plain Python.

    starter  then check -> AssertionError with a message
    solution then check -> no error, prints a success line
    each correct variant (`right`) then check -> no error
    each wrong answer (`wrong`) then check -> AssertionError (or the answer itself fails)

An answer that is a `%%writefile PATH` cell writes PATH in the current folder, as in
the notebook's kernel (tests chdir into a temporary folder first).

`context` is the tutorial code that runs before the exercise in the notebook.
Top-level `await` is not supported here: give async context as asyncio.run(...).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from converter.document import Exercise


def run(code: str, namespace: dict) -> str:
    first, _, body = code.partition("\n")
    if first.startswith("%%writefile "):
        Path(first.split(maxsplit=1)[1]).write_text(body + "\n", encoding="utf-8")
        return ""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<exercise>", "exec"), namespace)
    return out.getvalue()


def _fresh(exercise: Exercise, context: str) -> dict:
    namespace: dict = {"__name__": "__main__"}
    run(context, namespace)
    run(exercise.setup, namespace)
    return namespace


def check_message(exercise: Exercise, answer: str, context: str = "") -> str | None:
    """What the check says to `answer`: its AssertionError message, or None when it passes
    ("error: ..." when the answer itself fails to run, which a learner sees too)."""
    namespace = _fresh(exercise, context)
    try:
        run(answer, namespace)
    except Exception as err:  # noqa: BLE001 - a wrong answer may fail in any way
        return f"error: {type(err).__name__}: {err}"
    try:
        run(exercise.check, namespace)
    except AssertionError as err:
        return str(err)
    return None


def assert_contract(exercise: Exercise, context: str = "") -> str:
    """Assert both halves of the contract; return what the passing check printed."""
    namespace: dict = {"__name__": "__main__"}
    run(context, namespace)
    run(exercise.setup, namespace)
    run(exercise.starter, namespace)
    try:
        run(exercise.check, namespace)
    except AssertionError as err:
        assert str(err).strip(), "the check must say what is wrong"
    else:
        raise AssertionError(f"{exercise.title}: the check passes with the starter")
    namespace = _fresh(exercise, context)
    run(exercise.solution, namespace)
    printed = run(exercise.check, namespace)
    assert printed.strip(), "the check must print a success line"
    for n, answer in enumerate(exercise.right, 1):
        said = check_message(exercise, answer, context)
        assert said is None, f"{exercise.title}: correct variant {n} fails: {said}\n{answer}"
    for n, answer in enumerate(exercise.wrong, 1):
        said = check_message(exercise, answer, context)
        assert said is not None, f"{exercise.title}: the check accepts wrong answer {n}:\n{answer}"
        assert said.strip(), f"{exercise.title}: wrong answer {n} gets no feedback"
    return printed
