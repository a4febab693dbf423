"""The setup cells of the services a notebook starts or links (`converter.runtimes.SERVICES`).

Each is Python the notebook's kernel runs before the first cell that needs the service,
hidden in the book (`hide-input`) and shown as "Course setup" in the notebook.
"""

from __future__ import annotations

REDIS = """\
# Debian's redis-server on the port tutorials assume; nothing written to disk.
import atexit, socket, subprocess, time

redis_server = subprocess.Popen(["redis-server", "--port", "6379", "--save", "", "--appendonly", "no"],
                                stdout=subprocess.DEVNULL)
atexit.register(redis_server.terminate)
for _ in range(100):  # ready once it accepts connections
    try:
        socket.create_connection(("localhost", 6379), timeout=0.1).close()
        break
    except OSError:
        time.sleep(0.05)
"""

# Node looks for packages in ./node_modules (ES modules only there, never in NODE_PATH).
NPM = """\
# The course's npm packages (package.json; `course check` sets NODE_PATH), where `npm install` puts them.
import os

if os.environ.get("NODE_PATH") and not os.path.lexists("node_modules"):
    os.symlink(os.environ["NODE_PATH"].split(os.pathsep)[0], "node_modules")
"""

# ts-node's settings for tutorial fragments: CommonJS (packages found like `require` finds them),
# transpiled only (a fragment lacks its project's types).
TYPESCRIPT = """\
import json, os

if not os.path.exists("tsconfig.json"):
    with open("tsconfig.json", "w") as f:
        json.dump({"compilerOptions": {"module": "commonjs", "moduleResolution": "node", "esModuleInterop": True},
                   "ts-node": {"transpileOnly": True}}, f, indent=2)
"""

BACKGROUND_SCRIPT = """\
# %%script bash course_background.sh SUFFIX PROGRAM [ARGS]: the cell, saved with SUFFIX, runs in
# the background as in a second terminal; what it prints first is shown; the kernel stops it.
suffix=$1; shift
src=$(mktemp --tmpdir=. --suffix="$suffix" course-server-XXXX)
cat > "$src"
"$@" "$src" > "$src.log" 2>&1 &
pid=$!
echo "$pid" >> .course_background.pids
for _ in $(seq 50); do [ -s "$src.log" ] && break; sleep 0.1; done
sleep 0.5
cat "$src.log"
kill -0 "$pid" 2>/dev/null || wait "$pid"
"""

BACKGROUND = f"""\
import atexit, os, signal
from pathlib import Path

Path("course_background.sh").write_text(\'\'\'\\
{BACKGROUND_SCRIPT}\'\'\')


def stop_servers(pids=Path(".course_background.pids")):
    for pid in pids.read_text().split() if pids.exists() else []:
        try:
            os.kill(int(pid), signal.SIGTERM)
        except OSError:
            pass


atexit.register(stop_servers)
"""


SETTLED_SECONDS = 1
SETTLE_SCRIPT = f"""\
// node -r ./course_settle.js PROGRAM: ends the program once it has only waited on open
// connections for {SETTLED_SECONDS} s (no timer, no file, lookup or child process under way):
// what it does, it has done and shown. Node before 17.3 cannot tell: the cell's time limit stops it.
const waiting = new Set(["TCPSocketWrap", "TCPServerWrap", "PipeWrap", "TTYWrap"]);
let since = null;
setInterval(() => {{
  const active = process.getActiveResourcesInfo ? process.getActiveResourcesInfo() : ["unknown"];
  if (active.length === 0 || !active.every((name) => waiting.has(name))) {{
    since = null;
  }} else if (since === null) {{
    since = Date.now();
  }} else if (Date.now() - since >= {SETTLED_SECONDS * 1000}) {{
    process.exit(0);
  }}
}}, 100).unref();
"""

SETTLE = f"""\
with open("course_settle.js", "w") as script:
    script.write('''\\
{SETTLE_SCRIPT}''')
"""
