"""Tips and complaints (PUB-1): the public reports dishonest conduct or complains, the platform routes it to
the competent department by its category, the department accepts, handles and answers, and the reporter
follows it with the tip number and a follow-up code, no account needed.

Reporter protection (JS-J 十五 严格保护举报人合法权益): the reporter's name and contact live in their own
table and leave it only through :func:`reporter`, for the department the tip is routed to, and each such
read is audited (who, when), never what was read. CT 第三十八条 makes the operator run the tip channel; the
operator routes by the matter and the facts, which need no identity, so the operator sees the reporter only
for tips routed to the operator itself. The reported subject never sees tips at all.

Limits: accepting within ``tips.accept_days`` working days of routing, answering within
``tips.answer_days`` of acceptance, both from the profile; the sweep reminds and flags them like every case.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from xinyong import evidence as evidence_files
from xinyong.access import security
from xinyong.access import service as access
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.deadlines import service as deadlines
from xinyong.deadlines.service import Case
from xinyong.errors import NotFound, XinyongError
from xinyong.evidence import Evidence, Upload
from xinyong.lists.service import Context
from xinyong.outbox import service as outbox
from xinyong.rules import identifiers
from xinyong.rules.text import plain
from xinyong.subjects import service as subjects
from xinyong.tips.categories import Category, categories
from xinyong.tips.models import Tip, TipFile, TipReporter, TipStep

KIND = "tip"
KINDS = {"tip": "举报", "complaint": "投诉"}
STATUS_LABELS = {"routed": "待受理", "accepted": "办理中", "answered": "已答复", "refused": "不予受理"}
CLOSED = frozenset({"answered", "refused"})
STEP_LABELS = {
    "filed": "提交",
    "routed": "转交主管部门",
    "rerouted": "平台改派",
    "accepted": "受理",
    "refused": "不予受理",
    "answered": "办理答复",
}
DEADLINE_LABELS = {"accept": "主管部门受理", "answer": "办理并答复举报人"}
# Who filed, as the audit log and the steps keep it: never the reporter's own name or account.
REPORTER = AuditActor(account_id=None, org=None, label="举报人")
# Who routes a tip as it is filed: the platform by the category, not the (possibly signed-in) reporter.
ROUTER = AuditActor(account_id=None, org=access.OPERATOR_CODE, label="平台（按事项类别自动转交）")
MAX_FACTS = 4000
MAX_ANSWER_FILES = 1
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed from paper
CODE_LENGTH = 12
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,18}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,120}\.[^@\s]{2,24}$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Report:
    """What a reporter sends: the matter, whom it is about, the facts, and optionally who they are."""

    kind: str
    category: str
    facts: str
    subject_code: str = ""
    subject_name: str = ""
    reporter_name: str = ""
    reporter_contact: str = ""


@dataclass(frozen=True)
class Filed:
    """A filed tip and its follow-up code, shown to the reporter once and kept only as an HMAC."""

    tip: Tip
    code: str


def _number(today: date) -> str:
    return f"JB{today:%Y%m%d}{secrets.token_hex(4).upper()}"


def _case(found: Tip) -> Case:
    return Case(KIND, found.number, found.subject_key or "")


def _not_found(number: str) -> NotFound:
    return NotFound("tip.not_found", f"举报投诉 {number[:40]} 不存在")


def get(session: Session, number: str) -> Tip:
    found = session.scalar(select(Tip).where(Tip.number == number[:32]))
    if found is None:
        raise _not_found(number)
    return found


def visible_to(session: Session, *, number: str, org_code: str | None, routes_all: bool) -> Tip:
    """The operator (who routes) sees every tip, a department only those routed to it; for anyone else the
    tip does not exist."""
    found = get(session, number)
    if not routes_all and found.org_code != org_code:
        raise _not_found(number)
    return found


def steps_of(session: Session, tip_id: int) -> list[TipStep]:
    return list(session.scalars(select(TipStep).where(TipStep.tip_id == tip_id).order_by(TipStep.id)))


def files_of(session: Session, tip_id: int, role: str | None = None) -> list[TipFile]:
    query = select(TipFile).where(TipFile.tip_id == tip_id)
    if role is not None:
        query = query.where(TipFile.role == role)
    return list(session.scalars(query.order_by(TipFile.id)))


def file_content(data_dir: Path, found: Tip, kept: TipFile) -> bytes:
    return evidence_files.read(data_dir / "tips" / found.number, kept.digest)


def queue(
    session: Session, *, today: date, org_code: str | None, status: str | None = None, limit: int = 200
) -> list[Tip]:
    """Open tips first, overdue on top, then by their earliest due step; then the latest closed ones.
    ``org_code`` None is the operator's view of every tip."""
    query = select(Tip)
    if org_code is not None:
        query = query.where(Tip.org_code == org_code)
    if status is not None:
        query = query.where(Tip.status == status)
    closed = case((Tip.status.in_(CLOSED), 1), else_=0)
    newest_closed_first = case((Tip.status.in_(CLOSED), -Tip.id), else_=Tip.id)
    found = list(session.scalars(query.order_by(closed, newest_closed_first).limit(limit)))
    due = deadlines.next_due(session, KIND, [t.number for t in found])

    def order(t: Tip) -> tuple[int, date]:
        when = due.get(t.number)
        return (0 if when is not None and when < today else 1 if when is not None else 2, when or date.max)

    return sorted(found, key=order)


