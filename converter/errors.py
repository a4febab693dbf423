"""Errors the converter reports to users.

    ConverterError            base class; str() is one line for the terminal
    ├── SourceError           a source file can't be read or parsed (names the file)
    └── WriterError           a tutorial's notebook can't be written faithfully (names its source)

Messy but readable web input is not an error: readers log what they skip
in `Document.notes` and carry on.
"""

from __future__ import annotations


class ConverterError(Exception):
    """Base class of every error the converter reports."""


class SourceError(ConverterError):
    """A source file is empty, binary, not UTF-8, truncated or malformed."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Pickled from the process that read the source (converter.budget) by its two fields.
        return (type(self), (self.path, self.problem))


class WriterError(SourceError):
    """The notebook made from a tutorial would not read back as written."""


def describe(err: BaseException, limit: int = 300) -> str:
    """`Type: message` on one line (at most `limit` characters of message), for a note or an error line."""
    message = " ".join(str(err).split())
    if len(message) > limit:
        message = message[:limit] + "…"
    return f"{type(err).__name__}: {message}" if message else type(err).__name__
