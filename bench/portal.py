"""Portal latency under load: random subject pages and searches at a fixed request rate from a second process.

In one run: fill a database with the demo generator (or reuse one), start ``xinyong serve`` in its own
process, then from another process send requests on a fixed schedule (open loop: a slow answer does not
slow the sender, so queueing shows in the figures) for the given time: first against ``/healthz`` (the
framework's floor: one trivial query), then against subject pages and searches. Latency is measured from
each request's scheduled time. Prints p50/p99 and errors for both and their ratio; the last line is one JSON
object.

    .venv/bin/python bench/portal.py --subjects 2000 --rate 200 --seconds 60 [--database-url URL] [--reuse]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import queue
import random
import sys
import threading
import time
from urllib.parse import quote

import serving

from xinyong.settings import Settings

WORKERS = 64
SAMPLE = 5000


def targets(settings: Settings, seed: int) -> list[str]:
    """Paths a visitor asks for: two subject pages for each search, by name part or by code."""
    rng = random.Random(seed)
    paths = []
    for subject in serving.sample(settings, SAMPLE):
        paths.append(f"/subjects/{subject.key}")
        if subject.kind != "natural_person" and rng.random() < 0.5:
            start = rng.randrange(0, max(1, len(subject.name) - 4))
            paths.append("/search?q=" + quote(subject.name[start : start + 4]))
    rng.shuffle(paths)
    return paths


def _drive(
    port: int, paths: list[str], rate: float, seconds: float, out: multiprocessing.Queue[object]
) -> None:
    """The load generator (its own process): requests on a fixed schedule, answered by a pool of
    connections; returns the latencies (ms, from the scheduled time) and the error count."""
    jobs: queue.Queue[tuple[float, str] | None] = queue.Queue()
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while (job := jobs.get()) is not None:
            due, path = job
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            took = (time.perf_counter() - due) * 1000
            with lock:
                latencies.append(took)
                errors[0] += 0 if ok else 1
        connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    start, total = time.perf_counter(), int(rate * seconds)
    for n in range(total):
        due = start + n / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        jobs.put((due, paths[n % len(paths)]))
    for _ in threads:
        jobs.put(None)
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    out.put({"latencies": latencies, "errors": errors[0], "rps": len(latencies) / elapsed})


def measure(port: int, paths: list[str], rate: float, seconds: float) -> dict[str, float]:
    results: multiprocessing.Queue[object] = multiprocessing.Queue()
    process = multiprocessing.Process(target=_drive, args=(port, paths, rate, seconds, results))
    process.start()
    found = results.get()
    process.join()
    assert isinstance(found, dict)
    ordered = sorted(found["latencies"])

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else 0.0

    return {"p50_ms": at(0.50), "p99_ms": at(0.99), "errors": found["errors"], "rps": round(found["rps"], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    serving.add_arguments(parser, subjects=2000)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    database = serving.prepare(args, "xinyong-portal-")
    paths = targets(database.settings, args.seed)
    with serving.served(database.settings, args.workers) as (port, _):
        print(
            f"{database.records:,} records; {len(paths):,} paths; {args.rate:g} req/s for {args.seconds:g} s",
            file=sys.stderr,
        )
        floor = measure(port, ["/healthz"], args.rate, args.seconds)
        print(f"/healthz: {floor}", file=sys.stderr)
        pages = measure(port, paths, args.rate, args.seconds)
        print(f"pages:    {pages}", file=sys.stderr)
    result = {
        "records": database.records,
        "rate": args.rate,
        "seconds": args.seconds,
        "workers": args.workers,
        "database": database.dialect,
        **pages,
        "healthz_p99_ms": floor["p99_ms"],
        "ratio": round(pages["p99_ms"] / floor["p99_ms"], 2) if floor["p99_ms"] else None,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
