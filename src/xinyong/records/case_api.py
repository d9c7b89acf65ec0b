"""API of the record procedures a party starts: revocation notices from providers and their application by
the operator (REV-1), and a subject's deletion of its own positive information (REP-7)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.access.service import audit_actor
from xinyong.deadlines import service as deadlines
from xinyong.errors import Forbidden, NotFound, XinyongError
from xinyong.fields import IsoDate
from xinyong.lists.api import context
from xinyong.records import deletion, revocation
from xinyong.records.api import RecordId
from xinyong.records.models import MAX_ID, RevocationCase
from xinyong.rules import identifiers
from xinyong.subjects.service import key_of

router = APIRouter(tags=["records"])
CaseNumber = Annotated[str, PathParam(max_length=32, description="撤销变更案件编号（CX 开头）")]


class RevocationIn(BaseModel):
    record: int = Field(ge=1, le=MAX_ID, description="信用记录编号")
    kind: Literal["revoked", "changed", "void"] = Field(
        description="revoked 撤销、changed 变更、void 确认无效"
    )
    effective_on: IsoDate = Field(description="撤销、变更或确认无效的法律文书生效日期")
    document: str = Field(min_length=1, max_length=500, description="文书名称和文号")
    changes: dict[str, str] = Field(default_factory=dict, max_length=50, description="变更：字段名 → 新值")


class DeadlineOut(BaseModel):
    step: str
    label: str
    org: str
    started_on: date
    due_on: date
    done_on: date | None
    basis: str


class RevocationOut(BaseModel):
    number: str
    record: int
    provider: str
    kind: str
    effective_on: date
    document: str
    changes: dict[str, str]
    notified_on: date
    late: bool = Field(description="提供单位超过告知时限")
    status: Literal["pending", "applied"]
    applied_on: date | None
    deadlines: list[DeadlineOut]


def _out(session: Session, found: RevocationCase) -> RevocationOut:
    return RevocationOut(
        number=found.number,
        record=found.record_id,
        provider=found.provider,
        kind=found.kind,
        effective_on=found.effective_on,
        document=found.document,
        changes=json.loads(found.changes),
        notified_on=found.notified_on,
        late=found.late,
        status=found.status,
        applied_on=found.applied_on,
        deadlines=[
            DeadlineOut(
                step=d.step,
                label=d.label,
                org=d.org_code,
                started_on=d.started_on,
                due_on=d.due_on,
                done_on=d.done_on,
                basis=d.basis,
            )
            for d in deadlines.of_case(session, revocation.KIND, found.number)
        ],
    )


def _visible(actor: Actor, found: RevocationCase) -> RevocationCase:
    """The operator sees every case; a provider its own notices only."""
    if "case.handle" not in actor.permissions and found.provider != actor.org_code:
        raise NotFound("revocation.not_found", f"撤销变更案件 {found.number} 不存在")
    return found


@router.post(
    "/revocations", response_model=RevocationOut, summary="告知原决定被撤销、变更或确认无效（REV-1）"
)
def notify(
    request: Request,
    session: DB,
    body: RevocationIn,
    actor: Annotated[Actor, Depends(Permission("case.reply"))],
) -> RevocationOut:
    """A notice after the provider's deadline is accepted and marked late."""
    if actor.org_code is None:
        raise Forbidden("revocation.provider_only", "只有信息提供单位可以告知撤销、变更")
    state = request.app.state
    found = revocation.notify(
        session,
        notice=revocation.Notice(body.record, body.kind, body.effective_on, body.document, body.changes),
        provider=actor.org_code,
        rules=state.profile.revocation,
        calendar=state.calendar,
        actor=audit_actor(actor),
        today=state.settings.clock.today(),
        now=state.settings.clock.now(),
    )
    return _out(session, found)


@router.get(
    "/revocations", response_model=list[RevocationOut], summary="撤销变更案件（平台全部，提供单位本单位）"
)
def list_cases(session: DB, actor: Annotated[Actor, Depends(Permission("case.read"))]) -> list[RevocationOut]:
    provider = None if "case.handle" in actor.permissions else actor.org_code or ""
    return [_out(session, c) for c in revocation.cases(session, provider=provider)]


@router.get("/revocations/{number}", response_model=RevocationOut, summary="撤销变更案件")
def get_case(
    session: DB, number: CaseNumber, actor: Annotated[Actor, Depends(Permission("case.read"))]
) -> RevocationOut:
    return _out(session, _visible(actor, revocation.get(session, number)))


@router.post("/revocations/{number}/apply", response_model=RevocationOut, summary="平台撤销或变更信用记录")
def apply_case(
    request: Request,
    session: DB,
    number: CaseNumber,
    actor: Annotated[Actor, Depends(Permission("case.handle"))],
) -> RevocationOut:
    return _out(session, apply(request, session, actor, number))


def apply(request: Request, session: Session, actor: Actor, number: str) -> RevocationCase:
    """The API's and the case page's way to apply a case, with the list context the profile gives."""
    ctx = context(request, actor)
    return revocation.apply(session, ctx, number=number, actor=ctx.actor, today=ctx.today, now=ctx.now)


class DeletionIn(BaseModel):
    reason: str = Field(default="", max_length=500, description="删除原因（可不填）")
    subject: str | None = Field(
        default=None,
        max_length=64,
        description="平台工作人员代信用主体申请时，主体的统一社会信用代码或身份证号",
    )


class DeletionOut(BaseModel):
    record: int
    state: str
    requested_at: str


@router.post(
    "/records/{record_id}/deletion", response_model=DeletionOut, summary="申请删除本人的正面信息（REP-7）"
)
def delete_positive(
    request: Request,
    session: DB,
    record_id: RecordId,
    body: DeletionIn,
    actor: Annotated[Actor, Depends(Permission("case.file"))],
) -> DeletionOut:
    """Another subject's record, or none, is refused as not found; a record that is not positive is refused
    with ``deletion.not_positive``."""
    subject_key = requester(actor, body.subject)
    state = request.app.state
    found = deletion.delete_positive(
        session,
        record_id=record_id,
        subject_key=subject_key,
        reason=body.reason,
        actor=audit_actor(actor),
        today=state.settings.clock.today(),
        now=state.settings.clock.now(),
    )
    return DeletionOut(record=found.record_id, state="deleted", requested_at=found.requested_at.isoformat())


def requester(actor: Actor, subject: str | None) -> str:
    """The subject itself, or the operator's staff acting on its behalf (who must name it)."""
    if actor.subject_key is not None:
        return actor.subject_key
    if "case.handle" not in actor.permissions:
        raise Forbidden("deletion.subject_only", "只有信用主体本人或平台工作人员代其申请删除")
    if not subject:
        raise XinyongError("deletion.subject_required", "代信用主体申请时须填写主体代码", field="subject")
    return key_of(identifiers.validate(subject))
