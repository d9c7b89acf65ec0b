"""Government integrity archives and government dishonesty (GOV-1, GOV-2).

Government bodies and civil servants are subjects like any other, keyed by their USCC and citizen ID. Their
archive entries, under the dimensions JS-G 二(三) names, are entered by the competent departments, versioned
and audited. Government dishonesty (judgments, penalties, disciplinary sanctions, accountability, broken
commitments) is a credit record of the catalog item ``government-dishonesty`` delivered through ingestion, so
it is checked, versioned, published, objected to and repaired like every negative record. A case the
competent authority judged under the fault-tolerance rules (容错纠错) is not recorded: delivered with its
exemption it is refused and the exemption kept; recorded before, it is withdrawn with the exemption as reason.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.access.gate import Gate, Info
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.clock import Clock
from xinyong.disclosure import service as disclosure
from xinyong.errors import NotFound, XinyongError
from xinyong.government.models import ArchiveEntry, ArchiveVersion, Body, CivilServant, Exemption, Region
from xinyong.government.schema import APPRAISAL_GRADES, BODY_DIMENSIONS, SERVANT_DIMENSIONS
from xinyong.profiles.schema import Profile, Severity
from xinyong.records import ingest
from xinyong.records import service as records
from xinyong.records.models import MAX_ID, STANDING_STATES
from xinyong.rules import identifiers
from xinyong.rules.identifiers import Identifier, IdType
from xinyong.rules.text import plain
from xinyong.subjects import service as subjects
from xinyong.subjects.models import Subject

ITEM = "government-dishonesty"
ARCHIVE_ITEM = "government-archive"  # what the gate is asked about when an archive is read
EXEMPTION_PROCEDURE = "fault_tolerance"
CONDUCTS = ("司法判决", "行政处罚", "纪律处分", "问责处理", "违约毁约")
MAX_TEXT = 2000


def text(value: str, field: str, label: str, *, max_length: int = 200, required: bool = True) -> str:
    """A field people typed, trimmed and bounded; an empty required one is refused by name."""
    found = plain(value, field=field, max_length=max_length, label=label, multiline=max_length > 200)
    if required and not found:
        raise XinyongError("government.required", f"请填写{label}", field=field)
    return found


def not_after(day: date, today: date, field: str, label: str) -> date:
    if day > today:
        raise XinyongError("government.future_date", f"{label}（{day}）不能晚于今天（{today}）", field=field)
    return day


def _identifier(code: str, kind: IdType, field: str, today: date) -> Identifier:
    try:
        return identifiers.validate(code, kind, today=today)
    except XinyongError as exc:
        raise XinyongError(exc.code, exc.message, field=field) from exc


# ------------------------------------------------------------------------------------- bodies, servants
def body(session: Session, key: str) -> Body | None:
    return session.scalar(select(Body).where(Body.subject_key == key))


def servant(session: Session, key: str) -> CivilServant | None:
    return session.scalar(select(CivilServant).where(CivilServant.subject_key == key))


def region(session: Session, code: str) -> Region:
    found = session.scalar(select(Region).where(Region.code == code.strip()))
    if found is None:
        raise XinyongError(
            "government.region_unknown", f"行政区划代码 {code[:12]!r} 未登记，请先登记该区域", field="region"
        )
    return found


def register_body(
    session: Session, *, code: str, name: str, region_code: str, actor: AuditActor, now: datetime
) -> Body:
    """A body registered by an establishment authority (USCC category 1: 机关、事业单位) gets an archive."""
    found = _identifier(code, IdType.USCC, "code", now.date())
    if not found.value.startswith("1"):
        raise XinyongError(
            "government.not_body",
            f"统一社会信用代码 {found.value} 的登记管理部门代码为“{found.value[0]}”，"
            "不是机构编制部门登记的机关或事业单位（应为 1）",
            field="code",
        )
    if body(session, found.value) is not None:
        raise XinyongError("government.body_exists", f"政府机构 {found.value} 已建立档案", field="code")
    label = text(name, "name", "机构名称")
    place = region(session, region_code)
    subjects.ensure(session, subjects=[subjects.NewSubject(found, label, "government")], now=now)
    made = Body(subject_key=found.value, name=label, region_code=place.code, created_at=now, updated_at=now)
    session.add(made)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="government.body",
        target_type="government_body",
        target_id=found.value,
        subject_key=found.value,
        detail={"name": label, "region": place.code},
    )
    return made


def register_servant(
    session: Session, *, code: str, name: str, body_code: str, post: str, actor: AuditActor, now: datetime
) -> CivilServant:
    """A civil servant's archive, or their move to another body or post (kept in the audit log)."""
    person = _identifier(code, IdType.CITIZEN_ID, "code", now.date())
    employer = body(session, identifiers.compact(body_code))
    if employer is None:
        raise XinyongError("government.body_unknown", f"所在机关 {body_code[:64]!r} 未建立档案", field="body")
    label, role = text(name, "name", "姓名", max_length=100), text(post, "post", "职务", max_length=100)
    subjects.ensure(session, subjects=[subjects.NewSubject(person, label, "natural_person")], now=now)
    found = servant(session, person.value)
    before = None if found is None else {"body": found.body_key, "post": found.post}
    if found is None:
        found = CivilServant(subject_key=person.value, name=label, created_at=now)
        session.add(found)
    found.body_key, found.post, found.updated_at = employer.subject_key, role, now
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="government.servant",
        target_type="government_civil_servant",
        target_id=person.value,
        subject_key=person.value,
        detail={"body": employer.subject_key, "post": role, "before": before},
    )
    return found


