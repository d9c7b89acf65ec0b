"""The daily sweep: records whose public period ended leave public view as a version, stay in the subject's
archive, and agencies that were given them are told to stop using them (PER-2, DIS-8)."""

from __future__ import annotations

import json
import secrets
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from xinyong import sweep
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.db.engine import session_factory
from xinyong.outbox.models import OutboxMessage
from xinyong.records import service as records
from xinyong.records.models import Record
from xinyong.web.app import create_app

from ..conftest import TODAY, uscc_code
from ..market.conftest import authorize_agency
from ..records.conftest import penalty
from .conftest import Portal

WHILE_PUBLIC = date(2025, 6, 1)


@pytest.mark.req("PER-2", "DIS-8")
def test_an_ended_period_moves_the_record_to_the_archive_and_tells_the_agency(
    portal: Portal, client: TestClient
) -> None:
    code = uscc_code(2_000_000 + secrets.randbelow(1_000_000))
    number = f"济市监罚〔2023〕{secrets.token_hex(3)}号"
    body = {
        "item": "admin-penalty",
        "severity": "general",
        "records": [penalty(number, uscc=code, subject_name="旧案测试有限公司", decision_date="2023-06-01")],
    }
    pushed = client.post("/api/v1/records", headers=portal.bearer(portal.provider), json=body).json()
    assert pushed["accepted"] == 1, pushed["rejects"]
    with session_factory(portal.engine)() as session:
        record = session.scalars(select(Record).where(Record.document_number == number)).one()
    assert record.public_until is not None and WHILE_PUBLIC <= record.public_until < TODAY

    # A registered agency authorized by the subject and the provider (MKT-3) fetched it while it was public.
    authorize_agency(
        portal.engine, portal.settings, agency=portal.agency, provider=portal.provider, subject=code
    )
    earlier = portal.settings.model_copy(update={"fixed_date": WHILE_PUBLIC})
    with TestClient(create_app(earlier)) as then:
        seen = then.get(
            f"/api/v1/subjects/{code}/records?purpose=authorized_service",
            headers=portal.bearer(portal.agency),
        ).json()
    assert [r["item"] for r in seen["records"]] == ["admin-penalty"]
    assert client.get(f"/api/v1/subjects/{code}/records").json()["records"] == []  # not public today

    factory = session_factory(portal.engine)
    actor = audit_actor(system_actor(policy()))
    first = sweep.run(
        factory, as_of=TODAY, clock=portal.settings.clock, actor=actor, rules=sweep.Rules.of(portal.settings)
    )
    again = sweep.run(
        factory, as_of=TODAY, clock=portal.settings.clock, actor=actor, rules=sweep.Rules.of(portal.settings)
    )
    assert first.expired >= 1 and first.notices >= 1
    assert (again.expired, again.notices) == (0, 0)  # nothing twice
    with factory() as session:
        stored = session.get(Record, record.id)
        versions = records.versions_of(session, record.id)
        notices = session.scalars(select(OutboxMessage).where(OutboxMessage.org_code == portal.agency)).all()
    assert stored is not None and (stored.state, stored.version) == ("archived", 2)
    assert [(v.version, v.procedure, v.reason) for v in versions][-1] == (2, "expiry", records.EXPIRY_REASON)
    assert [(n.kind, json.loads(n.payload)["record"]) for n in notices] == [("stop_use", record.id)]
    assert records.expirable(factory(), TODAY) == 0


@pytest.mark.req("PER-2")
def test_a_record_inside_its_period_is_left_alone(portal: Portal) -> None:
    factory = session_factory(portal.engine)
    with factory() as session:
        active = session.scalars(
            select(Record).where(Record.public_until >= TODAY, Record.state == "active")
        ).all()
    assert active
    sweep.run(
        factory,
        as_of=TODAY,
        clock=portal.settings.clock,
        actor=audit_actor(system_actor(policy())),
        rules=sweep.Rules.of(portal.settings),
    )
    with factory() as session:
        for record in active:
            assert session.get(Record, record.id).state == "active"  # type: ignore[union-attr]
