"""CHK-1 at batch size: a check counts negative records from the partial index made for it, on both
databases, instead of walking every standing record or reading whole record rows; a check of a few codes
looks up masked entries by the forms the codes could be published as, instead of reading every one."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.clock import CHINA_TZ
from xinyong.db.bulk import insert_rows, refresh_statistics
from xinyong.lists.models import ListEntry
from xinyong.measures import check

pytestmark = pytest.mark.req("CHK-1")

AS_OF = date(2026, 4, 1)
MASKED_ENTRIES = 1_100  # more than SQLite's analysis samples of an index (db.bulk.SQLITE_ANALYSIS_ROWS)


def _plan(engine: Engine, session: Session, statement: Any) -> str:
    compiled = statement.compile(dialect=engine.dialect, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    rows = session.connection().exec_driver_sql(prefix + str(compiled).replace("%", "%%"))
    return " ".join(str(row[-1]) for row in rows)


def _watched(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch, method: str, marker: str
) -> list[str]:
    """The plans of the statements naming ``marker`` that ``session.<method>`` runs from now on."""
    plans: list[str] = []
    real = getattr(session, method)

    def explain(statement: Any, *args: Any, **kwargs: Any) -> Any:
        if marker in str(statement):
            plans.append(_plan(engine, session, statement))
        return real(statement, *args, **kwargs)

    monkeypatch.setattr(session, method, explain)
    if engine.dialect.name == "postgresql":  # an empty table is scanned whatever its indexes
        session.connection().exec_driver_sql("SET LOCAL enable_seqscan = off")
    return plans


def test_negative_records_are_counted_from_the_standing_index(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as session:
        keys = check._keys(session, ["91110000802100433B", "11010519491231002X"])
        plans = _watched(engine, session, monkeypatch, "execute", "record.subject_key")
        check._negatives(session, keys, AS_OF, marked_shown=False)
    assert len(plans) == 1 and "ix_record_standing_subject_key" in plans[0], plans
    if engine.dialect.name == "sqlite":  # from each key to its records, not the state index then the keys
        assert "ix_record_state_public_until" not in plans[0]


@pytest.mark.req("MEA-7")
def test_a_few_codes_look_up_masked_entries_by_their_index(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(engine) as session:
        plans = _watched(engine, session, monkeypatch, "scalars", "list_entry.masked_id")
        keys = [check._Key(1, "11010519491231002X", "王五", True)]
        assert check._probable(session, keys, AS_OF) == {}
    assert len(plans) == 1 and "ix_list_entry_masked_id" in plans[0], plans


def test_a_check_goes_from_its_codes_to_their_entries_when_nearly_every_entry_was_received_masked(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A platform that has received only a court's list with masked numbers: all its entries lack a key."""
    now = datetime(2026, 3, 1, 9, tzinfo=CHINA_TZ)
    masked = [
        {
            "number": f"MD{secrets.token_hex(6).upper()}",
            "list_type": "court-dishonest-debtor",
            "kind": "black",
            "subject_key": None,
            "subject_name": "王某某",
            "masked_id": f"3701021975****{n:04d}",
            "status": "active",
            "source": "court",
            "source_ref": f"plan:{secrets.token_hex(8)}",
            "determining_org": "court",
            "reasons": "接收自来源方",
            "measures": "[]",
            "entered_on": date(2026, 2, 1),
            "wrongful": False,
            "recover_benefits": False,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(MASKED_ENTRIES)
    ]
    with Session(engine) as session, session.begin():
        insert_rows(session, ListEntry, masked)
        refresh_statistics(session, ["list_entry"])
        keys = check._keys(session, ["91110000802100433B"])
        plans = _watched(engine, session, monkeypatch, "execute", "list_entry.subject_key IN")
        assert check._entries(session, keys, AS_OF) == {}
        session.rollback()  # the entries were for the planner only
    assert len(plans) == 1 and "ix_list_entry_subject_key" in plans[0], plans