def bodies(session: Session) -> list[Body]:
    return list(session.scalars(select(Body).order_by(Body.region_code, Body.name)))


def servants(session: Session, *, body_key: str | None = None) -> list[CivilServant]:
    query = select(CivilServant).order_by(CivilServant.body_key, CivilServant.id)
    if body_key is not None:
        query = query.where(CivilServant.body_key == body_key)
    return list(session.scalars(query))


# ----------------------------------------------------------------------------------------- entries
@dataclass(frozen=True)
class EntryIn:
    """One archive entry as the competent department states it."""

    dimension: str
    title: str
    content: str
    recorded_on: date
    department: str
    score: int | None = None
    year: int | None = None
    grade: str | None = None
    document_number: str = ""


def _holder(session: Session, key: str) -> tuple[str, dict[str, str]]:
    if body(session, key) is not None:
        return "body", BODY_DIMENSIONS
    if servant(session, key) is not None:
        return "servant", SERVANT_DIMENSIONS
    raise NotFound("government.not_registered", f"{key[:64]} 不是已建立档案的政府机构或公务员")


def _checked(entry: EntryIn, dimensions: dict[str, str], today: date) -> dict[str, object]:
    """The entry's values once every rule of its dimension holds; what is wrong is named by field."""
    if entry.dimension not in dimensions:
        known = "、".join(f"{k}（{v}）" for k, v in dimensions.items())
        raise XinyongError("government.dimension", f"档案类别应为：{known}", field="dimension")
    scored, graded = entry.dimension == "satisfaction", entry.dimension == "appraisal"
    if scored != (entry.score is not None) or (entry.score is not None and not 0 <= entry.score <= 100):
        raise XinyongError(
            "government.score", "群众满意度须填写 0 到 100 的测评得分，其他类别不填得分", field="score"
        )
    if graded != (entry.grade is not None) or (
        entry.grade is not None and entry.grade not in APPRAISAL_GRADES
    ):
        raise XinyongError(
            "government.grade",
            f"年度考核须填写考核等次（{'、'.join(APPRAISAL_GRADES)}），其他类别不填",
            field="grade",
        )
    if (scored or graded) and (entry.year is None or not 1949 < entry.year <= today.year):
        raise XinyongError(
            "government.year", f"请填写测评或考核所属年度（不晚于 {today.year}）", field="year"
        )
    return {
        "dimension": entry.dimension,
        "title": text(entry.title, "title", "标题"),
        "content": text(entry.content, "content", "内容", max_length=MAX_TEXT),
        "recorded_on": not_after(entry.recorded_on, today, "recorded_on", "记录日期"),
        "department": text(entry.department, "department", "记录部门"),
        "score": entry.score,
        "year": entry.year if scored or graded else None,
        "grade": entry.grade,
        "document_number": text(
            entry.document_number, "document_number", "文书编号", max_length=128, required=False
        )
        or None,
    }


