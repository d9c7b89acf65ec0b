"""Objection cases (OBJ-1..OBJ-5): filed by a subject (or an operator for it) against one of its records or
list entries, marked at once, checked, verified by the provider, decided, answered in writing, appealed.

Which steps a case has and their working-day limits come from the profile's ``objection.deadlines``: Jinan's
``handle`` (3) or, once others must verify, ``handle_with_verification`` (7), both from receipt; elsewhere a
``check``, then the provider's ``provider_reply`` from the notice, then ``result_notice`` (and Jiangsu's or
CT's ``correction``) from the reply; Liaoning's ``own_error_notice`` when the platform's own error is
corrected at once. Every outcome changes a record only through ``records.service.change``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from xinyong import evidence as evidence_files
from xinyong.access import service as access
from xinyong.audit import service as audit
from xinyong.catalog import service as catalog
from xinyong.deadlines import service as deadlines
from xinyong.deadlines.service import Case
from xinyong.disclosure import service as disclosure
from xinyong.errors import NotFound, XinyongError
from xinyong.evaluation import service as evaluation
from xinyong.evidence import Evidence, Upload
from xinyong.lists import service as lists
from xinyong.lists.service import Context
from xinyong.objections.models import Objection, ObjectionEvidence, ObjectionStep
from xinyong.outbox import service as outbox
from xinyong.profiles.schema import STEP_LABELS as DEADLINE_LABELS
from xinyong.profiles.schema import ObjectionStep as StepName
from xinyong.records import service as records
from xinyong.records.models import STANDING_STATES
from xinyong.records.validate import changed_values
from xinyong.rules.text import plain

KIND = "objection"
GROUNDS = {
    "wrong_or_incomplete": "信息错误或遗漏",
    "secret_or_privacy": "侵犯商业秘密或个人隐私",
    "forbidden_data": "含禁止采集的信息",
    "past_period": "超过期限仍在使用",
    "listed_without_conditions": "不符合条件被列入名单",
    "evaluation_improper": "公共信用综合评价不当",
}
# What an objection can be against, and on which grounds.
TARGET_LABELS = {"record": "信用记录", "list_entry": "名单记录", "evaluation": "公共信用综合评价结果"}
GROUNDS_FOR = {
    "record": ("wrong_or_incomplete", "secret_or_privacy", "forbidden_data", "past_period"),
    "list_entry": (
        "wrong_or_incomplete",
        "secret_or_privacy",
        "forbidden_data",
        "past_period",
        "listed_without_conditions",
    ),
    "evaluation": ("evaluation_improper", "wrong_or_incomplete", "past_period"),  # CT 44
}
STATUS_LABELS = {
    "open": "核查中",
    "referred": "待提供单位核实",
    "replied": "已核实，待办结",
    "closed": "已办结",
}
VERIFICATIONS = {"confirmed": "核实无误", "error": "确有错误", "unverifiable": "无法核实真实性"}
OUTCOMES = {
    "confirmed": "经核实信息无误，维持原信息，去除异议标注",
    "corrected": "经核实信息确有错误，已予更正",
    "deleted": "信息真实性无法核实，已予删除",
    "wrongful": "经核实不符合列入条件，已更正并移出名单",
    "regraded": "经核实评价不当，已按核实后的信息重新评价",
}
OUTCOMES_FOR = {
    "record": ("confirmed", "corrected", "deleted"),
    "list_entry": ("confirmed", "wrongful"),
    "evaluation": ("confirmed", "regraded"),
}
APPEAL_STAGES = {
    "referral": "申请人仍有异议，移交有关部门和单位处理",
    "authority": "向社会信用主管部门申诉",
    "review": "申请行政复议",
    "litigation": "提起行政诉讼",
}
STEP_LABELS = {
    "filed": "提出异议",
    "mark": "异议标注",
    "evidence": "补充证据",
    "refer": "转交核实",
    "reply": "提供单位核实回复",
    "pause": "暂停计时",
    "resume": "恢复计时",
    "decision": "办结并书面答复",
    **APPEAL_STAGES,
}


def _number(today: date) -> str:
    return f"YY{today:%Y%m%d}{secrets.token_hex(4).upper()}"


def _case(found: Objection) -> Case:
    return Case(KIND, found.number, found.subject_key)


def _not_found(number: str) -> NotFound:
    return NotFound("objection.not_found", f"异议案件 {number[:40]} 不存在")


def get(session: Session, number: str) -> Objection:
    found = session.scalar(select(Objection).where(Objection.number == number[:32]))
    if found is None:
        raise _not_found(number)
    return found


def get_own(session: Session, *, number: str, subject_key: str) -> Objection:
    """A subject's own case; another's is answered as not found (nothing revealed)."""
    found = get(session, number)
    if found.subject_key != subject_key:
        raise _not_found(number)
    return found


def visible_to(session: Session, *, number: str, org_code: str | None, handles: bool) -> Objection:
    """The operator sees every case, a provider or determining department only those it must verify."""
    found = get(session, number)
    if not handles and found.provider_org != org_code:
        raise _not_found(number)
    return found


def by_reply(session: Session, reply_number: str) -> Objection | None:
    """The case whose written reply has this number (the verification page looks it up)."""
    return session.scalar(select(Objection).where(Objection.reply_number == reply_number))


def steps_of(session: Session, objection_id: int) -> list[ObjectionStep]:
    return list(
        session.scalars(
            select(ObjectionStep).where(ObjectionStep.objection_id == objection_id).order_by(ObjectionStep.id)
        )
    )


def evidence_of(session: Session, objection_id: int) -> list[ObjectionEvidence]:
    return list(
        session.scalars(
            select(ObjectionEvidence)
            .where(ObjectionEvidence.objection_id == objection_id)
            .order_by(ObjectionEvidence.id)
        )
    )


def cases_of(session: Session, subject_key: str) -> list[Objection]:
    return list(
        session.scalars(
            select(Objection).where(Objection.subject_key == subject_key).order_by(Objection.id.desc())
        )
    )


def search(
    session: Session,
    *,
    org_code: str | None,
    status: str | None = None,
    subject_key: str | None = None,
    limit: int = 200,
) -> list[Objection]:
    """Cases for the queue: all of them for the operator (``org_code`` None), a provider's own otherwise;
    every open case before any closed one (oldest first, the likeliest to be late), then the latest closed."""
    closed = case((Objection.status == "closed", 1), else_=0)
    query = select(Objection)
    if org_code is not None:
        query = query.where(Objection.provider_org == org_code)
    if status is not None:
        query = query.where(Objection.status == status)
    if subject_key is not None:
        query = query.where(Objection.subject_key == subject_key)
    newest_closed_first = case((Objection.status == "closed", -Objection.id), else_=Objection.id)
    return list(session.scalars(query.order_by(closed, newest_closed_first).limit(limit)))


def queue(
    session: Session,
    ctx: Context,
    *,
    org_code: str | None,
    status: str | None,
    subject_key: str | None = None,
) -> list[Objection]:
    """Open cases first by their earliest due step, overdue ones on top; then the closed ones."""
    found = search(session, org_code=org_code, status=status, subject_key=subject_key)
    due = deadlines.next_due(session, KIND, [c.number for c in found])

    def order(c: Objection) -> tuple[int, date]:
        when = due.get(c.number)
        return (
            0 if when is not None and when < ctx.today else 1 if when is not None else 2,
            when or date.max,
        )

    return sorted(found, key=order)


# ------------------------------------------------------------------------------------------- filing
@dataclass(frozen=True)
class _Target:
    kind: str
    ref: str
    label: str
    provider: str
    state: str  # the record's state or the entry's status when filed


def _target(session: Session, *, kind: str, ref: str, subject_key: str, today: date) -> _Target:
    """The applicant's own record, entry or current grade; anything else is not found, whether it exists
    or not."""
    missing = NotFound(
        "objection.target_not_found", f"您的信用档案中没有{TARGET_LABELS.get(kind, '')} {ref[:40]}"
    )
    if kind == "record":
        try:
            record = records.get(session, int(ref))
        except (ValueError, XinyongError):
            raise missing from None
        if record.subject_key != subject_key:
            raise missing
        if record.state not in (*STANDING_STATES, "archived"):
            raise XinyongError(
                "objection.target_closed", f"信用记录 {ref} 已不再使用，无需提出异议", field="target"
            )
        item = catalog.items_by_id(session, [record.item_id])[record.item_id]
        label = f"{item.name} {record.document_number or ''}".strip()
        return _Target(kind, str(record.id), label, record.provider, record.state)
    if kind == "list_entry":
        try:
            entry = lists.get(session, ref)
        except NotFound:
            raise missing from None
        if entry.subject_key != subject_key:
            raise missing
        if entry.status != "active":
            raise XinyongError(
                "objection.target_closed",
                f"名单记录 {ref} 当前不在名单有效期内；列入前的异议请在陈述申辩期内提出",
                field="target",
            )
        return _Target(
            kind, entry.number, f"{entry.list_type} {entry.number}", entry.determining_org, "active"
        )
    if kind == "evaluation":
        try:
            standing = evaluation.objected(session, grade_id=int(ref), subject_key=subject_key, on=today)
        except (ValueError, NotFound):
            raise missing from None
        run = standing.run
        label = (
            f"{run.model_code} {run.as_of.isoformat()} 评价 {standing.letter} 级（结果 {standing.grade.id}）"
        )
        return _Target(kind, str(standing.grade.id), label, access.OPERATOR_CODE, "active")
    raise XinyongError(
        "objection.target_kind",
        "异议对象应为信用记录（record）、名单记录（list_entry）或评价结果（evaluation）",
        field="target_kind",
    )


def _keep(session: Session, ctx: Context, data_dir: Path, found: Objection, files: list[Evidence]) -> None:
    evidence_files.keep(data_dir / "objections" / found.number, files)
    for file in files:
        session.add(
            ObjectionEvidence(
                objection_id=found.id,
                subject_key=found.subject_key,
                filename=file.filename,
                media_type=file.media_type,
                size=len(file.content),
                digest=file.digest,
                at=ctx.now,
            )
        )


def evidence_file(data_dir: Path, found: Objection, kept: ObjectionEvidence) -> bytes:
    return evidence_files.read(data_dir / "objections" / found.number, kept.digest)


def _step(
    session: Session,
    ctx: Context,
    found: Objection,
    step: str,
    text: str,
    *,
    on: date | None = None,
    outcome: str | None = None,
) -> None:
    session.add(
        ObjectionStep(
            objection_id=found.id,
            subject_key=found.subject_key,
            step=step,
            on=on or ctx.today,
            text=text,
            outcome=outcome,
            actor_label=ctx.actor.label,
            at=ctx.now,
        )
    )
    audit.record(
        session,
        at=ctx.now,
        actor=ctx.actor,
        action=f"objection.{step}",
        target_type="objection",
        target_id=found.number,
        subject_key=found.subject_key,
        detail={"status": found.status, "text": text[:500]},
    )


def _start(
    session: Session, ctx: Context, found: Objection, step: StepName, *, org_code: str, on: date
) -> None:
    """Start a step if this jurisdiction has it."""
    days = ctx.profile.objection.deadlines.get(step)
    if days is None:
        return
    deadlines.start(
        session,
        calendar=ctx.calendar,
        case_of=_case(found),
        step=step,
        label=DEADLINE_LABELS[step],
        days=days,
        org_code=org_code,
        started_on=on,
        now=ctx.now,
    )


def _tell(session: Session, ctx: Context, found: Objection, kind: str) -> None:
    """The provider or determining department learns of the case through the outbox."""
    payload = {
        "case": found.number,
        "target": found.target_kind,
        "ref": found.target_ref,
        "status": found.status,
    }
    message = outbox.Message(kind, found.provider_org, found.subject_key, payload, f"{kind}:{found.number}")
    outbox.enqueue(session, [message], now=ctx.now)


def file(
    session: Session,
    ctx: Context,
    *,
    data_dir: Path,
    subject_key: str,
    target_kind: str,
    target_ref: str,
    grounds: str,
    statement: str,
    evidence: list[Upload],
) -> Objection:
    """File an objection (OBJ-1) and mark its target at once (OBJ-2); the first step's due date starts from
    receipt (OBJ-3). Everything is checked before anything is written."""
    target = _target(
        session, kind=target_kind, ref=target_ref.strip()[:64], subject_key=subject_key, today=ctx.today
    )
    if grounds not in GROUNDS_FOR[target.kind]:
        known = "、".join(f"{k}（{GROUNDS[k]}）" for k in GROUNDS_FOR[target.kind])
        raise XinyongError("objection.grounds", f"异议理由应为：{known}", field="grounds")
    text = plain(statement, field="statement", max_length=4000, label="异议说明", multiline=True)
    if not text:
        raise XinyongError("objection.statement_required", "请写明异议的事实和理由", field="statement")
    checked = evidence_files.checked(evidence, code="objection", field="evidence")
    open_case = session.scalar(
        select(Objection.number).where(
            Objection.target_kind == target.kind,
            Objection.target_ref == target.ref,
            Objection.status != "closed",
        )
    )
    if open_case is not None:
        raise XinyongError(
            "objection.duplicate",
            f"该信息已有正在办理的异议（案件 {open_case}），请勿重复提交",
            field="target",
        )
    found = Objection(
        number=_number(ctx.today),
        subject_key=subject_key,
        target_kind=target.kind,
        target_ref=target.ref,
        target_label=target.label[:300],
        provider_org=target.provider,
        grounds=grounds,
        statement=text,
        status="open",
        filed_on=ctx.today,
        filed_by=ctx.actor.label[:200],
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    session.add(found)
    session.flush()
    _keep(session, ctx, data_dir, found, checked)
    _step(session, ctx, found, "filed", f"{GROUNDS[grounds]}：{text}")
    _mark(session, ctx, found, target)
    table = ctx.profile.objection.deadlines
    # The first limit: Jinan's handling, Jiangsu's whole review (it runs on after a referral), else the check.
    first: StepName = "handle" if "handle" in table else "review" if "review" in table else "check"
    _start(session, ctx, found, first, org_code=access.OPERATOR_CODE, on=ctx.today)
    _tell(session, ctx, found, "objection_filed")
    return found


def _mark(session: Session, ctx: Context, found: Objection, target: _Target) -> None:
    if target.kind == "record" and target.state == "active":
        records.change(
            session,
            record=records.get(session, int(target.ref)),
            procedure=KIND,
            reason=f"异议案件 {found.number}：{GROUNDS[found.grounds]}",
            actor=ctx.actor,
            now=ctx.now,
            state="objection",
        )
    elif target.kind == "list_entry":
        lists.mark_objection(session, ctx, number=target.ref, case_number=found.number, marked=True)
    elif target.kind == "evaluation":
        standing = evaluation.objected(
            session, grade_id=int(target.ref), subject_key=found.subject_key, on=ctx.today
        )
        evaluation.mark_objection(session, found=standing, objection=found.number, now=ctx.now)
    else:  # an archived record no longer shows anywhere: nothing to mark
        return
    suspends = ctx.profile.objection.mark_suspends_publicity.value and target.kind == "record"
    _step(
        session,
        ctx,
        found,
        "mark",
        "已作异议标注" + ("，标注期间暂停公示" if suspends else "，不影响公示与应用"),
    )


def add_evidence(
    session: Session, ctx: Context, *, data_dir: Path, found: Objection, evidence: list[Upload]
) -> Objection:
    if found.status == "closed":
        raise XinyongError("objection.closed", f"异议案件 {found.number} 已办结", field="evidence")
    checked = evidence_files.checked(
        evidence, code="objection", field="evidence", already=len(evidence_of(session, found.id))
    )
    if not checked:
        raise XinyongError("objection.no_files", "请选择要补充的证据材料", field="evidence")
    _keep(session, ctx, data_dir, found, checked)
    _step(session, ctx, found, "evidence", "、".join(file.filename for file in checked))
    found.updated_at = ctx.now
    return found


# ------------------------------------------------------------------------------------------- handling
def _must_be(found: Objection, *statuses: str) -> None:
    if found.status not in statuses:
        wanted = "、".join(STATUS_LABELS[s] for s in statuses)
        raise XinyongError(
            "objection.wrong_status",
            f"异议案件 {found.number} 当前为“{STATUS_LABELS[found.status]}”，此操作仅适用于：{wanted}",
        )


def refer(session: Session, ctx: Context, *, number: str, text: str) -> Objection:
    """The operator asks the provider (or determining department) to verify (OBJ-3). In Jinan this makes the
    case one that others help verify: its limit becomes the longer one, still counted from receipt."""
    found = get(session, number)
    _must_be(found, "open")
    why = plain(text, field="text", max_length=2000, label="转交说明", multiline=True) or "请核实异议信息"
    table = ctx.profile.objection.deadlines
    if "handle_with_verification" in table:
        deadlines.finish(session, case_of=_case(found), step="handle", on=ctx.today, now=ctx.now)
        _start(
            session, ctx, found, "handle_with_verification", org_code=access.OPERATOR_CODE, on=found.filed_on
        )
    else:
        deadlines.finish(session, case_of=_case(found), step="check", on=ctx.today, now=ctx.now)
        _start(session, ctx, found, "provider_reply", org_code=found.provider_org, on=ctx.today)
    found.status, found.updated_at = "referred", ctx.now
    _step(session, ctx, found, "refer", f"转交 {found.provider_org} 核实：{why}")
    _tell(session, ctx, found, "objection_referred")
    return found


def reply(
    session: Session,
    ctx: Context,
    *,
    number: str,
    org_code: str | None,
    verification: str,
    text: str,
    data: dict[str, Any] | None,
) -> Objection:
    """The provider's verification (OBJ-3): confirmed, an error (with the corrected values), or cannot be
    verified. The applicant is then told within the profile's limit; a confirmed error corrected within it."""
    found = get(session, number)
    if found.provider_org != org_code:
        raise _not_found(number)
    _must_be(found, "referred")
    if verification not in VERIFICATIONS:
        known = "、".join(f"{k}（{v}）" for k, v in VERIFICATIONS.items())
        raise XinyongError("objection.verification", f"核实结果应为：{known}", field="verification")
    why = plain(text, field="text", max_length=4000, label="核实说明", multiline=True)
    if not why:
        raise XinyongError("objection.reply_text_required", "请写明核实情况", field="text")
    if verification == "error" and found.target_kind == "record" and not data:
        raise XinyongError("objection.correction_required", "确有错误的，请给出更正后的字段值", field="data")
    if data and verification != "error":
        raise XinyongError(
            "objection.data_unexpected", "只有核实“确有错误”时才给出更正后的字段值", field="data"
        )
    corrected = _corrections(session, ctx, found, data)
    deadlines.finish(session, case_of=_case(found), step="provider_reply", on=ctx.today, now=ctx.now)
    _start(session, ctx, found, "result_notice", org_code=access.OPERATOR_CODE, on=ctx.today)
    if verification == "error":
        _start(session, ctx, found, "correction", org_code=access.OPERATOR_CODE, on=ctx.today)
    found.verification, found.verification_text = verification, why
    found.corrected_data = corrected
    found.status, found.updated_at = "replied", ctx.now
    _step(session, ctx, found, "reply", why, outcome=VERIFICATIONS[verification])
    return found


