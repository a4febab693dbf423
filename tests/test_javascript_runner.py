"""JavaScript and TypeScript blocks: npm packages, servers that stop, services the notebook starts."""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from converter import runtimes
from converter.runners import javascript
from converter.runners.verdict import Context

NPM = frozenset({"express", "redis", "zod", "ws", "socket.io-client"})
CTX = Context(installed=NPM)

SERVER = """const http = require('http');
const server = http.createServer((req, res) => res.end('hi'));
server.listen(3000, () => console.log('listening on 3000'));
"""


@pytest.mark.parametrize(
    ("code", "services", "ports"),
    [
        ("const express = require('express');\nconst app = express();\nconst PORT = process.env.PORT || 3000;\napp.listen(PORT);\n",
         ("background", "npm"), {3000}),
        ("import { WebSocketServer } from 'ws';\nconst wss = new WebSocketServer({ port: 8080 });\n", ("background", "npm"), {8080}),
        (SERVER, ("background",), {3000}),
    ],
)
def test_servers_keep_running_in_the_background_for_the_cells_below(code: str, services: tuple, ports: set) -> None:
    verdict = javascript.judge(code, CTX)
    assert verdict.runs and verdict.services == services and verdict.serves == ports
    assert verdict.magic.startswith("%%script bash course_background.sh .")
    assert "keeps running in the background" in verdict.change


@pytest.mark.parametrize(
    ("code", "services"),
    [
        ("const redis = require('redis');\nconst client = redis.createClient();\nclient.connect();\n", ("npm", "redis", "settle")),
        ("setInterval(() => console.log('tick'), 1000);\n", ("settle",)),
    ],
)
def test_connections_and_timers_run_until_they_only_wait_or_a_few_seconds(code: str, services: tuple[str, ...]) -> None:
    verdict = javascript.judge(code, CTX)
    assert verdict.runs and verdict.services == services and not verdict.serves
    assert verdict.magic.startswith(f"%%script bash -c 'timeout {javascript.RUNS_FOR_SECONDS} node -r ./course_settle.js")
    assert f"only waits on its connections (1 s), or after {javascript.RUNS_FOR_SECONDS} seconds" in verdict.change
    assert verdict.volatile


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("const amqp = require('amqplib');\namqp.connect('amqp://localhost');\n", "needs a RabbitMQ broker"),
        ("const { S3 } = require('@aws-sdk/client-s3');\n", "needs an AWS account"),
        ("const pad = require('left-pad');\nconsole.log(pad('x', 3));\n", "`left-pad`, which the course does not install (add it to package.json)"),
        ("const axios = require('axios');\naxios.get('https://api.example.com/x').then(console.log);\n", "`axios`"),
        ("fetch('https://api.example.com/x');\n", "browser"),
        ("async function main() {\n  await fetchIt('https://api.example.com');\n}\nmain();\n", "needs the network"),
    ],
)
def test_what_node_cannot_run_here_says_why(code: str, reason: str) -> None:
    verdict = javascript.judge(code, CTX)
    assert not verdict.runs and reason in verdict.reason


def test_a_block_that_would_start_the_earlier_server_again_is_not_run() -> None:
    earlier = "const http = require('http');\nconst server = http.createServer((q, r) => r.end('ok')).listen(3000);\n"
    verdict = javascript.judge("server.on('request', () => console.log('request'));\n", Context(earlier=(earlier,)))
    assert not verdict.runs and "clash on its port" in verdict.reason


CLIENT = "const socket = io('http://localhost:3000');\nsocket.emit('join', 'general');\nsocket.on('message', (m) => console.log(m));\n"


def test_a_pages_socket_io_client_runs_on_node_against_the_notebooks_server() -> None:
    verdict = javascript.judge(CLIENT, Context(installed=NPM, ports=frozenset({3000})))
    assert verdict.runs and verdict.code.startswith("const { io } = require('socket.io-client');")
    assert "socket.io-client package" in verdict.change and "timeout" in verdict.magic and verdict.volatile
    for context in (Context(installed=NPM), Context(ports=frozenset({3000}))):  # no server; no package
        assert not javascript.judge(CLIENT, context).runs


def test_a_url_inside_a_function_nobody_calls_needs_no_network() -> None:
    code = "async function weather(city) {\n  return fetchJson(`https://api.weather.com/v1/${city}`);\n}\nasync function fetchJson(u) {\n  return u;\n}\n"
    assert javascript.judge(code, CTX).runs


