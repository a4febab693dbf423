"""JavaScript and TypeScript blocks: npm packages, servers that stop, services the notebook starts."""

from __future__ import annotations

import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from converter import runtimes
from converter.runners import javascript

NPM = frozenset({"express", "redis", "zod", "ws"})

SERVER = """const http = require('http');
const server = http.createServer((req, res) => res.end('hi'));
server.listen(3000, () => console.log('listening on 3000'));
"""


@pytest.mark.parametrize(
    ("code", "services"),
    [
        ("const express = require('express');\nconst app = express();\napp.listen(3000);\n", ("npm",)),
        ("const redis = require('redis');\nconst client = redis.createClient();\nclient.connect();\n", ("npm", "redis")),
        ("import { WebSocketServer } from 'ws';\nconst wss = new WebSocketServer({ port: 8080 });\n", ("npm",)),
        (SERVER, ()),
    ],
)
def test_servers_and_connections_run_for_a_few_seconds(code: str, services: tuple[str, ...]) -> None:
    verdict = javascript.judge(code, (), NPM)
    assert verdict.runs and verdict.services == services
    assert verdict.magic.startswith(f"%%script bash -c 'timeout {javascript.RUNS_FOR_SECONDS} node")
    assert f"stopped after {javascript.RUNS_FOR_SECONDS} seconds" in verdict.change


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
    verdict = javascript.judge(code, (), NPM)
    assert not verdict.runs and reason in verdict.reason


def test_a_url_inside_a_function_nobody_calls_needs_no_network() -> None:
    code = "async function weather(city) {\n  return fetchJson(`https://api.weather.com/v1/${city}`);\n}\nasync function fetchJson(u) {\n  return u;\n}\n"
    assert javascript.judge(code, (), NPM).runs


def test_require_in_module_mode_is_made_as_nodes_docs_show() -> None:
    verdict = javascript.judge("const express = require('express');\nawait Promise.resolve(express);\n", (), NPM)
    assert verdict.code.startswith("import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);")
    assert javascript.NODE_MODULE_MAGIC.removeprefix("%%script ") in verdict.magic


def test_typescript_runs_on_ts_node_with_the_courses_packages() -> None:
    code = "import { z } from 'zod';\nexport const Input = z.object({ id: z.string() });\nconst n: number = 1;\nconsole.log(n);\n"
    verdict = javascript.judge_typescript(code, (), NPM)
    assert verdict.runs and verdict.magic == javascript.TS_MAGIC and verdict.services == ("npm",)
    assert not javascript.judge_typescript(code, (), frozenset()).runs


@pytest.mark.skipif(not shutil.which("node"), reason="needs Node.js (sudo apt-get install nodejs)")
def test_a_server_stopped_after_its_time_is_not_an_error(tmp_path: Path) -> None:
    verdict = javascript.judge(SERVER, (), NPM)
    command = shlex.split(verdict.magic.removeprefix("%%script "))
    done = subprocess.run(command, input=verdict.code, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "listening on 3000\n")
    failing = subprocess.run(command, input="throw new Error('boom');\n", cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert failing.returncode == 1 and "Error: boom" in failing.stderr


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
    hint = runtimes.missing_hint("javascript", "%%script node\n", ("redis",), which=lambda p: None if p == "redis-server" else p)
    assert hint == "needs a Redis server: `sudo apt-get install redis-server`"
