"""Revocation of a record's basis document (REV-1): the provider's notice and the platform's application,
both counted in working days from the profile, across National Day 2026; lists and agencies follow."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from xinyong.access.service import OPERATOR_CODE
from xinyong.audit.models import AuditEvent
from xinyong.audit.service import AuditActor
from xinyong.clock import CHINA_TZ
from xinyong.deadlines import service as deadlines
from xinyong.disclosure.models import Receipt
from xinyong.lists import service as lists
from xinyong.outbox.models import OutboxMessage
from xinyong.profiles.loader import load_profile
from xinyong.records import revocation, service
from xinyong.workdays import working_calendar

from ..commitments import conftest as shared
from ..commitments.conftest import CaseWorld
from ..conftest import TODAY
from .conftest import penalty

# The record procedures' platform, shared with the commitment tests.
case_world, lists_world = shared.case_world, shared.lists_world

PROVIDER = AuditActor(account_id=None, org=None, label="市场监管局经办人")


def _penalty(world: CaseWorld, subject: str) -> int:
    """A general penalty on ``subject`` delivered by the provider; its record id."""
    with world.client() as client:
        world.push(
            client,
            "admin-penalty",
            [penalty(f"济市监罚〔2026〕{secrets.token_hex(4)}号", uscc=subject)],
            severity="general",
        )
    return world.records(subject, "admin-penalty")[-1].id


def _notify(world: CaseWorld, record_id: int, *, profile: str, effective_on: date, told_on: date) -> str:
    data_dir = world.lists.settings.data_dir.resolve()
    with world.lists.transaction() as session:
        found = revocation.notify(
            session,
            notice=revocation.Notice(
                record_id, "revoked", effective_on, "行政复议决定书 济政复〔2026〕8号", {}
            ),
            provider=world.provider,
            rules=load_profile(profile).revocation,
            calendar=working_calendar(data_dir),
            actor=PROVIDER,
            today=told_on,
            now=datetime.combine(told_on, time(10), tzinfo=CHINA_TZ),
        )
        return found.number


def _due(world: CaseWorld, number: str) -> dict[str, tuple[str, date, date | None, bool]]:
    with world.lists.session() as session:
        found = revocation.get(session, number)
        return {
            d.step: (d.org_code, d.due_on, d.done_on, found.late)
            for d in deadlines.of_case(session, revocation.KIND, number)
        }


@pytest.mark.req("REV-1")
@pytest.mark.parametrize("profile", ["ct", "jinan", "national"])
def test_a_notice_told_within_three_working_days_across_national_day_is_on_time(
    case_world: CaseWorld, profile: str
) -> None:
    # Effective Wednesday 30 September 2026; 1-7 October are holidays, Saturday 10 October is worked:
    # the provider's third working day is 10 October. Told on 9 October, the platform's second is 12 October.
    record = _penalty(case_world, case_world.lists.company)
    number = _notify(
        case_world, record, profile=profile, effective_on=date(2026, 9, 30), told_on=date(2026, 10, 9)
    )
    assert number.startswith("CX20261009")
    assert _due(case_world, number) == {
        revocation.NOTICE_STEP: (case_world.provider, date(2026, 10, 10), date(2026, 10, 9), False),
        revocation.APPLY_STEP: (OPERATOR_CODE, date(2026, 10, 12), None, False),
    }


@pytest.mark.req("REV-1")
def test_a_late_notice_is_accepted_flagged_late_and_the_platform_still_has_its_two_days(
    case_world: CaseWorld,
) -> None:
    record = _penalty(case_world, case_world.lists.company)
    number = _notify(
        case_world, record, profile="ct", effective_on=date(2026, 9, 30), told_on=date(2026, 10, 12)
    )
    assert _due(case_world, number) == {
        revocation.NOTICE_STEP: (case_world.provider, date(2026, 10, 10), date(2026, 10, 12), True),
        revocation.APPLY_STEP: (OPERATOR_CODE, date(2026, 10, 14), None, True),
    }


def _black_list_on(world: CaseWorld, record_id: int) -> str:
    """A black listing built on the record, decided after the defence period and in force on TODAY."""
    subject, org = world.lists.company, world.lists.org
    with world.lists.transaction() as session:
        ctx = world.lists.context(TODAY - timedelta(days=40))
        entry = lists.propose(
            session,
            ctx,
            list_type="tax-major-violation",
            subject_key=subject,
            reasons="虚开发票",
            org_code=org,
            record_id=record_id,
        )
        lists.serve_notice(session, ctx, number=entry.number, org_code=org)
        lists.decide(
            session,
            world.lists.context(TODAY - timedelta(days=10)),
            number=entry.number,
            org_code=org,
            listed=True,
            answer="",
        )
        session.add(
            Receipt(
                org_code="xyfw-agency",
                record_id=record_id,
                subject_key=subject,
                at=datetime.combine(TODAY, time(9), tzinfo=CHINA_TZ),
            )
        )
        return entry.number


@pytest.mark.req("REV-1")
def test_the_operator_revokes_the_record_the_listing_ends_and_agencies_are_told_to_stop(
    case_world: CaseWorld,
) -> None:
    world = case_world
    record = _penalty(world, world.lists.company)
    entry = _black_list_on(world, record)
    body = {
        "record": record,
        "kind": "revoked",
        "effective_on": "2026-11-18",
        "document": "济行初字第12号判决书",
    }
    with world.client() as client:
        other = client.post("/api/v1/revocations", headers=world.lists.headers, json=body)
        early = client.post(
            "/api/v1/revocations", headers=world.provider_headers, json={**body, "effective_on": "2026-04-09"}
        )
        future = client.post(
            "/api/v1/revocations", headers=world.provider_headers, json={**body, "effective_on": "2026-11-24"}
        )
        told = client.post("/api/v1/revocations", headers=world.provider_headers, json=body)
        again = client.post("/api/v1/revocations", headers=world.provider_headers, json=body)
        number = told.json()["number"]
        refused = client.post(f"/api/v1/revocations/{number}/apply", headers=world.provider_headers)
        applied = client.post(f"/api/v1/revocations/{number}/apply", headers=world.operator_headers)
        twice = client.post(f"/api/v1/revocations/{number}/apply", headers=world.operator_headers)
        read = client.get(f"/api/v1/revocations/{number}", headers=world.provider_headers)
        case_page = client.get(f"/admin/revocations/{number}", headers=world.operator_headers)
    # The operator handling the case sees the record in full: a read in the subject's access log.
    assert case_page.status_code == 200
    with world.lists.transaction() as session:
        reads = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "record.read", AuditEvent.target_id == str(record))
        ).all()
        assert [(e.purpose, e.subject_key) for e in reads] == [("revocation_handling", world.lists.company)]
    assert other.status_code == 404 and other.json()["error"]["code"] == "record.not_found"
    assert early.json()["error"]["code"] == "revocation.before_decision"  # the penalty was decided 04-10
    assert future.json()["error"]["code"] == "revocation.future"
    assert told.status_code == 200 and told.json()["late"] is False
    # Effective Wednesday 18 November: three working days end Monday 23 November (TODAY), on time.
    assert [(d["step"], d["due_on"]) for d in told.json()["deadlines"]] == [
        (revocation.NOTICE_STEP, "2026-11-23"),
        (revocation.APPLY_STEP, "2026-11-25"),
    ]
    assert again.json()["error"]["code"] == "revocation.open"
    assert refused.status_code == 403
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    assert twice.json()["error"]["code"] == "revocation.done"
    assert read.json()["deadlines"][1]["done_on"] == TODAY.isoformat()
    with world.lists.session() as session:
        revoked = service.get(session, record)
        assert revoked.state == "revoked"
        last = service.versions_of(session, record)[-1]
        assert (last.procedure, last.state) == (
            "revocation",
            "revoked",
        ) and "济行初字第12号判决书" in last.reason
        assert lists.get(session, entry).status != "active"
        stop = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == "stop_use",
                OutboxMessage.org_code == "xyfw-agency",
                OutboxMessage.subject_key == world.lists.company,
            )
        ).all()
        # The agency that was shown the record is told once, about this record.
        assert [json.loads(m.payload)["record"] for m in stop] == [record]


@pytest.mark.req("REV-1")
def test_a_changed_decision_changes_the_record_content_and_keeps_it_standing(case_world: CaseWorld) -> None:
    world = case_world
    record = _penalty(world, world.lists.company)
    body = {
        "record": record,
        "kind": "changed",
        "effective_on": "2026-11-20",
        "document": "行政复议决定书 济政复〔2026〕21号",
        "changes": {"penalty_content": "罚款1000元"},
    }
    with world.client() as client:
        bad = client.post(
            "/api/v1/revocations", headers=world.provider_headers, json={**body, "changes": {"uscc": "x"}}
        )
        not_a_number = client.post(
            "/api/v1/revocations",
            headers=world.provider_headers,
            json={**body, "changes": {"fine_amount": "一千元"}},
        )
        told = client.post("/api/v1/revocations", headers=world.provider_headers, json=body)
        number = told.json()["number"]
        page = client.get(f"/api/v1/revocations/{number}", headers=world.operator_headers).json()
        client.post(f"/api/v1/revocations/{number}/apply", headers=world.operator_headers)
    assert bad.json()["error"]["code"] == "revocation.field"
    assert not_a_number.json()["error"] == {
        "code": "number.invalid",
        "message": "罚款金额（万元）：“一千元”不是数字（单位：万元），只填数值，如 0.2",
        "field": "fine_amount",
        "row": None,
    }
    assert page["changes"] == {"penalty_content": "罚款1000元"} and page["status"] == "pending"
    with world.lists.session() as session:
        changed = service.get(session, record)
        assert changed.state == "active" and "罚款1000元" in changed.data
        assert service.versions_of(session, record)[0].data.count("罚款2000元") == 1
