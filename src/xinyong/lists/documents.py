"""The documents a list procedure serves, as PDF in Chinese: the prior notice (LIST-3), the listing decision
(LIST-4), the removal announcement (LIST-7) and the written apology for a wrongful listing (LIST-9).

They use the credit-report layout (``disclosure.pdf``) and are verified like credit reports: numbered, the
SHA-256 digest of the exact file stored, a verification code printed on it, the file kept under
``documents/``. Beside ``lists.service`` this is the other writer of the lists tables: the document row and
its number on the step that served it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.audit import service as audit
from xinyong.catalog.schema import SUBJECT_KIND_LABELS
from xinyong.disclosure.pdf import Entry, FontFile, ReportContent, Section, render
from xinyong.disclosure.service import is_person, shown_key, shown_name
from xinyong.errors import NotFound, XinyongError
from xinyong.lists.models import ListDocument, ListEntry, ListStep
from xinyong.lists.schema import ListType
from xinyong.lists.service import REMOVAL_LABELS, STEP_LABELS, Context, steps_of
from xinyong.measures.schema import TARGET_LABELS
from xinyong.subjects import service as subjects
from xinyong.subjects.models import Subject

TITLES = {
    "notice": "列入严重失信主体名单事先告知书",
    "decision": "列入严重失信主体名单决定书",
    "apology": "书面道歉及澄清函",
    "removal": "移出名单公告",
}
# The procedure step each document is served at: the step row gets the document's number.
STEP_OF = {"notice": "notice", "decision": "decision", "apology": "correction", "removal": "removal"}
# Remedies against a listing decision are statutory, the same in every jurisdiction, hence not in profiles:
# 《中华人民共和国行政复议法》（2023年修订）第二十条第一款：自知道或者应当知道该行政行为之日起六十日内提出；
# 《中华人民共和国行政诉讼法》第四十六条第一款：自知道或者应当知道作出行政行为之日起六个月内提出。
ADMINISTRATIVE_REVIEW = (
    "自知道或者应当知道该决定之日起六十日内依法申请行政复议（《中华人民共和国行政复议法》第二十条）"
)
ADMINISTRATIVE_LAWSUIT = (
    "自知道或者应当知道作出该决定之日起六个月内依法向人民法院提起行政诉讼"
    "（《中华人民共和国行政诉讼法》第四十六条）"
)
PORTAL_LISTS = "公共信用信息平台“信用名单”栏目"


def verification_code(key: bytes, number: str) -> str:
    """Like a credit report's, under a label of its own: a document's code never fits a report number."""
    digest = hmac.new(key, f"list-document:{number}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:10]


@dataclass(frozen=True)
class _Facts:
    """What every document draws on."""

    entry: ListEntry
    list_type: ListType
    subject: Subject
    org: str  # the determining department's name
    you: str  # how a letter addresses the subject: 你单位 or 你


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("。", "！", "？")) else f"{text}。"


def _subject_pairs(facts: _Facts, ctx: Context, *, masked: bool) -> list[tuple[str, str]]:
    subject, masking = facts.subject, ctx.profile.masking
    person = is_person(subject)
    return [
        ("姓名" if person else "名称", shown_name(subject, masking) if masked else subject.name),
        (
            "统一社会信用代码" if subject.id_kind == "uscc" else "证件号码",
            shown_key(subject, masking) if masked else subject.key,
        ),
        ("主体类别", SUBJECT_KIND_LABELS.get(subject.kind, subject.kind)),
    ]


def _grounds(facts: _Facts) -> Entry:
    list_type = facts.list_type
    return Entry(
        title=list_type.name,
        meta=f"认定单位：{facts.org}（{list_type.determining}）",
        fields=[
            ("事实和理由", facts.entry.reasons),
            ("认定标准", list_type.conditions),
            ("设立依据", list_type.legal_basis),
        ],
    )


def _measures(ctx: Context, facts: _Facts) -> Section:
    return Section(
        "列入后将采取的惩戒措施",
        [
            Entry(
                title=m.matter,
                meta=f"实施部门：{m.implementing}；适用对象：{TARGET_LABELS[m.target]}",
                fields=[("措施内容", m.means), ("依据", m.legal_basis)],
            )
            for m in ctx.measure_list.for_list_type(facts.entry.list_type)
        ],
        empty="奖惩措施清单中暂无适用于该名单的措施。",
    )


def _removal_terms(facts: _Facts) -> Section:
    list_type = facts.list_type
    term = f"{list_type.term.label()}（{list_type.term_basis}）" if list_type.term else "至移出之日"
    return Section(
        "名单有效期、移出条件和程序",
        [],
        paragraphs=[
            f"有效期：{term}。",
            f"移出条件和程序：{_sentence(list_type.removal_conditions)}",
            f"有效期届满的自动移出；移出信息在原公示渠道（{PORTAL_LISTS}）公告，相关惩戒措施同时停止。",
        ],
    )


def _notice(ctx: Context, facts: _Facts, steps: list[ListStep]) -> list[Section]:
    entry, you, org = facts.entry, facts.you, facts.org
    return [
        Section(
            "拟列入名单的事实、理由和依据",
            [_grounds(facts)],
            paragraphs=[
                f"{org}拟将{you}列入{facts.list_type.name}。在作出决定前，现将拟列入的事实、理由和依据，"
                f"列入后将采取的惩戒措施，{you}依法享有的权利，以及移出条件告知如下。"
            ],
        ),
        _measures(ctx, facts),
        Section(
            "你享有的权利",
            [],
            paragraphs=[
                f"陈述和申辩：{you}可以自收到本告知书之日起至 {entry.defence_until} 止，向{org}陈述和申辩，"
                "提出事实、理由和证据；逾期未提出的，视为放弃此项权利。",
                f"异议：{you}对上述事实、理由和依据有异议的，可以在同一期限内提出并提交证据；"
                f"{org}将予以核实，并在决定中逐项答复是否采纳及其理由。",
                f"陈述申辩和异议可以登录公共信用信息平台“我的信用”提交，也可以书面向{org}提出。",
                f"行政复议和行政诉讼：{org}作出列入决定后，{you}不服的，可以{ADMINISTRATIVE_REVIEW}，"
                f"或者{ADMINISTRATIVE_LAWSUIT}。",
            ],
        ),
        _removal_terms(facts),
    ]


def _decision(ctx: Context, facts: _Facts, steps: list[ListStep]) -> list[Section]:
    entry, you, org = facts.entry, facts.you, facts.org
    notice = next((s for s in steps if s.step == "notice"), None)
    served = f"（文书编号 {notice.document}）" if notice is not None and notice.document else ""
    heard = [s for s in steps if s.step in ("statement", "objection")]
    decided = next((s for s in reversed(steps) if s.step == "decision"), None)
    answer = decided.text.removeprefix("决定列入。").strip() if decided is not None else ""
    term = f"有效期至 {entry.term_end}" if entry.term_end else "至移出之日"
    return [
        Section(
            "列入的事实、理由和依据",
            [_grounds(facts)],
            paragraphs=[
                f"{org}于 {entry.noticed_on} 向{you}送达事先告知书{served}，告知拟列入的事实、理由、依据和"
                f"{you}依法享有的权利；陈述申辩期至 {entry.defence_until} 届满。"
            ],
        ),
        Section(
            "陈述申辩和异议的听取与答复",
            [],
            paragraphs=[f"{STEP_LABELS[s.step]}（{s.on}）：{_sentence(s.text)}" for s in heard]
            + [f"{org}的答复：{_sentence(answer)}"]
            if heard
            else [f"陈述申辩期内，{you}未提出陈述申辩或异议。"],
        ),
        Section(
            "决定",
            [],
            paragraphs=[
                f"经审查，{org}决定将{you}列入{facts.list_type.name}（名单编号 {entry.number}），"
                f"自 {entry.entered_on} 起生效，{term}。",
                f"列入期间，名单信息在{PORTAL_LISTS}公示，公示期限与名单有效期一致。",
            ],
        ),
        _measures(ctx, facts),
        _removal_terms(facts),
        Section(
            "救济途径",
            [],
            paragraphs=[
                f"{you}如不服本决定，可以{ADMINISTRATIVE_REVIEW}，或者{ADMINISTRATIVE_LAWSUIT}。",
                "行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。",
            ],
        ),
    ]


def _apology(ctx: Context, facts: _Facts, steps: list[ListStep]) -> list[Section]:
    entry, you, org, subject = facts.entry, facts.you, facts.org, facts.subject
    corrected = next((s for s in reversed(steps) if s.step == "correction"), None)
    restored = [
        f"该列入已撤销，名单信息已从{PORTAL_LISTS}的公示中撤下，不再作为对{you}采取任何惩戒措施的依据，"
        "已通知实施惩戒措施的部门停止实施。",
        f"{you}的信用记录已恢复：该列入不再出现在公示、信用报告和信用审查结果中。",
    ]
    if not is_person(subject):
        restored.append("因该列入在相关责任人员信用档案中作出的标注已一并撤销。")
    return [
        Section(
            "误列情况",
            [],
            paragraphs=[
                f"{org}于 {entry.entered_on} 将{you}列入{facts.list_type.name}（名单编号 {entry.number}）。"
                "经核查，该列入认定错误，现予更正。",
                *([f"更正记录（{corrected.on}）：{_sentence(corrected.text)}"] if corrected else []),
            ],
        ),
        Section("更正和信用记录的恢复", [], paragraphs=restored),
        Section(
            "道歉和澄清",
            [],
            paragraphs=[
                f"对上述错误给{you}造成的影响，{org}郑重致歉。",
                f"特此澄清：{subject.name}（{subject.key}）不属于{facts.list_type.name}所列的严重失信主体。"
                f"{you}可以向有关单位和个人出示本函，对方可凭文书编号和验证码核验。",
            ],
        ),
    ]


def _removal(ctx: Context, facts: _Facts, steps: list[ListStep]) -> list[Section]:
    entry, org = facts.entry, facts.org
    masking = ctx.profile.masking
    who = f"{shown_name(facts.subject, masking)}（{shown_key(facts.subject, masking)}）"
    if entry.wrongful:
        text = (
            f"经核查，{org}此前将{who}列入{facts.list_type.name}（名单编号 {entry.number}）系认定错误，"
            "现予更正，原列入信息撤销公示。"
        )
    else:
        reason = REMOVAL_LABELS.get(entry.removal_reason or "", "移出")
        effect = "惩戒" if entry.kind == "black" else "激励"
        text = (
            f"{who}于 {entry.entered_on} 被{org}列入{facts.list_type.name}（名单编号 {entry.number}），"
            f"因{reason}，已于 {entry.removed_on} 移出该名单，相关{effect}措施同时停止。"
        )
    return [
        Section(
            "公告内容",
            [],
            paragraphs=[text, f"本公告在该名单原公示渠道（{PORTAL_LISTS}）发布。"],
        )
    ]


BUILDERS = {"notice": _notice, "decision": _decision, "apology": _apology, "removal": _removal}


def _not_due(entry: ListEntry, kind: str) -> str | None:
    """Why this document cannot be served on this entry yet, or None."""
    if kind in ("notice", "decision", "apology") and entry.kind != "black":
        return "该文书仅适用于严重失信主体名单"
    if kind == "notice" and entry.defence_until is None:
        return "尚未送达事先告知书、确定陈述申辩期"
    if kind == "decision" and entry.entered_on is None:
        return "尚未作出列入决定"
    if kind == "apology" and not entry.wrongful:
        return "该名单记录未经误列更正"
    if kind == "removal" and (entry.removed_on is None or entry.entered_on is None):
        return "该名单记录尚未移出"
    return None


def issue(
    session: Session,
    ctx: Context,
    entry: ListEntry,
    kind: str,
    *,
    font: FontFile,
    key: bytes,
    verify_base: str,
    data_dir: Path,
) -> tuple[ListDocument, bytes]:
    """Render, number and keep one document of ``entry``'s procedure; the step it serves names it."""
    if kind not in TITLES:
        known = "、".join(f"{k}（{v}）" for k, v in TITLES.items())
        raise XinyongError("list.document_kind", f"文书类型应为：{known}", field="kind")
    if entry.subject_key is None:
        raise XinyongError(
            "list.document_no_subject", f"名单记录 {entry.number} 没有可识别的信用主体，无法送达文书"
        )
    why = _not_due(entry, kind)
    if why is not None:
        raise XinyongError("list.document_not_due", f"名单记录 {entry.number} 不能出具{TITLES[kind]}：{why}")
    subject = subjects.get(session, entry.subject_key)
    facts = _Facts(
        entry=entry,
        list_type=ctx.types.get(entry.list_type),
        subject=subject,
        org=access.get_org(session, entry.determining_org).name,
        you="你" if is_person(subject) else "你单位",
    )
    steps = steps_of(session, entry.id)
    number = f"WS{ctx.today:%Y%m%d}{secrets.token_hex(4).upper()}"
    code = verification_code(key, number)
    announcement = kind == "removal"
    content = ReportContent(
        title=TITLES[kind],
        number=number,
        code=code,
        verify_url=f"{verify_base}/verify/{number}?code={code}",
        as_of=ctx.today.isoformat(),
        issued_to="社会公众" if announcement else subject.name,
        subject=_subject_pairs(facts, ctx, masked=announcement),
        sections=BUILDERS[kind](ctx, facts, steps),
        notes=[
            f"本{'公告' if announcement else '文书'}由{facts.org}作出，经公共信用信息平台"
            f"{'发布' if announcement else '送达'}，平台留存文件摘要备查。"
        ],
        noun="文书",
        as_of_label="作出日期",
        issued_to_label="公告对象" if announcement else "送达对象",
    )
    pdf = render(content, font)
    row = ListDocument(
        number=number,
        entry_id=entry.id,
        subject_key=entry.subject_key,
        kind=kind,
        digest=hashlib.sha256(pdf).hexdigest(),
        created_at=ctx.now,
    )
    session.add(row)
    folder = data_dir / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{number}.pdf").write_bytes(pdf)
    served = next((s for s in reversed(steps) if s.step == STEP_OF[kind] and s.document is None), None)
    if served is not None:
        served.document = number
    audit.record(
        session,
        at=ctx.now,
        actor=ctx.actor,
        action="list.document",
        target_type="list_document",
        target_id=number,
        subject_key=entry.subject_key,
        detail={"entry": entry.number, "kind": kind, "digest": row.digest},
    )
    return row, pdf


