"""Credit repair cases and interviews (REP-1..REP-6, DIS-8).

A subject applies to repair one of its own negative records during its public period, once the profile's
conditions are met; the provider of the record gives a written opinion within the profile's working days; a
favourable opinion is published for the profile's publicity days, during which anyone may object; without
(or after an unfounded) objection the repair is applied: the record becomes ``repaired`` through
``records.service.change``, list entries built on it end, credit service agencies that received it are told
to stop using it. Repair is free of charge: nothing here knows a fee.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import case as sql_case
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong import evidence as evidence_files
from xinyong.audit import service as audit
from xinyong.catalog import service as catalog
from xinyong.deadlines import service as deadlines
from xinyong.disclosure import service as disclosure
from xinyong.errors import NotFound, XinyongError
from xinyong.evidence import Upload
from xinyong.lists import service as lists
from xinyong.lists.service import Context
from xinyong.profiles.schema import Masking
from xinyong.records import service as records
from xinyong.records.models import STANDING_STATES, Record
from xinyong.repair.models import Interview, RepairCase, RepairFile, RepairObjection
from xinyong.rules.periods import add_span
from xinyong.rules.text import plain
from xinyong.subjects import service as subjects

KIND = "repair"
# The ways of repair (LN 39; JS-J 二十三).
WAYS = {
    "commitment": "信用承诺",
    "rectification": "信用整改",
    "credit_verification": "信用核查",
    "training": "信用修复培训",
    "credit_report": "提交信用报告",
    "public_welfare": "公益慈善活动",
}
STATUS_LABELS = {
    "filed": "待提供单位提出意见",
    "publicity": "修复意见公示中",
    "objected": "公示异议核实中",
    "applied": "已修复",
    "refused": "不予修复",
}
OPEN = ("filed", "publicity", "objected")
INTERVIEW_KINDS = {"reminder": "提示约谈", "warning": "警示约谈"}
# Why a record is no longer in use, as a repair refused for it says.
STATE_GONE = {
    "withdrawn": "被信息提供单位撤回",
    "revoked": "因原决定撤销而撤销",
    "deleted": "删除",
    "repaired": "修复",
}
EVIDENCE_FOLDER = "repair"  # under the data directory, one file per digest
MAX_TEXT = 4000
# Records that were wrong or are gone do not count as dishonesty of the same kind.
NOT_DISHONESTY = ("withdrawn", "revoked", "deleted")


class NotYet(XinyongError):
    """The application is refused for now; ``possible_on`` is the first day it can succeed."""

    def __init__(self, message: str, *, possible_on: date, field: str = "record") -> None:
        super().__init__("repair.not_yet", message, field=field)
        self.possible_on = possible_on


@dataclass(frozen=True)
class Application:
    """What the applicant states: the record, how and when it corrected the act, the ways, its commitment,
    a bankruptcy reorganization if any, and its evidence."""

    record_id: int
    correction: str
    corrected_on: date
    ways: tuple[str, ...]
    commitment: str = ""
    reorganization_ruling: str = ""
    reorganization_on: date | None = None
    files: tuple[Upload, ...] = ()


def _case_of(case: RepairCase) -> deadlines.Case:
    return deadlines.Case(KIND, case.number, case.subject_key)


def _text(value: str, field: str, label: str, *, required: bool = True) -> str:
    """Free text as people type it: no control characters (PostgreSQL refuses NUL), within MAX_TEXT."""
    text = plain(value, field=field, max_length=MAX_TEXT, label=label, multiline=True)
    if required and not text:
        raise XinyongError("repair.required", f"请填写{label}", field=field)
    return text


# ------------------------------------------------------------------------------------------- eligibility
def own_record(session: Session, *, record_id: int, subject_key: str) -> Record:
    """The applicant's own record; any other is refused as not found, revealing nothing."""
    record = records.find(session, record_id)
    if record is None or record.subject_key != subject_key:
        raise NotFound("repair.record_not_found", f"您的信用档案中没有编号为 {record_id} 的信用记录")
    return record


