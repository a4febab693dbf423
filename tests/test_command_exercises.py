"""Write-the-command exercises: the meaning of a command line (program, options in any
spelling, values, arguments) parsed with shlex and compared; nothing is run."""

from __future__ import annotations

import pytest

from converter.document import CodeBlock, Document, Heading, Meta, Paragraph
from converter.exercises import commands
from converter.exercises.commands import TOOLS, meaning, write_the_command
from tests.exercise_contract import assert_contract, check_message


def _doc(code: str) -> Document:
    return Document(Meta("Backups", "b.md", slug="b"), (
        Heading(2, "Creating the backup"), Paragraph("Run this on the server:"), CodeBlock(code, "shell", status="skipped")))


@pytest.mark.parametrize(("one", "other"), [
    ("pg_dump -U me -d shop -F c -f a.dump", "pg_dump --username=me --dbname shop --format=custom --file=a.dump"),
    ("pg_dump -U me -d shop -F c -f a.dump", "pg_dump -Fc -f a.dump -d shop -U me"),
    ("pg_dump -U me -d shop -F c -f a.dump", "pg_dump -U me -Fc -f a.dump shop"),  # the database as an argument
    ("tar -czvf a.tar.gz /etc /home", "tar czvf a.tar.gz /home /etc"),
    ("tar -czvf a.tar.gz /etc", "tar --create --gzip --verbose --file=a.tar.gz /etc"),
    ("tar -czvf a.tar.gz /etc", "sudo tar -c -z -v -f a.tar.gz '/etc'"),
    ("docker run -d -p 1:1 -p 2:2 img", "docker run -p 2:2 --detach --publish=1:1 img"),
    ("npm i -D jest", "npm install --save-dev jest"),
])
def test_the_same_meaning_in_any_spelling(one: str, other: str) -> None:
    assert meaning(one, TOOLS) == meaning(other, TOOLS)


@pytest.mark.parametrize(("one", "other"), [
    ("pg_dump -F c -f a.dump shop", "pg_dump -F p -f a.dump shop"),  # another format
    ("tar -czf a.tar.gz /etc", "tar -xzf a.tar.gz /etc"),  # extract, not create
    ("scp a.dump host:/b/", "scp host:/b/ a.dump"),  # from and to swapped: the order matters
    ("docker run -d img", "docker run img"),
])
def test_a_different_meaning_differs(one: str, other: str) -> None:
    assert meaning(one, TOOLS) != meaning(other, TOOLS)


@pytest.mark.parametrize(("command", "says"), [
    ("pg_dump --bogus x", "an option this task does not use: --bogus"),
    ("pg_dump -f", "needs a value"),
    ("rsync -a a b", "does not start with the program"),
    ("tar -czf 'unclosed", "does not parse"),
])
def test_what_a_command_that_cannot_be_read_gets_told(command: str, says: str) -> None:
    assert says in meaning(command, TOOLS)


@pytest.mark.parametrize("code", [
    "pg_dump -U your_user -d your_db -F c -f backup.dump",
    "tar -czvf jenkins_backup_$(date +%F).tar.gz /var/lib/jenkins",
    "# copy it home\nscp -i /path/to/key user@server:/path/to/backup.dump .",
    "docker run -d --name rabbitmq -p 5672:5672 -p 15672:15672 rabbitmq:3-management",
    "npm install --save-dev jest",
    "uv pip install -r requirements.txt",
])
def test_exercises_keep_the_contract_for_other_values_than_the_tutorials(code: str) -> None:
    [exercise] = write_the_command(_doc(code))
    assert assert_contract(exercise).startswith("✅")
    assert len(exercise.right) >= 2 and len(exercise.wrong) >= 3
    assert exercise.section == "Creating the backup"
    tutorial = meaning(code.splitlines()[-1].replace("$(date +%F)", "DATE"), TOOLS)
    solution = meaning(exercise.solution.split("=", 1)[1].strip().strip("'\""), TOOLS)
    assert solution[0] == tutorial[0] and set(solution[1]) == set(tutorial[1])  # the same program and options,
    assert solution != tutorial  # for other values: the tutorial's line is not the answer
    for wrong in exercise.wrong:  # feedback says what is wrong, never the flag
        said = check_message(exercise, wrong)
        assert said.startswith("Not yet") and not any(f" {flag} " in said for flag in ("-U", "-F", "-f", "-D", "-z"))


@pytest.mark.parametrize("code", [
    "pip install flask",  # no option: the prompt would dictate the answer
    "pg_dump -U me -d shop | gzip > shop.sql.gz",  # a pipeline
    "pg_dump -U $PGUSER -d shop",  # a variable
    "rsync -av src/ dst/",  # a tool without a table
    "pg_dump --no-owner -d shop",  # an option the table lacks
])
def test_declines(code: str) -> None:
    assert write_the_command(_doc(code)) == []


@pytest.mark.parametrize("template, value, shown", [
    ("writes the dump to `{v}`", "db.sql", "writes the dump to `db.sql`"),
    ("writes the dump to `{v}`", "a`{eval-rst}`b", "writes the dump to ``a`{eval-rst}`b``"),
    ("copies {v} (in this order: from, to)", ("a`b", "c"), "copies ``a`b``, `c` (in this order: from, to)"),
    ("in PostgreSQL's {v} archive format", "<b>custom</b>", "in PostgreSQL's \\<b\\>custom\\</b\\> archive format"),
])
def test_the_tutorials_values_in_a_task_are_code_or_text(template: str, value: object, shown: str) -> None:
    """A value with a backtick can't end the template's code span early (and leave a role live)."""
    assert commands._task(template, value) == shown
