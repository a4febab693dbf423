"""A time and memory budget for each source, so that one hostile file can't stall or
exhaust the machine.

The work runs in forked worker processes (they inherit everything imported), one per core
asked for. A worker that is free takes the next item, so a slow item holds up only its own
worker; each result is sent back as soon as it is made, and handed on in item order. An item
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
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .errors import describe

__all__ = ["Budget", "NO_BUDGET", "OverBudget", "WorkerDied", "before_fork", "between_items", "each_within",
           "collect_workers"]

T = TypeVar("T")
R = TypeVar("R")
_NUMBER = struct.Struct("!Q")
"""A message's length, or an item's number: 8 bytes, network order."""


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

between_items: list[Callable[[], None]] = []
"""Called in a worker after it sent an item's result: a worker ends by SIGKILL, so what it
leaves for later runs (converter.compile_cache) it leaves here."""


before_fork: list[Callable[[], None]] = []
"""Called before a worker is forked, ahead of os.register_at_fork's hooks (logging's takes its
lock there: a hook that waits for a thread importing a module that makes a logger never returns)."""


class OverBudget(Exception):
    """The work took longer or needed more memory than its budget; it was stopped."""


class WorkerDied(OverBudget):
    """The worker died without a word: the kernel's OOM killer, or a crash in C code."""


def each_within(budget: Budget, work: Callable[[T], R], items: Sequence[T]) -> Iterator[R | BaseException]:
    """`work(item)` for each item, in order, each under `budget`: its result, or the exception
    it raised (OverBudget when stopped). Exceptions are yielded, not raised, so that one
    item's failure never costs the others. `budget.jobs` workers run side by side, each
    taking the next item when it is free; results still come in order. The workers start at
    once, before the first result is asked for: the caller may do other work meanwhile."""
    if not budget.seconds or not hasattr(os, "fork"):
        return _in_process(work, items)
    return _Pool(budget, work, items)


def _in_process(work: Callable[[T], R], items: Sequence[T]) -> Iterator[R | BaseException]:
    for item in items:
        try:
            yield work(item)
        except Exception as err:
            yield err


class _Pool:
    """The workers and the items not yet given to one; results in item order. The workers
    are stopped after the last result, or when the results are dropped before that."""

    def __init__(self, budget: Budget, work: Callable, items: Sequence) -> None:
        self.budget, self.items = budget, items
        self.waiting = deque(range(len(items)))
        self.done: dict[int, object] = {}
        self.handed = 0
        self.owner = os.getpid()  # a worker forked meanwhile inherits this object: it must not stop the others
        self.workers = [_Worker(budget, work, items) for _ in range(max(1, min(budget.jobs, len(items))))]
        for worker in self.workers:
            self._give(worker)

    def __iter__(self) -> _Pool:
        return self

    def __next__(self) -> object:
        if self.handed == len(self.items):
            self.close()
            raise StopIteration
        try:
            while self.handed not in self.done:
                self._collect()
        except BaseException:  # interrupted (Ctrl-C) or a broken pipe: no worker is left behind
            self.close()
            raise
        self.handed += 1
        return self.done.pop(self.handed - 1)

    def _give(self, worker: _Worker) -> None:
        if self.waiting:
            worker.give(self.waiting.popleft())

    def _collect(self) -> None:
        """Wait for the next result of any busy worker (or its deadline), file it, and give
        that worker the next item."""
        busy = [w for w in self.workers if w.item is not None]
        with selectors.DefaultSelector() as selector:
            for worker in busy:
                selector.register(worker.results, selectors.EVENT_READ, worker)
            wait = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = [key.data for key, _events in selector.select(timeout=wait)]
        for worker in busy:
            if worker in ready or time.monotonic() >= worker.deadline:
                index, outcome = worker.receive()
                self.done[index] = outcome
                self._give(worker)

    def close(self) -> None:
        if os.getpid() == self.owner:
            _reap()
            for worker in self.workers:
                worker.stop(wait=False)

    __del__ = close


