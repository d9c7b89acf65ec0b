"""Audit API: the operator reviews and verifies the log (SEC-2); a subject sees who read its information."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, CreditReader, Permission
from xinyong.access.gate import Gate, Info
from xinyong.audit import service
from xinyong.audit.anchors import verify_and_anchor
from xinyong.audit.schemas import AccessLogEntry, AuditEventOut
from xinyong.errors import Forbidden

router = APIRouter(tags=["audit"])

Page = Annotated[int, Query(ge=1, le=service.MAX_PAGE, description="每页条数")]
Before = Annotated[int | None, Query(ge=1, le=2**62, description="翻页：上一页最后一条的 seq")]


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: str | None
    message: str
    head_seq: int
    head_hash: str


@router.get("/audit/events", response_model=list[AuditEventOut], summary="审计日志（新的在前）")
def audit_events(
    session: DB,
    _: Annotated[Actor, Depends(Permission("audit.read"))],
    limit: Page = 100,
    before_seq: Before = None,
    action: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z_.:-]+$")] = None,
    subject_key: Annotated[str | None, Query(max_length=64, pattern=r"^[0-9A-Za-z]+$")] = None,
) -> list[AuditEventOut]:
    return service.events(session, limit=limit, before_seq=before_seq, action=action, subject_key=subject_key)


@router.post("/audit/verify", response_model=VerifyOut, summary="核验审计日志哈希链，并记下链头锚点")
def audit_verify(
    request: Request, session: DB, _: Annotated[Actor, Depends(Permission("audit.verify"))]
) -> VerifyOut:
    """Also checks, and then extends, the anchors kept outside the database (see ``audit.anchors``)."""
    settings = request.app.state.settings
    result = verify_and_anchor(session, settings.data_dir, settings.clock.now())
    return VerifyOut(
        ok=result.ok,
        checked=result.checked,
        first_bad_seq=result.first_bad_seq,
        problem=result.problem_code,
        message=result.message,
        head_seq=result.head_seq,
        head_hash=result.head_hash,
    )


@router.get(
    "/me/access-log", response_model=list[AccessLogEntry], summary="谁查询了本主体的非公开信息（本人可见）"
)
def my_access_log(
    session: DB,
    gate: Annotated[Gate, Depends(CreditReader("subject.access_log"))],
    limit: Page = 100,
    before_seq: Before = None,
) -> list[AccessLogEntry]:
    subject_key = gate.actor.subject_key
    if subject_key is None:
        raise Forbidden("access.not_subject", "只有信用主体本人可以查看本主体的查询记录")
    gate.check(
        Info(subject_key=subject_key, grade="subject_only", item="access-log"), action="access_log.read"
    )
    return service.access_log(session, subject_key=subject_key, limit=limit, before_seq=before_seq)
