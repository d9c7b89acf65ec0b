"""The written repair decision (REP-4) as a PDF in the credit-report layout: issued the first time it is
asked for once the case is decided, numbered, its SHA-256 digest kept on the case, the file under
``documents/`` like the list documents, so the copy downloaded later is the one issued."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.catalog import service as catalog
from xinyong.disclosure.pdf import Entry, FontFile, ReportContent, Section, render
from xinyong.disclosure.service import is_person
from xinyong.errors import NotFound, XinyongError
from xinyong.lists.documents import verification_code
from xinyong.records import service as records
from xinyong.repair import service
from xinyong.repair.models import RepairCase
from xinyong.subjects import service as subjects

TITLE = {"applied": "信用修复决定书", "refused": "不予信用修复决定书"}


def decision_pdf(
    session: Session, case: RepairCase, *, font: FontFile, key: bytes, verify_base: str, data_dir: Path
) -> bytes:
    """The decision of a decided case; issued once, then served from the kept file. The case row is locked
    first, so two first downloads at once issue it once."""
    if case.status not in TITLE or case.decided_on is None:
        raise XinyongError("repair.not_decided", f"信用修复申请 {case.number} 尚未作出决定")
    if case.document is None:
        session.refresh(case, with_for_update=True)
    path = data_dir / "documents" / f"{case.document}.pdf"
    if case.document is not None:
        kept = path.read_bytes() if path.is_file() else b""
        if hashlib.sha256(kept).hexdigest() != case.document_digest:
            raise NotFound("repair.document_missing", f"决定书 {case.document} 的文件缺失或与出具时不一致")
        return kept
    subject = subjects.get(session, case.subject_key)
    record = records.get(session, case.record_id)
    item = catalog.items_by_id(session, [record.item_id])[record.item_id]
    number = f"WS{case.decided_on:%Y%m%d}{case.number[-8:]}"
    code = verification_code(key, number)
    provider = access.get_org(session, case.provider).name
    facts = [
        ("申请编号", case.number),
        ("申请日期", case.filed_on.isoformat()),
        ("修复的信用记录", f"{item.name} {record.document_number or ''}（信息提供单位：{provider}）"),
        ("纠正日期", case.corrected_on.isoformat()),
        ("纠正情况", case.correction),
        ("修复方式", "、".join(service.ways_of(case))),
    ]
    if case.commitment:
        facts.append(("信用承诺", case.commitment))
    if case.reorganization_ruling:
        facts.append(("破产重整裁定", f"{case.reorganization_ruling}（{case.reorganization_on}）"))
    if case.opinion:
        facts.append(("信息提供单位意见", f"{'同意' if case.agrees else '不同意'}：{case.opinion}"))
    content = ReportContent(
        title=TITLE[case.status],
        number=number,
        code=code,
        verify_url=f"{verify_base}/verify/{number}?code={code}",
        as_of=case.decided_on.isoformat(),
        issued_to=subject.name,
        subject=[
            ("姓名" if is_person(subject) else "名称", subject.name),
            ("证件号码" if is_person(subject) else "统一社会信用代码", subject.key),
        ],
        sections=[
            Section("申请事项", [Entry(title="信用修复申请", meta=f"编号 {case.number}", fields=facts)]),
            Section("决定", [], empty="", paragraphs=[case.reasons or "", "信用修复不收取任何费用。"]),
        ],
        notes=["本决定书经公共信用信息平台送达，平台留存文件摘要备查。"],
        noun="文书",
        as_of_label="作出日期",
        issued_to_label="送达对象",
    )
    pdf = render(content, font)
    path = data_dir / "documents" / f"{number}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    case.document, case.document_digest = number, hashlib.sha256(pdf).hexdigest()
    return pdf
