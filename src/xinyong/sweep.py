"""The daily sweep: what time alone changes (PER-2, PER-3, DIS-8, LIST-2, LIST-7, MEA-6, MEA-8); and the
day's exchange packages for other platforms (INT-1).

Records whose public period ended leave public view with a version saying so, and every credit service
agency that was given one is sent a stop-use notice through the outbox. List entries whose term ended
leave their list (announced, measures stopped, departments told); red drafts whose publicity ended without
objection enter; joint R&P tasks not answered in time are reminded, and so are the organisations whose
objection, revocation or repair steps are soon due or overdue; repairs whose publicity ended without
objection take effect. Each batch is its own transaction, so a
sweep stopped half-way and run again finishes the work without doing any twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit.service import AuditActor
from xinyong.clock import Clock
from xinyong.deadlines import service as deadlines
from xinyong.disclosure import service as disclosure
from xinyong.errors import XinyongError
from xinyong.exchange import service as exchange
from xinyong.government import contracts as government
from xinyong.lists import service as lists
from xinyong.measures import service as measures
from xinyong.profiles.loader import load_profile
from xinyong.profiles.schema import Profile
from xinyong.records import service as records
from xinyong.repair import service as repair
from xinyong.rules.calendar import WorkingCalendar
from xinyong.settings import Settings
from xinyong.workdays import working_calendar

BATCH = 5000
log = logging.getLogger("xinyong.sweep")


@dataclass(frozen=True)
class SweepResult:
    as_of: date
    expired: int
    notices: int
    received: int  # entries made or ended from received lists (court, national platform)
    entries_ended: int
    red_entered: int
    reminders: int
    case_reminders: int  # objection, revocation and repair steps soon due
    case_overdue: int
    repairs_applied: int  # repair cases whose publicity ended without objection
    government_overdue: int = 0  # government obligations past their due date, flagged overdue (GOV-3)
    exchange_package: str = ""  # the day's increment package for other platforms (INT-1)
    exchange_snapshot: str = ""  # the latest full snapshot package (XINYONG_EXCHANGE_SNAPSHOT_DAYS)

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "as_of": self.as_of.isoformat()}


@dataclass(frozen=True)
class Rules:
    """What the list steps need besides the clock: the profile, the calendar, the data directory."""

    profile: Profile
    calendar: WorkingCalendar
    data_dir: Path
    settings: Settings | None = None  # the exchange packages are written only when the sweep has them

    @classmethod
    def of(cls, settings: Settings) -> Rules:
        data_dir = settings.data_dir.resolve()
        profile = load_profile(settings.profile, (settings.data_dir / "profiles",))
        return cls(profile, working_calendar(data_dir), data_dir, settings)


def due(factory: sessionmaker[Session], as_of: date) -> int:
    with factory() as session:
        return records.expirable(session, as_of)


def run(
    factory: sessionmaker[Session],
    *,
    as_of: date,
    clock: Clock,
    actor: AuditActor,
    rules: Rules,
    progress: Callable[[int], None] | None = None,
) -> SweepResult:
    expired, notices = _expire_records(factory, as_of=as_of, clock=clock, actor=actor, progress=progress)
    received, ended, entered = _list_terms(factory, as_of=as_of, clock=clock, actor=actor, rules=rules)
    with factory() as session, session.begin():
        reminders = measures.remind_overdue(session, as_of=as_of, now=clock.now())
    with factory() as session, session.begin():
        cases = deadlines.remind(
            session,
            calendar=rules.calendar,
            before=rules.profile.cases.remind_before_days,
            as_of=as_of,
            now=clock.now(),
        )
    applied = _apply_repairs(factory, as_of=as_of, clock=clock, actor=actor, rules=rules)
    result = SweepResult(
        as_of, expired, notices, received, ended, entered, reminders, cases.reminders, cases.overdue, applied
    )
    with factory() as session, session.begin():  # government obligations past due (GOV-3)
        overdue = government.flag_overdue(session, as_of=as_of, actor=actor, now=clock.now())
    result = replace(result, government_overdue=overdue)
    if rules.settings is not None:  # packages for other platforms, after the day's changes (INT-1)
        snapshot, increment = exchange.daily_packages(
            factory, settings=rules.settings, as_of=as_of, actor=actor
        )
        result = replace(
            result, exchange_package=str(increment), exchange_snapshot=str(snapshot) if snapshot else ""
        )
    return result


def _apply_repairs(
    factory: sessionmaker[Session], *, as_of: date, clock: Clock, actor: AuditActor, rules: Rules
) -> int:
    """Repairs whose publicity ended without objection take effect (REP-3, REP-4)."""
    make_context = _contexts(as_of=as_of, clock=clock, actor=actor, rules=rules)
    applied = 0
    while True:
        done = 0
        with factory() as session, session.begin():
            ctx = make_context()
            numbers = repair.publicity_ended(session, as_of, BATCH)
            for number in numbers:
                try:  # one case that cannot be applied is left for the operator; the others go on
                    with session.begin_nested():
                        repair.apply(session, ctx, repair.get(session, number))
                    done += 1
                except XinyongError as exc:
                    log.warning("repair %s not applied: %s %s", number, exc.code, exc.message)
        applied += done
        if len(numbers) < BATCH or done == 0:
            return applied


def _expire_records(
    factory: sessionmaker[Session],
    *,
    as_of: date,
    clock: Clock,
    actor: AuditActor,
    progress: Callable[[int], None] | None,
) -> tuple[int, int]:
    expired = notices = 0
    while True:
        with factory() as session, session.begin():
            now = clock.now()
            moved = records.expire_batch(session, as_of=as_of, limit=BATCH, actor=actor, now=now)
            notices += disclosure.stop_use(
                session, record_ids=[m[0] for m in moved], reason=records.EXPIRY_REASON, as_of=as_of, now=now
            )
        expired += len(moved)
        if progress is not None and moved:
            progress(len(moved))
        if len(moved) < BATCH:
            return expired, notices


def _contexts(*, as_of: date, clock: Clock, actor: AuditActor, rules: Rules) -> Callable[[], lists.Context]:
    def make_context() -> lists.Context:
        return lists.context(
            rules.data_dir,
            profile=rules.profile,
            calendar=rules.calendar,
            actor=actor,
            today=as_of,
            now=clock.now(),
        )

    return make_context


def receive_lists(
    factory: sessionmaker[Session], *, as_of: date, clock: Clock, actor: AuditActor, rules: Rules
) -> lists.Received:
    """Bring the entries of received lists (courts, national platform) up to date with their records;
    run after an import of such a list and in every sweep (LIST-10)."""
    make_context = _contexts(as_of=as_of, clock=clock, actor=actor, rules=rules)
    return lists.receive_all(factory, make_context, batch=BATCH)


def _list_terms(
    factory: sessionmaker[Session], *, as_of: date, clock: Clock, actor: AuditActor, rules: Rules
) -> tuple[int, int, int]:
    """Received lists are brought up to date; entries past their term leave their lists; red drafts past
    publicity without objection enter."""
    make_context = _contexts(as_of=as_of, clock=clock, actor=actor, rules=rules)
    received = receive_lists(factory, as_of=as_of, clock=clock, actor=actor, rules=rules)
    ended = 0
    while True:
        with factory() as session, session.begin():
            ctx = make_context()
            due_numbers = lists.term_ended(session, as_of, BATCH)
            ended += lists.end_terms(session, ctx, due_numbers)
        if len(due_numbers) < BATCH:
            break
    with factory() as session, session.begin():
        ctx = make_context()
        entered = sum(
            lists.enter_red_after_publicity(session, ctx, n) for n in lists.publicity_ended(session, as_of)
        )
    return received.entered + received.removed, ended, entered
