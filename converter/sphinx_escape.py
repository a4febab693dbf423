"""Sphinx extension: escape the page titles sphinx-book-theme writes into pages as raw HTML.

sphinx-book-theme 1.3 sets `pagetitle` and `root_title` to the titles' plain
text and its templates print them unescaped (`<h1>{{ pagetitle }}</h1>` in the
print-only header, `{{ root_title }}` in the sidebar), so a tutorial titled
"<script>...</script>" had a live script on its page although the converter
wrote the title as literal text. Listed in _config.yml under
`sphinx: extra_extensions`; tests/test_hostile_site.py builds the book with it.
"""

from __future__ import annotations

import html

from sphinx.application import Sphinx

_RAW_IN_THEME = ("pagetitle", "root_title")


def _escape_titles(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    for key in _RAW_IN_THEME:
        if isinstance(context.get(key), str):
            context[key] = html.escape(context[key])


def setup(app: Sphinx) -> dict:
    # After the theme's own html-page-context handler (default priority 500) set them.
    app.connect("html-page-context", _escape_titles, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
