"""Graded supervision (EVA-2): per grade the model's sampling ratio of the graded subjects is drawn, each
with at least two different inspectors; the same seed and inputs draw the same sample; bad inputs are
refused; a plan is stored, logged and exported."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from xinyong.audit.models import AuditEvent
from xinyong.errors import XinyongError
from xinyong.evaluation import inspection, loading
from xinyong.evaluation.schema import EvaluationModel

from ..conftest import TODAY, uscc_code
from .conftest import EvalWorld

UNGRADED = uscc_code(9_876_543)  # no test makes this subject, so no evaluation run grades it

POOL = [f"ZF{n:04d} 检查员{n}" for n in range(1, 9)]
# 100 subjects: 10 A, 40 B, 30 C, 20 D.
POPULATION = sorted(
    (uscc_code(7_000_000 + n), grade) for n, grade in enumerate("A" * 10 + "B" * 40 + "C" * 30 + "D" * 20)
)


def model() -> EvaluationModel:
    return loading.models(Path("/nonexistent")).in_force(TODAY)


def draw(seed: str = "2026", **kwargs: Any) -> list[inspection.Pick]:
    wanted = inspection.request(title="季度抽查", seed=seed, inspectors=POOL, today=TODAY, **kwargs)
    return inspection.draw(POPULATION, model(), wanted)


@pytest.mark.req("EVA-2")
def test_each_grade_is_sampled_at_its_ratio_with_two_different_inspectors_each() -> None:
    picks = draw()
    by_grade = Counter(p.grade for p in picks)
    # 2% of 10, 5% of 40, 10% of 30, 30% of 20, rounded up.
    assert by_grade == {"A": 1, "B": 2, "C": 3, "D": 6}
    assert {p.grade: p.frequency for p in picks} == {"A": 1, "B": 1, "C": 2, "D": 4}
    ids = {line.split()[0] for line in POOL}
    for pick in picks:
        assert len(pick.inspectors) == 2 and len(set(pick.inspectors)) == 2 and set(pick.inspectors) <= ids
    assert len({p.subject_key for p in picks}) == len(picks)
    graded = dict(POPULATION)
    assert all(graded[p.subject_key] == p.grade for p in picks)


@pytest.mark.req("EVA-2")
def test_the_same_seed_and_inputs_draw_the_same_sample() -> None:
    assert draw("公开摇号 0417") == draw("公开摇号 0417")
    assert draw("公开摇号 0417") != draw("公开摇号 0418")
    three = draw("x", per_subject=3)
    assert all(len(set(p.inspectors)) == 3 for p in three)
    only_d = draw("x", grades=["D"], ratios={"D": 0.5})
    assert Counter(p.grade for p in only_d) == {"D": 10}


@pytest.mark.req("EVA-2")
@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"ratios": {"D": 1.5}}, "inspection.ratio"),
        ({"per_subject": 1}, "inspection.per_subject"),
        ({"per_subject": 9}, "inspection.too_few_inspectors"),
        ({"grades": ["E"]}, "inspection.grade"),
    ],
)
def test_bad_plans_are_refused(kwargs: dict[str, Any], code: str) -> None:
    with pytest.raises(XinyongError) as caught:
        draw(**kwargs)
    assert caught.value.code == code


@pytest.mark.req("EVA-2")
def test_an_empty_pool_and_a_malformed_inspector_line_are_refused() -> None:
    with pytest.raises(XinyongError) as empty:
        inspection.draw(
            POPULATION, model(), inspection.request(title="t", seed="s", inspectors=[], today=TODAY)
        )
    assert empty.value.code == "inspection.no_inspectors"
    with pytest.raises(XinyongError) as malformed:
        inspection.request(title="t", seed="s", inspectors=["ZF1 张三", "李四"], today=TODAY)
    assert malformed.value.code == "inspection.inspector" and malformed.value.problem.row == 2
    with pytest.raises(XinyongError) as bad_code:
        inspection.request(
            title="t", seed="s", inspectors=POOL, codes=["91110000802100433B", "123"], today=TODAY
        )
    assert bad_code.value.problem.row == 2 and bad_code.value.problem.field == "codes"


@pytest.mark.req("EVA-2")
def test_a_plan_is_drawn_stored_and_exported_through_the_api(world: EvalWorld) -> None:
    world.evaluate()
    body: dict[str, Any] = {
        "title": "2026年第四季度双随机抽查",
        "seed": "20261123",
        "inspectors": POOL[:3],
        "codes": [world.code("fined"), world.code("listed"), world.code("clean")],
        "ratios": {"D": 1.0, "B": 1.0},
    }
    staff = world.headers["operator_staff"]
    with world.client() as client:
        answer = client.post("/api/v1/inspections", headers=staff, json=body)
        assert answer.status_code == 200, answer.text
        plan = answer.json()
        assert plan["population"] == 3 and plan["sampled"] == 3
        assert {s["code"]: s["grade"] for s in plan["sample"]} == {
            world.code("fined"): "D",
            world.code("listed"): "D",
            world.code("clean"): "B",
        }
        again = client.post("/api/v1/inspections", headers=staff, json=body).json()
        assert again["number"] != plan["number"] and again["sample"] == plan["sample"]  # reproducible
        exported = client.get(
            f"/api/v1/inspections/{plan['number']}", params={"format": "csv"}, headers=staff
        )
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[0][0] == "序号" and len(rows) == 4 and "检查员" in rows[1][5]
        too_few = client.post("/api/v1/inspections", headers=staff, json={**body, "inspectors": POOL[:1]})
        assert (
            too_few.status_code == 422 and too_few.json()["error"]["code"] == "inspection.too_few_inspectors"
        )
        ungraded = client.post(
            "/api/v1/inspections",
            headers=staff,
            json={**body, "codes": [body["codes"][0], UNGRADED]},
        )
        assert ungraded.status_code == 422 and ungraded.json()["error"]["row"] == 2
        assert (
            client.post(
                "/api/v1/inspections", headers=world.headers["user_department"], json=body
            ).status_code
            == 403
        )
    with world.session() as session:
        logged = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "inspection.plan", AuditEvent.target_id == plan["number"]
            )
        ).one()
    assert json.loads(logged.detail)["seed"] == "20261123"
