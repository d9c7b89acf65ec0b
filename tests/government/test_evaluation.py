"""Regional government integrity evaluation and local government debt warnings (GOV-4): indicators per
region from the data file, counted in the database, weighted into a score and a grade; debt ratio against
the yellow and red lines (JS-G 二(五), 三(五))."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xinyong.errors import XinyongError
from xinyong.government import evaluation

from ..conftest import TODAY
from .conftest import GovWorld
from .test_contracts import contract, sweep_on
from .test_dishonesty import case

pytestmark = pytest.mark.req("GOV-4")

SHIPPED = evaluation.SHIPPED.read_text(encoding="utf-8")


def satisfaction(gov: GovWorld, body: str, score: int, year: int) -> None:
    gov.post(
        "archive-entries",
        {
            "subject": body,
            "dimension": "satisfaction",
            "title": f"{year} 年度群众满意度测评",
            "content": "第三方测评",
            "score": score,
            "year": year,
            "recorded_on": "2026-11-01",
            "department": "市委组织部",
        },
    )


def by_region(results: list[dict[str, Any]], code: str) -> dict[str, Any]:
    return next(r for r in results if r["region"] == code)


def test_each_region_is_scored_by_the_weighted_indicators_and_graded(gov: GovWorld) -> None:
    first, second = gov.region("甲区"), gov.region("乙区")
    one, two = gov.body(first), gov.body(first, name="甲区财政局")
    gov.body(second, name="乙区财政局")
    gov.post("dishonesty", case(two, "甲纪〔2026〕1号"), headers=gov.provider)
    made = gov.post("commitments", contract(one, ("交付用地", "2026-05-31"), ("兑现补贴", "2026-08-31")))
    gov.post(
        f"obligations/{made['obligations'][0]['id']}/fulfilment", {"fulfilled_on": "2026-05-20"}, status=200
    )
    sweep_on(gov, TODAY)  # the second is overdue
    satisfaction(gov, one, 60, 2024)  # an older year: the latest counts
    satisfaction(gov, one, 90, 2025)
    satisfaction(gov, two, 80, 2025)

    results = gov.post("evaluations", {"as_of": "2026-11-23"}, status=200)["results"]
    a = by_region(results, first)
    measured = {m["code"]: (m["value"], m["score"]) for m in a["indicators"]}
    # 1 record over 2 bodies, 20 a record; 1 of 2 due obligations on time; 1 overdue, 25 each; mean 85.
    assert measured == {
        "dishonesty": (0.5, 90.0),
        "on_time": (50.0, 50.0),
        "overdue": (1.0, 75.0),
        "satisfaction": (85.0, 85.0),
    }
    assert a["score"] == "75.50" and (a["grade"], a["grade_label"]) == (
        "B",
        "较诚信",
    )  # (40·90+30·50+10·75+20·85)/100
    b = by_region(results, second)  # one body and nothing against it: only the first indicator has data
    assert b["score"] == "100.00" and b["grade"] == "A"
    assert [m["value"] for m in b["indicators"]] == [0.0, None, None, None]

    public = gov.client.get("/api/v1/government/evaluation").json()
    assert public["as_of"] == "2026-11-23" and by_region(public["results"], first)["score"] == "75.50"


def test_debt_warnings_yellow_for_higher_risk_and_red_for_high_risk(gov: GovWorld) -> None:
    regions = {ratio: gov.region(f"{ratio}区") for ratio in ("0.80", "1.00", "1.10", "1.20", "1.35")}
    for ratio, code in regions.items():
        answer = gov.client.put(
            f"/api/v1/government/regions/{code}/debt/2025",
            headers=gov.operator,
            json={
                "debt_balance": str(int(float(ratio) * 1_000_000_000)),
                "fiscal_capacity": "1000000000",
                "source": "财政局报送",
            },
        )
        assert answer.status_code == 200, answer.text
    levels = {
        w["region"]: w["level"] for w in gov.client.get("/api/v1/government/evaluation").json()["warnings"]
    }
    assert [levels[regions[r]] for r in ("0.80", "1.00", "1.10", "1.20", "1.35")] == [
        "none",
        "yellow",
        "yellow",
        "red",
        "red",
    ]
    # Entered again for the same year: replaced; a later year is the one shown.
    code = regions["1.35"]
    put = gov.client.put(
        f"/api/v1/government/regions/{code}/debt/2026",
        headers=gov.operator,
        json={"debt_balance": "500000000", "fiscal_capacity": "1000000000", "source": "财政局报送"},
    ).json()
    assert (put["year"], put["ratio"], put["level"], put["level_label"]) == (
        2026,
        "0.5000",
        "none",
        "未达预警线",
    )


def test_bad_debt_figures_are_refused_by_field(gov: GovWorld) -> None:
    code = gov.region()
    url = f"/api/v1/government/regions/{code}/debt/2025"
    for body, error, field in (
        (
            {"debt_balance": "5亿", "fiscal_capacity": "1000", "source": "财政局"},
            "government.amount",
            "debt_balance",
        ),
        (
            {"debt_balance": "-1", "fiscal_capacity": "1000", "source": "财政局"},
            "government.amount",
            "debt_balance",
        ),
        (
            {"debt_balance": "100", "fiscal_capacity": "0", "source": "财政局"},
            "government.capacity_zero",
            "fiscal_capacity",
        ),
        ({"debt_balance": "100", "fiscal_capacity": "1000", "source": ""}, "government.required", "source"),
    ):
        refused = gov.client.put(url, headers=gov.operator, json=body).json()["error"]
        assert (refused["code"], refused["field"]) == (error, field)
    future = gov.client.put(f"/api/v1/government/regions/{code}/debt/2027", headers=gov.operator, json=body)
    assert future.json()["error"]["code"] == "government.year"
    unknown = gov.client.put("/api/v1/government/regions/999999/debt/2025", headers=gov.operator, json=body)
    assert unknown.status_code == 404
    bad_code = gov.post("regions", {"code": "37010", "name": "某区"}, status=422)
    assert bad_code["error"]["code"] == "government.region_code"


def test_the_data_file_states_every_number_with_its_basis_and_marks_the_chosen_ones(tmp_path: Path) -> None:
    found = evaluation.rules(tmp_path)
    assert sum(i.weight.value for i in found.indicators) == 100
    assert (found.debt.yellow.value, found.debt.red.value) == (1.0, 1.2)
    settings = [i.weight for i in found.indicators] + [g.min_score for g in found.grades] + [found.debt.red]
    assert all(s.chosen and s.basis for s in settings)  # the regulation gives no number: the operator's


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (("value = 40,", "value = 50,"), "权重之和"),
        (("value = 1.2,", "value = 0.9,"), "yellow < red"),
        (('kind = "mean_score"', 'kind = "per_body_penalty"'), "penalty"),
    ],
)
def test_a_deployment_file_that_does_not_add_up_is_refused(
    tmp_path: Path, change: tuple[str, str], says: str
) -> None:
    local = tmp_path / "government"
    local.mkdir()
    (local / "evaluation.toml").write_text(SHIPPED.replace(*change, 1), encoding="utf-8")
    with pytest.raises(XinyongError) as refused:
        evaluation.rules(tmp_path)
    assert refused.value.code == "government.invalid" and says in refused.value.message
