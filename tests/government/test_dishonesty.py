"""Government dishonesty records (GOV-2): delivered through the one records path under the catalog item
``government-dishonesty``; a case judged under the fault-tolerance rules is not recorded, whether its
exemption comes with the delivery or after the record was made."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from xinyong.audit.models import AuditEvent
from xinyong.records import service as records
from xinyong.records.models import Record

from .conftest import GovWorld

pytestmark = pytest.mark.req("GOV-2")

EXEMPTION = {
    "document_number": "济容认〔2026〕3号",
    "authority": "市纪委监委",
    "decided_on": "2026-11-10",
    "reason": "先行先试中出现失误，主动挽回损失，符合容错纠错情形",
}


def case(subject: str, number: str, **extra: Any) -> dict[str, Any]:
    return {
        "subject": subject,
        "conduct": "纪律处分",
        "facts": "在政府采购项目验收中未按规定履行职责",
        "outcome": "政务警告",
        "document_number": number,
        "decision_date": "2026-11-02",
        "authority": "市纪委监委",
        **extra,
    }


def test_a_case_is_a_credit_record_of_the_government_dishonesty_item(gov: GovWorld) -> None:
    body = gov.body(gov.region(), name="某区自然资源局")
    person = gov.servant(body, name="赵某某", post="副科长")
    made = gov.post("dishonesty", case(person, "济纪处〔2026〕11号"), headers=gov.provider)
    with gov.session() as session:
        record = records.get(session, made["record"])
        versions = records.versions_of(session, record.id)
    assert (record.item_code, record.subject_key, record.provider) == (
        "government-dishonesty",
        person,
        gov.provider_code,
    )
    assert record.state == "active" and record.public_until is not None  # its public period from the profile
    data = json.loads(record.data)
    assert (data["body_name"], data["post"], data["conduct"]) == ("某区自然资源局", "副科长", "纪律处分")
    assert [v.procedure for v in versions] == ["ingest"]
    archive = gov.client.get(
        f"/api/v1/government/civil-servants/{person}",
        headers=gov.operator,
        params={"purpose": "government_integrity"},
    ).json()
    assert [r["id"] for r in archive["records"]] == [made["record"]]
    again = gov.post("dishonesty", case(person, "济纪处〔2026〕11号"), headers=gov.provider, status=422)
    assert again["error"]["code"] == "government.duplicate"
    # Anyone sees the public record on the subject's page, the person masked (DATA-3).
    shown = gov.client.get(f"/subjects/{person}")
    assert "赵某某" not in shown.text and "在政府采购项目验收中未按规定履行职责" in shown.text


def test_a_case_under_the_fault_tolerance_rules_is_refused_and_the_exemption_kept(gov: GovWorld) -> None:
    body = gov.body(gov.region())
    refused = gov.post(
        "dishonesty",
        case(body, "济处〔2026〕21号", conduct="行政处罚", exemption=EXEMPTION),
        headers=gov.provider,
        status=422,
    )["error"]
    assert refused["code"] == "government.fault_tolerance" and "济容认〔2026〕3号" in refused["message"]
    with gov.session() as session:
        assert session.scalars(select(Record).where(Record.subject_key == body)).all() == []
        logged = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.subject_key == body, AuditEvent.action == "government.exemption"
            )
        ).all()
    assert logged == ["government.exemption"]
    archive = gov.client.get(f"/api/v1/government/bodies/{body}").json()
    assert archive["records"] == []
    [kept] = archive["exemptions"]
    assert (kept["case_document"], kept["document_number"], kept["record"]) == (
        "济处〔2026〕21号",
        "济容认〔2026〕3号",
        None,
    )
    incomplete = {**EXEMPTION, "authority": ""}
    bad = gov.post(
        "dishonesty", case(body, "济处〔2026〕22号", exemption=incomplete), headers=gov.provider, status=422
    )
    assert (bad["error"]["code"], bad["error"]["field"]) == ("government.required", "exemption.authority")


def test_a_recorded_case_later_exempted_is_withdrawn_with_the_exemption_as_reason(gov: GovWorld) -> None:
    body = gov.body(gov.region())
    made = gov.post("dishonesty", case(body, "济处〔2026〕31号", conduct="问责处理"), headers=gov.provider)
    other = gov.post(f"dishonesty/{made['record']}/exemption", EXEMPTION, headers=gov.hiring, status=403)
    assert other["error"]["code"] == "access.forbidden"
    kept = gov.post(f"dishonesty/{made['record']}/exemption", EXEMPTION, headers=gov.provider, status=200)
    assert kept["record"] == made["record"]
    with gov.session() as session:
        record = records.get(session, made["record"])
        last = records.versions_of(session, record.id)[-1]
    assert record.state == "withdrawn"
    assert (
        last.procedure == "fault_tolerance"
        and "济容认〔2026〕3号" in last.reason
        and kept["number"] in last.reason
    )
    twice = gov.post(f"dishonesty/{made['record']}/exemption", EXEMPTION, headers=gov.provider, status=422)
    assert twice["error"]["code"] == "government.not_standing"
    archive = gov.client.get(f"/api/v1/government/bodies/{body}").json()
    assert archive["records"] == []  # withdrawn: out of public view
    assert [x["record"] for x in archive["exemptions"]] == [made["record"]]


def test_cases_on_unregistered_subjects_or_with_unknown_conduct_are_refused(gov: GovWorld) -> None:
    body = gov.body(gov.region())
    unknown = gov.post("dishonesty", case("11370100MB2859097Y", "X1"), headers=gov.provider, status=404)
    assert unknown["error"]["code"] == "government.not_registered"
    conduct = gov.post("dishonesty", case(body, "X2", conduct="通报批评"), headers=gov.provider, status=422)
    assert (conduct["error"]["code"], conduct["error"]["field"]) == ("government.conduct", "conduct")
    future = gov.post(
        "dishonesty", case(body, "X3", decision_date="2026-12-01"), headers=gov.provider, status=422
    )
    assert future["error"]["code"] == "government.future_date"
    operator = gov.post("dishonesty", case(body, "X4"), headers=gov.operator, status=403)
    assert operator["error"]["code"] == "access.forbidden"
