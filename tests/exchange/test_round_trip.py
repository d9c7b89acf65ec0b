"""Export from one platform, import into a second database, compare; again without duplicates; then a
withdrawal and a list removal travel as an increment (INT-1, LIST-10)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from xinyong.audit.models import AuditEvent
from xinyong.audit.service import AuditActor
from xinyong.lists.models import ListEntry
from xinyong.records import service as records
from xinyong.records.models import Record

from .conftest import Platforms, company, penalty_of


def _seen(platforms: Platforms, subjects: set[str], *, other: bool) -> set[tuple[object, ...]]:
    """Each record of these subjects as (item, subject, document number, fields, state)."""
    sessions = platforms.other_sessions if other else platforms.city_sessions
    with sessions() as session:
        found = session.scalars(select(Record).where(Record.subject_key.in_(subjects)))
        return {
            (r.item_code, r.subject_key, r.document_number, r.data, r.state)
            for r in found
            if r.item_code == "admin-penalty"
        }


@pytest.mark.req("INT-1")
@pytest.mark.req("LIST-10")
def test_a_package_carries_records_and_lists_to_a_second_platform_once(
    platforms: Platforms, tmp_path: Path
) -> None:
    first, second = company("甲测试商贸有限公司"), company("乙测试建材有限公司")
    done = platforms.deliver(
        penalty_of(*first, "济市监罚〔2026〕101号"),
        penalty_of(*first, "济市监罚〔2026〕102号"),
        penalty_of(*second, "济市监罚〔2026〕103号"),
    )
    assert done.accepted == 3
    entry = platforms.blacklist(second[0], on=date(2026, 9, 1))
    assert entry.status == "active"

    exported = platforms.export(tmp_path / "one.zip", since=platforms.start)
    assert exported.rows == {"records.jsonl": 3, "list_entries.jsonl": 1, "removals.jsonl": 0}
    with platforms.city_sessions() as session:  # what left the platform is audited
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "exchange.export")).all()[-1]
    assert json.loads(event.detail)["files"] == exported.rows
    got = platforms.receive(tmp_path / "one.zip")
    assert (got.accepted, got.rejected, got.duplicates) == (4, 0, 0), got.rejects  # 3 records + 1 entry
    subjects = {first[0], second[0]}
    assert _seen(platforms, subjects, other=True) == _seen(platforms, subjects, other=False)
    assert len(_seen(platforms, subjects, other=True)) == 3
    with platforms.other_sessions() as session:
        received = session.scalars(select(ListEntry).where(ListEntry.subject_key == second[0])).one()
    assert (received.status, received.source, received.kind) == ("active", "national", "black")
    assert entry.number in received.reasons or entry.number in json.loads(
        platforms.other_sessions().get(Record, received.record_id).data  # type: ignore[union-attr]
    ).get("basis_document_number", "")

    again = platforms.receive(tmp_path / "one.zip")  # the same package twice adds nothing
    assert (again.accepted, again.duplicates, again.removed) == (0, 4, 0)
    with platforms.other_sessions() as session:
        assert len(session.scalars(select(Record).where(Record.subject_key.in_(subjects))).all()) == 4
        assert len(session.scalars(select(ListEntry).where(ListEntry.subject_key == second[0])).all()) == 1

    # The provider withdraws one record, the tax bureau ends the listing: an increment carries both.
    with platforms.city_sessions() as session, session.begin():
        withdrawn = session.scalars(
            select(Record).where(
                Record.document_number == "济市监罚〔2026〕101号", Record.subject_key == first[0]
            )
        ).one()
        records.withdraw(
            session,
            record_id=withdrawn.id,
            provider=platforms.provider,
            reason="决定书文号录入错误",
            actor=AuditActor(account_id=None, org=platforms.provider, label="经办人"),
            now=platforms.city.clock.now(),
        )
    platforms.remove(entry.number, on=date(2026, 11, 20))
    increment = platforms.export(tmp_path / "two.zip", since=exported.upto)
    assert increment.kind == "increment"
    assert increment.rows == {"records.jsonl": 0, "list_entries.jsonl": 0, "removals.jsonl": 2}
    got = platforms.receive(tmp_path / "two.zip")
    assert (got.removed, got.rejected, got.unmatched) == (2, 0, 0), got.rejects
    assert _seen(platforms, subjects, other=True) == _seen(platforms, subjects, other=False)
    with platforms.other_sessions() as session:
        states = {
            r.document_number: r.state
            for r in session.scalars(select(Record).where(Record.subject_key == first[0]))
        }
        ended = session.scalars(select(ListEntry).where(ListEntry.subject_key == second[0])).one()
    assert states == {"济市监罚〔2026〕101号": "withdrawn", "济市监罚〔2026〕102号": "active"}
    assert (ended.status, ended.removal_reason) == ("removed", "source")
    assert platforms.receive(tmp_path / "two.zip").duplicates == 2  # removals twice: nothing more
