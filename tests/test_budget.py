"""The per-source budget: work over its time or memory is stopped and reported, the rest goes on."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace
from pathlib import Path

import pytest

from converter import readers
from converter.budget import NO_BUDGET, Budget, OverBudget, each_within
from converter.convert import Layout, convert
from converter.errors import SourceError

SHORT = Budget(seconds=2, memory=256 << 20, jobs=1)


def _work(item: str) -> str:
    if item == "slow":
        time.sleep(60)
    if item == "hungry":
        return "x" * (2 << 30)  # 2 GB in a 256 MB budget
    if item == "bad":
        raise SourceError("bad.md", "not a tutorial")
    if item == "unpicklable":
        return lambda: None  # type: ignore[return-value]
    return item.upper()


def _nap(item: int) -> int:
    time.sleep(1)
    return item


@pytest.mark.parametrize("budget", [SHORT, NO_BUDGET], ids=["in a worker", "off"])
def test_results_and_exceptions_come_back_in_order(budget: Budget) -> None:
    out = list(each_within(budget, _work, ["a", "bad", "b"]))
    assert out[0] == "A" and out[2] == "B"
    assert isinstance(out[1], SourceError) and str(out[1]) == "bad.md: not a tutorial"


@pytest.mark.parametrize("jobs", [1, 2, 3])
@pytest.mark.parametrize("hostile, problem", [("slow", "stopped after 2 s"), ("hungry", "more than 256 MB")])
def test_an_item_over_budget_is_stopped_and_the_next_ones_go_on(hostile: str, problem: str, jobs: int) -> None:
    start = time.monotonic()
    out = list(each_within(replace(SHORT, jobs=jobs), _work, ["a", hostile, "b", "c", "d", "bad", "e"]))
    assert time.monotonic() - start < 30
    assert out[0] == "A" and out[2:5] == ["B", "C", "D"] and out[6] == "E"
    assert isinstance(out[1], OverBudget) and problem in str(out[1])
    assert isinstance(out[5], SourceError)


def test_workers_run_side_by_side() -> None:
    """Two items that each sleep 1 s take about 1 s with two workers, 2 s with one."""
    start = time.monotonic()
    assert list(each_within(replace(SHORT, jobs=2), _nap, [1, 2])) == [1, 2]
    assert time.monotonic() - start < 1.8


def _pid_after(item: str) -> int:
    time.sleep(3 if item == "slow" else 0.05)
    return os.getpid()


def test_a_slow_item_holds_up_only_its_own_worker() -> None:
    """A free worker takes the next item: while one works on a slow item, the other does
    all the rest (items are not dealt out in advance)."""
    out = list(each_within(replace(SHORT, seconds=10, jobs=2), _pid_after, ["slow", *"abcdef"]))
    slow, rest = out[0], out[1:]
    assert len(set(rest)) == 1 and slow not in rest


def test_a_worker_killed_while_idle_is_replaced() -> None:
    from converter.budget import _Worker

    worker = _Worker(SHORT, _work, ["a", "b"])
    worker.give(0)
    assert worker.receive() == (0, "A")
    os.kill(worker.pid, signal.SIGKILL)  # idle, waiting for its next item (the OOM killer)
    time.sleep(0.1)
    worker.give(1)
    assert worker.receive() == (1, "B")
    worker.stop()


def test_finished_workers_are_killed_then_collected_by_a_later_pool() -> None:
    """A pool does not wait for its workers' memory to be freed: the next one collects them."""
    from converter import budget

    workers = set(each_within(replace(SHORT, jobs=2), _pid_after, ["a", "b", "c"]))
    assert os.getpid() not in workers
    time.sleep(0.2)  # the kernel has freed them by now (some may be collected already)
    list(each_within(replace(SHORT, jobs=2), _pid_after, ["d"]))
    assert not workers & set(budget._KILLED)
    for pid in workers:  # collected: no zombie is left
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_the_command_collects_every_worker_before_it_exits() -> None:
    from converter import budget

    workers = set(each_within(replace(SHORT, jobs=2), _pid_after, ["a", "b"]))
    budget.collect_workers()
    assert not budget._KILLED
    for pid in workers:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_result_that_does_not_pickle_is_an_error_not_a_hang() -> None:
    [out] = each_within(SHORT, _work, ["unpicklable"])
    assert isinstance(out, RuntimeError)