# ------------------------------------------------------------------------------------------- reading
def find(session: Session, *, key: bytes, number: str, code: str) -> ListDocument | None:
    """The document with this number when ``code`` (typed, already normalised) is its own."""
    row = session.scalar(select(ListDocument).where(ListDocument.number == number))
    if row is None or not hmac.compare_digest(verification_code(key, row.number).encode(), code.encode()):
        return None
    return row


def documents_of(session: Session, subject_key: str) -> list[ListDocument]:
    return list(
        session.scalars(
            select(ListDocument).where(ListDocument.subject_key == subject_key).order_by(ListDocument.id)
        )
    )


def get(session: Session, number: str) -> ListDocument:
    row = session.scalar(select(ListDocument).where(ListDocument.number == number))
    if row is None:
        raise NotFound("list.document_not_found", f"文书 {number[:32]} 不存在")
    return row


def stored_pdf(data_dir: Path, document: ListDocument) -> bytes:
    """The kept file, only if it is still the one issued."""
    path = data_dir / "documents" / f"{document.number}.pdf"
    content = path.read_bytes() if path.is_file() else b""
    if hashlib.sha256(content).hexdigest() != document.digest:
        raise NotFound(
            "list.document_missing", f"文书 {document.number} 的文件缺失或与出具时不一致，请联系平台"
        )
    return content
