"""Statistics and assessments of a period: how providers supply (volume, rejects, timeliness, completeness,
corrections, withdrawals, silence), how user departments use (queries by purpose, credit checks, joint
rewards and punishments) and whether subject-rights cases were handled on time (RPT-1, RPT-2, RPT-3, ING-8).

Read-only: every figure is one GROUP BY over the tables of the module that owns the facts; nothing here
writes. Working-day delays are counted per distinct (decision date, arrival day) pair, which are few
(a period of a year has at most a few thousand), through the one calendar (``rules.calendar``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, case, cast, func, select
from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.access.policy import policy
from xinyong.audit.models import AuditEvent
from xinyong.catalog import service as catalog
from xinyong.clock import CHINA_TZ
from xinyong.deadlines.models import Deadline
from xinyong.deadlines.service import KIND_LABELS
from xinyong.errors import XinyongError
from xinyong.measures import service as measures
from xinyong.measures.models import CreditCheck
from xinyong.profiles.schema import Setting
from xinyong.records.models import ImportJob, Record, RecordVersion
from xinyong.rules.calendar import WorkingCalendar


@dataclass(frozen=True)
class Period:
    """The days from ``start`` to ``end``, both included, in Beijing time."""

    start: date
    end: date

    @classmethod
    def of(cls, start: date | None, end: date | None, *, today: date) -> Period:
        """The period asked for; by default the month up to ``today``. Refused when it ends before it
        starts."""
        end = end or today
        start = start or end.replace(day=1)
        if end < start:
            raise XinyongError("report.period", f"统计期间的结束日期 {end} 早于开始日期 {start}", field="to")
        return cls(start, end)

    def moments(self, column: Any) -> ColumnElement[bool]:
        """``column`` (a stored moment) falls inside the period's days."""
        first = datetime.combine(self.start, time(0), tzinfo=CHINA_TZ)
        after = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=CHINA_TZ)
        return and_(column >= first, column < after)


@dataclass(frozen=True)
class ProviderStats:
    org: str
    name: str
    received: int
    delivered_rows: int
    rejected_rows: int
    rejection_rate: float | None
    complete: int
    completeness: float | None
    measured: int
    on_time: int
    on_time_share: float | None
    average_delay: float | None
    corrected: int
    withdrawn: int


@dataclass(frozen=True)
class SilentProvider:
    """An organisation the catalog names as a provider of items that supplied nothing in the period
    (RPT-2)."""

    org: str
    name: str
    items: str


@dataclass(frozen=True)
class ProviderReport:
    period: Period
    limit_days: int
    limit_basis: str
    providers: list[ProviderStats]
    silent: list[SilentProvider]
    months: list[tuple[str, int]]
    items: list[ItemTimeliness]


@dataclass(frozen=True)
class DepartmentStats:
    org: str
    name: str
    queries: int
    purposes: str
    checks: int
    checked_subjects: int
    intercepted: int
    warned: int
    pushed: int
    responded: int
    implemented: int
    fed_back: int
    overdue: int


