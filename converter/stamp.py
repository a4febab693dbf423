"""Content stamps: tell files we generated from files a person has edited since.

A generated file carries `content_hash: <hash of its own text>` (in YAML front
matter, a `#` YAML comment or a `%` MyST comment). If the text no longer
matches, someone edited it and we must not overwrite it silently.
"""

from __future__ import annotations

import hashlib
import re

_STAMP = re.compile(r"^(\s*(?:% |# )?content_hash: ).*$", re.M)
PLACEHOLDER = "pending"


def stamp(text: str) -> str:
    """Fill in the text's `content_hash: pending` line with its hash."""
    if not _STAMP.search(text):
        raise ValueError("text has no content_hash line to stamp")
    return _STAMP.sub(lambda m: m.group(1) + _hash(text), text, count=1)


def is_hand_edited(text: str) -> bool:
    """True when the text is not exactly what we stamped (or carries no stamp)."""
    match = _STAMP.search(text)
    if not match:
        return True
    return match.group(0).split("content_hash:", 1)[1].strip() != _hash(text)


def _hash(text: str) -> str:
    unstamped = _STAMP.sub(lambda m: m.group(1) + PLACEHOLDER, text, count=1)
    return hashlib.sha256(unstamped.encode()).hexdigest()[:16]
