"""Delivery tests: a clock the test moves by hand (no sleeping through backoffs), receivers listening on
127.0.0.1 in a thread, and departments of each test's own."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.clock import CHINA_TZ
from xinyong.db.engine import session_factory, transaction
from xinyong.outbox import delivery
from xinyong.outbox import service as outbox
from xinyong.outbox.models import OrgWebhook, OutboxMessage
from xinyong.settings import Settings

ADMIN = system_actor(policy())
POLICY = delivery.RetryPolicy(timeout_seconds=2.0, max_attempts=3, backoff=timedelta(seconds=60))


@dataclass
class SteppedClock:
    """Stands still until the test moves it."""

    moment: datetime
    fixed: bool = True

    def now(self) -> datetime:
        return self.moment

    def today(self) -> Any:
        return self.moment.date()

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@dataclass
class Received:
    headers: Message
    body: bytes


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (timeout test) breaks the pipe; that is the point, not an error."""


@dataclass
class Receiver:
    """A department's webhook endpoint: keeps every request, answers ``status``; with ``hang`` it holds the
    request until released (a receiver that does not answer in time)."""

    port: int = 0
    status: int = 200
    hang: bool = False
    latency: float = 0.0
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(Received(self.headers, body))
                time.sleep(receiver.latency)
                if receiver.hang:
                    receiver.release.wait(10)
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/xinyong"

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def aware(moment: datetime | None) -> datetime:
    """A stored moment with its zone: SQLite gives back naive ones, written in the platform's zone."""
    assert moment is not None
    return moment if moment.tzinfo else moment.replace(tzinfo=CHINA_TZ)


@pytest.fixture
def clock(settings: Settings) -> SteppedClock:
    return SteppedClock(settings.clock.now())


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return session_factory(engine)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    yield started
    started.stop()


@pytest.fixture
def dept(factory: sessionmaker[Session], clock: SteppedClock) -> Iterator[str]:
    """A department of the test's own. Its webhook is switched off afterwards, so that the next test's
    deliveries do not push to a receiver that is gone."""
    code = f"dept-{secrets.token_hex(4)}"
    with transaction(factory) as session:
        access.create_org(session, by=ADMIN, now=clock.now(), code=code, name="测试实施部门", kind="user")
    yield code
    with transaction(factory) as session:
        active = select(OrgWebhook).where(OrgWebhook.org_code == code, OrgWebhook.active.is_(True))
        if session.scalars(active).one_or_none() is not None:
            outbox.remove_webhook(session, by=ADMIN, now=clock.now(), org_code=code)


def set_webhook(
    factory: sessionmaker[Session], clock: SteppedClock, org: str, url: str, secret: str | None = None
) -> str:
    """The secret the pushes are signed with."""
    with transaction(factory) as session:
        hook = outbox.set_webhook(session, by=ADMIN, now=clock.now(), org_code=org, url=url, secret=secret)
        return hook.secret


def queue(
    factory: sessionmaker[Session], clock: SteppedClock, org: str, kind: str = "rp_task", **payload: Any
) -> int:
    """Queue one message for ``org`` as a producer would; its id."""
    key = f"test:{secrets.token_hex(8)}"
    message = outbox.Message(kind, org, "91370100MA0000000X", payload or {"task": 1}, key)
    with transaction(factory) as session:
        assert outbox.enqueue(session, [message], now=clock.now()) == 1
        return session.scalars(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)).one()


def stored(factory: sessionmaker[Session], message_id: int) -> OutboxMessage:
    with factory() as session:
        return session.get_one(OutboxMessage, message_id)


def deliver(
    factory: sessionmaker[Session], clock: SteppedClock, retry: delivery.RetryPolicy = POLICY
) -> delivery.Tally:
    with delivery.http_client(retry) as client:
        return delivery.deliver_due(factory, clock=clock, policy=retry, client=client)


def verify(secret: str, headers: Message, body: bytes, *, now: int, tolerance: int = 300) -> bool:
    """What a receiver does with a push (docs/webhooks.md): recompute the signature over the timestamp and
    the body as received, and refuse a timestamp too far from its own clock (a replayed push)."""
    timestamp = headers["X-Xinyong-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    signed = hmac.compare_digest(f"sha256={expected}", headers["X-Xinyong-Signature"])
    return signed and abs(now - int(timestamp)) <= tolerance


def operator_token(settings: Settings, factory: sessionmaker[Session], clock: SteppedClock) -> dict[str, str]:
    """Bearer headers of an operator administrator's system account."""
    username = f"ops-{secrets.token_hex(4)}"
    with transaction(factory) as session:
        access.create_account(
            session,
            by=ADMIN,
            policy=policy(),
            now=clock.now(),
            org_code="operator",
            username=username,
            display_name="运维",
            roles=["operator_admin"],
            client=True,
        )
        issued = access.create_token(
            session,
            by=ADMIN,
            key=secret_key(settings.data_dir.resolve()),
            now=clock.now(),
            username=username,
            name="测试",
            expires_at=clock.now() + timedelta(days=30),
        )
    return {"Authorization": f"Bearer {issued.value}"}
