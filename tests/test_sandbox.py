"""Hostile notebook cells: every attempt is contained by the sandbox and reported by `course check`.

Each attack is its own notebook (one kernel each, as in a course), so one attack's
leftovers cannot mask another's. A cell prints BREACH if its attack worked; the
test also looks from the outside: marker files, a listener on 127.0.0.1, the
project's own _config.yml, processes left running.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from converter import sandbox
from converter.cli import main
from converter.execute import CheckOptions, check

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
pytestmark = pytest.mark.skipif(sandbox.bwrap_path() is None, reason=f"bubblewrap missing: {sandbox.HINT}")


def _writes(target: Path) -> dict[str, str]:
    """Four ways to write `target`, the last one invisible to any static check."""
    hidden = base64.b64encode(f"open({str(target / 'exec.txt')!r}, 'w').write('x')".encode()).decode()
    return {
        "write-open": f"open({str(target / 'open.txt')!r}, 'w').write('x')",
        "write-pathlib": f"import pathlib\npathlib.Path({str(target / 'pathlib.txt')!r}).write_text('x')",
        "write-shutil": f"import shutil\nshutil.copy('/etc/hostname', {str(target / 'shutil.txt')!r})",
        "write-exec": f"import base64\nexec(base64.b64decode({hidden!r}).decode())",
    }


def _attacks(outside: Path, project: Path, secret_home: Path, port: int) -> dict[str, str]:
    breach = "print('BREACH')"
    return {
        **_writes(outside),
        "write-tmp-and-home": "import os\nopen('/tmp/mark', 'w').write('x')\nopen(os.path.expanduser('~/mark'), 'w').write('x')\n"
                              "import json\nprint(json.dumps([os.listdir('/tmp'), os.listdir(os.path.expanduser('~'))]))",
        "append-config": f"open({str(project / '_config.yml')!r}, 'a').write('pwned: true')",
        "read-ssh-key": f"print(open({str(secret_home / '.ssh' / 'id_rsa')!r}).read())\n{breach}",
        "read-shadow": f"print(open('/etc/shadow').read())\n{breach}",
        "read-repository": f"print(open({str(ROOT / 'pyproject.toml')!r}).read()[:20])\n{breach}",
        "read-secret-env": "import os\nif 'COURSE_TEST_SECRET' in os.environ or any('hunter2' in v for v in os.environ.values()):\n"
                           f"    {breach}\nprint('environment:', sorted(os.environ))",
        "connect-localhost": f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=3)\n{breach}",
        "fork-bomb": "import os\nwhile True:\n    if os.fork() == 0:\n        import time\n        time.sleep(60)\n        os._exit(0)",
        "allocate-50-GB": "block = bytearray(50 * 2**30)",
        "print-1-GB": "line = 'x' * 1023\nfor _ in range(1 << 20):\n    print(line)",
        "loop-forever": "while True:\n    pass",
        "kill-parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, signal.SIGKILL)\nprint('still here')",
    }


# What `course check` must report for the attack's cell: (status, start of the reason).
EXPECTED = {
    "write-open": ("failed", "FileNotFoundError"),
    "write-pathlib": ("failed", "FileNotFoundError"),
    "write-shutil": ("failed", "FileNotFoundError"),
    "write-exec": ("failed", "FileNotFoundError"),
    "write-tmp-and-home": ("ran", ""),
    "append-config": ("failed", "FileNotFoundError"),
    "read-ssh-key": ("failed", "FileNotFoundError"),
    "read-shadow": ("failed", "FileNotFoundError"),
    "read-repository": ("failed", "FileNotFoundError"),
    "read-secret-env": ("ran", ""),
    "connect-localhost": ("failed", "ConnectionRefusedError"),
    "fork-bomb": ("limit", "limit: processes 64"),
    "allocate-50-GB": ("limit", "limit: memory 1 GiB"),
    "print-1-GB": ("limit", "limit: output 1 MiB"),
    "loop-forever": ("timeout", "timeout: a cell ran longer than 5 s"),
    "kill-parent": ("ran", ""),
}


class Listener:
    """A TCP listener on the host's 127.0.0.1 that counts the connections that arrive."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.arrived = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
                self.arrived += 1
                connection.close()
            except OSError:
                continue

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.socket.close()


