"""Working-day deadlines of subject-rights cases: start, pause, resume, finish, remind (OBJ-3, OBJ-4, REV-1,
REP-3). Case modules (objections, repair, records' revocations) call these; the sweep calls ``remind``; the
operator's queue reads ``queue``. The number of days always comes from the jurisdiction profile."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from xinyong.deadlines.models import Deadline, DeadlinePause
from xinyong.errors import XinyongError
from xinyong.outbox import service as outbox
from xinyong.profiles.schema import Setting
from xinyong.rules.calendar import Pause, WorkingCalendar

KIND_LABELS = {"objection": "异议", "revocation": "撤销变更", "repair": "信用修复", "tip": "举报投诉"}
# Where the handling organisation works on a case of each kind.
CASE_PAGES = {
    "objection": "/admin/objections",
    "revocation": "/admin/revocations",
    "repair": "/admin/repair",
    "tip": "/admin/tips",
}


@dataclass(frozen=True)
class Case:
    """Which case a deadline belongs to and whose case it is."""

    kind: str
    number: str
    subject_key: str


def start(
    session: Session,
    *,
    calendar: WorkingCalendar,
    case_of: Case,
    step: str,
    label: str,
    days: Setting[int],
    org_code: str,
    started_on: date,
    now: datetime,
) -> Deadline:
    """A step that ``org_code`` must finish within the profile's ``days`` working days after
    ``started_on`` (自收到之日起N个工作日内: the count starts the next day). Starting it again is harmless."""
    found = _find(session, case_of, step)
    if found is not None:
        return found
    deadline = Deadline(
        kind=case_of.kind,
        case_number=case_of.number,
        step=step,
        label=label,
        basis=days.label()[:500],
        subject_key=case_of.subject_key,
        org_code=org_code,
        started_on=started_on,
        days=days.value,
        due_on=calendar.add_working_days(started_on, days.value).value,
        updated_at=now,
    )
    session.add(deadline)
    session.flush()
    return deadline


def _find(session: Session, case_of: Case, step: str) -> Deadline | None:
    return session.scalar(
        select(Deadline).where(
            Deadline.kind == case_of.kind, Deadline.case_number == case_of.number, Deadline.step == step
        )
    )


def of_case(session: Session, kind: str, number: str) -> list[Deadline]:
    return list(
        session.scalars(
            select(Deadline)
            .where(Deadline.kind == kind, Deadline.case_number == number)
            .order_by(Deadline.started_on, Deadline.id)
        )
    )


def next_due(session: Session, kind: str, numbers: Sequence[str]) -> dict[str, date]:
    """The earliest open due date of each of these cases, in one query (work queues sort by it)."""
    if not numbers:
        return {}
    rows = session.execute(
        select(Deadline.case_number, func.min(Deadline.due_on))
        .where(Deadline.kind == kind, Deadline.case_number.in_(numbers), Deadline.done_on.is_(None))
        .group_by(Deadline.case_number)
    )
    return {number: due for number, due in rows}


def finish(session: Session, *, case_of: Case, step: str, on: date, now: datetime) -> Deadline | None:
    """The step was done on ``on``; a step never started has nothing to finish."""
    deadline = _find(session, case_of, step)
    if deadline is not None and deadline.done_on is None:
        deadline.done_on, deadline.paused_since, deadline.updated_at = on, None, now
    return deadline


def finish_all(session: Session, *, case_of: Case, on: date, now: datetime) -> None:
    """A case that closed leaves nothing due (withdrawn by the applicant, decided early)."""
    for deadline in of_case(session, case_of.kind, case_of.number):
        if deadline.done_on is None:
            deadline.done_on, deadline.paused_since, deadline.updated_at = on, None, now


def pause(
    session: Session, *, case_of: Case, reason: str, allowed: Setting[list[str]], on: date, now: datetime
) -> list[Deadline]:
    """Testing, inspection, quarantine, appraisal or expert review begins on ``on``: the open steps of the
    case stop counting until :func:`resume` (OBJ-4). Only the reasons the profile lists pause a deadline."""
    if reason not in allowed.value:
        known = "、".join(allowed.value) or "（本地区未规定）"
        raise XinyongError("case.pause_reason", f"不计入办理时限的事项应为：{known}", field="reason")
    paused = [d for d in of_case(session, case_of.kind, case_of.number) if d.done_on is None]
    if not paused:
        raise XinyongError("case.nothing_due", f"案件 {case_of.number} 没有正在计时的办理环节")
    if any(d.paused_since is not None for d in paused):
        raise XinyongError("case.already_paused", f"案件 {case_of.number} 已暂停计时", field="reason")
    for deadline in paused:
        deadline.paused_since, deadline.updated_at = on, now
        session.add(
            DeadlinePause(
                deadline_id=deadline.id, subject_key=deadline.subject_key, reason=reason, first_day=on
            )
        )
    return paused


def resume(
    session: Session, *, calendar: WorkingCalendar, case_of: Case, on: date, now: datetime
) -> list[Deadline]:
    """The review ended on ``on``: the days from the pause's first day to ``on`` do not count, and each open
    step's due date moves out by them (OBJ-4)."""
    resumed = [d for d in of_case(session, case_of.kind, case_of.number) if d.paused_since is not None]
    if not resumed:
        raise XinyongError("case.not_paused", f"案件 {case_of.number} 未暂停计时")
    for deadline in resumed:
        if on < deadline.paused_since:  # type: ignore[operator]
            raise XinyongError("case.resume_before_pause", "恢复计时日期早于暂停日期", field="on")
        for row in pauses_of(session, deadline.id):
            if row.last_day is None:
                row.last_day = on
        spans: list[Pause] = [(p.first_day, p.last_day or on) for p in pauses_of(session, deadline.id)]
        deadline.due_on = calendar.add_working_days(deadline.started_on, deadline.days, spans).value
        deadline.paused_since, deadline.updated_at = None, now
    return resumed


