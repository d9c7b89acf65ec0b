"""Scale on PostgreSQL: the daily sweep and the batch credit check on ten million generated records.

In one run: seed the database with the demo generator (its organisations, subjects, records of every item,
lists and cases, all through the platform), then multiply its records set-based inside the database
(``INSERT ... SELECT`` over ``generate_series``, secondary indexes dropped while loading and built again)
to N records of M company subjects, each with its first version: four in five in force, the others
archived, withdrawn, repaired, revoked or marked by an objection; public periods spread over three years so
that every day has records whose period ends, and one in two hundred ending on the sweep day. The black-list
entries and the checking department come from the check benchmark (``bench/check.py``), and so does the
vacuum that follows the load, as autovacuum would after so many inserts: the sweep's changes then leave the
check the pages a production table would have, changed since the last vacuum.

Then, measured: the daily sweep exactly as ``xinyong sweep`` runs it (target: at most 60 s), and a batch
check of K company codes through ``measures.check`` against the raw join, both through the check
benchmark's own functions (target: ours at most 1.5 times raw and at most 2 s). The sweep day is the day
after the earliest public period still running, so ``--reuse`` sweeps the next day of the same database.
The last line is one JSON object.

    .venv/bin/python bench/scale.py --database-url postgresql+psycopg://postgres@127.0.0.1/scale \
        [--records 10000000] [--subjects 1000000] [--entries 50000] [--codes 100000] [--reuse] \
        [--sweep-day YYYY-MM-DD] [--packages]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import check as check_bench
from ingest import company_code, peak_rss_mb
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import Connection, Engine, text

from xinyong import demo, sweep
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory
from xinyong.lists.service import list_types
from xinyong.settings import Settings

CHUNK = 500_000  # records per INSERT ... SELECT
SEED = 20261123
err = Console(stderr=True)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeElapsedColumn(),
        console=err,
    )


def seed(settings: Settings, subjects: int) -> None:
    """The demo's organisations, subjects, records, lists and cases, through the platform."""
    with progress_bar() as bar:
        tasks: dict[str, Any] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"演示数据：{stage}", total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        demo.generate(settings, subjects=subjects, seed=SEED, progress=advance)


def received_items(settings: Settings) -> list[str]:
    """Items whose records are lists received from elsewhere: the sweep would give each multiplied record an
    entry one by one, a backlog no real day has, so they stay as the demo delivered them."""
    types = list_types(settings.data_dir.resolve()).types.values()
    return sorted({t.item for t in types if t.item is not None and t.source != "local"})


def secondary_indexes(conn: Connection, table: str) -> list[tuple[str, str]]:
    """Name and definition of the table's indexes that back no constraint: dropped while loading."""
    rows = conn.execute(
        text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = :table "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        ),
        {"table": table},
    ).all()
    return [(name, definition) for name, definition in rows]


def company_keys(conn: Connection, subjects: int) -> None:
    """Company codes 0 .. M-1 (valid USCCs, the check benchmark's) into an unlogged table, by COPY."""
    conn.execute(text("DROP TABLE IF EXISTS scale_key"))
    conn.execute(text("CREATE UNLOGGED TABLE scale_key (n integer PRIMARY KEY, key varchar(64))"))
    cursor: Any = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy("COPY scale_key (n, key) FROM STDIN") as copy:
        for n in range(subjects):
            copy.write_row((n, company_code(n)))


SUBJECTS = """
INSERT INTO subject (key, id_kind, kind, name, name_search, basic, created_at, updated_at)
SELECT k.key, 'uscc', 'legal_person', '测试企业' || k.n || '有限公司', '测试企业' || k.n || '有限公司', '{}',
       now(), now()
FROM scale_key k ON CONFLICT (key) DO NOTHING
"""

