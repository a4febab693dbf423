"""A cell that uses a name the tutorial imports elsewhere gets that import.

Tutorials often import once and use the name in several snippets, or show a
snippet that uses `url_for` from a package they import elsewhere. The added
line is the tutorial's own import when it has one, else `from <package> import
<name>` for a package the tutorial already uses.
"""

from __future__ import annotations

import importlib
from functools import cache

NOTE = "added the import the tutorial makes in another cell"


def add_imports(
    code: str, missing: set[str], tutorial_imports: dict[str, str], packages: tuple[str, ...]
) -> tuple[str, set[str]]:
    """Prepend import lines for `missing` names; (code, names still missing)."""
    found = {name: import_for(name, tutorial_imports, packages) for name in missing}
    lines = sorted({line for line in found.values() if line})
    if not lines:
        return code, missing
    added = "\n".join(f"{line}  # added: imported elsewhere in the tutorial" for line in lines)
    return f"{added}\n{code}", {name for name, line in found.items() if not line}


def import_for(name: str, tutorial_imports: dict[str, str], packages: tuple[str, ...]) -> str:
    """The tutorial's import of `name`, or one from a package it uses; "" if none."""
    if name in tutorial_imports:
        return tutorial_imports[name]
    return next((f"from {p} import {name}" for p in packages if name in _public_names(p)), "")


@cache
def _public_names(package: str) -> frozenset[str]:
    """Names a package exports at top level; empty if it can't be imported here."""
    try:
        module = importlib.import_module(package)
    except Exception:  # a broken optional dependency must not stop the conversion
        return frozenset()
    return frozenset(getattr(module, "__all__", None) or (n for n in dir(module) if not n.startswith("_")))
