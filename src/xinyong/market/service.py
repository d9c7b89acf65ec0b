"""Consents, submissions and self-declarations of market credit information (MKT-1, MKT-2).

Market credit information is stored as credit records through the one ingestion path (``records.ingest``),
under the market catalog's items, so versions, the visibility gate, objections and repair apply unchanged.
This module adds what the law asks before a row may go in: a consent of the subject that names this
collector, the row's kind of information and its use, and is neither expired nor revoked (LN 14; JN 16);
and, for a subject's own declaration, its statement that it answers for what it declares (JN 16).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.access import service as access
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.clock import Clock
from xinyong.errors import Problem, XinyongError
from xinyong.evidence import Evidence, keep, read
from xinyong.market.models import Consent
from xinyong.market.schema import ConsentOptions, options
from xinyong.profiles.schema import Profile
from xinyong.records import ingest
from xinyong.rules import identifiers
from xinyong.rules.identifiers import IdType
from xinyong.rules.periods import add_span
from xinyong.subjects.service import key_of

MARKET_ITEM = "market-info"
DECLARED_ITEM = "self-declared"
ROUTE = "market"
COLLECTOR_KINDS = ("agency", "collector")
# Shown with every self-declared record and kept in it as the declarer's statement (JN 16; MKT-2).
RESPONSIBILITY = "主体自行申报，申报人对其真实性负责"
RECORDED_BY_LABELS = {"subject": "信用主体在线同意", "collector": "采集单位上传签署的同意书"}


def evidence_dir(data_dir: Path) -> Path:
    return data_dir / "market" / "consents"


# -------------------------------------------------------------------------------------------- consents


@dataclass(frozen=True)
class ConsentForm:
    """What a consent says: the collector, the kinds of information, how it is collected, the one use,
    what the subject was told, until when; and whether a service was made conditional on it."""

    collector: str
    kinds: Sequence[str]
    method: str
    use: str
    told: Sequence[str]
    valid_until: date
    service_conditional: bool


def _check_form(form: ConsentForm, chosen: ConsentOptions, profile: Profile, today: date) -> None:
    """The concrete rule against forced and bundled consent (JN 16; LN 14): no service may hang on it, it
    names some but not all kinds of information and exactly one use from the fixed lists, every item the
    subject must be told is stated as told, and it ends no later than the profile allows."""
    if form.service_conditional:
        raise XinyongError(
            "market.consent_bundled",
            "不得将服务与信息采集相捆绑：以同意采集为提供服务条件的同意不予登记（JN 16）",
            field="service_conditional",
        )
    kinds = sorted(set(form.kinds))
    unknown = [k for k in kinds if k not in chosen.kinds]
    if not kinds or unknown:
        known = "、".join(f"{code}（{c.label}）" for code, c in chosen.kinds.items())
        raise XinyongError("market.consent_kinds", f"同意须写明采集的信息种类，可选：{known}", field="kinds")
    if len(kinds) == len(chosen.kinds):
        raise XinyongError(
            "market.consent_kinds",
            "同意不得涵盖全部信息种类：概括同意采集一切信息属于捆绑同意，请只选本次需要的种类",
            field="kinds",
        )
    if form.use not in chosen.uses:
        known = "、".join(f"{code}（{c.label}）" for code, c in chosen.uses.items())
        raise XinyongError("market.consent_use", f"同意须写明一项信息用途，可选：{known}", field="use")
    if form.method not in chosen.methods:
        known = "、".join(f"{code}（{c.label}）" for code, c in chosen.methods.items())
        raise XinyongError("market.consent_method", f"同意须写明采集方式，可选：{known}", field="method")
    missing = [c.label for code, c in chosen.told.items() if code not in set(form.told)]
    if missing:
        raise XinyongError(
            "market.consent_told",
            f"采集前须告知信用主体（LN 14），同意书未载明已告知：{'、'.join(missing)}",
            field="told",
        )
    longest = add_span(today, profile.market.consent_max.value)
    if not today <= form.valid_until <= longest:
        raise XinyongError(
            "market.consent_valid_until",
            f"同意的截止日期应在 {today.isoformat()} 至 {longest.isoformat()} 之间（最长 "
            f"{profile.market.consent_max.value.label()}）",
            field="valid_until",
        )


def give(
    session: Session,
    *,
    subject_key: str,
    form: ConsentForm,
    document: Evidence | None,
    data_dir: Path,
    profile: Profile,
    actor: AuditActor,
    now: datetime,
    today: date,
) -> Consent:
    """Record a consent: given by the subject itself online (no document), or by the collector with the
    signed consent document as evidence (MKT-1)."""
    org = access.get_org(session, form.collector)
    if org.kind not in COLLECTOR_KINDS:
        raise XinyongError(
            "market.collector", f"{org.name}不是信用服务机构或市场信用信息采集单位", field="collector"
        )
    chosen = options()
    _check_form(form, chosen, profile, today)
    recorded_by = "subject" if document is None else "collector"
    if document is not None:
        keep(evidence_dir(data_dir), [document])
    row = Consent(
        number=f"TY{today.strftime('%Y%m%d')}{secrets.token_hex(4).upper()}",
        subject_key=subject_key,
        collector=org.code,
        kinds=json.dumps(sorted(set(form.kinds))),
        method=form.method,
        use=form.use,
        told=json.dumps([code for code in chosen.told if code in set(form.told)]),
        valid_until=form.valid_until,
        recorded_by=recorded_by,
        document_name=document.filename if document else None,
        document_type=document.media_type if document else None,
        document_digest=document.digest if document else None,
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
        action="consent.give",
        target_type="consent",
        target_id=row.number,
        subject_key=subject_key,
        detail={
            "collector": org.code,
            "kinds": json.loads(row.kinds),
            "use": form.use,
            "valid_until": form.valid_until.isoformat(),
            "recorded_by": recorded_by,
            "document": row.document_digest,
        },
    )
    return row


def revoke(session: Session, *, subject_key: str, number: str, actor: AuditActor, now: datetime) -> Consent:
    """The subject withdraws its consent at any time: further submissions under it are refused; what was
    submitted before stays, open to the subject's objection (MKT-1)."""
    row = session.scalar(
        select(Consent).where(Consent.number == number[:32], Consent.subject_key == subject_key)
    )
    if row is None:
        raise XinyongError(
            "market.consent_not_found", f"没有编号为 {number[:32]} 的采集同意", field="consent"
        )
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(
            session,
            at=now,
            actor=actor,
            action="consent.revoke",
            target_type="consent",
            target_id=row.number,
            subject_key=subject_key,
            detail={"collector": row.collector},
        )
    return row


