"""Load: the public portal and the credit-check API together, at a fixed request rate from a second process.

In one run: fill a database with the demo generator (or reuse one), start ``xinyong serve`` in its own
process, give a user department of the demo a system account and an API token, then from another process
send requests on a fixed schedule (open loop: a slow answer does not slow the sender, so queueing shows in the
figures): first ``/healthz`` alone (the floor: the framework and one trivial query), then a mix of subject
pages, searches by part of a name, and credit checks of one code and of small batches in the bidding scenario.
Latency is measured from each request's scheduled time (``traffic``).

Prints, per kind and overall, throughput, p50/p99 and errors, and the CPU time per request of the server
processes and, on PostgreSQL, of the database's backends: on a shared machine the latencies depend on what
else runs, the CPU time does not. The last line is one JSON object.

    .venv/bin/python bench/load.py --subjects 420000 --rate 200 --seconds 60 --workers 2 \
        [--database-url URL] [--data-dir D [--reuse]]
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Mapping, Sequence
from datetime import timedelta
from urllib.parse import quote

import serving
from traffic import CpuMeter, Job, console, measure, request, show, smoke

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.db.engine import make_engine, session_factory
from xinyong.errors import XinyongError
from xinyong.settings import Settings

SAMPLE = 5000
DEPARTMENT = "demo-ggzy"  # the demo's public resource trading centre, a user department
ACCOUNT = "bench-load-sys"
SCENARIO = "bidding"
BATCH = (2, 20)  # codes in a batch check
# Share of each kind in the mix: a portal mostly visited by the public, checked by departments' systems.
MIX = {"subject": 0.5, "search": 0.2, "check": 0.2, "check_batch": 0.1}


def _check(codes: Sequence[str], token: str) -> bytes:
    body = json.dumps({"codes": list(codes), "scenario": SCENARIO, "purpose": SCENARIO}).encode()
    return request("POST", "/api/v1/checks", token=token, body=body)


def mix(
    subjects: Sequence[serving.Sampled],
    token: str,
    count: int,
    seed: int,
    shares: Mapping[str, float] = MIX,
) -> list[Job]:
    """``count`` requests drawn in ``shares``: pages of random subjects, searches by four characters of an
    organisation's name, checks of one code or of a small batch."""
    rng = random.Random(seed)
    organisations = [s for s in subjects if s.kind != "natural_person"] or list(subjects)
    kinds, weights = list(shares), list(shares.values())
    jobs = []
    for kind in rng.choices(kinds, weights, k=count):
        if kind == "subject":
            raw = request("GET", f"/subjects/{rng.choice(subjects).key}")
        elif kind == "search":
            name = rng.choice(organisations).name
            start = rng.randrange(0, max(1, len(name) - 4))
            raw = request("GET", "/search?q=" + quote(name[start : start + 4]))
        elif kind == "check":
            raw = _check([rng.choice(subjects).key], token)
        else:
            raw = _check([s.key for s in rng.sample(subjects, rng.randint(*BATCH))], token)
        jobs.append(Job(kind, raw))
    return jobs


def department_token(settings: Settings) -> str:
    """A fresh API token of the department's system account (made on the first run)."""
    rules, now = policy(), settings.clock.now()
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session, session.begin():
        try:
            access.get_account(session, ACCOUNT)
        except XinyongError:
            access.create_account(
                session,
                by=system_actor(rules),
                policy=rules,
                now=now,
                org_code=DEPARTMENT,
                username=ACCOUNT,
                display_name="负载测试",
                roles=["user_department"],
                client=True,
            )
        issued = access.create_token(
            session,
            by=system_actor(rules),
            key=secret_key(settings.data_dir.resolve()),
            now=now,
            username=ACCOUNT,
            name="负载测试",
            expires_at=now + timedelta(days=1),
        )
    engine.dispose()
    return issued.value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    serving.add_arguments(parser, subjects=2000)
    parser.add_argument("--rate", type=float, default=200, help="requests per second")
    parser.add_argument("--seconds", type=float, default=60, help="length of the mixed load")
    parser.add_argument("--baseline-seconds", type=float, default=10, help="length of /healthz alone")


def drive(args: argparse.Namespace, *, prefix: str, shares: Mapping[str, float], title: str) -> None:
    """Serve the database the arguments name and measure ``/healthz`` alone, then requests drawn in
    ``shares``; print the figures, the last line one JSON object."""
    database = serving.prepare(args, prefix)
    subjects = serving.sample(database.settings, SAMPLE)
    checks = any(kind.startswith("check") for kind in shares)
    token = department_token(database.settings) if checks else ""
    jobs = mix(subjects, token, int(args.rate * args.seconds), args.seed, shares)
    with serving.served(database.settings, args.workers) as (port, server):
        console.print(
            f"{database.records:,} records ({database.dialect}); {args.workers} server processes; "
            f"{args.rate:g} req/s: /healthz for {args.baseline_seconds:g} s, "
            f"then the mix for {args.seconds:g} s"
        )
        smoke(port, jobs)
        floor_jobs = [Job("healthz", request("GET", "/healthz"))] * int(args.rate * args.baseline_seconds)
        engine = make_engine(database.settings.database_url)
        meter = CpuMeter(server.pid, engine if engine.dialect.name == "postgresql" else None)
        floor = measure(port, meter, "/healthz", floor_jobs, args.rate)
        show("/healthz alone", floor)
        load = measure(port, meter, "mix", jobs, args.rate)
        engine.dispose()
        show(title, load)
    kinds = load.pop("kinds")
    result = {
        "records": database.records,
        "database": database.dialect,
        "workers": args.workers,
        "rate": args.rate,
        "seconds": args.seconds,
        **load,
        "kinds": kinds,
        "healthz_p99_ms": floor["p99_ms"],
        "healthz_server_cpu_ms_per_request": floor["server_cpu_ms_per_request"],
        "healthz_database_cpu_ms_per_request": floor["database_cpu_ms_per_request"],
    }
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    drive(parser.parse_args(), prefix="xinyong-load-", shares=MIX, title="portal and check API")


if __name__ == "__main__":
    main()
