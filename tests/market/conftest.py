"""A platform with a provider, a credit service agency (with its USCC), two market collectors, an operator
and a company signed in as its own subject; helpers to give consents and clear an agency (MKT-1..3)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.access.service import audit_actor
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.disclosure import service as disclosure
from xinyong.market import registry, service
from xinyong.market.schema import options
from xinyong.profiles.loader import load_profile
from xinyong.profiles.schema import Profile
from xinyong.records.service import records_of
from xinyong.settings import Settings
from xinyong.web.app import create_app

from ..conftest import TODAY, org_with_token, subject_cookie, uscc_code
from ..records.conftest import penalty

SYSTEM = audit_actor(system_actor(policy()))
NEXT_MONTH = TODAY + timedelta(days=30)


def fresh_company() -> str:
    """A company code no other test uses."""
    return uscc_code(4_000_000 + secrets.randbelow(1_000_000))


@dataclass
class Market:
    settings: Settings
    engine: Engine
    tokens: dict[str, str]
    provider: str
    agency: str
    agency_uscc: str
    collector: str
    other_collector: str
    company: str
    company_name: str
    cookie: str

    def bearer(self, org: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[org]}"}

    def session(self) -> Session:
        return session_factory(self.engine)()

    def client(self, on: date = TODAY) -> TestClient:
        return TestClient(create_app(self.settings.model_copy(update={"fixed_date": on})))


@pytest.fixture(scope="package")
def market(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Market]:
    tag = secrets.token_hex(3)
    settings = Settings(
        database_url=database_url, data_dir=tmp_path_factory.mktemp("market") / "var", fixed_date=TODAY
    )
    engine = make_engine(database_url)
    initialise(engine, settings)
    now, key = settings.clock.now(), secret_key(settings.data_dir.resolve())
    provider, agency, collector, other = f"scj-{tag}", f"xyfw-{tag}", f"xh-{tag}", f"qy-{tag}"
    agency_uscc, company = fresh_company(), fresh_company()
    tokens: dict[str, str] = {}
    with transaction(session_factory(engine)) as session:
        for code, kind, role in (
            (provider, "provider", "provider"),
            (agency, "agency", "agency"),
            (collector, "collector", "collector"),
            (other, "collector", "collector"),
            (f"ops-{tag}", "operator", "operator_admin"),
        ):
            tokens[code] = org_with_token(
                session, code=code, kind=kind, role=role, key=key, now=now, name=f"单位{code}"
            )
        tokens["operator"] = tokens.pop(f"ops-{tag}")
        access.get_org(session, agency).uscc = agency_uscc  # an agency is a subject under its USCC
        cookie = subject_cookie(session, key=key, code=company, name="华信市场测试有限公司", now=now)
    yield Market(
        settings,
        engine,
        tokens,
        provider,
        agency,
        agency_uscc,
        collector,
        other,
        company,
        "华信市场测试有限公司",
        cookie,
    )
    engine.dispose()


def consent(
    market: Market,
    *,
    subject: str,
    collector: str | None = None,
    kinds: Sequence[str] = ("honour", "contract"),
    use: str = "credit_report",
    valid_until: date = NEXT_MONTH,
) -> str:
    """A consent the subject gave online; its number."""
    with transaction(session_factory(market.engine)) as session:
        row = service.give(
            session,
            subject_key=subject,
            form=service.ConsentForm(
                collector=collector or market.collector,
                kinds=kinds,
                method="online",
                use=use,
                told=list(options().told),
                valid_until=valid_until,
                service_conditional=False,
            ),
            document=None,
            data_dir=market.settings.data_dir,
            profile=profile_of(market),
            actor=SYSTEM,
            now=market.settings.clock.now(),
            today=TODAY,
        )
        return row.number


def profile_of(market: Market) -> Profile:
    return load_profile(market.settings.profile)


def market_row(subject: str, consent_number: str, **overrides: str) -> dict[str, str]:
    row = {
        "subject_name": "华信市场测试有限公司",
        "uscc": subject,
        "kind": "合同履约",
        "content": "2026年度供货合同按期履约",
        "occurred_on": "2026-10-01",
        "use": "出具信用报告",
        "consent": consent_number,
    }
    row.update(overrides)
    return row


def public_penalty(market: Market, subject: str) -> int:
    """A public penalty on ``subject`` delivered by the world's provider; its record id."""
    number = f"济市监罚〔2026〕{secrets.token_hex(3)}号"
    body = {
        "item": "admin-penalty",
        "severity": "general",
        "records": [penalty(number, uscc=subject, subject_name="某某有限公司")],
    }
    with market.client() as client:
        answer = client.post("/api/v1/records", headers=market.bearer(market.provider), json=body).json()
    assert answer["accepted"] == 1, answer["rejects"]
    with market.session() as session:
        return next(r.id for r in records_of(session, subject) if r.document_number == number)


def register_agency(session: Session, market: Market) -> None:
    """The world's agency in the registry, once."""
    register(session, market.agency, now=market.settings.clock.now())


def register(session: Session, agency: str, *, now: datetime) -> None:
    """An agency organisation in the registry, once; one registered without its USCC gets one."""
    if agency in {f.agency.org_code for f in registry.listed(session)}:
        return
    org = access.get_org(session, agency)
    org.uscc = org.uscc or fresh_company()
    registry.register(
        session,
        org_code=agency,
        filing_number=f"备案-{secrets.token_hex(3)}",
        registered_on=TODAY - timedelta(days=100),
        business_scope="信用报告、信用评级",
        commitment="依法合规开展信用服务，保守商业秘密和个人隐私，不作虚假评价。",
        actor=SYSTEM,
        now=now,
        today=TODAY,
    )


def authorize_agency(
    engine: Engine,
    settings: Settings,
    *,
    agency: str,
    provider: str,
    subject: str,
    items: Sequence[str] = ("admin-penalty",),
    by_subject: bool = True,
    by_provider: bool = True,
    until: date = NEXT_MONTH,
) -> tuple[str | None, str | None]:
    """Register ``agency`` and give it the subject's and/or the provider's authorization for ``items``
    (MKT-3); the two authorization numbers."""
    profile = load_profile(settings.profile)
    now = settings.clock.now()
    with transaction(session_factory(engine)) as session:
        register(session, agency, now=now)
        subject_grant = (
            disclosure.grant(
                session,
                subject_key=subject,
                grantee_org=agency,
                items=items,
                purpose="authorized_service",
                valid_until=until,
                policy=policy(),
                profile=profile,
                actor=SYSTEM,
                now=now,
                today=TODAY,
            ).number
            if by_subject
            else None
        )
        provider_grant = (
            registry.grant(
                session,
                provider=provider,
                agency=agency,
                items=items,
                valid_until=until,
                profile=profile,
                actor=SYSTEM,
                now=now,
                today=TODAY,
            ).number
            if by_provider
            else None
        )
    return subject_grant, provider_grant


def clear_agency(
    market: Market,
    *,
    subject: str,
    items: Sequence[str] = ("admin-penalty",),
    by_subject: bool = True,
    by_provider: bool = True,
    until: date = NEXT_MONTH,
) -> tuple[str | None, str | None]:
    """The world's agency authorized by the subject and/or the world's provider."""
    return authorize_agency(
        market.engine,
        market.settings,
        agency=market.agency,
        provider=market.provider,
        subject=subject,
        items=items,
        by_subject=by_subject,
        by_provider=by_provider,
        until=until,
    )
