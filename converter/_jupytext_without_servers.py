"""Import jupytext without its Jupyter contents managers.

jupytext's package imports its contents managers, and with them jupyter_server, tornado,
jinja2, arrow, prometheus_client...: 0.1 s, a tenth of converting the seeds, for a server
nothing here starts (the converter and check only read and write text). With the two
modules marked missing while jupytext is imported, jupytext keeps its own stand-ins that
raise ImportError if used; afterwards the marks are removed, so that an explicit
`import jupytext.sync_contentsmanager` still works.
"""

import sys

_SERVER_MODULES = ("jupytext.sync_contentsmanager", "jupytext.async_contentsmanager")

if "jupytext" not in sys.modules:
    _marked = [name for name in _SERVER_MODULES if name not in sys.modules]
    sys.modules.update(dict.fromkeys(_marked, None))
    try:
        import jupytext  # noqa: F401
    finally:
        for name in _marked:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]