@dataclass(frozen=True)
class CaseStats:
    kind: str
    label: str
    org: str
    name: str
    due: int
    on_time: int
    late: int
    open_overdue: int
    on_time_share: float | None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def arrival_day(session: Session) -> ColumnElement[Any]:
    """The Beijing day a record arrived, in SQL. SQLite keeps the Beijing wall time the clock gave;
    PostgreSQL keeps the instant, so it is turned to Beijing time first."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(CHINA_TZ.tzname(None), Record.created_at), Date)
    return func.date(Record.created_at)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _names(session: Session) -> dict[str, str]:
    return {org.code: org.name for org in access.list_orgs(session)}


@dataclass(frozen=True)
class ItemTimeliness:
    """One provider's records of one catalog item, timed against the item's own limit (RPT-1, ING-8)."""

    org: str
    name: str
    item: str
    item_name: str
    limit_days: int
    from_profile: bool
    measured: int
    on_time: int
    delays: int  # the sum of the measured records' working-day delays

    @property
    def on_time_share(self) -> float | None:
        return _share(self.on_time, self.measured)

    @property
    def average_delay(self) -> float | None:
        return _average(self.delays, self.measured)


def _average(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def _timeliness(
    session: Session, period: Period, calendar: WorkingCalendar, profile_limit: int, names: dict[str, str]
) -> list[ItemTimeliness]:
    """Per provider and item: records measured, on time, average working-day delay from the document date to
    arrival, against the ``update_days`` of the catalog version each record came under (``profile``: the
    profile's 双公示 limit). Items without a limit are not timed."""
    arrived = arrival_day(session)
    pairs = session.execute(
        select(Record.provider, Record.item_id, Record.decision_date, arrived, func.count())
        .where(Record.decision_date.is_not(None), period.moments(Record.created_at))
        .group_by(Record.provider, Record.item_id, Record.decision_date, arrived)
    ).all()
    items = catalog.items_by_id(session, {row[1] for row in pairs})
    found: dict[tuple[str, str, int, bool], list[int]] = defaultdict(lambda: [0, 0, 0])
    delays: dict[tuple[date, date], int] = {}
    for provider, item_id, decided, day, count in pairs:
        item = items[item_id]
        if item.update_days is None:
            continue
        from_profile = item.update_days == "profile"
        limit = profile_limit if from_profile else int(item.update_days)
        span = (decided, _day(day))
        if span not in delays:
            delays[span] = max(calendar.working_days_between(*span).value, 0)
        delay = delays[span]
        figures = found[(provider, item.code, limit, from_profile)]
        figures[0] += count
        figures[1] += count if delay <= limit else 0
        figures[2] += delay * count
    labels = {i.code: i.name for i in items.values()}
    return [
        ItemTimeliness(
            org,
            names.get(org, org),
            code,
            labels[code],
            limit,
            from_profile,
            measured,
            on_time,
            total,
        )
        for (org, code, limit, from_profile), (measured, on_time, total) in sorted(found.items())
    ]


def _silent(
    session: Session, period: Period, active: set[str], names: dict[str, str]
) -> list[SilentProvider]:
    """Organisations named by code or kind as providers of an item in force that sent nothing (RPT-2)."""
    named: dict[str, list[str]] = defaultdict(list)
    for found in catalog.items_in_force(session, period.end):
        for provider in found.item.providers:
            named[provider].append(found.item.name)
    silent = []
    for org in access.list_orgs(session):
        items = sorted({*named.get(org.code, []), *named.get(org.kind, [])})
        # The operator itself (self-declared information) is not a provider under assessment.
        if org.active and items and org.kind != "operator" and org.code not in active:
            silent.append(SilentProvider(org.code, names[org.code], "、".join(items)))
    return sorted(silent, key=lambda s: s.org)


def providers(
    session: Session, *, period: Period, calendar: WorkingCalendar, limit: Setting[int]
) -> ProviderReport:
    """Per provider: volume, rejects, completeness, timeliness, corrections and withdrawals (RPT-1, ING-8),
    the providers that sent nothing (RPT-2), and records received per month."""
    jobs = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                ImportJob.provider,
                func.sum(ImportJob.total),
                func.sum(ImportJob.rejected),
                func.sum(ImportJob.corrected),
            )
            .where(period.moments(ImportJob.started_at))
            .group_by(ImportJob.provider)
        )
    }
    filled = and_(Record.document_number.is_not(None), Record.decision_date.is_not(None))
    received = {
        row[0]: row[1:]
        for row in session.execute(
            select(Record.provider, func.count(), func.sum(case((filled, 1), else_=0)))
            .where(period.moments(Record.created_at))
            .group_by(Record.provider)
        )
    }
    withdrawn = dict(
        session.execute(
            select(Record.provider, func.count())
            .join(RecordVersion, RecordVersion.record_id == Record.id)
            .where(RecordVersion.procedure == "withdrawal", period.moments(RecordVersion.at))
            .group_by(Record.provider)
        ).all()
    )
    names = _names(session)
    items = _timeliness(session, period, calendar, limit.value, names)
    timely: dict[str, tuple[int, int, int]] = defaultdict(lambda: (0, 0, 0))
    for t in items:
        if t.from_profile:  # the 双公示 columns: items timed by the profile's limit (ING-8)
            m, o, d = timely[t.org]
            timely[t.org] = (m + t.measured, o + t.on_time, d + t.delays)
    stats = []
    for org in sorted({*jobs, *received, *withdrawn}):
        total, rejected, corrected = (int(v or 0) for v in jobs.get(org, (0, 0, 0)))
        count, complete = (int(v or 0) for v in received.get(org, (0, 0)))
        measured, on_time, delays = timely[org]
        stats.append(
            ProviderStats(
                org=org,
                name=names.get(org, org),
                received=count,
                delivered_rows=total,
                rejected_rows=rejected,
                rejection_rate=_share(rejected, total),
                complete=complete,
                completeness=_share(complete, count),
                measured=measured,
                on_time=on_time,
                on_time_share=_share(on_time, measured),
                average_delay=_average(delays, measured),
                corrected=corrected,
                withdrawn=int(withdrawn.get(org, 0)),
            )
        )
    active = {s.org for s in stats if s.received or s.delivered_rows}
    return ProviderReport(
        period,
        limit.value,
        limit.label(),
        stats,
        _silent(session, period, active, names),
        _months(session, period),
        items,
    )


