"""Turn web tutorials into a runnable Jupyter Book course."""

import importlib
import importlib.machinery
import importlib.util
import sys
import types

__all__ = ["__version__"]
__version__ = "0.1.0"


def _defer(name: str, functions: tuple[str, ...] = ()) -> None:
    """Put a stand-in for module `name` in sys.modules (when it is installed and not imported
    yet): the real module is imported the first time anything reads one of its attributes.
    `functions` are names other modules import from it at their own import (`from name
    import f`): the stand-in has them as functions that call the real ones."""
    if name in sys.modules:
        return
    spec = _spec(name)
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

    def forward(function: str):  # noqa: ANN202
        return lambda *args, **kwargs: getattr(real(), function)(*args, **kwargs)

    def __getattr__(attribute: str) -> object:  # noqa: N807 (PEP 562)
        return getattr(real(), attribute)

    for function in functions:
        setattr(stand_in, function, forward(function))
    stand_in.__getattr__ = __getattr__
    sys.modules[name] = stand_in
    package, _, attribute = name.rpartition(".")
    if package in sys.modules:  # `import a.b` then `a.b.f`: the package holds its submodule, as an import leaves it
        setattr(sys.modules[package], attribute, stand_in)


def _spec(name: str) -> importlib.machinery.ModuleSpec | None:
    """Where module `name` is, found without importing its package (None: not installed)."""
    package, _, _ = name.rpartition(".")
    try:
        if package and package not in sys.modules:
            outer = _spec(package)
            places = outer and outer.submodule_search_locations
            return importlib.machinery.PathFinder.find_spec(name, list(places)) if places else None
        return importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None


# Imported by libraries the course needs, for work it never or seldom does; each was a share
# of every command's start-up:
# - rfc3987_syntax builds an Earley parser of the IRI grammar as it is imported (0.3-0.7 s);
#   jsonschema (nbformat imports it) imports it when installed (jupyter-events asks for it),
#   for "iri" formats nothing here checks;
# - rfc3986_validator compiles its URI grammar (0.01 s), for jsonschema's "uri" format, again unused;
# - soupsieve, Beautiful Soup's CSS selectors (0.03 s before convert's readers can start):
#   only HTML pages use a selector;
# - arrow and dateutil (0.015 s), which jsonschema's "duration" format imports through
#   isoduration, whose parser calls arrow only when it parses a duration;
# - charset_normalizer (0.005 s, in each reader too), which Beautiful Soup keeps to guess the
#   encoding of bytes: the readers give it text;
# - urllib.request, with http.client, ssl and email (0.02 s in the feed reader, which
#   converting the seeds waits for): feedparser (its `http` module) and xml.sax import it to
#   fetch URLs, and the feed reader gives them text, never a URL.
_defer("rfc3987_syntax", functions=("is_valid_syntax",))
_defer("rfc3986_validator", functions=("validate_rfc3986",))
_defer("soupsieve")
_defer("arrow")
_defer("charset_normalizer")
_defer("urllib.request")
_defer("feedparser.http")
