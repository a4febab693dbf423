"""Sphinx extension: what a learner takes away from a page of the course, and where to run it.

On every notebook page of the book (a page with a kernelspec):
- the theme's download dropdown offers the learner copy, "Learner notebook (.ipynb)"
  (`converter.student.write_learner_copies`, written into the site as
  `_learner/<slug>.ipynb` when the build finishes), beside the theme's `.md`;
- a launch dropdown opens the learner copy in the site's own JupyterLite
  (`lite/notebooks/index.html?path=<slug>.ipynb`, built into `lite/` when the build
  finishes, Python on Pyodide) and, when `repository: url` names the course's GitHub
  repository, on Binder (the page's `.md`, a Jupytext notebook, from the repository) and
  Colab (the learner copy on the branch the site is published to, `course_colab_branch`).
Sphinx-book-theme's own launch buttons stay off (no `launch_buttons` URLs): they point
Colab at the `.md`, which Colab can't open, and JupyterLite at paths the lite site doesn't have.

Also: Sphinx 7.4 lists an inline script that an extension adds after the builder started
twice (see `_drop_duplicate_scripts`). Listed in _config.yml under `sphinx: extra_extensions`,
so a plain `jupyter-book build .` does all of this too.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote

import nbformat
from sphinx.application import Sphinx
from sphinx.util import logging

from converter.student import write_learner_copies

logger = logging.getLogger(__name__)

LEARNER_DIR = "_learner"
LITE_DIR = "lite"
LITE_HINT = (
    "note: JupyterLite is not installed (pip install 'jupyterlite-core[contents]' jupyterlite-pyodide-kernel): "
    "the site has no in-browser copy of the course and no JupyterLite button"
)
# The JupyterLite app that opens one notebook, by the book's `launch_buttons: notebook_interface`.
_LITE_APPS = {"classic": "notebooks", "jupyterlab": "lab"}
# The path part of a Binder `urlpath`, by the same setting (as sphinx-book-theme's own).
_BINDER_UIS = {"classic": "tree", "jupyterlab": "lab/tree"}
# Pyodide's Python kernel: a learner copy names python3, which JupyterLite doesn't have
# (every notebook would open on a kernel chooser).
_PYODIDE_KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}


def setup(app: Sphinx) -> dict:
    app.add_config_value("course_jupyterlite", True, "html", [bool])
    app.add_config_value("course_binderhub_url", "https://mybinder.org", "html", [str])
    app.add_config_value("course_colab_url", "https://colab.research.google.com", "html", [str])
    # The branch the built site (_build/html) is published to, at its root: `ghp-import -n -p -f _build/html`.
    app.add_config_value("course_colab_branch", "gh-pages", "html", [str])
    app.connect("builder-inited", _say_if_lite_missing)
    # After sphinx-book-theme's header buttons (priority 501) exist.
    app.connect("html-page-context", _add_buttons, priority=510)
    # Last, after every handler that adds scripts.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=990)
    app.connect("build-finished", _write_learner_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


@cache
def lite_available() -> bool:
    return all(importlib.util.find_spec(m) for m in ("jupyterlite_core", "jupyterlite_pyodide_kernel", "jupyter_server"))


def _lite_on(app: Sphinx) -> bool:
    return app.config.course_jupyterlite and lite_available()


def _say_if_lite_missing(app: Sphinx) -> None:
    # A hint, not a warning: the book is built with warnings as errors, and works without it.
    if app.config.course_jupyterlite and not lite_available():
        logger.info(LITE_HINT)


def _is_notebook(app: Sphinx, docname: str) -> bool:
    return "kernelspec" in app.env.metadata.get(docname, {})


# ------------------------------------------------------------------ buttons


def _add_buttons(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if doctree is None or not _is_notebook(app, pagename):
        return
    slug = Path(pagename).name
    pathto = context["pathto"]
    buttons = context.setdefault("header_buttons", [])
    for group in buttons:
        if group.get("label") == "download-buttons":
            group["buttons"].insert(0, {
                "type": "link",
                "url": pathto(f"{LEARNER_DIR}/{slug}.ipynb", 1),
                "text": "Learner notebook (.ipynb)",
                "tooltip": "Download the notebook to work in (solutions removed)",
                "icon": "fas fa-code",
                "label": "download-learner-notebook-button",
            })
    launches = _launch_buttons(app, pagename, pathto)
    if launches:
        # First, where the theme puts its own launch dropdown.
        buttons.insert(0, {
            "type": "group",
            "tooltip": "Launch interactive content",
            "icon": "fas fa-rocket",
            "buttons": launches,
            "label": "launch-buttons",
        })


def _launch_buttons(app: Sphinx, pagename: str, pathto) -> list[dict]:
    slug = Path(pagename).name
    interface = _theme_options(app).get("launch_buttons", {}).get("notebook_interface", "classic")
    found = []
    if _lite_on(app):
        app_dir = _LITE_APPS.get(interface, "notebooks")
        found.append(_link("JupyterLite", "in your browser, nothing to install", "logo_jupyterlite.svg",
                           f"{pathto(f'{LITE_DIR}/{app_dir}/index.html', 1)}?path={quote(slug)}.ipynb"))
    repo = _repository(app)
    if repo is None:
        return found
    if app.config.course_binderhub_url:
        hub = app.config.course_binderhub_url.rstrip("/")
        spec = {"github.com": f"gh/{repo.org}/{repo.name}", "gitlab.com": f"gl/{repo.org}%2F{repo.name}"}.get(
            repo.host, f"git/{quote(repo.url, safe='')}")
        page = quote(f"{repo.book_path}{pagename}.md")
        ui = _BINDER_UIS.get(interface, "tree")
        found.append(_link("Binder", "on Binder (the page as a notebook)", "logo_binder.svg",
                           f"{hub}/v2/{spec}/{quote(repo.branch, safe='')}?urlpath={ui}/{page}"))
    # Colab opens notebooks from GitHub only: the learner copy as published with the site.
    if app.config.course_colab_url and repo.host == "github.com":
        colab = app.config.course_colab_url.rstrip("/")
        branch = quote(app.config.course_colab_branch, safe="")
        found.append(_link("Colab", "on Google Colab", "logo_colab.png",
                           f"{colab}/github/{repo.org}/{repo.name}/blob/{branch}/{LEARNER_DIR}/{quote(slug)}.ipynb"))
    return found


def _link(text: str, where: str, logo: str, url: str) -> dict:
    return {"type": "link", "text": text, "tooltip": f"Launch {where}", "icon": f"_static/images/{logo}", "url": url}


def _theme_options(app: Sphinx) -> dict:
    return app.config.html_theme_options or {}


@dataclass(frozen=True)
class Repository:
    """The course's repository, from _config.yml's `repository:` (Jupyter Book passes it to the theme)."""

    url: str
    host: str
    """github.com, gitlab.com, or another git host."""
    org: str
    name: str
    branch: str
    book_path: str
    """The book's folder in the repository, "" or ending in "/"."""


