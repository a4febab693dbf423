"""What a runner decides for one block of another language."""

from __future__ import annotations

from dataclasses import dataclass


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


def run(code: str, *, change: str = "", magic: str = "", expected: str | None = None, volatile: bool = False,
        services: tuple[str, ...] = ()) -> Verdict:
    return Verdict(True, code, "", "", magic, change, expected, volatile, services)


def skip(reason: str, category: str) -> Verdict:
    return Verdict(False, reason=reason, category=category)
