"""The red and black list procedures through the API, the sweep and the joint R&P loop (LIST-1..9,
MEA-1..8, PER-3)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from xinyong import sweep
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.access.service import audit_actor
from xinyong.db.engine import session_factory, transaction
from xinyong.errors import XinyongError
from xinyong.lists import service as lists
from xinyong.lists.models import ListMark
from xinyong.measures import service as measures
from xinyong.outbox.models import OutboxMessage
from xinyong.rules import identifiers
from xinyong.settings import Settings
from xinyong.subjects import service as subjects
from xinyong.web.app import create_app
from xinyong.workdays import working_calendar

from ..conftest import TODAY, citizen_code, org_with_token, uscc_code

# A day after any defence or publicity period of the profiles, inside the tokens' 30 days.
AFTER_DEFENCE = TODAY + timedelta(days=20)


@dataclass
class World:
    settings: Settings
    engine: Engine
    client: TestClient
    tax: str  # a determining department (税务)
    bidding: str  # an implementing department carrying the duty "bidding"
    headers: dict[str, dict[str, str]]
    company: str
    person: str
    legal_rep: str

    def post(self, org: str, path: str, body: dict[str, object]) -> dict[str, Any]:
        response = self.client.post(f"/api/v1{path}", headers=self.headers[org], json=body)
        return {"http": response.status_code, **response.json()}

    def at(self, day: date | str) -> TestClient:
        """The platform on another day (the injected clock)."""
        when = date.fromisoformat(day) if isinstance(day, str) else day
        return TestClient(create_app(self.settings.model_copy(update={"fixed_date": when})))


@pytest.fixture
def world(settings: Settings, engine: Engine) -> Iterator[World]:
    tag = secrets.token_hex(3)
    seed = secrets.randbelow(900_000)
    tax, bidding = f"swj-{tag}", f"ztb-{tag}"
    key = secret_key(settings.data_dir.resolve())
    now = settings.clock.now()
    company, person, legal_rep = uscc_code(seed), citizen_code(seed % 1000), citizen_code((seed + 1) % 1000)
    with transaction(session_factory(engine)) as session:
        tokens = {
            tax: org_with_token(session, code=tax, kind="determining", role="determining", key=key, now=now),
            bidding: org_with_token(
                session, code=bidding, kind="user", role="user_department", key=key, now=now
            ),
        }
        subjects.ensure(
            session,
            subjects=[
                subjects.NewSubject(
                    identifiers.validate(company, identifiers.IdType.USCC), "济南诚信测试有限公司"
                ),
                subjects.NewSubject(identifiers.validate(person, identifiers.IdType.CITIZEN_ID), "张三"),
            ],
            now=now,
        )
        subjects.add_related_person(
            session,
            org_key=company,
            role="legal_representative",
            person=identifiers.validate(legal_rep, identifiers.IdType.CITIZEN_ID),
            name="李四",
            since=TODAY - timedelta(days=400),
            source=tax,
            now=now,
        )
        measures.assign(
            session, duty="bidding", org_code=bidding, actor=audit_actor(system_actor(policy())), now=now
        )
    with TestClient(create_app(settings)) as client:
        yield World(
            settings,
            engine,
            client,
            tax,
            bidding,
            {org: {"Authorization": f"Bearer {token}"} for org, token in tokens.items()},
            company,
            person,
            legal_rep,
        )


def _propose(world: World, subject: str | None = None) -> str:
    made = world.post(
        world.tax,
        "/lists/entries",
        {
            "list_type": "tax-major-violation",
            "subject": subject or world.company,
            "reasons": "虚开增值税专用发票",
        },
    )
    assert made["http"] == 201, made
    assert made["status_label"] == "拟列入"
    return str(made["number"])


def _black_list(world: World) -> tuple[str, dict[str, object]]:
    """Propose, serve the notice, let the defence period pass, decide: the whole procedure."""
    number = _propose(world)
    noticed = world.post(world.tax, f"/lists/entries/{number}/notice", {})
    with world.at(str(noticed["defence_until"])) as same_day:
        early = same_day.post(
            f"/api/v1/lists/entries/{number}/decision",
            headers=world.headers[world.tax],
            json={"listed": True},
        )
    assert early.status_code == 422 and early.json()["error"]["code"] == "list.defence_running"
    with world.at(AFTER_DEFENCE) as then:
        decided = then.post(
            f"/api/v1/lists/entries/{number}/decision",
            headers=world.headers[world.tax],
            json={"listed": True},
        )
    assert decided.status_code == 200, decided.text
    return number, decided.json()


@pytest.mark.req("LIST-3")
def test_the_defence_period_counts_the_profile_working_days(world: World) -> None:
    number = _propose(world)
    noticed = world.post(world.tax, f"/lists/entries/{number}/notice", {})
    days = world.client.app.state.profile.lists.defence_days.value  # type: ignore[attr-defined]
    expected = working_calendar(world.settings.data_dir.resolve()).add_working_days(TODAY, days).value
    assert noticed["noticed_on"] == TODAY.isoformat() and noticed["defence_until"] == expected.isoformat()
    assert [s["step"] for s in noticed["steps"]] == ["propose", "notice"]
    assert str(noticed["steps"][-1]["document"]).startswith("WS")  # the notice served


@pytest.mark.req("LIST-3")
@pytest.mark.req("LIST-4")
def test_black_listing_without_a_served_notice_is_refused(world: World) -> None:
    number = _propose(world)
    refused = world.post(world.tax, f"/lists/entries/{number}/decision", {"listed": True})
    assert refused["http"] == 422 and refused["error"]["code"] == "list.notice_required"


@pytest.mark.req("LIST-3")
def test_a_statement_made_in_the_defence_period_must_be_answered(world: World) -> None:
    number = _propose(world)
    world.post(world.tax, f"/lists/entries/{number}/notice", {})
    ctx = _ctx(world)
    with session_factory(world.engine).begin() as session:
        lists.state_case(
            session,
            ctx,
            number=number,
            subject_key=world.company,
            text="发票系供应商开具，已补税",
            objection=True,
        )
    with world.at(AFTER_DEFENCE) as then:
        silent = then.post(
            f"/api/v1/lists/entries/{number}/decision",
            headers=world.headers[world.tax],
            json={"listed": True},
        )
        answered = then.post(
            f"/api/v1/lists/entries/{number}/decision",
            headers=world.headers[world.tax],
            json={"listed": True, "answer": "经核实，补税不影响违法事实认定，不予采纳"},
        )
    assert silent.json()["error"]["code"] == "list.answer_required"
    assert answered.status_code == 200
    decision = next(s for s in answered.json()["steps"] if s["step"] == "decision")
    assert decision["document"].startswith("WS")  # LIST-4: the decision document, served
    assert [s["step"] for s in answered.json()["steps"]] == [
        "propose",
        "notice",
        "objection",
        "decision",
        "entry",
    ]


def _ctx(world: World, day: date = TODAY) -> lists.Context:
    settings = world.settings
    when = settings.model_copy(update={"fixed_date": day}).clock
    return lists.context(
        settings.data_dir.resolve(),
        profile=world.client.app.state.profile,  # type: ignore[attr-defined]
        calendar=working_calendar(settings.data_dir.resolve()),
        actor=audit_actor(system_actor(policy())),
        today=when.today(),
        now=when.now(),
    )


@pytest.mark.req("LIST-6")
@pytest.mark.req("MEA-6")
def test_a_black_listed_company_marks_its_legal_representative_and_pushes_tasks(world: World) -> None:
    number, entry = _black_list(world)
    assert entry["status"] == "active" and entry["term_end"]
    with session_factory(world.engine)() as session:
        marks = session.scalars(select(ListMark).where(ListMark.person_key == world.legal_rep)).all()
        tasks = measures.tasks_of(session, org_code=world.bidding)
        pushed = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.org_code == world.bidding, OutboxMessage.kind == "rp_task"
            )
        ).all()
    assert [(m.role, m.org_key) for m in marks] == [("legal_representative", world.company)]
    assert [t.measure for t in tasks] == ["restrict-bidding"]  # only the measure for the duty it carries
    assert json.loads(pushed[0].payload)["entry"] == number


@pytest.mark.req("LIST-5")
@pytest.mark.req("LIST-2")
def test_a_black_listed_subject_cannot_be_red_listed_and_the_check_names_the_entry(world: World) -> None:
    number, _ = _black_list(world)
    refused = world.post(
        world.tax,
        "/lists/red",
        {"list_type": "tax-a-grade", "subject": world.company, "reasons": "纳税信用A级"},
    )
    assert refused["http"] == 422 and refused["error"]["code"] == "list.blacklisted"
    assert number in refused["error"]["message"]


@pytest.mark.req("LIST-5")
def test_entering_a_black_list_removes_the_subject_from_every_red_list(world: World) -> None:
    red = world.post(
        world.tax, "/lists/red", {"list_type": "tax-a-grade", "subject": world.company, "reasons": "A级"}
    )
    with session_factory(world.engine).begin() as session:
        assert lists.enter_red_after_publicity(session, _ctx(world, AFTER_DEFENCE), str(red["number"]))
    _black_list(world)
    with session_factory(world.engine)() as session:
        entry = lists.get(session, str(red["number"]))
    assert (entry.status, entry.removal_reason) == ("removed", "source")


@pytest.mark.req("LIST-2")
def test_red_list_publicity_then_entry_or_objection(world: World) -> None:
    red = world.post(
        world.tax, "/lists/red", {"list_type": "tax-a-grade", "subject": world.company, "reasons": "A级"}
    )
    days = world.client.app.state.profile.lists.red_publicity_days.value  # type: ignore[attr-defined]
    until = working_calendar(world.settings.data_dir.resolve()).add_working_days(TODAY, days).value
    assert (red["status"], red["publicity_until"]) == ("publicity", until.isoformat())
    early = world.post(world.tax, f"/lists/entries/{red['number']}/confirm", {})
    assert early["error"]["code"] == "list.publicity_running"
    with session_factory(world.engine).begin() as session:
        lists.state_case(
            session,
            _ctx(world),
            number=str(red["number"]),
            subject_key=world.company,
            text="有异议",
            objection=True,
        )
    with world.at(until + timedelta(days=1)) as then:
        unanswered = then.post(
            f"/api/v1/lists/entries/{red['number']}/confirm", headers=world.headers[world.tax], json={}
        )
        confirmed = then.post(
            f"/api/v1/lists/entries/{red['number']}/confirm",
            headers=world.headers[world.tax],
            json={"answer": "异议系误解，核实无误"},
        )
    assert unanswered.json()["error"]["code"] == "list.answer_required"
    assert confirmed.json()["status"] == "active"


@pytest.mark.req("LIST-7")
@pytest.mark.req("LIST-8")
@pytest.mark.req("PER-3")
@pytest.mark.req("MEA-8")
def test_an_entry_whose_term_ends_leaves_in_the_sweep_and_the_department_is_told(world: World) -> None:
    number, entry = _black_list(world)
    term_end = TODAY.fromisoformat(str(entry["term_end"]))
    decided_on = AFTER_DEFENCE
    assert term_end == decided_on.replace(year=decided_on.year + 3)  # 国家税务总局令第54号: 3 years
    factory = session_factory(world.engine)
    rules = sweep.Rules.of(world.settings)
    actor = audit_actor(system_actor(policy()))
    sweep.run(factory, as_of=term_end, clock=world.settings.clock, actor=actor, rules=rules)
    with factory() as session:
        assert lists.get(session, number).status == "active"  # the last day of the term still counts
    day_after = term_end + timedelta(days=1)
    ended = sweep.run(factory, as_of=day_after, clock=world.settings.clock, actor=actor, rules=rules)
    again = sweep.run(factory, as_of=day_after, clock=world.settings.clock, actor=actor, rules=rules)
    assert ended.entries_ended >= 1 and again.entries_ended == 0
    with factory() as session:
        stored = lists.get(session, number)
        told = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.org_code == world.bidding, OutboxMessage.kind == "entry_ended"
            )
        ).all()
        marks = session.scalars(select(ListMark).where(ListMark.entry_id == stored.id)).all()
        tasks = measures.tasks_of(session, entry_id=stored.id)
        shown = lists.published(session, kind="black", today=day_after, offset=0, limit=1000)[1]
        announced = lists.removals(session, offset=0, limit=1000)[1]
    monitoring = world.client.app.state.profile.lists.removed_key_monitoring.value  # type: ignore[attr-defined]
    assert (stored.status, stored.removal_reason, stored.removed_on) == ("removed", "term_end", day_after)
    assert stored.monitoring_until == day_after.replace(year=day_after.year + monitoring.years)
    assert [json.loads(m.payload)["entry"] for m in told] == [number]
    assert all(m.ended_on == day_after for m in marks) and all(t.ended_on == day_after for t in tasks)
    assert number not in {e.number for e in shown} and number in {e.number for e in announced}


@pytest.mark.req("LIST-9")
def test_a_wrongful_listing_is_corrected_and_the_subject_restored(world: World) -> None:
    number, _ = _black_list(world)
    corrected = world.post(
        world.tax, f"/lists/entries/{number}/correction", {"text": "主体识别错误，系同名企业"}
    )
    assert corrected["status"] == "corrected" and corrected["wrongful"] is True
    assert corrected["monitoring_until"] is None  # restored: no key monitoring after a wrongful listing
    assert "书面道歉" in corrected["steps"][-1]["text"]
    assert str(corrected["steps"][-1]["document"]).startswith("WS")  # the apology
    with session_factory(world.engine)() as session:
        assert lists.active_black(session, world.company) == []
        assert all(m.ended_on is not None for m, _ in lists.marks_of(session, world.legal_rep))


@pytest.mark.req("LIST-9")
def test_benefits_of_a_wrongful_red_listing_are_flagged_for_recovery(world: World) -> None:
    red = world.post(
        world.tax, "/lists/red", {"list_type": "tax-a-grade", "subject": world.company, "reasons": "A级"}
    )
    with session_factory(world.engine).begin() as session:
        lists.enter_red_after_publicity(session, _ctx(world, AFTER_DEFENCE), str(red["number"]))
    corrected = world.post(world.tax, f"/lists/entries/{red['number']}/correction", {"text": "评价数据有误"})
    assert corrected["recover_benefits"] is True and "收回" in corrected["steps"][-1]["text"]


@pytest.mark.req("LIST-1")
def test_only_the_determining_department_of_a_type_may_propose(world: World) -> None:
    refused = world.post(
        world.bidding,
        "/lists/entries",
        {"list_type": "tax-major-violation", "subject": world.company, "reasons": "x"},
    )
    assert refused["http"] == 403
    court_type = world.post(
        world.tax,
        "/lists/entries",
        {"list_type": "court-dishonest-debtor", "subject": world.company, "reasons": "x"},
    )
    assert court_type["error"]["code"] == "list.received_type"


@pytest.mark.req("LIST-1")
def test_a_local_list_type_without_a_legal_basis_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "local.toml").write_text(
        'scope = "local"\napproved_by = "市政府"\n[[types]]\ncode = "local-x"\nname = "某名单"\n'
        'kind = "black"\n'
        'basis_kind = "local_regulation"\ndetermining = "某局"\ndetermining_org_kinds = ["determining"]\n'
        'domain = "x"\nsubject_kinds = ["legal_person"]\nconditions = "x"\nremoval_conditions = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(XinyongError) as refused:
        lists.list_types(tmp_path)
    assert refused.value.problem.code == "lists.invalid" and "legal_basis" in refused.value.problem.message


@pytest.mark.req("MEA-2")
def test_a_local_punishment_outside_the_ct35_kinds_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "measures"
    folder.mkdir()
    (folder / "local.toml").write_text(
        'scope = "local"\napproved_by = "市政府"\n[[measures]]\ncode = "ban-travel"\nkind = "punishment"\n'
        'matter = "限制出行"\ntarget = "subject"\nmeans = "限制出行"\nimplementing = "某局"\nduty = "x"\n'
        'initiating = "某局"\nlegal_basis = "某市规定第一条"\nsharing = "推送"\n'
        'list_types = ["tax-major-violation"]\nscenarios = ["bidding"]\n',
        encoding="utf-8",
    )
    with pytest.raises(XinyongError) as refused:
        measures.measure_list(tmp_path, frozenset(lists.list_types(tmp_path).types))
    assert refused.value.problem.code == "measures.invalid" and "local_kind" in refused.value.problem.message


@pytest.mark.req("MEA-1")
@pytest.mark.req("MEA-5")
def test_every_measure_names_its_basis_and_only_list_types_that_exist() -> None:
    data_dir = Path("/nonexistent")
    types = lists.list_types(data_dir)
    found = measures.measure_list(data_dir, frozenset(types.types))
    assert found.measures and all(
        m.legal_basis and m.implementing and m.initiating for m in found.measures.values()
    )
    for measure in found.measures.values():
        kinds = {types.get(t).kind for t in measure.list_types}
        assert kinds == {"black" if measure.kind == "punishment" else "red"}, measure.code
    # A measure for another list type does not reach this one: wage arrears are not a bidding ban.
    assert "restrict-bidding" not in {m.code for m in found.for_list_type("wage-arrears")}


@pytest.mark.req("MEA-6")
def test_the_implementing_department_responds_implements_and_feeds_back_in_order(world: World) -> None:
    _black_list(world)
    tasks = world.client.get("/api/v1/rp-tasks", headers=world.headers[world.bidding]).json()
    task = tasks[0]["id"]
    skipped = world.post(world.bidding, f"/rp-tasks/{task}", {"step": "implemented"})
    assert skipped["error"]["code"] == "rp_task.out_of_order"
    assert world.post(world.bidding, f"/rp-tasks/{task}", {"step": "responded"})["http"] == 200
    assert world.post(world.bidding, f"/rp-tasks/{task}", {"step": "implemented"})["http"] == 200
    empty = world.post(world.bidding, f"/rp-tasks/{task}", {"step": "fed_back"})
    assert empty["error"]["code"] == "rp_task.feedback_required"
    done = world.post(
        world.bidding, f"/rp-tasks/{task}", {"step": "fed_back", "text": "已在招标系统限制其投标"}
    )
    assert done["http"] == 200 and done["fed_back_on"] == TODAY.isoformat()
    other = world.post(world.tax, f"/rp-tasks/{task}", {"step": "responded"})
    assert other["http"] == 403  # the tax bureau holds no rp task permission of this task's org
    with session_factory(world.engine)() as session:
        stats = [s for s in measures.loop_stats(session, as_of=TODAY) if s.org_code == world.bidding]
    assert [(s.pushed, s.responded, s.implemented, s.fed_back) for s in stats] == [(1, 1, 1, 1)]


@pytest.mark.req("MEA-6")
def test_the_sweep_reminds_a_department_that_did_not_respond_in_time(world: World) -> None:
    _black_list(world)
    with session_factory(world.engine)() as session:
        (task,) = measures.tasks_of(session, org_code=world.bidding)
    late = task.respond_by + timedelta(days=1)
    factory = session_factory(world.engine)
    rules = sweep.Rules.of(world.settings)
    actor = audit_actor(system_actor(policy()))
    for day in (task.respond_by, late, late):
        sweep.run(factory, as_of=day, clock=world.settings.clock, actor=actor, rules=rules)
    with factory() as session:
        reminders = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.org_code == world.bidding, OutboxMessage.kind == "reminder"
            )
        ).all()
    assert [json.loads(m.payload)["task"] for m in reminders] == [task.id]  # once, and only when late


@pytest.mark.req("LIST-7")
def test_an_early_removal_is_announced_and_keeps_the_subject_under_monitoring(world: World) -> None:
    number, _ = _black_list(world)
    removed = world.post(
        world.tax, f"/lists/entries/{number}/removal", {"reason": "repair", "text": "已完成信用修复"}
    )
    assert (removed["status"], removed["removal_label"]) == ("removed", "信用修复")
    assert str(removed["steps"][-1]["document"]).startswith("WS")  # the announcement
    monitoring = world.client.app.state.profile.lists.removed_key_monitoring.value  # type: ignore[attr-defined]
    assert removed["monitoring_until"] == TODAY.replace(year=TODAY.year + monitoring.years).isoformat()
    again = world.post(world.tax, f"/lists/entries/{number}/removal", {"reason": "repair", "text": "再次"})
    assert again["error"]["code"] == "list.wrong_status"
