"""A subject objects to its evaluation (EVA-4): the grade is marked at once, the case runs the profile's
working-day limits, and the answer either keeps the grade or grades the subject again on the records as
they stand after the check, with a written reply; the run's own grade row is never changed."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.audit.models import AuditEvent
from xinyong.audit.service import AuditActor
from xinyong.db.engine import session_factory, transaction
from xinyong.deadlines import service as deadlines
from xinyong.errors import XinyongError
from xinyong.evaluation import service
from xinyong.evaluation.models import EvaluationGrade
from xinyong.lists import service as lists
from xinyong.objections import service as objections
from xinyong.profiles.loader import load_profile
from xinyong.records import service as records
from xinyong.records.models import Record
from xinyong.workdays import working_calendar

from ..conftest import TODAY, uscc_code
from ..live import headless_chromium, served, shot
from .conftest import EvalWorld, _penalty


def _company(world: EvalWorld, penalties: int) -> tuple[str, str]:
    """A company of this test's own with ``penalties`` general penalties, so the package's scores stay."""
    code = uscc_code(5_000_000 + secrets.randbelow(1_000_000))
    name = f"评价异议{secrets.token_hex(3)}有限公司"
    world.companies[f"objector-{code}"] = (code, name)
    world.push(
        "admin-penalty", [_penalty(code, name, f"2026-0{n + 3}-01") for n in range(penalties)], "general"
    )
    return code, name


def _file(world: EvalWorld, code: str, target: str, grounds: str = "evaluation_improper") -> dict[str, Any]:
    """File as the subject does on its page, as of TODAY; the answer as the API gives it or its error."""
    data_dir = world.settings.data_dir.resolve()
    ctx = lists.context(
        data_dir,
        profile=load_profile("national"),
        calendar=working_calendar(data_dir),
        actor=AuditActor(account_id=None, org=None, label="信用主体"),
        today=TODAY,
        now=world.settings.clock.now(),
    )
    with transaction(session_factory(world.engine)) as session:
        try:
            found = objections.file(
                session,
                ctx,
                data_dir=data_dir,
                subject_key=code,
                target_kind="evaluation",
                target_ref=target,
                grounds=grounds,
                statement="两次处罚中有一次已被撤销，评价不应计入",
                evidence=[],
            )
        except XinyongError as refused:
            return {"error": refused.problem.as_dict()}
        return {"number": found.number}


@pytest.mark.req("EVA-4")
def test_an_objection_marks_the_grade_and_a_regrade_counts_the_records_as_they_stand(
    world: EvalWorld,
) -> None:
    code, _ = _company(world, penalties=2)
    world.evaluate()
    with world.session() as session:
        before = service.grade_of(session, code, TODAY)
        assert before is not None and before.objection is None and before.correction is None
        grade_id, score = before.grade.id, before.score

    filed = _file(world, code, str(grade_id))
    number = str(filed["number"])
    with world.session() as session:
        marked = service.grade_of(session, code, TODAY)
        assert marked is not None and marked.objection == number  # marked at once (异议标注)
        assert marked.score == score  # the grade stays in use while it is checked
        # The national profile's check: 3 working days from receipt, Monday 11-23 → Thursday 11-26.
        due = {d.step: d.due_on for d in deadlines.of_case(session, "objection", number)}
        assert due["check"] == date(2026, 11, 26)
    with world.client() as client:
        shown = client.get(
            f"/api/v1/subjects/{code}/evaluation",
            params={"purpose": "daily_supervision"},
            headers=world.headers["user_department"],
        ).json()
    assert shown["objection"] == number and shown["corrected"] is False

    # The check finds one penalty was revoked: it leaves through its own version, then the grade is redone.
    with transaction(session_factory(world.engine)) as session:
        first = session.scalars(select(Record).where(Record.subject_key == code).order_by(Record.id)).first()
        assert first is not None
        records.change(
            session,
            record=first,
            procedure="revocation",
            reason="处罚决定已被撤销",
            actor=audit_actor(system_actor(policy())),
            now=world.settings.clock.now(),
            state="revoked",
        )
    with world.client() as client:
        decided = client.post(
            f"/api/v1/objections/{number}/decision",
            headers=world.headers["operator_admin"],
            json={"outcome": "regraded", "text": "一次处罚已撤销，按核实后的信息重新评价"},
        ).json()
    assert decided["status"] == "closed" and decided["outcome"] == "regraded", decided
    assert str(decided["reply"]).startswith("YH")  # the written reply, verifiable at /verify

    with world.session() as session:
        after = service.grade_of(session, code, TODAY)
        assert after is not None and after.objection is None and after.correction is not None
        explained = service.explain(
            session, subject_key=code, on=TODAY, data_dir=world.settings.data_dir.resolve()
        )
        assert after.score > score and after.score == explained.explanation.score and explained.consistent
        kept = session.get_one(EvaluationGrade, grade_id)
        assert (kept.score, kept.grade) == (score, before.letter)  # the run's own row never changes
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "evaluation.objection_closed", AuditEvent.target_id == str(grade_id)
            )
        ).one()
        assert number in event.detail


@pytest.mark.req("EVA-4")
def test_an_upheld_objection_keeps_the_grade_and_removes_the_mark(world: EvalWorld) -> None:
    code, _ = _company(world, penalties=1)
    world.evaluate()
    with world.session() as session:
        before = service.grade_of(session, code, TODAY)
        assert before is not None
    filed = _file(world, code, str(before.grade.id))
    with world.client() as client:
        decided = client.post(
            f"/api/v1/objections/{filed['number']}/decision",
            headers=world.headers["operator_admin"],
            json={"outcome": "confirmed", "text": "经核查评价所依据的信息无误"},
        ).json()
    assert decided["outcome"] == "confirmed", decided
    with world.session() as session:
        after = service.grade_of(session, code, TODAY)
        assert after is not None and after.objection is None and after.correction is None
        assert (after.score, after.letter) == (before.score, before.letter)


@pytest.mark.req("EVA-4")
def test_only_the_subjects_own_current_grade_on_evaluation_grounds(world: EvalWorld) -> None:
    code, _ = _company(world, penalties=1)
    world.evaluate()
    with world.session() as session:
        own = service.grade_of(session, code, TODAY)
        other = service.grade_of(session, world.code("fined"), TODAY)
        assert own is not None and other is not None
    world.evaluate()  # a newer run: the grade of the earlier one is no longer current
    with world.session() as session:
        current = service.grade_of(session, code, TODAY)
        assert current is not None and current.grade.id != own.grade.id
    refused = _file(world, code, str(other.grade.id))
    assert refused["error"]["code"] == "objection.target_not_found"
    refused = _file(world, code, str(own.grade.id))
    assert refused["error"]["code"] == "objection.target_not_found"
    refused = _file(world, code, str(current.grade.id), grounds="listed_without_conditions")
    assert refused["error"]["field"] == "grounds" and "evaluation_improper" in refused["error"]["message"]


@pytest.mark.browser
@pytest.mark.req("EVA-4")
def test_a_subject_objects_to_its_grade_from_its_own_page_in_chromium(world: EvalWorld) -> None:
    code, _ = _company(world, penalties=1)
    world.evaluate()
    with served(world.settings) as live, headless_chromium() as chromium:
        phone = chromium.new_context(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
        phone.add_cookies(
            [{"name": "xinyong_session", "value": world.cookie(f"objector-{code}"), "url": live}]
        )
        page = phone.new_page()
        page.goto(live + "/me/evaluation")
        page.click("#object")
        page.wait_for_url("**/me/objections/new?grade=*")
        assert "公共信用综合评价" in page.inner_text("select[name=target] option:checked")
        page.select_option("select[name=grounds]", "evaluation_improper")
        page.fill("textarea[name=statement]", "处罚已履行完毕并整改，评价等级偏低")
        shot(page, "evaluation-objection-new-phone")
        page.click("form button[type=submit]")
        page.wait_for_url("**/me/objections/YY*")
        number = page.url.rsplit("/", 1)[-1]
        assert "公共信用综合评价结果" in page.inner_text("main")
        page.goto(live + "/me/evaluation")
        assert number in page.inner_text("#objection-mark")
        assert page.locator("#object").count() == 0  # one case at a time
        shot(page, "evaluation-objection-marked-phone")
        phone.close()