# ------------------------------------------------------------------------------------------- filing
def _subject(report: Report, today: date) -> tuple[str | None, str | None]:
    """The reported subject's archive key (a code is validated) and the name as typed; one is needed."""
    key = None
    if report.subject_code.strip():
        try:
            key = subjects.key_of(identifiers.validate(report.subject_code[:64], today=today))
        except XinyongError as exc:
            raise XinyongError(
                exc.code, f"被举报对象的代码有误：{exc.message}", field="subject_code"
            ) from None
    name = plain(report.subject_name, field="subject_name", max_length=200, label="被举报对象名称") or None
    if key is None and name is None:
        raise XinyongError(
            "tip.subject_required", "请填写被举报（投诉）对象的名称或统一社会信用代码", field="subject_name"
        )
    return key, name


def _reporter(report: Report) -> tuple[str | None, str | None]:
    """Real name and contact, both optional; a contact without a name is refused, since an anonymous tip is
    not followed up by contact."""
    name = plain(report.reporter_name, field="reporter_name", max_length=100, label="举报人姓名") or None
    contact = plain(report.reporter_contact, field="reporter_contact", max_length=200, label="联系方式")
    if contact and not (_PHONE.match(contact) or _EMAIL.match(contact)):
        raise XinyongError("tip.contact", "联系方式应为电话号码或电子邮箱地址", field="reporter_contact")
    if contact and name is None:
        raise XinyongError(
            "tip.contact_without_name",
            "匿名举报不通过联系方式回访：如需主管部门与您联系，请同时填写真实姓名；否则请清空联系方式",
            field="reporter_contact",
        )
    return name, contact or None


def _category(data_dir: Path, code: str) -> Category:
    known = categories(data_dir)
    if code not in known:
        names = "、".join(f"{c.code}（{c.name}）" for c in known.values())
        raise XinyongError("tip.category", f"事项类别应为：{names}", field="category")
    return known[code]


def fingerprint(kind: str, category: str, subject: str, facts: str) -> str:
    """The same matter about the same subject in the same words (spacing aside) is the same tip."""
    text = "\x1f".join((kind, category, _SPACES.sub("", subject), _SPACES.sub("", facts)))
    return hashlib.sha256(text.encode()).hexdigest()


