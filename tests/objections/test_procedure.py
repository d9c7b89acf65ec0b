"""Objections end to end under each jurisdiction's deadlines, with real 2026 dates (OBJ-1..OBJ-5)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.deadlines import service as deadlines
from xinyong.disclosure.models import Receipt
from xinyong.disclosure.service import marked_shown
from xinyong.errors import NotFound, XinyongError
from xinyong.evidence import MAX_FILE_BYTES, Upload
from xinyong.lists import service as lists
from xinyong.measures import check
from xinyong.objections import service
from xinyong.objections.service import Reply
from xinyong.outbox.models import OutboxMessage
from xinyong.profiles.loader import load_profile
from xinyong.records import service as records
from xinyong.records.models import RecordVersion

from ..conftest import TODAY
from ..measures.conftest import insert_entry
from .conftest import PNG, World


def dues(session: object, number: str) -> dict[str, tuple[date, date | None]]:
    return {d.step: (d.due_on, d.done_on) for d in deadlines.of_case(session, "objection", number)}  # type: ignore[arg-type]


def no_pdf(found: object) -> Reply:
    return Reply("YH-TEST", "0" * 64)


@pytest.mark.req("OBJ-1")
@pytest.mark.req("OBJ-2")
@pytest.mark.req("OBJ-3")
@pytest.mark.req("OBJ-5")
def test_liaoning_filed_before_national_day_is_checked_after_the_holiday(world: World) -> None:
    with world.session() as session:
        found = world.file(session, "liaoning", date(2026, 9, 29), world.records[0], evidence=[])
        assert found.number.startswith("YY20260929") and len(found.number) == 18
        record = records.get(session, world.records[0])
        assert record.state == "objection"
        assert session.query(RecordVersion).filter_by(record_id=record.id, procedure="objection").count() == 1
        # 3 working days from receipt: 9-30, then the National Day holiday, then 10-08 and 10-09.
        assert dues(session, found.number) == {"check": (date(2026, 10, 9), None)}
        service.refer(session, world.ctx("liaoning", date(2026, 10, 9)), number=found.number, text="请核实")
        service.reply(
            session,
            world.ctx("liaoning", date(2026, 10, 12), org=world.provider),
            number=found.number,
            org_code=world.provider,
            verification="confirmed",
            text="经核对原始文书，记录无误",
            data=None,
        )
        due = dues(session, found.number)
        assert due["check"] == (date(2026, 10, 9), date(2026, 10, 9))
        # 5 from the notice; Saturday 10-10 is an adjusted working day
        assert due["provider_reply"] == (date(2026, 10, 15), date(2026, 10, 12))
        assert due["result_notice"] == (date(2026, 10, 14), None)  # 2 from the reply
        service.decide(
            session,
            world.ctx("liaoning", date(2026, 10, 13)),
            number=found.number,
            outcome="confirmed",
            text="提供单位核实无误",
            issue_reply=no_pdf,
        )
        assert records.get(session, world.records[0]).state == "active"
        assert all(done is not None for _, done in dues(session, found.number).values())
        # Still objecting: referred to the department, a recorded step (Liaoning), then appeals in order.
        ctx = world.ctx("liaoning", date(2026, 10, 20))
        with pytest.raises(XinyongError) as refused:
            service.appeal(
                session, ctx, found=found, stage="review", on=date(2026, 10, 20), text="", outcome=None
            )
        assert refused.value.code == "objection.stage_order"
        service.appeal(
            session, ctx, found=found, stage="referral", on=date(2026, 10, 14), text="", outcome=None
        )
        service.appeal(
            session, ctx, found=found, stage="authority", on=date(2026, 10, 15), text="申诉", outcome="维持"
        )
        service.appeal(
            session, ctx, found=found, stage="review", on=date(2026, 10, 20), text="", outcome=None
        )
        steps = [s.step for s in service.steps_of(session, found.id)]
        assert steps[-3:] == ["referral", "authority", "review"]
        session.rollback()


@pytest.mark.req("OBJ-3")
def test_jinan_three_days_alone_seven_when_others_verify(world: World) -> None:
    with world.session() as session:
        found = world.file(session, "jinan", date(2026, 11, 2), world.records[0])
        assert dues(session, found.number) == {"handle": (date(2026, 11, 5), None)}
        service.refer(session, world.ctx("jinan", date(2026, 11, 4)), number=found.number, text="")
        due = dues(session, found.number)
        assert due["handle_with_verification"] == (date(2026, 11, 11), None)  # 7 from receipt, not referral
        assert "provider_reply" not in due
        session.rollback()


@pytest.mark.req("OBJ-2")
@pytest.mark.req("OBJ-3")
def test_jiangsu_review_verify_correct_and_mark_shown(world: World) -> None:
    assert marked_shown(load_profile("jiangsu")) and not marked_shown(load_profile("national"))
    with world.session() as session:
        found = world.file(session, "jiangsu", date(2026, 11, 2), world.records[0])
        assert dues(session, found.number) == {"review": (date(2026, 11, 16), None)}  # 10
        service.refer(session, world.ctx("jiangsu", date(2026, 11, 3)), number=found.number, text="")
        assert dues(session, found.number)["provider_reply"] == (date(2026, 11, 10), None)  # 5
        # Referring does not stop the 10 days: platform and provider together review within them (JS-P 32).
        assert dues(session, found.number)["review"] == (date(2026, 11, 16), None)
        for bad, code in (
            ({"uscc": "91110000802100433B"}, "objection.field"),
            ({"nonsense": "x"}, "objection.field"),
            ({"decision_date": "2026-01-05"}, "objection.keyed_field"),  # its public period rests on it
            ({"document_number": "苏市监罚〔2026〕9号"}, "objection.keyed_field"),  # and its duplicate check
        ):
            with pytest.raises(XinyongError) as refused:  # a correction changes what, never whose
                service.reply(
                    session,
                    world.ctx("jiangsu", date(2026, 11, 9), org=world.provider),
                    number=found.number,
                    org_code=world.provider,
                    verification="error",
                    text="罚款金额录入错误",
                    data=bad,
                )
            assert refused.value.code == code
        service.reply(
            session,
            world.ctx("jiangsu", date(2026, 11, 9), org=world.provider),
            number=found.number,
            org_code=world.provider,
            verification="error",
            text="罚款金额录入错误",
            data={"penalty_content": "罚款1000元"},
        )
        # A credit service agency was given the record before: it is told to stop using what it holds.
        session.add(
            Receipt(
                org_code="obj-agency",
                record_id=world.records[0],
                subject_key=found.subject_key,
                at=world.ctx("jiangsu", date(2026, 11, 5)).now,
            )
        )
        assert dues(session, found.number)["correction"] == (date(2026, 11, 12), None)  # 3
        assert "result_notice" not in dues(session, found.number)
        service.decide(
            session,
            world.ctx("jiangsu", date(2026, 11, 10)),
            number=found.number,
            outcome="corrected",
            text="按提供单位核实结果更正",
            issue_reply=no_pdf,
        )
        record = records.get(session, world.records[0])
        assert record.state == "active" and "罚款1000元" in record.data
        told = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == "stop_use", OutboxMessage.org_code == "obj-agency"
            )
        ).all()
        assert [(json.loads(m.payload)["record"], json.loads(m.payload)["case"]) for m in told] == [
            (world.records[0], found.number)
        ]
        session.rollback()


@pytest.mark.req("OBJ-4")
def test_expert_review_does_not_count_and_unverifiable_is_deleted(world: World) -> None:
    with world.session() as session:
        found = world.file(session, "liaoning", date(2026, 11, 2), world.records[1])
        service.refer(session, world.ctx("liaoning", date(2026, 11, 2)), number=found.number, text="")
        assert dues(session, found.number)["provider_reply"][0] == date(2026, 11, 9)
        with pytest.raises(XinyongError):
            service.pause(
                session, world.ctx("liaoning", date(2026, 11, 4)), number=found.number, reason="出差"
            )
        service.pause(
            session, world.ctx("liaoning", date(2026, 11, 4)), number=found.number, reason="专家评审"
        )
        service.resume(session, world.ctx("liaoning", date(2026, 11, 6)), number=found.number)
        # Wed 11-04 to Fri 11-06 paused: three working days do not count.
        assert dues(session, found.number)["provider_reply"][0] == date(2026, 11, 12)
        service.reply(
            session,
            world.ctx("liaoning", date(2026, 11, 10), org=world.provider),
            number=found.number,
            org_code=world.provider,
            verification="unverifiable",
            text="原始档案灭失，无法核实",
            data=None,
        )
        service.decide(
            session,
            world.ctx("liaoning", date(2026, 11, 11)),
            number=found.number,
            outcome="deleted",
            text="信息真实性无法核实",
            issue_reply=no_pdf,
        )
        assert records.get(session, world.records[1]).state == "deleted"
        last = (
            session.query(RecordVersion)
            .filter_by(record_id=world.records[1])
            .order_by(RecordVersion.version.desc())
            .first()
        )
        assert last is not None and "无法核实" in last.reason and last.procedure == "objection"
        session.rollback()


@pytest.mark.req("OBJ-1")
def test_refusals(world: World) -> None:
    day = date(2026, 11, 2)
    with world.session() as session:
        with pytest.raises(NotFound) as foreign:
            world.file(session, "national", day, world.foreign)
        with pytest.raises(NotFound) as missing:
            world.file(session, "national", day, 999_999_999)
        with pytest.raises(NotFound) as beyond:  # a number no database can hold names no record either
            world.file(session, "national", day, 0, target_ref="99999999999999999999999")
        codes = {foreign.value.code, missing.value.code, beyond.value.code}
        assert codes == {"objection.target_not_found"}
        cases: list[tuple[dict[str, object], str]] = [
            ({"evidence": [Upload("决定书.pdf", b"just text")]}, "objection.file_type"),
            (
                {"evidence": [Upload("big.png", PNG + b"\x00" * MAX_FILE_BYTES)]},
                "objection.file_too_large",
            ),
            ({"statement": "   "}, "objection.statement_required"),
            ({"grounds": "listed_without_conditions"}, "objection.grounds"),
        ]
        for overrides, code in cases:
            with pytest.raises(XinyongError) as refused:
                world.file(session, "national", day, world.records[0], **overrides)
            assert refused.value.code == code
        world.file(session, "national", day, world.records[0], evidence=[Upload("a.png", PNG)])
        with pytest.raises(XinyongError) as twice:
            world.file(session, "national", day, world.records[0])
        assert twice.value.code == "objection.duplicate"
        with pytest.raises(NotFound):
            service.reply(
                session,
                world.ctx("national", day),
                number=service.search(session, org_code=world.provider)[0].number,
                org_code="someone-else",
                verification="confirmed",
                text="x",
                data=None,
            )
        session.rollback()


@pytest.mark.req("OBJ-1")
@pytest.mark.req("OBJ-2")
def test_an_objection_to_a_listing_marks_the_entry_and_a_wrongful_one_is_corrected(world: World) -> None:
    with world.session() as session:
        entry = insert_entry(
            session,
            list_type="market-serious-violation",
            determining_org=world.provider,
            subject_name="异议测试公司",
            subject_key=world.company,
        ).number
        with pytest.raises(
            XinyongError
        ) as wrong_grounds:  # only a listing can be "listed without conditions"
            world.file(
                session, "national", date(2026, 11, 2), world.records[0], grounds="listed_without_conditions"
            )
        assert wrong_grounds.value.code == "objection.grounds"
        found = world.file(
            session,
            "national",
            date(2026, 11, 2),
            0,
            target_kind="list_entry",
            target_ref=entry,
            grounds="listed_without_conditions",
        )
        listing = lists.get(session, entry)
        assert listing.status == "active"  # marked, in force: its measures continue while it is verified
        assert [s.step for s in lists.steps_of(session, listing.id)][-1] == "objection_mark"
        service.refer(session, world.ctx("national", date(2026, 11, 3)), number=found.number, text="请核实")
        service.reply(
            session,
            world.ctx("national", date(2026, 11, 5), org=world.provider),
            number=found.number,
            org_code=world.provider,
            verification="error",
            text="该主体不符合严重违法失信名单认定标准",
            data=None,
        )
        service.decide(
            session,
            world.ctx("national", date(2026, 11, 6)),
            number=found.number,
            outcome="wrongful",
            text="经核实不符合列入条件，予以更正",
            issue_reply=no_pdf,
        )
        listing = lists.get(session, entry)
        assert (listing.status, listing.wrongful) == ("corrected", True)
        assert service.get(session, found.number).status == "closed"
        session.rollback()


@pytest.mark.req("OBJ-3")
def test_the_queue_never_drops_an_open_case_behind_newer_closed_ones(world: World) -> None:
    with world.session() as session:
        older = world.file(session, "national", date(2026, 11, 2), world.records[0])
        newer = world.file(session, "national", date(2026, 11, 3), world.records[1])
        service.decide(
            session,
            world.ctx("national", date(2026, 11, 4)),
            number=newer.number,
            outcome="confirmed",
            text="核实无误",
            issue_reply=no_pdf,
        )
        mine = service.search(session, org_code=world.provider, subject_key=world.company, limit=1)
        assert [c.number for c in mine] == [older.number]  # the open one, however many closed follow
        everything = service.search(session, org_code=world.provider, subject_key=world.company)
        assert [c.number for c in everything] == [older.number, newer.number]
        session.rollback()


@pytest.mark.req("OBJ-2")
def test_a_credit_check_follows_the_profile_for_a_record_under_objection(world: World) -> None:
    """A check counts what the portal shows: a marked record is out of use where the mark suspends it
    (national), still counted and flagged where it does not (Jiangsu)."""

    def negatives(profile: str) -> tuple[int, bool]:
        with world.session() as session:
            outcome = check.run(
                session,
                data_dir=world.settings.data_dir.resolve(),
                codes=[check.Wanted(row=1, code=world.company)],
                scenario="bidding",
                purpose="bidding",
                roles=frozenset({"user_department"}),
                org_code=world.provider,
                actor=audit_actor(system_actor(policy())),
                as_of=TODAY,
                now=world.settings.clock.now(),
                marked_shown=marked_shown(load_profile(profile)),
            )
            session.rollback()
        result = outcome.results[0]
        return result["negative_records"], result["flags"]["objected"]

    assert negatives("national") == (2, False)
    with world.session() as session:
        world.file(session, "national", TODAY, world.records[0])
        session.commit()
    assert negatives("national") == (1, False)
    assert negatives("jiangsu") == (2, True)
