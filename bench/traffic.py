"""Traffic for the serving benchmarks: requests sent on a fixed schedule from a second process, and what the
server spent answering them.

Open loop: a slow answer does not slow the sender, so queueing shows in the figures; latency is measured from
each request's scheduled time. The sender is one asyncio loop over persistent keep-alive connections speaking
plain HTTP/1.1, so it costs little of the CPU the server needs. The server's CPU time per request (user and
system time from ``/proc``, before and after; on PostgreSQL also its backends') is the figure that does not
depend on what else the machine runs.
"""

from __future__ import annotations

import asyncio
import http.client
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import Engine, text

CONNECTIONS = 64
console = Console(stderr=True)


@dataclass(frozen=True)
class Job:
    kind: str
    raw: bytes  # the whole request, sent as is


def request(method: str, path: str, *, token: str | None = None, body: bytes = b"") -> bytes:
    head = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if token:
        head.append(f"Authorization: Bearer {token}")
    if body:
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


# ------------------------------------------------------------------------------------------ the sender


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> tuple[int, bool]:
    """Send one request and read its whole answer; its status, and whether the connection stays open."""
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readuntil(b"\r\n")
    return status, headers.get("connection") != "close"


async def _send(port: int, jobs: Sequence[Job], rate: float) -> dict[str, Any]:
    queue: asyncio.Queue[tuple[float, Job] | None] = asyncio.Queue()
    latencies: dict[str, list[float]] = {}
    errors: dict[str, dict[str, int]] = {}  # kind -> status (or "transport") -> count

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (item := await queue.get()) is not None:
            due, job = item
            try:
                try:
                    status, open_ = await _exchange(reader, writer, job.raw)
                except asyncio.IncompleteReadError as exc:
                    if exc.partial:
                        raise
                    # Closed by the server while idle, before reading the request: send it again.
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    status, open_ = await _exchange(reader, writer, job.raw)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                status, open_ = 0, False
            latencies.setdefault(job.kind, []).append((time.perf_counter() - due) * 1000)
            if status != 200:
                failed = errors.setdefault(job.kind, {})
                failed[str(status or "transport")] = failed.get(str(status or "transport"), 0) + 1
            if not open_:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()

    senders = [asyncio.create_task(connection()) for _ in range(CONNECTIONS)]
    start = time.perf_counter()
    for n, job in enumerate(jobs):
        due = start + n / rate
        pause = due - time.perf_counter()
        if pause > 0:
            await asyncio.sleep(pause)
        queue.put_nowait((due, job))
    for _ in senders:
        queue.put_nowait(None)
    await asyncio.gather(*senders)
    return {"latencies": latencies, "errors": errors, "elapsed": time.perf_counter() - start}


def _drive(port: int, jobs: Sequence[Job], rate: float, out: multiprocessing.Queue[object]) -> None:
    """The load generator's process: sends, then reports what it saw and the CPU it used itself."""
    found = asyncio.run(_send(port, jobs, rate))
    out.put({**found, "cpu_s": time.process_time()})


# ------------------------------------------------------------------------------------- the server's CPU

TICKS = os.sysconf("SC_CLK_TCK")


