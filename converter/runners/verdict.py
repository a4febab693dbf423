"""What a runner decides for one block of another language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Context:
    """What the notebook holds when a block's turn comes (the runnability pass keeps it)."""

    earlier: tuple[str, ...] = ()
    """The code of the blocks of the same language that run before it."""
    installed: frozenset[str] = frozenset()
    """The packages the course installs from the runtime's registry (npm: package.json)."""
    files: Mapping[str, str] = field(default_factory=dict)
    """Files earlier cells write (path -> content), in the notebook's folder."""
    ports: frozenset[int] = frozenset()
    """Ports on which servers that earlier cells started are listening."""
    file: str = ""
    """The file the tutorial names for the block itself (`sum.test.js`), if any."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Run the block (`runs`), possibly changed, or show it with a reason."""

    runs: bool
    code: str = ""
    """What the cell runs (the tutorial's code, or that code changed as `change` says)."""
    reason: str = ""
    """Why it is not run (for learners)."""
    category: str = ""
    magic: str = ""
    """The cell magic, when it is not the language's usual one."""
    change: str = ""
    """What was changed so that it runs ("" when it runs as written)."""
    expected: str | None = None
    """Output the tutorial shows for it, to compare with what it prints."""
    volatile: bool = False
    services: tuple[str, ...] = ()
    """Servers the notebook must start before it runs (`converter.runtimes.SERVICES`)."""
    serves: frozenset[int] = frozenset()
    """Ports the block's own server listens on, for the cells after it (it keeps running)."""


def run(code: str, *, change: str = "", magic: str = "", expected: str | None = None, volatile: bool = False,
        services: tuple[str, ...] = (), serves: frozenset[int] = frozenset()) -> Verdict:
    return Verdict(True, code, "", "", magic, change, expected, volatile, services, serves)


def skip(reason: str, category: str) -> Verdict:
    return Verdict(False, reason=reason, category=category)
