"""The demo shows the market pages with content: a registered agency with both authorizations, an
association's record under a consent, and a self-declaration (MKT-1..3)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from xinyong import demo, demo_market
from xinyong.db.engine import session_factory
from xinyong.market import registry, service
from xinyong.records.models import Record
from xinyong.settings import Settings


@pytest.mark.req("MKT-1", "MKT-2", "MKT-3")
def test_the_demo_seeds_market_information_once(settings: Settings, engine: Engine) -> None:
    demo.generate(settings, subjects=40, seed=11)
    demo.generate(settings, subjects=40, seed=11)  # a second run adds nothing
    with session_factory(engine)() as session:
        [agency] = [f for f in registry.listed(session) if f.agency.org_code == demo_market.AGENCY[0]]
        consents = service.consents_by(session, demo_market.ASSOCIATION[0])
        company = consents[0].subject_key
        market = session.scalars(
            select(Record).where(
                Record.subject_key == company, Record.item_code.in_(["market-info", "self-declared"])
            )
        ).all()
        grants = registry.grants_by(session, demo_market.PROVIDER)
    assert agency.agency.status == "active" and agency.agency.commitment
    assert len(consents) == 1 and consents[0].revoked_at is None
    assert sorted(r.item_code for r in market) == ["market-info", "self-declared"]
    assert [g.agency for g in grants] == [demo_market.AGENCY[0]]
