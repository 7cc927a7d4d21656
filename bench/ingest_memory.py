"""Measure UploadParser throughput and peak memory on a generated 200 MB JUnit file.

Run with `.venv/bin/python bench/ingest_memory.py [--megabytes 200] [--seed 1]`. The file is
written to a temporary folder and removed afterwards. Each parser runs in a child process,
so each peak RSS (from resource.getrusage) belongs to that parser alone. The reference is
lxml's raw `iterparse`, counting testcase elements and clearing them as it goes.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

from zof.ingest import UploadParser

CHUNK_BYTES = 64 * 1024


def generate(path: Path, megabytes: int, seed: int) -> int:
    """Write a JUnit file of about `megabytes` MB and return its number of cases."""
    rng = random.Random(seed)
    target = megabytes * 1024 * 1024
    written = 0
    cases = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bench">\n')
        suite = 0
        while written < target:
            suite += 1
            lines = [
                f'<testsuite name="pkg.Suite{suite}" tests="200" timestamp="2024-05-01T10:00:00Z">'
            ]
            for index in range(200):
                attributes = (
                    f'classname="pkg.Suite{suite}" name="test_{index}_\u00e9" '
                    f'time="{rng.random():.3f}"'
                )
                roll = rng.random()
                if roll < 0.05:
                    trace = "\n".join(f"  at pkg.Mod.fn{n}(Mod.java:{n})" for n in range(20))
                    lines.append(
                        f'<testcase {attributes}><failure message="expected &lt;1&gt;" '
                        f'type="AssertionError">{trace}</failure>'
                        f"<system-out><![CDATA[{'log line ' * rng.randint(10, 400)}]]>"
                        "</system-out></testcase>"
                    )
                elif roll < 0.08:
                    lines.append(f'<testcase {attributes}><skipped message="not here"/></testcase>')
                else:
                    lines.append(f"<testcase {attributes}/>")
                cases += 1
            lines.append("</testsuite>\n")
            text = "\n".join(lines)
            out.write(text)
            written += len(text.encode("utf-8"))
        out.write("</testsuites>\n")
    return cases


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux and in bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def run_upload_parser(path: str, results: multiprocessing.Queue[tuple[int, float, float]]) -> None:
    started = time.perf_counter()
    parser = UploadParser(content_type="application/xml", filename="bench.xml")
    count = 0
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            count += len(parser.feed(chunk))
    count += len(parser.close())
    results.put((count, time.perf_counter() - started, peak_rss_mb()))


def run_iterparse(path: str, results: multiprocessing.Queue[tuple[int, float, float]]) -> None:
    started = time.perf_counter()
    count = 0
    for _, element in etree.iterparse(path, events=("end",), tag="testcase"):
        count += 1
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]  # type: ignore[union-attr]
    results.put((count, time.perf_counter() - started, peak_rss_mb()))


def measure(target: object, path: Path) -> tuple[int, float, float]:
    results: multiprocessing.Queue[tuple[int, float, float]] = multiprocessing.Queue()
    process = multiprocessing.Process(target=target, args=(str(path), results))
    process.start()
    outcome = results.get()
    process.join()
    return outcome


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--megabytes", type=int, default=200, help="file size in MB")
    options.add_argument("--seed", type=int, default=1, help="seed of the generator")
    arguments = options.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xml"
        started = time.perf_counter()
        expected = generate(path, arguments.megabytes, arguments.seed)
        size_mb = path.stat().st_size / 1024 / 1024
        print(
            f"generated {size_mb:.1f} MB, {expected} cases in {time.perf_counter() - started:.1f} s"
        )

        for label, target in (
            ("UploadParser", run_upload_parser),
            ("lxml iterparse", run_iterparse),
        ):
            count, seconds, peak = measure(target, path)
            print(
                f"{label:15} {count:>9} cases  {count / seconds:>10,.0f} cases/s  "
                f"{size_mb / seconds:6.1f} MB/s  peak RSS {peak:6.1f} MB"
            )
            if count != expected:
                print(f"  count differs from the {expected} cases generated")


if __name__ == "__main__":
    main()
