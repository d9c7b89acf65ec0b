"""Demo market credit information: a registered credit service agency, an industry association collecting
under a company's consent, the company's own declaration, and the two authorizations that let the agency
receive the company's penalties (MKT-1..3). Idempotent like the rest of the demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.models import Organisation
from xinyong.access.policy import policy
from xinyong.audit.service import AuditActor
from xinyong.disclosure import service as disclosure
from xinyong.market import registry, service
from xinyong.market.schema import options
from xinyong.profiles.loader import load_profile
from xinyong.records.models import Record
from xinyong.settings import Settings
from xinyong.subjects.models import Subject

AGENCY = ("demo-xyfw", "某市诚信信用评价有限公司", "91370100MA3C8R1X54")
ASSOCIATION = ("demo-xh", "某市企业信用协会", None)
PROVIDER = "demo-scjgj"
# Demo terms, not legal periods: the profile bounds each when the service checks it.
VALID_FOR = timedelta(days=180)
REGISTERED_DAYS_AGO = timedelta(days=400)


@dataclass
class MarketCounts:
    consents: int = 0
    records: int = 0
    declarations: int = 0
    grants: int = 0


def generate(factory: sessionmaker[Session], settings: Settings, *, actor: AuditActor) -> MarketCounts:
    today, now = settings.clock.today(), settings.clock.now()
    profile = load_profile(settings.profile, (settings.data_dir / "profiles",))
    counts = MarketCounts()
    with factory() as session, session.begin():
        company = session.execute(
            select(Subject.key, Subject.name)
            .join(Record, Record.subject_key == Subject.key)
            .where(Record.item_code == "admin-penalty", Record.provider == PROVIDER, Subject.key.like("91%"))
            .order_by(Subject.key)
            .limit(1)
        ).first()
        if company is None:  # a demo without subjects has nothing to show
            return counts
        for code, name, uscc in (AGENCY, ASSOCIATION):
            kind = "agency" if code == AGENCY[0] else "collector"
            if session.scalar(select(Organisation.id).where(Organisation.code == code)) is None:
                access.create_org(
                    session, by=system_actor(policy()), now=now, code=code, name=name, kind=kind, uscc=uscc
                )
        if AGENCY[0] not in {f.agency.org_code for f in registry.listed(session)}:
            registry.register(
                session,
                org_code=AGENCY[0],
                filing_number="鲁信备〔2025〕0012号",
                registered_on=today - REGISTERED_DAYS_AGO,
                business_scope="信用评级、信用报告、信用管理咨询",
                commitment="本机构依法合规开展信用服务，客观、公正、审慎评价，保守商业秘密和个人隐私，不作虚假宣传和虚假评价。",
                actor=actor,
                now=now,
                today=today,
            )
        consent = next(
            (c for c in service.consents_of(session, company.key) if c.collector == ASSOCIATION[0]), None
        )
        if consent is None:
            consent = service.give(
                session,
                subject_key=company.key,
                form=service.ConsentForm(
                    collector=ASSOCIATION[0],
                    kinds=["honour", "contract"],
                    method="member_agreement",
                    use="member_management",
                    told=list(options().told),
                    valid_until=today + VALID_FOR,
                    service_conditional=False,
                ),
                document=None,
                data_dir=settings.data_dir.resolve(),
                profile=profile,
                actor=actor,
                now=now,
                today=today,
            )
            counts.consents += 1
        if not any(g.agency == AGENCY[0] for g in registry.grants_by(session, PROVIDER)):
            registry.grant(
                session,
                provider=PROVIDER,
                agency=AGENCY[0],
                items=["admin-penalty", "admin-licence"],
                valid_until=today + VALID_FOR,
                profile=profile,
                actor=actor,
                now=now,
                today=today,
            )
            disclosure.grant(
                session,
                subject_key=company.key,
                grantee_org=AGENCY[0],
                items=["admin-penalty", "admin-licence"],
                purpose="authorized_service",
                valid_until=today + VALID_FOR,
                policy=policy(),
                profile=profile,
                actor=actor,
                now=now,
                today=today,
            )
            counts.grants += 2
        number, key, name = consent.number, company.key, company.name
    row = {
        "subject_name": name,
        "uscc": key,
        "kind": "合同履约",
        "content": "会员单位年度合同履约评价：按期履约率100%，无违约记录（演示数据）",
        "occurred_on": (today - timedelta(days=30)).isoformat(),
        "use": "会员信用管理",
        "consent": number,
    }
    counts.records = service.submit(
        factory, collector=ASSOCIATION[0], records=[row], actor=actor, profile=profile, clock=settings.clock
    ).accepted
    service.declare(
        factory,
        subject_key=key,
        subject_name=name,
        declaration=service.Declaration(
            kind="荣誉表彰",
            content="市级“守合同重信用”企业（演示数据）",
            occurred_on=(today - timedelta(days=90)).isoformat(),
            issuer="某市企业信用协会",
            responsible=True,
        ),
        actor=actor,
        profile=profile,
        clock=settings.clock,
    )
    counts.declarations = 1
    return counts