def _months(session: Session, period: Period) -> list[tuple[str, int]]:
    """Records received per month of the period (grouped per day in SQL, days summed into months)."""
    arrived = arrival_day(session)
    months: dict[str, int] = defaultdict(int)
    for day, count in session.execute(
        select(arrived, func.count()).where(period.moments(Record.created_at)).group_by(arrived)
    ):
        months[_day(day).strftime("%Y-%m")] += count
    return sorted(months.items())


def departments(session: Session, *, period: Period) -> list[DepartmentStats]:
    """Per user department: logged non-public reads by purpose, credit checks, and the joint rewards and
    punishments tasks pushed to it in the period (RPT-1, RPT-3)."""
    purposes: dict[str, dict[str, int]] = defaultdict(dict)
    for org, purpose, count in session.execute(
        select(AuditEvent.actor_org, AuditEvent.purpose, func.count())
        .where(
            AuditEvent.actor_org.is_not(None), AuditEvent.purpose.is_not(None), period.moments(AuditEvent.at)
        )
        .group_by(AuditEvent.actor_org, AuditEvent.purpose)
    ):
        purposes[str(org)][str(purpose)] = count
    checks = {
        row[0]: [int(v or 0) for v in row[1:]]
        for row in session.execute(
            select(
                CreditCheck.org_code,
                func.count(),
                func.sum(CreditCheck.total),
                func.sum(CreditCheck.intercepted),
                func.sum(CreditCheck.warned),
            )
            .where(period.moments(CreditCheck.at))
            .group_by(CreditCheck.org_code)
        )
    }
    loop: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for s in measures.loop_stats(session, as_of=period.end, pushed_from=period.start, pushed_to=period.end):
        loop[s.org_code] = [a + b for a, b in zip(loop[s.org_code], _loop(s), strict=True)]
    names = _names(session)
    return [
        DepartmentStats(
            org,
            names.get(org, org),
            sum(purposes[org].values()) if org in purposes else 0,
            "；".join(f"{_purpose(p)} {n}" for p, n in sorted(purposes.get(org, {}).items())),
            *checks.get(org, [0, 0, 0, 0]),
            *loop.get(org, [0] * 5),
        )
        for org in sorted({*purposes, *checks, *loop})
    ]


def _purpose(code: str) -> str:
    found = policy().purposes.get(code)
    return found.label if found else code


def _loop(s: measures.LoopStats) -> list[int]:
    return [s.pushed, s.responded, s.implemented, s.fed_back, s.overdue]


def rp(session: Session, *, period: Period) -> list[measures.LoopStats]:
    """Joint rewards and punishments per department and list, tasks pushed in the period (RPT-3)."""
    return measures.loop_stats(session, as_of=period.end, pushed_from=period.start, pushed_to=period.end)


def cases(session: Session, *, period: Period, today: date) -> list[CaseStats]:
    """Per kind of case and handling organisation: steps due in the period, done on time, done late, and
    still open past their due date on the period's end (or today, if earlier) (RPT-1)."""
    cutoff = min(period.end, today)
    done_on_time = case((Deadline.done_on <= Deadline.due_on, 1), else_=0)
    done_late = case((Deadline.done_on > Deadline.due_on, 1), else_=0)
    open_late = case((and_(Deadline.done_on.is_(None), Deadline.due_on < cutoff), 1), else_=0)
    rows = session.execute(
        select(
            Deadline.kind,
            Deadline.org_code,
            func.count(),
            func.sum(done_on_time),
            func.sum(done_late),
            func.sum(open_late),
        )
        .where(Deadline.due_on >= period.start, Deadline.due_on <= period.end)
        .group_by(Deadline.kind, Deadline.org_code)
        .order_by(Deadline.kind, Deadline.org_code)
    )
    names = _names(session)
    found = []
    for kind, org, due, on_time, late, overdue in rows:
        on_time, late, overdue = int(on_time or 0), int(late or 0), int(overdue or 0)
        found.append(
            CaseStats(
                kind,
                KIND_LABELS.get(kind, kind),
                org,
                names.get(org, org),
                due,
                on_time,
                late,
                overdue,
                _share(on_time, on_time + late + overdue),
            )
        )
    return found
