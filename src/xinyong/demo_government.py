"""Demo government integrity data: two regions with debt warnings, three bodies and two civil servants with
archive entries, a penalty recorded as government dishonesty and a case exempted under the fault-tolerance
rules, commitments and contracts (one overdue), and an evaluation run so the public page has content.

Idempotent like the rest of the demo: a database that already has the first demo region is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker
from stdnum.cn import ric, uscc

from xinyong.audit.service import AuditActor
from xinyong.errors import XinyongError
from xinyong.government import contracts, evaluation, service
from xinyong.profiles.loader import load_profile
from xinyong.settings import Settings

# Regions and their debt (balance, comprehensive fiscal capacity, in yuan): one yellow, one red warning.
REGIONS = (
    ("370102", "历下区", "9800000000", "9000000000"),
    ("370103", "市中区", "15600000000", "12000000000"),
)
BODIES = (
    ("370102", 1, "历下区住房和城乡建设局"),
    ("370102", 2, "历下区财政局"),
    ("370103", 3, "市中区商务局"),
)
SERVANTS = ((1, "王建国", "城建科科长"), (3, "李晓梅", "招商服务科副科长"))
PROVIDER = "demo-hrss"  # the demo organisation that delivers government dishonesty
# Demo scheduling, not legal periods: when the demo contracts were signed and their obligations fell due.
SIGNED_DAYS_AGO, OVERDUE_DAYS_AGO, DONE_DAYS_AGO, DUE_IN_DAYS = 300, 20, 40, 120


@dataclass
class GovernmentCounts:
    bodies: int = 0
    commitments: int = 0
    exemptions: int = 0


def body_code(seed: int) -> str:
    first17 = f"11370100MC{seed:07d}"
    return first17 + uscc.calc_check_digit(first17)


def citizen_code(seed: int) -> str:
    first17 = f"37010219850101{seed:03d}"
    return first17 + ric.calc_check_digit(first17 + "0")  # the function reads the first 17 of 18


def generate(factory: sessionmaker[Session], settings: Settings, *, actor: AuditActor) -> GovernmentCounts:
    counts = GovernmentCounts()
    today, now = settings.clock.today(), settings.clock.now()
    with factory() as session, session.begin():
        if any(r.code == REGIONS[0][0] for r in evaluation.regions(session)):
            return counts
        for code, name, _, _ in REGIONS:
            evaluation.add_region(session, code=code, name=name, actor=actor, now=now)
            _debt(session, code, actor, settings)
        for region, seed, name in BODIES:
            service.register_body(
                session, code=body_code(seed), name=name, region_code=region, actor=actor, now=now
            )
        for seed, (body, name, post) in enumerate(SERVANTS, start=1):
            service.register_servant(
                session,
                code=citizen_code(seed),
                name=name,
                body_code=body_code(body),
                post=post,
                actor=actor,
                now=now,
            )
        _entries(session, actor, settings)
        counts.commitments = _commitments(session, actor, settings)
        contracts.flag_overdue(session, as_of=today, actor=actor, now=now)
    counts.bodies = len(BODIES)
    profile = load_profile(settings.profile, (settings.data_dir / "profiles",))
    case = service.Case(
        code=body_code(2),
        conduct="行政处罚",
        facts="违规拨付专项资金，被责令改正并处罚款",
        outcome="责令改正",
        document_number="济审罚〔2026〕7号",
        decision_date=today - timedelta(days=DONE_DAYS_AGO),
        authority="某市审计局",
    )
    service.deliver(
        factory,
        case=case,
        exemption=None,
        provider=PROVIDER,
        actor=actor,
        profile=profile,
        clock=settings.clock,
    )
    exempted = service.ExemptionIn(
        document_number="济容认〔2026〕2号",
        authority="市纪委监委",
        decided_on=today - timedelta(days=OVERDUE_DAYS_AGO),
        reason="在推进改革试点中因先行先试出现失误，主动纠错、挽回损失，符合容错纠错情形",
    )
    try:
        service.deliver(
            factory,
            case=service.Case(
                code=citizen_code(2),
                conduct="问责处理",
                facts="招商项目审批中超时办理",
                document_number="济问责〔2026〕5号",
                decision_date=today - timedelta(days=OVERDUE_DAYS_AGO),
                authority="市纪委监委",
            ),
            exemption=exempted,
            provider=PROVIDER,
            actor=actor,
            profile=profile,
            clock=settings.clock,
        )
    except XinyongError as refused:  # refused as a record, kept as an exemption: what the demo shows
        if refused.code != "government.fault_tolerance":
            raise
        counts.exemptions = 1
    with factory() as session, session.begin():
        evaluation.evaluate(
            session, file=evaluation.rules(settings.data_dir.resolve()), as_of=today, actor=actor, now=now
        )
    return counts


def _debt(session: Session, code: str, actor: AuditActor, settings: Settings) -> None:
    _, _, balance, capacity = next(r for r in REGIONS if r[0] == code)
    now = settings.clock.now()
    evaluation.set_debt(
        session,
        region_code=code,
        year=now.year - 1,
        debt_balance=balance,
        fiscal_capacity=capacity,
        source="区财政局报送（演示数据）",
        actor=actor,
        now=now,
    )


def _entries(session: Session, actor: AuditActor, settings: Settings) -> None:
    today, now = settings.clock.today(), settings.clock.now()
    year = today.year - 1
    for seed, score in ((1, 91), (2, 86), (3, 78)):
        service.add_entry(
            session,
            code=body_code(seed),
            entry=service.EntryIn(
                dimension="satisfaction",
                title=f"{year} 年度群众满意度测评",
                content="委托第三方机构开展入户和网上测评",
                recorded_on=today,
                department="区委组织部",
                score=score,
                year=year,
            ),
            actor=actor,
            now=now,
            today=today,
        )
    service.add_entry(
        session,
        code=body_code(1),
        entry=service.EntryIn(
            "openness", "政务公开考核", "主动公开重大行政决策 12 项", today, "区政务公开办"
        ),
        actor=actor,
        now=now,
        today=today,
    )
    service.add_entry(
        session,
        code=citizen_code(1),
        entry=service.EntryIn(
            "appraisal", f"{year} 年度考核", "年度考核结果", today, "区委组织部", year=year, grade="优秀"
        ),
        actor=actor,
        now=now,
        today=today,
    )


def _commitments(session: Session, actor: AuditActor, settings: Settings) -> int:
    today, now = settings.clock.today(), settings.clock.now()
    signed = today - timedelta(days=SIGNED_DAYS_AGO)
    made = [
        contracts.record(
            session,
            commitment=contracts.CommitmentIn(
                body=body_code(3),
                kind="investment",
                title="智能制造产业园招商引资协议",
                counterparty_name="某智能装备有限公司",
                content="企业在区内投资建设生产基地，区政府按协议兑现用地和设备补贴",
                signed_on=signed,
                amount=str(Decimal("80000000")),
                published=True,
                obligations=(
                    contracts.ObligationIn("交付项目建设用地", today - timedelta(days=DONE_DAYS_AGO + 10)),
                    contracts.ObligationIn("兑现首期设备补贴", today - timedelta(days=OVERDUE_DAYS_AGO)),
                ),
            ),
            actor=actor,
            now=now,
        ),
        contracts.record(
            session,
            commitment=contracts.CommitmentIn(
                body=body_code(1),
                kind="policy",
                title="老旧小区改造惠民承诺",
                counterparty_name="辖区居民",
                content="年内完成辖区老旧小区加装电梯和管网改造",
                signed_on=signed,
                published=True,
                obligations=(contracts.ObligationIn("完成管网改造", today + timedelta(days=DUE_IN_DAYS)),),
            ),
            actor=actor,
            now=now,
        ),
    ]
    first = contracts.obligations_of(session, [made[0].id])[made[0].id][0]
    contracts.fulfil(
        session,
        obligation_id=first.id,
        fulfilled_on=today - timedelta(days=DONE_DAYS_AGO),
        actor=actor,
        now=now,
    )
    return len(made)
