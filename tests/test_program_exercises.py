"""Exercises on whole programs in any language that runs: realistic mutants, fix the bug,
Parsons problems. The contract (starter fails, solution and correct variants pass, wrong
answers fail) is proved here by running the checks, which run the programs themselves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from converter.document import CodeBlock, Document, Heading, Meta
from converter.exercises.mutants import masked, mutants, without_comments
from converter.exercises.programs import fix_programs, parsons_problems
from tests.exercise_contract import assert_contract, check_message

RUBY = '''\
# A method only this string has
str = "I am unique"

def str.shout
  self.upcase + "!!!"
end

puts str.shout # => "I AM UNIQUE!!!"
puts [3, 1, 2].select { |n| n >= 2 }.inspect
'''
PYTHON = '''\
def passing(scores, limit):
    # keep the scores at or above the limit
    return [s for s in scores if s >= limit]

print(passing([40, 50, 60], 50))
print(max([4, 9, 2]))
print("done" if len("abc") == 3 else "odd")
'''
JAVASCRIPT = '''\
function roomName(a, b) {
  // sort the ids so both users get the same room
  return [a, b].sort().join('-');
}
console.log(roomName('zed', 'amy'));
console.log([1, 5, 10].filter((n) => n > 5).length);
console.log('Done'.toUpperCase());
'''
PROGRAMS = {"ruby": (RUBY, "I AM UNIQUE!!!\n[3, 2]\n"), "python": (PYTHON, "[50, 60]\n9\ndone\n"),
            "javascript": (JAVASCRIPT, "amy-zed\n1\nDONE\n")}
INTERPRETER = {"ruby": "ruby", "python": "python3", "javascript": "node"}


def _doc(language: str, **block: object) -> Document:
    code, printed = PROGRAMS[language]
    fields = {"code": code, "language": language, "status": "runs", "printed": printed, **block}
    return Document(Meta("T", "t.md", slug="t"), (Heading(2, "The program"), CodeBlock(**fields)))


def _hidden(code: str, language: str) -> str:
    """The characters of the strings and comments of `code`, in order."""
    return "".join(c for m, c in zip(masked(code, language), code) if m != c)


@pytest.mark.parametrize(("code", "language", "changed"), [
    ('x = "a >= b" # c >= d\ny = 1 >= 2', "python", 2),
    ("puts 'x > 1' if a > 1 # a > 1", "ruby", 1),
    ("const s = `${a} >= b`; // a >= b\nif (a >= b) {}", "javascript", 2),
])
def test_mutants_change_code_never_strings_or_comments(code: str, language: str, changed: int) -> None:
    found = mutants(code, language)
    assert found, "a comparison outside strings must give a mutant"
    for mutant in found:
        lines = [n for n, (a, b) in enumerate(zip(code.splitlines(), mutant.code.splitlines()), 1) if a != b]
        assert lines == [mutant.line] == [changed]
        assert _hidden(mutant.code, language) == _hidden(code, language)


@pytest.mark.parametrize(("code", "language"), [
    ("class Product < Base\n  def f(a = 1)\n  end\nend", "ruby"),
    ("import os\nfrom a import b", "python"),
    ("x = 'a == b'  # c != d", "python"),
])
def test_no_mutant_on_declarations_strings_or_comments(code: str, language: str) -> None:
    assert mutants(code, language) == []


def test_comments_go_but_strings_stay() -> None:
    assert without_comments('puts "# not a comment" # a comment\n# gone\nx = 1', "ruby") == 'puts "# not a comment" \n\nx = 1'


GO = """\
package main

import "fmt" // printing

