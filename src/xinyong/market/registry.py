"""The registry of credit service agencies and the providers' authorizations of them (MKT-3; JN 45; CT 53).

An agency is registered by the operator with its filing number, business scope and its credit commitment;
it is a credit subject too, under its USCC, with an archive of its own. The visibility gate asks this
module, once per request, where an asking agency stands: its status and the providers' authorizations it
holds (``standing``). Only this module writes the registry and the providers' authorizations.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.access.gate import AgencyStanding, ProviderGrant
from xinyong.access.models import Organisation
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.catalog import service as catalog
from xinyong.errors import XinyongError
from xinyong.market.models import Agency, AgencyGrant
from xinyong.profiles.schema import Profile
from xinyong.rules import identifiers
from xinyong.rules.periods import add_span
from xinyong.rules.text import plain
from xinyong.subjects import service as subjects

STATUS_LABELS = {"active": "正常", "suspended": "已暂停", "cancelled": "已注销"}


@dataclass(frozen=True)
class Listed:
    """A registry row with the organisation's name, as the public list shows it."""

    agency: Agency
    name: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.agency.status]


def _text(value: str, *, field: str, label: str, max_length: int, code: str) -> str:
    text = plain(value, field=field, max_length=max_length, label=label, multiline=True)
    if not text:
        raise XinyongError(code, f"{label}不能为空", field=field)
    return text


def register(
    session: Session,
    *,
    org_code: str,
    filing_number: str,
    registered_on: date,
    business_scope: str,
    commitment: str,
    actor: AuditActor,
    now: datetime,
    today: date,
) -> Agency:
    """Enter a credit service agency in the registry (MKT-3): an organisation of kind ``agency`` with its
    USCC, its registration or filing number, business scope and its credit commitment (JN 45)."""
    org = access.get_org(session, org_code)
    if org.kind != "agency":
        raise XinyongError("agency.org_kind", f"{org.name}不是信用服务机构类机构", field="org")
    if org.uscc is None:
        raise XinyongError(
            "agency.uscc_required", f"{org.name}未登记统一社会信用代码：信用服务机构也是信用主体", field="org"
        )
    if session.scalar(select(Agency.id).where(Agency.org_code == org.code)) is not None:
        raise XinyongError("agency.exists", f"{org.name}已在信用服务机构名录中", field="org")
    number = _text(
        filing_number,
        field="filing_number",
        label="登记备案编号",
        max_length=64,
        code="agency.filing_required",
    )
    if session.scalar(select(Agency.id).where(Agency.filing_number == number)) is not None:
        raise XinyongError("agency.filing_exists", f"登记备案编号 {number} 已被使用", field="filing_number")
    if registered_on > today:
        raise XinyongError("agency.registered_on", "登记备案日期不能晚于今天", field="registered_on")
    row = Agency(
        org_code=org.code,
        uscc=org.uscc,
        filing_number=number,
        registered_on=registered_on,
        business_scope=_text(
            business_scope,
            field="business_scope",
            label="业务范围",
            max_length=500,
            code="agency.scope_required",
        ),
        commitment=_text(
            commitment,
            field="commitment",
            label="信用承诺",
            max_length=4000,
            code="agency.commitment_required",
        ),
        status="active",
        status_reason=None,
        status_since=today,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    subjects.ensure(
        session, subjects=[subjects.NewSubject(identifiers.validate(org.uscc, "uscc"), org.name)], now=now
    )
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="agency.register",
        target_type="agency",
        target_id=org.code,
        subject_key=org.uscc,
        detail={"filing_number": number, "registered_on": registered_on.isoformat()},
    )
    return row


def set_status(
    session: Session,
    *,
    org_code: str,
    status: str,
    reason: str,
    actor: AuditActor,
    now: datetime,
    today: date,
) -> Agency:
    """Suspend, reinstate or cancel an agency; a suspended or cancelled agency is given nothing. A
    cancellation is final: the agency registers anew."""
    row = _registered(session, org_code)
    if status not in STATUS_LABELS:
        known = "、".join(f"{code}（{label}）" for code, label in STATUS_LABELS.items())
        raise XinyongError("agency.status_invalid", f"状态应为：{known}", field="status")
    if row.status == "cancelled":
        raise XinyongError("agency.cancelled", "该信用服务机构已注销，不能再变更状态", field="status")
    text = plain(reason, field="reason", max_length=500, label="原因", multiline=True)
    if status != "active" and not text:
        raise XinyongError("agency.reason_required", "暂停或注销须写明原因", field="reason")
    before = row.status
    row.status, row.status_reason, row.status_since, row.updated_at = status, text or None, today, now
    audit.record(
        session,
        at=now,
        actor=actor,
        action="agency.status",
        target_type="agency",
        target_id=row.org_code,
        subject_key=row.uscc,
        detail={"from": before, "to": status, "reason": text},
    )
    return row


