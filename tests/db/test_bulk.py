"""Set-based inserts of a few rows at a time: a court list received in one transaction inserts each entry's
tasks in turn, thousands of small inserts, and on PostgreSQL each used to take a staging table whose locks
stay until the transaction ends (LIST-10: received lists act like local ones, whatever their size)."""

from __future__ import annotations

from datetime import datetime
from uuid import uuid4

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from xinyong.clock import CHINA_TZ
from xinyong.db.bulk import insert_ignore
from xinyong.exchange.models import ExchangeWatermark

INSERTS = 5_000  # PostgreSQL's lock table holds 6,400 by default, and a staging table took several


@pytest.mark.req("LIST-10")
def test_thousands_of_small_inserts_fit_in_one_transaction_and_a_repeated_key_is_skipped(
    engine: Engine,
) -> None:
    tag, now = uuid4().hex[:8], datetime(2026, 11, 23, 9, tzinfo=CHINA_TZ)

    def row(n: int) -> dict[str, object]:
        return {
            "destination": f"{tag}-{n}",
            "record_version": n,
            "list_step": 0,
            "package": "",
            "updated_at": now,
        }

    with Session(engine) as session, session.begin():
        added = sum(
            insert_ignore(session, ExchangeWatermark, [row(n)], ["destination"]) for n in range(INSERTS)
        )
        again = insert_ignore(session, ExchangeWatermark, [row(7), row(INSERTS)], ["destination"])
    assert (added, again) == (INSERTS, 1)
    with Session(engine) as session:
        stored = select(func.count()).where(ExchangeWatermark.destination.startswith(f"{tag}-"))
        assert session.scalar(stored) == INSERTS + 1