def test_a_source_over_budget_fails_in_one_line_and_the_others_convert(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    def hangs_on_loops(text: str, *, source: str):  # noqa: ANN202
        if "loop" in source:
            while True:
                pass
        return markdown(text, source=source)

    markdown = readers.READERS["markdown"]
    monkeypatch.setitem(readers.READERS, "markdown", hangs_on_loops)
    for name in ("loop.md", "fine.md"):
        (tmp_path / name).write_text("# Python Lists\n\nSorting a list in python.\n\n```python\nprint(sorted([3, 1, 2]))\n```\n")
    (tmp_path / "book").mkdir()
    report = convert([tmp_path / "loop.md", tmp_path / "fine.md"], layout=Layout(tmp_path), budget=Budget(seconds=3))
    assert [str(f) for f in report.failures] == [f"{tmp_path / 'loop.md'}: left out: stopped after 3 s (the time budget)"]
    assert [d.meta.source for d in report.course.documents] == [str(tmp_path / "fine.md")]


def _slow_generator(doc):  # noqa: ANN001, ANN202
    time.sleep(60)


def _broken_generator(doc):  # noqa: ANN001, ANN202
    raise KeyError("a generator bug")


@pytest.mark.parametrize("generator, warning", [
    (_slow_generator, "exercises left out: stopped after 3 s (the time budget)"),
    (_broken_generator, "exercises left out: _broken_generator failed (KeyError: 'a generator bug')"),
])
def test_exercises_over_budget_or_failing_cost_only_the_exercises(tmp_path: Path, monkeypatch, generator, warning) -> None:  # noqa: ANN001
    from converter.passes import exercises

    monkeypatch.setattr(exercises, "GENERATORS", (("predict", generator), *exercises.GENERATORS))
    (tmp_path / "lists.md").write_text("# Python Lists\n\nSorting a list in python.\n\n```python\nprint(sorted([3, 1, 2]))\n```\n")
    (tmp_path / "book").mkdir()
    report = convert([tmp_path / "lists.md"], layout=Layout(tmp_path), budget=Budget(seconds=3))
    assert report.failures == [] and len(report.course.documents) == 1
    assert [w.split(": ", 2)[2] for w in report.warnings] == [warning]
    assert report.written  # the tutorial itself is written


def _two_tutorials(tmp_path: Path) -> Path:
    """One feed holding two tutorials."""
    item = ("<item><title>{title}</title><link>https://example.com/{slug}</link><description><![CDATA["
            "<p>{prose}</p><pre><code class=\"language-python\">{code}</code></pre>]]></description></item>")
    items = [item.format(title="Python Lists", slug="lists", prose="Sorting a list in python.", code="print(sorted([3, 1, 2]))"),
             item.format(title="Python Loops", slug="loops", prose="Looping in python.", code="for i in range(3):\n    print(i)")]
    source = tmp_path / "feed.xml"
    source.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{"".join(items)}</channel></rss>')
    (tmp_path / "book").mkdir()
    return source


@pytest.mark.parametrize("problem, failure", [
    ("hangs", "left out: stopped after 3 s (the time budget)"),
    ("raises", "could not be converted (KeyError: 'a pass bug')"),
])
def test_a_tutorial_whose_passes_fail_is_left_out_and_the_source_s_others_convert(
        tmp_path: Path, monkeypatch, problem: str, failure: str) -> None:  # noqa: ANN001
    """The per-tutorial passes run tutorial by tutorial in the budget's workers: one that
    hangs or raises costs that tutorial, in one line naming the source and the tutorial."""
    from converter.passes import pipeline

    assign = pipeline.assign_languages

    def fails_on_loops(doc):  # noqa: ANN001, ANN202
        if "Loops" in doc.meta.title:
            if problem == "hangs":
                while True:
                    pass
            raise KeyError("a pass bug")
        return assign(doc)

    monkeypatch.setattr(pipeline, "assign_languages", fails_on_loops)
    source = _two_tutorials(tmp_path)
    report = convert([source], layout=Layout(tmp_path), budget=Budget(seconds=3, jobs=2))
    titles = [d.meta.title for d in report.course.documents]
    assert [str(f) for f in report.failures] == [f"{source}: Python Loops: {failure}"]
    assert titles == ["Python Lists"] and list(report.paths) == ["Python Lists"]


def test_a_page_that_fails_to_write_costs_only_that_page(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Exercises and the page are made together in a worker; a writer bug on one tutorial
    is reported in one line and the other pages are written."""
    from converter.writers import notebook

    to_myst = notebook.to_myst

    def breaks_on_loops(doc):  # noqa: ANN001, ANN202
        if "Loops" in doc.meta.title:
            raise ValueError("a writer bug")
        return to_myst(doc)

    monkeypatch.setattr(notebook, "to_myst", breaks_on_loops)
    source = _two_tutorials(tmp_path)
    report = convert([source], layout=Layout(tmp_path), budget=Budget(seconds=10, jobs=2))
    assert [str(f) for f in report.failures] == [f"{source}: Python Loops: could not be written (ValueError: a writer bug)"]
    assert list(report.paths) == ["Python Lists"] and report.paths["Python Lists"].exists()
    assert len(report.course.documents) == 2  # the tutorial is in the course; its page is what failed


def test_a_worker_forks_once_the_import_thread_is_done_even_as_it_makes_a_logger() -> None:
    """Convert imports in a thread while workers run; a fork waits for that thread first
    (budget.before_fork). It used to wait in an os.register_at_fork hook, which runs after
    logging's own, registered later, has taken its lock: a thread that then made a logger
    (markdown-it's modules do, as they are imported) never finished, and convert hung."""
    import subprocess
    import sys

    code = (
        "import sys, time\n"
        "import converter.convert as convert\n"
        "from converter.budget import Budget, each_within\n"
        "assert 'logging' not in sys.modules\n"
        "def imports():\n"
        "    import logging\n"  # its at-fork hook is registered after convert's
        "    time.sleep(0.5)\n"
        "    logging.getLogger('made-while-forking')\n"
        "convert._in_background(imports)\n"
        "time.sleep(0.2)\n"
        "print(list(each_within(Budget(seconds=5, jobs=1), abs, [-1, -2])))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[1,", "2]"]
