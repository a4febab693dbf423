"""Quiz generators (converter/exercises/quiz.py) on hand-written tutorials.

Every exercise keeps the contract (tests/exercise_contract.py), never shows its
answer in the check, and the generators decline when the tutorial gives them
nothing to ask about. The last test runs over the seed tutorials as a sanity
check (not a training set) and prints what each one gets.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from converter.document import (
    CodeBlock,
    Document,
    Exercise,
    Heading,
    ListBlock,
    Meta,
    Paragraph,
)
from converter.exercises.quiz import multiple_choice, overlap_picks, short_answer
from tests.exercise_contract import assert_contract

ROOT = Path(__file__).resolve().parents[1]


def doc(*blocks, title: str = "A tutorial") -> Document:
    return Document(Meta(title=title, source="hand.md"), tuple(blocks))


def run_check(exercise: Exercise, answer: object) -> str:
    """Run the check with `answer` set; return what it printed (AssertionError propagates)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(exercise.check, "<check>", "exec"), {"__name__": "__main__", "answer": answer})
    return out.getvalue()


def solution_value(exercise: Exercise) -> str:
    namespace: dict = {}
    exec(exercise.solution, namespace)
    return namespace["answer"]


def options(exercise: Exercise) -> dict[str, str]:
    return dict(re.findall(r"^- \*\*([A-H])\.\*\* (.+)$", exercise.prompt, re.MULTILINE))


def assert_keeps_secret(exercise: Exercise, *answers: str) -> None:
    """Neither the solution value nor the right option's text is written in the check."""
    value = solution_value(exercise)
    check = exercise.check.casefold()
    for secret in (repr(value), f'"{value}"', *answers):
        assert secret.casefold() not in check, (secret, exercise.check)


def assert_renders(exercise: Exercise, option_count: int | None = None) -> None:
    html = MarkdownIt("commonmark").render(exercise.prompt)
    if option_count is not None:
        assert html.count("<li>") == option_count, html
    if "____" in exercise.prompt:
        assert "____" in html, html  # the blank is not read as emphasis


# ---------------------------------------------------------------- sample tutorials

RUBY = doc(
    Heading(2, "Dynamic Methods"),
    Paragraph("Ruby lets you write code that writes code."),
    CodeBlock("define_method(:hello) { 'hi' }", "ruby"),
    Heading(2, "Core Tools"),
    ListBlock(
        (
            "**send**: Calls a method by its name, even a private one.",
            "**define\\_method**: Creates an instance method at runtime from a block.",
            "**method\\_missing**: Catches calls to methods that do not exist on the object.",
            "**instance\\_variable\\_get**: Reads an instance variable without an accessor.",
        )
    ),
    Heading(2, "Common Mistakes"),
    Heading(3, "1\\. Forgetting super"),
    Paragraph("The Mistake: Overriding method\\_missing without calling super for names you don't handle."),
    Paragraph("The Fix: Always end your method\\_missing with a call to super."),
    Heading(3, "2\\. Slow ghost methods"),
    Paragraph("The Mistake: Relying on method\\_missing inside a hot loop."),
    Paragraph("The Fix: Define real methods once with define\\_method and call those."),
    Heading(3, "3\\. Global monkey patches"),
    Paragraph("The Mistake: Reopening String for the whole program."),
    Paragraph("The Fix: Use refinements to keep the change inside one file."),
    Heading(2, "Key Takeaways"),
    ListBlock(
        (
            "Use `define_method` to create methods dynamically and keep code DRY.",
            "Always implement `respond_to_missing?` next to method\\_missing.",
            "Metaprogramming is powerful, so use it with care and good tests.",
        )
    ),
    Heading(2, "Frequently Asked Questions"),
    Heading(3, "1\\. Is metaprogramming slow?"),
    Paragraph("It can be. method\\_missing is slower than a method defined in advance."),
    Heading(3, "2\\. When should I avoid metaprogramming?"),
    Paragraph("Avoid it when plain inheritance or a hash solves the problem just as well."),
    Heading(3, "3\\. Does Ruby 3 change metaprogramming?"),
    Paragraph("The core ideas stay the same, though Ractors restrict shared global state."),
)