def consents_of(session: Session, subject_key: str) -> list[Consent]:
    query = select(Consent).where(Consent.subject_key == subject_key).order_by(Consent.id.desc())
    return list(session.scalars(query))


def consents_by(session: Session, collector: str, *, limit: int = 500) -> list[Consent]:
    query = select(Consent).where(Consent.collector == collector).order_by(Consent.id.desc()).limit(limit)
    return list(session.scalars(query))


def consent_document(
    session: Session, data_dir: Path, *, subject_key: str, number: str
) -> tuple[Consent, bytes]:
    """The signed consent document a collector uploaded, for the subject it is about."""
    row = session.scalar(
        select(Consent).where(Consent.number == number[:32], Consent.subject_key == subject_key)
    )
    if row is None or row.document_digest is None:
        raise XinyongError(
            "market.consent_not_found", f"没有编号为 {number[:32]} 的同意书文件", field="consent"
        )
    return row, read(evidence_dir(data_dir), row.document_digest)


# ------------------------------------------------------------------------------------------ submissions


def subject_of(code: str, *, field: str = "subject") -> str:
    """The subject key of a USCC or citizen ID, or a refusal naming the field."""
    try:
        return key_of(identifiers.validate(code))
    except XinyongError as exc:
        raise XinyongError(exc.code, exc.message, field=field) from exc


def _row_subject(values: Mapping[str, str]) -> str | None:
    """The subject key a row names, or None when its code is wrong (the ingest check names why)."""
    code = values.get("uscc", "").strip() or values.get("id_number", "").strip()
    try:
        return subject_of(code) if code else None
    except XinyongError:
        return None