def in_public_period(record: Record, today: date) -> bool:
    return (
        record.state in STANDING_STATES
        and record.published
        and record.public_until is not None
        and today <= record.public_until
    )


def is_negative(session: Session, record: Record) -> bool:
    item = catalog.items_by_id(session, [record.item_id]).get(record.item_id)
    return item is not None and item.category == "negative"


def repairable(session: Session, records_: list[Record], today: date) -> set[int]:
    """Ids of the negative records in their public period: those a subject may apply to repair."""
    items = catalog.items_by_id(session, {r.item_id for r in records_})
    return {
        r.id
        for r in records_
        if in_public_period(r, today) and (found := items.get(r.item_id)) and found.category == "negative"
    }


def check_record(session: Session, ctx: Context, record: Record) -> None:
    """The record itself can be repaired now: negative, standing, public, its minimum publicity served."""
    if not is_negative(session, record):
        raise XinyongError("repair.not_negative", "只有失信（负面）信息可以申请信用修复", field="record")
    if not in_public_period(record, ctx.today):
        until = f"，公示期至 {record.public_until.isoformat()}" if record.public_until else ""
        raise XinyongError(
            "repair.not_public",
            f"该信用记录不在公示期内{until}：已停止公示的信息无需申请信用修复",
            field="record",
        )
    if record.earliest_repair is None:
        raise XinyongError(
            "repair.not_repairable",
            f"该信用记录的公示期于 {record.public_until} 届满，早于最短公示期，届满后自动停止公示，无需修复",
            field="record",
        )
    if ctx.today < record.earliest_repair:
        raise NotYet(
            f"该信用记录须公示满最短公示期，{record.earliest_repair.isoformat()} 起方可申请信用修复",
            possible_on=record.earliest_repair,
        )


def check_clean_period(session: Session, ctx: Context, record: Record, corrected_on: date) -> None:
    """No dishonesty of the same kind since the correction, for the profile's clean period (JS-P 34)."""
    setting = ctx.profile.repair.clean_period
    if corrected_on > ctx.today:
        raise XinyongError("repair.corrected_future", "纠正日期不能晚于今天", field="corrected_on")
    again = sorted(
        r.decision_date
        for r in records.records_of(session, record.subject_key)
        if r.id != record.id
        and r.item_code == record.item_code
        and r.state not in NOT_DISHONESTY
        and r.decision_date is not None
        and corrected_on < r.decision_date <= ctx.today
    )
    if again:
        raise XinyongError(
            "repair.same_kind_again",
            f"自纠正之日（{corrected_on.isoformat()}）起又发生同类失信行为（{again[0].isoformat()}），"
            f"不符合修复条件：{setting.value.label()}内未再发生同类失信行为（{setting.label()}）",
            field="corrected_on",
        )
    clean_from = add_span(corrected_on, setting.value)
    if ctx.today < clean_from:
        raise NotYet(
            f"须自纠正之日（{corrected_on.isoformat()}）起{setting.value.label()}内未再发生同类失信行为"
            f"（{setting.label()}），{clean_from.isoformat()} 起方可申请信用修复",
            possible_on=clean_from,
            field="corrected_on",
        )


# ------------------------------------------------------------------------------------------- filing
def _ways(ctx: Context, chosen: tuple[str, ...], commitment: str) -> tuple[list[str], str | None]:
    ways = list(dict.fromkeys(chosen))
    unknown = [w for w in ways if w not in WAYS]
    if unknown or not ways:
        known = "、".join(f"{k}（{v}）" for k, v in WAYS.items())
        raise XinyongError("repair.ways", f"请选择至少一种修复方式：{known}", field="ways")
    setting = ctx.profile.repair.requires_commitment
    if setting.value and "commitment" not in ways:
        raise XinyongError("repair.commitment_required", f"须作出信用承诺（{setting.label()}）", field="ways")
    if "commitment" not in ways:
        return ways, None
    return ways, _text(commitment, "commitment", "信用承诺内容")


