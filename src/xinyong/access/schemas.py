"""Organisations, accounts, tokens and the signed-in actor as the API reads and returns them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from xinyong.access.actors import Actor
from xinyong.access.models import Account, ApiToken, Organisation
from xinyong.access.policy import ORG_KIND_LABELS, Policy
from xinyong.fields import IsoDate, Moment


class OrgIn(BaseModel):
    code: str = Field(description="机构代码，2至64位小写字母、数字、-、_")
    name: str
    kind: str = Field(description="provider、determining、user、agency、court、platform")
    uscc: str | None = None


class OrgOut(BaseModel):
    code: str
    name: str
    kind: str
    kind_label: str
    uscc: str | None
    active: bool
    created_at: Moment

    @classmethod
    def of(cls, org: Organisation) -> OrgOut:
        label = ORG_KIND_LABELS.get(org.kind, org.kind)
        return cls(
            code=org.code,
            name=org.name,
            kind=org.kind,
            kind_label=label,
            uscc=org.uscc,
            active=org.active,
            created_at=org.created_at,
        )


class AccountIn(BaseModel):
    org: str
    username: str
    display_name: str = ""
    roles: list[str]
    client: bool = Field(default=False, description="系统账号：只用访问令牌，不设密码")
    password: str | None = Field(default=None, description="个人账号的初始密码，至少 10 个字符")


class AccountPatch(BaseModel):
    active: bool | None = None
    password: str | None = None


class AccountOut(BaseModel):
    username: str
    display_name: str
    kind: str
    org: str | None
    roles: list[str]
    active: bool
    created_at: Moment

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        return cls(
            username=account.username,
            display_name=account.display_name,
            kind=account.kind,
            org=account.organisation.code if account.organisation else None,
            roles=[r.role for r in account.roles],
            active=account.active,
            created_at=account.created_at,
        )


class TokenIn(BaseModel):
    username: str
    name: str = Field(description="用途，如对接的业务系统名称")
    expires: IsoDate = Field(description="到期日（含当日），最长一年")


class TokenOut(BaseModel):
    id: int
    username: str
    name: str
    prefix: str
    created_at: Moment
    expires_at: Moment
    revoked_at: Moment | None
    last_used_at: Moment | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            id=token.id,
            username=token.account.username,
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
            last_used_at=token.last_used_at,
        )


class TokenCreated(TokenOut):
    token: str = Field(description="令牌全文，只在创建时返回这一次")


class MeOut(BaseModel):
    kind: str
    label: str
    org: str | None
    subject_key: str | None
    roles: list[str]
    permissions: list[str]

    @classmethod
    def of(cls, actor: Actor) -> MeOut:
        return cls(
            kind=actor.kind,
            label=actor.label,
            org=actor.org_code,
            subject_key=actor.subject_key,
            roles=sorted(actor.roles),
            permissions=sorted(actor.permissions),
        )


class PurposeOut(BaseModel):
    code: str
    label: str
    roles: list[str]

    @classmethod
    def all(cls, policy: Policy) -> list[PurposeOut]:
        return [cls(code=k, label=p.label, roles=p.roles) for k, p in policy.purposes.items()]