def _notebook(name: str, code: str) -> str:
    cells = [new_markdown_cell(f"# {name}"), new_code_cell(code), new_code_cell("print('the cell after the attack runs')")]
    return jupytext.writes(new_notebook(cells=cells, metadata={"kernelspec": KERNELSPEC}), fmt="md:myst")


RUN_MARK = f"COURSE_TEST_RUN={os.getpid()}-{time.time_ns()}"
"""Set in this test's environment: the launchers and bwrap processes of its kernels inherit it
(other runs' kernels, e.g. a parallel CI run, don't)."""


def _kernels_running() -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            environ = (proc / "environ").read_bytes()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if RUN_MARK.encode() in environ.split(b"\0") and proc.name != str(os.getpid()):
            found.append(cmdline[:120])
    return found


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("hostile")
    outside, project, home = tmp / "outside", tmp / "project", tmp / "home"
    for folder in (outside, project, home / ".ssh"):
        folder.mkdir(parents=True)
    (project / "_config.yml").write_text("title: a course\n", encoding="utf-8")
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN SECRET KEY-----\n", encoding="utf-8")
    listener = Listener()
    attacks = _attacks(outside, project, home, listener.port)
    paths = []
    for name, code in attacks.items():
        path = project / f"{name}.md"
        path.write_text(_notebook(name, code), encoding="utf-8")
        paths.append(path)
    limits = sandbox.Limits(memory=sandbox.GiB, processes=64, output=sandbox.MiB)
    options = CheckOptions(
        out_dir=project / "_build" / "executed", report=project / "_build" / "report.json", jupyter_cache=None,
        findings=project / "findings.json", cell_timeout=5, notebook_timeout=60, jobs=2, limits=limits,
    )
    os.environ["COURSE_TEST_SECRET"] = "hunter2"
    name, _, value = RUN_MARK.partition("=")
    os.environ[name] = value
    start = time.perf_counter()
    # What the kernels get bound read-only besides the system: Python, the venv, the npm packages
    # (NODE_PATH, when an earlier `check` in this process set it).
    bound = [*sandbox.python_folders(), *sandbox.node_folders(dict(os.environ))]
    try:
        results = {Path(r.notebook).stem: r for r in check(paths, options)}
    finally:
        del os.environ["COURSE_TEST_SECRET"], os.environ[name]
        listener.close()
    return {"results": results, "seconds": time.perf_counter() - start, "outside": outside, "project": project,
            "listener": listener, "options": options, "bound": bound}


def _attack_cell(result):  # noqa: ANN001, ANN202
    return next(c for c in result.cells if c.index == 1)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_attack_is_contained_and_reported(attacked, name: str) -> None:
    result = attacked["results"][name]
    cell = _attack_cell(result)
    status, reason = EXPECTED[name]
    assert (cell.status, cell.reason[: len(reason)]) == (status, reason), cell
    executed = nbformat.read(result.executed, as_version=4)
    printed = "".join(o.get("text", "") for o in executed.cells[1].get("outputs", []))
    assert "BREACH" not in printed


# After a timeout the kernel is gone; after a fork bomb its processes still fill the limit.
@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n not in ("loop-forever", "fork-bomb")))
def test_the_next_cell_still_runs_after_the_attack(attacked, name: str) -> None:
    after = next(c for c in attacked["results"][name].cells if c.index == 2)
    assert after.status == "ran", after


def test_nothing_outside_the_sandbox_changed(attacked) -> None:
    assert list(attacked["outside"].iterdir()) == []
    assert (attacked["project"] / "_config.yml").read_text(encoding="utf-8") == "title: a course\n"
    assert not Path("/tmp/mark").exists() and not (Path.home() / "mark").exists()
    assert attacked["listener"].arrived == 0