def _version(session: Session, entry: ArchiveEntry, reason: str, actor: AuditActor, now: datetime) -> None:
    data = {
        "dimension": entry.dimension,
        "title": entry.title,
        "content": entry.content,
        "score": entry.score,
        "year": entry.year,
        "grade": entry.grade,
        "document_number": entry.document_number,
        "recorded_on": entry.recorded_on.isoformat(),
        "department": entry.department,
    }
    session.add(
        ArchiveVersion(
            entry_id=entry.id,
            subject_key=entry.subject_key,
            version=entry.version,
            data=json.dumps(data, ensure_ascii=False, sort_keys=True),
            reason=reason[:500],
            actor_label=actor.label,
            at=now,
        )
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action="government.archive_entry",
        target_type="government_archive_entry",
        target_id=str(entry.id),
        subject_key=entry.subject_key,
        detail={"version": entry.version, "dimension": entry.dimension, "reason": reason[:500]},
    )


def add_entry(
    session: Session, *, code: str, entry: EntryIn, actor: AuditActor, now: datetime, today: date
) -> ArchiveEntry:
    """A new entry in a body's or civil servant's archive, as its first version (GOV-1)."""
    key = identifiers.compact(code)
    holder, dimensions = _holder(session, key)
    values = _checked(entry, dimensions, today)
    made = ArchiveEntry(subject_key=key, holder=holder, version=1, created_at=now, updated_at=now, **values)
    session.add(made)
    session.flush()
    _version(session, made, "记入档案", actor, now)
    return made


def correct_entry(
    session: Session,
    *,
    entry_id: int,
    entry: EntryIn,
    reason: str,
    actor: AuditActor,
    now: datetime,
    today: date,
) -> ArchiveEntry:
    """A correction is the entry's next version with its reason; the earlier versions stay as they were."""
    found = session.get(ArchiveEntry, entry_id) if 1 <= entry_id <= MAX_ID else None
    if found is None:
        raise NotFound("government.entry_not_found", f"没有编号为 {entry_id} 的档案记录")
    why = text(reason, "reason", "更正原因", max_length=500)
    dimensions = BODY_DIMENSIONS if found.holder == "body" else SERVANT_DIMENSIONS
    values = _checked(entry, dimensions, today)
    if values["dimension"] != found.dimension:
        raise XinyongError(
            "government.dimension_fixed", "更正不能改变档案类别；请另行记入", field="dimension"
        )
    for name, value in values.items():
        setattr(found, name, value)
    found.version, found.updated_at = found.version + 1, now
    session.flush()
    _version(session, found, f"更正：{why}", actor, now)
    return found


def entries(session: Session, key: str) -> list[ArchiveEntry]:
    query = select(ArchiveEntry).where(ArchiveEntry.subject_key == key)
    return list(session.scalars(query.order_by(ArchiveEntry.recorded_on.desc(), ArchiveEntry.id.desc())))


def versions(session: Session, key: str) -> dict[int, list[ArchiveVersion]]:
    """Every version of a subject's entries, oldest first, by entry."""
    found: dict[int, list[ArchiveVersion]] = {}
    query = select(ArchiveVersion).where(ArchiveVersion.subject_key == key)
    for version in session.scalars(query.order_by(ArchiveVersion.entry_id, ArchiveVersion.version)):
        found.setdefault(version.entry_id, []).append(version)
    return found


