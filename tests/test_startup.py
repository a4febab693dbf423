"""What the `course` command pays before it starts working."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout


def test_the_iri_grammar_is_built_only_when_an_iri_is_checked() -> None:
    pytest.importorskip("rfc3987_syntax")
    out = _run(
        "import sys, converter.cli\n"
        "print('lark' in sys.modules)\n"
        "from jsonschema import FormatChecker\n"
        "checker = FormatChecker()\n"
        "print(checker.conforms('https://example.com/a', 'iri'), checker.conforms('not an iri', 'iri'))\n"
        "print('lark' in sys.modules)\n"
        "import rfc3987_syntax\n"
        "print(rfc3987_syntax.is_valid_syntax('iri', 'https://example.com/b'), callable(rfc3987_syntax.parse))\n"
    )
    assert out.split() == ["False", "True", "False", "True", "True", "True"]


def test_jupytext_comes_without_jupyter_server_and_its_managers_still_import() -> None:
    out = _run(
        "import sys, converter.cli, converter.writers.notebook\n"
        "print('jupyter_server' in sys.modules, 'tornado' in sys.modules)\n"
        "import jupytext.sync_contentsmanager as managers\n"
        "print(managers.TextFileContentsManager.__name__)\n"
    )
    assert out.split() == ["False", "False", "SyncJupytextContentsManager"]


def test_no_converter_module_brings_jupyter_server() -> None:
    """Any module importing jupytext does it through `_jupytext_without_servers`."""
    out = _run(
        "import importlib, pkgutil, sys, converter\n"
        "for module in pkgutil.walk_packages(converter.__path__, 'converter.'):\n"
        "    if not module.name.endswith('__main__'):  # that one runs the command\n"
        "        importlib.import_module(module.name)\n"
        "print('jupytext' in sys.modules, 'jupyter_server' in sys.modules)\n"
    )
    assert out.split() == ["True", "False"]
