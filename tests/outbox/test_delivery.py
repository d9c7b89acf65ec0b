"""Pushing the outbox to a department's webhook (MEA-6): signed, retried with backoff while the receiver is
down, failing or slow, given up as a dead letter in the end, and never received twice once delivered."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.outbox import delivery
from xinyong.outbox import service as outbox
from xinyong.outbox.delivery import Tally
from xinyong.settings import Settings

from ..live import free_port
from .conftest import (
    POLICY,
    Receiver,
    SteppedClock,
    aware,
    deliver,
    queue,
    set_webhook,
    stored,
    verify,
)


@pytest.mark.req("MEA-6")
def test_a_push_carries_a_signature_the_receiver_can_verify(
    factory: sessionmaker[Session], clock: SteppedClock, dept: str, receiver: Receiver
) -> None:
    secret = set_webhook(factory, clock, dept, receiver.url, secret="shared-with-the-department-only")
    message_id = queue(factory, clock, dept, kind="rp_task", task=42)

    assert deliver(factory, clock) == Tally(delivered=1)

    [push] = receiver.received
    now = int(clock.now().timestamp())
    assert push.headers["X-Xinyong-Message"] == str(message_id)
    assert push.headers["X-Xinyong-Kind"] == "rp_task"
    assert push.headers["X-Xinyong-Timestamp"] == str(now)
    assert push.headers["Content-Type"].startswith("application/json")
    assert verify(secret, push.headers, push.body, now=now)
    assert not verify(secret, push.headers, push.body.replace(b"42", b"43"), now=now)  # altered on the way
    assert not verify("someone-else-guessing-the-secret", push.headers, push.body, now=now)
    assert not verify(secret, push.headers, push.body, now=now + 3600)  # the same push replayed an hour later
    document = json.loads(push.body)
    assert (document["id"], document["kind"], document["org"]) == (message_id, "rp_task", dept)
    assert document["payload"] == {"task": 42}
    delivered = stored(factory, message_id)
    assert (delivered.status, delivered.attempts, delivered.last_error) == ("delivered", 1, None)
    assert aware(delivered.delivered_at) == clock.now()


@pytest.mark.req("MEA-6")
def test_a_receiver_that_is_down_and_then_up_gets_the_message_exactly_once(
    factory: sessionmaker[Session], clock: SteppedClock, dept: str
) -> None:
    port = free_port()
    set_webhook(factory, clock, dept, f"http://127.0.0.1:{port}/xinyong")
    message_id = queue(factory, clock, dept)

    assert deliver(factory, clock) == Tally(retried=1)  # connection refused
    waiting = stored(factory, message_id)
    assert (waiting.status, waiting.attempts) == ("pending", 1)
    assert waiting.last_error is not None and "无法连接" in waiting.last_error
    assert aware(waiting.next_attempt_at) == clock.now() + POLICY.backoff

    up = Receiver(port=port)
    try:
        assert deliver(factory, clock) == Tally()  # not before its backoff has passed
        clock.advance(seconds=POLICY.backoff.total_seconds())
        assert deliver(factory, clock) == Tally(delivered=1)
        clock.advance(days=3)
        assert deliver(factory, clock) == Tally()
        assert [push.headers["X-Xinyong-Message"] for push in up.received] == [str(message_id)]
    finally:
        up.stop()
    assert stored(factory, message_id).status == "delivered"


@pytest.mark.req("MEA-6")
def test_a_receiver_that_does_not_answer_in_time_is_tried_again(
    factory: sessionmaker[Session], clock: SteppedClock, dept: str, receiver: Receiver
) -> None:
    impatient = delivery.RetryPolicy(timeout_seconds=0.3, max_attempts=3, backoff=timedelta(minutes=5))
    receiver.hang = True
    set_webhook(factory, clock, dept, receiver.url)
    message_id = queue(factory, clock, dept)

    assert deliver(factory, clock, impatient) == Tally(retried=1)
    late = stored(factory, message_id)
    assert (late.status, late.attempts) == ("pending", 1)
    assert late.last_error is not None and "超时" in late.last_error

    receiver.hang = False
    receiver.release.set()
    clock.advance(minutes=5)
    assert deliver(factory, clock, impatient) == Tally(delivered=1)
    assert [push.headers["X-Xinyong-Message"] for push in receiver.received] == [str(message_id)] * 2


@pytest.mark.req("MEA-6")
def test_a_delivered_message_is_never_pushed_again_after_a_restart(
    settings: Settings,
    engine: Engine,
    factory: sessionmaker[Session],
    clock: SteppedClock,
    dept: str,
    receiver: Receiver,
) -> None:
    set_webhook(factory, clock, dept, receiver.url)
    queue(factory, clock, dept)
    assert deliver(factory, clock) == Tally(delivered=1)
    engine.dispose()

    restarted = make_engine(settings.database_url)
    try:
        clock.advance(days=7)
        assert deliver(session_factory(restarted), clock) == Tally()
    finally:
        restarted.dispose()
    assert len(receiver.received) == 1


@pytest.mark.req("MEA-6")
def test_a_push_cut_off_by_a_crash_is_made_again_once_its_claim_lapses(
    factory: sessionmaker[Session], clock: SteppedClock, dept: str, receiver: Receiver
) -> None:
    set_webhook(factory, clock, dept, receiver.url)
    message_id = queue(factory, clock, dept)
    with transaction(factory) as session:  # a worker takes the message and dies before pushing it
        assert outbox.claim(session, due=clock.now(), hold_until=clock.now() + delivery.HOLD) is not None

    assert deliver(factory, clock) == Tally()  # nobody else pushes it while the claim holds
    clock.advance(seconds=delivery.HOLD.total_seconds())
    assert deliver(factory, clock) == Tally(delivered=1)
    assert [push.headers["X-Xinyong-Message"] for push in receiver.received] == [str(message_id)]


@pytest.mark.req("MEA-6")
def test_two_workers_never_push_the_same_message(
    factory: sessionmaker[Session], clock: SteppedClock, dept: str, receiver: Receiver
) -> None:
    receiver.latency = 0.02
    set_webhook(factory, clock, dept, receiver.url)
    queued = [queue(factory, clock, dept, task=n) for n in range(12)]
    tallies: list[Tally] = []
    workers = [threading.Thread(target=lambda: tallies.append(deliver(factory, clock))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert sum(t.delivered for t in tallies) == 12 and len(tallies) == 2
    assert sorted(int(push.headers["X-Xinyong-Message"]) for push in receiver.received) == queued


@pytest.mark.req("MEA-6")
def test_messages_wait_for_a_department_without_a_webhook_and_no_attempt_is_counted(
    factory: sessionmaker[Session], clock: SteppedClock, dept: str
) -> None:
    message_id = queue(factory, clock, dept)
    assert deliver(factory, clock) == Tally()
    waiting = stored(factory, message_id)
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 0, None)
