"""Tips and complaints through the API (PUB-1): filing without an account, routing by category, the
department's handling within the profile's working days, tracking by number and follow-up code, and
refusals of bad input and floods."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from xinyong.deadlines import service as deadlines
from xinyong.evidence import MAX_FILE_BYTES, MAX_FILES
from xinyong.outbox.models import OutboxMessage
from xinyong.profiles.loader import load_profile
from xinyong.tips import service
from xinyong.tips.models import Tip, TipReporter
from xinyong.web.app import create_app
from xinyong.workdays import working_calendar

from ..conftest import TODAY
from .conftest import PDF, PNG, REPORTER_NAME, World, form


def dues(world: World, number: str) -> dict[str, tuple[str, date, date | None]]:
    with world.session() as session:
        return {d.step: (d.org_code, d.due_on, d.done_on) for d in deadlines.of_case(session, "tip", number)}


@pytest.mark.req("PUB-1")
def test_anyone_files_a_tip_and_it_is_routed_to_the_competent_department(world: World) -> None:
    with TestClient(create_app(world.settings)) as client:  # no token, no cookie: the public
        sent = client.post(
            "/api/v1/tips", data=form(world), files=[("files", ("现场照片.png", PNG, "image/png"))]
        )
        assert sent.status_code == 201, sent.text
        filed = sent.json()
        assert filed["number"].startswith("JB20261123") and len(filed["code"]) == service.CODE_LENGTH
        assert filed["status_label"] == "待受理"
        categories = client.get("/api/v1/tips/categories").json()
        assert {"code": "illegal-business", "org": world.dept} == {
            k: v for k, v in categories[0].items() if k in ("code", "org")
        }
    with world.session() as session:
        tip = service.get(session, filed["number"])
        assert (tip.org_code, tip.subject_key, tip.status) == (world.dept, world.company, "routed")
        assert tip.code_hash != filed["code"] and filed["code"] not in tip.code_hash  # kept as an HMAC only
        routed = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind == "tip_routed", OutboxMessage.org_code == world.dept
            )
        ).all()
        assert [json.loads(m.payload)["tip"] for m in routed] == [filed["number"]]
    # Accepting is due within the profile's tips.accept_days (5) working days: Monday 23 to Monday 30.
    profile = load_profile("national")
    assert profile.tips.accept_days.value == 5 and profile.tips.accept_days.chosen
    assert dues(world, filed["number"]) == {"accept": (world.dept, date(2026, 11, 30), None)}


@pytest.mark.req("PUB-1")
def test_a_category_whose_department_is_not_registered_goes_to_the_operator(world: World) -> None:
    with world.session() as session, session.begin():
        filed = world.file(session, TODAY, category="environment", facts="夜间偷排废水")
        number = filed.tip.number
    with world.session() as session:
        tip = service.get(session, number)
        assert tip.org_code == "operator"
        assert "尚未在平台登记，由平台受理并转交" in service.steps_of(session, tip.id)[-1].text


@pytest.mark.req("PUB-1")
def test_department_accepts_answers_and_the_reporter_follows_it_with_the_code(world: World) -> None:
    with TestClient(create_app(world.settings)) as client:
        filed = client.post("/api/v1/tips", data=form(world, reporter_name="", reporter_contact="")).json()
        number, code = filed["number"], filed["code"]
        tracking, track = f"/api/v1/tips/{number}/tracking", {"code": code}
        assert client.post(tracking, json=track).json()["status_label"] == "待受理"
        wrong = client.post(tracking, json={"code": "ABCDEFGHJKMN"})
        assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "tip.not_found"
        other = client.post(f"/api/v1/tips/{number}/acceptance", headers=world.other_headers)
        assert other.status_code == 404  # not routed to that department: it does not exist for it
        accepted = client.post(f"/api/v1/tips/{number}/acceptance", headers=world.headers)
        assert accepted.status_code == 200 and accepted.json()["status"] == "accepted", accepted.text
        # Answering is due within tips.answer_days (20) working days of acceptance: 2026-12-21.
        assert dues(world, number)["answer"] == (world.dept, date(2026, 12, 21), None)
        assert dues(world, number)["accept"][2] == TODAY
        empty = client.post(f"/api/v1/tips/{number}/answer", headers=world.headers, data={"text": " "})
        assert empty.status_code == 422 and empty.json()["error"]["code"] == "tip.answer_required"
        answered = client.post(
            f"/api/v1/tips/{number}/answer",
            headers=world.headers,
            data={"text": "经查属实，已立案并依法作出行政处罚"},
            files=[("document", ("答复.pdf", PDF, "application/pdf"))],
        )
        assert answered.status_code == 200, answered.text
        seen = client.post(tracking, json=track).json()
        assert (seen["status_label"], seen["answer"]) == ("已答复", "经查属实，已立案并依法作出行政处罚")
        assert seen["answer_document"] == "答复.pdf"
        assert client.post(f"{tracking}/document", json=track).content == PDF
    assert all(done == TODAY for _, _, done in dues(world, number).values())


@pytest.mark.req("PUB-1")
def test_the_operator_reroutes_with_a_reason_and_the_limits_start_again(world: World) -> None:
    with TestClient(create_app(world.settings)) as client:
        number = client.post("/api/v1/tips", data=form(world)).json()["number"]
        route = f"/api/v1/tips/{number}/routing"
        by_dept = client.post(route, headers=world.headers, json={"org": world.other, "text": "非本部门职责"})
        assert by_dept.status_code == 403  # only the operator re-routes
        no_reason = client.post(route, headers=world.operator, json={"org": world.other, "text": ""})
        assert no_reason.status_code == 422 and no_reason.json()["error"]["code"] == "tip.reason_required"
        same = client.post(route, headers=world.operator, json={"org": world.dept, "text": "x"})
        assert same.json()["error"]["code"] == "tip.same_org"
        moved = client.post(route, headers=world.operator, json={"org": world.other, "text": "涉及安全生产"})
        assert moved.status_code == 200 and moved.json()["org"] == world.other, moved.text
        assert client.get(f"/api/v1/tips/{number}", headers=world.headers).status_code == 404
        assert client.get(f"/api/v1/tips/{number}", headers=world.other_headers).status_code == 200
        mine = client.get("/api/v1/tips", headers=world.other_headers).json()
        assert [t["number"] for t in mine] == [number]
    assert dues(world, number) == {
        "accept": (world.dept, date(2026, 11, 30), TODAY),
        "accept_2": (world.other, date(2026, 11, 30), None),
    }


@pytest.mark.req("PUB-1")
def test_the_sweep_reminds_and_flags_overdue_tips_like_other_cases(world: World) -> None:
    with world.session() as session, session.begin():
        number = world.file(session, date(2026, 11, 9)).tip.number  # due 2026-11-16
        profile = load_profile("national")
        calendar = working_calendar(world.settings.data_dir.resolve())
        deadlines.remind(
            session,
            calendar=calendar,
            before=profile.cases.remind_before_days,
            as_of=TODAY,
            now=world.settings.clock.now(),
        )
    with world.session() as session:
        flagged = [
            json.loads(m.payload)
            for m in session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.kind == "case_overdue", OutboxMessage.org_code == world.dept
                )
            )
        ]
        assert {"kind": "tip", "case": number, "step": "accept", "due_on": "2026-11-16"}.items() <= next(
            f for f in flagged if f["case"] == number
        ).items()
    with TestClient(create_app(world.settings), headers=world.headers) as dept:
        queue = dept.get("/admin/cases")
        assert number in queue.text and "举报投诉" in queue.text
        first = dept.get("/api/v1/tips").json()[0]
        assert first["number"] == number  # overdue first


# ------------------------------------------------------------------------------------------- bad input
def count_tips(world: World) -> int:
    with world.session() as session:
        return session.scalar(select(func.count()).select_from(Tip)) or 0


@pytest.mark.req("PUB-1")
@pytest.mark.parametrize(
    ("change", "files", "code", "field"),
    [
        ({"facts": "   "}, [], "tip.facts_required", "facts"),
        ({"facts": "情" * 4001}, [], "request.string_too_long", "facts"),
        ({"subject_code": "91370100MA0000000A", "subject_name": ""}, [], "uscc.checksum", "subject_code"),
        ({"subject_code": "", "subject_name": ""}, [], "tip.subject_required", "subject_name"),
        ({"category": "nonsense"}, [], "tip.category", "category"),
        ({"kind": "rumour"}, [], "tip.kind", "kind"),
        ({"reporter_name": ""}, [], "tip.contact_without_name", "reporter_contact"),
        ({"reporter_contact": "随时打我"}, [], "tip.contact", "reporter_contact"),
        ({}, [("a.pdf", b"MZ not a pdf")], "tip.file_type", "evidence"),
        ({}, [("big.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES)], "tip.file_too_large", "evidence"),
        ({}, [(f"{n}.png", PNG) for n in range(MAX_FILES + 1)], "tip.too_many_files", "evidence"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_is_stored(
    world: World, change: dict[str, str], files: list[tuple[str, bytes]], code: str, field: str
) -> None:
    before = count_tips(world)
    with TestClient(create_app(world.settings)) as client:
        sent = client.post(
            "/api/v1/tips",
            data=form(world, **change),
            files=[("files", (name, content, "application/octet-stream")) for name, content in files],
        )
    assert sent.status_code == 422, sent.text
    error = sent.json()["error"]
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"] and not error["message"].isascii()  # a Chinese reason
    assert count_tips(world) == before


@pytest.mark.req("PUB-1")
def test_anonymous_flooding_is_rate_limited_per_address(world: World) -> None:
    allowed = int(world.settings.tip_filing_limit.split("/")[0])
    with TestClient(create_app(world.settings)) as client:
        for n in range(allowed):
            sent = client.post("/api/v1/tips", data=form(world, facts=f"第{n}次：无照经营"))
            assert sent.status_code == 201, sent.text
        flood = client.post("/api/v1/tips", data=form(world, facts="又一次：无照经营"))
        assert flood.status_code == 429
        assert set(flood.json()["error"]) == {"code", "message", "field", "row"}
        assert flood.json()["error"]["code"] == "tip.rate_limited"
        assert f"最多提交 {allowed} 件" in flood.json()["error"]["message"]
        # A department's system is another caller: its own count.
        assert client.post("/api/v1/tips", headers=world.headers, data=form(world)).status_code == 201
    stricter = world.settings.model_copy(update={"tip_filing_limit": "1/day"})
    with TestClient(create_app(stricter)) as client:
        assert client.post("/api/v1/tips", data=form(world)).status_code == 201
        assert client.post("/api/v1/tips", data=form(world)).status_code == 429


@pytest.mark.req("PUB-1")
def test_the_same_tip_sent_again_within_the_window_is_refused_as_a_duplicate(world: World) -> None:
    same = form(world, facts="该公司在居民楼内隐蔽生产")
    with TestClient(create_app(world.settings)) as client:
        assert client.post("/api/v1/tips", data=same).status_code == 201
        again = client.post("/api/v1/tips", data={**same, "facts": "该公司在居民楼内 隐蔽生产 "})
        assert again.status_code == 422 and again.json()["error"]["code"] == "tip.duplicate"
        assert "24 小时内" in again.json()["error"]["message"]
        other = client.post("/api/v1/tips", data={**same, "category": "work-safety"})
        assert other.status_code == 201  # another matter is another tip
    with world.session() as session:
        reporters = session.scalars(select(TipReporter.name)).all()
    assert reporters.count(REPORTER_NAME) >= 2
