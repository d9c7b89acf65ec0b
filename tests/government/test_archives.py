"""Archives of government bodies and civil servants (GOV-1): entered by the competent departments under the
dimensions JS-G 二(三) names, versioned and audited; a body's archive is public, a civil servant's is read
through the gate for a stated purpose and the read is logged."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from xinyong.audit.models import AuditEvent
from xinyong.subjects.models import Subject

from ..conftest import uscc_code
from .conftest import GovWorld, body_code

pytestmark = pytest.mark.req("GOV-1")


def entry(subject: str, dimension: str, **extra: object) -> dict[str, object]:
    return {
        "subject": subject,
        "dimension": dimension,
        "title": "2025 年度测评",
        "content": "委托第三方开展群众满意度测评",
        "recorded_on": "2026-11-20",
        "department": "市委组织部",
        **extra,
    }


def test_a_body_is_keyed_by_its_uscc_and_its_archive_holds_the_four_dimensions(gov: GovWorld) -> None:
    region = gov.region()
    code = gov.body(region)
    with gov.session() as session:
        subject = session.scalar(select(Subject).where(Subject.key == code))
        assert subject is not None and subject.kind == "government"
    for dimension, extra in (
        ("lawful_administration", {}),
        ("openness", {}),
        ("keeping_promises", {}),
        ("satisfaction", {"score": 92, "year": 2025}),
    ):
        made = gov.post("archive-entries", entry(code, dimension, **extra))
        assert made["version"] == 1 and made["versions"][0]["reason"] == "记入档案"
    archive = gov.client.get(f"/api/v1/government/bodies/{code}").json()  # public: no sign-in
    assert archive["region"] == region
    assert {e["dimension_label"] for e in archive["entries"]} == {
        "依法行政",
        "政务公开",
        "诚信履约",
        "群众满意度",
    }
    assert next(e for e in archive["entries"] if e["dimension"] == "satisfaction")["score"] == 92


def test_only_a_body_registered_by_an_establishment_authority_gets_a_government_archive(
    gov: GovWorld,
) -> None:
    region = gov.region()
    company = gov.post("bodies", {"code": uscc_code(7), "name": "某某有限公司", "region": region}, status=422)
    assert company["error"]["code"] == "government.not_body" and company["error"]["field"] == "code"
    unknown = gov.post("bodies", {"code": body_code(8), "name": "某局", "region": "999999"}, status=422)
    assert unknown["error"]["code"] == "government.region_unknown"
    institution = body_code(9_000_001 % 9_000_000, category="12")  # 事业单位
    gov.post("bodies", {"code": institution, "name": "某市公共资源交易中心", "region": region})


def test_entries_are_refused_where_they_do_not_fit_their_dimension(gov: GovWorld) -> None:
    code = gov.body(gov.region())
    cases = [
        (
            entry(code, "appraisal", grade="优秀", year=2025),
            "government.dimension",
            "dimension",
        ),  # a servant's
        (entry(code, "satisfaction"), "government.score", "score"),
        (entry(code, "satisfaction", score=101, year=2025), "government.score", "score"),
        (entry(code, "openness", score=80), "government.score", "score"),
        (entry(code, "satisfaction", score=80), "government.year", "year"),
        (entry(code, "openness", recorded_on="2026-11-24"), "government.future_date", "recorded_on"),
        (entry(code, "openness", department=" "), "government.required", "department"),
    ]
    for body, code_, field in cases:
        refused = gov.post("archive-entries", body, status=422)["error"]
        assert (refused["code"], refused["field"]) == (code_, field), body
    assert gov.client.get(f"/api/v1/government/bodies/{code}").json()["entries"] == []


def test_a_civil_servants_archive_has_their_body_post_and_five_dimensions(gov: GovWorld) -> None:
    body = gov.body(gov.region(), name="某区财政局")
    person = gov.servant(body, post="预算科科长")
    for dimension, extra in (
        ("lawful_duty", {}),
        ("award", {}),
        ("integrity", {}),
        ("violation", {}),
        ("appraisal", {"grade": "优秀", "year": 2025}),
    ):
        gov.post("archive-entries", entry(person, dimension, title="记录", **extra))
    refused = gov.post("archive-entries", entry(person, "appraisal", grade="良好", year=2025), status=422)
    assert refused["error"]["code"] == "government.grade"
    read = gov.client.get(
        f"/api/v1/government/civil-servants/{person}",
        params={"purpose": "government_integrity"},
        headers=gov.operator,
    )
    assert read.status_code == 200, read.text
    archive = read.json()
    assert (archive["body"], archive["post"]) == (body, "预算科科长")
    assert [e["dimension"] for e in archive["entries"] if e["dimension"] == "appraisal"] == ["appraisal"]
    assert len(archive["entries"]) == 5


def test_a_civil_servants_archive_is_read_through_the_gate_with_a_purpose_and_logged(gov: GovWorld) -> None:
    person = gov.servant(gov.body(gov.region()))
    url = f"/api/v1/government/civil-servants/{person}"
    assert gov.client.get(url).json()["error"]["code"] == "auth.required"
    assert gov.client.get(url, headers=gov.hiring).json()["error"]["code"] == "access.purpose_required"
    allowed = gov.client.get(url, headers=gov.hiring, params={"purpose": "hiring_promotion"})
    assert allowed.status_code == 200, allowed.text
    with gov.session() as session:
        reads = session.scalars(
            select(AuditEvent).where(AuditEvent.subject_key == person, AuditEvent.action == "archive.read")
        ).all()
    assert [r.purpose for r in reads] == ["hiring_promotion"]
    # A body's archive is not a civil servant's: the same code under the other path is not found.
    assert gov.client.get(f"/api/v1/government/bodies/{person}").status_code == 404


def test_a_correction_is_a_new_version_and_the_old_one_is_kept(gov: GovWorld) -> None:
    code = gov.body(gov.region())
    made = gov.post("archive-entries", entry(code, "satisfaction", score=70, year=2025))
    body = {**entry(code, "satisfaction", score=78, year=2025), "reason": "第三方机构复核更正得分"}
    body.pop("subject")
    corrected = gov.post(f"archive-entries/{made['id']}/correction", body, status=200)
    assert corrected["version"] == 2 and corrected["score"] == 78
    assert [v["data"]["score"] for v in corrected["versions"]] == [70, 78]
    assert corrected["versions"][1]["reason"] == "更正：第三方机构复核更正得分"
    moved = {**body, "dimension": "openness", "score": None, "year": None}
    refused = gov.post(f"archive-entries/{made['id']}/correction", moved, status=422)
    assert refused["error"]["code"] == "government.dimension_fixed"
    with gov.session() as session:
        logged = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.target_type == "government_archive_entry", AuditEvent.target_id == str(made["id"])
            )
        ).all()
    assert logged == ["government.archive_entry", "government.archive_entry"]


def test_a_civil_servant_moving_to_another_body_is_recorded(gov: GovWorld) -> None:
    region = gov.region()
    first, second = gov.body(region), gov.body(region, name="某区发展和改革局")
    person = gov.servant(first)
    moved = gov.post("civil-servants", {"code": person, "name": "王建国", "body": second, "post": "副局长"})
    assert (moved["body"], moved["post"]) == (second, "副局长")
    with gov.session() as session:
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_key == person, AuditEvent.action == "government.servant"
            )
        ).all()
    last = json.loads(events[-1].detail)
    assert last["before"] == {"body": first, "post": "科长"} and last["body"] == second