@dataclass(frozen=True)
class Archive:
    subject: Subject
    holder: str
    body: Body | None
    servant: CivilServant | None
    employer: Body | None  # a civil servant's body

    @property
    def info(self) -> Info:
        """A body's archive is public (政务公开, JS-G 一(二)); a civil servant's is shared with departments
        that state a purpose (hiring and promotion, LN 48; archive management) and open to the person."""
        if self.holder == "body":
            return Info(self.subject.key, "public", ARCHIVE_ITEM, frozenset({"*"}), publicly_visible=True)
        return Info(self.subject.key, "shared", ARCHIVE_ITEM, frozenset({"*"}))


def archive(session: Session, code: str) -> Archive:
    key = identifiers.compact(code)[:64]
    holder, _ = _holder(session, key)
    subject = subjects.get(session, key)
    found_body, found_servant = body(session, key), servant(session, key)
    employer = body(session, found_servant.body_key) if found_servant is not None else None
    return Archive(subject, holder, found_body, found_servant, employer)


# ---------------------------------------------------------------------------------- dishonesty
@dataclass(frozen=True)
class Case:
    """A government dishonesty case as the department that dealt with it delivers it (GOV-2)."""

    code: str
    conduct: str
    facts: str
    document_number: str
    decision_date: date
    authority: str
    outcome: str = ""
    commitment_number: str = ""
    severity: Severity = "general"


@dataclass(frozen=True)
class ExemptionIn:
    """The competent authority's decision that the case falls under the fault-tolerance rules."""

    document_number: str
    authority: str
    decided_on: date
    reason: str


def _exemption(
    session: Session,
    *,
    key: str,
    case_document: str,
    facts: str,
    decision: ExemptionIn,
    record_id: int | None,
    provider: str,
    actor: AuditActor,
    now: datetime,
) -> Exemption:
    made = Exemption(
        number=f"RC{now:%Y%m%d}{secrets.token_hex(4).upper()}",
        subject_key=key,
        case_document=case_document[:128],
        facts=facts,
        document_number=text(
            decision.document_number, "exemption.document_number", "容错认定文书编号", max_length=128
        ),
        authority=text(decision.authority, "exemption.authority", "容错认定机关"),
        decided_on=not_after(decision.decided_on, now.date(), "exemption.decided_on", "容错认定日期"),
        reason=text(decision.reason, "exemption.reason", "容错认定理由", max_length=MAX_TEXT),
        record_id=record_id,
        provider=provider,
        actor_label=actor.label,
        created_at=now,
    )
    session.add(made)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="government.exemption",
        target_type="government_exemption",
        target_id=made.number,
        subject_key=key,
        detail={**asdict(decision), "decided_on": decision.decided_on.isoformat(), "record": record_id},
    )
    return made


def _row(session: Session, case: Case, today: date) -> tuple[str, dict[str, str]]:
    """The record row of a case: who it is about (a registered body or civil servant) and what happened."""
    key = identifiers.compact(case.code)[:64]
    holder, _ = _holder(session, key)
    if case.conduct not in CONDUCTS:
        raise XinyongError("government.conduct", f"失信情形应为：{'、'.join(CONDUCTS)}", field="conduct")
    subject = subjects.get(session, key)
    row = {
        "subject_name": subject.name,
        "conduct": case.conduct,
        "facts": text(case.facts, "facts", "失信事实", max_length=MAX_TEXT),
        "outcome": text(case.outcome, "outcome", "处理结果", max_length=500, required=False),
        "commitment_number": case.commitment_number,
        "document_number": text(case.document_number, "document_number", "文书编号", max_length=128),
        "decision_date": not_after(case.decision_date, today, "decision_date", "决定日期").isoformat(),
        "authority": text(case.authority, "authority", "作出单位"),
    }
    if holder == "body":
        row |= {"subject_category": "法人及非法人组织", "uscc": key}
    else:
        person = servant(session, key)
        assert person is not None
        employer = body(session, person.body_key)
        row |= {
            "subject_category": "自然人",
            "id_type": "身份证",
            "id_number": key,
            "body_name": employer.name if employer is not None else "",
            "post": person.post,
        }
    return key, row


