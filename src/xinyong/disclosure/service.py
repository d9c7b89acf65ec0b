"""What each party may see of a subject: the public, departments on duty, authorized parties, the subject
itself (DIS-1..6, DATA-3, PER-2).

Every record shown goes through the one gate (``access.gate``): this module only says what a record is (its
grade, the departments it is shared with, whether it is inside its public period today) and masks what the
public sees of natural persons. Authorizations are written here and nowhere else.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.access.actors import Actor
from xinyong.access.gate import Authorization, Decision, Gate, Info
from xinyong.access.policy import Policy
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.catalog import service as catalog
from xinyong.catalog.schema import Item
from xinyong.db.bulk import insert_ignore
from xinyong.disclosure.models import Grant, Receipt
from xinyong.errors import Forbidden, XinyongError
from xinyong.outbox import service as outbox
from xinyong.profiles.schema import Masking, Profile
from xinyong.records.models import STANDING_STATES, Record
from xinyong.records.service import records_of
from xinyong.rules.masking import mask_address, mask_citizen_id, mask_name, mask_phone
from xinyong.rules.periods import add_span
from xinyong.subjects.models import Subject

# The catalog's disclosure modes and the information grades of the access policy are the same words.
STATE_LABELS = {
    "active": "有效",
    "archived": "公示期满，已转档案",
    "withdrawn": "已撤回",
    "revoked": "已撤销（所依据的决定被撤销或确认无效）",
    "deleted": "已删除",
}


def publicly_visible(record: Record, item: Item, today: date, *, marked_shown: bool) -> bool:
    """Public today: a public item, published, standing, inside its public period (PER-2). A record marked by
    an objection shows only where the profile says the mark does not suspend publicity (OBJ-2)."""
    shown_states = STANDING_STATES if marked_shown else ("active",)
    if item.disclosure != "public" or not record.published or record.state not in shown_states:
        return False
    started = record.decision_date is None or record.decision_date <= today
    return started and record.public_until is not None and today <= record.public_until


def marked_shown(profile: Profile) -> bool:
    """Whether a record marked by an objection stays public under this profile (OBJ-2; Jiangsu: it does)."""
    return not profile.objection.mark_suspends_publicity.value


def info_of(record: Record, item: Item, today: date, *, marked_shown: bool) -> Info:
    public = publicly_visible(record, item, today, marked_shown=marked_shown)
    return Info(
        subject_key=record.subject_key,
        grade=item.disclosure,
        item=item.code,
        shared_with=frozenset(item.shared_with),
        publicly_visible=public,
        provider=record.provider,
        # Past its public period, or no longer active: only the subject itself still sees it. A record not
        # yet (or never) published, such as a minor one, stays open to the departments it is shared with.
        archived=record.state not in STANDING_STATES
        or (record.public_until is not None and today > record.public_until),
    )


def is_person(subject: Subject) -> bool:
    """Keyed by a person's document, whatever the kind: an individual business run under its operator's
    citizen ID is masked like the person (DATA-3)."""
    return subject.id_kind != "uscc"


def mask_data(data: dict[str, Any], item: Item, *, natural_person: bool, masking: Masking) -> dict[str, Any]:
    """What the public sees of a record (DATA-3): the fields the catalog marks, masked as the profile says."""
    shown = dict(data)
    for spec in item.fields:
        value = shown.get(spec.name)
        if not isinstance(value, str) or spec.mask is None:
            continue
        if spec.mask == "person_name" and natural_person:
            shown[spec.name] = mask_name(value, masking.name_keep_start.value)
        elif spec.mask == "citizen_id":
            keep = (masking.citizen_id_keep_start.value, masking.citizen_id_keep_end.value)
            shown[spec.name] = mask_citizen_id(value, *keep)
        elif spec.mask == "phone":
            shown[spec.name] = mask_phone(value, masking.phone_keep_start.value, masking.phone_keep_end.value)
        elif spec.mask == "address":
            shown[spec.name] = mask_address(value, masking.address_keep_start.value)
    return shown


def shown_name(subject: Subject, masking: Masking) -> str:
    return mask_name(subject.name, masking.name_keep_start.value) if is_person(subject) else subject.name


def shown_key(subject: Subject, masking: Masking) -> str:
    if not is_person(subject):
        return subject.key
    return mask_citizen_id(
        subject.key, masking.citizen_id_keep_start.value, masking.citizen_id_keep_end.value
    )


# -------------------------------------------------------------------------------------------- what is shown


@dataclass(frozen=True)
class Shown:
    record: Record
    item: Item
    decision: Decision
    data: dict[str, Any]

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.record.state, self.record.state)


def visible_records(
    session: Session,
    gate: Gate,
    subject: Subject,
    *,
    masking: Masking,
    marked_shown: bool,
    now: datetime,
    authorizations: Sequence[Authorization] = (),
) -> list[Shown]:
    """The subject's records this gate lets through, newest first; the public sees persons masked. What a
    credit service agency is shown is noted, so it can be told when it must stop using it (DIS-8)."""
    records = records_of(session, subject.key)
    items = catalog.items_by_id(session, {r.item_id for r in records})
    shown: list[Shown] = []
    for record in sorted(records, key=lambda r: (r.decision_date or date.min, r.id), reverse=True):
        item = items[record.item_id]
        decision = gate.allows(
            info_of(record, item, gate.today, marked_shown=marked_shown),
            target_type="record",
            target_id=str(record.id),
            authorizations=authorizations,
        )
        if decision is None:
            continue
        data = json.loads(record.data)
        if decision.mode == "public":
            data = mask_data(data, item, natural_person=is_person(subject), masking=masking)
        shown.append(Shown(record, item, decision, data))
    if gate.actor.org_kind == "agency" and gate.actor.org_code is not None and shown:
        receipts = [
            {"org_code": gate.actor.org_code, "record_id": s.record.id, "subject_key": subject.key, "at": now}
            for s in shown
        ]
        insert_ignore(session, Receipt, receipts, ["org_code", "record_id"])
    return shown


def receivers(session: Session, record_ids: Sequence[int]) -> list[tuple[str, int, str]]:
    """(agency, record, subject) for each of these records an agency was given (DIS-8)."""
    if not record_ids:
        return []
    query = select(Receipt.org_code, Receipt.record_id, Receipt.subject_key).where(
        Receipt.record_id.in_(record_ids)
    )
    return [(r.org_code, r.record_id, r.subject_key) for r in session.execute(query)]


def stop_use(
    session: Session,
    *,
    record_ids: Sequence[int],
    reason: str,
    as_of: date,
    now: datetime,
    case: str | None = None,
) -> int:
    """Tell every credit service agency that was given one of these records to stop using it (DIS-8), once
    per record and procedure (``case``: the repair, revocation or objection case; none for expiry)."""
    messages = [
        outbox.Message(
            kind="stop_use",
            org_code=org,
            subject_key=subject_key,
            payload={"record": record_id, "reason": reason, "as_of": as_of.isoformat()}
            | ({"case": case} if case else {}),
            dedupe_key=f"stop_use:{org}:{record_id}" + (f":{case}" if case else ""),
        )
        for org, record_id, subject_key in receivers(session, record_ids)
    ]
    return outbox.enqueue(session, messages, now=now)


# ------------------------------------------------------------------------------------------ authorizations


def _grant_view(grant: Grant) -> Authorization:
    return Authorization(
        id=grant.number,
        subject_key=grant.subject_key,
        grantee_account_id=grant.grantee_account_id,
        grantee_org=grant.grantee_org,
        items=frozenset(json.loads(grant.items)),
        purpose=grant.purpose,
        valid_until=grant.valid_until,
        revoked=grant.revoked_at is not None,
    )


def authorizations_for(session: Session, subject_key: str, actor: Actor) -> list[Authorization]:
    """The subject's authorizations naming this actor or its organisation; the gate checks scope and dates."""
    if not actor.signed_in:
        return []
    names = []
    if actor.org_code is not None:
        names.append(Grant.grantee_org == actor.org_code)
    if actor.account_id is not None:
        names.append(Grant.grantee_account_id == actor.account_id)
    if not names:
        return []
    query = select(Grant).where(Grant.subject_key == subject_key, or_(*names))
    return [_grant_view(g) for g in session.scalars(query)]


