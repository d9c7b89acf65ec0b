"""Who is asking: the actor every permission check, visibility decision and audit row is about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from xinyong.access.models import Account
from xinyong.access.policy import Policy

ActorKind = Literal["public", "person", "client", "subject", "system"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    label: str
    roles: frozenset[str]
    permissions: frozenset[str]
    account_id: int | None = None
    org_code: str | None = None
    subject_key: str | None = None
    org_kind: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.kind != "public"


def public_actor(policy: Policy) -> Actor:
    roles = frozenset({"public"})
    return Actor("public", "公众", roles, policy.permissions(roles))


def system_actor(policy: Policy) -> Actor:
    """The machine's administrator at the command line: may do what an operator admin may."""
    roles = frozenset({"operator_admin"})
    return Actor("system", "命令行（系统管理员）", roles, policy.permissions(roles), org_code="operator")


def actor_of(account: Account, policy: Policy) -> Actor:
    roles = frozenset(r.role for r in account.roles if r.role in policy.roles) | {"public"}
    org = account.organisation
    # The label says who acted in the audit trail: unique parts (username, verified subject code) keep a
    # chosen display name from passing for someone else's.
    if account.subject_key is not None:
        label = f"信用主体 {account.display_name}（{account.subject_key}）"
    elif org is not None:
        label = f"{account.display_name}（{org.name}，{account.username}）"
    else:
        label = f"{account.display_name}（{account.username}）"
    kind: ActorKind = (
        "subject" if account.kind == "subject" else "client" if account.kind == "client" else "person"
    )
    return Actor(
        kind,
        label,
        roles,
        policy.permissions(roles),
        account_id=account.id,
        org_code=org.code if org else None,
        org_kind=org.kind if org else None,
        subject_key=account.subject_key,
    )
