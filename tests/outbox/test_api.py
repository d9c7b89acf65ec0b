"""The outbox over HTTP: departments without a webhook pull and ack their own messages; operators set
webhooks, see the dead letters and put them back in the queue (MEA-6, DIS-8)."""

from __future__ import annotations

import json
import secrets

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from xinyong.access.security import secret_key
from xinyong.db.engine import transaction
from xinyong.outbox import service as outbox
from xinyong.outbox.delivery import Tally
from xinyong.settings import Settings

from ..conftest import org_with_token
from .conftest import (
    Receiver,
    SteppedClock,
    aware,
    deliver,
    operator_token,
    queue,
    set_webhook,
    stored,
    verify,
)


@pytest.mark.req("MEA-6", "DIS-8")
def test_an_agency_without_a_webhook_pulls_its_stop_use_notice_and_only_it_can_ack_it(
    settings: Settings, client: TestClient, factory: sessionmaker[Session], clock: SteppedClock
) -> None:
    agency, other = f"agency-{secrets.token_hex(4)}", f"agency-{secrets.token_hex(4)}"
    key = secret_key(settings.data_dir.resolve())
    with transaction(factory) as session:
        tokens = {
            code: org_with_token(session, code=code, kind="agency", role="agency", key=key, now=clock.now())
            for code in (agency, other)
        }
    notice = outbox.Message(  # as the daily sweep queues it when a record it was given leaves public view
        kind="stop_use",
        org_code=agency,
        subject_key="91370100MA0000000X",
        payload={"record": 7, "reason": "公示期满", "as_of": "2026-11-23"},
        dedupe_key=f"stop_use:{agency}:7",
    )
    with transaction(factory) as session:
        outbox.enqueue(session, [notice], now=clock.now())

    def bearer(org: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[org]}"}

    assert deliver(factory, clock) == Tally()  # no webhook: nothing pushed, no attempt counted
    pulled = client.get("/api/v1/outbox", headers=bearer(agency))
    assert pulled.status_code == 200, pulled.text
    [message] = pulled.json()
    assert (message["kind"], message["org"], message["payload"]["record"]) == ("stop_use", agency, 7)
    assert client.get("/api/v1/outbox", headers=bearer(other)).json() == []

    foreign = client.post(f"/api/v1/outbox/{message['id']}/ack", headers=bearer(other))
    assert foreign.status_code == 404 and foreign.json()["error"]["code"] == "outbox.not_found"
    assert stored(factory, message["id"]).status == "pending"

    acked = client.post(f"/api/v1/outbox/{message['id']}/ack", headers=bearer(agency))
    assert acked.status_code == 200, acked.text
    assert (acked.json()["status"], acked.json()["attempts"]) == ("delivered", 0)
    assert client.get("/api/v1/outbox", headers=bearer(agency)).json() == []
    again = client.post(f"/api/v1/outbox/{message['id']}/ack", headers=bearer(agency))
    assert again.status_code == 200 and again.json()["delivered_at"] == acked.json()["delivered_at"]

    events = client.get(
        "/api/v1/audit/events",
        params={"action": "outbox.ack"},
        headers=operator_token(settings, factory, clock),
    ).json()
    assert [e["actor_org"] for e in events if e["target_id"] == str(message["id"])] == [agency]


@pytest.mark.req("MEA-6")
def test_a_failing_receiver_is_retried_with_backoff_then_dead_then_requeued_and_delivered(
    settings: Settings,
    client: TestClient,
    factory: sessionmaker[Session],
    clock: SteppedClock,
    dept: str,
    receiver: Receiver,
) -> None:
    operator = operator_token(settings, factory, clock)
    receiver.status = 500
    set_webhook(factory, clock, dept, receiver.url)
    message_id = queue(factory, clock, dept)

    waits = []
    for expected in (Tally(retried=1), Tally(retried=1), Tally(dead=1)):  # at most three attempts
        assert deliver(factory, clock) == expected
        message = stored(factory, message_id)
        if message.next_attempt_at is not None:
            wait = (aware(message.next_attempt_at) - clock.now()).total_seconds()
            waits.append(wait)
            clock.advance(seconds=wait)
    assert waits == [60, 120]  # the backoff, doubled after each failure
    clock.advance(days=30)
    assert deliver(factory, clock) == Tally()  # a dead letter waits for an operator
    assert len(receiver.received) == 3

    listed = client.get("/api/v1/outbox/dead", params={"org": dept}, headers=operator)
    assert listed.status_code == 200, listed.text
    [dead] = listed.json()
    assert (dead["id"], dead["status"], dead["attempts"]) == (message_id, "dead", 3)
    assert "HTTP 500" in dead["last_error"]

    receiver.status = 204
    requeued = client.post(f"/api/v1/outbox/{message_id}/retry", headers=operator)
    assert requeued.status_code == 200, requeued.text
    assert (requeued.json()["status"], requeued.json()["attempts"]) == ("pending", 0)
    twice = client.post(f"/api/v1/outbox/{message_id}/retry", headers=operator)
    assert twice.status_code == 422 and twice.json()["error"]["code"] == "outbox.not_dead"

    assert deliver(factory, clock) == Tally(delivered=1)
    assert len(receiver.received) == 4
    assert client.get("/api/v1/outbox/dead", params={"org": dept}, headers=operator).json() == []


@pytest.mark.req("MEA-6")
def test_operators_set_and_remove_a_departments_webhook(
    settings: Settings,
    client: TestClient,
    factory: sessionmaker[Session],
    clock: SteppedClock,
    dept: str,
    receiver: Receiver,
) -> None:
    operator = operator_token(settings, factory, clock)
    made = client.put(f"/api/v1/orgs/{dept}/webhook", json={"url": receiver.url}, headers=operator)
    assert made.status_code == 200, made.text
    hook = made.json()
    assert (hook["org"], hook["url"], hook["active"]) == (dept, receiver.url, True)
    assert len(hook["secret"]) >= 32  # generated

    queue(factory, clock, dept)
    assert deliver(factory, clock) == Tally(delivered=1)
    [push] = receiver.received
    assert verify(hook["secret"], push.headers, push.body, now=int(clock.now().timestamp()))
    events = client.get("/api/v1/audit/events", params={"action": "webhook.set"}, headers=operator).json()
    assert any(e["target_id"] == dept for e in events)
    assert hook["secret"] not in json.dumps(events)  # the log does not give away the signing key

    for body, code in (
        ({"url": "ftp://example.org/x"}, "webhook.url_invalid"),
        ({"url": "https://user:pw@example.org/x"}, "webhook.url_credentials"),
        ({"url": receiver.url, "secret": "short"}, "webhook.secret_invalid"),
    ):
        refused = client.put(f"/api/v1/orgs/{dept}/webhook", json=body, headers=operator)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == code, refused.text
    unknown = client.put("/api/v1/orgs/no-such-org/webhook", json={"url": receiver.url}, headers=operator)
    assert unknown.json()["error"]["code"] == "org.not_found"

    removed = client.delete(f"/api/v1/orgs/{dept}/webhook", headers=operator)
    assert removed.status_code == 200 and removed.json()["active"] is False
    gone = client.delete(f"/api/v1/orgs/{dept}/webhook", headers=operator)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "webhook.not_found"
    waiting = queue(factory, clock, dept)
    assert deliver(factory, clock) == Tally()  # now the department pulls its messages
    assert stored(factory, waiting).status == "pending" and len(receiver.received) == 1