def test_private_tmp_and_home_hold_only_the_cells_own_files(attacked) -> None:
    executed = nbformat.read(attacked["results"]["write-tmp-and-home"].executed, as_version=4)
    tmp, home = (set(names) for names in json.loads("".join(o.get("text", "") for o in executed.cells[1].outputs)))
    # /tmp: the mark, the kernel's own folders (its working folder, its sockets) and, should the
    # Python installation, the venv or the npm packages (NODE_PATH) live under /tmp, the folder
    # holding them (bound read-only); nothing else of the host's.
    python = {f.relative_to("/tmp").parts[0] for f in attacked["bound"] if Path("/tmp") in f.parents}
    assert "mark" in tmp and all(n == "mark" or n.startswith("course-") or n in python for n in tmp), tmp
    assert not tmp & {p.name for p in Path("/tmp").iterdir() if not p.name.startswith("course-")} - python
    assert home <= {"mark", ".ipython", ".cache", ".local"} and "mark" in home, home


def test_the_environment_is_reduced_to_the_allowlist(attacked) -> None:
    executed = nbformat.read(attacked["results"]["read-secret-env"].executed, as_version=4)
    text = "".join(o.get("text", "") for o in executed.cells[1].outputs)
    names = set(json.loads(text.removeprefix("environment: ").replace("'", '"')))
    # Besides the allowlist and the sandbox's own paths, only what ipykernel sets for itself.
    ours = set(sandbox.ENV_ALLOWLIST) | set(sandbox.sandbox_env({}))
    kernel_own = {"CLICOLOR", "CLICOLOR_FORCE", "FORCE_COLOR", "GIT_PAGER", "PAGER", "PWD", "PYDEVD_USE_FRAME_EVAL"}
    assert names <= ours | kernel_own, names - ours - kernel_own


def test_check_finishes_fast_reports_every_notebook_and_leaves_nothing_running(attacked) -> None:
    results = attacked["results"]
    assert set(results) == set(EXPECTED)
    assert attacked["seconds"] < 120
    assert _kernels_running() == []
    failing = {n for n, (status, _) in EXPECTED.items() if status != "ran"}
    assert {n for n, r in results.items() if not r.ok} == failing
    report = json.loads(attacked["options"].report.read_text())
    assert report["options"]["sandbox"]["tool"] == "bubblewrap"
    assert report["notebooks"][0]["counts"]["limit"] >= 0


def test_check_refuses_without_bubblewrap_unless_no_sandbox(tmp_path: Path, monkeypatch, capsys) -> None:  # noqa: ANN001
    notebook = tmp_path / "one.md"
    notebook.write_text(_notebook("one", "print(1)"), encoding="utf-8")
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    assert main(["--root", str(tmp_path), "check", str(notebook)]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap" in err and "--no-sandbox" in err and len(err.strip().splitlines()) == 1
    assert main(["--root", str(tmp_path), "check", "--no-sandbox", str(notebook)]) == 0
    report = json.loads((tmp_path / "_build" / "report.json").read_text())
    assert report["options"]["sandbox"] is None
    assert "--no-sandbox" in capsys.readouterr().err


def test_a_restarted_kernel_leaves_no_folder_behind(tmp_path: Path) -> None:
    import asyncio

    from jupyter_client.manager import AsyncKernelManager

    from converter.provisioner import install_kernelspec

    install_kernelspec()

    async def restart_then_shut_down() -> tuple[Path, Path, str]:
        km = AsyncKernelManager(kernel_name=sandbox.KERNEL_NAME)
        await km.start_kernel(cwd=str(tmp_path))
        first = km.provisioner._private
        await km.restart_kernel(now=True)
        second = km.provisioner._private
        client = km.client()
        client.start_channels()
        await client.wait_for_ready(timeout=120)
        reply = await client.execute_interactive("print(6 * 7)", timeout=60)
        client.stop_channels()
        await km.shutdown_kernel(now=True)
        return first, second, reply["content"]["status"]

    first, second, status = asyncio.run(restart_then_shut_down())
    assert status == "ok" and first != second
    assert not first.exists() and not second.exists()


def test_a_kernel_that_cannot_be_prepared_leaves_no_folder_behind(monkeypatch) -> None:  # noqa: ANN001
    import asyncio
    import tempfile

    from jupyter_client.manager import AsyncKernelManager

    from converter.provisioner import install_kernelspec

    install_kernelspec()
    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: made.append(real_mkdtemp(**kw)) or made[-1])
    monkeypatch.setattr(sandbox, "identity_files", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        asyncio.run(AsyncKernelManager(kernel_name=sandbox.KERNEL_NAME).start_kernel())
    assert made and not any(Path(folder).exists() for folder in made)