# Record n copies seed record n mod S for company n mod M. States by n mod 100; public periods: one in two
# hundred ended the day before the sweep day, the others in force end over the next three years, day by day.
RECORDS = """
INSERT INTO record (subject_key, item_id, item_code, provider, dedupe_key, document_type, document_number,
    decision_date, severity, lenient, state, published, public_until, earliest_repair, route, data, notes,
    version, job_id, created_at, updated_at)
SELECT k.key, s.item_id, s.item_code, s.provider, 'scale:' || g.n, s.document_type,
    left(s.document_number || '-' || g.n, 128), s.decision_date, s.severity, s.lenient,
    CASE WHEN g.n % 100 < 80 THEN 'active' WHEN g.n % 100 < 90 THEN 'archived'
         WHEN g.n % 100 < 93 THEN 'withdrawn' WHEN g.n % 100 < 96 THEN 'repaired'
         WHEN g.n % 100 < 98 THEN 'revoked' ELSE 'objection' END,
    s.published,
    CASE WHEN g.n % 100 BETWEEN 80 AND 89 THEN CAST(:day AS date) - 2 - CAST((g.n / 100) % 1500 AS integer)
         WHEN g.n % 200 = 0 THEN CAST(:day AS date) - 1
         ELSE CAST(:day AS date) + CAST((g.n / 100) % 1095 AS integer) END,
    s.earliest_repair, s.route, s.data, s.notes, 1, s.job_id, now(), now()
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS g(n)
JOIN scale_seed s ON s.i = g.n % :seeds
JOIN scale_key k ON k.n = g.n % :subjects
"""

VERSIONS = """
INSERT INTO record_version (record_id, subject_key, version, state, data, procedure, reason, actor_label, at)
SELECT id, subject_key, 1, state, data, 'ingest', '归集（规模测试生成）', '规模测试', created_at
FROM record WHERE id > :after AND id <= :upto
"""


def multiply(engine: Engine, settings: Settings, records: int, subjects: int, day: date) -> None:
    """The demo's records multiplied to ``records`` rows set-based, each with its first version."""
    with engine.begin() as conn:
        company_keys(conn, subjects)
        conn.execute(text(SUBJECTS))
        conn.execute(text("DROP TABLE IF EXISTS scale_seed"))
        conn.execute(
            text(
                "CREATE UNLOGGED TABLE scale_seed AS SELECT row_number() OVER (ORDER BY id) - 1 AS i, * "
                "FROM record WHERE NOT (item_code = ANY(:received)) AND public_until IS NOT NULL"
            ),
            {"received": received_items(settings)},
        )
        seeds = conn.execute(text("SELECT count(*) FROM scale_seed")).scalar_one()
        after = conn.execute(text("SELECT coalesce(max(id), 0) FROM record")).scalar_one()
        indexes = {t: secondary_indexes(conn, t) for t in ("record", "record_version")}
        for name, _ in indexes["record"] + indexes["record_version"]:
            conn.execute(text(f'DROP INDEX "{name}"'))
    err.print(f"{seeds:,} demo records multiplied to {records:,} for {subjects:,} companies")
    with progress_bar() as bar:
        task = bar.add_task("生成信用记录", total=records)
        for first in range(0, records, CHUNK):
            last = min(records, first + CHUNK) - 1
            with engine.begin() as conn:
                params = {"day": day, "first": first, "last": last, "seeds": seeds, "subjects": subjects}
                conn.execute(text(RECORDS), params)
            bar.update(task, completed=last + 1)
        task = bar.add_task("生成记录版本", total=records)
        for first in range(0, records, CHUNK):
            with engine.begin() as conn:
                conn.execute(text(VERSIONS), {"after": after + first, "upto": after + first + CHUNK})
            bar.update(task, completed=min(records, first + CHUNK))
        pending = indexes["record"] + indexes["record_version"]
        task = bar.add_task("重建索引", total=len(pending))
        for _, definition in pending:
            with engine.begin() as conn:
                conn.execute(text(definition))
            bar.advance(task)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE scale_seed"))
        conn.execute(text("DROP TABLE scale_key"))
        conn.execute(text("ANALYZE record; ANALYZE record_version; ANALYZE subject"))


def sweep_day(engine: Engine, fallback: date) -> date:
    """The day after the earliest public period still running, ``fallback`` at the earliest: the next day
    with records to move."""
    with engine.connect() as conn:
        earliest = conn.execute(
            text("SELECT min(public_until) FROM record WHERE state = 'active'")
        ).scalar_one()
    return fallback if earliest is None else max(fallback, earliest + timedelta(days=1))