class _Worker:
    """A forked worker: it takes item numbers on one pipe and sends each item's outcome on
    another. A fresh one takes over after an item that stopped it."""

    def __init__(self, budget: Budget, work: Callable, items: Sequence) -> None:
        self.budget, self.work, self.items = budget, work, items
        self.pid, self.orders, self.results = 0, -1, None
        self.item: int | None = None
        self.deadline = 0.0

    def give(self, index: int) -> None:
        if not self.pid:
            self._fork()
        try:
            os.write(self.orders, _NUMBER.pack(index))
        except OSError:  # it died while idle (the OOM killer): a fresh one takes the item
            self.stop()
            self._fork()
            os.write(self.orders, _NUMBER.pack(index))
        self.item, self.deadline = index, time.monotonic() + self.budget.seconds

    def _fork(self) -> None:
        for hook in before_fork:
            hook()
        order_read, order_write = os.pipe()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            os.close(order_write)
            os.close(result_read)
            _serve(self.budget, self.work, self.items, order_read, result_write)
        os.close(order_read)
        os.close(result_write)
        self.pid, self.orders, self.results = pid, order_write, os.fdopen(result_read, "rb", buffering=0)

    def receive(self) -> tuple[int, object]:
        """(the item, its result or why its worker was stopped). The deadline runs from when
        the item was given."""
        index, self.item = self.item, None
        data = _message(self.results, self.deadline)
        if data:
            kind, value = pickle.loads(data)
            if kind != "memory":
                return index, value
            stopped: BaseException = OverBudget(f"needed more than {self.budget.memory >> 20} MB (the memory budget)")
        elif data is None:
            stopped = OverBudget(f"stopped after {self.budget.seconds:g} s (the time budget)")
        else:
            stopped = WorkerDied(f"the conversion process died; memory budget {self.budget.memory >> 20} MB")
        self.stop()  # the next item gets a fresh worker
        return index, stopped

    def stop(self, *, wait: bool = True) -> None:
        """Kill it; `wait=False`: without waiting for the kernel to free its memory (a few ms
        each, the caller waiting), for a later pool's `_reap` to collect."""
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            if wait:
                os.waitpid(self.pid, 0)
            else:
                _KILLED.append(self.pid)
            os.close(self.orders)
            self.results.close()
            self.pid, self.orders, self.results, self.item = 0, -1, None, None


_KILLED: list[int] = []
"""Workers killed and not waited for yet."""


def collect_workers() -> None:
    """Wait for every worker killed and not collected yet (the command, before it exits)."""
    _reap(block=True)


def _reap(*, block: bool = False) -> None:
    """Collect the workers killed earlier that are gone by now (`block`: all of them, as the
    process ends, so that their time counts as its children's)."""
    for pid in list(_KILLED):
        try:
            done, _status = os.waitpid(pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped already (by a caller's own wait)
            done = pid
        if done:
            _KILLED.remove(pid)


def _serve(budget: Budget, work: Callable, items: Sequence, order_read: int, result_write: int) -> None:
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _limit_memory(budget.memory)
        with os.fdopen(order_read, "rb", buffering=0) as orders, os.fdopen(result_write, "wb") as pipe:
            while header := _read(orders, _NUMBER.size, None):  # b"": no more items
                item = items[_NUMBER.unpack(header)[0]]
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
                pipe.write(_NUMBER.pack(len(data)) + data)
                pipe.flush()
                for hook in between_items:
                    hook()
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
    header = _read(pipe, _NUMBER.size, deadline)
    if not header:
        return header
    return _read(pipe, _NUMBER.unpack(header)[0], deadline)


def _read(pipe, size: int, deadline: float | None) -> bytes | None:
    """`size` bytes; b"" if the other end closed the pipe; None at the deadline (with none,
    as long as it takes)."""
    chunks, left = [], size
    with selectors.DefaultSelector() as selector:
        selector.register(pipe, selectors.EVENT_READ)
        while left:
            wait = None if deadline is None else deadline - time.monotonic()
            if wait is not None and (wait <= 0 or not selector.select(timeout=wait)):
                return None
            chunk = pipe.read(min(left, 1 << 20))
            if not chunk:
                return b""
            chunks.append(chunk)
            left -= len(chunk)
    return b"".join(chunks)
