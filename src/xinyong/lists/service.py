"""Red and black lists with their due process (LIST-1..10, PER-3).

Black: propose → notice served (reasons, basis, measures, rights, removal conditions) → defence period
(profile) for statements and objections → decision document → entry. Red: determination → draft →
cross-check against every black list → publicity (profile) → entry, or the objection is answered first.
On a black entry the subject leaves every red list and an organisation's responsible persons get a mark
in their archives. Every change of status is a ``list_step``; the joint R&P tasks follow the entry.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import ColumnElement, bindparam, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from xinyong.access import service as access
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.errors import Forbidden, NotFound, XinyongError
from xinyong.lists.models import ListEntry, ListMark, ListStep
from xinyong.lists.schema import ListType, ListTypesFile
from xinyong.measures import service as measures
from xinyong.measures.schema import Measure
from xinyong.profiles.schema import Profile
from xinyong.records.models import STANDING_STATES, Record
from xinyong.reference import read_model
from xinyong.rules.calendar import WorkingCalendar
from xinyong.rules.identifiers import IdType
from xinyong.rules.periods import add_span
from xinyong.subjects import service as subjects

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "lists"
MASKED_PREFIX = f"{IdType.MASKED.value}:"  # the subject key of a masked ID (subjects.service.key_of)
# An organisation's people whose archives a black listing marks (LIST-6).
RESPONSIBLE_ROLES = ("legal_representative", "principal", "actual_controller", "responsible_person")
STATUS_LABELS = {
    "proposed": "拟列入",
    "noticed": "已告知，陈述申辩期",
    "publicity": "公示中",
    "objected": "公示期有异议，核实中",
    "active": "名单有效",
    "removed": "已移出",
    "dropped": "不予列入",
    "corrected": "误列已更正",
}
REMOVAL_LABELS = {
    "term_end": "有效期届满",
    "repair": "信用修复",
    "revocation": "认定依据被撤销",
    "error": "认定错误",
    "source": "来源方移出",
}
STEP_LABELS = {
    "propose": "提出拟列入",
    "notice": "送达事先告知书",
    "statement": "陈述申辩",
    "objection": "提出异议",
    "decision": "作出决定",
    "draft": "生成红名单初步名单",
    "crosscheck": "与严重失信主体名单交叉比对",
    "publicity": "公示",
    "entry": "列入名单",
    "removal": "移出名单",
    "correction": "误列更正",
    "received": "接收名单信息",
    "objection_mark": "异议标注",
    "mark_removed": "去除异议标注",
}


# ------------------------------------------------------------------------------------------- types
@dataclass(frozen=True)
class ListTypes:
    types: dict[str, ListType]
    digest: str
    sources: tuple[str, ...]

    def get(self, code: str) -> ListType:
        if code not in self.types:
            raise XinyongError("list.unknown_type", f"未知的名单类型“{code[:64]}”", field="list_type")
        return self.types[code]

    def from_item(self, item_code: str) -> list[ListType]:
        return [t for t in self.types.values() if t.item == item_code and t.source != "local"]


@lru_cache(maxsize=8)
def list_types(data_dir: Path) -> ListTypes:
    """The national types, then the deployment's ``lists/*.toml``; each must name its legal basis and
    determining department, or the file is refused (LIST-1)."""
    local = data_dir / "lists"
    paths = sorted(SHIPPED_DIR.glob("*.toml")) + (sorted(local.glob("*.toml")) if local.is_dir() else [])
    found: dict[str, ListType] = {}
    digests = []
    for path in paths:
        parsed, digest = read_model(path, ListTypesFile, code="lists", what="名单类型文件")
        shipped = path.parent == SHIPPED_DIR
        if shipped != (parsed.scope == "national"):
            raise XinyongError("lists.scope", f"{path}：scope 应为 {'national' if shipped else 'local'}")
        for list_type in parsed.types:
            if list_type.code in found:
                raise XinyongError("lists.code_clash", f"{path}：名单类型代码 {list_type.code} 已存在")
            found[list_type.code] = list_type
        digests.append(digest)
    return ListTypes(found, "".join(digests), tuple(str(p) for p in paths))


@dataclass(frozen=True)
class Context:
    """What every procedure step needs: the rules, the calendar, who acts and when."""

    types: ListTypes
    measure_list: measures.MeasureList
    profile: Profile
    calendar: WorkingCalendar
    actor: AuditActor
    today: date
    now: datetime


def context(
    data_dir: Path,
    *,
    profile: Profile,
    calendar: WorkingCalendar,
    actor: AuditActor,
    today: date,
    now: datetime,
) -> Context:
    types = list_types(data_dir)
    return Context(
        types, measures.measure_list(data_dir, frozenset(types.types)), profile, calendar, actor, today, now
    )


# ------------------------------------------------------------------------------------------- helpers
def _number(today: date) -> str:
    return f"MD{today:%Y%m%d}{secrets.token_hex(4).upper()}"


def get(session: Session, number: str) -> ListEntry:
    entry = session.scalar(select(ListEntry).where(ListEntry.number == number))
    if entry is None:
        raise NotFound("list.entry_not_found", f"名单记录 {number[:40]} 不存在")
    return entry


def steps_of(session: Session, entry_id: int) -> list[ListStep]:
    return list(session.scalars(select(ListStep).where(ListStep.entry_id == entry_id).order_by(ListStep.id)))


def _step(
    session: Session, ctx: Context, entry: ListEntry, step: str, text: str, *, document: str | None = None
) -> None:
    _steps(session, ctx, [(entry, text)], step, document=document)


def _steps(
    session: Session,
    ctx: Context,
    entries: Sequence[tuple[ListEntry, str]],
    step: str,
    *,
    document: str | None = None,
) -> None:
    """The same step of several entries, each with its text, written and audited together."""
    session.add_all(
        [
            ListStep(
                entry_id=entry.id,
                subject_key=entry.subject_key,
                step=step,
                on=ctx.today,
                text=text,
                document=document,
                actor_label=ctx.actor.label,
                at=ctx.now,
            )
            for entry, text in entries
        ]
    )
    audit.record_many(
        session,
        [
            audit.Event(
                at=ctx.now,
                actor=ctx.actor,
                action=f"list.{step}",
                target_type="list_entry",
                target_id=entry.number,
                subject_key=entry.subject_key,
                detail={"list_type": entry.list_type, "status": entry.status, "text": text[:500]},
            )
            for entry, text in entries
        ],
    )


def _must_be(entry: ListEntry, *statuses: str) -> None:
    if entry.status not in statuses:
        wanted = "、".join(STATUS_LABELS[s] for s in statuses)
        raise XinyongError(
            "list.wrong_status",
            f"名单记录 {entry.number} 当前状态为“{STATUS_LABELS[entry.status]}”，此操作仅适用于：{wanted}",
        )


def _may_determine(session: Session, list_type: ListType, org_code: str | None) -> str:
    if org_code is None:
        raise Forbidden("list.no_org", "只有认定单位的账号可以办理名单")
    org = access.get_org(session, org_code)
    if org.kind not in list_type.determining_org_kinds and org.kind != "operator":
        raise Forbidden(
            "list.not_determining",
            f"机构 {org.code}（{org.kind}）不是“{list_type.name}”的认定单位（{list_type.determining}）",
        )
    return org.code


def _text(value: str, field: str, label: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise XinyongError("list.text_required", f"须填写{label}", field=field)
    return text[:4000]


def facts(entry: ListEntry, ctx: Context) -> measures.EntryFacts:
    return measures.EntryFacts(
        id=entry.id,
        number=entry.number,
        list_type=entry.list_type,
        list_name=ctx.types.get(entry.list_type).name,
        subject_key=entry.subject_key,
        subject_name=entry.subject_name,
        entered_on=entry.entered_on or ctx.today,
        term_end=entry.term_end,
    )


def measures_for(ctx: Context, list_type: str) -> list[Measure]:
    return ctx.measure_list.for_list_type(list_type)


def active_black(session: Session, subject_key: str) -> list[ListEntry]:
    return list(
        session.scalars(
            select(ListEntry).where(
                ListEntry.subject_key == subject_key, ListEntry.kind == "black", ListEntry.status == "active"
            )
        )
    )


_OF_SUBJECT = (
    select(ListEntry).where(ListEntry.subject_key == bindparam("key")).order_by(ListEntry.id)
)  # once


def entries_of(session: Session, subject_key: str) -> list[ListEntry]:
    return list(session.scalars(_OF_SUBJECT, {"key": subject_key}))


def marks_of(session: Session, person_key: str) -> list[tuple[ListMark, ListEntry]]:
    rows = session.execute(
        select(ListMark, ListEntry)
        .join(ListEntry, ListEntry.id == ListMark.entry_id)
        .where(ListMark.person_key == person_key)
        .order_by(ListMark.id)
    )
    return [(mark, entry) for mark, entry in rows]


# ------------------------------------------------------------------------------------------- black
def propose(
    session: Session,
    ctx: Context,
    *,
    list_type: str,
    subject_key: str,
    reasons: str,
    org_code: str | None,
    record_id: int | None = None,
) -> ListEntry:
    """A determining department proposes to black-list a subject; nothing takes effect before notice,
    defence and decision (LIST-3)."""
    kind = ctx.types.get(list_type)
    if kind.kind != "black":
        raise XinyongError("list.not_black", f"“{kind.name}”是红名单，请按红名单程序认定", field="list_type")
    if kind.source != "local":
        raise XinyongError(
            "list.received_type",
            f"“{kind.name}”由{kind.determining}认定，平台只接收，不在此认定",
            field="list_type",
        )
    org = _may_determine(session, kind, org_code)
    subject = subjects.get(session, subject_key)
    if subject.kind not in kind.subject_kinds:
        raise XinyongError(
            "list.subject_kind", f"“{kind.name}”不适用于此类主体（{subject.kind}）", field="subject"
        )
    entry = ListEntry(
        number=_number(ctx.today),
        list_type=kind.code,
        kind="black",
        subject_key=subject.key,
        subject_name=subject.name,
        status="proposed",
        source="local",
        source_ref=f"local:{secrets.token_hex(8)}",
        record_id=record_id,
        determining_org=org,
        reasons=_text(reasons, "reasons", "列入理由（事实）"),
        measures=json.dumps([m.code for m in measures_for(ctx, kind.code)]),
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    session.add(entry)
    session.flush()
    _step(session, ctx, entry, "propose", entry.reasons)
    return entry


def serve_notice(session: Session, ctx: Context, *, number: str, org_code: str | None) -> ListEntry:
    """Serve the prior notice; the defence period counts in working days from today (LIST-3)."""
    entry = get(session, number)
    _must_be(entry, "proposed")
    _may_determine(session, ctx.types.get(entry.list_type), org_code)
    days = ctx.profile.lists.defence_days.value
    entry.status, entry.noticed_on = "noticed", ctx.today
    entry.defence_until = ctx.calendar.add_working_days(ctx.today, days).value
    entry.updated_at = ctx.now
    _step(
        session, ctx, entry, "notice", f"送达事先告知书，陈述申辩期至 {entry.defence_until}（{days}个工作日）"
    )
    return entry


def state_case(
    session: Session, ctx: Context, *, number: str, subject_key: str, text: str, objection: bool
) -> ListEntry:
    """The subject states its case or objects during the defence (black) or publicity (red) period."""
    entry = get(session, number)
    if entry.subject_key != subject_key:
        raise Forbidden("list.not_your_entry", "只能对本主体的名单程序陈述申辩或提出异议")
    if entry.kind == "black":
        _must_be(entry, "noticed")
        if entry.defence_until is not None and ctx.today > entry.defence_until:
            raise XinyongError("list.defence_over", f"陈述申辩期已于 {entry.defence_until} 届满")
    else:
        _must_be(entry, "publicity")
        if entry.publicity_until is not None and ctx.today > entry.publicity_until:
            raise XinyongError("list.publicity_over", f"公示期已于 {entry.publicity_until} 届满")
        if objection:
            entry.status = "objected"
    entry.updated_at = ctx.now
    _step(
        session,
        ctx,
        entry,
        "objection" if objection else "statement",
        _text(text, "text", "陈述申辩或异议的内容"),
    )
    return entry


def decide(
    session: Session,
    ctx: Context,
    *,
    number: str,
    org_code: str | None,
    listed: bool,
    answer: str,
    term_end: date | None = None,
) -> ListEntry:
    """The decision after the defence period: the statements and objections answered, then entry or not
    (LIST-3, LIST-4). No entry without a served notice."""
    entry = get(session, number)
    if entry.kind != "black":
        raise XinyongError("list.not_black", "红名单经公示后认定，无需决定书")
    if entry.status == "proposed":
        raise XinyongError("list.notice_required", "未送达事先告知书、未经陈述申辩，不得作出列入决定")
    _must_be(entry, "noticed")
    _may_determine(session, ctx.types.get(entry.list_type), org_code)
    if entry.defence_until is not None and ctx.today <= entry.defence_until:
        raise XinyongError(
            "list.defence_running", f"陈述申辩期至 {entry.defence_until} 届满，届满后方可作出决定"
        )
    heard = [s for s in steps_of(session, entry.id) if s.step in ("statement", "objection")]
    text = answer.strip()
    if heard and not text:
        raise XinyongError(
            "list.answer_required",
            f"主体提出了 {len(heard)} 项陈述申辩或异议，决定须写明采纳与否及理由",
            field="answer",
        )
    if not listed:
        entry.status, entry.updated_at = "dropped", ctx.now
        _step(session, ctx, entry, "decision", f"决定不予列入。{text}")
        return entry
    _step(session, ctx, entry, "decision", f"决定列入。{text}".strip())
    _enter(session, ctx, entry, _term_end(ctx, ctx.types.get(entry.list_type), term_end))
    return entry


def _term_end(ctx: Context, list_type: ListType, given: date | None) -> date | None:
    if given is not None:
        if given < ctx.today:
            raise XinyongError("list.term_past", "名单有效期须晚于今天", field="term_end")
        if list_type.term is not None and given > add_span(ctx.today, list_type.term):
            raise XinyongError(
                "list.term_too_long",
                f"有效期不得超过{list_type.term.label()}（{list_type.term_basis}）",
                field="term_end",
            )
        return given
    return add_span(ctx.today, list_type.term) if list_type.term is not None else None


def _enter(
    session: Session, ctx: Context, entry: ListEntry, term_end: date | None, *, entered_on: date | None = None
) -> None:
    """Put the entry in force: red lists left (LIST-5), responsible persons marked (LIST-6), tasks pushed.
    ``entered_on``: the day a received list published the entry, when it was not today."""
    list_type = ctx.types.get(entry.list_type)
    entry.status, entry.entered_on = "active", entered_on or ctx.today
    entry.term_end = term_end
    entry.updated_at = ctx.now
    term = f"有效期至 {entry.term_end}" if entry.term_end else "至移出之日"
    _step(session, ctx, entry, "entry", f"列入{list_type.name}，{term}")
    if entry.kind == "black" and entry.subject_key is not None:
        for red in session.scalars(
            select(ListEntry).where(
                ListEntry.subject_key == entry.subject_key,
                ListEntry.kind == "red",
                ListEntry.status.in_(("active", "publicity", "objected")),
            )
        ):
            _remove(
                session,
                ctx,
                red,
                "error" if red.status != "active" else "source",
                f"该主体被列入{list_type.name}（{entry.number}），依规从红名单删除",
            )
        _mark_responsible(session, ctx, entry)
    respond_by = ctx.calendar.add_working_days(ctx.today, ctx.profile.lists.response_days.value).value
    measures.initiate(
        session,
        entry=facts(entry, ctx),
        measures=measures_for(ctx, entry.list_type),
        respond_by=respond_by,
        today=ctx.today,
        now=ctx.now,
    )


def _mark_responsible(session: Session, ctx: Context, entry: ListEntry) -> None:
    assert entry.subject_key is not None
    for person in subjects.related_persons(session, entry.subject_key, on=ctx.today):
        if person.role in RESPONSIBLE_ROLES:
            session.add(
                ListMark(
                    entry_id=entry.id,
                    person_key=person.person_key,
                    org_key=entry.subject_key,
                    role=person.role,
                    name=person.name,
                    created_at=ctx.now,
                )
            )


# ------------------------------------------------------------------------------------------- red
def determine_red(
    session: Session, ctx: Context, *, list_type: str, subject_key: str, reasons: str, org_code: str | None
) -> ListEntry:
    """Draft a red listing, cross-check it against every black list, and open its publicity (LIST-2)."""
    kind = ctx.types.get(list_type)
    if kind.kind != "red":
        raise XinyongError("list.not_red", f"“{kind.name}”不是红名单", field="list_type")
    org = _may_determine(session, kind, org_code)
    subject = subjects.get(session, subject_key)
    _cross_check(session, ctx, subject.key, kind)
    days = ctx.profile.lists.red_publicity_days.value
    entry = ListEntry(
        number=_number(ctx.today),
        list_type=kind.code,
        kind="red",
        subject_key=subject.key,
        subject_name=subject.name,
        status="publicity",
        source="local",
        source_ref=f"local:{secrets.token_hex(8)}",
        determining_org=org,
        reasons=_text(reasons, "reasons", "认定理由"),
        measures=json.dumps([m.code for m in measures_for(ctx, kind.code)]),
        publicity_until=ctx.calendar.add_working_days(ctx.today, days).value,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    session.add(entry)
    session.flush()
    _step(session, ctx, entry, "draft", entry.reasons)
    _step(session, ctx, entry, "crosscheck", "未被列入任何严重失信主体名单")
    _step(session, ctx, entry, "publicity", f"公示至 {entry.publicity_until}（{days}个工作日）")
    return entry


def _cross_check(session: Session, ctx: Context, subject_key: str, kind: ListType) -> None:
    blocking = active_black(session, subject_key)
    if blocking:
        found = blocking[0]
        name = ctx.types.get(found.list_type).name if found.list_type in ctx.types.types else found.list_type
        raise XinyongError(
            "list.blacklisted",
            f"该主体在严重失信主体名单中（{name}，编号 {found.number}，{found.entered_on} 列入），"
            f"不得列入{kind.name}",
            field="subject",
        )


def confirm_red(
    session: Session,
    ctx: Context,
    *,
    number: str,
    org_code: str | None,
    listed: bool = True,
    answer: str = "",
) -> ListEntry:
    """After the publicity period: no objection, or the objection verified and answered → entry (LIST-2)."""
    entry = get(session, number)
    _must_be(entry, "publicity", "objected")
    kind = ctx.types.get(entry.list_type)
    _may_determine(session, kind, org_code)
    if (
        entry.status == "publicity"
        and entry.publicity_until is not None
        and ctx.today <= entry.publicity_until
    ):
        raise XinyongError("list.publicity_running", f"公示期至 {entry.publicity_until} 届满，届满后方可认定")
    if entry.status == "objected" and not answer.strip():
        raise XinyongError("list.answer_required", "公示期内有异议，认定须写明核实结果", field="answer")
    if not listed:
        entry.status, entry.updated_at = "dropped", ctx.now
        _step(session, ctx, entry, "decision", f"经核实不予列入。{answer.strip()}")
        return entry
    assert entry.subject_key is not None
    _cross_check(session, ctx, entry.subject_key, kind)
    _step(session, ctx, entry, "decision", f"公示期满，认定列入。{answer.strip()}".strip())
    _enter(session, ctx, entry, _term_end(ctx, kind, None))
    return entry


def publicity_ended(session: Session, as_of: date) -> list[str]:
    """Red drafts whose publicity ended without objection: they enter in the sweep (LIST-2)."""
    return list(
        session.scalars(
            select(ListEntry.number).where(
                ListEntry.kind == "red", ListEntry.status == "publicity", ListEntry.publicity_until < as_of
            )
        )
    )


def enter_red_after_publicity(session: Session, ctx: Context, number: str) -> bool:
    entry = get(session, number)
    if entry.status != "publicity" or entry.subject_key is None:
        return False
    if active_black(session, entry.subject_key):
        _remove(
            session,
            ctx,
            entry,
            "error",
            "公示期间该主体被列入严重失信主体名单，不予列入红名单",
            status="dropped",
        )
        return False
    _step(session, ctx, entry, "decision", "公示期满无异议，认定列入")
    _enter(session, ctx, entry, _term_end(ctx, ctx.types.get(entry.list_type), None))
    return True


# ------------------------------------------------------------------------------------------- removal
def remove(
    session: Session, ctx: Context, *, number: str, reason: str, text: str, org_code: str | None
) -> ListEntry:
    """End an entry before its term (repair, revocation, error, the source's removal) (LIST-7)."""
    entry = get(session, number)
    _must_be(entry, "active")
    _may_determine(session, ctx.types.get(entry.list_type), org_code)
    if reason not in REMOVAL_LABELS or reason == "term_end":
        known = "、".join(f"{k}（{v}）" for k, v in REMOVAL_LABELS.items() if k != "term_end")
        raise XinyongError("list.removal_reason", f"移出原因应为：{known}", field="reason")
    _remove(session, ctx, entry, reason, _text(text, "text", "移出说明"))
    return entry


def _remove(
    session: Session, ctx: Context, entry: ListEntry, reason: str, text: str, *, status: str = "removed"
) -> None:
    _remove_all(session, ctx, [(entry, text)], reason, status=status)


def _remove_all(
    session: Session,
    ctx: Context,
    leaving: Sequence[tuple[ListEntry, str]],
    reason: str,
    *,
    status: str = "removed",
) -> None:
    """The one way out of a list: announced on the portal where the listing was published, measures and
    marks end, implementing departments told; a black subject stays under key monitoring (LIST-7, MEA-8).
    Several entries leave for one reason in a few statements, so the sweep ends a day's terms together."""
    active = [entry for entry, _ in leaving if entry.status == "active"]
    for entry, text in leaving:
        if entry.kind == "black" and entry.status == "active":
            entry.monitoring_until = add_span(ctx.today, ctx.profile.lists.removed_key_monitoring.value)
        entry.status, entry.removed_on, entry.removal_reason = status, ctx.today, reason
        entry.removal_text, entry.updated_at = text[:1000], ctx.now
    session.execute(
        update(ListMark)
        .where(ListMark.entry_id.in_([entry.id for entry, _ in leaving]), ListMark.ended_on.is_(None))
        .values(ended_on=ctx.today)
    )
    _steps(session, ctx, [(entry, f"{REMOVAL_LABELS[reason]}：{text}") for entry, text in leaving], "removal")
    measures.end_tasks(
        session,
        entries=[facts(entry, ctx) for entry in active],
        reason=REMOVAL_LABELS[reason],
        today=ctx.today,
        now=ctx.now,
    )


def correct_wrongful(
    session: Session, ctx: Context, *, number: str, text: str, org_code: str | None
) -> ListEntry:
    """A wrongful listing (LIST-9): corrected, the subject's record restored (the entry no longer counts
    anywhere), a written apology and clarification for a black listing, benefits of a red one flagged for
    recovery."""
    entry = get(session, number)
    _must_be(entry, "active", "removed")
    _may_determine(session, ctx.types.get(entry.list_type), org_code)
    why = _text(text, "text", "更正说明")
    if entry.status == "active":
        _remove(session, ctx, entry, "error", why, status="corrected")
    else:
        entry.status, entry.updated_at = "corrected", ctx.now
    entry.wrongful, entry.monitoring_until = True, None
    entry.recover_benefits = entry.kind == "red"
    _step(
        session,
        ctx,
        entry,
        "correction",
        f"误列更正：{why}"
        + ("；已向主体书面道歉并澄清" if entry.kind == "black" else "；因误列获得的激励权益应予收回"),
    )
    return entry


def mark_objection(session: Session, ctx: Context, *, number: str, case_number: str, marked: bool) -> None:
    """An objection case against an entry (OBJ-2): the mark, then its removal, are steps of the entry; the
    entry stays in force and its measures continue meanwhile."""
    entry = get(session, number)
    if marked:
        _step(
            session,
            ctx,
            entry,
            "objection_mark",
            f"信用主体提出异议（案件 {case_number}），核实期间措施继续实施",
        )
    else:
        _step(session, ctx, entry, "mark_removed", f"异议案件 {case_number} 办结，核实无误，去除异议标注")


def term_ended(session: Session, as_of: date, limit: int) -> list[str]:
    return list(
        session.scalars(
            select(ListEntry.number)
            .where(ListEntry.status == "active", ListEntry.term_end.is_not(None), ListEntry.term_end < as_of)
            .order_by(ListEntry.id)
            .limit(limit)
        )
    )


def end_terms(session: Session, ctx: Context, numbers: Sequence[str]) -> int:
    """Called by the sweep: the entries whose term ended leave their lists, together (LIST-7, LIST-8, PER-3);
    how many did."""
    due = session.scalars(
        select(ListEntry)
        .where(
            ListEntry.number.in_(numbers),
            ListEntry.status == "active",
            ListEntry.term_end.is_not(None),
            ListEntry.term_end < ctx.today,
        )
        .order_by(ListEntry.id)
    ).all()
    _remove_all(session, ctx, [(e, f"有效期于 {e.term_end} 届满，自动移出") for e in due], "term_end")
    return len(due)


# What ends an entry built on a record, by the state the record left for (REV-1, REP-4, OBJ-4, LIST-10).
FOLLOWS = {"repaired": "repair", "revoked": "revocation", "deleted": "error", "withdrawn": "source"}


def _follow(session: Session, ctx: Context, entry: ListEntry, state: str) -> None:
    reason = FOLLOWS.get(state, "source")
    why = {
        "repair": "所依据的失信信息已信用修复",
        "revocation": "所依据的法律文书已被撤销、变更或确认无效",
        "error": "所依据的信息经异议核实无法确认，已删除",
        "source": f"{ctx.types.get(entry.list_type).determining}已撤回、删除或屏蔽该信息",
    }[reason]
    _remove(session, ctx, entry, reason, why)


def follow_record(session: Session, ctx: Context, *, record_id: int, state: str) -> list[str]:
    """Entries built on a record that was repaired, revoked or deleted leave their lists at once, measures
    ending and departments told (REV-1, REP-4); the numbers of those that did."""
    entries = list(
        session.scalars(
            select(ListEntry).where(ListEntry.record_id == record_id, ListEntry.status == "active")
        )
    )
    for entry in entries:
        _follow(session, ctx, entry, state)
    return [entry.number for entry in entries]


def end_for_reorganization(session: Session, ctx: Context, *, subject_key: str, ruling: str) -> list[str]:
    """A company in court-approved bankruptcy reorganization completed its repair: its black-list entries
    of the types marked ``reorganization_relief`` (tax, financial) end at once (LN 39); their numbers."""
    relieved = [t.code for t in ctx.types.types.values() if t.reorganization_relief and t.kind == "black"]
    entries = list(
        session.scalars(
            select(ListEntry).where(
                ListEntry.subject_key == subject_key,
                ListEntry.list_type.in_(relieved),
                ListEntry.status == "active",
            )
        )
    )
    for entry in entries:
        _remove(
            session, ctx, entry, "repair", f"破产重整企业完成信用修复，及时终止失信惩戒（重整裁定 {ruling}）"
        )
    return [entry.number for entry in entries]


# ------------------------------------------------------------------------------------------- received
@dataclass(frozen=True)
class Received:
    entered: int
    removed: int


def receive(session: Session, ctx: Context, *, limit: int) -> Received:
    """Lists received as records (the courts' 失信被执行人, the national platform's lists) become entries
    that act like local ones (LIST-10): a record in force without an entry gets one, an entry whose record
    left (withdrawn by the court, archived) leaves its list. Masked IDs make entries without a subject key:
    they are only ever probable matches. Returns what it did, at most ``limit`` of each."""
    entered = removed = 0
    for list_type in ctx.types.types.values():
        if list_type.item is None or list_type.source == "local":
            continue
        missing = session.execute(
            select(Record.id, Record.subject_key, Record.provider, Record.decision_date, Record.data)
            .outerjoin(
                ListEntry,
                (ListEntry.list_type == list_type.code) & (ListEntry.record_id == Record.id),
            )
            .where(
                Record.item_code == list_type.item,
                Record.state.in_(STANDING_STATES),
                ListEntry.id.is_(None),
            )
            .order_by(Record.id)
            .limit(limit)
        ).all()
        for record_id, key, provider, decided, data in missing:
            _receive_one(session, ctx, list_type, record_id, key, provider, decided, json.loads(data))
            entered += 1
        gone = session.execute(
            select(ListEntry, Record.state)
            .join(Record, Record.id == ListEntry.record_id)
            .where(
                ListEntry.list_type == list_type.code,
                ListEntry.status == "active",
                Record.state.not_in(STANDING_STATES),
            )
            .limit(limit)
        ).all()
        for entry, state in gone:
            if state == "archived":  # the record's public period ended: so does the listing's publicity
                _remove(session, ctx, entry, "term_end", "名单信息公示期届满")
            else:
                _follow(session, ctx, entry, state)
            removed += 1
    return Received(entered, removed)


def receive_all(
    factory: sessionmaker[Session], make_context: Callable[[], Context], *, batch: int
) -> Received:
    """:func:`receive` until nothing is left, a transaction per batch (after an import, in the sweep)."""
    entered = removed = 0
    while True:
        with factory() as session, session.begin():
            done = receive(session, make_context(), limit=batch)
        entered, removed = entered + done.entered, removed + done.removed
        if done.entered < batch and done.removed < batch:
            return Received(entered, removed)


def _receive_one(
    session: Session,
    ctx: Context,
    list_type: ListType,
    record_id: int,
    key: str,
    provider: str,
    decided: date | None,
    data: dict[str, str],
) -> None:
    masked = key.startswith(MASKED_PREFIX)
    circumstances = data.get("dishonest_circumstances") or data.get("facts") or list_type.conditions
    case = data.get("case_number") or data.get("basis_document_number")
    received_as = "、".join(str(data[k]) for k in ("list_name", "determining_unit", "region") if data.get(k))
    entry = ListEntry(
        number=_number(ctx.today),
        list_type=list_type.code,
        kind=list_type.kind,
        subject_key=None if masked else key,
        subject_name=str(data.get("subject_name") or ""),
        masked_id=key.removeprefix(MASKED_PREFIX) if masked else None,
        status="active",
        source=list_type.source,
        source_ref=f"record:{record_id}",
        record_id=record_id,
        determining_org=provider,
        reasons=f"{case}：{circumstances}" if case else circumstances,
        measures=json.dumps([m.code for m in measures_for(ctx, list_type.code)]),
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    session.add(entry)
    session.flush()
    _step(
        session,
        ctx,
        entry,
        "received",
        f"接收{list_type.determining}公布的{list_type.name}信息（{received_as or provider}）",
    )
    # The sender's term stands as sent; one already over is removed, and announced, by the next sweep.
    term_end = date.fromisoformat(data["term_end"]) if data.get("term_end") else None
    _enter(session, ctx, entry, term_end, entered_on=decided)


# ------------------------------------------------------------------------------------------- portal
def in_force(as_of: date) -> tuple[ColumnElement[bool], ...]:
    """An entry counts, and is on display, while active and inside its term (LIST-8, PER-3): the sweep's
    removal may come a day later, the entry stops counting on time. :func:`on_display` asks the same."""
    return (ListEntry.status == "active", or_(ListEntry.term_end.is_(None), ListEntry.term_end >= as_of))


def on_display(entry: ListEntry, today: date) -> bool:
    """Published today: publicity lasts exactly as long as the entry (LIST-8); :func:`published` asks the
    same of the database."""
    return entry.status == "active" and (entry.term_end is None or entry.term_end >= today)


def public_entries(session: Session, subject_key: str, today: date) -> list[ListEntry]:
    return [e for e in entries_of(session, subject_key) if on_display(e, today)]


def published(
    session: Session, *, kind: str, today: date, offset: int, limit: int
) -> tuple[int, list[ListEntry]]:
    """Entries on public display: publicity lasts exactly as long as the entry (LIST-8)."""
    where = (ListEntry.kind == kind, *in_force(today))
    total = session.scalar(select(func.count()).select_from(ListEntry).where(*where)) or 0
    rows = session.scalars(
        select(ListEntry)
        .where(*where)
        .order_by(ListEntry.entered_on.desc(), ListEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return total, list(rows)


def removals(session: Session, *, offset: int, limit: int) -> tuple[int, list[ListEntry]]:
    """Removal announcements, published where the listing was (LIST-7); wrongful ones say corrected."""
    where = (ListEntry.status.in_(("removed", "corrected")), ListEntry.entered_on.is_not(None))
    total = session.scalar(select(func.count()).select_from(ListEntry).where(*where)) or 0
    rows = session.scalars(
        select(ListEntry)
        .where(*where)
        .order_by(ListEntry.removed_on.desc(), ListEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return total, list(rows)


# ------------------------------------------------------------------------------------------- exchange
def last_step_id(session: Session) -> int:
    """The newest list step: an exchange increment runs up to it (INT-1)."""
    return int(session.scalar(select(func.max(ListStep.id))) or 0)


def determined_between(
    session: Session, *, after: int, upto: int, active: bool, batch: int
) -> Iterator[ListEntry]:
    """Black-list entries this platform determined itself, with a step in (after, upto], active or ended,
    streamed: what an exchange package sends to other platforms (JS-J 二十二). Received entries are not
    sent back."""
    stepped = select(ListStep.entry_id).where(ListStep.id > after, ListStep.id <= upto)
    status = ListEntry.status == "active" if active else ListEntry.status.in_(("removed", "corrected"))
    query = (
        select(ListEntry)
        .where(
            ListEntry.id.in_(stepped),
            status,
            ListEntry.source == "local",
            ListEntry.kind == "black",
            ListEntry.subject_key.is_not(None),
            ListEntry.entered_on.is_not(None),
        )
        .order_by(ListEntry.id)
        .execution_options(yield_per=batch)
    )
    yield from session.scalars(query)