def _refuse_duplicate(session: Session, print_: str, *, now: datetime, window: timedelta) -> None:
    since = now - window
    for at in session.scalars(
        select(Tip.created_at).where(Tip.fingerprint == print_, Tip.filed_on >= since.date())
    ):
        when = at if at.tzinfo is not None else at.replace(tzinfo=now.tzinfo)
        if when >= since:
            hours = int(window.total_seconds() // 3600)
            raise XinyongError(
                "tip.duplicate",
                f"内容相同的举报投诉已在 {hours} 小时内提交过，请勿重复提交；可凭编号和查询码查询办理进度",
                field="facts",
            )


def file(
    session: Session,
    ctx: Context,
    *,
    key: bytes,
    data_dir: Path,
    report: Report,
    evidence: list[Upload],
    account_id: int | None,
    duplicate_window: timedelta,
) -> Filed:
    """File a tip or complaint (PUB-1) and route it at once to the department its category names (the
    operator when that department is not registered). Everything is checked before anything is written."""
    if report.kind not in KINDS:
        raise XinyongError("tip.kind", "类型应为 tip（举报）或 complaint（投诉）", field="kind")
    category = _category(data_dir, report.category)
    subject_key, subject_name = _subject(report, ctx.today)
    facts = plain(report.facts, field="facts", max_length=MAX_FACTS, label="事实和理由", multiline=True)
    if not facts:
        raise XinyongError("tip.facts_required", "请写明举报投诉的事实和理由", field="facts")
    name, contact = _reporter(report)
    checked = evidence_files.checked(evidence, code="tip", field="evidence")
    print_ = fingerprint(report.kind, category.code, subject_key or subject_name or "", facts)
    _refuse_duplicate(session, print_, now=ctx.now, window=duplicate_window)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    found = Tip(
        number=_number(ctx.today),
        kind=report.kind,
        category=category.code,
        subject_key=subject_key,
        subject_name=subject_name,
        facts=facts,
        status="routed",
        org_code=access.OPERATOR_CODE,
        routes=0,
        filed_on=ctx.today,
        fingerprint=print_,
        code_hash=security.keyed_hash(key, code),
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    session.add(found)
    session.flush()
    session.add(
        TipReporter(
            tip_id=found.id,
            anonymous=name is None,
            name=name,
            contact=contact,
            account_id=account_id if name is not None else None,
        )
    )
    _keep(session, ctx, data_dir, found, checked, role="evidence")
    _step(session, ctx, found, "filed", f"{KINDS[found.kind]}：{category.name}", actor=REPORTER)
    org, note = _competent(session, category)
    _route(session, ctx, found, org, note, step="routed", actor=ROUTER)
    return Filed(found, code)


def _competent(session: Session, category: Category) -> tuple[str, str]:
    """The department the category names, or the operator while that department is not registered."""
    if category.org != access.OPERATOR_CODE:
        try:
            access.get_org(session, category.org)
        except XinyongError:
            return access.OPERATOR_CODE, (
                f"按事项类别应由{category.department}（{category.org}）办理，该机构尚未在平台登记，由平台受理并转交"
            )
    return category.org, f"按事项类别“{category.name}”转交{category.department}（{category.org}）"


def _keep(
    session: Session, ctx: Context, data_dir: Path, found: Tip, files: list[Evidence], *, role: str
) -> None:
    evidence_files.keep(data_dir / "tips" / found.number, files)
    for kept in files:
        session.add(
            TipFile(
                tip_id=found.id,
                role=role,
                filename=kept.filename,
                media_type=kept.media_type,
                size=len(kept.content),
                digest=kept.digest,
                at=ctx.now,
            )
        )


def _step(
    session: Session, ctx: Context, found: Tip, step: str, text: str, *, actor: AuditActor | None = None
) -> None:
    """A step of the tip and its audit event; neither carries anything about the reporter."""
    who = actor or ctx.actor
    session.add(
        TipStep(
            tip_id=found.id,
            step=step,
            on=ctx.today,
            org_code=found.org_code,
            text=text,
            actor_label=who.label[:200],
            at=ctx.now,
        )
    )
    audit.record(
        session,
        at=ctx.now,
        actor=who,
        action=f"tip.{step}",
        target_type="tip",
        target_id=found.number,
        subject_key=found.subject_key,
        detail={"status": found.status, "org": found.org_code, "text": text[:500]},
    )


def _round(found: Tip, step: str) -> str:
    """Deadline steps of the first routing keep their names; a re-routed tip counts again, as ``accept_2``."""
    return step if found.routes <= 1 else f"{step}_{found.routes}"


def _route(
    session: Session,
    ctx: Context,
    found: Tip,
    org: str,
    text: str,
    *,
    step: str,
    actor: AuditActor | None = None,
) -> None:
    found.org_code, found.routes, found.status, found.updated_at = org, found.routes + 1, "routed", ctx.now
    deadlines.start(
        session,
        calendar=ctx.calendar,
        case_of=_case(found),
        step=_round(found, "accept"),
        label=DEADLINE_LABELS["accept"],
        days=ctx.profile.tips.accept_days,
        org_code=org,
        started_on=ctx.today,
        now=ctx.now,
    )
    _step(session, ctx, found, step, text, actor=actor)
    payload = {"tip": found.number, "kind": found.kind, "category": found.category, "status": found.status}
    message = outbox.Message(
        "tip_routed", org, found.subject_key, payload, f"tip_routed:{found.number}:{found.routes}"
    )
    outbox.enqueue(session, [message], now=ctx.now)


# ------------------------------------------------------------------------------------------- handling
def _must_be(found: Tip, *statuses: str) -> None:
    if found.status not in statuses:
        wanted = "、".join(STATUS_LABELS[s] for s in statuses)
        raise XinyongError(
            "tip.wrong_status",
            f"举报投诉 {found.number} 当前为“{STATUS_LABELS[found.status]}”，此操作仅适用于：{wanted}",
        )


def _handled(session: Session, number: str, org_code: str | None) -> Tip:
    """A tip routed to ``org_code``; a department acts only on its own."""
    found = get(session, number)
    if found.org_code != org_code:
        raise _not_found(number)
    return found


def _reason(text: str, *, label: str, code: str) -> str:
    why = plain(text, field="text", max_length=MAX_FACTS, label=label, multiline=True)
    if not why:
        raise XinyongError(code, f"请写明{label}", field="text")
    return why


def reroute(session: Session, ctx: Context, *, number: str, org: str, text: str) -> Tip:
    """The operator sends a tip to another department, with the reason; its limits start again there."""
    found = get(session, number)
    _must_be(found, "routed", "accepted")
    target = access.get_org(session, org.strip()[:64])
    if target.code == found.org_code:
        raise XinyongError("tip.same_org", f"举报投诉 {found.number} 已由 {target.code} 办理", field="org")
    why = _reason(text, label="改派理由", code="tip.reason_required")
    deadlines.finish_all(session, case_of=_case(found), on=ctx.today, now=ctx.now)
    _route(session, ctx, found, target.code, f"改派{target.name}（{target.code}）：{why}", step="rerouted")
    return found


def accept(session: Session, ctx: Context, *, number: str, org_code: str | None) -> Tip:
    found = _handled(session, number, org_code)
    _must_be(found, "routed")
    deadlines.finish(session, case_of=_case(found), step=_round(found, "accept"), on=ctx.today, now=ctx.now)
    found.status, found.updated_at = "accepted", ctx.now
    deadlines.start(
        session,
        calendar=ctx.calendar,
        case_of=_case(found),
        step=_round(found, "answer"),
        label=DEADLINE_LABELS["answer"],
        days=ctx.profile.tips.answer_days,
        org_code=found.org_code,
        started_on=ctx.today,
        now=ctx.now,
    )
    _step(session, ctx, found, "accepted", "已受理，依职责调查处理")
    return found


def refuse(session: Session, ctx: Context, *, number: str, org_code: str | None, text: str) -> Tip:
    """Not accepted (outside the department's duties, facts not enough to act on): the reason is the
    reporter's answer."""
    found = _handled(session, number, org_code)
    _must_be(found, "routed", "accepted")
    why = _reason(text, label="不予受理的理由", code="tip.reason_required")
    _close(session, ctx, found, "refused", why)
    return found


def answer(
    session: Session,
    ctx: Context,
    *,
    data_dir: Path,
    number: str,
    org_code: str | None,
    text: str,
    document: list[Upload],
) -> Tip:
    """The department's result, with an optional written answer (PDF or image), which the reporter sees."""
    found = _handled(session, number, org_code)
    _must_be(found, "accepted")
    result = _reason(text, label="办理结果", code="tip.answer_required")
    if len(document) > MAX_ANSWER_FILES:
        raise XinyongError("tip.answer_files", "答复文书只能上传一个文件", field="document")
    checked = evidence_files.checked(document, code="tip", field="document")
    _keep(session, ctx, data_dir, found, checked, role="answer")
    _close(session, ctx, found, "answered", result)
    return found


def _close(session: Session, ctx: Context, found: Tip, status: str, text: str) -> None:
    found.status, found.answer, found.answered_on, found.updated_at = status, text, ctx.today, ctx.now
    deadlines.finish_all(session, case_of=_case(found), on=ctx.today, now=ctx.now)
    _step(session, ctx, found, status, text)


def reporter(session: Session, ctx: Context, *, number: str, org_code: str | None) -> TipReporter:
    """Who reported, for the department the tip is routed to only; the read is audited (who, when, which
    tip), what was read is not."""
    found = _handled(session, number, org_code)
    kept = session.scalar(select(TipReporter).where(TipReporter.tip_id == found.id))
    if kept is None:
        raise _not_found(number)
    audit.record(
        session,
        at=ctx.now,
        actor=ctx.actor,
        action="tip.reporter_read",
        target_type="tip",
        target_id=found.number,
        subject_key=found.subject_key,
        detail={"org": found.org_code, "anonymous": kept.anonymous},
    )
    return kept


# ------------------------------------------------------------------------------------------- follow-up
def track(session: Session, *, key: bytes, number: str, code: str) -> Tip:
    """The tip whose number and follow-up code these are; a wrong pair is answered as not found."""
    found = session.scalar(select(Tip).where(Tip.number == number.strip().upper()[:32]))
    typed = re.sub(r"[\s-]", "", code).upper()[:64]
    if found is None or not security.same(found.code_hash, security.keyed_hash(key, typed)):
        raise NotFound("tip.not_found", "举报编号或查询码不正确", field="code")
    return found
