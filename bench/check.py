"""Credit-check speed: a batch of codes through ``measures.check`` against a raw SQL join doing the same
membership lookup.

In one run: import N penalty records through the platform (the ingest benchmark's rows: 50,000 companies),
add M active black-list entries in bulk (one in ten past its term, one in a hundred, or as ``--masked-every``
says, received with a masked identity number), then check a batch of K company codes in the bidding
scenario through the service (validation, lists, responsible persons, masked entries, negative records,
explanations, the logged check), and time the raw path on the same database: the codes into a temporary
table joined to ``list_entry``.
The batch is companies 0 .. K-1; the entries list companies from K/4 on, so with the default sizes a quarter
of the batch has records only, a quarter records and entries, a quarter entries only, a quarter nothing.
The loaded tables are vacuumed first on PostgreSQL, as autovacuum would. Prints both times, their ratio
(ours / raw), when each stage of ours began, the mean time of a check of one code (50 codes of the batch, one
by one), and the peak RSS; the last line is one JSON object. Loading is the slow part: ``--reuse`` runs the
checks again on a database loaded before.

    .venv/bin/python bench/check.py --rows 1000000 --entries 50000 --codes 100000 \
        [--masked-every 100] [--database-url URL] [--reuse]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ingest import company_code, peak_rss_mb, penalty_file
from sqlalchemy import Engine, func, select, text

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.models import Organisation
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.db.bootstrap import initialise
from xinyong.db.bulk import insert_rows, refresh_statistics
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.lists.models import ListEntry
from xinyong.measures import check
from xinyong.profiles.loader import load_profile
from xinyong.records import ingest
from xinyong.settings import Settings

AS_OF = date(2026, 11, 23)
DEPARTMENT = "bench-check"
BLACK_TYPES = (
    "court-dishonest-debtor",
    "tax-major-violation",
    "market-serious-violation",
    "public-resource-serious",
    "wage-arrears",
    "work-safety-serious",
    "national-platform-black",
)
MASKED_EVERY = 100  # one entry in so many is received with a masked identity number
SINGLES = 50  # checks of one code, timed one by one


def load_records(engine: Engine, settings: Settings, count: int, folder: Path) -> None:
    delivery, path = penalty_file(engine, settings, count, folder)
    summary = ingest.import_file(
        session_factory(engine),
        path=path,
        delivery=delivery,
        profile=load_profile("national"),
        clock=settings.clock,
    )
    path.unlink()
    print(f"records: {summary.accepted:,} accepted, {summary.rejected:,} rejected", file=sys.stderr)


def entry_row(n: int, first: int, now: datetime, masked_every: int = MASKED_EVERY) -> dict[str, Any]:
    list_type = BLACK_TYPES[n % len(BLACK_TYPES)]
    entered = AS_OF - timedelta(days=30 + n % 900)
    expired = n % 10 == 0
    masked = n % masked_every == 1 % masked_every
    return {
        "number": f"MD{entered:%Y%m%d}{n:08X}",
        "list_type": "court-dishonest-debtor" if masked else list_type,
        "kind": "black",
        "subject_key": None if masked else company_code(first + n),
        "subject_name": "王某某" if masked else f"测试企业{first + n}有限公司",
        "masked_id": f"3701021975****{n % 10_000:04d}" if masked else None,
        "status": "active",
        "source": "national",
        "source_ref": f"bench:{n}",
        "record_id": None,
        "determining_org": "bench",
        "reasons": "基准测试数据",
        "measures": "[]",
        "noticed_on": None,
        "defence_until": None,
        "publicity_until": None,
        "entered_on": entered,
        "term_end": AS_OF - timedelta(days=1) if expired else entered + timedelta(days=3 * 365),
        "removed_on": None,
        "removal_reason": None,
        "removal_text": None,
        "monitoring_until": None,
        "wrongful": False,
        "recover_benefits": False,
        "created_at": now,
        "updated_at": now,
    }


def load_entries(
    engine: Engine, settings: Settings, count: int, first: int, masked_every: int = MASKED_EVERY
) -> None:
    """Entries of companies ``first`` onwards: with the default sizes, half of them also have records."""
    now = settings.clock.now()
    with transaction(session_factory(engine)) as session:
        for start in range(0, count, 10_000):
            insert_rows(
                session,
                ListEntry,
                [entry_row(n, first, now, masked_every) for n in range(start, min(count, start + 10_000))],
            )
        refresh_statistics(session, ["list_entry", "record"])
    print(f"entries: {count:,} black-list entries", file=sys.stderr)


def entries_held(engine: Engine) -> int:
    with session_factory(engine)() as session:
        return session.scalar(select(func.count()).select_from(ListEntry)) or 0


def settle(engine: Engine) -> None:
    """Vacuum the loaded tables as PostgreSQL's autovacuum does on a production server (a test server may run
    without it): until a table is vacuumed its visibility map is empty, and a check cannot count the records
    from their index alone but reads the whole table."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE record, list_entry, list_mark"))


def ensure_department(engine: Engine, settings: Settings) -> None:
    with transaction(session_factory(engine)) as session:
        if session.scalar(select(Organisation.id).where(Organisation.code == DEPARTMENT)) is None:
            access.create_org(
                session,
                by=system_actor(policy()),
                now=settings.clock.now(),
                code=DEPARTMENT,
                name="济南市公共资源交易中心",
                kind="user",
            )


