"""Benchmark: `course convert` of one large source, read whole by one worker, or cut into its
entries that the workers build side by side (converter.convert.READ_IN_ENTRIES_ABOVE).

Usage: .venv/bin/python bench/large_source.py [--items 50 100 200 400] [--runs 3]

For each N it writes one RSS feed of N tutorials and one text dump of N articles (the
generator of bench/synthetic_course.py: 10 code blocks each) and converts each alone, in
a fresh process and an empty project, with the threshold at 0 (always in entries) and at
infinity (never), alternating. It reports the source's size, both medians and their ratio:
the default threshold belongs where the ratio drops below 1. `--feed FILE` measures a feed
or dump of your own the same way.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_course import ROOT, dump, feed, tutorial  # noqa: E402

CONVERT = """import sys
import converter.convert
converter.convert.READ_IN_ENTRIES_ABOVE = float(sys.argv.pop(1))
sys.argv[0] = "course"
from converter.command import main
main()
"""


def seconds_to_convert(source: Path, threshold: float) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("_config.yml", "pyproject.toml"):
            shutil.copy(ROOT / name, tmp)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CONVERT, str(threshold), "--root", tmp, "convert", str(source)],
                              capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    if done.returncode not in (0, 1) or " notebooks (" not in done.stderr:
        raise SystemExit(done.stderr[-2000:])
    return seconds


def compare(source: Path, runs: int) -> str:
    times: dict[float, list[float]] = {0: [], float("inf"): []}
    for _ in range(runs):
        for threshold in times:
            times[threshold].append(seconds_to_convert(source, threshold))
    cut, whole = (statistics.median(times[t]) for t in times)
    return (f"{source.name:<16} {source.stat().st_size / 1024:7.0f} KiB: in entries {cut:6.2f} s, "
            f"whole {whole:6.2f} s, ratio {cut / whole:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, nargs="+", default=[50, 100, 200, 400])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--feed", type=Path, nargs="*", default=[], help="sources of your own, each measured alone")
    args = parser.parse_args()
    print(f"one source converted alone, medians of {args.runs} fresh runs each, alternating")
    for source in args.feed:
        print(compare(source.resolve(), args.runs), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.items:
            rng = random.Random(n)
            tutorials = [tutorial(i, rng) for i in range(n)]
            for name, text in ((f"feed-{n}.xml", feed(tutorials, 0)), (f"dump-{n}.txt", dump(tutorials))):
                path = Path(tmp) / name
                path.write_text(text, encoding="utf-8")
                print(compare(path, args.runs), flush=True)


if __name__ == "__main__":
    main()
