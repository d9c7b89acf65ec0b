"""Access API: who am I, the purposes a query may name, and the operator's organisations, accounts, tokens.

Routes are thin: each declares its permission, calls the service, commits.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status

from xinyong.access import ratelimit, service
from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission, PublicAccess, now
from xinyong.access.policy import Policy
from xinyong.access.schemas import (
    AccountIn,
    AccountOut,
    AccountPatch,
    MeOut,
    OrgIn,
    OrgOut,
    PurposeOut,
    TokenCreated,
    TokenIn,
    TokenOut,
)
from xinyong.clock import CHINA_TZ

router = APIRouter(tags=["access"])

TokenId = Annotated[int, Path(ge=1, le=2**31 - 1, description="令牌编号")]


def _policy(request: Request) -> Policy:
    policy: Policy = request.app.state.policy
    return policy


@router.get("/me", response_model=MeOut, summary="当前身份、角色与权限")
def me(actor: Annotated[Actor, Depends(Permission("self.read"))]) -> MeOut:
    return MeOut.of(actor)


@router.get(
    "/purposes", response_model=list[PurposeOut], summary="查询目的清单（部门查询非公开信息时须列明）"
)
def purposes(request: Request, _: PublicAccess) -> list[PurposeOut]:
    return PurposeOut.all(_policy(request))


@router.get("/orgs", response_model=list[OrgOut], summary="机构列表")
def list_orgs(session: DB, _: Annotated[Actor, Depends(Permission("org.read"))]) -> list[OrgOut]:
    return [OrgOut.of(org) for org in service.list_orgs(session)]


@router.post("/orgs", response_model=OrgOut, status_code=status.HTTP_201_CREATED, summary="登记机构")
def create_org(
    request: Request, session: DB, body: OrgIn, actor: Annotated[Actor, Depends(Permission("org.manage"))]
) -> OrgOut:
    org = service.create_org(
        session, by=actor, now=now(request), code=body.code, name=body.name, kind=body.kind, uscc=body.uscc
    )
    session.commit()
    return OrgOut.of(org)


@router.get("/accounts", response_model=list[AccountOut], summary="账号列表")
def list_accounts(session: DB, _: Annotated[Actor, Depends(Permission("account.read"))]) -> list[AccountOut]:
    return [AccountOut.of(account) for account in service.list_accounts(session)]


@router.post("/accounts", response_model=AccountOut, status_code=status.HTTP_201_CREATED, summary="创建账号")
def create_account(
    request: Request,
    session: DB,
    body: AccountIn,
    actor: Annotated[Actor, Depends(Permission("account.manage"))],
) -> AccountOut:
    account = service.create_account(
        session,
        by=actor,
        policy=_policy(request),
        now=now(request),
        org_code=body.org,
        username=body.username,
        display_name=body.display_name,
        roles=body.roles,
        client=body.client,
        password=body.password,
    )
    session.commit()
    return AccountOut.of(account)


@router.patch("/accounts/{username}", response_model=AccountOut, summary="停用、启用账号或重设密码")
def update_account(
    request: Request,
    session: DB,
    username: str,
    body: AccountPatch,
    actor: Annotated[Actor, Depends(Permission("account.manage"))],
) -> AccountOut:
    moment = now(request)
    if body.password is not None:
        service.set_password(session, by=actor, now=moment, username=username, password=body.password)
    if body.active is not None:
        service.set_active(session, by=actor, now=moment, username=username, active=body.active)
    session.commit()
    return AccountOut.of(service.get_account(session, username))


@router.get("/tokens", response_model=list[TokenOut], summary="访问令牌列表（不含令牌全文）")
def list_tokens(session: DB, _: Annotated[Actor, Depends(Permission("token.read"))]) -> list[TokenOut]:
    return [TokenOut.of(token) for token in service.list_tokens(session)]


@router.post(
    "/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED, summary="创建访问令牌"
)
def create_token(
    request: Request, session: DB, body: TokenIn, actor: Annotated[Actor, Depends(Permission("token.manage"))]
) -> TokenCreated:
    """The token is in this response only; the platform keeps just a keyed hash of it."""
    limiter: ratelimit.Limiter = request.app.state.limiter
    limiter.take(ratelimit.TOKEN_CREATIONS, "token-create", str(actor.account_id or actor.label))
    issued = service.create_token(
        session,
        by=actor,
        key=request.app.state.secret_key,
        now=now(request),
        username=body.username,
        name=body.name,
        expires_at=datetime.combine(body.expires, time.max, tzinfo=CHINA_TZ),
    )
    session.commit()
    return TokenCreated(**TokenOut.of(issued.token).model_dump(), token=issued.value)


@router.delete("/tokens/{token_id}", response_model=TokenOut, summary="吊销访问令牌")
def revoke_token(
    request: Request,
    session: DB,
    token_id: TokenId,
    actor: Annotated[Actor, Depends(Permission("token.manage"))],
) -> TokenOut:
    token = service.revoke_token(session, by=actor, now=now(request), token_id=token_id)
    session.commit()
    return TokenOut.of(token)