STEP_HEADINGS = doc(
    Heading(2, "Step-by-Step: Building the App"),
    Heading(3, "Step 1: Create the Project"),
    Paragraph("Make a folder."),
    Heading(3, "Step 2: Write the Model"),
    Paragraph("Add a class."),
    Heading(3, "Step 3: Register the Blueprint"),
    Paragraph("Call register\\_blueprint with a url\\_prefix."),
    Heading(3, "Step 4: Run the Server"),
    Paragraph("Start it."),
)
STEPS = doc(
    Heading(2, "Step-by-Step: Building the App"),
    ListBlock(("Create the Project", "Write the Model", "Register the Blueprint", "Run the Server"), ordered=True),
    Heading(2, "Summary"),
    ListBlock(
        (
            "Register each blueprint with a url_prefix so its routes stay grouped.",
            "Run the server only after every blueprint is registered.",
        )
    ),
)


def test_step_headings_are_the_outline_not_a_procedure_to_order():
    assert short_answer(STEP_HEADINGS) == []


# ---------------------------------------------------------------- multiple choice


def test_every_choice_keeps_the_contract_and_its_secret():
    exercises = multiple_choice(RUBY)
    assert [e.title for e in exercises] == ["Match the term", "FAQ", "Fix the mistake"]
    for exercise in exercises:
        assert exercise.kind == "choice"
        printed = assert_contract(exercise)
        assert printed.startswith("✅")
        letter = solution_value(exercise)
        right = options(exercise)[letter]
        assert_keeps_secret(exercise, right)
        assert_renders(exercise, len(options(exercise)))
        assert exercise.starter.startswith("answer = ...")
        assert 3 <= len(options(exercise)) <= 4


def test_definition_question_uses_terms_of_the_same_list():
    exercise = multiple_choice(RUBY)[0]
    assert exercise.section == "Core Tools"
    shown = options(exercise)
    assert set(shown.values()) <= {"send", "define\\_method", "method\\_missing", "instance\\_variable\\_get"}
    assert len(set(shown.values())) == len(shown)  # no two identical options
    right = shown[solution_value(exercise)]
    # The definition quoted is the right term's, not any other's.
    definitions = {
        "send": "Calls a method by its name",
        "define\\_method": "Creates an instance method",
        "method\\_missing": "Catches calls to methods",
        "instance\\_variable\\_get": "Reads an instance variable",
    }
    assert definitions[right] in exercise.prompt
    assert sum(text in exercise.prompt for text in definitions.values()) == 1


def test_wrong_letter_points_to_the_section():
    exercise = multiple_choice(RUBY)[0]
    right = solution_value(exercise)
    wrong = next(letter for letter in options(exercise) if letter != right)
    with pytest.raises(AssertionError, match="reread the section «Core Tools»"):
        run_check(exercise, wrong)
    with pytest.raises(AssertionError, match="one letter"):
        run_check(exercise, "Z")
    assert run_check(exercise, right.lower()).startswith("✅")  # case does not matter
    assert run_check(exercise, f" {right} ").startswith("✅")


def test_faq_question_offers_other_answers_of_the_same_faq():
    faq = next(e for e in multiple_choice(RUBY) if e.title == "FAQ")
    assert faq.section == "1\\. Is metaprogramming slow?"
    assert "«Is metaprogramming slow?»" in faq.prompt
    shown = set(options(faq).values())
    assert "It can be. method\\_missing is slower than a method defined in advance." in shown
    assert "Avoid it when plain inheritance or a hash solves the problem just as well." in shown


def test_mistake_question_offers_fixes_of_other_mistakes():
    fixes = [e for e in multiple_choice(RUBY) if e.title == "Fix the mistake"]
    # "Forgetting super" is not asked: its fix repeats "super", so word matching would find it.
    assert [f.section for f in fixes] == ["2\\. Slow ghost methods"]
    fix = fixes[0]
    assert options(fix)[solution_value(fix)] == "Define real methods once with define\\_method and call those."
    assert "Always end your method\\_missing with a call to super." in options(fix).values()


@pytest.mark.parametrize(("question", "options", "right", "picks"), [
    ("Which fix for: forgetting to call super in method_missing?", ["Call super at the end.", "Use a hash.", "Cache it."], "Call super at the end.", True),
    ("Which fix for: forgetting to call super in method_missing?", ["Call super at the end.", "Define method_missing once.", "Cache it."], "Call super at the end.", False),
    ("Which store keeps vectors?", ["A vector database", "A vector index file", "A queue"], "A vector database", False),
    ("What is a goroutine?", ["A lightweight thread", "A channel", "A mutex"], "A lightweight thread", False),
])
def test_word_overlap_alone_must_not_pick_the_answer(question, options, right, picks):
    assert overlap_picks(question, options, right) is picks