def pause(session: Session, ctx: Context, *, number: str, reason: str) -> Objection:
    """Testing, inspection, quarantine, appraisal or expert review stops the count (OBJ-4)."""
    found = get(session, number)
    _must_be(found, "open", "referred", "replied")
    deadlines.pause(
        session,
        case_of=_case(found),
        reason=reason,
        allowed=ctx.profile.objection.pause_for,
        on=ctx.today,
        now=ctx.now,
    )
    _step(session, ctx, found, "pause", f"因{reason}暂停计时，所需时间不计入办理时限")
    return found


def resume(session: Session, ctx: Context, *, number: str) -> Objection:
    found = get(session, number)
    moved = deadlines.resume(session, calendar=ctx.calendar, case_of=_case(found), on=ctx.today, now=ctx.now)
    dues = "、".join(f"{d.label}至 {d.due_on}" for d in moved)
    _step(session, ctx, found, "resume", f"恢复计时：{dues}")
    return found


@dataclass(frozen=True)
class Reply:
    """The written reply, issued by :func:`decide` through the caller's document maker."""

    number: str
    digest: str


def decide(
    session: Session,
    ctx: Context,
    *,
    number: str,
    outcome: str,
    text: str,
    own_error: bool = False,
    data: dict[str, Any] | None = None,
    issue_reply: Callable[[Objection], Reply],
) -> Objection:
    """Close the case (OBJ-3, OBJ-4): the outcome becomes a record version through
    ``records.service.change`` (confirmed: active again; corrected: new content; deleted), or a list step
    (mark removed; a wrongful listing corrected); lists built on a deleted record follow. An error of the
    platform's own (Liaoning) is corrected at the check with the values the operator gives in ``data``;
    ``issue_reply`` makes the written reply."""
    found = get(session, number)
    _must_be(found, "open", "referred", "replied")
    if outcome not in OUTCOMES_FOR[found.target_kind]:
        known = "、".join(f"{k}（{OUTCOMES[k]}）" for k in OUTCOMES_FOR[found.target_kind])
        raise XinyongError("objection.outcome", f"办理结果应为：{known}", field="outcome")
    why = plain(text, field="text", max_length=4000, label="处理理由", multiline=True)
    if not why:
        raise XinyongError("objection.reason_required", "请写明处理结果的理由", field="text")
    if any(d.paused_since is not None for d in deadlines.of_case(session, KIND, found.number)):
        raise XinyongError("objection.paused", f"异议案件 {found.number} 正在暂停计时，请先恢复计时")
    corrected = _corrections(session, ctx, found, data) if data else None
    if own_error:
        if found.status != "open" or outcome != "corrected":
            raise XinyongError(
                "objection.own_error", "平台自身原因造成的错误，应在核查阶段直接更正", field="own_error"
            )
        _start(session, ctx, found, "own_error_notice", org_code=access.OPERATOR_CODE, on=ctx.today)
    if corrected:
        found.corrected_data = corrected
    reason = f"异议案件 {found.number}：{OUTCOMES[outcome]}。{why}"
    if found.target_kind == "record":
        _apply_to_record(session, ctx, found, outcome, reason)
    elif found.target_kind == "evaluation":
        evaluation.close_objection(
            session,
            objection=found.number,
            corrected=outcome == "regraded",
            reason=reason,
            types=ctx.types,
            actor=ctx.actor,
            now=ctx.now,
        )
    elif outcome == "confirmed":
        lists.mark_objection(session, ctx, number=found.target_ref, case_number=found.number, marked=False)
    else:
        lists.correct_wrongful(session, ctx, number=found.target_ref, text=reason, org_code=ctx.actor.org)
    found.outcome, found.outcome_text, found.decided_on = outcome, why, ctx.today
    found.status, found.updated_at = "closed", ctx.now
    _step(session, ctx, found, "decision", why, outcome=OUTCOMES[outcome])
    made = issue_reply(found)
    found.reply_number, found.reply_digest = made.number, made.digest
    deadlines.finish_all(session, case_of=_case(found), on=ctx.today, now=ctx.now)
    _tell(session, ctx, found, "objection_decided")
    return found


