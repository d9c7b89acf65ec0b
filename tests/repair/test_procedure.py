"""Repair from application to effect under the Jiangsu and national profiles, on real 2026 dates."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from xinyong import sweep
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.access.service import audit_actor
from xinyong.db.engine import session_factory
from xinyong.deadlines import service as deadlines
from xinyong.disclosure.models import Receipt
from xinyong.errors import NotFound, XinyongError
from xinyong.evidence import Upload
from xinyong.lists import service as lists
from xinyong.lists.documents import verification_code
from xinyong.outbox.models import OutboxMessage
from xinyong.records import service as records
from xinyong.repair import service
from xinyong.repair.service import Application, NotYet
from xinyong.web.app import create_app

from ..measures.conftest import insert_entry
from .conftest import RepairWorld

PDF = b"%PDF-1.4\n% evidence\n"


def application(record: int, corrected_on: date, **changes: object) -> Application:
    values: dict[str, object] = {
        "record_id": record,
        "correction": "已缴清罚款，撤下虚假广告并公开更正",
        "corrected_on": corrected_on,
        "ways": ("commitment", "rectification"),
        "commitment": "本单位承诺今后不再发布虚假广告",
        "files": (Upload("整改报告.pdf", PDF),),
    }
    values.update(changes)
    return Application(**values)  # type: ignore[arg-type]


def file(world: RepairWorld, day: date, app: Application, subject: str | None = None) -> str:
    with world.session() as session, session.begin():
        case = service.file(
            session,
            world.context(day),
            subject_key=subject or world.company,
            application=app,
            data_dir=world.settings.data_dir,
        )
        return case.number


def refusal(world: RepairWorld, day: date, app: Application) -> XinyongError:
    with pytest.raises(XinyongError) as caught:
        file(world, day, app)
    return caught.value


@pytest.mark.req("REP-1")
def test_jiangsu_refusals_say_why_and_from_which_day(jiangsu: RepairWorld) -> None:
    record = jiangsu.push(date(2025, 12, 1))  # public until 2026-12-01 (JS-P 30), minimum served 2026-03-02
    early = refusal(jiangsu, date(2026, 2, 27), application(record, date(2025, 1, 10)))
    assert isinstance(early, NotYet) and early.possible_on == date(2026, 3, 2)
    assert "2026-03-02" in early.message
    clean = refusal(jiangsu, date(2026, 11, 19), application(record, date(2025, 11, 20)))
    assert isinstance(clean, NotYet) and clean.possible_on == date(2026, 11, 20)  # 1 year since correction
    assert "2026-11-20" in clean.message and "1年" in clean.message
    over = refusal(jiangsu, date(2026, 12, 2), application(record, date(2025, 1, 10)))
    assert over.code == "repair.not_public" and "2026-12-01" in over.message
    jiangsu.push(date(2026, 5, 6))  # dishonesty of the same kind after the correction
    again = refusal(jiangsu, date(2026, 11, 23), application(record, date(2025, 1, 10)))
    assert again.code == "repair.same_kind_again" and "2026-05-06" in again.message


@pytest.mark.req("REP-1")
@pytest.mark.req("REP-2")
def test_application_conditions(jiangsu: RepairWorld) -> None:
    record = jiangsu.push(date(2025, 12, 1))
    day, corrected = date(2026, 11, 23), date(2025, 11, 20)
    no_commitment = refusal(jiangsu, day, application(record, corrected, ways=("training",)))
    assert no_commitment.code == "repair.commitment_required"
    assert refusal(jiangsu, day, application(record, corrected, ways=())).code == "repair.ways"
    fake = (Upload("报告.pdf", b"MZ not a pdf"),)
    assert refusal(jiangsu, day, application(record, corrected, files=fake)).code == "repair.file_type"
    with pytest.raises(NotFound):
        file(jiangsu, day, application(record, corrected), subject="91110000802100433B")
    number = file(jiangsu, day, application(record, corrected))
    assert refusal(jiangsu, day, application(record, corrected)).code == "repair.duplicate"
    with jiangsu.session() as session:
        case = service.get(session, number)
        assert case.commitment == "本单位承诺今后不再发布虚假广告"
        assert [f.media_type for f in service.files_of(session, case.id)] == ["application/pdf"]
        assert service.ways_of(case) == ["信用承诺", "信用整改"]
        due = deadlines.of_case(session, "repair", number)
        assert [(d.step, d.org_code, d.due_on) for d in due] == [
            ("opinion", jiangsu.provider, date(2026, 11, 30))  # 5 working days, operator-chosen
        ]


@pytest.mark.req("REP-3")
@pytest.mark.req("REP-4")
@pytest.mark.req("DIS-8")
def test_jiangsu_publicity_across_national_day_then_the_sweep_applies_the_repair(
    jiangsu: RepairWorld,
) -> None:
    record = jiangsu.push(date(2025, 12, 1))
    number = file(jiangsu, date(2026, 9, 28), application(record, date(2025, 9, 15)))
    with jiangsu.session() as session, session.begin():
        with pytest.raises(NotFound):  # only the provider of the record gives the opinion
            service.give_opinion(
                session,
                jiangsu.context(date(2026, 9, 29)),
                number=number,
                org_code="other",
                agrees=True,
                text="同意",
            )
        case = service.give_opinion(
            session,
            jiangsu.context(date(2026, 9, 29), jiangsu.provider),
            number=number,
            org_code=jiangsu.provider,
            agrees=True,
            text="已整改到位，同意修复",
        )
        # 5 working days (JS-P 35) after 2026-09-29: 09-30, 10-09, 10-10 (调休上班), 10-11?, 10-12
        assert case.status == "publicity" and case.publicity_until == date(2026, 10, 12)
    rules = sweep.Rules.of(jiangsu.settings)
    actor = audit_actor(system_actor(policy()))
    factory = session_factory(jiangsu.engine)

    def run(day: date) -> int:
        return sweep.run(
            factory,
            as_of=day,
            clock=jiangsu.settings.clock,
            actor=actor,
            rules=rules,
        ).repairs_applied

    assert run(date(2026, 10, 12)) == 0  # still in publicity on its last day
    assert run(date(2026, 10, 13)) == 1
    with jiangsu.session() as session:
        assert service.get(session, number).status == "applied"
        repaired = records.get(session, record)
        assert repaired.state == "repaired"
        assert records.versions_of(session, record)[-1].procedure == "repair"
    assert run(date(2026, 10, 14)) == 0  # applied once


@pytest.mark.req("REP-3")
def test_an_objection_in_publicity_waits_for_verification(jiangsu: RepairWorld) -> None:
    record = jiangsu.push(date(2025, 12, 1))
    number = file(jiangsu, date(2026, 9, 28), application(record, date(2025, 9, 15)))
    provider_ctx = jiangsu.context(date(2026, 9, 29), jiangsu.provider)
    with jiangsu.session() as session, session.begin():
        service.give_opinion(
            session, provider_ctx, number=number, org_code=jiangsu.provider, agrees=True, text="同意"
        )
        service.object_to(
            session,
            jiangsu.context(date(2026, 10, 9)),
            number=number,
            text="该公司仍在发布虚假广告",
            contact="张三 138",
        )
        assert service.get(session, number).status == "objected"
        assert service.publicity_ended(session, date(2026, 10, 20), 10) == []  # the case waits
        later = jiangsu.context(date(2026, 10, 20), jiangsu.provider)
        case = service.verify_objections(
            session, later, number=number, org_code=jiangsu.provider, upheld=True, finding="经核实异议属实"
        )
        assert case.status == "refused" and "经核实异议属实" in (case.reasons or "")
        assert records.get(session, record).state == "active"


@pytest.mark.req("REP-3")
@pytest.mark.req("REP-4")
def test_national_has_no_publicity_and_applies_at_once(national: RepairWorld) -> None:
    record = national.push(date(2026, 4, 10))  # minimum 3 months served on 2026-07-11
    early = refusal(national, date(2026, 7, 10), application(record, date(2026, 4, 20)))
    assert isinstance(early, NotYet) and early.possible_on == date(2026, 7, 11)
    number = file(national, date(2026, 7, 13), application(record, date(2026, 4, 20)))
    with national.session() as session, session.begin():
        case = service.give_opinion(
            session,
            national.context(date(2026, 7, 14), national.provider),
            number=number,
            org_code=national.provider,
            agrees=True,
            text="同意",
        )
        assert case.status == "applied" and case.publicity_until is None
        assert records.get(session, record).state == "repaired"
    # The written decision: downloaded by the provider, verified by anyone by its number and code.
    with TestClient(create_app(national.settings), headers=national.headers) as client:
        pdf = client.get(f"/api/v1/repairs/{number}/decision")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        with national.session() as session:
            document = service.get(session, number).document
        assert document is not None
        code = verification_code(secret_key(national.settings.data_dir.resolve()), document)
        checked = client.post(
            f"/api/v1/reports/{document}/verify",
            data={"code": code},
            files={"file": ("decision.pdf", pdf.content, "application/pdf")},
        )
        assert checked.status_code == 200, checked.text
        assert checked.json()["title"] == "信用修复决定书" and checked.json()["file_matches"] is True


@pytest.mark.req("REP-4")
def test_disagreement_refuses_with_reasons(national: RepairWorld) -> None:
    record = national.push(date(2026, 4, 10))
    number = file(national, date(2026, 11, 23), application(record, date(2026, 4, 20)))
    with national.session() as session, session.begin():
        case = service.give_opinion(
            session,
            national.context(date(2026, 11, 24), national.provider),
            number=number,
            org_code=national.provider,
            agrees=False,
            text="整改材料不实",
        )
        assert case.status == "refused" and "整改材料不实" in (case.reasons or "")
        assert deadlines.of_case(session, "repair", number)[0].done_on == date(2026, 11, 24)


@pytest.mark.req("DIS-8")
def test_agencies_that_received_the_record_are_told_to_stop_using_it(national: RepairWorld) -> None:
    record = national.push(date(2026, 4, 10))
    number = file(national, date(2026, 11, 23), application(record, date(2026, 4, 20)))

    with national.session() as session, session.begin():
        subject = records.get(session, record).subject_key
        session.add(
            Receipt(org_code="xyfw-agency", record_id=record, subject_key=subject, **_receipt_extra())
        )
    with national.session() as session, session.begin():
        service.give_opinion(
            session,
            national.context(date(2026, 11, 24), national.provider),
            number=number,
            org_code=national.provider,
            agrees=True,
            text="同意",
        )
        kinds = session.scalars(
            select(OutboxMessage.kind).where(
                OutboxMessage.org_code == "xyfw-agency", OutboxMessage.subject_key == subject
            )
        ).all()
        assert kinds == ["stop_use"]


def _receipt_extra() -> dict[str, object]:
    from datetime import datetime

    from xinyong.clock import CHINA_TZ

    return {"at": datetime(2026, 11, 20, 10, tzinfo=CHINA_TZ)}


@pytest.mark.req("REP-6")
def test_a_reorganizing_enterprise_has_its_tax_punishments_ended_with_its_repair(
    national: RepairWorld,
) -> None:
    record = national.push(date(2026, 4, 10))
    with national.session() as session, session.begin():
        tax = insert_entry(
            session,
            list_type="tax-major-violation",
            determining_org=national.provider,
            subject_name=national.company_name,
            subject_key=national.company,
        ).number
        market = insert_entry(
            session,
            list_type="market-serious-violation",
            determining_org=national.provider,
            subject_name=national.company_name,
            subject_key=national.company,
        ).number
    half = application(record, date(2026, 4, 20), reorganization_ruling="（2026）鲁01破1号")
    assert refusal(national, date(2026, 11, 23), half).code == "repair.reorganization"  # ruling without date
    number = file(
        national,
        date(2026, 11, 23),
        application(
            record,
            date(2026, 4, 20),
            reorganization_ruling="（2026）鲁01破1号",
            reorganization_on=date(2026, 3, 2),
        ),
    )
    with national.session() as session, session.begin():
        ctx = national.context(date(2026, 11, 24), national.provider)
        service.give_opinion(
            session,
            ctx,
            number=number,
            org_code=national.provider,
            agrees=True,
            text="同意，支持重整企业修复",
        )
        ended = lists.get(session, tax)
        assert (ended.status, ended.removal_reason, ended.removed_on) == (
            "removed",
            "repair",
            date(2026, 11, 24),
        )
        assert "（2026）鲁01破1号" in (ended.removal_text or "")
        assert lists.get(session, market).status == "active"  # not a tax or financial punishment


@pytest.mark.req("REP-5")
def test_interviews_are_recorded_only_inside_the_public_period_and_only_by_the_provider(
    national: RepairWorld,
) -> None:
    record = national.push(date(2026, 4, 10))  # a general penalty: public until 2027-04-10 at most
    with national.session() as session, session.begin():
        ctx = national.context(date(2026, 11, 23), national.provider)

        def interview(day: date, kind: str = "reminder", org: str | None = national.provider) -> object:
            return service.record_interview(
                session,
                ctx,
                record_id=record,
                org_code=org,
                kind=kind,
                held_on=day,
                department="某市市场监督管理局信用监管科",
                content="提示其履行处罚决定、及时纠正失信行为",
                outcome="当事人承诺十日内完成整改",
            )

        for day, kind, org, code in (
            (date(2026, 4, 9), "reminder", national.provider, "interview.not_public"),  # before the decision
            (date(2026, 11, 24), "reminder", national.provider, "interview.future"),
            (date(2026, 11, 20), "chat", national.provider, "interview.kind"),
            (date(2026, 11, 20), "reminder", "another-org", "interview.record_not_found"),
        ):
            with pytest.raises(XinyongError) as refused:
                interview(day, kind, org)
            assert refused.value.code == code
        interview(date(2026, 5, 6), "reminder")
        interview(date(2026, 11, 20), "warning")
        kept = service.interviews_of(session, record_id=record)
        assert [(i.kind, i.held_on, i.subject_key) for i in kept] == [
            ("reminder", date(2026, 5, 6), national.company),
            ("warning", date(2026, 11, 20), national.company),
        ]


def test_a_record_number_too_large_for_the_database_is_simply_not_found(national: RepairWorld) -> None:
    with pytest.raises(XinyongError) as refused:
        file(national, date(2026, 11, 23), application(2**70, date(2026, 4, 20)))
    assert refused.value.code == "repair.record_not_found"


@pytest.mark.req("REP-4")
def test_a_record_withdrawn_during_publicity_is_not_repaired_and_the_sweep_goes_on(
    jiangsu: RepairWorld,
) -> None:
    record = jiangsu.push(date(2024, 12, 2), severity="serious")  # serious: public for 3 years in Jiangsu
    number = file(jiangsu, date(2026, 9, 29), application(record, date(2025, 1, 10)))
    with jiangsu.session() as session, session.begin():
        service.give_opinion(
            session,
            jiangsu.context(date(2026, 9, 29), jiangsu.provider),
            number=number,
            org_code=jiangsu.provider,
            agrees=True,
            text="同意",
        )
        withdrawn = records.get(session, record)
        records.withdraw(
            session,
            record_id=record,
            provider=jiangsu.provider,
            reason="报送有误",
            actor=jiangsu.context(date(2026, 10, 9)).actor,
            now=jiangsu.context(date(2026, 10, 9)).now,
        )
        assert withdrawn.state == "withdrawn"
    with jiangsu.session() as session, session.begin():
        case = service.apply(session, jiangsu.context(date(2026, 10, 13)), service.get(session, number))
        assert case.status == "refused" and "撤回" in (case.reasons or "")
        assert records.get(session, record).state == "withdrawn"  # not turned into a repaired record
