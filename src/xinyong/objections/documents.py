"""The written reply to an objection (OBJ-3, OBJ-5): a numbered PDF in the credit-report layout, its SHA-256
kept on the case, the file under ``documents/`` for the applicant to download from its own page."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.disclosure.pdf import Entry, FontFile, ReportContent, Section, render
from xinyong.disclosure.service import is_person
from xinyong.errors import NotFound
from xinyong.lists.documents import ADMINISTRATIVE_LAWSUIT, ADMINISTRATIVE_REVIEW, verification_code
from xinyong.lists.service import Context
from xinyong.objections import service
from xinyong.objections.models import Objection
from xinyong.subjects import service as subjects

TITLE = "异议申请处理结果告知书"


def issuer(
    session: Session, ctx: Context, *, font: FontFile, key: bytes, verify_base: str, data_dir: Path
) -> Callable[[Objection], service.Reply]:
    """What :func:`objections.service.decide` calls to make and keep the written reply."""

    def issue(found: Objection) -> service.Reply:
        number = f"YH{ctx.today:%Y%m%d}{secrets.token_hex(4).upper()}"
        code = verification_code(key, number)
        subject = subjects.get(session, found.subject_key)
        you = "你" if is_person(subject) else "你单位"
        steps = service.steps_of(session, found.id)
        content = ReportContent(
            title=TITLE,
            number=number,
            code=code,
            verify_url=f"{verify_base}/verify/{number}?code={code}",
            as_of=ctx.today.isoformat(),
            issued_to=subject.name,
            subject=[("名称" if not is_person(subject) else "姓名", subject.name), ("代码", subject.key)],
            sections=[
                Section(
                    "异议事项",
                    [
                        Entry(
                            title=f"{service.TARGET_LABELS[found.target_kind]} {found.target_label}",
                            meta=f"案件编号 {found.number} · {found.filed_on} 收到",
                            fields=[
                                ("异议理由", service.GROUNDS[found.grounds]),
                                ("异议说明", found.statement),
                            ],
                        )
                    ],
                ),
                Section(
                    "办理过程",
                    [],
                    paragraphs=[
                        f"{s.on} {service.STEP_LABELS.get(s.step, s.step)}：{s.text}"
                        + (f"（{s.outcome}）" if s.outcome else "")
                        for s in steps
                    ],
                ),
                Section(
                    "处理结果",
                    [],
                    paragraphs=[
                        f"{service.OUTCOMES[found.outcome or 'confirmed']}。",
                        f"理由：{found.outcome_text}",
                    ],
                ),
                Section(
                    "救济途径",
                    [],
                    paragraphs=[
                        f"{you}对处理结果仍有异议的，可以向社会信用主管部门提出申诉；"
                        f"对具体行政行为不服的，可以{ADMINISTRATIVE_REVIEW}，或者{ADMINISTRATIVE_LAWSUIT}。",
                    ],
                ),
            ],
            notes=[
                f"本告知书由{access.get_org(session, access.OPERATOR_CODE).name}作出，平台留存文件摘要备查。"
            ],
            noun="文书",
            as_of_label="作出日期",
            issued_to_label="送达对象",
        )
        pdf = render(content, font)
        folder = data_dir / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{number}.pdf").write_bytes(pdf)
        return service.Reply(number, hashlib.sha256(pdf).hexdigest())

    return issue


def stored_reply(data_dir: Path, found: Objection) -> bytes:
    """The kept reply, only if it is still the one issued."""
    path = data_dir / "documents" / f"{found.reply_number}.pdf"
    content = path.read_bytes() if found.reply_number and path.is_file() else b""
    if not content or hashlib.sha256(content).hexdigest() != found.reply_digest:
        raise NotFound("objection.reply_missing", f"异议案件 {found.number} 的书面答复不存在或与出具时不一致")
    return content