def _corrections(session: Session, ctx: Context, found: Objection, data: dict[str, Any] | None) -> str | None:
    """The corrected values of a record's fields, each checked as its field's type, as stored on the case."""
    if not data or found.target_kind != "record":
        return None
    record = records.get(session, int(found.target_ref))
    item = catalog.item_in_force(session, record.item_code, ctx.today).item
    checked = changed_values(item, {k: str(v) for k, v in data.items()}, code="objection")
    return json.dumps(checked, ensure_ascii=False, sort_keys=True)


def _apply_to_record(session: Session, ctx: Context, found: Objection, outcome: str, reason: str) -> None:
    record = records.get(session, int(found.target_ref))
    standing = "active" if record.state == "objection" else None
    if outcome == "confirmed":
        if standing is not None:
            records.change(
                session,
                record=record,
                procedure=KIND,
                reason=reason,
                actor=ctx.actor,
                now=ctx.now,
                state=standing,
            )
        return
    if outcome == "corrected":
        if not found.corrected_data:
            raise XinyongError("objection.correction_required", "尚无提供单位给出的更正内容", field="outcome")
        content = {**json.loads(record.data), **json.loads(found.corrected_data)}
        records.change(
            session,
            record=record,
            procedure=KIND,
            reason=reason,
            actor=ctx.actor,
            now=ctx.now,
            state=standing,
            data=content,
        )
        _stop_use(session, ctx, found, record.id, "corrected")
        return
    records.change(
        session, record=record, procedure=KIND, reason=reason, actor=ctx.actor, now=ctx.now, state="deleted"
    )
    lists.follow_record(session, ctx, record_id=record.id, state="deleted")
    _stop_use(session, ctx, found, record.id, "deleted")


