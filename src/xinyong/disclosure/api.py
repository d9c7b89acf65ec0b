"""Disclosure API: search, a subject's records as the asking party may see them, authorizations (DIS-1..6)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, CreditReader, Permission, PublicAccess
from xinyong.access.gate import Gate
from xinyong.disclosure import service
from xinyong.disclosure.models import Grant
from xinyong.disclosure.schemas import (
    GrantOut,
    RecordOut,
    SearchOut,
    SubjectOut,
    SubjectRecordsOut,
    VersionOut,
)
from xinyong.errors import Forbidden, NotFound
from xinyong.records.service import versions_of
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
    subject = service.find_subject(session, code)
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
    found = service.search(session, q, offset=offset, limit=limit)
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
        now=request.app.state.settings.clock.now(),
        authorizations=service.authorizations_for(session, subject.key, gate.actor),
    )
    own = gate.actor.subject_key == subject.key
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
            versions=[
                VersionOut(
                    version=v.version,
                    state=v.state,
                    procedure=v.procedure,
                    reason=v.reason,
                    actor=v.actor_label,
                    at=v.at,
                )
                for v in versions_of(session, s.record.id)
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


def own_subject(actor: Actor) -> str:
    if actor.subject_key is None:
        raise Forbidden("authorization.subject_only", "只有信用主体本人可以管理对本人信息的授权")
    return actor.subject_key


Manager = Annotated[Actor, Depends(Permission("authorization.manage"))]


@router.get("/authorizations", response_model=list[GrantOut], summary="本人作出的授权")
def my_grants(session: DB, actor: Manager) -> list[GrantOut]:
    return [grant_out(g) for g in service.grants_of(session, own_subject(actor))]
