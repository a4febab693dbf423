"""The `course` command, as installed and as `python -m converter`: the CLI, its regular
expressions compiled through the cache that keeps them between runs (converter.regex_cache)."""

from __future__ import annotations


def main() -> int:
    from . import regex_cache

    regex_cache.install()  # before the CLI's imports, which compile most of the patterns
    try:
        from .cli import main as cli

        return cli()
    finally:
        regex_cache.save()
