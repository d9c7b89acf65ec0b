"""Runs (EVA-1): every subject the model covers is graded from its standing records and list entries as of a
day, each run kept; a score is explained record by record and the explanation adds up to the stored score;
a subject's evaluation is read through the gate (not public), logged; a run's export names its recipient
(EVA-3); credit checks carry the current grade (CHK-1)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import select

from xinyong.audit.models import AuditEvent
from xinyong.evaluation import service
from xinyong.evaluation.models import EvaluationGrade

from ..conftest import TODAY
from .conftest import EvalWorld

# The shipped model on the package's companies (see conftest): 76 for nothing that counts (basic
# information 60 × 10%, no dishonesty 100 × 70%), +7.5 for two awards (25 points each × 15%), −5 per general
# penalty (20 × 25%), −10 per serious one (50 × 20%), −15 for a black listing.
EXPECTED = {"clean": (7600, "B"), "awarded": (8350, "B"), "fined": (5600, "D"), "listed": (5100, "D")}


def grades_of(world: EvalWorld, run: int) -> dict[str, EvaluationGrade]:
    codes = {world.code(role): role for role in EXPECTED}
    with world.session() as session:
        rows = session.scalars(
            select(EvaluationGrade).where(
                EvaluationGrade.run_id == run, EvaluationGrade.subject_key.in_(codes)
            )
        )
        return {codes[g.subject_key]: g for g in rows}


@pytest.mark.req("EVA-1")
def test_a_run_grades_every_subject_by_the_model_and_keeps_earlier_runs(world: EvalWorld) -> None:
    first = world.evaluate()
    graded = grades_of(world, first.run)
    assert {role: (g.score, g.grade) for role, g in graded.items()} == EXPECTED
    assert json.loads(graded["fined"].values)["general-dishonesty"] == [2, 60]
    assert json.loads(graded["listed"].values)["black-list"] == [1, 0]
    assert first.subjects == sum(first.grades.values()) and list(first.grades) == ["A", "B", "C", "D"]
    # As of an earlier day, a penalty decided later does not count: one general penalty, not two.
    earlier = world.evaluate(date(2026, 5, 1))
    assert (grades_of(world, earlier.run)["fined"].score, grades_of(world, earlier.run)["fined"].grade) == (
        6100,
        "C",
    )
    assert grades_of(world, first.run)["fined"].score == 5600  # the first run is kept as it was
    with world.session() as session:
        current = service.current_run(session, TODAY)
        assert current is not None and current.id == earlier.run  # the latest finished run is current
        audit = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "evaluation.run", AuditEvent.target_id == str(first.run)
            )
        ).one()
        assert json.loads(audit.detail)["model"] == "public-credit@2026.1"


@pytest.mark.req("EVA-1")
def test_the_explanation_recomputes_the_stored_score_record_by_record(world: EvalWorld) -> None:
    done = world.evaluate()
    for role, (score, grade) in EXPECTED.items():
        with world.session() as session:
            found = service.explain(
                session, subject_key=world.code(role), on=TODAY, data_dir=world.settings.data_dir.resolve()
            )
        assert (
            found.standing.run.id == done.run
            and found.standing.grade.score == score == found.explanation.score
        )
        assert found.consistent and found.explanation.band.grade == grade
    with world.session() as session:
        fined = service.explain(
            session, subject_key=world.code("fined"), on=TODAY, data_dir=world.settings.data_dir.resolve()
        )
    parts = {p.indicator.code: p for p in fined.explanation.parts}
    general = parts["general-dishonesty"]
    assert (
        [c.points for c in general.counted] == [-20, -20]
        and general.points == 60
        and general.weighted == 1500
    )
    assert [c.day for c in general.counted] == [date(2026, 6, 1), date(2026, 3, 1)]
    assert all(c.kind == "record" and c.what == "行政处罚信息" for c in general.counted)
    assert parts["serious-dishonesty"].counted[0].detail == "严重失信"


@pytest.mark.req("EVA-1", "SEC-2")
def test_a_subjects_evaluation_is_read_through_the_gate_and_logged(world: EvalWorld) -> None:
    world.evaluate()
    code = world.code("fined")
    url = f"/api/v1/subjects/{code}/evaluation"
    with world.client() as client:
        assert client.get(url).status_code == 401
        dept = world.headers["user_department"]
        refused = client.get(url, headers=dept)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "access.purpose_required"
        shared = client.get(url, params={"purpose": "graded_supervision"}, headers=dept)
        assert shared.status_code == 200, shared.text
        body = shared.json()
        assert (body["score"], body["grade"], body["recomputed"], body["consistent"]) == (
            56.0,
            "D",
            56.0,
            True,
        )
        assert body["supervision"]["sampling_ratio"] == 0.3 and body["grade_id"] > 0
        assert sum(p["weighted"] for p in body["parts"]) == pytest.approx(56.0)
        client.cookies.set("xinyong_session", world.cookie("fined"))
        own = client.get(url)
        assert own.status_code == 200 and own.json()["grade"] == "D"
        other = client.get(f"/api/v1/subjects/{world.code('clean')}/evaluation")
        assert other.status_code == 403
        me = client.get("/me").text
        assert "公共信用综合评价等级 <strong>D（信用较差）</strong>" in me and "/me/evaluation" in me
        page = client.get("/me/evaluation").text
        assert "信用等级 D（信用较差），综合评价得分 56.00" in page and "行政处罚信息" in page
    with world.session() as session:
        reads = session.scalars(
            select(AuditEvent).where(AuditEvent.subject_key == code, AuditEvent.target_type == "evaluation")
        ).all()
    assert {r.purpose for r in reads} >= {"graded_supervision", "self"}


@pytest.mark.req("EVA-3")
def test_a_run_is_exported_for_a_named_recipient_and_the_export_is_logged(world: EvalWorld) -> None:
    done = world.evaluate()
    url = f"/api/v1/evaluation/runs/{done.run}/export"
    with world.client() as client:
        staff = world.headers["operator_staff"]
        missing = client.get(url, params={"format": "csv"}, headers=staff)
        assert (
            missing.status_code == 422 and missing.json()["error"]["code"] == "evaluation.recipient_required"
        )
        assert (
            client.get(
                url, params={"recipient": "某银行"}, headers=world.headers["user_department"]
            ).status_code
            == 403
        )
        answer = client.get(url, params={"format": "csv", "recipient": "某银行济南分行"}, headers=staff)
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        assert rows[0][:4] == ["统一社会信用代码/证件号码", "名称", "综合评价得分", "信用等级"]
        mine = {r[0]: r for r in rows[1:]}
        assert mine[world.code("awarded")][2:5] == ["83.5", "B", "信用良好"]
        assert len(rows) - 1 == done.subjects
        xlsx = client.get(url, params={"format": "xlsx", "recipient": "某行业协会"}, headers=staff)
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
        assert client.get("/admin/evaluation", headers=staff).status_code == 200
    with world.session() as session:
        logged = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "evaluation.export", AuditEvent.target_id == str(done.run)
            )
        ).all()
    assert [json.loads(e.detail)["recipient"] for e in logged] == ["某银行济南分行", "某行业协会"]
    assert json.loads(logged[0].detail)["rows"] == done.subjects


@pytest.mark.req("CHK-1")
def test_a_credit_check_carries_the_current_grade(world: EvalWorld) -> None:
    done = world.evaluate()
    codes = [world.code("listed"), world.code("awarded")]
    body = {"codes": codes, "scenario": "bidding", "purpose": "bidding"}
    with world.client() as client:
        answer = client.post("/api/v1/checks", headers=world.headers["user_department"], json=body)
    assert answer.status_code == 200, answer.text
    results = {r["code"]: r for r in answer.json()["results"]}
    listed, awarded = results[codes[0]], results[codes[1]]
    assert listed["verdict"] == "intercept" and listed["lists"] and listed["measures"]  # promised keys kept
    assert listed["grade"]["grade"] == "D" and listed["grade"]["score"] == 51.0
    assert listed["grade"]["model"] == "public-credit" and listed["grade"]["model_version"] == "2026.1"
    assert listed["grade"]["run"] == done.run
    assert (
        awarded["verdict"] == "pass"
        and awarded["grade"]["grade"] == "B"
        and awarded["grade"]["label"] == "信用良好"
    )
    with world.client() as client:
        table = client.get(
            f"/api/v1/checks/{answer.json()['number']}/results?format=csv",
            headers=world.headers["user_department"],
        )
    rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
    column = rows[0].index("信用评价")
    assert {row[1]: row[column] for row in rows[1:]} == {
        codes[0]: "D（信用较差，public-credit 2026.1）",
        codes[1]: "B（信用良好，public-credit 2026.1）",
    }