def test_require_in_module_mode_is_made_as_nodes_docs_show() -> None:
    verdict = javascript.judge("const express = require('express');\nawait Promise.resolve(express);\n", CTX)
    assert verdict.code.startswith("import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);")
    assert javascript.NODE_MODULE_MAGIC.removeprefix("%%script ") in verdict.magic


def test_typescript_runs_on_ts_node_with_the_courses_packages() -> None:
    code = "import { z } from 'zod';\nexport const Input = z.object({ id: z.string() });\nconst n: number = 1;\nconsole.log(n);\n"
    verdict = javascript.judge_typescript(code, CTX)
    assert verdict.runs and verdict.magic == javascript.TS_MAGIC and verdict.services == ("npm", "typescript")
    assert not javascript.judge_typescript(code).runs  # zod not installed


NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"


@pytest.mark.skipif(not (NODE_MODULES / ".bin" / "ts-node").exists(), reason="needs the course's npm packages: npm ci")
def test_typescript_runs_with_the_settings_its_setup_cell_writes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-c", runtimes.SERVICES["typescript"].setup], cwd=tmp_path, check=True)
    code = "import { z } from 'zod';\nconst Id = z.string().uuid();\nconst n: number = 2;\nconsole.log(n, Id.safeParse('x').success);\n"
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES), "PATH": f"{os.environ['PATH']}:{NODE_MODULES / '.bin'}"}
    done = subprocess.run(_script(javascript.TS_MAGIC), input=code, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert (done.returncode, done.stdout) == (0, "2 false\n"), done.stderr


def _script(magic: str) -> list[str]:
    return shlex.split(magic.removeprefix("%%script "))


def _timeboxed(code: str, folder: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `code` as its timeboxed cell would, in `folder` after the "settle" setup cell; the
    run and its seconds."""
    verdict = javascript.judge(code, CTX)
    assert "settle" in verdict.services
    subprocess.run([sys.executable, "-c", runtimes.SERVICES["settle"].setup], cwd=folder, check=True, timeout=60)
    start = time.perf_counter()
    done = subprocess.run(_script(verdict.magic), input=verdict.code, cwd=folder, capture_output=True, text=True, timeout=60)
    return done, time.perf_counter() - start


@pytest.mark.skipif(not shutil.which("node"), reason="needs Node.js (sudo apt-get install nodejs)")
def test_a_timer_stopped_after_its_time_is_not_an_error(tmp_path: Path) -> None:
    done, seconds = _timeboxed("console.log('start');\nsetInterval(() => {}, 1000);\n", tmp_path)
    assert (done.returncode, done.stdout) == (0, "start\n"), done.stderr
    assert seconds >= javascript.RUNS_FOR_SECONDS - 0.5  # a timer is work still to come: never settled
    failing = subprocess.run(_script(javascript.judge("setInterval(() => {}, 1000);\n", CTX).magic),
                             input="throw new Error('boom');\n", cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert failing.returncode == 1 and "Error: boom" in failing.stderr


@pytest.fixture
def slow_server() -> Iterator[int]:
    """A real TCP server on a free port: each connection gets "pong" 0.4 s after it sends a
    line, and is then held open (as a database keeps a client's connection)."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            held.append(connection)
            connection.recv(64)
            time.sleep(0.4)
            connection.sendall(b"pong\n")

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for connection in held:
        connection.close()


@pytest.mark.skipif(not shutil.which("node"), reason="needs Node.js (sudo apt-get install nodejs)")
def test_a_client_that_only_waits_on_its_connection_is_stopped_once_it_settles(tmp_path: Path, slow_server: int) -> None:
    code = (f"const net = require('net');\nconst client = net.connect({slow_server}, '127.0.0.1');\n"
            "client.on('connect', () => { console.log('connected'); client.write('ping\\n'); });\n"
            "client.on('data', (d) => console.log('got ' + d.toString().trim()));\n")
    done, seconds = _timeboxed(code, tmp_path)
    # the slow reply still shows; then a second of waiting on the open connection ends it
    assert (done.returncode, done.stdout) == (0, "connected\ngot pong\n"), done.stderr
    assert 1.0 <= seconds < javascript.RUNS_FOR_SECONDS - 1, seconds


@pytest.mark.skipif(not shutil.which("node"), reason="needs Node.js (sudo apt-get install nodejs)")
def test_a_program_that_ends_by_itself_is_not_held(tmp_path: Path) -> None:
    code = "const t = setInterval(() => {}, 50);\nsetTimeout(() => { clearInterval(t); console.log('later'); }, 300);\n"
    done, seconds = _timeboxed(code, tmp_path)
    assert (done.returncode, done.stdout) == (0, "later\n") and seconds < 1.0, (done.stderr, seconds)


@pytest.mark.skipif(not shutil.which("node") or not shutil.which("curl"), reason="needs Node.js and curl")
def test_a_background_server_answers_the_cells_below_and_stops_with_the_kernel(tmp_path: Path) -> None:
    if socket.socket().connect_ex(("localhost", 3000)) == 0:
        pytest.skip("something already listens on this machine's port 3000 (the sandbox has its own)")
    verdict = javascript.judge(SERVER, CTX)
    kernel = subprocess.Popen([sys.executable, "-c", runtimes.SERVICES["background"].setup + "\nimport sys\nsys.stdin.read()\n"],
                              cwd=tmp_path, stdin=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            if (tmp_path / "course_background.sh").exists():
                break
            time.sleep(0.05)
        started = subprocess.run(_script(verdict.magic), input=verdict.code, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert (started.returncode, started.stdout) == (0, "listening on 3000\n"), started.stderr
        asked = subprocess.run(["curl", "-s", "localhost:3000/"], capture_output=True, text=True, timeout=30)
        assert asked.stdout == "hi"
        crashed = subprocess.run(_script(verdict.magic), input="throw new Error('boom');\n", cwd=tmp_path,
                                 capture_output=True, text=True, timeout=60)
        assert crashed.returncode == 1 and "Error: boom" in crashed.stdout  # its log, shown
    finally:
        kernel.communicate("", timeout=30)  # the "kernel" exits: its atexit hook stops the servers
    for _ in range(50):
        if socket.socket().connect_ex(("localhost", 3000)) != 0:
            break
        time.sleep(0.1)
    assert socket.socket().connect_ex(("localhost", 3000)) != 0


@pytest.mark.skipif(not shutil.which("redis-server"), reason=f"needs {runtimes.SERVICES['redis'].install}")
def test_the_redis_setup_cell_starts_a_real_server(tmp_path: Path) -> None:
    port_free = socket.socket().connect_ex(("localhost", 6379)) != 0
    if not port_free:
        pytest.skip("a Redis server already runs on this machine's port 6379 (the sandbox has its own)")
    probe = runtimes.SERVICES["redis"].setup + (
        "\nimport socket\ns = socket.create_connection(('localhost', 6379))\ns.sendall(b'PING\\r\\n')\nprint(s.recv(64))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.stdout == "b'+PONG\\r\\n'\n", done.stderr
    assert socket.socket().connect_ex(("localhost", 6379)) != 0  # stopped when the Python process ended


def test_a_missing_service_program_gives_the_install_line() -> None:
    hint = runtimes.missing_hint("javascript", ("redis",), which=lambda p: None if p == "redis-server" else p)
    assert hint == "needs a Redis server: `sudo apt-get install redis-server`"


CONNECT = """const redis = require('redis');
const client = redis.createClient();
client.on('error', (err) => console.log('Redis Client Error', err));

async function connectRedis() {
    await client.connect();
}
connectRedis();
console.log('connecting');
"""


def test_the_calls_that_set_up_a_carried_client_are_carried_with_it() -> None:
    verdict = javascript.judge("await client.set('k', 'v');\n", Context(earlier=(CONNECT,), installed=NPM))
    assert verdict.runs
    carried = verdict.code.split("// this block:")[0]
    for part in ("const client = redis.createClient();", "client.on('error'", "async function connectRedis()", "connectRedis();"):
        assert part in carried
    assert carried.index("async function connectRedis()") < carried.index("connectRedis();")
    assert "console.log('connecting')" not in carried  # what the earlier block printed is not printed again


def test_a_call_that_prints_is_not_carried_again() -> None:
    earlier = ("const sleep = (ms) => new Promise((r) => setTimeout(r, ms));\n\n"
               "async function main() {\n  console.log('start');\n  await sleep(10);\n}\n\nmain();\n")
    verdict = javascript.judge("sleep(5).then(() => console.log('slept'));\n", Context(earlier=(earlier,)))
    carried = verdict.code.split("// this block:")[0]
    assert verdict.runs and "const sleep" in carried and "main" not in carried
