"""Commitments API: the list of commitment matters (COM-1), and the accepting department's finding on a
commitment's fulfilment (COM-2)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from xinyong.access.actors import Actor
from xinyong.access.deps import Permission
from xinyong.access.service import audit_actor
from xinyong.commitments import service
from xinyong.commitments.schema import KIND_LABELS
from xinyong.errors import Forbidden
from xinyong.records.api import RecordId

router = APIRouter(tags=["commitments"])


class MatterOut(BaseModel):
    code: str
    name: str
    kind: str
    kind_label: str
    department: str
    basis: str


@router.get("/commitments/matters", response_model=list[MatterOut], summary="信用承诺事项清单（COM-1）")
def list_matters(
    request: Request, actor: Annotated[Actor, Depends(Permission("public.read"))]
) -> list[MatterOut]:
    found = service.matters(request.app.state.settings.data_dir.resolve())
    return [MatterOut(**m.model_dump(), kind_label=KIND_LABELS[m.kind]) for m in found.matters.values()]


class FulfilmentIn(BaseModel):
    outcome: Literal["kept", "broken", "false"] = Field(
        description="kept 已履行、broken 未履行、false 虚假承诺"
    )
    facts: str = Field(default="", max_length=2000, description="未履行或虚假承诺的失信事实")
    document_number: str = Field(default="", max_length=128, description="认定文书编号")
    severity: Literal["minor", "general", "serious"] = "general"


class FulfilmentOut(BaseModel):
    record: int
    outcome: str
    job: int | None = Field(description="失信信息的导入批次（未履行或虚假承诺时）")


@router.post(
    "/commitments/{record_id}/fulfilment",
    response_model=FulfilmentOut,
    summary="记录信用承诺的履约情况（COM-2）",
)
def fulfil(
    request: Request,
    record_id: RecordId,
    body: FulfilmentIn,
    actor: Annotated[Actor, Depends(Permission("case.reply"))],
) -> FulfilmentOut:
    """Only the department that accepted (and delivered) the commitment may say whether it was kept; a
    broken or false commitment becomes a dishonesty record through ingestion."""
    if actor.org_code is None:
        raise Forbidden("commitment.department_only", "只有受理承诺的部门可以记录履约情况")
    state = request.app.state
    done = service.fulfil(
        state.sessions,
        record_id=record_id,
        assessment=service.Assessment(body.outcome, body.facts, body.document_number, body.severity),
        department=actor.org_code,
        actor=audit_actor(actor),
        profile=state.profile,
        clock=state.settings.clock,
    )
    return FulfilmentOut(record=done.record, outcome=done.outcome, job=done.job)