def _reorganization(session: Session, ctx: Context, subject_key: str, application: Application) -> str | None:
    ruling = plain(application.reorganization_ruling, field="ruling", max_length=128, label="重整裁定书文号")
    if not ruling and application.reorganization_on is None:
        return None
    if not ruling or application.reorganization_on is None:
        raise XinyongError(
            "repair.reorganization",
            "破产重整须同时填写法院批准重整计划的裁定书文号和裁定日期",
            field="ruling",
        )
    if application.reorganization_on > ctx.today:
        raise XinyongError("repair.reorganization", "重整裁定日期不能晚于今天", field="reorganization_on")
    if disclosure.is_person(subjects.get(session, subject_key)):
        raise XinyongError("repair.reorganization", "只有企业可以申明破产重整", field="ruling")
    return ruling[:128]


def file(
    session: Session,
    ctx: Context,
    *,
    subject_key: str,
    application: Application,
    data_dir: Path,
) -> RepairCase:
    """Accept an application that meets every condition, or refuse it saying why and, where it will become
    possible, from which day (REP-1, REP-2). The provider's opinion is then due (REP-3)."""
    record = own_record(session, record_id=application.record_id, subject_key=subject_key)
    check_record(session, ctx, record)
    open_case = session.scalar(
        select(RepairCase.number).where(RepairCase.record_id == record.id, RepairCase.status.in_(OPEN))
    )
    if open_case is not None:
        raise XinyongError(
            "repair.duplicate", f"该信用记录已有正在办理的信用修复申请 {open_case}", field="record"
        )
    check_clean_period(session, ctx, record, application.corrected_on)
    ways, commitment = _ways(ctx, application.ways, application.commitment)
    correction = _text(application.correction, "correction", "纠正失信行为、消除不良影响的情况")
    ruling = _reorganization(session, ctx, subject_key, application)
    evidence = evidence_files.checked(application.files, code="repair", field="files")
    case = RepairCase(
        number=f"XF{ctx.today:%Y%m%d}{secrets.token_hex(4).upper()}",
        subject_key=subject_key,
        record_id=record.id,
        provider=record.provider,
        status="filed",
        ways=json.dumps(ways),
        correction=correction,
        corrected_on=application.corrected_on,
        commitment=commitment,
        reorganization_ruling=ruling,
        reorganization_on=application.reorganization_on if ruling else None,
        filed_on=ctx.today,
        filed_by=ctx.actor.label[:200],
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    session.add(case)
    session.flush()
    evidence_files.keep(data_dir / EVIDENCE_FOLDER, evidence)
    for file in evidence:
        session.add(
            RepairFile(
                case_id=case.id,
                subject_key=subject_key,
                filename=file.filename,
                media_type=file.media_type,
                size=len(file.content),
                digest=file.digest,
            )
        )
    deadlines.start(
        session,
        calendar=ctx.calendar,
        case_of=_case_of(case),
        step="opinion",
        label="提供单位提出书面信用修复意见",
        days=ctx.profile.repair.opinion_days,
        org_code=record.provider,
        started_on=ctx.today,
        now=ctx.now,
    )
    _audit(session, ctx, case, "repair.file", {"record": record.id, "ways": ways, "files": len(evidence)})
    return case


def _audit(session: Session, ctx: Context, case: RepairCase, action: str, detail: dict[str, object]) -> None:
    audit.record(
        session,
        at=ctx.now,
        actor=ctx.actor,
        action=action,
        target_type="repair_case",
        target_id=case.number,
        subject_key=case.subject_key,
        detail=detail,
    )


# ------------------------------------------------------------------------------------------- procedure
def get(session: Session, number: str) -> RepairCase:
    case = session.scalar(select(RepairCase).where(RepairCase.number == number))
    if case is None:
        raise NotFound("repair.not_found", f"信用修复申请 {number[:32]} 不存在")
    return case


def by_document(session: Session, document: str) -> RepairCase | None:
    """The case whose written decision has this number (the verification page looks it up)."""
    return session.scalar(select(RepairCase).where(RepairCase.document == document))


def _provided(session: Session, number: str, org_code: str | None) -> RepairCase:
    """A case on a record this organisation provided; others' cases are not found."""
    case = get(session, number)
    if org_code is None or case.provider != org_code:
        raise NotFound("repair.not_found", f"信用修复申请 {number[:32]} 不存在")
    return case


def _must_be(case: RepairCase, *statuses: str) -> None:
    if case.status not in statuses:
        raise XinyongError(
            "repair.wrong_status",
            f"信用修复申请 {case.number} 当前为“{STATUS_LABELS[case.status]}”，不能办理此步骤",
        )


def give_opinion(
    session: Session, ctx: Context, *, number: str, org_code: str | None, agrees: bool, text: str
) -> RepairCase:
    """The provider's written opinion (REP-3): against, the case is refused with its reasons; for, it is
    published for the profile's publicity days, or applied at once where there is no publicity."""
    case = _provided(session, number, org_code)
    _must_be(case, "filed")
    case.agrees, case.opinion = agrees, _text(text, "text", "书面意见（同意或不同意的理由）")
    case.opinion_on, case.updated_at = ctx.today, ctx.now
    deadlines.finish(session, case_of=_case_of(case), step="opinion", on=ctx.today, now=ctx.now)
    _audit(session, ctx, case, "repair.opinion", {"agrees": agrees})
    if not agrees:
        return _refuse(session, ctx, case, f"信息提供单位不同意修复：{case.opinion}")
    days = ctx.profile.repair.publicity_days.value
    if days == 0:
        return apply(session, ctx, case)
    case.status = "publicity"
    case.publicity_until = ctx.calendar.add_working_days(ctx.today, days).value
    return case


def object_to(session: Session, ctx: Context, *, number: str, text: str, contact: str) -> RepairObjection:
    """Anyone objects during the publicity; the case waits until the provider verifies it (REP-3)."""
    case, today = get(session, number), ctx.today
    if (
        case.status not in ("publicity", "objected")
        or case.publicity_until is None
        or today > case.publicity_until
    ):
        raise XinyongError(
            "repair.not_in_publicity", f"信用修复申请 {case.number} 不在公示期内，不能提出异议"
        )
    objection = RepairObjection(
        case_id=case.id,
        subject_key=case.subject_key,
        text=_text(text, "text", "异议内容"),
        contact=_text(contact, "contact", "联系方式")[:200],
        received_on=today,
    )
    session.add(objection)
    session.flush()
    case.status, case.updated_at = "objected", ctx.now
    deadlines.start(  # one step per objection: each must be verified in time
        session,
        calendar=ctx.calendar,
        case_of=_case_of(case),
        step=f"verify-{objection.id}",
        label="提供单位核实修复公示期间的异议",
        days=ctx.profile.repair.opinion_days,
        org_code=case.provider,
        started_on=today,
        now=ctx.now,
    )
    _audit(session, ctx, case, "repair.objection", {"received_on": today.isoformat()})
    return objection


def verify_objections(
    session: Session, ctx: Context, *, number: str, org_code: str | None, upheld: bool, finding: str
) -> RepairCase:
    """The provider verifies the objections: founded, the repair is refused; unfounded, the publicity goes on
    and the repair is applied once it ended (REP-3)."""
    case = _provided(session, number, org_code)
    _must_be(case, "objected")
    why = _text(finding, "finding", "核实意见")
    for objection in objections_of(session, case.id):
        if objection.verified_on is None:
            objection.verified_on, objection.upheld, objection.finding = ctx.today, upheld, why
    for deadline in deadlines.of_case(session, KIND, case.number):
        if deadline.step.startswith("verify-"):
            deadlines.finish(session, case_of=_case_of(case), step=deadline.step, on=ctx.today, now=ctx.now)
    _audit(session, ctx, case, "repair.verification", {"upheld": upheld})
    if upheld:
        return _refuse(session, ctx, case, f"修复公示期间的异议经核实成立：{why}")
    case.status, case.updated_at = "publicity", ctx.now
    if case.publicity_until is not None and ctx.today > case.publicity_until:
        return apply(session, ctx, case)
    return case


def refuse(session: Session, ctx: Context, *, number: str, reasons: str) -> RepairCase:
    """The operator closes an open case that does not meet the conditions, with its reasons (REP-4)."""
    case = get(session, number)
    _must_be(case, *OPEN)
    return _refuse(session, ctx, case, _text(reasons, "reasons", "不予修复的理由"))


def _refuse(session: Session, ctx: Context, case: RepairCase, reasons: str) -> RepairCase:
    case.status, case.decided_on, case.reasons, case.updated_at = "refused", ctx.today, reasons, ctx.now
    deadlines.finish_all(session, case_of=_case_of(case), on=ctx.today, now=ctx.now)
    _audit(session, ctx, case, "repair.refuse", {"reasons": reasons[:500]})
    return case


def apply(session: Session, ctx: Context, case: RepairCase) -> RepairCase:
    """The repair takes effect (REP-4, DIS-8, REP-6): the record becomes ``repaired`` (out of disclosure and
    sharing, kept in the archive), entries built on it leave their lists, agencies that received it are told
    to stop using it; for a company in bankruptcy reorganization its tax and financial black-list entries
    end too."""
    record = records.get(session, case.record_id)
    if record.state not in (*STANDING_STATES, "archived"):  # withdrawn, revoked or deleted meanwhile
        gone = STATE_GONE.get(record.state, record.state)
        return _refuse(session, ctx, case, f"该信用记录已{gone}，不再使用，无需修复")
    records.change(
        session,
        record=record,
        procedure="repair",
        reason=f"信用修复申请 {case.number} 经审核予以修复",
        actor=ctx.actor,
        now=ctx.now,
        state="repaired",
    )
    ended = lists.follow_record(session, ctx, record_id=record.id, state="repaired")
    if case.reorganization_ruling:
        ended += lists.end_for_reorganization(
            session, ctx, subject_key=case.subject_key, ruling=case.reorganization_ruling
        )
    disclosure.stop_use(
        session, record_ids=[record.id], reason="信用修复", as_of=ctx.today, now=ctx.now, case=case.number
    )
    case.status, case.decided_on, case.updated_at = "applied", ctx.today, ctx.now
    case.reasons = "符合信用修复条件，予以修复：该失信信息停止公示和共享，转为档案保存，相关惩戒措施终止"
    deadlines.finish_all(session, case_of=_case_of(case), on=ctx.today, now=ctx.now)
    _audit(session, ctx, case, "repair.apply", {"record": record.id, "entries_ended": ended})
    return case


def publicity_ended(session: Session, as_of: date, limit: int) -> list[str]:
    """Cases whose publicity ended before ``as_of`` without a pending objection: due to be applied."""
    return list(
        session.scalars(
            select(RepairCase.number)
            .where(RepairCase.status == "publicity", RepairCase.publicity_until < as_of)
            .order_by(RepairCase.id)
            .limit(limit)
        )
    )


# ------------------------------------------------------------------------------------------- interviews
def record_interview(
    session: Session,
    ctx: Context,
    *,
    record_id: int,
    org_code: str | None,
    kind: str,
    held_on: date,
    department: str,
    content: str,
    outcome: str,
) -> Interview:
    """A reminder or warning interview the provider held during the record's public period (REP-5)."""
    record = records.find(session, record_id)
    if record is None or org_code is None or record.provider != org_code:
        raise NotFound("interview.record_not_found", f"没有本单位报送的编号为 {record_id} 的信用记录")
    if kind not in INTERVIEW_KINDS:
        known = "、".join(f"{k}（{v}）" for k, v in INTERVIEW_KINDS.items())
        raise XinyongError("interview.kind", f"约谈类型应为：{known}", field="kind")
    if held_on > ctx.today:
        raise XinyongError("interview.future", "约谈日期不能晚于今天", field="held_on")
    if not is_negative(session, record) or not (
        record.state in STANDING_STATES
        and record.decision_date is not None
        and record.public_until is not None
        and record.decision_date <= held_on <= record.public_until
    ):
        raise XinyongError("interview.not_public", "只能记录失信信息公示期内进行的约谈", field="held_on")
    interview = Interview(
        number=f"YT{ctx.today:%Y%m%d}{secrets.token_hex(4).upper()}",
        subject_key=record.subject_key,
        record_id=record.id,
        org_code=org_code,
        kind=kind,
        held_on=held_on,
        department=_text(department, "department", "约谈部门")[:200],
        content=_text(content, "content", "约谈内容"),
        outcome=_text(outcome, "outcome", "约谈结果"),
        actor_label=ctx.actor.label[:200],
        created_at=ctx.now,
    )
    session.add(interview)
    session.flush()
    audit.record(
        session,
        at=ctx.now,
        actor=ctx.actor,
        action="interview.record",
        target_type="interview",
        target_id=interview.number,
        subject_key=record.subject_key,
        detail={"record": record.id, "kind": kind},
    )
    return interview


# ------------------------------------------------------------------------------------------- reading
def cases_of(session: Session, subject_key: str) -> list[RepairCase]:
    return list(
        session.scalars(
            select(RepairCase).where(RepairCase.subject_key == subject_key).order_by(RepairCase.id.desc())
        )
    )


def queue(session: Session, *, provider: str | None, limit: int = 200) -> list[RepairCase]:
    """Every open case before any decided one (oldest first, the likeliest to be late), then the latest
    decided; a provider sees those on its own records."""
    decided = sql_case((RepairCase.status.in_(OPEN), 0), else_=1)
    newest_decided_first = sql_case((RepairCase.status.in_(OPEN), RepairCase.id), else_=-RepairCase.id)
    query = select(RepairCase)
    if provider is not None:
        query = query.where(RepairCase.provider == provider)
    return list(session.scalars(query.order_by(decided, newest_decided_first).limit(limit)))


def in_publicity(session: Session, today: date) -> list[RepairCase]:
    return list(
        session.scalars(
            select(RepairCase)
            .where(RepairCase.status.in_(("publicity", "objected")), RepairCase.publicity_until >= today)
            .order_by(RepairCase.publicity_until, RepairCase.id)
        )
    )


@dataclass(frozen=True)
class Notice:
    """What the public sees of a case in publicity: the subject as the portal shows it, the record's item
    and document number, the provider's opinion, the end of publicity (REP-3, DATA-3)."""

    number: str
    name: str
    key: str
    item: str
    document: str | None
    opinion: str
    publicity_until: date


def notices(session: Session, *, today: date, masking: Masking) -> list[Notice]:
    found = []
    for case in in_publicity(session, today):
        record = session.get(Record, case.record_id)
        subject = subjects.find(session, case.subject_key)
        if record is None or subject is None or case.publicity_until is None:
            continue
        item = catalog.items_by_id(session, [record.item_id]).get(record.item_id)
        found.append(
            Notice(
                number=case.number,
                name=disclosure.shown_name(subject, masking),
                key=disclosure.shown_key(subject, masking),
                item=item.name if item is not None else record.item_code,
                document=record.document_number,
                opinion=case.opinion or "",
                publicity_until=case.publicity_until,
            )
        )
    return found


def evidence_file(data_dir: Path, kept: RepairFile) -> bytes:
    return evidence_files.read(data_dir / EVIDENCE_FOLDER, kept.digest)


def files_of(session: Session, case_id: int) -> list[RepairFile]:
    return list(
        session.scalars(select(RepairFile).where(RepairFile.case_id == case_id).order_by(RepairFile.id))
    )


def objections_of(session: Session, case_id: int) -> list[RepairObjection]:
    return list(
        session.scalars(
            select(RepairObjection).where(RepairObjection.case_id == case_id).order_by(RepairObjection.id)
        )
    )


def interviews_of(
    session: Session, *, subject_key: str | None = None, record_id: int | None = None
) -> list[Interview]:
    query = select(Interview).order_by(Interview.held_on, Interview.id)
    if subject_key is not None:
        query = query.where(Interview.subject_key == subject_key)
    if record_id is not None:
        query = query.where(Interview.record_id == record_id)
    return list(session.scalars(query))


def ways_of(case: RepairCase) -> list[str]:
    return [WAYS[w] for w in json.loads(case.ways)]
