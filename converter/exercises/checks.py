"""Building blocks for check cells, shared by the generators.

Check cells run inside the learner's notebook: standard library only, no
import of `converter`. They compare digests or behaviour, never a literal
answer, and fail with AssertionError and a friendly message.
"""

from __future__ import annotations

import base64
import hashlib
import zlib

from ..practice import reference

__all__ = ["digest", "normalize", "CHECK_HELPERS", "EXACT_DIGEST", "answer_check", "packed", "reference"]


def digest(text: str) -> str:
    """The digest a check compares an answer with: normalised text, sha256, 16 hex digits."""
    return hashlib.sha256(normalize(text).encode()).hexdigest()[:16]


def normalize(text: str) -> str:
    """What counts as "the same answer": case, surrounding blanks and inner runs of spaces don't matter."""
    return " ".join(str(text).split()).casefold()


# The same two functions as source, for check cells (kept identical to the ones above
# by a test: tests/test_exercise_checks.py).
CHECK_HELPERS = '''\
import hashlib as _hashlib

def _normalize(text):
    return " ".join(str(text).split()).casefold()

def _digest(text):
    return _hashlib.sha256(_normalize(text).encode()).hexdigest()[:16]
'''


# Checks against a reference compare digests of what it does (printed lines, values): learner
# copies keep those digests in place of the reference (see converter/practice.py).
EXACT_DIGEST = '''\
import hashlib as _hashlib, os as _os

def _sha(text):
    # The folder the code runs in is left out: a learner's is not the one check ran in.
    return _hashlib.sha256(str(text).replace(_os.getcwd(), "<here>").encode()).hexdigest()[:16]
'''


def answer_check(variable: str, expected: str, *, wrong: str, right: str) -> str:
    """Check code: `variable` must be filled in and match `expected` (compared by digest)."""
    return (
        CHECK_HELPERS
        + f"\nassert {variable} is not ..., \"Replace the ... with your answer first.\"\n"
        + f"assert _digest({variable}) == {digest(expected)!r}, {wrong!r}\n"
        + f"print({right!r})\n"
    )


def packed(code: str) -> str:
    """`code` compressed and base64-encoded, for a check to run without showing it
    (`zlib.decompress(base64.b64decode(...)).decode()` in the check)."""
    return base64.b64encode(zlib.compress(code.encode())).decode()