def measure_sweep(url: str, data_dir: Path, day: date, *, packages: bool) -> dict[str, Any]:
    """The daily sweep as ``xinyong sweep`` runs it on ``day``, timed; when its expiry step ended. Without
    ``packages``, the day's changes only; with them, also the exchange job: the increment, and the full
    snapshot (which reads every standing record) when ``XINYONG_EXCHANGE_SNAPSHOT_DAYS`` says it is due."""
    settings = Settings(database_url=url, data_dir=data_dir, fixed_date=day)
    factory = session_factory(make_engine(url))
    due = sweep.due(factory, day)
    rules = sweep.Rules.of(settings)
    ended = 0.0
    with progress_bar() as bar:
        task = bar.add_task(f"{day.isoformat()} 每日例行", total=due)
        began = time.perf_counter()

        def advance(count: int) -> None:
            nonlocal ended
            bar.advance(task, count)
            ended = time.perf_counter() - began

        result = sweep.run(
            factory,
            as_of=day,
            clock=settings.clock,
            actor=audit_actor(system_actor(policy())),
            rules=rules if packages else replace(rules, settings=None),
            progress=advance,
        )
        seconds = time.perf_counter() - began
    figures = {k: v for k, v in result.as_dict().items() if isinstance(v, int)}
    timed = {"sweep_s": round(seconds, 3), "expiry_s": round(ended, 3), "packages": packages}
    return {"day": day.isoformat(), "due": due, **timed, **figures}


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("record", "record_version", "subject", "list_entry")
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database (empty unless --reuse)")
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--subjects", type=int, default=1_000_000, help="companies the records belong to")
    parser.add_argument("--entries", type=int, default=50_000, help="black-list entries (bench/check.py)")
    parser.add_argument("--codes", type=int, default=100_000, help="codes in the checked batch")
    parser.add_argument("--seed-subjects", type=int, default=1000, help="demo subjects to multiply")
    parser.add_argument("--reuse", action="store_true", help="the database was filled by an earlier run")
    parser.add_argument(
        "--sweep-day",
        type=date.fromisoformat,
        default=None,
        help="sweep this day (YYYY-MM-DD) instead: a later one has the days in between to catch up",
    )
    parser.add_argument(
        "--packages",
        action="store_true",
        help="the sweep also writes the exchange packages (a snapshot as "
        "XINYONG_EXCHANGE_SNAPSHOT_DAYS says)",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        sys.exit("bench/scale.py needs a PostgreSQL database (--database-url postgresql+psycopg://...)")
    if args.entries + args.codes // 4 > args.subjects or args.codes > args.subjects:
        sys.exit("--subjects must cover the checked codes and the listed companies")
    folder = Path(tempfile.mkdtemp(prefix="xinyong-scale-"))
    settings = Settings(database_url=args.database_url, data_dir=folder / "var", fixed_date=check_bench.AS_OF)
    engine = make_engine(args.database_url)
    initialise(engine, settings)
    loaded = None
    if not args.reuse:
        if counts(engine)["record"]:
            sys.exit("the database already holds records: run with --reuse, or on an empty database")
        began = time.perf_counter()
        seed(settings, args.seed_subjects)
        multiply(engine, settings, args.records, args.subjects, check_bench.AS_OF)
        check_bench.load_entries(engine, settings, args.entries, first=args.codes // 4)
        loaded = round(time.perf_counter() - began, 1)
        err.print(f"loaded in {loaded:.0f} s")
    check_bench.settle(engine)
    held = counts(engine)
    err.print(", ".join(f"{table} {n:,}" for table, n in held.items()))
    day = args.sweep_day or sweep_day(engine, check_bench.AS_OF)
    swept = measure_sweep(args.database_url, folder / "var", day, packages=args.packages)
    err.print(
        f"sweep {swept['day']}: {swept['sweep_s']:.1f} s (target ≤ 60 s); {swept['expired']:,} records "
        f"expired in {swept['expiry_s']:.1f} s, {swept['entries_ended']:,} entries ended, "
        f"{swept['received']:,} received"
    )
    check_bench.ensure_department(engine, settings)
    codes = [company_code(n) for n in range(args.codes)]
    before, _ = check_bench.raw(engine, codes)
    ours_s, outcome, stages = check_bench.ours(engine, settings, codes)
    after, raw_hits = check_bench.raw(engine, codes)
    raw_s = min(before, after)
    err.print(
        f"check of {args.codes:,} codes: ours {ours_s:.3f} s, raw {raw_s:.3f} s, "
        f"ratio {ours_s / raw_s:.2f}x (target ≤ 1.5x and ≤ 2 s)"
    )
    result = {
        **held,
        "loaded_s": loaded,
        "sweep": swept,
        "codes": args.codes,
        "ours_s": round(ours_s, 3),
        "raw_s": round(raw_s, 3),
        "ratio": round(ours_s / raw_s, 2),
        "raw_hits": raw_hits,
        "intercepted": outcome.check.intercepted,
        "warned": outcome.check.warned,
        "errors": outcome.check.errors,
        "stages_s": {stage: round(at, 3) for stage, at in stages.items()},
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
