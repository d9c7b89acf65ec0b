"""Disclosure API: search, a subject's records as the asking party may see them, authorizations (DIS-1..6)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query, Request, Response, UploadFile

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, CreditReader, Permission, PublicAccess
from xinyong.access.gate import Gate
from xinyong.access.service import audit_actor
from xinyong.disclosure import reports, service
from xinyong.disclosure.models import Grant
from xinyong.disclosure.pdf import find_font
from xinyong.disclosure.schemas import (
    GrantOut,
    RecordOut,
    ReportCheckOut,
    SearchOut,
    SubjectOut,
    SubjectRecordsOut,
    VersionOut,
)
from xinyong.errors import NotFound, XinyongError
from xinyong.fields import IsoDate
from xinyong.lists.service import list_types
from xinyong.market.service import RESPONSIBILITY as SELF_DECLARED
from xinyong.records.service import versions_by_record
from xinyong.subjects import service as subjects
from xinyong.subjects.models import Subject

router = APIRouter(tags=["disclosure"])
Code = Annotated[str, Path(max_length=64, description="统一社会信用代码或证件号码")]


def subject_out(subject: Subject, request: Request, *, masked: bool) -> SubjectOut:
    masking = request.app.state.profile.masking
    if not masked:
        return SubjectOut(code=subject.key, name=subject.name, kind=subject.kind)
    return SubjectOut(
        code=service.shown_key(subject, masking), name=service.shown_name(subject, masking), kind=subject.kind
    )


def known_subject(session: DB, code: str) -> Subject:
    subject = subjects.find(session, code)
    if subject is None:
        raise NotFound("subject.not_found", "没有该代码的信用主体", field="code")
    return subject


@router.get("/subjects", response_model=SearchOut, summary="按名称或代码查找信用主体（公开）")
def search(
    request: Request,
    session: DB,
    actor: PublicAccess,
    q: Annotated[str, Query(max_length=1000, description="名称（简繁体、全半角均可，可只写一部分）或代码")],
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchOut:
    found = subjects.search(session, q, offset=offset, limit=limit)
    return SearchOut(
        total=found.total, subjects=[subject_out(s, request, masked=True) for s in found.subjects]
    )


@router.get(
    "/subjects/{code}/records",
    response_model=SubjectRecordsOut,
    summary="信用主体的信用记录（公众看公开信息；部门列明目的看共享信息；被授权方看授权范围；本人看全部）",
)
def subject_records(
    request: Request,
    session: DB,
    code: Code,
    gate: Annotated[Gate, Depends(CreditReader("public.read"))],
) -> SubjectRecordsOut:
    subject = known_subject(session, code)
    shown = service.visible_records(
        session,
        gate,
        subject,
        masking=request.app.state.profile.masking,
        marked_shown=service.marked_shown(request.app.state.profile),
        now=request.app.state.settings.clock.now(),
        authorizations=service.authorizations_for(session, subject.key, gate.actor),
    )
    own = gate.actor.subject_key == subject.key
    versions = versions_by_record(session, [s.record.id for s in shown]) if own else {}
    records = [
        RecordOut(
            id=s.record.id,
            item=s.item.code,
            item_name=s.item.name,
            category=s.item.category,
            provider=s.record.provider,
            document_number=s.data.get(s.item.document.number_field) if s.item.document else None,
            decision_date=s.record.decision_date,
            public_until=s.record.public_until,
            state=s.record.state,
            mode=s.decision.mode or "",
            authorization=s.decision.authorization_id,
            data=s.data,
            self_declared=SELF_DECLARED if s.item.self_declared else None,
            versions=[
                VersionOut(
                    version=v.version,
                    state=v.state,
                    procedure=v.procedure,
                    reason=v.reason,
                    actor=v.actor_label,
                    at=v.at,
                )
                for v in versions.get(s.record.id, [])
            ]
            if own
            else None,
        )
        for s in shown
    ]
    masked = not own and not any(s.decision.mode in ("shared", "authorized") for s in shown)
    return SubjectRecordsOut(subject=subject_out(subject, request, masked=masked), records=records)


def grant_out(row: Grant) -> GrantOut:
    return GrantOut(
        number=row.number,
        grantee=row.grantee_org,
        grantee_name=row.grantee_label,
        items=json.loads(row.items),
        purpose=row.purpose,
        valid_until=row.valid_until,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


Manager = Annotated[Actor, Depends(Permission("authorization.manage"))]


@router.get("/authorizations", response_model=list[GrantOut], summary="本人作出的授权")
def my_grants(session: DB, actor: Manager) -> list[GrantOut]:
    return [grant_out(g) for g in service.grants_of(session, service.granting_subject(actor))]


# --------------------------------------------------------------------------------------------- credit reports


def pdf_response(issued: reports.Issued) -> Response:
    name = f"{reports.kinds_label(issued.report.kind)}-{issued.report.number}.pdf"
    return Response(
        issued.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "X-Report-Number": issued.report.number,
        },
    )


def issuing(request: Request, gate: Gate) -> reports.Issuing:
    state = request.app.state
    return reports.Issuing(
        masking=state.profile.masking,
        marked_shown=service.marked_shown(state.profile),
        key=state.secret_key,
        verify_base=str(request.base_url).rstrip("/"),
        font=find_font(state.settings.data_dir),
        actor=audit_actor(gate.actor),
        now=state.settings.clock.now(),
        list_types=list_types(state.settings.data_dir.resolve()),
    )


PDF_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "PDF"}
}


@router.get(
    "/subjects/{code}/report",
    response_class=Response,
    responses=PDF_RESPONSE,
    summary="出具信用报告（PDF）：本人版（subject）或公开信息版（public）",
)
def credit_report(
    request: Request,
    session: DB,
    code: Code,
    gate: Annotated[Gate, Depends(CreditReader("credit.read"))],
    kind: Annotated[
        Literal["subject", "public"], Query(description="subject 本人版；public 公开信息版")
    ] = "public",
) -> Response:
    subject = known_subject(session, code)
    return pdf_response(reports.issue(session, gate, subject, kind=kind, issuing=issuing(request, gate)))


@router.get(
    "/subjects/{code}/special-report",
    response_class=Response,
    responses=PDF_RESPONSE,
    summary="出具专项信用报告（PDF，替代无违法违规证明；信用主体本人）",
)
def special_report(
    request: Request,
    session: DB,
    code: Code,
    gate: Annotated[Gate, Depends(CreditReader("credit.read"))],
    domains: Annotated[list[str], Query(max_length=20, description="领域代码，可多选")],
    start: Annotated[IsoDate, Query(description="查询期间开始日期")],
    end: Annotated[IsoDate, Query(description="查询期间结束日期")],
) -> Response:
    state = request.app.state
    subject = known_subject(session, code)
    issued = reports.issue_special(
        session,
        gate,
        subject,
        chosen=[d[:32] for d in domains],
        start=start,
        end=end,
        profile=state.profile,
        issuing=issuing(request, gate),
    )
    return pdf_response(issued)


ReportNumber = Annotated[str, Path(max_length=32, description="报告编号或名单文书编号")]
VerificationCode = Annotated[str, Query(max_length=32, description="报告上的验证码")]


def report_out(
    request: Request, session: DB, row: reports.Verifiable, uploaded: bytes | None = None
) -> ReportCheckOut:
    certificate = row.kind == reports.CHECK_CERTIFICATE  # about a batch of subjects, not one
    subject = (
        None if certificate else subject_out(known_subject(session, row.subject_key), request, masked=True)
    )
    return ReportCheckOut(
        number=row.number,
        kind=row.kind,
        title=row.title,
        as_of=row.as_of,
        issued_at=row.created_at,
        subject=subject,
        digest=row.digest,
        file_matches=None if uploaded is None else reports.matches(row, uploaded),
    )


def checked_report(request: Request, session: DB, number: str, code: str) -> reports.Verifiable:
    row = reports.find(session, key=request.app.state.secret_key, number=number, code=code)
    if row is None:
        raise NotFound("report.not_found", "没有与该编号和验证码相符的信用报告或名单文书", field="number")
    return row


@router.get(
    "/reports/{number}", response_model=ReportCheckOut, summary="核验信用报告或名单文书：编号与验证码是否相符"
)
def check_report(
    request: Request, session: DB, actor: PublicAccess, number: ReportNumber, code: VerificationCode
) -> ReportCheckOut:
    return report_out(request, session, checked_report(request, session, number, code))


@router.post(
    "/reports/{number}/verify",
    response_model=ReportCheckOut,
    summary="核验信用报告或名单文书文件：上传的 PDF 是否与出具时一致",
)
def verify_report_file(
    request: Request,
    session: DB,
    actor: PublicAccess,
    number: ReportNumber,
    code: Annotated[str, Form(max_length=32)],
    file: UploadFile,
) -> ReportCheckOut:
    row = checked_report(request, session, number, code)
    content = file.file.read(reports.MAX_FILE + 1)
    if len(content) > reports.MAX_FILE:
        raise XinyongError(
            "file.too_large", f"报告文件不超过 {reports.MAX_FILE // (1024 * 1024)} MB", field="file"
        )
    return report_out(request, session, row, content)
