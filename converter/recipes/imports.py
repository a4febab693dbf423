"""A cell that uses a name the tutorial imports elsewhere gets that import.

Tutorials often import once and use the name in several snippets, or show a
snippet that uses `url_for` from a package they import elsewhere. The added
line is the tutorial's own import when it has one, else `from <package> import
<name>` for a package the tutorial already uses and whose name is in
`KNOWN_EXPORTS` (a small table: convert never imports a tutorial's packages
to find out what they export).
"""

from __future__ import annotations

NOTE = "added the import the tutorial makes in another cell"

# Names tutorials use without importing them in the snippet, by package.
KNOWN_EXPORTS: dict[str, frozenset[str]] = {
    "flask": frozenset({
        "Flask", "Blueprint", "request", "session", "g", "current_app", "url_for", "redirect",
        "render_template", "jsonify", "abort", "flash", "make_response",
    }),
}


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
    return next((f"from {p} import {name}" for p in packages if name in KNOWN_EXPORTS.get(p, ())), "")
