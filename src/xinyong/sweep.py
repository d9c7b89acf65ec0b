"""The daily sweep: what time alone changes (PER-2, DIS-8).

Records whose public period ended leave public view with a version saying so, and every credit service
agency that was given one is sent a stop-use notice through the outbox. Each batch is its own transaction,
so a sweep stopped half-way and run again finishes the work without doing any twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit.service import AuditActor
from xinyong.clock import Clock
from xinyong.disclosure import service as disclosure
from xinyong.outbox import service as outbox
from xinyong.records import service as records

BATCH = 5000


@dataclass(frozen=True)
class SweepResult:
    as_of: date
    expired: int
    notices: int

    def as_dict(self) -> dict[str, object]:
        return {"as_of": self.as_of.isoformat(), "expired": self.expired, "notices": self.notices}


def due(factory: sessionmaker[Session], as_of: date) -> int:
    with factory() as session:
        return records.expirable(session, as_of)


def run(
    factory: sessionmaker[Session],
    *,
    as_of: date,
    clock: Clock,
    actor: AuditActor,
    progress: Callable[[int], None] | None = None,
) -> SweepResult:
    expired = notices = 0
    while True:
        with factory() as session, session.begin():
            now = clock.now()
            moved = records.expire_batch(session, as_of=as_of, limit=BATCH, actor=actor, now=now)
            messages = [
                outbox.Message(
                    kind="stop_use",
                    org_code=org,
                    subject_key=subject_key,
                    payload={
                        "record": record_id,
                        "reason": records.EXPIRY_REASON,
                        "as_of": as_of.isoformat(),
                    },
                    dedupe_key=f"stop_use:{org}:{record_id}",
                )
                for org, record_id, subject_key in disclosure.receivers(session, [m[0] for m in moved])
            ]
            notices += outbox.enqueue(session, messages, now=now)
        expired += len(moved)
        if progress is not None and moved:
            progress(len(moved))
        if len(moved) < BATCH:
            return SweepResult(as_of, expired, notices)
