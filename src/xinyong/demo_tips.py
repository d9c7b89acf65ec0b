"""Demo tips and complaints, filed on earlier days so the tip queue shows each stage: one overdue for its
department's acceptance, one just routed, one answered, one complaint with the operator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong import sweep
from xinyong.access.security import secret_key
from xinyong.audit.service import AuditActor
from xinyong.demo_lists import days_before
from xinyong.lists.service import Context
from xinyong.records.models import Record
from xinyong.settings import Settings
from xinyong.subjects import service as subjects
from xinyong.tips import service as tips
from xinyong.tips.models import Tip


@dataclass(frozen=True)
class DemoTip:
    """Days ago it was filed, its category and facts, who reported, where the operator sent it, and how far
    its department got (days ago it accepted and answered). Demo scheduling, not legal periods."""

    days_ago: int
    kind: str
    category: str
    facts: str
    reporter: tuple[str, str] = ("", "")
    department: str | None = None
    accepted_days_ago: int | None = None
    answered_days_ago: int | None = None
    answer: str = ""


TIPS = (
    DemoTip(
        12,
        "tip",
        "illegal-business",
        "该企业在未取得许可的情况下，长期在城郊仓库内生产销售预包装食品。",
        ("赵某某", "13800000001"),
        "demo-scjgj",
    ),
    DemoTip(
        3,
        "tip",
        "work-safety",
        "厂区消防通道被货物堵塞，员工反映近期多次发生小规模起火。",
        department="demo-yjglj",
    ),
    DemoTip(
        10,
        "tip",
        "illegal-business",
        "该企业以虚假宣传方式推销保健品，承诺可治疗慢性病。",
        ("钱某某", "qian@example.com"),
        "demo-scjgj",
        8,
        2,
        "经现场检查，情况基本属实，已立案调查并责令停止发布违法广告。",
    ),
    DemoTip(1, "complaint", "credit-information", "信用网站上本企业已履行完毕的处罚仍在公示，申请核查。"),
)
# The demo's department staff, as the audit log names them.
DEPARTMENT = "{org} 经办人（演示）"


def generate(factory: sessionmaker[Session], settings: Settings, *, actor: AuditActor) -> int:
    """Idempotent like the rest of the demo: a demo tip already filed is not filed again."""
    rules = sweep.Rules.of(settings)
    today, now = settings.clock.today(), settings.clock.now()
    key = secret_key(rules.data_dir)
    filed = 0

    def context(days: int, who: AuditActor = actor) -> Context:
        return days_before(rules, actor=who, today=today, now=now, days=days)

    with factory() as session, session.begin():
        companies = _companies(session, len(TIPS))
        for demo, company in zip(TIPS, companies, strict=False):
            name = subjects.get(session, company).name
            report = tips.Report(
                kind=demo.kind,
                category=demo.category,
                facts=demo.facts,
                subject_code=company,
                subject_name=name,
                reporter_name=demo.reporter[0],
                reporter_contact=demo.reporter[1],
            )
            known = tips.fingerprint(demo.kind, demo.category, company, demo.facts)
            if session.scalar(select(Tip.id).where(Tip.fingerprint == known)) is not None:
                continue
            tip = tips.file(
                session,
                context(demo.days_ago),
                key=key,
                data_dir=rules.data_dir,
                report=report,
                evidence=[],
                account_id=None,
                duplicate_window=timedelta(0),
            ).tip
            filed += 1
            if demo.department is None or tip.org_code == demo.department:
                continue
            tips.reroute(
                session, context(demo.days_ago), number=tip.number, org=demo.department, text="按职责转交"
            )
            staff = AuditActor(
                account_id=None, org=demo.department, label=DEPARTMENT.format(org=demo.department)
            )
            if demo.accepted_days_ago is not None:
                tips.accept(
                    session,
                    context(demo.accepted_days_ago, staff),
                    number=tip.number,
                    org_code=demo.department,
                )
            if demo.answered_days_ago is not None:
                tips.answer(
                    session,
                    context(demo.answered_days_ago, staff),
                    data_dir=rules.data_dir,
                    number=tip.number,
                    org_code=demo.department,
                    text=demo.answer,
                    document=[],
                )
    return filed


def _companies(session: Session, limit: int) -> list[str]:
    """Companies with penalty records, the same ones on every run."""
    query = (
        select(Record.subject_key)
        .where(Record.item_code == "admin-penalty", Record.subject_key.like("9%"))
        .group_by(Record.subject_key)
        .order_by(Record.subject_key)
        .limit(limit)
    )
    return list(session.scalars(query))