def _repository(app: Sphinx) -> Repository | None:
    """The repository `repository: url` names, None when it names none."""
    options = _theme_options(app)
    url = (options.get("repository_url") or "").strip().rstrip("/")
    if not url or url == _jupyter_book_placeholder():
        return None
    parts = url.split("/")
    if len(parts) < 5 or not parts[0].startswith("http"):
        return None
    book_path = (options.get("path_to_docs") or "").strip("/")
    return Repository(
        url=url, host=parts[2], org=parts[-2], name=parts[-1].removesuffix(".git"),
        branch=options.get("repository_branch") or "main", book_path=book_path + "/" if book_path else "",
    )


@cache
def _jupyter_book_placeholder() -> str:
    """Jupyter Book fills in its own repository when _config.yml names none: that is no course's."""
    try:
        import yaml
        from jupyter_book.config import PATH_YAML_DEFAULT
    except ImportError:
        return ""
    return yaml.safe_load(PATH_YAML_DEFAULT.read_text(encoding="utf-8"))["repository"]["url"].rstrip("/")


# ------------------------------------------------------------------ scripts


def _drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Each inline script once.

    Sphinx 7.4 keeps an asset added after the builder started twice: `app.add_js_file(None,
    body=...)` puts it in the builder's list with filename None, and `prepare_writing` adds
    the registry's copy again with filename '' (not equal). sphinx-thebe's `const
    THEBE_JS_URL = ...` then threw "Identifier 'THEBE_JS_URL' has already been declared"
    on every page (and sphinx-togglebutton's selector was set twice).
    """
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (getattr(script, "filename", script) or "", getattr(script, "priority", None),
               repr(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


# ------------------------------------------------------------------ files


def _write_learner_site(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    notebooks = [Path(app.env.doc2path(d)) for d in sorted(app.env.all_docs) if _is_notebook(app, d)]
    out = Path(app.outdir)
    # Written afresh: a copy of a page that left the book must not stay downloadable.
    shutil.rmtree(out / LEARNER_DIR, ignore_errors=True)
    copies = write_learner_copies(notebooks, out / LEARNER_DIR)
    if _lite_on(app):
        _build_lite(copies, out / LITE_DIR)


def _build_lite(copies: list[Path], out: Path) -> None:
    """`jupyter lite build` of the learner copies into out, with the Pyodide kernel as its only extension."""
    from jupyter_core.paths import jupyter_path
    from jupyterlite_pyodide_kernel.constants import PYODIDE_KERNEL_NPM_NAME

    # Only the kernel's extension: the course environment's other JupyterLab extensions
    # (jupytext's, jupysql's) need a Jupyter server or ipywidgets and fail in the browser.
    kernel = next((p for d in jupyter_path("labextensions") if (p := Path(d, PYODIDE_KERNEL_NPM_NAME)).is_dir()), None)
    if kernel is None:
        logger.warning(f"JupyterLite: the Pyodide kernel's extension {PYODIDE_KERNEL_NPM_NAME} is not installed")
        return
    with tempfile.TemporaryDirectory(prefix="course-lite-") as tmp:
        contents = Path(tmp, "contents")
        contents.mkdir()
        for copy in copies:
            nb = nbformat.read(copy, as_version=4)
            nb.metadata["kernelspec"] = dict(_PYODIDE_KERNELSPEC)
            nbformat.write(nb, contents / copy.name)
        shutil.rmtree(out, ignore_errors=True)
        # In a folder of its own: jupyter lite keeps its task cache (.jupyterlite.doit.db) in the working folder.
        # Without the apps' source maps (for debugging JupyterLab itself): 22 MB instead of 70.
        command = [
            sys.executable, "-m", "jupyterlite_core", "build", "--ignore-sys-prefix", "--no-sourcemaps",
            f"--LiteBuildConfig.federated_extensions={kernel}",
            "--lite-dir", tmp, "--contents", str(contents), "--output-dir", str(out),
        ]
        result = subprocess.run(command, cwd=tmp, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        last = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        logger.warning(f"JupyterLite build failed: {last[0]}")
    else:
        logger.info(f"JupyterLite: {len(copies)} learner notebooks in {out}")
