"""Working-day deadlines of case steps: due dates across the 2026 National Day, pauses for expert review,
reminders before the due date and a daily overdue flag, the queue with overdue steps first."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from xinyong.deadlines import service as deadlines
from xinyong.errors import XinyongError
from xinyong.outbox.models import OutboxMessage
from xinyong.profiles.loader import load_profile
from xinyong.profiles.schema import Profile
from xinyong.rules.calendar import WorkingCalendar
from xinyong.workdays import working_calendar

NOW = datetime(2026, 9, 29, 9, 0, tzinfo=UTC)
FILED = date(2026, 9, 29)  # a Tuesday just before the Mid-Autumn and National Day holidays


@pytest.fixture
def calendar(tmp_path: Path) -> WorkingCalendar:
    return working_calendar(tmp_path)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session, session.begin():
        yield session


def profile(name: str) -> Profile:
    return load_profile(name, ())


def case(kind: str = "objection") -> deadlines.Case:
    return deadlines.Case(kind, f"T{secrets.token_hex(6)}", f"key-{secrets.token_hex(4)}")


@pytest.mark.req("OBJ-3")
def test_due_dates_count_working_days_from_the_day_after_receipt_across_national_day(
    session: Session, calendar: WorkingCalendar
) -> None:
    liaoning, jinan, jiangsu = profile("liaoning"), profile("jinan"), profile("jiangsu")
    started = []
    for step, setting in (
        ("check", liaoning.objection.deadlines["check"]),
        ("handle", jinan.objection.deadlines["handle"]),
        ("handle_with_verification", jinan.objection.deadlines["handle_with_verification"]),
        ("review", jiangsu.objection.deadlines["review"]),
    ):
        started.append(
            deadlines.start(
                session,
                calendar=calendar,
                case_of=case(),
                step=step,
                label=step,
                days=setting,
                org_code="xyzx",
                started_on=FILED,
                now=NOW,
            )
        )
    # 09-30 is the only working day before the holiday (10-01..10-07); 10-10, a Saturday, is worked.
    assert [(d.days, d.due_on) for d in started] == [
        (3, date(2026, 10, 9)),
        (3, date(2026, 10, 9)),
        (7, date(2026, 10, 14)),
        (10, date(2026, 10, 19)),
    ]
    assert "三个工作日内" in started[0].basis  # the article the number comes from is kept with it


@pytest.mark.req("OBJ-4")
def test_expert_review_does_not_count_and_moves_the_due_date(
    session: Session, calendar: WorkingCalendar
) -> None:
    liaoning = profile("liaoning")
    one = case()
    deadline = deadlines.start(
        session,
        calendar=calendar,
        case_of=one,
        step="provider_reply",
        label="提供单位核实回复",
        days=liaoning.objection.deadlines["provider_reply"],
        org_code="scjgj",
        started_on=date(2026, 11, 2),  # a Monday
        now=NOW,
    )
    assert deadline.due_on == date(2026, 11, 9)  # 5 working days
    with pytest.raises(XinyongError) as refused:
        deadlines.pause(
            session,
            case_of=one,
            reason="出差",
            allowed=liaoning.objection.pause_for,
            on=date(2026, 11, 4),
            now=NOW,
        )
    assert refused.value.code == "case.pause_reason"
    deadlines.pause(
        session,
        case_of=one,
        reason="专家评审",
        allowed=liaoning.objection.pause_for,
        on=date(2026, 11, 4),
        now=NOW,
    )
    assert deadline.paused_since == date(2026, 11, 4)
    # Expert review from Wednesday 11-04 to Tuesday 11-10: five working days that do not count.
    deadlines.resume(session, calendar=calendar, case_of=one, on=date(2026, 11, 10), now=NOW)
    assert deadline.paused_since is None
    assert deadline.due_on == date(2026, 11, 16)  # 11-03 counted, then 11-11..11-13 and 11-16
    paused = deadlines.pauses_of(session, deadline.id)
    assert [(p.reason, p.first_day, p.last_day, p.subject_key) for p in paused] == [
        ("专家评审", date(2026, 11, 4), date(2026, 11, 10), one.subject_key)
    ]
    with pytest.raises(XinyongError) as again:
        deadlines.resume(session, calendar=calendar, case_of=one, on=date(2026, 11, 11), now=NOW)
    assert again.value.code == "case.not_paused"


@pytest.mark.req("OBJ-3")
def test_the_sweep_reminds_before_the_due_date_and_flags_overdue_steps_daily(
    session: Session, calendar: WorkingCalendar
) -> None:
    national = profile("national")
    soon, late = case("repair"), case("revocation")
    for one, started_on, step in ((soon, date(2026, 11, 18), "opinion"), (late, date(2026, 11, 2), "apply")):
        deadlines.start(
            session,
            calendar=calendar,
            case_of=one,
            step=step,
            label=step,
            days=national.revocation.platform_apply_days,  # 2 working days
            org_code=f"org-{one.number}",
            started_on=started_on,
            now=NOW,
        )
    before = national.cases.remind_before_days
    assert before.value == 1 and before.chosen
    first = deadlines.remind(session, calendar=calendar, before=before, as_of=date(2026, 11, 19), now=NOW)
    second = deadlines.remind(session, calendar=calendar, before=before, as_of=date(2026, 11, 19), now=NOW)
    next_day = deadlines.remind(session, calendar=calendar, before=before, as_of=date(2026, 11, 20), now=NOW)
    assert first.reminders >= 1 and first.overdue >= 1
    assert second.reminders == 0 and second.overdue == 0  # once per day, not once per run

    def sent(one: deadlines.Case) -> list[tuple[str, str]]:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.org_code == f"org-{one.number}"))
        return sorted((m.kind, m.dedupe_key.split(":")[-1]) for m in rows)

    # Due 11-20: one working day left on 11-19, reminded once, never again; due 11-04: flagged each day.
    assert [kind for kind, _ in sent(soon)] == ["case_due"]
    assert sent(late) == [("case_overdue", "2026-11-19"), ("case_overdue", "2026-11-20")]
    assert next_day.overdue >= 1


def test_the_queue_puts_overdue_steps_first_then_by_due_date(
    session: Session, calendar: WorkingCalendar
) -> None:
    national = profile("national")
    org = f"q-{secrets.token_hex(3)}"
    cases = {started: case() for started in (date(2026, 11, 20), date(2026, 11, 2), date(2026, 11, 16))}
    for started_on, one in cases.items():
        deadlines.start(
            session,
            calendar=calendar,
            case_of=one,
            step="check",
            label="核查",
            days=national.objection.deadlines["check"],
            org_code=org,
            started_on=started_on,
            now=NOW,
        )
    done = cases[date(2026, 11, 16)]
    deadlines.finish(session, case_of=done, step="check", on=date(2026, 11, 18), now=NOW)
    queue = deadlines.queue(session, as_of=date(2026, 11, 23), org_code=org)
    assert [(d.case_number, d.due_on) for d in queue] == [
        (cases[date(2026, 11, 2)].number, date(2026, 11, 5)),
        (cases[date(2026, 11, 20)].number, date(2026, 11, 25)),
    ]
