"""Test helper: prove an Exercise keeps its contract by running it in plain Python.

    starter  then check -> AssertionError with a message
    solution then check -> no error, prints a success line

`context` is the tutorial code that runs before the exercise in the notebook.
Top-level `await` is not supported here: give async context as asyncio.run(...).
"""

from __future__ import annotations

import contextlib
import io

from converter.document import Exercise


def run(code: str, namespace: dict) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<exercise>", "exec"), namespace)
    return out.getvalue()


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
    namespace = {"__name__": "__main__"}
    run(context, namespace)
    run(exercise.setup, namespace)
    run(exercise.solution, namespace)
    printed = run(exercise.check, namespace)
    assert printed.strip(), "the check must print a success line"
    return printed
