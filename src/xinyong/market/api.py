"""Market API: collectors record consents and submit market credit information under them (MKT-1); the
subject sees its consents; the public sees the agency registry, the operator keeps it, providers authorize
agencies (MKT-3). Reads of credit records go through ``/api/v1/subjects/{code}/records`` and the gate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request, UploadFile

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission, PublicAccess
from xinyong.access.service import audit_actor
from xinyong.errors import Forbidden, XinyongError
from xinyong.evidence import checked
from xinyong.fields import IsoDate
from xinyong.market import registry, service
from xinyong.market.schemas import (
    AgencyIn,
    AgencyOut,
    ConsentOut,
    MarketRecordsIn,
    ProviderGrantIn,
    ProviderGrantOut,
    StatusIn,
)
from xinyong.records.schemas import ImportOut
from xinyong.web.forms import uploads

router = APIRouter(tags=["market"])
Collector = Annotated[Actor, Depends(Permission("market.submit"))]
Operator = Annotated[Actor, Depends(Permission("agency.manage"))]
Provider = Annotated[Actor, Depends(Permission("provider_grant.manage"))]
OrgCode = Annotated[str, Path(max_length=64, description="信用服务机构的机构代码")]
GrantNumber = Annotated[str, Path(max_length=32, description="授权编号")]


def own_org(actor: Actor) -> str:
    if actor.org_code is None:
        raise Forbidden("market.org_only", "只有机构账号可以进行此操作")
    return actor.org_code


# -------------------------------------------------------------------------------------- consents (MKT-1)


@router.post(
    "/market/consents",
    response_model=ConsentOut,
    status_code=201,
    summary="采集单位登记信用主体的采集同意（附签署的同意书）",
)
async def record_consent(
    request: Request,
    session: DB,
    actor: Collector,
    subject: Annotated[str, Form(max_length=64, description="信用主体的统一社会信用代码或公民身份号码")],
    kinds: Annotated[list[str], Form(max_length=20, description="可采集的信息种类代码")],
    method: Annotated[str, Form(max_length=32)],
    use: Annotated[str, Form(max_length=32, description="一项信息用途的代码")],
    told: Annotated[list[str], Form(max_length=20, description="同意书载明已告知的事项代码")],
    valid_until: Annotated[IsoDate, Form()],
    document: UploadFile,
    service_conditional: Annotated[
        bool, Form(description="是否以同意采集作为提供服务的条件（须为否）")
    ] = False,
) -> ConsentOut:
    files = checked(await uploads([document]), code="market.consent_document", field="document")
    if not files:
        raise XinyongError(
            "market.consent_document", "须上传信用主体签署的同意书（PDF、JPEG 或 PNG）", field="document"
        )
    state = request.app.state
    row = service.give(
        session,
        subject_key=service.subject_of(subject),
        form=service.ConsentForm(
            collector=own_org(actor),
            kinds=kinds,
            method=method,
            use=use,
            told=told,
            valid_until=valid_until,
            service_conditional=service_conditional,
        ),
        document=files[0],
        data_dir=state.settings.data_dir.resolve(),
        profile=state.profile,
        actor=audit_actor(actor),
        now=state.settings.clock.now(),
        today=state.settings.clock.today(),
    )
    return ConsentOut.of(row)


@router.get("/market/consents", response_model=list[ConsentOut], summary="本单位取得的采集同意")
def collector_consents(session: DB, actor: Collector) -> list[ConsentOut]:
    return [ConsentOut.of(c) for c in service.consents_by(session, own_org(actor))]


@router.post(
    "/market/records",
    response_model=ImportOut,
    summary="报送市场信用信息：每条核验采集同意（无同意、过期、撤回或超出范围的按行拒收）",
)
def submit_records(request: Request, body: MarketRecordsIn, actor: Collector) -> ImportOut:
    state = request.app.state
    summary = service.submit(
        state.sessions,
        collector=own_org(actor),
        records=body.records,
        actor=audit_actor(actor),
        profile=state.profile,
        clock=state.settings.clock,
    )
    return ImportOut.model_validate(summary.as_dict())


@router.get(
    "/me/consents",
    response_model=list[ConsentOut],
    summary="本人作出的采集同意（在“我的信用”页面给予和撤回）",
)
def my_consents(
    session: DB, actor: Annotated[Actor, Depends(Permission("consent.manage"))]
) -> list[ConsentOut]:
    if actor.subject_key is None:
        raise Forbidden("market.subject_only", "只有信用主体本人可以查看其采集同意")
    return [ConsentOut.of(c) for c in service.consents_of(session, actor.subject_key)]


# ----------------------------------------------------------------------------- agency registry (MKT-3)


@router.get("/agencies", response_model=list[AgencyOut], summary="信用服务机构名录（公开）")
def agencies(session: DB, actor: PublicAccess) -> list[AgencyOut]:
    return [AgencyOut.of(found) for found in registry.listed(session)]


@router.post("/agencies", response_model=AgencyOut, status_code=201, summary="登记信用服务机构")
def register(request: Request, session: DB, body: AgencyIn, actor: Operator) -> AgencyOut:
    clock = request.app.state.settings.clock
    row = registry.register(
        session,
        org_code=body.org,
        filing_number=body.filing_number,
        registered_on=body.registered_on,
        business_scope=body.business_scope,
        commitment=body.commitment,
        actor=audit_actor(actor),
        now=clock.now(),
        today=clock.today(),
    )
    return AgencyOut.of(registry.one(session, row.org_code))


@router.post("/agencies/{code}/status", response_model=AgencyOut, summary="暂停、恢复或注销信用服务机构")
def change_status(request: Request, session: DB, code: OrgCode, body: StatusIn, actor: Operator) -> AgencyOut:
    clock = request.app.state.settings.clock
    row = registry.set_status(
        session,
        org_code=code,
        status=body.status,
        reason=body.reason,
        actor=audit_actor(actor),
        now=clock.now(),
        today=clock.today(),
    )
    return AgencyOut.of(registry.one(session, row.org_code))


@router.get(
    "/agencies/grants", response_model=list[ProviderGrantOut], summary="本单位对信用服务机构的授权（CT 53）"
)
def provider_grants(session: DB, actor: Provider) -> list[ProviderGrantOut]:
    return [ProviderGrantOut.of(g) for g in registry.grants_by(session, own_org(actor))]


@router.post(
    "/agencies/grants",
    response_model=ProviderGrantOut,
    status_code=201,
    summary="授权信用服务机构获取本单位报送的信息项（还须信用主体授权）",
)
def grant(request: Request, session: DB, body: ProviderGrantIn, actor: Provider) -> ProviderGrantOut:
    state = request.app.state
    row = registry.grant(
        session,
        provider=own_org(actor),
        agency=body.agency,
        items=[code[:64] for code in body.items],
        valid_until=body.valid_until,
        profile=state.profile,
        actor=audit_actor(actor),
        now=state.settings.clock.now(),
        today=state.settings.clock.today(),
    )
    return ProviderGrantOut.of(row)


@router.post(
    "/agencies/grants/{number}/revoke", response_model=ProviderGrantOut, summary="撤回对信用服务机构的授权"
)
def revoke_grant(request: Request, session: DB, number: GrantNumber, actor: Provider) -> ProviderGrantOut:
    row = registry.revoke_grant(
        session,
        provider=own_org(actor),
        number=number,
        actor=audit_actor(actor),
        now=request.app.state.settings.clock.now(),
    )
    return ProviderGrantOut.of(row)
