"""A time and memory budget for each source, so that one hostile file can't stall or
exhaust the machine.

The work runs in forked worker processes (they inherit everything imported), one per core
asked for, each taking its share of the items one after another and sending each result
back as soon as it has it. An item
over its time budget gets the worker killed; one over its memory budget (an address-space
limit on the worker) stops it; either way that item is reported and a fresh worker goes
on with the next. A worker for many items keeps the caches it warms (lexers, compiled
patterns): a fork per item made converting the seeds a third slower.

Fuzzing found sources that hang or blow up in parsers and passes (a 449-byte text dump took
2.7 GB; YAML aliases took minutes). Each is a bug to fix; the budget makes the next one
cost one source, reported in one line, instead of the whole conversion.
"""

from __future__ import annotations

import os
import pickle
import resource
import selectors
import signal
import struct
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .errors import describe

__all__ = ["Budget", "NO_BUDGET", "OverBudget", "WorkerDied", "each_within"]

T = TypeVar("T")
R = TypeVar("R")
_LENGTH = struct.Struct("!Q")


@dataclass(frozen=True, slots=True)
class Budget:
    """Per item: wall-clock seconds, and bytes of memory on top of what the converter holds.
    `seconds=0` switches the budget off (work runs in this process: for debugging)."""

    seconds: float = 20.0
    memory: int = 1 << 30
    jobs: int = os.cpu_count() or 1
    """Workers side by side (each with the budget per item); default: one per core."""


NO_BUDGET = Budget(seconds=0)
"""Work runs in this process, unbounded (the passes' default; `--source-time 0`)."""


class OverBudget(Exception):
    """The work took longer or needed more memory than its budget; it was stopped."""


class WorkerDied(OverBudget):
    """The worker died without a word: the kernel's OOM killer, or a crash in C code."""


def each_within(budget: Budget, work: Callable[[T], R], items: Sequence[T]) -> Iterator[R | BaseException]:
    """`work(item)` for each item, in order, each under `budget`: its result, or the exception
    it raised (OverBudget when stopped). Exceptions are yielded, not raised, so that one
    item's failure never costs the others. `budget.jobs` workers share the items (item i goes
    to worker i % jobs) and run side by side; results still come in order. The workers start
    at once, before the first result is asked for: the caller may do other work meanwhile."""
    if not budget.seconds or not hasattr(os, "fork"):
        return _in_process(work, items)
    jobs = max(1, min(budget.jobs, len(items)))
    return _Results([_Lane(budget, work, items[k::jobs]) for k in range(jobs)], len(items))


def _in_process(work: Callable[[T], R], items: Sequence[T]) -> Iterator[R | BaseException]:
    for item in items:
        try:
            yield work(item)
        except Exception as err:
            yield err


class _Results:
    """The lanes' results in item order; the workers are stopped after the last one, or when
    the results are dropped before that."""

    def __init__(self, lanes: list[_Lane], count: int) -> None:
        self.lanes, self.count, self.given = lanes, count, 0
        self.owner = os.getpid()  # a worker forked meanwhile inherits this object: it must not stop the lanes

    def __iter__(self) -> _Results:
        return self

    def __next__(self) -> object:
        if self.given == self.count:
            self.close()
            raise StopIteration
        lane = self.lanes[self.given % len(self.lanes)]
        self.given += 1
        try:
            return lane.next()
        except BaseException:  # interrupted (Ctrl-C) or a broken pipe: no worker is left behind
            self.close()
            raise

    def close(self) -> None:
        if os.getpid() == self.owner:
            for lane in self.lanes:
                lane.stop()

    __del__ = close


class _Lane:
    """A forked worker serving a list of items one after another; a fresh one takes over
    after the item that stopped it. The worker starts at once, so lanes run side by side."""

    def __init__(self, budget: Budget, work: Callable, items: Sequence) -> None:
        self.budget, self.work, self.items, self.done = budget, work, items, 0
        self.pid, self.pipe = 0, None
        if items:
            self._fork()

    def _fork(self) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            os.close(read_end)
            _serve(self.budget, self.work, self.items[self.done:], write_end)
        os.close(write_end)
        self.pid, self.pipe = pid, os.fdopen(read_end, "rb", buffering=0)

    def next(self) -> object:
        """The next item's result, or why its worker was stopped. The deadline runs from when
        the result is waited for: with several lanes an item may have started a little earlier."""
        data = _message(self.pipe, time.monotonic() + self.budget.seconds)
        self.done += 1
        if data:
            kind, value = pickle.loads(data)
            if kind != "memory":
                return value
            stopped: BaseException = OverBudget(f"needed more than {self.budget.memory >> 20} MB (the memory budget)")
        elif data is None:
            stopped = OverBudget(f"stopped after {self.budget.seconds:g} s (the time budget)")
        else:
            stopped = WorkerDied(f"the conversion process died; memory budget {self.budget.memory >> 20} MB")
        self.stop()
        if self.done < len(self.items):
            self._fork()
        return stopped

    def stop(self) -> None:
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pipe.close()
            self.pid, self.pipe = 0, None


def _serve(budget: Budget, work: Callable, items: Sequence, write_end: int) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _limit_memory(budget.memory)
        with os.fdopen(write_end, "wb") as pipe:
            for item in items:
                try:
                    outcome: tuple[str, object] = ("done", work(item))
                except MemoryError:
                    outcome = ("memory", None)
                except Exception as err:
                    outcome = ("done", err)
                try:
                    data = pickle.dumps(outcome)
                except Exception as err:  # something that does not pickle: its description does
                    data = pickle.dumps(("done", RuntimeError(describe(err))))
                pipe.write(_LENGTH.pack(len(data)) + data)
                pipe.flush()
                if outcome[0] == "memory":
                    break  # a fresh worker, with its memory back, goes on
    except BaseException:
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers twice


def _limit_memory(extra: int) -> None:
    """Cap the address space at what the process maps now plus `extra` (Linux; elsewhere no cap)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = mapped + extra if hard == resource.RLIM_INFINITY else min(mapped + extra, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _message(pipe, deadline: float) -> bytes | None:
    """One length-prefixed message; b"" if the worker closed the pipe (it died), None at the deadline."""
    header = _read(pipe, _LENGTH.size, deadline)
    if not header:
        return header
    return _read(pipe, _LENGTH.unpack(header)[0], deadline)


def _read(pipe, size: int, deadline: float) -> bytes | None:
    chunks, left = [], size
    with selectors.DefaultSelector() as selector:
        selector.register(pipe, selectors.EVENT_READ)
        while left:
            wait = deadline - time.monotonic()
            if wait <= 0 or not selector.select(timeout=wait):
                return None
            chunk = pipe.read(min(left, 1 << 20))
            if not chunk:
                return b""
            chunks.append(chunk)
            left -= len(chunk)
    return b"".join(chunks)