def deliver(
    factory: sessionmaker[Session],
    *,
    case: Case,
    exemption: ExemptionIn | None,
    provider: str,
    actor: AuditActor,
    profile: Profile,
    clock: Clock,
) -> int:
    """Deliver a case as a government dishonesty record through ingestion; its record id.

    A case with a fault-tolerance exemption is not recorded (JS-G 二(三)): the exemption is kept in the
    archive, and the delivery is refused with ``government.fault_tolerance`` naming it."""
    with factory() as session:
        key, row = _row(session, case, clock.today())
    if exemption is not None:
        with factory() as session, session.begin():
            kept = _exemption(
                session,
                key=key,
                case_document=row["document_number"],
                facts=row["facts"],
                decision=exemption,
                record_id=None,
                provider=provider,
                actor=actor,
                now=clock.now(),
            )
        raise XinyongError(
            "government.fault_tolerance",
            f"该案件经 {kept.authority} 认定符合容错纠错情形（{kept.document_number}），不纳入政务失信记录；"
            f"容错认定已记入档案（编号 {kept.number}）",
            field="exemption",
        )
    delivery = ingest.Delivery(
        provider=provider, item_code=ITEM, route="api", actor=actor, default_severity=case.severity
    )
    summary = ingest.run(
        factory, delivery=delivery, rows=ingest.from_mappings([row], set(row)), profile=profile, clock=clock
    )
    if summary.rejected:
        first = summary.rejects[0]
        raise XinyongError(first["code"], first["message"], field=first.get("field"))
    with factory() as session:
        made = [r for r in records.records_of(session, key) if r.job_id == summary.job]
    if not made:
        raise XinyongError(
            "government.duplicate",
            f"文书 {row['document_number']} 的政务失信记录已报送过",
            field="document_number",
        )
    return made[0].id


def exempt(
    session: Session,
    *,
    record_id: int,
    provider: str,
    decision: ExemptionIn,
    actor: AuditActor,
    now: datetime,
) -> Exemption:
    """A recorded case later judged under the fault-tolerance rules: the exemption is kept and the record
    withdrawn through ``records.service.change`` with the exemption as its reason; agencies that were given
    it are told to stop using it."""
    record = records.find(session, record_id)
    if record is None or record.item_code != ITEM or record.provider != provider:
        raise NotFound("government.record_not_found", f"没有本单位报送的编号为 {record_id} 的政务失信记录")
    if record.state not in STANDING_STATES:
        raise XinyongError(
            "government.not_standing", f"政务失信记录 {record_id} 已不在使用中", field="record"
        )
    data = json.loads(record.data)
    kept = _exemption(
        session,
        key=record.subject_key,
        case_document=record.document_number or "",
        facts=str(data.get("facts", "")),
        decision=decision,
        record_id=record.id,
        provider=provider,
        actor=actor,
        now=now,
    )
    reason = (
        f"经 {kept.authority} 认定符合容错纠错情形（{kept.document_number}，{kept.decided_on}），"
        f"不纳入政务失信记录（{kept.number}）"
    )
    records.change(
        session,
        record=record,
        procedure=EXEMPTION_PROCEDURE,
        reason=reason,
        actor=actor,
        now=now,
        state="withdrawn",
    )
    disclosure.stop_use(
        session, record_ids=[record.id], reason=reason, as_of=now.date(), now=now, case=kept.number
    )
    return kept


def exemptions(session: Session, key: str) -> list[Exemption]:
    query = select(Exemption).where(Exemption.subject_key == key).order_by(Exemption.decided_on.desc())
    return list(session.scalars(query))


def read_dishonesty(
    session: Session, gate: Gate, found: Archive, *, profile: Profile, now: datetime
) -> list[disclosure.Shown]:
    """Open the archive through the gate (a civil servant's read is logged) and give its government
    dishonesty records as the gate lets them through."""
    gate.check(
        found.info, action="archive.read", target_type="government_archive", target_id=found.subject.key
    )
    shown = disclosure.visible_records(
        session,
        gate,
        found.subject,
        masking=profile.masking,
        marked_shown=disclosure.marked_shown(profile),
        now=now,
    )
    return [s for s in shown if s.record.item_code == ITEM]
