"""Government commitments and contracts (GOV-3): recorded with their obligations and due dates, fulfilment
tracked, overdue obligations flagged by the daily sweep, a change or termination refused unless it follows
legal procedure (LN 46, JN 51), a broken obligation recorded as government dishonesty (GOV-2)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from xinyong import sweep
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.db.engine import session_factory
from xinyong.government.models import Obligation
from xinyong.records import service as records

from ..conftest import TODAY, citizen_code, uscc_code
from .conftest import GovWorld

pytestmark = pytest.mark.req("GOV-3")


def contract(body: str, *duties: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {
        "body": body,
        "kind": "investment",
        "title": "新能源装备产业园招商引资协议",
        "counterparty_name": "某新能源科技有限公司",
        "counterparty_code": uscc_code(4242),
        "content": "企业投资建设产业园，区政府兑现土地、税收返还等优惠政策",
        "amount": "120000000",
        "signed_on": "2026-03-01",
        "published": True,
        "obligations": [{"description": d, "due_on": due} for d, due in duties],
        **extra,
    }


LAWFUL = {
    "kind": "change",
    "reason": "项目用地涉及城市轨道交通线路调整，为社会公共利益需要调整交付期限",
    "legal_basis": "《中华人民共和国民法典》第五百三十三条；市政府常务会议审议",
    "document_number": "济政字〔2026〕45号",
    "approved_by": "某市人民政府",
    "decided_on": "2026-11-20",
    "compensated": True,
    "compensation": "按合同约定支付延期期间的资金占用费",
}


def sweep_on(gov: GovWorld, day: date) -> int:
    result = sweep.run(
        session_factory(gov.engine),
        as_of=day,
        clock=gov.settings.clock,
        actor=audit_actor(system_actor(policy())),
        rules=sweep.Rules.of(gov.settings),
    )
    return result.government_overdue


def test_a_contract_is_recorded_with_its_obligations_and_their_fulfilment(gov: GovWorld) -> None:
    body = gov.body(gov.region())
    made = gov.post(
        "commitments", contract(body, ("交付项目用地", "2026-06-30"), ("兑现税收返还", "2027-03-31"))
    )
    assert made["number"].startswith("ZW20261123") and made["kind_label"] == "招商引资合同、协议"
    assert made["amount"] == "120000000.00" and made["status"] == "performing"
    first, second = made["obligations"]
    assert (first["due_on"], first["status"]) == ("2026-06-30", "pending")
    done = gov.post(f"obligations/{first['id']}/fulfilment", {"fulfilled_on": "2026-07-15"}, status=200)
    assert (done["status"], done["fulfilled_on"]) == ("fulfilled", "2026-07-15")
    again = gov.post(f"obligations/{first['id']}/fulfilment", {"fulfilled_on": "2026-07-16"}, status=422)
    assert again["error"]["code"] == "government.obligation_closed"
    gov.post(f"obligations/{second['id']}/fulfilment", {"fulfilled_on": "2026-11-23"}, status=200)
    shown = gov.client.get(f"/api/v1/government/commitments/{made['number']}", headers=gov.operator).json()
    assert shown["status"] == "fulfilled"


def test_a_contract_is_refused_with_the_row_and_field_that_are_wrong(gov: GovWorld) -> None:
    body = gov.body(gov.region())
    early = contract(body, ("交付用地", "2026-06-30"), ("返还税收", "2026-02-01"))
    refused = gov.post("commitments", early, status=422)["error"]
    assert (refused["code"], refused["field"], refused["row"]) == (
        "government.due_before_signing",
        "due_on",
        2,
    )
    for body_, code, field in (
        (contract(body), "government.obligations", "obligations"),
        (contract(body, ("交付", "2026-06-30"), amount="1.2亿"), "government.amount", "amount"),
        (contract(body, ("交付", "2026-06-30"), kind="loan"), "government.kind", "kind"),
        (
            contract(body, ("交付", "2026-06-30"), signed_on="2026-12-01"),
            "government.future_date",
            "signed_on",
        ),
    ):
        error = gov.post("commitments", body_, status=422)["error"]
        assert (error["code"], error["field"]) == (code, field)


def test_the_daily_sweep_flags_obligations_past_their_due_date(gov: GovWorld) -> None:
    body = gov.body(gov.region())
    made = gov.post("commitments", contract(body, ("交付项目用地", "2026-11-20"), ("兑现补贴", "2026-11-23")))
    assert sweep_on(gov, TODAY) >= 1
    with gov.session() as session:
        due = {o.description: o for o in session.query(Obligation).filter(Obligation.subject_key == body)}
    assert (due["交付项目用地"].status, due["交付项目用地"].overdue_since) == ("overdue", TODAY)
    assert due["兑现补贴"].status == "pending"  # due today: not yet overdue
    assert sweep_on(gov, TODAY) == 0  # flagged once
    late = gov.post(
        f"obligations/{due['交付项目用地'].id}/fulfilment", {"fulfilled_on": "2026-11-23"}, status=200
    )
    assert late["status"] == "fulfilled"  # performed late: the dates say so
    assert made["obligations"][0]["due_on"] < late["fulfilled_on"]


def test_a_change_without_legal_procedure_is_refused_and_changes_nothing(gov: GovWorld) -> None:
    body = gov.body(gov.region())
    made = gov.post("commitments", contract(body, ("交付项目用地", "2026-12-31")))
    number, duty = made["number"], made["obligations"][0]["id"]
    for missing, field in (
        ("legal_basis", "legal_basis"),
        ("document_number", "document_number"),
        ("approved_by", "approved_by"),
        ("reason", "reason"),
        ("compensation", "compensation"),
    ):
        body_ = {**LAWFUL, "obligation": duty, "new_due_on": "2027-06-30", missing: ""}
        error = gov.post(f"commitments/{number}/changes", body_, status=422)["error"]
        assert (error["code"], error["field"]) == ("government.procedure_required", field)
    for missing in ("decided_on", "compensated"):
        body_ = {key: value for key, value in LAWFUL.items() if key != missing}
        body_ |= {"obligation": duty, "new_due_on": "2027-06-30"}
        error = gov.post(f"commitments/{number}/changes", body_, status=422)["error"]
        assert (error["code"], error["field"]) == ("government.procedure_required", missing)
    changeover = {
        **LAWFUL,
        "obligation": duty,
        "new_due_on": "2027-06-30",
        "reason": "因政府换届，新一届政府重新研究",
    }
    error = gov.post(f"commitments/{number}/changes", changeover, status=422)["error"]
    assert error["code"] == "government.reason_not_lawful"
    unchanged = gov.client.get(f"/api/v1/government/commitments/{number}", headers=gov.operator).json()
    assert unchanged["obligations"][0]["due_on"] == "2026-12-31" and unchanged["changes"] == []

    changed = gov.post(
        f"commitments/{number}/changes",
        {**LAWFUL, "obligation": duty, "new_due_on": "2027-06-30"},
        status=200,
    )
    assert (
        changed["obligations"][0]["due_on"] == "2027-06-30"
        and changed["obligations"][0]["status"] == "changed"
    )
    assert (
        changed["changes"][0]["document_number"] == "济政字〔2026〕45号"
        and changed["changes"][0]["compensated"]
    )
    ended = gov.post(
        f"commitments/{number}/changes", {**LAWFUL, "kind": "termination", "compensated": False}, status=200
    )
    assert ended["status"] == "terminated" and ended["obligations"][0]["status"] == "terminated"


def test_an_overdue_obligation_found_broken_becomes_government_dishonesty(gov: GovWorld) -> None:
    body = gov.body(gov.region())
    made = gov.post("commitments", contract(body, ("兑现设备补贴", "2026-10-31"), ("交付厂房", "2027-10-31")))
    overdue, pending = made["obligations"]
    finding = {
        "facts": "逾期未兑现补贴",
        "document_number": "济发改认〔2026〕8号",
        "decided_on": "2026-11-23",
        "authority": "市发展改革委",
    }
    early = gov.post(f"obligations/{pending['id']}/breach", finding, headers=gov.provider, status=422)
    assert early["error"]["code"] == "government.not_overdue"
    sweep_on(gov, TODAY)
    recorded = gov.post(f"obligations/{overdue['id']}/breach", finding, headers=gov.provider, status=200)
    with gov.session() as session:
        record = records.get(session, recorded["record"])
    assert (record.item_code, record.subject_key) == ("government-dishonesty", body)
    assert '"conduct": "违约毁约"' in record.data and made["number"] in record.data
    shown = gov.client.get(f"/api/v1/government/commitments/{made['number']}", headers=gov.operator).json()
    assert (shown["obligations"][0]["status"], shown["obligations"][0]["record"]) == (
        "broken",
        recorded["record"],
    )


def test_the_public_sees_published_commitments_with_persons_masked(gov: GovWorld) -> None:
    body = gov.body(gov.region())
    person = contract(
        body, ("发放创业补贴", "2027-01-31"), counterparty_name="李明华", counterparty_code=citizen_code(77)
    )
    gov.post("commitments", person)
    hidden = contract(
        body, ("交付", "2027-01-31"), title="未公开的采购合同", kind="procurement", published=False
    )
    gov.post("commitments", hidden)
    shown = gov.client.get("/api/v1/government/commitments").json()
    ours = [c for c in shown if c["body"] == body]
    assert [c["counterparty_name"] for c in ours] == ["李**"]
    assert all(c["title"] != "未公开的采购合同" for c in shown)
