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
import os
import queue
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import func, select

from xinyong import demo
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory
from xinyong.records.models import Record
from xinyong.settings import Settings
from xinyong.subjects.models import Subject

WORKERS = 64
SAMPLE = 5000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def targets(settings: Settings, seed: int) -> list[str]:
    """Paths a visitor asks for: two subject pages for each search, by name part or by code."""
    rng = random.Random(seed)
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        rows = session.execute(
            select(Subject.key, Subject.name, Subject.kind).order_by(func.random()).limit(SAMPLE)
        )
        found = list(rows)
    engine.dispose()
    paths = []
    for key, name, kind in found:
        paths.append(f"/subjects/{key}")
        if kind != "natural_person" and rng.random() < 0.5:
            start = rng.randrange(0, max(1, len(name) - 4))
            paths.append("/search?q=" + quote(name[start : start + 4]))
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
    parser.add_argument("--subjects", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--data-dir", default=None, help="kept between runs with --reuse")
    parser.add_argument("--reuse", action="store_true", help="use the data already in the database")
    parser.add_argument("--workers", type=int, default=1, help="server processes (xinyong serve --workers)")
    args = parser.parse_args()
    folder = Path(args.data_dir or tempfile.mkdtemp(prefix="xinyong-portal-"))
    url = args.database_url or f"sqlite:///{folder / 'portal.db'}"
    settings = Settings(database_url=url, data_dir=folder / "var", fixed_date=date(2026, 11, 23))
    engine = make_engine(url)
    initialise(engine, settings)
    if not args.reuse:
        began = time.perf_counter()

        def shown(stage: str, done: int, total: int) -> None:
            print(f"\r{stage}: {done:,}/{total:,}", end="", file=sys.stderr, flush=True)

        demo.generate(settings, subjects=args.subjects, seed=args.seed, progress=shown)
        print(f"\ngenerated in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    with session_factory(engine)() as session:
        records = int(session.scalar(select(func.count()).select_from(Record)) or 0)
    engine.dispose()
    paths = targets(settings, args.seed)
    port = _free_port()
    env = {
        **os.environ,
        "XINYONG_DATABASE_URL": url,
        "XINYONG_DATA_DIR": str(settings.data_dir),
        "XINYONG_FIXED_DATE": "2026-11-23",
    }
    command = [sys.executable, "-m", "xinyong", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(args.workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(
                    f"server did not start: {server.stderr.read().decode() if server.stderr else ''}"
                )
            time.sleep(0.2)
        print(
            f"{records:,} records; {len(paths):,} paths; {args.rate:g} req/s for {args.seconds:g} s",
            file=sys.stderr,
        )
        floor = measure(port, ["/healthz"], args.rate, args.seconds)
        print(f"/healthz: {floor}", file=sys.stderr)
        pages = measure(port, paths, args.rate, args.seconds)
        print(f"pages:    {pages}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "records": records,
        "rate": args.rate,
        "seconds": args.seconds,
        "workers": args.workers,
        "database": make_engine(url).dialect.name,
        **pages,
        "healthz_p99_ms": floor["p99_ms"],
        "ratio": round(pages["p99_ms"] / floor["p99_ms"], 2) if floor["p99_ms"] else None,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