def test_plain_and_dashed_definition_items():
    for items in (
        (
            "Speed: Operations run in memory, without any disk seeks at all.",
            "Persistence: Data can be written to disk and survive a restart.",
            "Replication: Copies of the data live on other servers for failover.",
        ),
        (
            "Speed — Operations run in memory, without any disk seeks at all.",
            "Persistence — Data can be written to disk and survive a restart.",
            "Replication — Copies of the data live on other servers for failover.",
        ),
    ):
        exercises = multiple_choice(doc(Heading(2, "Why Redis?"), ListBlock(items)))
        assert len(exercises) == 1
        assert set(options(exercises[0]).values()) == {"Speed", "Persistence", "Replication"}
        assert_contract(exercises[0])


def test_options_are_deterministic_and_the_answer_moves():
    assert multiple_choice(RUBY) == multiple_choice(RUBY)
    letters = []
    for n in range(12):
        items = tuple(
            f"**Term{n}{k}**: definition number {k} of list {n}, written out at length." for k in range(4)
        )
        exercises = multiple_choice(doc(Heading(2, "Glossary"), ListBlock(items)))
        assert len(exercises) == 1
        letters.append(solution_value(exercises[0]))
    assert len(set(letters)) >= 3, letters  # not always "A"


def test_identical_answers_never_make_two_identical_options():
    tutorial = doc(
        Heading(2, "FAQ"),
        Heading(3, "Can I nest blueprints?"),
        Paragraph("Yes. Flask 2.0 and later support nested blueprints directly."),
        Heading(3, "Can I share templates?"),
        Paragraph("Yes. Flask 2.0 and later support nested blueprints directly."),
        Heading(3, "Is there a limit on blueprints?"),
        Paragraph("No. You can register as many blueprints as your app needs."),
        Heading(3, "Do blueprints slow requests?"),
        Paragraph("Not at all: registration happens once, when the app starts."),
    )
    for exercise in multiple_choice(tutorial):
        shown = [text.casefold() for text in options(exercise).values()]
        assert len(shown) == len(set(shown))
        assert_contract(exercise)


@pytest.mark.parametrize(
    "tutorial",
    [
        doc(Heading(2, "Intro"), Paragraph("Just prose: nothing to quiz about here.")),
        doc(  # lists of plain sentences
            Heading(2, "Key Takeaways"),
            ListBlock(
                (
                    "Always start a project with a custom user model.",
                    "Run migrations only after the model exists.",
                    "Keep profile data in a separate table.",
                )
            ),
        ),
        doc(  # a single FAQ question
            Heading(2, "FAQ"),
            Heading(3, "Is it fast?"),
            Paragraph("Yes, it runs in memory and needs no disk access at all."),
        ),
        doc(  # only two definitions
            Heading(2, "Terms"),
            ListBlock(("**Push**: The server sends data first.", "**Pull**: The client asks for data first.")),
        ),
        doc(  # two mistakes only
            Heading(2, "Common Mistakes"),
            Paragraph("The Mistake: Forgetting the ON clause in a join."),
            Paragraph("The Fix: Always join on matching keys."),
            Paragraph("The Mistake: Using ambiguous column names."),
            Paragraph("The Fix: Use table aliases everywhere."),
        ),
        doc(  # definitions too long to quote
            Heading(2, "Terms"),
            ListBlock(tuple(f"**T{k}**: " + "a very long explanation " * 12 for k in range(4))),
        ),
    ],
    ids=["no-lists", "sentences", "single-faq", "two-definitions", "two-mistakes", "too-long"],
)
def test_multiple_choice_declines(tutorial):
    assert multiple_choice(tutorial) == []


def test_at_most_three_choices_best_first():
    many = doc(
        *[
            block
            for n in range(5)
            for block in (
                Heading(2, f"Group {n}"),
                ListBlock(tuple(f"**Word{n}{k}**: meaning {k} of group {n}, spelled out." for k in range(4))),
            )
        ]
    )
    exercises = multiple_choice(many)
    assert len(exercises) == 3
    assert [e.section for e in exercises] == ["Group 0", "Group 1", "Group 2"]