def _registered(session: Session, org_code: str) -> Agency:
    row = session.scalar(select(Agency).where(Agency.org_code == org_code[:64]))
    if row is None:
        raise XinyongError(
            "agency.not_found", f"名录中没有机构代码为 {org_code[:64]} 的信用服务机构", field="org"
        )
    return row


def listed(session: Session) -> list[Listed]:
    """Every registered agency with its name, active ones first (the public registry)."""
    rows = session.execute(
        select(Agency, Organisation.name)
        .join(Organisation, Organisation.code == Agency.org_code)
        .order_by(Agency.status != "active", Agency.registered_on, Agency.id)
    ).all()
    return [Listed(agency, name) for agency, name in rows]


def one(session: Session, org_code: str) -> Listed:
    row = _registered(session, org_code)
    return Listed(row, access.get_org(session, row.org_code).name)


def standing(session: Session, org_code: str | None, today: date) -> AgencyStanding:
    """Where an asking agency stands for the gate: its status and its providers' authorizations."""
    row = session.scalar(select(Agency).where(Agency.org_code == org_code)) if org_code else None
    if row is None:
        return AgencyStanding(status=None, status_label="未在信用服务机构名录中登记")
    grants = session.scalars(
        select(AgencyGrant).where(
            AgencyGrant.agency == row.org_code,
            AgencyGrant.revoked_at.is_(None),
            AgencyGrant.valid_until >= today,
        )
    )
    return AgencyStanding(
        status=row.status,
        status_label=STATUS_LABELS[row.status],
        provider_grants=tuple(_grant_view(g) for g in grants),
    )


# ------------------------------------------------------------------------------- providers' authorizations


def _grant_view(row: AgencyGrant) -> ProviderGrant:
    return ProviderGrant(
        id=row.number,
        provider=row.provider,
        agency=row.agency,
        items=frozenset(json.loads(row.items)),
        valid_until=row.valid_until,
        revoked=row.revoked_at is not None,
    )


def grantable_items(session: Session, provider: Organisation, today: date) -> list[tuple[str, str]]:
    """(code, name) of the items in force this provider delivers: the only ones it may open to agencies."""
    return [
        (f.item.code, f.item.name)
        for f in catalog.items_in_force(session, today)
        if provider.kind in f.item.providers or "*" in f.item.providers
    ]


def grant(
    session: Session,
    *,
    provider: str,
    agency: str,
    items: Sequence[str],
    valid_until: date,
    profile: Profile,
    actor: AuditActor,
    now: datetime,
    today: date,
) -> AgencyGrant:
    """A provider authorizes a registered agency to receive named items it delivers, until a stated day
    no further than the profile allows (CT 53)."""
    org = access.get_org(session, provider)
    target = _registered(session, agency)
    if target.status == "cancelled":
        raise XinyongError("agency.cancelled", "该信用服务机构已注销", field="agency")
    own = dict(grantable_items(session, org, today))
    chosen = sorted(set(items))
    foreign = [code for code in chosen if code not in own]
    if not chosen or foreign:
        raise XinyongError(
            "provider_grant.items",
            "授权须列明本单位报送的信息项（目录项代码）"
            + (f"：本单位不报送 {'、'.join(c[:64] for c in foreign)}" if foreign else ""),
            field="items",
        )
    longest = add_span(today, profile.market.provider_grant_max.value)
    if not today <= valid_until <= longest:
        raise XinyongError(
            "provider_grant.valid_until",
            f"授权截止日期应在 {today.isoformat()} 至 {longest.isoformat()} 之间（最长 "
            f"{profile.market.provider_grant_max.value.label()}）",
            field="valid_until",
        )
    row = AgencyGrant(
        number=f"JG{today.strftime('%Y%m%d')}{secrets.token_hex(4).upper()}",
        provider=org.code,
        agency=target.org_code,
        items=json.dumps(chosen),
        valid_until=valid_until,
        actor_label=actor.label,
        created_at=now,
        revoked_at=None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="provider_grant.grant",
        target_type="provider_grant",
        target_id=row.number,
        detail={"agency": target.org_code, "items": chosen, "valid_until": valid_until.isoformat()},
    )
    return row


def revoke_grant(
    session: Session, *, provider: str, number: str, actor: AuditActor, now: datetime
) -> AgencyGrant:
    """A provider withdraws its authorization at any time; the agency is given nothing more under it."""
    row = session.scalar(
        select(AgencyGrant).where(AgencyGrant.number == number[:32], AgencyGrant.provider == provider)
    )
    if row is None:
        raise XinyongError(
            "provider_grant.not_found", f"没有本单位编号为 {number[:32]} 的授权", field="number"
        )
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(
            session,
            at=now,
            actor=actor,
            action="provider_grant.revoke",
            target_type="provider_grant",
            target_id=row.number,
            detail={"agency": row.agency},
        )
    return row


def grants_by(session: Session, provider: str) -> list[AgencyGrant]:
    query = select(AgencyGrant).where(AgencyGrant.provider == provider).order_by(AgencyGrant.id.desc())
    return list(session.scalars(query))