def _processes(root: int) -> list[int]:
    """The server process and its descendants (``--workers`` starts one child per worker)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += [child for child, parent in parents.items() if parent == pid]
    return found


def _cpu(pids: Iterable[int]) -> dict[int, float]:
    """User plus system seconds of each process still running."""
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15 of the line)
    return found


def _backends(engine: Engine | None) -> list[int]:
    """PostgreSQL's processes serving this database: their CPU is the server's too (SQLite's is inside it)."""
    if engine is None:
        return []
    with engine.connect() as conn:
        query = (
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return list(conn.execute(text(query)).scalars())


def _since(now: dict[int, float], then: dict[int, float]) -> float:
    return sum(seconds - then.get(pid, 0.0) for pid, seconds in now.items())


@dataclass
class CpuMeter:
    """CPU seconds the server's processes and the database's own spend between :meth:`start` and
    :meth:`spent` (a backend that starts in between counts from its start)."""

    server: int
    engine: Engine | None
    before: tuple[dict[int, float], dict[int, float]] = ({}, {})

    def start(self) -> None:
        self.before = (_cpu(_processes(self.server)), _cpu(_backends(self.engine)))

    def spent(self) -> tuple[float, float]:
        server = _cpu(_processes(self.server))
        database = _cpu(_backends(self.engine))
        return _since(server, self.before[0]), _since(database, self.before[1])


# ------------------------------------------------------------------------------------------ one phase


def _at(ordered: list[float], share: float) -> float:
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else 0.0


def _figures(latencies: list[float], errors: dict[str, int], elapsed: float) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rps": round(len(ordered) / elapsed, 1),
        "p50_ms": _at(ordered, 0.50),
        "p99_ms": _at(ordered, 0.99),
        "errors": sum(errors.values()),
        **({"failed": errors} if errors else {}),
    }


def measure(port: int, meter: CpuMeter, label: str, jobs: list[Job], rate: float) -> dict[str, Any]:
    """Send ``jobs`` at ``rate`` from a second process with a progress bar; figures per kind and overall."""
    results: multiprocessing.Queue[object] = multiprocessing.Queue()
    process = multiprocessing.Process(target=_drive, args=(port, jobs, rate, results))
    seconds = len(jobs) / rate
    meter.start()
    process.start()
    columns = (TextColumn(label), BarColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(label, total=seconds)
        began = time.monotonic()
        while process.is_alive() and results.empty():
            progress.update(task, completed=min(seconds, time.monotonic() - began))
            time.sleep(0.5)
    found = results.get()
    process.join()
    spent, database = meter.spent()
    assert isinstance(found, dict)
    latencies: dict[str, list[float]] = found["latencies"]
    failed: dict[str, dict[str, int]] = found["errors"]
    kinds = {
        kind: _figures(values, failed.get(kind, {}), found["elapsed"]) for kind, values in latencies.items()
    }
    everything = Counter[str]()
    for by_status in failed.values():
        everything.update(by_status)
    overall = _figures(
        [v for values in latencies.values() for v in values], dict(everything), found["elapsed"]
    )
    requests = max(1, overall["requests"])
    overall["server_cpu_ms_per_request"] = round(spent * 1000 / requests, 2)
    overall["database_cpu_ms_per_request"] = round(database * 1000 / requests, 2)
    overall["sender_cpu_ms_per_request"] = round(found["cpu_s"] * 1000 / requests, 2)
    return {**overall, "kinds": kinds}


def show(title: str, figures: dict[str, Any]) -> None:
    table = Table(title=title)
    for column in ("kind", "requests", "req/s", "p50 ms", "p99 ms", "errors"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind, row in [*figures["kinds"].items(), ("all", figures)]:
        table.add_row(kind, *(str(row[k]) for k in ("requests", "rps", "p50_ms", "p99_ms", "errors")))
    console.print(table)
    for kind, row in figures["kinds"].items():
        if row["errors"]:
            console.print(f"{kind} failed: {row['failed']} (status → count)")
    console.print(
        f"CPU per request: server {figures['server_cpu_ms_per_request']} ms · "
        f"PostgreSQL {figures['database_cpu_ms_per_request']} ms · "
        f"sender {figures['sender_cpu_ms_per_request']} ms"
    )


def smoke(port: int, jobs: Sequence[Job]) -> None:
    """One request of each kind before measuring: a setup fault stops the run with the server's answer
    rather than showing up as a column of errors (and the server has loaded its templates)."""
    for job in {job.kind: job for job in jobs}.values():
        method, path = job.raw.split(b" ", 2)[:2]
        head, _, body = job.raw.partition(b"\r\n\r\n")
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n")[1:])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request(method.decode(), path.decode(), body=body or None, headers=headers)
        answer = connection.getresponse()
        if answer.status != 200:
            raise SystemExit(f"{job.kind}: {answer.status} {answer.read().decode(errors='replace')[:500]}")
        answer.read()
        connection.close()
