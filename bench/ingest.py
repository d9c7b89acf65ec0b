"""Ingestion speed: `xinyong import` of a generated penalty CSV against the database's raw bulk path.

In one run: generate N rows in the national penalty format, import them through the platform (validation,
subjects, dedupe, versions, audit), then load the same rows into a bare table with the raw bulk path (COPY on
PostgreSQL, executemany on SQLite). Prints rows/s for both, their ratio and the peak RSS; the last line is
one JSON object.

    .venv/bin/python bench/ingest.py --rows 100000 [--database-url postgresql+psycopg://postgres@127.0.0.1/bench]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from stdnum.cn import uscc

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.profiles.loader import load_profile
from xinyong.records import ingest
from xinyong.settings import Settings

HEADERS = [
    "行政相对人名称",
    "行政相对人类别",
    "统一社会信用代码",
    "法定代表人",
    "行政处罚决定书文号",
    "违法行为类型",
    "违法事实",
    "处罚依据",
    "处罚类别",
    "处罚内容",
    "罚款金额（万元）",
    "处罚决定日期",
    "处罚有效期",
    "处罚机关",
    "处罚机关统一社会信用代码",
    "数据来源单位",
    "数据来源单位统一社会信用代码",
]
AUTHORITY = "11370100MB2859097Y"


def company_code(n: int) -> str:
    body = f"91370100MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def rows(count: int, tag: str) -> Iterator[list[str]]:
    start = date(2026, 4, 1)
    for n in range(count):
        decided = start + timedelta(days=n % 200)
        yield [
            f"测试企业{n}有限公司",
            "法人及非法人组织",
            company_code(n % 50_000),
            "张三",
            f"济市监罚〔2026〕{tag}{n}号",
            "虚假宣传",
            "发布虚假广告",
            "《广告法》第五十五条",
            "罚款",
            "罚款2000元",
            "0.2",
            decided.isoformat(),
            (decided + timedelta(days=365)).isoformat(),
            "济南市市场监督管理局",
            AUTHORITY,
            "济南市市场监督管理局",
            AUTHORITY,
        ]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_load(url: str, path: Path) -> float:
    """The same rows into a bare table by the database's own bulk path; seconds taken."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_raw"))
        conn.execute(
            text("CREATE TABLE bench_raw (" + ", ".join(f"c{i} TEXT" for i in range(len(HEADERS))) + ")")
        )
    began = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cursor: Any = raw.cursor()  # psycopg's COPY or sqlite3's executemany, each its own driver's
        if engine.dialect.name == "postgresql":
            with (
                path.open("rb") as fh,
                cursor.copy("COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            ):
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
        else:
            with path.open(encoding="utf-8") as fh:
                reader = csv.reader(fh)
                next(reader)
                marks = ", ".join("?" for _ in HEADERS)
                cursor.executemany(f"INSERT INTO bench_raw VALUES ({marks})", reader)
        raw.commit()
    finally:
        raw.close()
    seconds = time.perf_counter() - began
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_raw"))
    return seconds


def penalty_file(
    engine: Engine, settings: Settings, count: int, folder: Path
) -> tuple[ingest.Delivery, Path]:
    """A new provider and a generated penalty CSV of ``count`` rows, with the delivery that imports it."""
    tag, rules = secrets.token_hex(2), policy()
    provider = f"bench-{tag}"
    with transaction(session_factory(engine)) as session:
        access.create_org(
            session,
            by=system_actor(rules),
            now=settings.clock.now(),
            code=provider,
            name="济南市市场监督管理局",
            kind="provider",
        )
    path = folder / "penalties.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        writer.writerows(rows(count, tag))
    delivery = ingest.Delivery(
        provider=provider,
        item_code="admin-penalty",
        route="file",
        actor=audit_actor(system_actor(rules)),
        filename=path.name,
        default_severity="general",
    )
    return delivery, path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xinyong-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    settings = Settings(database_url=url, data_dir=folder / "var", fixed_date=date(2026, 11, 23))
    engine = make_engine(url)
    initialise(engine, settings)
    delivery, path = penalty_file(engine, settings, args.rows, folder)
    print(f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {path}", file=sys.stderr)

    began = time.perf_counter()
    summary = ingest.import_file(
        session_factory(engine),
        path=path,
        delivery=delivery,
        profile=load_profile("national"),
        clock=settings.clock,
    )
    ours = time.perf_counter() - began
    raw = raw_load(url, path)
    result = {
        "rows": args.rows,
        "database": engine.dialect.name,
        "accepted": summary.accepted,
        "errors": summary.rejected,
        "ours_per_s": round(args.rows / ours),
        "raw_per_s": round(args.rows / raw),
        "ratio": round(raw / ours, 3),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    print(
        f"ours {result['ours_per_s']:,} rows/s, raw {result['raw_per_s']:,} rows/s, "
        f"ratio {result['ratio']}, peak RSS {result['peak_rss_mb']} MB",
        file=sys.stderr,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
