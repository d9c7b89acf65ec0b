"""End to end: an agency given a record under both authorizations is pushed a stop-use notice to its
webhook when the record is withdrawn or its public period ends (DIS-8; CT 47; MKT-3)."""

from __future__ import annotations

import json
import secrets
from datetime import date

import pytest
from sqlalchemy import select

from xinyong import sweep
from xinyong.db.engine import session_factory, transaction
from xinyong.outbox import delivery
from xinyong.outbox import service as outbox
from xinyong.records.models import Record
from xinyong.records.service import records_of

from ..conftest import TODAY
from ..outbox.conftest import ADMIN, Receiver
from ..records.conftest import penalty
from .conftest import SYSTEM, Market, clear_agency, fresh_company

WHILE_PUBLIC = date(2025, 6, 1)


def delivered(market: Market) -> None:
    retry = delivery.RetryPolicy.of(market.settings)
    with delivery.http_client(retry) as client:
        delivery.deliver_due(
            session_factory(market.engine), clock=market.settings.clock, policy=retry, client=client
        )


@pytest.mark.req("DIS-8", "MKT-3")
def test_an_agency_that_received_records_is_pushed_stop_use_when_withdrawn_or_expired(market: Market) -> None:
    subject = fresh_company()
    old, recent = (f"济市监罚〔{year}〕{secrets.token_hex(3)}号" for year in (2023, 2026))
    body = {
        "item": "admin-penalty",
        "severity": "general",
        "records": [
            penalty(old, uscc=subject, decision_date="2023-06-01", valid_until="2024-06-01"),
            penalty(recent, uscc=subject),
        ],
    }
    with market.client() as client:
        assert (
            client.post("/api/v1/records", headers=market.bearer(market.provider), json=body).json()[
                "accepted"
            ]
            == 2
        )
    with market.session() as session:
        ids = {r.document_number: r.id for r in records_of(session, subject)}
    clear_agency(market, subject=subject)
    url = f"/api/v1/subjects/{subject}/records?purpose=authorized_service"
    with market.client(WHILE_PUBLIC) as client:  # the old one while it was public
        assert ids[old] in [
            r["id"] for r in client.get(url, headers=market.bearer(market.agency)).json()["records"]
        ]
    with market.client() as client:
        assert ids[recent] in [
            r["id"] for r in client.get(url, headers=market.bearer(market.agency)).json()["records"]
        ]

    receiver = Receiver()
    factory = session_factory(market.engine)
    with transaction(factory) as session:
        outbox.set_webhook(
            session, by=ADMIN, now=market.settings.clock.now(), org_code=market.agency, url=receiver.url
        )
    try:
        with market.client() as client:
            withdrawn = client.post(
                f"/api/v1/records/{ids[recent]}/withdraw",
                headers=market.bearer(market.provider),
                json={"reason": "决定书送达地址有误，重新报送"},
            )
        assert withdrawn.status_code == 200, withdrawn.text
        swept = sweep.run(
            factory,
            as_of=TODAY,
            clock=market.settings.clock,
            actor=SYSTEM,
            rules=sweep.Rules.of(market.settings),
        )
        assert swept.notices >= 1
        delivered(market)
    finally:
        with transaction(factory) as session:
            outbox.remove_webhook(session, by=ADMIN, now=market.settings.clock.now(), org_code=market.agency)
        receiver.stop()

    pushed = [json.loads(r.body) for r in receiver.received]
    told = {(p["kind"], p["payload"]["record"]) for p in pushed if p["org"] == market.agency}
    assert {("stop_use", ids[recent]), ("stop_use", ids[old])} <= told
    assert all(r.headers["X-Xinyong-Kind"] == "stop_use" for r in receiver.received)
    reasons = {p["payload"]["record"]: p["payload"]["reason"] for p in pushed}
    assert "撤回" in reasons[ids[recent]] and "公示期满" in reasons[ids[old]]
    with market.session() as session:
        rows = session.execute(select(Record.id, Record.state).where(Record.id.in_(ids.values()))).all()
    states = {row.id: row.state for row in rows}
    assert states == {ids[recent]: "withdrawn", ids[old]: "archived"}