def granting_subject(actor: Actor) -> str:
    """Only a subject itself gives or withdraws authorizations over its information (DIS-4)."""
    if actor.subject_key is None:
        raise Forbidden("authorization.subject_only", "只有信用主体本人可以管理对本人信息的授权")
    return actor.subject_key


def grants_of(session: Session, subject_key: str) -> list[Grant]:
    return list(
        session.scalars(select(Grant).where(Grant.subject_key == subject_key).order_by(Grant.id.desc()))
    )


def grant(
    session: Session,
    *,
    subject_key: str,
    grantee_org: str,
    items: Sequence[str],
    purpose: str,
    valid_until: date,
    policy: Policy,
    profile: Profile,
    actor: AuditActor,
    now: datetime,
    today: date,
) -> Grant:
    """A subject authorizes a named organisation (DIS-4): for one purpose from the fixed list, named items,
    until a stated day no further than the profile allows."""
    org = access.get_org(session, grantee_org)
    if purpose not in policy.purposes:
        known = "、".join(f"{code}（{p.label}）" for code, p in policy.purposes.items())
        raise XinyongError("authorization.purpose", f"授权须写明一个查询目的，可选：{known}", field="purpose")
    in_force = {found.item.code for found in catalog.items_in_force(session, today)}
    chosen = sorted(set(items))
    unknown = [code for code in chosen if code not in in_force]
    if not chosen or unknown:
        raise XinyongError(
            "authorization.items",
            f"授权须列明信息项（目录项代码）{'：未知的 ' + '、'.join(unknown) if unknown else ''}",
            field="items",
        )
    longest = add_span(today, profile.disclosure.authorization_max.value)
    if not today <= valid_until <= longest:
        raise XinyongError(
            "authorization.valid_until",
            f"授权截止日期应在 {today.isoformat()} 至 {longest.isoformat()} 之间（最长 "
            f"{profile.disclosure.authorization_max.value.label()}）",
            field="valid_until",
        )
    row = Grant(
        number=f"SQ{today.strftime('%Y%m%d')}{secrets.token_hex(4).upper()}",
        subject_key=subject_key,
        grantee_org=org.code,
        grantee_account_id=None,
        grantee_label=org.name,
        items=json.dumps(chosen),
        purpose=purpose,
        valid_until=valid_until,
        created_at=now,
        revoked_at=None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="authorization.grant",
        target_type="authorization",
        target_id=row.number,
        subject_key=subject_key,
        detail={
            "grantee": org.code,
            "items": chosen,
            "purpose": purpose,
            "valid_until": valid_until.isoformat(),
        },
    )
    return row


def revoke(session: Session, *, subject_key: str, number: str, actor: AuditActor, now: datetime) -> Grant:
    """The subject withdraws an authorization at any time (DIS-5); reads under it stop at once."""
    row = session.scalar(select(Grant).where(Grant.number == number[:32], Grant.subject_key == subject_key))
    if row is None:
        raise XinyongError(
            "authorization.not_found", f"没有编号为 {number[:32]} 的授权", field="authorization"
        )
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(
            session,
            at=now,
            actor=actor,
            action="authorization.revoke",
            target_type="authorization",
            target_id=row.number,
            subject_key=subject_key,
            detail={"grantee": row.grantee_org},
        )
    return row