def _stop_use(session: Session, ctx: Context, found: Objection, record_id: int, outcome: str) -> None:
    """Agencies given the record before it was corrected or deleted stop using what they hold (DIS-8)."""
    disclosure.stop_use(
        session,
        record_ids=[record_id],
        reason=f"异议处理：{OUTCOMES[outcome]}",
        as_of=ctx.today,
        now=ctx.now,
        case=found.number,
    )


def appeal(
    session: Session,
    ctx: Context,
    *,
    found: Objection,
    stage: str,
    on: date,
    text: str,
    outcome: str | None,
) -> Objection:
    """An applicant who disagrees with the result (OBJ-5): to the credit authority, then administrative review
    or litigation; each stage is a step with its date and, once known, its outcome."""
    _must_be(found, "closed")
    if stage not in APPEAL_STAGES:
        known = "、".join(f"{k}（{v}）" for k, v in APPEAL_STAGES.items())
        raise XinyongError("objection.stage", f"救济环节应为：{known}", field="stage")
    if on > ctx.today or (found.decided_on is not None and on < found.decided_on):
        raise XinyongError("objection.stage_date", "日期应在异议办结之后、今天之前", field="on")
    done = {s.step for s in steps_of(session, found.id)}
    if stage in ("review", "litigation") and "authority" not in done:
        raise XinyongError(
            "objection.stage_order",
            "请先记录向社会信用主管部门的申诉，再记录行政复议或行政诉讼",
            field="stage",
        )
    why = plain(text, field="text", max_length=2000, label="说明", multiline=True)
    result = plain(outcome or "", field="outcome", max_length=200, label="结果") or None
    _step(session, ctx, found, stage, why or APPEAL_STAGES[stage], on=on, outcome=result)
    found.updated_at = ctx.now
    return found
