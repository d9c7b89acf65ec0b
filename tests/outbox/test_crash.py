"""``xinyong deliver`` killed with SIGKILL half-way and run again: every message arrives, at least once, and
is marked delivered exactly once; a message pushed twice carries the same id both times (MEA-6, DIS-8)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from xinyong.access import service as access
from xinyong.db.engine import session_factory, transaction
from xinyong.outbox import service as outbox
from xinyong.outbox.models import OutboxMessage

from ..conftest import TODAY
from ..crash import Own, chain_intact, finish, kill_when, own, start
from .conftest import ADMIN, Receiver, receiver, verify

__all__ = ["own", "receiver"]

MESSAGES = 400


@pytest.mark.req("SEC-4", "SEC-1", "MEA-6", "DIS-8")
def test_a_delivery_killed_half_way_and_run_again_delivers_every_message(
    own: Own, receiver: Receiver, tmp_path: Path
) -> None:
    now = own.settings.clock.now()
    with transaction(session_factory(own.engine)) as session:
        access.create_org(session, by=ADMIN, now=now, code="mzj", name="民政局", kind="user")
        secret = outbox.set_webhook(session, by=ADMIN, now=now, org_code="mzj", url=receiver.url).secret
        queued = [outbox.Message("reminder", "mzj", None, {"task": n}, f"crash:{n}") for n in range(MESSAGES)]
        assert outbox.enqueue(session, queued, now=now) == MESSAGES
    delivered = "SELECT count(*) FROM outbox_message WHERE status = 'delivered'"

    killed = start(own, "deliver")
    kill_when(killed, lambda: 50 < own.scalar(delivered) < MESSAGES - 50)
    before = own.scalar(delivered)

    # A message pushed by the killed worker but not yet marked stays claimed for a while; a day later the
    # next worker takes it again.
    later = {"XINYONG_FIXED_DATE": (TODAY + timedelta(days=1)).isoformat()}
    tally = json.loads(finish(start(own, "deliver", "--once", "--json", env=later)))
    assert tally == {"delivered": MESSAGES - before, "retried": 0, "dead": 0}

    with session_factory(own.engine)() as session:
        stored = session.scalars(select(OutboxMessage)).all()
    # Marked delivered exactly once each: a mark counts an attempt, and only a pending message is marked.
    assert {(m.status, m.attempts) for m in stored} == {("delivered", 1)}
    pushes = defaultdict(list)
    for push in receiver.received:
        signed_at = int(push.headers["X-Xinyong-Timestamp"])  # the test's fixed days, not the real one
        assert verify(secret, push.headers, push.body, now=signed_at)
        pushes[push.headers["X-Xinyong-Message"]].append(push.body)
    assert set(pushes) == {str(m.id) for m in stored}  # each arrived
    # At least once: the push in flight when the worker died may come again, the same message.
    assert sum(len(bodies) - 1 for bodies in pushes.values()) <= 1
    for message_id, bodies in pushes.items():
        assert {json.loads(body)["id"] for body in bodies} == {int(message_id)}
        assert len(set(bodies)) == 1
    assert chain_intact(own.engine).ok