func main() {
\tcount := 3 /* a block comment */
\tfor i := 0; i < count; i++ {
\t\tfmt.Println("tick", i)
\t}
}
"""
SQL = """\
-- the orders of one customer
SELECT o.id, o.total -- money
FROM orders o
WHERE o.customer = 'a -- b';
"""
BLOCKS = [(PYTHON, "python"), (RUBY, "ruby"), (JAVASCRIPT, "javascript"), (GO, "go"), (SQL, "sql")]


def _cuts(code: str) -> list[str]:
    """Texts the generators cut from a block: single lines, runs of lines (right-stripped,
    blank ones left out), and the dedented lines of its indented parts."""
    lines = code.splitlines()
    runs = ["\n".join(line.rstrip() for line in lines[i:j] if line.strip())
            for i in range(len(lines)) for j in range(i + 1, len(lines) + 1)]
    indented = [line for line in lines if line[:1].isspace()]
    return [run for run in runs if run.strip()] + (["\n".join(line.strip() for line in indented)] if indented else [])


@pytest.mark.parametrize(("code", "language"), BLOCKS)
def test_code_cut_from_a_block_reads_as_if_lexed_alone(code: str, language: str) -> None:
    """Pieces and bodies take their strings and comments from the block they were cut from
    (one lexing): for ordinary code that is what lexing them alone gives."""
    bare = without_comments(code, language)
    for text in _cuts(code) + _cuts(bare):
        assert masked(text, language, within=code) == masked(text, language), text
        assert without_comments(text, language, within=code) == without_comments(text, language), text
        assert mutants(text, language, within=code) == mutants(text, language), text


@pytest.mark.parametrize(("code", "language"), BLOCKS)
def test_a_variation_of_a_block_reads_as_if_lexed_alone(code: str, language: str) -> None:
    """Its names and numbers changed (spot the slip's variation), a block keeps the block's
    strings and comments, as lexing it alone finds them."""
    from converter.exercises.variation import renamed, renumbered

    bare = "\n".join(line.rstrip() for line in without_comments(code, language).splitlines() if line.strip())
    variation, renames = renamed(bare, language, code)
    for text in (variation, renumbered(variation, language, code), renumbered(bare, language, code)):
        assert masked(text, language, within=code) == masked(text, language), text
        assert mutants(text, language, within=code) == mutants(text, language), text
    assert renames or language == "sql"


def test_code_cut_from_a_block_keeps_the_blocks_context() -> None:
    """Lines inside a string of the block stay string, though alone they read as code; a text
    that is not cut from the block (a name changed) is lexed on its own."""
    block = 'doc = """\nif a >= b:\n    pass\n"""\nif a >= b:\n    pass\n'
    inside = "if a >= b:\n    pass"
    assert masked(inside, "python", within=block).strip() == ""
    assert masked(inside, "python") == inside
    assert mutants(inside, "python", within=block) == []
    renamed = 'doc = """\nx\n"""\nif c >= b:\n    pass'
    assert masked(renamed, "python", within=block) == masked(renamed, "python")
    go = "x := 3 /* a block\ncomment */\ny := x"
    assert without_comments("x := 3 /* a block", "go", within=go) == "x := 3 "


@pytest.mark.parametrize("language", sorted(PROGRAMS))
def test_fix_the_bug_and_parsons_keep_the_contract_by_running_the_programs(
        language: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which(INTERPRETER[language]) is None:
        pytest.skip(f"{INTERPRETER[language]} is not installed (converter/runtimes.py names the package)")
    monkeypatch.chdir(tmp_path)
    doc = _doc(language)
    [fix] = fix_programs(doc)
    [parsons] = parsons_problems(doc)
    for exercise in (fix, parsons):
        assert len(exercise.right) >= 2 and len(exercise.wrong) >= 3
        assert exercise.section == "The program"
        assert assert_contract(exercise).startswith("✅")
    assert fix.starter.startswith("%%writefile fix_") and fix.starter != fix.solution
    # the working program is never shown in the check (packed), nor the expected output as text
    assert PROGRAMS[language][0].splitlines()[-1] not in fix.check
    # feedback names what differs, without the answer
    said = check_message(fix, fix.starter)
    assert said and said.startswith("Not yet:") and ("line" in said or "error" in said)
    # any order printing the same is right: here, the order the tutorial wrote
    assert "```text" in parsons.prompt and "does not belong" in parsons.prompt


def test_parsons_accepts_any_order_that_prints_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code = 'a = 2\nb = 3\nc = a * b\nprint(c)\nprint(c >= 6)\n'
    doc = Document(Meta("T", "t.md", slug="t"), (CodeBlock(code, "python", status="runs", printed="6\nTrue\n"),))
    [parsons] = parsons_problems(doc)
    letters = eval(parsons.solution.split("=", 1)[1])  # noqa: S307 - our own literal
    other = letters[1] + letters[0] + letters[2:]  # b before a: the same program output
    assert check_message(parsons, f"order = {other!r}") is None
    assert "stops with an error" in check_message(parsons, f"order = {letters[2] + letters[:2] + letters[3:]!r}")
    assert "no line" in check_message(parsons, "order = 'XYZ'")


@pytest.mark.parametrize("block", [
    {"volatile": True}, {"services": ("redis",)}, {"printed": None}, {"status": "skipped"},
])
def test_no_program_exercise_from_code_that_did_not_run_steadily(block: dict) -> None:
    doc = _doc("ruby", **block)
    assert fix_programs(doc) == [] and parsons_problems(doc) == []


@pytest.mark.parametrize("code", [
    "from flask import Flask\napp = Flask(__name__)\nprint(app.name >= 'a')\n",  # a package, not the standard library
    "from auth import bp\nprint(bp >= 1)\n",  # a file of the tutorial's project
    "print(total >= 1)\n",  # a name from an earlier cell
])
def test_python_programs_must_run_alone_in_an_empty_folder(code: str) -> None:
    doc = Document(Meta("T", "t.md", slug="t"), (CodeBlock(code, "python", status="runs", printed="True\n"),))
    assert fix_programs(doc) == [] and parsons_problems(doc) == []
