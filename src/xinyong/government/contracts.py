"""Government commitments and contracts and their fulfilment (GOV-3).

Policy promises, procurement, PPP and investment-attraction contracts are recorded with the body, the
counterparty, the content, the amount and each obligation's due date (from the contract: no period is
set here). Each obligation is fulfilled on a date, found overdue by the daily sweep, changed or terminated.
A change or termination by the government must follow legal procedure (LN 46, JN 51, JS-G 三(四)): it
is refused unless it names its legal basis, the document, the approving body, the date, the reason and
whether the counterparty's losses are compensated; a change of government, of the responsible person or of
the administrative division is no reason (LN 46). A broken obligation becomes a government dishonesty
record through ingestion.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.clock import Clock
from xinyong.disclosure import service as disclosure
from xinyong.errors import NotFound, XinyongError
from xinyong.government import service
from xinyong.government.models import Commitment, CommitmentChange, Obligation
from xinyong.government.schema import COMMITMENT_KINDS
from xinyong.government.service import not_after, text
from xinyong.profiles.schema import Masking, Profile, Severity
from xinyong.rules import identifiers
from xinyong.rules.masking import mask_name
from xinyong.subjects import service as subjects

OPEN = ("pending", "changed")  # obligations still to be performed
STATUS_LABELS = {
    "pending": "履行中",
    "changed": "已依法变更，履行中",
    "fulfilled": "已履行",
    "overdue": "逾期未履行",
    "terminated": "已依法解除",
    "broken": "违约，已记入政务失信",
}
COMMITMENT_STATUS_LABELS = {"performing": "履行中", "fulfilled": "已履行完毕", "terminated": "已依法解除"}
CHANGE_KINDS = {"change": "变更", "termination": "解除"}
# LN 46 第二款: no breach on the ground of a division's adjustment, a change of government, of bodies or
# their functions, or of the responsible person.
NOT_A_REASON = (
    "行政区划调整",
    "政府换届",
    "换届",
    "机构调整",
    "职能调整",
    "责任人更替",
    "领导更替",
    "人员更替",
)
MAX_OBLIGATIONS = 50
MAX_AMOUNT = Decimal("1e17")


@dataclass(frozen=True)
class ObligationIn:
    description: str
    due_on: date


@dataclass(frozen=True)
class CommitmentIn:
    body: str
    kind: str
    title: str
    counterparty_name: str
    content: str
    signed_on: date
    obligations: Sequence[ObligationIn]
    counterparty_code: str = ""
    amount: str = ""
    published: bool = False


def amount_of(value: str, field: str, label: str) -> Decimal | None:
    """An amount in yuan as typed (no unit, no thousands separators); refused by name when not a number."""
    raw = value.strip().replace(",", "")
    if not raw:
        return None
    try:
        found = Decimal(raw)
    except InvalidOperation:
        raise XinyongError(
            "government.amount", f"{label}“{value[:40]}”不是金额（以元为单位的数字）", field=field
        ) from None
    if not found.is_finite() or found < 0 or found >= MAX_AMOUNT:
        raise XinyongError("government.amount", f"{label}应为不小于 0 的金额（元）", field=field)
    return found.quantize(Decimal("0.01"))


def record(session: Session, *, commitment: CommitmentIn, actor: AuditActor, now: datetime) -> Commitment:
    """Record a commitment or contract of a registered body, with its obligations and their due dates."""
    today = now.date()
    party = service.body(session, identifiers.compact(commitment.body))
    if party is None:
        raise XinyongError(
            "government.body_unknown", f"政府机构 {commitment.body[:64]!r} 未建立档案", field="body"
        )
    if commitment.kind not in COMMITMENT_KINDS:
        known = "、".join(f"{k}（{v}）" for k, v in COMMITMENT_KINDS.items())
        raise XinyongError("government.kind", f"承诺或合同类别应为：{known}", field="kind")
    signed = not_after(commitment.signed_on, today, "signed_on", "作出承诺或签订日期")
    if not commitment.obligations or len(commitment.obligations) > MAX_OBLIGATIONS:
        raise XinyongError(
            "government.obligations",
            f"请列明 1 至 {MAX_OBLIGATIONS} 项政府义务及其履行期限",
            field="obligations",
        )
    counterparty = text(commitment.counterparty_name, "counterparty_name", "相对方名称")
    counterparty_key = None
    if commitment.counterparty_code.strip():
        found = identifiers.validate(commitment.counterparty_code, today=today)
        subjects.ensure(session, subjects=[subjects.NewSubject(found, counterparty)], now=now)
        counterparty_key = subjects.key_of(found)
    made = Commitment(
        number=f"ZW{today:%Y%m%d}{secrets.token_hex(4).upper()}",
        subject_key=party.subject_key,
        kind=commitment.kind,
        title=text(commitment.title, "title", "名称"),
        counterparty_name=counterparty,
        counterparty_key=counterparty_key,
        content=text(commitment.content, "content", "承诺或合同内容", max_length=service.MAX_TEXT),
        amount=amount_of(commitment.amount, "amount", "金额"),
        signed_on=signed,
        published=commitment.published,
        status="performing",
        created_at=now,
        updated_at=now,
    )
    session.add(made)
    session.flush()
    for row, duty in enumerate(commitment.obligations, start=1):
        if duty.due_on < signed:
            raise XinyongError(
                "government.due_before_signing",
                f"第 {row} 项义务的履行期限（{duty.due_on}）早于作出承诺或签订日期（{signed}）",
                field="due_on",
                row=row,
            )
        what = text(duty.description, "description", f"第 {row} 项义务内容", max_length=500)
        session.add(
            Obligation(
                commitment_id=made.id,
                subject_key=party.subject_key,
                description=what,
                due_on=duty.due_on,
                status="pending",
                updated_at=now,
            )
        )
    session.flush()
    _audit(session, made, "government.commitment", actor, now, {"kind": made.kind, "obligations": row})
    return made


def _audit(
    session: Session,
    found: Commitment,
    action: str,
    actor: AuditActor,
    now: datetime,
    detail: dict[str, object],
) -> None:
    audit.record(
        session,
        at=now,
        actor=actor,
        action=action,
        target_type="government_commitment",
        target_id=found.number,
        subject_key=found.subject_key,
        detail=detail,
    )


def get(session: Session, number: str) -> Commitment:
    found = session.scalar(select(Commitment).where(Commitment.number == number[:32]))
    if found is None:
        raise NotFound("government.commitment_not_found", f"没有编号为 {number[:32]} 的政府承诺或合同")
    return found


def obligations_of(session: Session, commitment_ids: Sequence[int]) -> dict[int, list[Obligation]]:
    found: dict[int, list[Obligation]] = {}
    if not commitment_ids:
        return found
    query = select(Obligation).where(Obligation.commitment_id.in_(commitment_ids))
    for duty in session.scalars(query.order_by(Obligation.due_on, Obligation.id)):
        found.setdefault(duty.commitment_id, []).append(duty)
    return found


def changes_of(session: Session, commitment_id: int) -> list[CommitmentChange]:
    query = select(CommitmentChange).where(CommitmentChange.commitment_id == commitment_id)
    return list(session.scalars(query.order_by(CommitmentChange.id)))


def commitments(
    session: Session, *, body_key: str | None = None, published: bool | None = None, limit: int = 200
) -> list[Commitment]:
    query = select(Commitment).order_by(Commitment.signed_on.desc(), Commitment.id.desc()).limit(limit)
    if body_key is not None:
        query = query.where(Commitment.subject_key == body_key)
    if published is not None:
        query = query.where(Commitment.published == published)
    return list(session.scalars(query))


def _obligation(session: Session, obligation_id: int) -> tuple[Obligation, Commitment]:
    duty = session.get(Obligation, obligation_id) if 1 <= obligation_id <= 2**31 - 1 else None
    if duty is None:
        raise NotFound("government.obligation_not_found", f"没有编号为 {obligation_id} 的政府义务")
    owner = session.get(Commitment, duty.commitment_id)
    assert owner is not None
    return duty, owner


def _settle(session: Session, owner: Commitment, now: datetime) -> None:
    """A commitment whose every obligation is fulfilled or lawfully terminated is done."""
    left = [d.status for d in obligations_of(session, [owner.id]).get(owner.id, [])]
    if owner.status == "performing" and left and all(s in ("fulfilled", "terminated") for s in left):
        owner.status = "fulfilled" if "fulfilled" in left else "terminated"
        owner.updated_at = now


def fulfil(
    session: Session, *, obligation_id: int, fulfilled_on: date, actor: AuditActor, now: datetime
) -> Obligation:
    """The government performed an obligation on a day: on time or late, as the dates say."""
    duty, owner = _obligation(session, obligation_id)
    if duty.status not in (*OPEN, "overdue"):
        raise XinyongError(
            "government.obligation_closed",
            f"该义务已{STATUS_LABELS[duty.status]}，不能再登记履行",
            field="obligation",
        )
    day = not_after(fulfilled_on, now.date(), "fulfilled_on", "履行日期")
    if day < owner.signed_on:
        raise XinyongError(
            "government.fulfilled_before_signing", "履行日期早于作出承诺或签订日期", field="fulfilled_on"
        )
    duty.status, duty.fulfilled_on, duty.updated_at = "fulfilled", day, now
    session.flush()
    _settle(session, owner, now)
    _audit(
        session,
        owner,
        "government.fulfilment",
        actor,
        now,
        {"obligation": duty.id, "fulfilled_on": day.isoformat(), "late": day > duty.due_on},
    )
    return duty


@dataclass(frozen=True)
class ChangeIn:
    """A change or termination by the government and the legal procedure it followed (LN 46, JN 51)."""

    kind: str
    reason: str
    legal_basis: str
    document_number: str
    approved_by: str
    decided_on: date | None
    compensated: bool | None
    compensation: str
    obligation_id: int | None = None
    new_due_on: date | None = None


def _procedure(change: ChangeIn, today: date) -> dict[str, object]:
    """Every element of the legal procedure, or the first that is missing, by field."""
    if change.kind not in CHANGE_KINDS:
        raise XinyongError(
            "government.change_kind", "应为 change（变更）或 termination（解除）", field="kind"
        )
    missing = [
        (field, label)
        for field, label, value in (
            ("legal_basis", "法定权限和程序依据（国家利益、社会公共利益或其他法定事由）", change.legal_basis),
            ("document_number", "批准文件文号", change.document_number),
            ("approved_by", "批准机关", change.approved_by),
            ("reason", "变更或解除的理由", change.reason),
            ("compensation", "对相对方损失的补偿情况", change.compensation),
        )
        if not value.strip()
    ]
    if change.decided_on is None:
        missing.append(("decided_on", "批准日期"))
    if change.compensated is None:
        missing.append(("compensated", "是否依法补偿相对方损失"))
    if missing:
        field, label = missing[0]
        raise XinyongError(
            "government.procedure_required",
            f"政府变更或解除承诺、合同须依照法定权限和程序进行（LN 46、JN 51）：请写明{label}",
            field=field,
        )
    reason = text(change.reason, "reason", "变更或解除的理由", max_length=service.MAX_TEXT)
    named = [word for word in NOT_A_REASON if word in reason]
    if named:
        raise XinyongError(
            "government.reason_not_lawful",
            f"不得以{named[0]}等为由违约毁约（LN 46 第二款）；变更须出于国家利益、社会公共利益或其他法定事由",
            field="reason",
        )
    assert change.decided_on is not None
    return {
        "reason": reason,
        "legal_basis": text(change.legal_basis, "legal_basis", "法定依据", max_length=500),
        "document_number": text(change.document_number, "document_number", "批准文件文号", max_length=128),
        "approved_by": text(change.approved_by, "approved_by", "批准机关"),
        "decided_on": not_after(change.decided_on, today, "decided_on", "批准日期"),
        "compensated": bool(change.compensated),
        "compensation": text(change.compensation, "compensation", "补偿情况", max_length=service.MAX_TEXT),
    }


def change(
    session: Session, *, number: str, change: ChangeIn, actor: AuditActor, now: datetime
) -> CommitmentChange:
    """Change one obligation's term, or terminate one obligation or the whole commitment, by legal
    procedure; anything less is refused and nothing changes."""
    owner = get(session, number)
    if owner.status != "performing":
        raise XinyongError(
            "government.commitment_closed", f"该承诺或合同{COMMITMENT_STATUS_LABELS[owner.status]}"
        )
    values = _procedure(change, now.date())
    open_duties = [
        d for d in obligations_of(session, [owner.id]).get(owner.id, []) if d.status in (*OPEN, "overdue")
    ]
    duty = None
    if change.obligation_id is not None:
        duty = next((d for d in open_duties if d.id == change.obligation_id), None)
        if duty is None:
            raise XinyongError(
                "government.obligation_closed", "只能变更或解除尚未履行完毕的义务", field="obligation_id"
            )
    if change.kind == "change":
        if duty is None or change.new_due_on is None or change.new_due_on < values["decided_on"]:  # type: ignore[operator]
            raise XinyongError(
                "government.new_due_required",
                "变更须指明义务及不早于批准日期的新履行期限",
                field="new_due_on",
            )
        duty.due_on, duty.status, duty.overdue_since, duty.updated_at = (
            change.new_due_on,
            "changed",
            None,
            now,
        )
    else:
        for ended in [duty] if duty is not None else open_duties:
            ended.status, ended.updated_at = "terminated", now
    made = CommitmentChange(
        commitment_id=owner.id,
        subject_key=owner.subject_key,
        kind=change.kind,
        obligation_id=duty.id if duty is not None else None,
        new_due_on=change.new_due_on if change.kind == "change" else None,
        actor_label=actor.label,
        created_at=now,
        **values,
    )
    session.add(made)
    session.flush()
    if change.kind == "termination" and duty is None:
        owner.status, owner.updated_at = "terminated", now
    else:
        _settle(session, owner, now)
    _audit(
        session,
        owner,
        f"government.{change.kind}",
        actor,
        now,
        {"obligation": made.obligation_id, "document": made.document_number, "compensated": made.compensated},
    )
    return made


def flag_overdue(session: Session, *, as_of: date, actor: AuditActor, now: datetime) -> int:
    """The daily sweep: open obligations whose due date passed are overdue from today, set-based."""
    flagged = session.execute(
        update(Obligation)
        .where(Obligation.status.in_(OPEN), Obligation.due_on < as_of)
        .values(status="overdue", overdue_since=as_of, updated_at=now)
        .returning(Obligation.id),
        execution_options={"synchronize_session": False},
    ).all()
    if flagged:
        audit.record(
            session,
            at=now,
            actor=actor,
            action="government.overdue",
            target_type="government_obligation",
            detail={"count": len(flagged), "obligations": [row.id for row in flagged][:100]},
        )
    return len(flagged)


def breach(
    factory: sessionmaker[Session],
    *,
    obligation_id: int,
    facts: str,
    document_number: str,
    decided_on: date,
    authority: str,
    severity: Severity,
    department: str,
    actor: AuditActor,
    profile: Profile,
    clock: Clock,
) -> int:
    """An overdue obligation the competent department finds broken becomes a government dishonesty record
    of the body (违约毁约, JN 51 第二款, JS-G 三(二)); its record id. The obligation says so."""
    with factory() as session:
        duty, owner = _obligation(session, obligation_id)
        if duty.status != "overdue":
            raise XinyongError(
                "government.not_overdue", "只有逾期未履行的义务可以认定违约、记入政务失信", field="obligation"
            )
        case = service.Case(
            code=owner.subject_key,
            conduct="违约毁约",
            facts=f"{owner.title}（{owner.number}）：{duty.description}，履行期限 {duty.due_on}。"
            + facts.strip(),
            document_number=document_number,
            decision_date=decided_on,
            authority=authority,
            commitment_number=owner.number,
            severity=severity,
        )
    record_id = service.deliver(
        factory, case=case, exemption=None, provider=department, actor=actor, profile=profile, clock=clock
    )
    with factory() as session, session.begin():
        duty, owner = _obligation(session, obligation_id)
        now = clock.now()
        duty.status, duty.record_id, duty.updated_at = "broken", record_id, now
        _audit(session, owner, "government.breach", actor, now, {"obligation": duty.id, "record": record_id})
    return record_id


def counterparty(session: Session, found: Commitment, masking: Masking) -> str:
    """The counterparty as the public sees it: a natural person's name masked as the profile says (DATA-3)."""
    subject = subjects.find(session, found.counterparty_key) if found.counterparty_key else None
    if subject is not None and disclosure.is_person(subject):
        return mask_name(found.counterparty_name, masking.name_keep_start.value)
    return found.counterparty_name
