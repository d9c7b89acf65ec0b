"""Pushing the outbox to the organisations' webhooks (MEA-6; DIS-8 stop-use notices among them).

Each message is claimed, POSTed as JSON and its outcome stored, each step in its own transaction: a 2xx is
recorded as delivered at once, so a restart never pushes it again; a failure (timeout, refused connection,
any other status) is retried with exponential backoff and, after ``webhook_max_attempts``, left as a dead
letter for an operator. Delivery is at least once: a worker that dies between the receiver's 2xx and the
commit pushes the message again later, with the same ``X-Xinyong-Message`` for the receiver to spot it.
What a message says is none of this module's business: every kind travels the same way.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx2 as httpx
from sqlalchemy.orm import Session, sessionmaker

from xinyong import __version__
from xinyong.clock import Clock
from xinyong.outbox import service as outbox
from xinyong.outbox.schemas import MessageOut
from xinyong.settings import Settings

# A claimed message stays hidden from other workers this long. httpx applies the timeout to each phase of
# a request (pool, connect, write, read), so a push ends within four timeouts (at most 4 x 60 s).
HOLD = timedelta(minutes=5)
# Doubling stops here: a receiver that is down for days is still tried daily until the attempts run out.
LONGEST_WAIT = timedelta(days=1)


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait for a receiver, how often to try, how long to wait between tries."""

    timeout_seconds: float
    max_attempts: int
    backoff: timedelta

    @classmethod
    def of(cls, settings: Settings) -> RetryPolicy:
        return cls(
            timeout_seconds=settings.webhook_timeout_seconds,
            max_attempts=settings.webhook_max_attempts,
            backoff=timedelta(seconds=settings.webhook_backoff_seconds),
        )

    def retry_at(self, failures: int, now: datetime) -> datetime | None:
        """When to push again after the ``failures``-th failed push: the backoff, doubled after each
        failure up to a day; None when that was the last attempt."""
        if failures >= self.max_attempts:
            return None
        factor: int = 2 ** min(failures - 1, 17)  # 2**17 seconds already exceed a day
        return now + min(self.backoff * factor, LONGEST_WAIT)


@dataclass
class Tally:
    delivered: int = 0
    retried: int = 0
    dead: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.delivered + other.delivered, self.retried + other.retried, self.dead + other.dead)

    def as_dict(self) -> dict[str, int]:
        return {"delivered": self.delivered, "retried": self.retried, "dead": self.dead}


@dataclass(frozen=True)
class Push:
    """One claimed message, ready to send: what the worker needs once the claim's transaction is over."""

    message_id: int
    kind: str
    failures: int
    url: str
    secret: str
    body: bytes


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``X-Xinyong-Signature``: HMAC-SHA256 over ``timestamp + "." + body``, so a receiver can tell the
    message came from the platform, unchanged, and (from the timestamp) recently."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def http_client(policy: RetryPolicy) -> httpx.Client:
    """Redirects are not followed: a signed message goes only where the operator said."""
    return httpx.Client(
        timeout=policy.timeout_seconds,
        follow_redirects=False,
        headers={"User-Agent": f"xinyong/{__version__}"},
    )


def send(client: httpx.Client, push: Push, *, now: datetime) -> str | None:
    """POST one message; None when the receiver took it (2xx), otherwise why not, for the dead-letter view."""
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-Xinyong-Message": str(push.message_id),
        "X-Xinyong-Kind": push.kind,
        "X-Xinyong-Timestamp": timestamp,
        "X-Xinyong-Signature": sign(push.secret, timestamp, push.body),
    }
    try:
        response = client.post(push.url, content=push.body, headers=headers)
    except httpx.TimeoutException as exc:
        return f"接收方未在时限内应答（超时，{type(exc).__name__}）"
    except httpx.HTTPError as exc:  # refused connection, unknown host, TLS, broken response
        return f"无法连接接收方：{type(exc).__name__} {exc}"
    if response.is_success:
        return None
    return f"接收方应答 HTTP {response.status_code}：{response.text[:200]}"


def _claim(session: Session, *, due: datetime, hold_until: datetime) -> Push | None:
    claimed = outbox.claim(session, due=due, hold_until=hold_until)
    if claimed is None:
        return None
    message, hook = claimed
    body = MessageOut.of(message).model_dump_json().encode()
    return Push(message.id, message.kind, message.attempts, hook.url, hook.secret, body)


def deliver_due(
    factory: sessionmaker[Session],
    *,
    clock: Clock,
    policy: RetryPolicy,
    client: httpx.Client,
    progress: Callable[[Tally], None] | None = None,
) -> Tally:
    """Push every message that is due now to its organisation's webhook, one at a time, and say what became
    of them. Messages of organisations without a webhook wait to be pulled and are not attempts; a message
    that fails is due again only later, so each is pushed at most once per call."""
    tally = Tally()
    due = clock.now()
    while True:
        with factory() as session, session.begin():
            push = _claim(session, due=due, hold_until=clock.now() + HOLD)
        if push is None:
            return tally
        error = send(client, push, now=clock.now())
        with factory() as session, session.begin():
            now = clock.now()
            if error is None:
                outbox.mark_delivered(session, message_id=push.message_id, now=now)
                tally.delivered += 1
            else:
                retry_at = policy.retry_at(push.failures + 1, now)
                outbox.mark_failed(session, message_id=push.message_id, error=error, retry_at=retry_at)
                if retry_at is None:
                    tally.dead += 1
                else:
                    tally.retried += 1
        if progress is not None:
            progress(tally)
