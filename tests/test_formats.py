"""Format detection from content; the suffix only breaks ties."""

from __future__ import annotations

import pytest

from converter.errors import SourceError
from converter.readers import decode, detect_format

CASES = [
    ('<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>', ".txt", "feed"),
    ('\n\n<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"></feed>', ".xml", "feed"),
    ('<a:feed xmlns:a="http://www.w3.org/2005/Atom"></a:feed>', "", "feed"),
    ("<!DOCTYPE html>\n<html><body><article><p>x</p></article></body></html>", ".txt", "html"),
    ("<html><head><title>t</title></head></html>", ".md", "html"),
    ("# Title\n\nSome text.\n\n```python\nprint(1)\n```\n", ".txt", "markdown"),
    ("Plain text, no markup at all.\n", ".md", "markdown"),
    ("Plain text, no markup at all.\n", ".txt", "text"),
    ("  • Title\n\n    Body with an HTML example:\n\n    <!DOCTYPE html>\n    <html></html>\n", ".txt", "text"),
    ("  • Title\n\n    A feed example: <rss version=\"2.0\"> in prose.\n", ".html", "text"),
]


@pytest.mark.parametrize(("content", "suffix", "expected"), CASES)
def test_detect_format(content: str, suffix: str, expected: str) -> None:
    assert detect_format(content, suffix=suffix) == expected


@pytest.mark.parametrize(
    ("data", "problem"),
    [(b"", "empty"), (b" \n\t\n", "empty"), (b"\x00\x01\x02binary", "binary"), (b"caf\xe9", "not UTF-8")],
)
def test_decode_refuses_non_text(data: bytes, problem: str) -> None:
    with pytest.raises(SourceError, match=problem) as info:
        decode(data, source="in.txt")
    assert str(info.value).startswith("in.txt: ") and "\n" not in str(info.value)


def test_decode_strips_bom_and_normalises_newlines() -> None:
    assert decode(b"\xef\xbb\xbfa\r\nb\rc", source="x") == "a\nb\nc"
