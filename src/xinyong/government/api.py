"""Government integrity API: archives of bodies and civil servants (GOV-1), government dishonesty and the
fault-tolerance exemption (GOV-2), government commitments and contracts (GOV-3), regions, debt figures and
the regional evaluation (GOV-4).

The operator and the organisation department manage (``government.manage``); the departments that dealt
with a case deliver government dishonesty like any record (``record.submit``); a civil servant's archive is
read through the gate (``credit.read``), a body's archive and the evaluation are public.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from sqlalchemy.orm import Session

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, CreditReader, Permission
from xinyong.access.gate import Gate
from xinyong.access.service import audit_actor
from xinyong.errors import Forbidden, NotFound
from xinyong.government import contracts, evaluation, service
from xinyong.government.models import Commitment
from xinyong.government.schemas import (
    ArchiveEntryIn,
    ArchiveOut,
    BodyIn,
    BreachIn,
    ChangeIn,
    CommitmentIn,
    CommitmentOut,
    CorrectionIn,
    DebtIn,
    DebtOut,
    DishonestyIn,
    DishonestyOut,
    EntryOut,
    EvaluateIn,
    EvaluationOut,
    ExemptionFields,
    ExemptionOut,
    FulfilIn,
    ObligationOut,
    RecordOut,
    RegionIn,
    RegionResultOut,
    ServantIn,
)
from xinyong.records.api import RecordId

router = APIRouter(tags=["government"])
Manager = Annotated[Actor, Depends(Permission("government.manage"))]
Provider = Annotated[Actor, Depends(Permission("record.submit"))]
Anyone = Annotated[Actor, Depends(Permission("public.read"))]
Code = Annotated[str, PathParam(min_length=1, max_length=32)]
Number = Annotated[
    str, PathParam(min_length=4, max_length=32, pattern=r"^[A-Z0-9]+$", description="承诺或合同编号")
]
ItemId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
Year = Annotated[int, PathParam(ge=1, le=9999)]


def _department(actor: Actor) -> str:
    if actor.org_code is None:
        raise Forbidden("government.department_only", "只有机构账号可以报送政务失信信息")
    return actor.org_code


# ------------------------------------------------------------------------------------------- archives
@router.post(
    "/government/bodies", status_code=201, response_model=ArchiveOut, summary="建立政府机构政务信用档案"
)
def add_body(request: Request, session: DB, actor: Manager, body: BodyIn) -> ArchiveOut:
    now = request.app.state.settings.clock.now()
    made = service.register_body(
        session, code=body.code, name=body.name, region_code=body.region, actor=audit_actor(actor), now=now
    )
    return ArchiveOut(
        code=made.subject_key,
        name=made.name,
        holder="body",
        region=made.region_code,
        entries=[],
        exemptions=[],
        records=[],
    )


@router.post(
    "/government/civil-servants",
    status_code=201,
    response_model=ArchiveOut,
    summary="建立公务员政务信用档案或登记调任",
)
def add_servant(request: Request, session: DB, actor: Manager, body: ServantIn) -> ArchiveOut:
    now = request.app.state.settings.clock.now()
    made = service.register_servant(
        session,
        code=body.code,
        name=body.name,
        body_code=body.body,
        post=body.post,
        actor=audit_actor(actor),
        now=now,
    )
    return ArchiveOut(
        code=made.subject_key,
        name=made.name,
        holder="servant",
        body=made.body_key,
        post=made.post,
        entries=[],
        exemptions=[],
        records=[],
    )


def archive_out(request: Request, session: Session, gate: Gate, found: service.Archive) -> ArchiveOut:
    """The archive as this gate lets it through: entries, exemptions and the government dishonesty records
    (a civil servant's are read under the gate and logged)."""
    state = request.app.state
    dishonesty = service.read_dishonesty(
        session, gate, found, profile=state.profile, now=state.settings.clock.now()
    )
    versions = service.versions(session, found.subject.key)
    return ArchiveOut(
        code=found.subject.key,
        name=found.subject.name,
        holder="body" if found.holder == "body" else "servant",
        region=found.body.region_code if found.body is not None else None,
        body=found.servant.body_key if found.servant is not None else None,
        post=found.servant.post if found.servant is not None else None,
        entries=[EntryOut.of(e, versions.get(e.id, [])) for e in service.entries(session, found.subject.key)],
        exemptions=[ExemptionOut.of(e) for e in service.exemptions(session, found.subject.key)],
        records=[
            RecordOut(
                id=s.record.id,
                conduct=str(s.data.get("conduct", "")),
                facts=str(s.data.get("facts", "")),
                document_number=s.record.document_number,
                decision_date=s.record.decision_date,
                state=s.record.state,
            )
            for s in dishonesty
        ],
    )


def _archive(session: Session, code: str, holder: str) -> service.Archive:
    try:
        found = service.archive(session, code)
    except NotFound:
        found = None
    if found is None or found.holder != holder:
        what = "政府机构" if holder == "body" else "公务员"
        raise NotFound("government.not_registered", f"没有代码为 {code[:32]} 的{what}政务信用档案")
    return found


@router.get("/government/bodies/{code}", response_model=ArchiveOut, summary="政府机构政务信用档案（公开）")
def body_archive(
    request: Request, session: DB, code: Code, gate: Annotated[Gate, Depends(CreditReader("public.read"))]
) -> ArchiveOut:
    return archive_out(request, session, gate, _archive(session, code, "body"))


@router.get(
    "/government/civil-servants/{code}",
    response_model=ArchiveOut,
    summary="公务员政务信用档案（经可见性闸门，须列明查询目的）",
)
def servant_archive(
    request: Request, session: DB, code: Code, gate: Annotated[Gate, Depends(CreditReader("credit.read"))]
) -> ArchiveOut:
    return archive_out(request, session, gate, _archive(session, code, "servant"))


@router.post(
    "/government/archive-entries", status_code=201, response_model=EntryOut, summary="记入政务信用档案"
)
def add_entry(request: Request, session: DB, actor: Manager, body: ArchiveEntryIn) -> EntryOut:
    clock = request.app.state.settings.clock
    made = service.add_entry(
        session,
        code=body.subject,
        entry=body.entry(),
        actor=audit_actor(actor),
        now=clock.now(),
        today=clock.today(),
    )
    return EntryOut.of(made, service.versions(session, made.subject_key).get(made.id, []))


@router.post(
    "/government/archive-entries/{entry_id}/correction",
    response_model=EntryOut,
    summary="更正档案记录（新版本）",
)
def correct_entry(
    request: Request, session: DB, actor: Manager, entry_id: ItemId, body: CorrectionIn
) -> EntryOut:
    clock = request.app.state.settings.clock
    found = service.correct_entry(
        session,
        entry_id=entry_id,
        entry=body.entry(),
        reason=body.reason,
        actor=audit_actor(actor),
        now=clock.now(),
        today=clock.today(),
    )
    return EntryOut.of(found, service.versions(session, found.subject_key).get(found.id, []))


# ----------------------------------------------------------------------------------------- dishonesty
@router.post(
    "/government/dishonesty",
    status_code=201,
    response_model=DishonestyOut,
    summary="报送政务失信信息（容错纠错的不纳入）",
)
def deliver(request: Request, actor: Provider, body: DishonestyIn) -> DishonestyOut:
    state = request.app.state
    case = service.Case(
        code=body.subject,
        conduct=body.conduct,
        facts=body.facts,
        document_number=body.document_number,
        decision_date=body.decision_date,
        authority=body.authority,
        outcome=body.outcome,
        commitment_number=body.commitment_number,
        severity=body.severity,
    )
    record = service.deliver(
        state.sessions,
        case=case,
        exemption=body.exemption.decision() if body.exemption is not None else None,
        provider=_department(actor),
        actor=audit_actor(actor),
        profile=state.profile,
        clock=state.settings.clock,
    )
    return DishonestyOut(record=record)


@router.post(
    "/government/dishonesty/{record_id}/exemption",
    response_model=ExemptionOut,
    summary="已记录的案件经认定容错纠错：撤回记录",
)
def exempt(
    request: Request, session: DB, actor: Provider, record_id: RecordId, body: ExemptionFields
) -> ExemptionOut:
    kept = service.exempt(
        session,
        record_id=record_id,
        provider=_department(actor),
        decision=body.decision(),
        actor=audit_actor(actor),
        now=request.app.state.settings.clock.now(),
    )
    return ExemptionOut.of(kept)


# ---------------------------------------------------------------------------------------- commitments
def commitment_out(session: Session, request: Request, found: Commitment) -> CommitmentOut:
    duties = contracts.obligations_of(session, [found.id]).get(found.id, [])
    shown = contracts.counterparty(session, found, request.app.state.profile.masking)
    return CommitmentOut.of(found, duties, contracts.changes_of(session, found.id), shown)


@router.post(
    "/government/commitments",
    status_code=201,
    response_model=CommitmentOut,
    summary="记录政府承诺或合同及其义务",
)
def add_commitment(request: Request, session: DB, actor: Manager, body: CommitmentIn) -> CommitmentOut:
    now = request.app.state.settings.clock.now()
    made = contracts.record(session, commitment=body.commitment(), actor=audit_actor(actor), now=now)
    return commitment_out(session, request, made)


@router.get(
    "/government/commitments",
    response_model=list[CommitmentOut],
    summary="已向社会公开的政府承诺和合同及其履行情况",
)
def published_commitments(request: Request, session: DB, actor: Anyone) -> list[CommitmentOut]:
    return [commitment_out(session, request, c) for c in contracts.commitments(session, published=True)]


@router.get(
    "/government/commitments/{number}", response_model=CommitmentOut, summary="政府承诺或合同（含未公开的）"
)
def commitment(request: Request, session: DB, actor: Manager, number: Number) -> CommitmentOut:
    return commitment_out(session, request, contracts.get(session, number))


@router.post(
    "/government/commitments/{number}/changes",
    response_model=CommitmentOut,
    summary="依法变更或解除（须写明法定依据、批准和补偿）",
)
def change(request: Request, session: DB, actor: Manager, number: Number, body: ChangeIn) -> CommitmentOut:
    now = request.app.state.settings.clock.now()
    contracts.change(session, number=number, change=body.change(), actor=audit_actor(actor), now=now)
    return commitment_out(session, request, contracts.get(session, number))


@router.post(
    "/government/obligations/{obligation_id}/fulfilment", response_model=ObligationOut, summary="登记义务履行"
)
def fulfil(
    request: Request, session: DB, actor: Manager, obligation_id: ItemId, body: FulfilIn
) -> ObligationOut:
    now = request.app.state.settings.clock.now()
    done = contracts.fulfil(
        session,
        obligation_id=obligation_id,
        fulfilled_on=body.fulfilled_on,
        actor=audit_actor(actor),
        now=now,
    )
    return ObligationOut.of(done)


@router.post(
    "/government/obligations/{obligation_id}/breach",
    response_model=DishonestyOut,
    summary="认定逾期义务违约，记入政务失信",
)
def breach(request: Request, actor: Provider, obligation_id: ItemId, body: BreachIn) -> DishonestyOut:
    state = request.app.state
    record = contracts.breach(
        state.sessions,
        obligation_id=obligation_id,
        facts=body.facts,
        document_number=body.document_number,
        decided_on=body.decided_on,
        authority=body.authority,
        severity=body.severity,
        department=_department(actor),
        actor=audit_actor(actor),
        profile=state.profile,
        clock=state.settings.clock,
    )
    return DishonestyOut(record=record)


# ------------------------------------------------------------------------------------ regions and debt
@router.post("/government/regions", status_code=201, response_model=RegionIn, summary="登记行政区划")
def add_region(request: Request, session: DB, actor: Manager, body: RegionIn) -> RegionIn:
    now = request.app.state.settings.clock.now()
    made = evaluation.add_region(session, code=body.code, name=body.name, actor=audit_actor(actor), now=now)
    return RegionIn(code=made.code, name=made.name)


@router.put(
    "/government/regions/{region}/debt/{year}",
    response_model=DebtOut,
    summary="录入区域年度政府债务余额和综合财力",
)
def set_debt(
    request: Request, session: DB, actor: Manager, region: Code, year: Year, body: DebtIn
) -> DebtOut:
    state = request.app.state
    evaluation.region_or_404(session, region)
    evaluation.set_debt(
        session,
        region_code=region,
        year=year,
        debt_balance=body.debt_balance,
        fiscal_capacity=body.fiscal_capacity,
        source=body.source,
        actor=audit_actor(actor),
        now=state.settings.clock.now(),
    )
    debt = evaluation.rules(state.settings.data_dir.resolve()).debt
    return DebtOut.of(next(w for w in evaluation.warnings(session, debt) if w.region_code == region.strip()))


@router.post("/government/evaluations", response_model=EvaluationOut, summary="开展区域政务诚信评价")
def evaluate(request: Request, session: DB, actor: Manager, body: EvaluateIn) -> EvaluationOut:
    state = request.app.state
    file = evaluation.rules(state.settings.data_dir.resolve())
    as_of = body.as_of or state.settings.clock.today()
    _, results = evaluation.evaluate(
        session, file=file, as_of=as_of, actor=audit_actor(actor), now=state.settings.clock.now()
    )
    warnings = evaluation.warnings(session, file.debt)
    return EvaluationOut(
        as_of=as_of,
        results=[RegionResultOut.of(r) for r in results],
        warnings=[DebtOut.of(w) for w in warnings],
    )


@router.get(
    "/government/evaluation",
    response_model=EvaluationOut,
    summary="区域政务诚信评价结果和债务风险预警（公开）",
)
def published_evaluation(request: Request, session: DB, actor: Anyone) -> EvaluationOut:
    file = evaluation.rules(request.app.state.settings.data_dir.resolve())
    run, results = evaluation.latest(session, file)
    warnings = evaluation.warnings(session, file.debt)
    return EvaluationOut(
        as_of=run.as_of if run is not None else None,
        results=[RegionResultOut.of(r) for r in results],
        warnings=[DebtOut.of(w) for w in warnings],
    )
