"""`complete_a_line`: put a piece back into a cell the tutorial runs."""

from __future__ import annotations

from converter.document import CodeBlock, Document, Heading, Meta, Paragraph
from converter.exercises.blank import complete_a_line
from tests.exercise_contract import assert_contract


def _doc(*blocks) -> Document:
    return Document(Meta("T", "t.md", slug="t"), tuple(blocks))


def _runs(code: str, **fields) -> CodeBlock:
    return CodeBlock(code, "python", status=fields.pop("status", "runs"), **fields)


WORDS = _runs("words = ['cat', 'hat', 'cat']")
COUNT = _runs("from collections import Counter\nprint(Counter(words).most_common(1))")


def test_a_name_the_tutorial_defined_is_taken_out_and_the_contract_holds() -> None:
    [exercise] = complete_a_line(_doc(Heading(2, "Counting"), WORDS, COUNT))
    assert exercise.kind == "complete" and exercise.section == "Counting"
    assert "print(Counter(...).most_common(1))  # <- complete this" in exercise.starter
    assert "Counter(words)" in exercise.solution and "Counter(words)" not in exercise.check
    printed = assert_contract(exercise, context=WORDS.code)
    assert printed.startswith("✅")


def test_a_plain_settings_file_becomes_an_exercise() -> None:
    settings = CodeBlock("# myproject/settings.py\nAUTH_USER_MODEL = 'accounts.CustomUser'\nDEBUG = True",
                         "python", status="file", file="myproject/settings.py")
    [exercise] = complete_a_line(_doc(settings))
    assert "AUTH_USER_MODEL = ...  # <- complete this" in exercise.starter
    assert "accounts.CustomUser" not in exercise.check
    assert_contract(exercise)


def test_keyword_values_count_when_they_change_what_the_code_makes() -> None:
    code = "class Box:\n    def __init__(self, label):\n        self.label = label\n\nbox = Box(label='fragile')"
    [exercise] = complete_a_line(_doc(_runs(code + "\nprint(box.label.upper())")))
    assert "label=...," in exercise.starter or "label=...)" in exercise.starter
    assert_contract(exercise)


def test_async_cells_get_an_awaiting_check() -> None:
    code = "import asyncio\n\nasync def greet():\n    print('hi')\n\nawait greet()"
    [exercise] = complete_a_line(_doc(_runs(code)))
    assert exercise.starter.count("async def my_version") == 1 and "await _behaviour" in exercise.check


def test_declines_when_nothing_observable_or_unsafe() -> None:
    silent = _runs("total = sum(range(10))")  # no print, nothing to call: a blank would change nothing visible
    volatile = _runs("import time\nprint(time.time())", volatile=True)
    body_only = _runs("def later():\n    return helper(3)")  # the only name sits in a body nobody runs
    files = _runs("with open('notes.txt', 'w') as f:\n    f.write(words[0])\nprint('saved')")
    skipped = CodeBlock("print(words)", "python", status="skipped")
    assert complete_a_line(_doc(WORDS, silent, volatile, body_only, files, skipped, Paragraph("End."))) == []


def test_at_most_two_offers_best_first() -> None:
    cells = [WORDS] + [_runs(f"print(len(words) + {n})") for n in range(4)]
    offers = complete_a_line(_doc(*cells))
    assert len(offers) == 2


def test_declines_a_cell_that_talks_to_a_server_whose_state_changes_when_replayed() -> None:
    code = 'r.incr("visits")\nprint(r.get("visits"))'
    assert complete_a_line(_doc(WORDS, _runs("print(len(words))")))  # the same shape without a server is offered
    assert complete_a_line(_doc(_runs(code, services=("redis",)))) == []


def test_feedback_says_what_differs_without_the_answer() -> None:
    from tests.exercise_contract import check_message

    [exercise] = complete_a_line(_doc(Heading(2, "Counting"), WORDS, COUNT))
    wrong = exercise.solution.replace("Counter(words)", "Counter(['dog'])")
    said = check_message(exercise, wrong, context=WORDS.code)
    assert said.startswith("Not yet") and "prints differs" in said and "line 1" in said
    assert "cat" not in said
    settings = CodeBlock("# settings.py\nAUTH_USER_MODEL = 'accounts.CustomUser'\nDEBUG = True", "python", status="file", file="s.py")
    [exercise] = complete_a_line(_doc(settings))
    said = check_message(exercise, exercise.solution.replace("accounts.CustomUser", "auth.User"))
    assert "`AUTH_USER_MODEL` is not what the tutorial's code makes" in said and "accounts" not in said