def ours(
    engine: Engine, settings: Settings, codes: list[str]
) -> tuple[float, check.Outcome, dict[str, float]]:
    """The service path, timed from the codes to the committed check; when each stage began."""
    stages: dict[str, float] = {}
    began = time.perf_counter()

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, time.perf_counter() - began)

    with transaction(session_factory(engine)) as session:
        outcome = check.run(
            session,
            data_dir=settings.data_dir.resolve(),
            codes=[check.Wanted(row=row, code=code) for row, code in enumerate(codes, start=1)],
            scenario="bidding",
            purpose="bidding",
            roles=check.department_roles(session, DEPARTMENT),
            org_code=DEPARTMENT,
            actor=audit_actor(system_actor(policy())),
            as_of=AS_OF,
            now=settings.clock.now(),
            marked_shown=False,  # the national profile: a marked record is out of use while checked
            progress=progress,
        )
        stages.setdefault("记录审查", time.perf_counter() - began)
    return time.perf_counter() - began, outcome, stages


def single(engine: Engine, settings: Settings, codes: list[str]) -> float:
    """Milliseconds a check of one code takes through the service, the mean of codes across the batch."""
    picked = codes[:: max(1, len(codes) // SINGLES)][:SINGLES]
    return sum(ours(engine, settings, [code])[0] for code in picked) / len(picked) * 1000


def raw(engine: Engine, codes: list[str]) -> tuple[float, int]:
    """The same membership lookup by hand: the codes into a temporary table (COPY on PostgreSQL,
    executemany on SQLite) joined to the entries in force (active, entered, term not ended), with the
    columns a result shows of each entry."""
    lookup = (
        "SELECT c.code, e.number, e.list_type, e.kind, e.subject_name, e.masked_id, e.determining_org, "
        "e.entered_on, e.term_end FROM bench_codes c JOIN list_entry e ON e.subject_key = c.code "
        "WHERE e.status = 'active' AND (e.term_end IS NULL OR e.term_end >= :as_of) "
        "AND (e.entered_on IS NULL OR e.entered_on <= :as_of)"
    )
    began = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMPORARY TABLE bench_codes (code VARCHAR(64) PRIMARY KEY)"))
        cursor: Any = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        if engine.dialect.name == "postgresql":
            with cursor.copy("COPY bench_codes (code) FROM STDIN") as copy:
                for code in codes:
                    copy.write_row((code,))
        else:
            cursor.executemany("INSERT INTO bench_codes VALUES (?)", [(code,) for code in codes])
        found = conn.execute(text(lookup), {"as_of": AS_OF}).all()
        conn.execute(text("DROP TABLE bench_codes"))
    return time.perf_counter() - began, len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="penalty records")
    parser.add_argument("--entries", type=int, default=50_000, help="active black-list entries")
    parser.add_argument("--codes", type=int, default=100_000, help="codes in the batch")
    parser.add_argument(
        "--masked-every",
        type=int,
        default=MASKED_EVERY,
        help="one entry in so many is received with a masked identity number (1: all)",
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="the database already holds the records and entries"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xinyong-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    settings = Settings(database_url=url, data_dir=folder / "var", fixed_date=AS_OF)
    engine = make_engine(url)
    initialise(engine, settings)
    if not args.reuse:
        if entries_held(engine):
            sys.exit("the database already holds list entries: run with --reuse, or on an empty database")
        began = time.perf_counter()
        load_records(engine, settings, args.rows, folder)
        load_entries(engine, settings, args.entries, first=args.codes // 4, masked_every=args.masked_every)
        print(f"loaded in {time.perf_counter() - began:.0f} s", file=sys.stderr)
    settle(engine)
    ensure_department(engine, settings)
    codes = [company_code(n) for n in range(args.codes)]
    # The raw path before ours (warming the cache for both) and after it; the better of its two times counts.
    before, _ = raw(engine, codes)
    ours_s, outcome, stages = ours(engine, settings, codes)
    after, raw_hits = raw(engine, codes)
    raw_s = min(before, after)
    single_ms = single(engine, settings, codes)
    hits = sum(1 for r in outcome.results for m in r["lists"] if m["match"] == "exact")
    result = {
        "rows": args.rows,
        "entries": entries_held(engine),
        "codes": args.codes,
        "database": engine.dialect.name,
        "ours_s": round(ours_s, 3),
        "raw_s": round(raw_s, 3),
        "ratio": round(ours_s / raw_s, 2),
        "hits": hits,
        "raw_hits": raw_hits,
        "intercepted": outcome.check.intercepted,
        "warned": outcome.check.warned,
        "errors": outcome.check.errors,
        "stages_s": {stage: round(at, 3) for stage, at in stages.items()},
        "single_ms": round(single_ms, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    print(
        f"ours {ours_s:.3f} s, raw {raw_s:.3f} s, ratio {result['ratio']}x; "
        f"{hits:,} memberships (raw {raw_hits:,}), intercepted {result['intercepted']:,}, "
        f"warned {result['warned']:,}; stages {result['stages_s']}; one code {single_ms:.2f} ms; "
        f"peak RSS {result['peak_rss_mb']} MB",
        file=sys.stderr,
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
