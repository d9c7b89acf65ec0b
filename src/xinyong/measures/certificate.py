"""A credit check as a numbered, dated PDF certificate (CHK-2): procurement files must keep proof of the
check. It is kept as a credit report of kind ``check`` under the check's number, so it verifies at
``/verify/{number}`` like a credit report."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.clock import local_time
from xinyong.disclosure.models import CreditReport
from xinyong.disclosure.pdf import Entry, FontFile, ReportContent, Section, render
from xinyong.disclosure.reports import CHECK_CERTIFICATE, verification_code
from xinyong.errors import XinyongError
from xinyong.measures.check import contents, get, summary
from xinyong.measures.models import CreditCheck

CERTIFICATE_LISTED = 1_000
"""Most codes a certificate names one by one under each verdict; the rest are counted and can be exported
under the check's number."""


@dataclass(frozen=True)
class Certifying:
    """What a certificate needs besides its check: the key for verification codes, where to verify, the
    font, who asks and when."""

    key: bytes
    verify_base: str
    font: FontFile
    actor: AuditActor
    now: datetime


def certify(
    session: Session, *, number: str, org_code: str, certifying: Certifying
) -> tuple[CreditReport, bytes]:
    """The check as a numbered, dated PDF certificate for the procurement file, kept as a credit report of
    kind ``check`` (same number as the check) so that it verifies like one. One certificate per check: a
    second would have another digest and make the first copy fail verification."""
    check = get(session, number=number, org_code=org_code)
    if check.certificate_digest is not None:
        raise XinyongError(
            "check.certificate_issued",
            f"信用审查 {check.number} 已出具证明（文件摘要 {check.certificate_digest[:16]}…），"
            "每次审查只出具一份；请使用已出具的文件，或重新审查",
            field="number",
        )
    org = access.get_org(session, check.org_code)
    results, errors = contents(check)
    pdf = render(_certificate(check, results, errors, certifying), certifying.font)
    digest = hashlib.sha256(pdf).hexdigest()
    report = CreditReport(
        number=check.number,
        # credit_report.subject_key is NOT NULL and a batch has no one subject: the certificate is filed under
        # the checking organisation's code.
        subject_key=org.code,
        kind=CHECK_CERTIFICATE,
        as_of=check.as_of,
        scope=json.dumps({"check": check.number, "scenario": check.scenario, "total": check.total}),
        issued_to=org.name[:200],
        digest=digest,
        created_at=certifying.now,
    )
    session.add(report)
    check.certificate_digest = digest
    session.flush()
    audit.record(
        session,
        at=certifying.now,
        actor=certifying.actor,
        action="check.certificate",
        target_type="credit_check",
        target_id=check.number,
        detail={"digest": digest},
    )
    return report, pdf


def _certificate(
    check: CreditCheck,
    results: Sequence[dict[str, Any]],
    errors: Sequence[dict[str, Any]],
    certifying: Certifying,
) -> ReportContent:
    facts = summary(check)
    code = verification_code(certifying.key, check.number)
    by_verdict: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        by_verdict[result["verdict"]].append(result)
    more = f"其余见审查编号 {check.number} 的审查结果导出"
    sections = [
        _section("拦截（适用惩戒措施）", by_verdict["intercept"], more),
        _section("提示（公示期内有失信信息或脱敏名单可能匹配）", by_verdict["warn"], more),
        Section(
            "通过",
            [Entry(title=f"共 {len(by_verdict['pass'])} 个", meta=_codes(by_verdict["pass"], more))]
            if by_verdict["pass"]
            else [],
            empty="无。",
        ),
        Section(
            "代码无效（未审查）",
            [
                Entry(title=f"第{e['row']}行 {e['value']}", meta=f"[{e['code']}] {e['message']}")
                for e in errors[:CERTIFICATE_LISTED]
            ],
            empty="无。",
            note=f"共 {len(errors)} 个；{more}" if len(errors) > CERTIFICATE_LISTED else None,
        ),
    ]
    return ReportContent(
        title="信用审查证明",
        noun="证明",
        issued_to_label="审查单位",
        subject_heading="审查基本情况",
        number=check.number,
        code=code,
        verify_url=f"{certifying.verify_base}/verify/{check.number}?code={code}",
        as_of=check.as_of.isoformat(),
        issued_to=facts["department"],
        subject=[
            ("审查单位", f"{facts['department']}（{check.org_code}）"),
            ("审查场景", f"{facts['scenario_name']}（{check.scenario}）"),
            ("审查目的", facts["purpose_label"]),
            ("审查时间", local_time(check.at)),
            ("操作人", check.actor_label),
            (
                "审查对象",
                f"共 {check.total} 个代码：拦截 {facts['intercepted']} 个，提示 {facts['warned']} 个，"
                f"通过 {facts['passed']} 个，代码无效 {facts['invalid']} 个",
            ),
        ],
        sections=sections,
        notes=[
            "本证明记载审查单位在上述时间、以上述场景和目的对所列代码进行信用审查的结果，依据审查时平台的名单信息"
            "（有效期内、未移出）和公示期内的失信信息；措施按奖惩措施清单在该场景的适用范围列明。",
            "名单公布的证件号码已脱敏的，仅在姓名和号码可见位均相符时列为“可能匹配”提示核实，不作为拦截依据。",
            "本证明与同编号的审查记录对应，审查单位可导出其全部结果。",
        ],
    )


def _section(title: str, results: Sequence[dict[str, Any]], more: str) -> Section:
    listed = results[:CERTIFICATE_LISTED]
    entries = [
        Entry(
            title=r["code"],
            meta="；".join(r["reasons"]),
            fields=(
                [("适用措施", "、".join(f"{m['matter']}（{m['legal_basis']}）" for m in r["measures"]))]
                if r["measures"]
                else []
            )
            + _grade(r),
        )
        for r in listed
    ]
    note = f"共 {len(results)} 个，列出前 {len(listed)} 个；{more}" if len(results) > len(listed) else None
    return Section(title, entries, empty="无。", note=note)


def _codes(results: Sequence[dict[str, Any]], more: str) -> str:
    shown = "、".join(r["code"] for r in results[:CERTIFICATE_LISTED])
    return shown + (f"……（{more}）" if len(results) > CERTIFICATE_LISTED else "")


def _grade(result: dict[str, Any]) -> list[tuple[str, str]]:
    """The subject's evaluation grade at the time of the check (CHK-1), when it had one."""
    grade = result.get("grade")
    if not grade:
        return []
    model = f"{grade['model']} {grade['model_version']}"
    marks = "，经异议重新评价" if grade.get("corrected") else ""
    marks += f"，异议处理中（{grade['objection']}）" if grade.get("objection") else ""
    return [("信用评价", f"{grade['grade']}（{grade['label']}），{model}，{grade['as_of']} 评价{marks}")]
