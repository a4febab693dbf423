"""Turn web tutorials into a runnable Jupyter Book course."""

import importlib
import importlib.util
import sys
import types

__all__ = ["__version__"]
__version__ = "0.1.0"


def _defer_rfc3987_syntax() -> None:
    """jsonschema (nbformat imports it) imports rfc3987_syntax when that is installed (jupyter-events
    asks for it), and rfc3987_syntax builds an Earley parser of the IRI grammar as it is imported:
    0.3-0.7 s, most of the command's start-up, for the "iri" formats that nothing here checks. A
    stand-in module imports the real one the first time anything uses it."""
    name = "rfc3987_syntax"
    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return
    if spec is None:
        return
    stand_in = types.ModuleType(name)
    stand_in.__spec__ = spec
    stand_in.__path__ = list(spec.submodule_search_locations or [])

    def real() -> types.ModuleType:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        module = importlib.import_module(name)
        stand_in.__dict__.update({k: v for k, v in module.__dict__.items() if k != "__getattr__"})
        return module

    def is_valid_syntax(term: str, value: str) -> bool:
        return real().is_valid_syntax(term, value)

    def __getattr__(attribute: str) -> object:  # noqa: N807 (PEP 562)
        return getattr(real(), attribute)

    stand_in.is_valid_syntax = is_valid_syntax
    stand_in.__getattr__ = __getattr__
    sys.modules[name] = stand_in


_defer_rfc3987_syntax()