def pauses_of(session: Session, deadline_id: int) -> list[DeadlinePause]:
    return list(
        session.scalars(
            select(DeadlinePause).where(DeadlinePause.deadline_id == deadline_id).order_by(DeadlinePause.id)
        )
    )


def queue(session: Session, *, as_of: date, org_code: str | None = None, limit: int = 500) -> list[Deadline]:
    """Open steps by due date, overdue ones first (the operator's and a provider's work queue)."""
    overdue = case((Deadline.due_on < as_of, 0), else_=1)
    query = select(Deadline).where(Deadline.done_on.is_(None))
    if org_code is not None:
        query = query.where(Deadline.org_code == org_code)
    return list(session.scalars(query.order_by(overdue, Deadline.due_on, Deadline.id).limit(limit)))


StandingState = Literal["due", "overdue", "paused", "done"]


def scope(org_kind: str | None, org_code: str | None) -> str | None:
    """Whose steps an organisation sees: the operator every step, any other organisation its own."""
    return None if org_kind == "operator" else (org_code or "")


@dataclass(frozen=True)
class Standing:
    """Where a step stands today, in working days: left before its due date, or late by."""

    state: StandingState
    working_days: int

    @classmethod
    def of(cls, deadline: Deadline, calendar: WorkingCalendar, today: date) -> Standing:
        if deadline.done_on is not None:
            return cls("done", 0)
        if deadline.paused_since is not None:
            return cls("paused", 0)
        if deadline.due_on < today:
            return cls("overdue", calendar.working_days_between(deadline.due_on, today).value)
        return cls("due", calendar.working_days_between(today, deadline.due_on).value)


@dataclass(frozen=True)
class Reminded:
    reminders: int
    overdue: int


def remind(
    session: Session,
    *,
    calendar: WorkingCalendar,
    before: Setting[int],
    as_of: date,
    now: datetime,
) -> Reminded:
    """Open, counting steps are reminded once when ``before`` working days or fewer are left, and flagged
    overdue once a day after their due date, through the outbox to the responsible organisation."""
    open_steps = list(
        session.scalars(select(Deadline).where(Deadline.done_on.is_(None), Deadline.paused_since.is_(None)))
    )
    messages: list[outbox.Message] = []
    reminders = overdue = 0
    for deadline in open_steps:
        payload = {
            "kind": deadline.kind,
            "case": deadline.case_number,
            "step": deadline.step,
            "label": deadline.label,
            "due_on": deadline.due_on.isoformat(),
        }
        if deadline.due_on < as_of:
            if deadline.flagged_on is None or deadline.flagged_on < as_of:
                key = f"overdue:{deadline.id}:{as_of.isoformat()}"
                messages.append(_message("case_overdue", deadline, payload, key))
                deadline.flagged_on, overdue = as_of, overdue + 1
        elif deadline.reminded_on is None:
            left = calendar.working_days_between(as_of, deadline.due_on).value
            if left <= before.value:
                key = f"due:{deadline.id}"
                messages.append(_message("case_due", deadline, payload, key))
                deadline.reminded_on, reminders = as_of, reminders + 1
    outbox.enqueue(session, messages, now=now)
    return Reminded(reminders, overdue)


def _message(kind: str, deadline: Deadline, payload: dict[str, str], key: str) -> outbox.Message:
    return outbox.Message(
        kind=kind,
        org_code=deadline.org_code,
        subject_key=deadline.subject_key,
        payload=payload,
        dedupe_key=key,
    )