def _consent_problems(
    row: int, values: Mapping[str, str], consent: Consent | None, collector: str, today: date
) -> list[Problem]:
    """Why a row may not be collected under the consent it names, if it may not (MKT-1)."""
    number = values.get("consent", "").strip()

    def problem(code: str, message: str, field: str = "consent") -> list[Problem]:
        return [Problem(code=code, message=f"第 {row} 行：{message}", field=field, row=row)]

    if not number or consent is None or consent.collector != collector:
        named = f"编号为 {number[:32]} 的" if number else ""
        return problem(
            "market.no_consent",
            f"没有信用主体对本单位{named}采集同意；采集市场信用信息须经信用主体同意（LN 14）",
        )
    subject = _row_subject(values)
    if subject is not None and subject != consent.subject_key:
        return problem("market.consent_subject", f"同意书 {consent.number} 不是本行信用主体作出的同意")
    if consent.revoked_at is not None:
        return problem("market.consent_revoked", f"信用主体已撤回同意书 {consent.number}，不再接收其信息")
    if today > consent.valid_until:
        return problem(
            "market.consent_expired", f"同意书 {consent.number} 已于 {consent.valid_until.isoformat()} 到期"
        )
    chosen = options()
    kinds = ConsentOptions.labels(chosen.kinds)
    label = values.get("kind", "").strip()
    allowed = [kinds[k] for k in json.loads(consent.kinds)]
    if label and label not in allowed:
        return problem(
            "market.consent_content",
            f"信息种类“{label[:20]}”不在同意书 {consent.number} 的范围内（{'、'.join(allowed)}）",
            "kind",
        )
    use = values.get("use", "").strip()
    agreed = chosen.uses[consent.use].label
    if use and use != agreed:
        return problem(
            "market.consent_use",
            f"采集用途“{use[:20]}”不是同意书 {consent.number} 写明的用途（{agreed}）",
            "use",
        )
    return []


def submit(
    factory: sessionmaker[Session],
    *,
    collector: str,
    records: Sequence[Mapping[str, Any]],
    actor: AuditActor,
    profile: Profile,
    clock: Clock,
) -> ingest.Summary:
    """A collector's batch of market credit information: each row checked against the consent it names,
    then through the same checks as every record; bad rows are refused by row, good ones stored."""
    today = clock.today()
    delivery = ingest.Delivery(provider=collector, item_code=MARKET_ITEM, route=ROUTE, actor=actor)
    with factory() as session:
        found = ingest.resolve(session, delivery, today)
        names = {str(r.get("consent", "")).strip()[:32] for r in records} - {""}
        consents = {c.number: c for c in session.scalars(select(Consent).where(Consent.number.in_(names)))}
    fields = {f.name for f in found.item.fields}
    rows = [
        ingest.IncomingRow(
            row.row,
            row.values,
            row.extra,
            tuple(
                _consent_problems(
                    row.row, row.values, consents.get(row.values.get("consent", "").strip()), collector, today
                )
            ),
        )
        for row in ingest.from_mappings(records, fields)
    ]
    return ingest.run(factory, delivery=delivery, rows=rows, profile=profile, clock=clock, found=found)


# ------------------------------------------------------------------------------------ self-declarations


@dataclass(frozen=True)
class Declaration:
    kind: str
    content: str
    occurred_on: str
    issuer: str
    responsible: bool  # the declarer ticked that it answers for the truth of what it declares


def declare(
    factory: sessionmaker[Session],
    *,
    subject_key: str,
    subject_name: str,
    declaration: Declaration,
    actor: AuditActor,
    profile: Profile,
    clock: Clock,
) -> int:
    """A subject declares its own market credit information (MKT-2); it becomes a record of the
    self-declared item received by the platform, carrying the declarer's statement. Returns the job."""
    if not declaration.responsible:
        raise XinyongError(
            "market.responsibility_required",
            f"请勾选声明“{RESPONSIBILITY}”：信用主体对其提供的市场信用信息的真实性负责（JN 16）",
            field="responsible",
        )
    code_field = "uscc" if identifiers.is_valid(subject_key, IdType.USCC) else "id_number"
    values = {
        "subject_name": subject_name,
        code_field: subject_key,
        "kind": declaration.kind,
        "content": declaration.content,
        "occurred_on": declaration.occurred_on,
        "issuer": declaration.issuer,
        "responsibility": RESPONSIBILITY,
    }
    delivery = ingest.Delivery(
        provider=access.OPERATOR_CODE, item_code=DECLARED_ITEM, route=ROUTE, actor=actor
    )
    summary = ingest.run(
        factory,
        delivery=delivery,
        rows=[ingest.IncomingRow(1, values)],
        profile=profile,
        clock=clock,
    )
    if summary.rejects:
        first = summary.rejects[0]
        raise XinyongError(first["code"], first["message"], field=first["field"])
    return summary.job