# ---------------------------------------------------------------- short answer





def test_order_the_steps():
    exercises = short_answer(STEPS)
    order = next(e for e in exercises if e.title == "Order the steps")
    assert order.section == "Step-by-Step: Building the App"
    shown = options(order)
    assert sorted(shown.values()) == sorted(
        ["Create the Project", "Write the Model", "Register the Blueprint", "Run the Server"]
    )
    answer = solution_value(order)
    assert answer != "ABCD" and sorted(answer) == list("ABCD")
    assert [shown[letter] for letter in answer] == [
        "Create the Project",
        "Write the Model",
        "Register the Blueprint",
        "Run the Server",
    ]
    assert_contract(order)
    assert_keeps_secret(order)
    assert_renders(order, 4)
    for variant in (answer, answer.lower(), ", ".join(answer), " ".join(answer)):
        assert run_check(order, variant).startswith("✅")
    with pytest.raises(AssertionError, match="reread"):
        run_check(order, "ABCD")
    with pytest.raises(AssertionError, match="all 4 letters"):
        run_check(order, answer[:3])
    assert short_answer(STEPS) == exercises  # deterministic


def test_every_short_answer_keeps_the_contract():
    for tutorial in (RUBY, STEPS):
        for exercise in short_answer(tutorial):
            assert_contract(exercise)
            assert_keeps_secret(exercise)
            assert exercise.starter.startswith("answer = ...")


@pytest.mark.parametrize(
    "tutorial",
    [
        doc(Heading(2, "Intro"), Paragraph("Just prose, with no takeaways and no steps.")),
        doc(  # takeaways without any term worth blanking
            Heading(2, "Key Takeaways"),
            ListBlock(("Start small and keep going.", "Test what you build every day.")),
        ),
        doc(  # only two steps
            Heading(3, "Step 1: Install"),
            Paragraph("pip install it."),
            Heading(3, "Step 2: Run"),
            Paragraph("Run it."),
        ),
        doc(  # numbered headings that are not steps
            Heading(2, "Common Mistakes and How to Fix Them"),
            Heading(3, "1\\. Goroutine Leaks"),
            Heading(3, "2\\. Race Conditions"),
            Heading(3, "3\\. Closed Channels"),
        ),
    ],
    ids=["no-takeaways", "plain-takeaways", "two-steps", "numbered-mistakes"],
)
def test_short_answer_declines(tutorial):
    assert short_answer(tutorial) == []


# ---------------------------------------------------------------- seed sanity check


def _seed_documents() -> list[Document]:
    from converter.readers import read_source

    docs = []
    for source in sorted((ROOT / "sources").glob("*.txt")):
        docs += read_source(source)
    try:  # the course keeps only tutorials (the selection pass); fall back to all articles
        from converter.document import Course
        from converter.passes.selection import select_tutorials

        return list(select_tutorials(Course(tuple(docs))).documents)
    except ImportError:
        return docs


def test_seed_sanity(capsys):
    """Not a training set: every exercise on the seeds keeps its contract; print the counts."""
    docs = _seed_documents()
    rows, choice_count, short_count = [], 0, 0
    for tutorial in docs:
        choices, shorts = multiple_choice(tutorial), short_answer(tutorial)
        for exercise in choices + shorts:
            assert_contract(exercise)
            assert_keeps_secret(exercise)
            assert len(exercise.title) <= 20 and exercise.section is not None
        choice_count += bool(choices)
        short_count += bool(shorts)
        kinds = ", ".join(e.title for e in choices + shorts)
        rows.append(f"{len(choices)} choice  {len(shorts)} short  {tutorial.meta.title[:60]}  [{kinds}]")
    with capsys.disabled():
        print("\nQuiz exercises per seed tutorial:\n  " + "\n  ".join(rows))
    # Fewer than before issue 10 (no blanks from summaries, no "which section", no question
    # word overlap gives away), but every one asked on a seed keeps the overlap rule.
    assert choice_count >= len(docs) // 2 and short_count >= 3
    for tutorial in docs:
        for exercise in multiple_choice(tutorial):
            shown = options(exercise)
            assert not overlap_picks(exercise.prompt.split("\n\n- **")[0], list(shown.values()),
                                     shown[solution_value(exercise)]), exercise.prompt
