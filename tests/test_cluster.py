"""`course check --cluster`: notebooks run on the workers of a Dask distributed cluster
(here a `distributed.LocalCluster`) and the report matches a local run."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import nbformat
import pytest

from converter.document import CodeBlock, Document, Exercise, Heading, Meta, Paragraph
from converter.exercises.checks import answer_check
from converter.execute import CheckOptions, ClusterUnavailable, check
from converter.sandbox import bwrap_path
from converter.writers.notebook import to_myst

distributed = pytest.importorskip("distributed")
needs_sandbox = pytest.mark.skipif(bwrap_path() is None, reason="bubblewrap is not installed (apt-get install bubblewrap)")


def _notebooks(folder: Path) -> list[Path]:
    quiz = Exercise(kind="choice", title="Pick one", prompt="Which?", starter="answer = ...\n", solution="answer = 'B'\n",
                    check=answer_check("answer", "B", wrong="Not quite.", right="✅ Yes."), label="ex-one-1",
                    right=("answer = 'b'\n",), wrong=("answer = 'A'\n",))
    docs = {
        "one": (Heading(2, "Sums"), CodeBlock("print(sum([1, 2, 3]))", "python", status="runs"), quiz),
        "two": (Paragraph("Errors."), CodeBlock("1 / 0", "python", status="runs"),  # fails: reported as such
                CodeBlock("print('after')", "python", status="runs")),
        "three": (CodeBlock("import json\nprint(json.dumps({'a': 1}))", "python", status="runs"),),
    }
    folder.mkdir(parents=True)
    paths = []
    for slug, blocks in docs.items():
        paths.append(folder / f"{slug}.md")
        paths[-1].write_text(to_myst(Document(Meta(slug.title(), f"{slug}.md", slug=slug, chapter="Python"), blocks)))
    return paths


def _comparable(result) -> dict:
    data = asdict(result)
    for key in ("notebook", "executed", "seconds", "cell_seconds", "jupyter_cache", "cached", "key"):
        data.pop(key)
    return data


@needs_sandbox
def test_a_check_on_a_dask_cluster_reports_what_a_local_check_does(tmp_path: Path) -> None:
    local_dir, cluster_dir = tmp_path / "local", tmp_path / "cluster"
    local = check(_notebooks(local_dir / "book"), CheckOptions(out_dir=local_dir / "executed", report=local_dir / "report.json",
                                                               jobs=2, jupyter_cache=None))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        options = CheckOptions(out_dir=cluster_dir / "executed", report=cluster_dir / "report.json", jobs=2,
                               jupyter_cache=None, cluster=cluster.scheduler_address)
        remote = check(_notebooks(cluster_dir / "book"), options)
    by_name = lambda results: {Path(r.notebook).name: r for r in results}  # noqa: E731
    local, remote = by_name(local), by_name(remote)
    assert set(remote) == {"one.md", "two.md", "three.md"}
    for name in local:
        assert _comparable(remote[name]) == _comparable(local[name]), name
        # the executed notebook came back from the worker and is where the report says
        executed = nbformat.read(remote[name].executed, as_version=4)
        assert Path(remote[name].executed).parent == cluster_dir / "executed"
        assert [c.get("outputs") for c in executed.cells] == [
            c.get("outputs") for c in nbformat.read(local[name].executed, as_version=4).cells]
    assert remote["one.md"].exercises == 1 and remote["two.md"].error.startswith("cell ")


def test_no_scheduler_is_one_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("converter.execute.CLUSTER_TIMEOUT", 2)
    options = CheckOptions(out_dir=tmp_path / "executed", report=tmp_path / "report.json", jupyter_cache=None,
                           sandbox=False, cluster="tcp://127.0.0.1:9")
    with pytest.raises(ClusterUnavailable, match="no Dask scheduler answers at tcp://127.0.0.1:9"):
        check(_notebooks(tmp_path / "book"), options)
