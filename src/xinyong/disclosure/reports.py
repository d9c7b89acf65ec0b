"""Issuing and verifying credit reports (DIS-7) and special credit reports (DIS-10).

A report is made from what the gate lets the requester see, rendered to PDF, and its SHA-256 digest kept with
its number. The verification code printed on it is an HMAC of the number under the platform's secret key: it
is not stored, cannot be guessed from the number, and a made-up number has none. Anyone holding the number and
code can look the report up and compare a file's digest with the one issued. The documents a list procedure
serves (``lists.documents``) are verified on the same page and route.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.access.gate import Gate
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.catalog.schema import SUBJECT_KIND_LABELS
from xinyong.clock import CHINA_TZ
from xinyong.disclosure import service
from xinyong.disclosure.models import CreditReport
from xinyong.disclosure.pdf import Entry, FontFile, ReportContent, Section, render
from xinyong.disclosure.service import Shown
from xinyong.errors import Forbidden, XinyongError
from xinyong.lists import documents as list_documents
from xinyong.lists.models import ListEntry, ListStep
from xinyong.lists.schema import ListType
from xinyong.lists.service import (
    REMOVAL_LABELS,
    STEP_LABELS,
    ListTypes,
    entries_of,
    marks_of,
    public_entries,
    steps_of,
)
from xinyong.lists.shown import kind_label, org_names, status_text, term_text, type_name
from xinyong.objections import documents as objection_documents
from xinyong.objections import service as objections
from xinyong.profiles.schema import Masking, Profile
from xinyong.records.service import versions_by_record
from xinyong.repair import documents as repair_documents
from xinyong.repair import service as repair
from xinyong.rules.periods import add_span
from xinyong.rules.text import has_controls
from xinyong.subjects.models import Subject
from xinyong.subjects.service import BASIC_FIELDS, ROLE_LABELS

KIND_TITLES = {
    "subject": "信用报告（本人版）",
    "public": "信用报告（公开信息版）",
    "special": "专项信用报告",
    "check": "信用审查证明",
}
# A check certificate is kept with the credit reports so it verifies like one; it is filed under the
# checking organisation's code, not a subject's (measures.check).
CHECK_CERTIFICATE = "check"
# How an item that is no longer plain shows in a report: marked, never left out of the subject's own report.
MARKS = {
    "archived": "公示期满，已停止公示",
    "withdrawn": "信息提供单位已撤回",
    "repaired": "已修复",
    "objection": "异议处理中",
}
SECTIONS = (
    ("basic", "行政许可等基础信息"),
    ("negative", "行政处罚与失信信息"),
    ("positive", "表彰奖励等守信信息"),
    ("other", "信用承诺与其他信息"),
)
NO_LISTS = "截至信息截止日期，未查询到该主体被列入红名单或严重失信主体名单的信息。"
NOT_COLLECTED = "本平台未归集此类信息，本报告对此不作结论，请向主管部门查询。"
MAX_FILE = 20 * 1024 * 1024  # a report is tens of KB; a larger upload is not one of ours
DOMAINS_FILE = Path(__file__).resolve().parent.parent / "data" / "report_domains.toml"


def verification_code(key: bytes, number: str) -> str:
    digest = hmac.new(key, f"credit-report:{number}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:10]


@dataclass(frozen=True)
class Issuing:
    """What every report needs besides its subject: masking rules, the key for verification codes, where to
    verify, the font, who issues it and when."""

    masking: Masking
    marked_shown: bool
    key: bytes
    verify_base: str
    font: FontFile
    actor: AuditActor
    now: datetime
    list_types: ListTypes


@dataclass(frozen=True)
class Issued:
    report: CreditReport
    pdf: bytes


def _entry(shown: Shown, versions: Sequence[Any], data: dict[str, Any]) -> Entry:
    item, record = shown.item, shown.record
    number = data.get(item.document.number_field) if item.document else None
    source = data.get("authority") or data.get("source") or record.provider
    facts = [
        f"决定日期 {record.decision_date.isoformat()}" if record.decision_date else "",
        f"来源：{source}（报送单位 {record.provider}）",
        f"公示至 {record.public_until.isoformat()}" if record.public_until else "",
    ]
    return Entry(
        title=f"{item.name} {number}" if number else item.name,
        meta="；".join(f for f in facts if f),
        fields=[(f.label, str(data[f.name])) for f in item.fields if data.get(f.name) not in (None, "")],
        history=[f"第{v.version}版 {v.at:%Y-%m-%d} {v.reason}（{v.actor_label}）" for v in versions],
        mark=MARKS.get(record.state),
    )


def _subject_pairs(subject: Subject, *, masked: bool, masking: Masking) -> list[tuple[str, str]]:
    name = service.shown_name(subject, masking) if masked else subject.name
    code = service.shown_key(subject, masking) if masked else subject.key
    pairs = [
        ("姓名" if service.is_person(subject) else "名称", name),
        ("统一社会信用代码" if subject.id_kind == "uscc" else "证件号码", code),
        ("主体类别", SUBJECT_KIND_LABELS.get(subject.kind, subject.kind)),
    ]
    if not (masked and service.is_person(subject)):
        basic = json.loads(subject.basic or "{}")
        pairs += [(label, str(basic[key])) for key, label in BASIC_FIELDS.items() if basic.get(key)]
    return pairs


def _list_entry(
    entry: ListEntry,
    types: ListTypes,
    orgs: dict[str, str],
    *,
    steps: Sequence[ListStep] = (),
    status: str | None = None,
) -> Entry:
    """A list entry as a report item: what the portal publishes; the subject's own report adds its
    ``status``, the reasons and every step of the procedure."""
    found = types.types.get(entry.list_type)
    facts = [
        f"名单编号 {entry.number}",
        f"认定单位 {orgs[entry.determining_org]}",
        f"列入日期 {entry.entered_on}" if entry.entered_on else "",
        f"有效期{term_text(entry)}" if entry.entered_on else "",
        f"{REMOVAL_LABELS.get(entry.removal_reason or '', '移出')}，{entry.removed_on} 移出"
        if entry.removed_on and entry.entered_on
        else "",
    ]
    fields = [("设立依据", found.legal_basis)] if found is not None else []
    if status is not None:
        fields.append(("事实和理由", entry.reasons))
    return Entry(
        title=f"{type_name(types, entry.list_type)}（{kind_label(entry)}）",
        meta="；".join(f for f in facts if f),
        fields=fields,
        history=[
            f"{s.on} {STEP_LABELS.get(s.step, s.step)}：{s.text}"
            + (f"（文书 {s.document}）" if s.document else "")
            for s in steps
        ],
        mark=status,
    )


def _lists_section(
    session: Session, subject: Subject, *, own: bool, issuing: Issuing, today: date
) -> Section:
    """The public version shows the entries on display today (LIST-8); the subject's own version every entry
    with its status and procedure and, for a person, the listings of its organisations marked in its
    archive (LIST-6)."""
    types = issuing.list_types
    entries = entries_of(session, subject.key) if own else public_entries(session, subject.key, today)
    marks = marks_of(session, subject.key) if own else []
    orgs = org_names(session, [*entries, *(e for _, e in marks)])
    shown = [
        _list_entry(e, types, orgs, steps=steps_of(session, e.id), status=status_text(e, today))
        if own
        else _list_entry(e, types, orgs)
        for e in entries
    ]
    shown += [
        Entry(
            title=f"所在单位{listed.subject_name}被列入"
            f"{type_name(types, listed.list_type)}（{listed.number}）",
            meta=f"担任{ROLE_LABELS.get(mark.role, mark.role)}；认定单位 {orgs[listed.determining_org]}",
            mark=f"已于 {mark.ended_on} 解除" if mark.ended_on else None,
        )
        for mark, listed in marks
    ]
    return Section("红名单与严重失信主体名单", shown, empty=NO_LISTS)


def _number(as_of: date) -> str:
    return f"XY{as_of:%Y%m%d}{secrets.token_hex(4).upper()}"


def _store(
    session: Session,
    *,
    content: ReportContent,
    kind: str,
    subject: Subject,
    scope: dict[str, Any],
    issuing: Issuing,
    as_of: date,
) -> Issued:
    actor, now = issuing.actor, issuing.now
    pdf = render(content, issuing.font)
    row = CreditReport(
        number=content.number,
        subject_key=subject.key,
        kind=kind,
        as_of=as_of,
        scope=json.dumps(scope, ensure_ascii=False, sort_keys=True),
        issued_to=content.issued_to[:200],
        digest=hashlib.sha256(pdf).hexdigest(),
        created_at=now,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="report.issue",
        target_type="credit_report",
        target_id=row.number,
        subject_key=subject.key,
        detail={"kind": kind, "digest": row.digest, **scope},
    )
    return Issued(row, pdf)


def issue(
    session: Session,
    gate: Gate,
    subject: Subject,
    *,
    kind: str,
    issuing: Issuing,
) -> Issued:
    """A credit report: ``subject`` (everything, for the subject itself) or ``public`` (public items only,
    persons masked, for anyone signed in: the route's permission)."""
    if kind not in ("subject", "public"):
        raise XinyongError(
            "report.kind", "报告类型应为 subject（本人版）或 public（公开信息版）", field="kind"
        )
    own = gate.actor.subject_key == subject.key
    if kind == "subject" and not own:
        raise Forbidden("report.subject_only", "本人版信用报告只向信用主体本人出具；他人可申请公开信息版")
    masking = issuing.masking
    shown = service.visible_records(
        session, gate, subject, masking=masking, marked_shown=issuing.marked_shown, now=issuing.now
    )
    natural = service.is_person(subject)
    versions = versions_by_record(session, [s.record.id for s in shown]) if kind == "subject" else {}
    entries: dict[str, list[Entry]] = {category: [] for category, _ in SECTIONS}
    for item in shown:
        if kind == "public" and not service.publicly_visible(
            item.record, item.item, gate.today, marked_shown=issuing.marked_shown
        ):
            continue
        data = json.loads(item.record.data)
        if kind == "public":
            data = service.mask_data(data, item.item, natural_person=natural, masking=masking)
        history = versions.get(item.record.id, [])
        entries[item.item.category].append(_entry(item, history, data))
    number = _number(gate.today)
    code = verification_code(issuing.key, number)
    content = ReportContent(
        title=KIND_TITLES[kind],
        number=number,
        code=code,
        verify_url=f"{issuing.verify_base}/verify/{number}?code={code}",
        as_of=gate.today.isoformat(),
        issued_to=gate.actor.label if not own else "信用主体本人",
        subject=_subject_pairs(subject, masked=kind == "public", masking=masking),
        sections=[Section(title, entries[category]) for category, title in SECTIONS]
        + [_lists_section(session, subject, own=kind == "subject", issuing=issuing, today=gate.today)],
        notes=[
            "本报告依据本平台截至信息截止日期归集的公共信用信息出具，信息由各信息提供单位提供并负责。",
            "公开信息版只含公示期内的公开信息，自然人信息已按规定脱敏。"
            if kind == "public"
            else "本人版含平台记录的全部信息，包括不公开和已停止公示的信息，并列出每项信息的变更记录。",
            "如对报告内容有异议，可向平台提出异议申请。",
        ],
    )
    return _store(
        session,
        content=content,
        kind=kind,
        subject=subject,
        scope={},
        issuing=issuing,
        as_of=gate.today,
    )


# ------------------------------------------------------------------------------------------ special report


class Domain(BaseModel):
    label: str = Field(min_length=1)
    authorities: list[str] = Field(min_length=1)


class Domains(BaseModel):
    domains: dict[str, Domain]


@cache
def domains() -> dict[str, Domain]:
    return Domains.model_validate(tomllib.loads(DOMAINS_FILE.read_text(encoding="utf-8"))).domains


def _count(found: Sequence[object]) -> str:
    return f"查见 {len(found)} 条" if found else "未查见"


def _in_domain(shown: Shown, domain: Domain) -> bool:
    data = json.loads(shown.record.data)
    authority = str(data.get("authority") or data.get("source") or "")
    return any(word in authority for word in domain.authorities)


def _domain_of(list_type: ListType | None, known: dict[str, Domain]) -> str | None:
    """The report domain of a list type: by its domain's name, or its determining department's."""
    if list_type is None:
        return None
    return next(
        (
            code
            for code, domain in known.items()
            if domain.label == list_type.domain or any(w in list_type.determining for w in domain.authorities)
        ),
        None,
    )


def _in_force_during(entry: ListEntry, start: date, end: date) -> bool:
    """Entered by ``end`` and not ended (removed, or its term over though not yet swept) before ``start``."""
    ended = entry.removed_on or entry.term_end
    return entry.entered_on is not None and entry.entered_on <= end and (ended is None or ended >= start)


def _black_in_period(session: Session, subject_key: str, start: date, end: date) -> list[ListEntry]:
    """Black listings in force at some time in the period; a wrongful one was never a finding (LIST-9)."""
    return [
        e
        for e in entries_of(session, subject_key)
        if e.kind == "black" and not e.wrongful and _in_force_during(e, start, end)
    ]


def issue_special(
    session: Session,
    gate: Gate,
    subject: Subject,
    *,
    chosen: Sequence[str],
    start: date,
    end: date,
    profile: Profile,
    issuing: Issuing,
) -> Issued:
    """The special credit report in place of certificates of no violations (DIS-10): per chosen domain and
    within the period, whether penalties, enforcement, serious-dishonesty listings or criminal judgments
    were found; what the platform does not collect is said so, never reported as clean."""
    if gate.actor.subject_key != subject.key:
        raise Forbidden("report.subject_only", "专项信用报告只向信用主体本人出具")
    known = domains()
    picked = list(dict.fromkeys(chosen))
    unknown = [code for code in picked if code not in known]
    if not picked or unknown:
        options = "、".join(f"{code}（{d.label}）" for code, d in known.items())
        raise XinyongError("report.domains", f"请选择领域，可选：{options}", field="domains")
    longest = profile.disclosure.special_report_max.value
    if not start <= end <= gate.today:
        raise XinyongError(
            "report.period", "查询期间应为开始日期不晚于结束日期、结束日期不晚于今天", field="end"
        )
    if add_span(start, longest) < end:
        raise XinyongError("report.period", f"查询期间最长 {longest.label()}", field="start")
    shown = [
        s
        for s in service.visible_records(
            session,
            gate,
            subject,
            masking=issuing.masking,
            marked_shown=issuing.marked_shown,
            now=issuing.now,
        )
        if s.record.decision_date is not None and start <= s.record.decision_date <= end
    ]
    standing = [s for s in shown if s.record.state != "withdrawn"]  # a withdrawn record was never a finding
    types = issuing.list_types
    listed: dict[str | None, list[ListEntry]] = {}
    for entry in _black_in_period(session, subject.key, start, end):
        list_type = types.types.get(entry.list_type)
        if list_type is None or list_type.source != "court":  # court listings: their own section below
            listed.setdefault(_domain_of(list_type, known), []).append(entry)
    orgs = org_names(session, [e for found in listed.values() for e in found])
    sections = []
    for code in picked:
        domain = known[code]
        penalties = [s for s in standing if s.item.code == "admin-penalty" and _in_domain(s, domain)]
        black = listed.get(code, [])
        found = "；".join(
            [
                f"行政处罚（含简易程序）：{_count(penalties)}",
                f"严重失信主体名单：{_count(black)}",
                f"行政强制、刑事判决：{NOT_COLLECTED}",
            ]
        )
        entries = [_entry(s, [], json.loads(s.record.data)) for s in penalties]
        entries += [_list_entry(e, types, orgs) for e in black]
        sections.append(Section(f"{domain.label}领域", entries, empty="未查见上述信息。", note=found))
    debtors = [s for s in standing if s.item.code == "court-dishonest-debtor"]
    sections.append(
        Section(
            "失信被执行人（人民法院，不分领域）",
            [_entry(s, [], json.loads(s.record.data)) for s in debtors],
            empty="查询期间内未查见被列为失信被执行人的信息。",
        )
    )
    sections.append(
        Section(
            "其他严重失信主体名单（不分领域）",
            [_list_entry(e, types, orgs) for e in listed.get(None, [])],
            empty="查询期间内未查见被列入其他严重失信主体名单的信息。",
        )
    )
    number = _number(gate.today)
    code = verification_code(issuing.key, number)
    labels = "、".join(known[c].label for c in picked)
    content = ReportContent(
        title=KIND_TITLES["special"],
        number=number,
        code=code,
        verify_url=f"{issuing.verify_base}/verify/{number}?code={code}",
        as_of=gate.today.isoformat(),
        issued_to="信用主体本人",
        subject=[
            *_subject_pairs(subject, masked=False, masking=issuing.masking),
            ("查询领域", labels),
            ("查询期间", f"{start.isoformat()} 至 {end.isoformat()}"),
        ],
        sections=sections,
        notes=[
            "本报告用于替代相关领域无违法违规记录证明，按信用主体选择的领域和期间出具。",
            "已修复的信息标注“已修复”；平台未归集的信息类别已逐项注明，不作无记录的结论。",
        ],
    )
    scope = {"domains": picked, "start": start.isoformat(), "end": end.isoformat()}
    return _store(
        session,
        content=content,
        kind="special",
        subject=subject,
        scope=scope,
        issuing=issuing,
        as_of=gate.today,
    )


# -------------------------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Verifiable:
    """What the verification page and route show of a credit report or a list document."""

    number: str
    kind: str
    title: str
    as_of: date
    created_at: datetime
    subject_key: str
    digest: str
    as_of_label: str = "信息截止日期"


def find(session: Session, *, key: bytes, number: str, code: str) -> Verifiable | None:
    """The report, or the document served in a procedure (list step, objection reply, repair decision), with
    this number when the code is its own; a wrong code and a made-up number look alike. A code typed with a
    Chinese input method (full-width letters) counts as typed."""
    typed = unicodedata.normalize("NFKC", code).strip().upper()[:32]
    if has_controls(number) or has_controls(typed):
        return None
    row = session.scalar(select(CreditReport).where(CreditReport.number == number[:32]))
    if row is not None:
        if not hmac.compare_digest(verification_code(key, row.number).encode(), typed.encode()):
            return None
        return Verifiable(
            row.number,
            row.kind,
            kinds_label(row.kind),
            row.as_of,
            row.created_at,
            row.subject_key,
            row.digest,
        )
    number = number[:32]
    document = list_documents.find(session, key=key, number=number, code=typed)
    if document is not None and document.subject_key is not None:
        title = list_documents.TITLES[document.kind]
        return _served(
            document.number, document.kind, title, document.created_at, document.subject_key, document.digest
        )
    if not hmac.compare_digest(list_documents.verification_code(key, number).encode(), typed.encode()):
        return None
    reply = objections.by_reply(session, number)
    if reply is not None and reply.reply_digest is not None:
        title = objection_documents.TITLE
        return _served(
            number, "objection_reply", title, reply.updated_at, reply.subject_key, reply.reply_digest
        )
    decision = repair.by_document(session, number)
    if (
        decision is not None
        and decision.document_digest is not None
        and decision.status in repair_documents.TITLE
    ):
        title = repair_documents.TITLE[decision.status]
        at = decision.updated_at
        return _served(number, "repair_decision", title, at, decision.subject_key, decision.document_digest)
    return None


def _served(number: str, kind: str, title: str, at: datetime, subject_key: str, digest: str) -> Verifiable:
    """A document served on a subject in a procedure: a list step, an objection reply, a repair decision."""
    day = (at.astimezone(CHINA_TZ) if at.tzinfo is not None else at).date()
    return Verifiable(number, kind, title, day, at, subject_key, digest, "作出日期")


def matches(found: Verifiable, content: bytes) -> bool:
    return hmac.compare_digest(hashlib.sha256(content).hexdigest(), found.digest)


def kinds_label(kind: str) -> str:
    return KIND_TITLES.get(kind, kind)
