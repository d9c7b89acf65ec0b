"""Credit service agencies are registered, have credit records of their own, and receive public credit
information only with the authorization of both the subject and the provider; a suspended or cancelled
agency receives nothing (MKT-3; JN 45; CT 53)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from xinyong.access import service as access
from xinyong.access.actors import Actor, system_actor
from xinyong.access.gate import AgencyStanding, Authorization, Info, ProviderGrant, decide
from xinyong.access.policy import policy
from xinyong.db.engine import session_factory, transaction
from xinyong.disclosure.models import Receipt
from xinyong.errors import XinyongError
from xinyong.market import registry

from ..conftest import TODAY
from .conftest import NEXT_MONTH, SYSTEM, Market, clear_agency, fresh_company, public_penalty, register_agency

RULES = policy()
WEEK = TODAY + timedelta(days=7)
SUBJECT = "91110000802100433B"
PUBLIC = Info(SUBJECT, "public", "admin-penalty", publicly_visible=True, provider="scj")
AGENCY = Actor(
    "client",
    "某信用服务公司",
    frozenset({"agency", "public"}),
    RULES.permissions(frozenset({"agency", "public"})),
    account_id=5,
    org_code="xinyi",
    org_kind="agency",
)
BY_SUBJECT = Authorization(
    "SQ1", SUBJECT, None, "xinyi", frozenset({"admin-penalty"}), "authorized_service", NEXT_MONTH
)
BY_PROVIDER = ProviderGrant("JG1", "scj", "xinyi", frozenset({"admin-penalty"}), NEXT_MONTH)


def standing(status: str | None = "active", *grants: ProviderGrant) -> AgencyStanding:
    return AgencyStanding(status, registry.STATUS_LABELS.get(status or "", "未登记"), grants)


def agency_decision(
    *,
    agency: AgencyStanding | None,
    subject_grants: tuple[Authorization, ...] = (BY_SUBJECT,),
    info: Info = PUBLIC,
    today: date = TODAY,
) -> str:
    decision = decide(
        RULES,
        AGENCY,
        info,
        purpose="authorized_service",
        today=today,
        authorizations=subject_grants,
        agency=agency,
    )
    return decision.code


@pytest.mark.req("MKT-3")
def test_the_gate_gives_an_agency_even_public_information_only_under_both_authorizations() -> None:
    allowed = decide(
        RULES,
        AGENCY,
        PUBLIC,
        purpose="authorized_service",
        today=TODAY,
        authorizations=[BY_SUBJECT],
        agency=standing("active", BY_PROVIDER),
    )
    assert allowed.allowed and allowed.mode == "authorized" and allowed.logged
    assert "SQ1" in allowed.reason and "JG1" in allowed.reason
    later = TODAY + timedelta(days=31)
    assert {
        "provider yes, subject no": agency_decision(
            agency=standing("active", BY_PROVIDER), subject_grants=()
        ),
        "subject yes, provider no": agency_decision(agency=standing("active")),
        "provider grant of another provider": agency_decision(
            agency=standing(
                "active", ProviderGrant("JG2", "other", "xinyi", frozenset({"admin-penalty"}), NEXT_MONTH)
            )
        ),
        "provider grant of another item": agency_decision(
            agency=standing("active", ProviderGrant("JG3", "scj", "xinyi", frozenset({"award"}), NEXT_MONTH))
        ),
        "provider grant revoked": agency_decision(
            agency=standing(
                "active",
                ProviderGrant("JG4", "scj", "xinyi", frozenset({"admin-penalty"}), NEXT_MONTH, revoked=True),
            )
        ),
        "both expired": agency_decision(agency=standing("active", BY_PROVIDER), today=later),
        "suspended": agency_decision(agency=standing("suspended", BY_PROVIDER)),
        "cancelled": agency_decision(agency=standing("cancelled", BY_PROVIDER)),
        "not registered": agency_decision(agency=None),
    } == {
        "provider yes, subject no": "access.no_authorization",
        "subject yes, provider no": "access.no_provider_authorization",
        "provider grant of another provider": "access.no_provider_authorization",
        "provider grant of another item": "access.no_provider_authorization",
        "provider grant revoked": "access.no_provider_authorization",
        "both expired": "access.no_authorization",
        "suspended": "access.agency_not_active",
        "cancelled": "access.agency_not_active",
        "not registered": "access.agency_not_active",
    }


@pytest.mark.req("MKT-3")
def test_an_agency_is_registered_with_its_commitment_and_listed_in_public(market: Market) -> None:
    with market.client() as client:
        missing = client.post(
            "/api/v1/agencies",
            headers=market.bearer("operator"),
            json={
                "org": market.agency,
                "filing_number": "备案-X",
                "registered_on": "2026-01-05",
                "business_scope": "信用评级",
                "commitment": "  ",
            },
        )
        assert missing.status_code == 422 and missing.json()["error"]["code"] == "agency.commitment_required"
        not_agency = client.post(
            "/api/v1/agencies",
            headers=market.bearer("operator"),
            json={
                "org": market.provider,
                "filing_number": "备案-Y",
                "registered_on": "2026-01-05",
                "business_scope": "信用评级",
                "commitment": "守法诚信",
            },
        )
        assert not_agency.json()["error"]["code"] == "agency.org_kind"
    with transaction(session_factory(market.engine)) as session:
        register_agency(session, market)
    with market.client() as client:
        listed = {a["org"]: a for a in client.get("/api/v1/agencies").json()}
        page = client.get("/agencies").text
        archive = client.get(f"/subjects/{market.agency_uscc}")
    found = listed[market.agency]
    assert (found["status"], found["status_label"], found["uscc"]) == ("active", "正常", market.agency_uscc)
    assert found["commitment"].startswith("依法合规") and f"/subjects/{market.agency_uscc}" in page
    assert archive.status_code == 200  # an agency is a subject: its own archive, public records via the gate


@pytest.mark.req("MKT-3")
def test_an_agency_reads_a_subjects_records_only_with_both_authorizations(market: Market) -> None:
    subject = fresh_company()
    record = public_penalty(market, subject)
    url = f"/api/v1/subjects/{subject}/records?purpose=authorized_service"

    def seen(on: date = TODAY) -> list[int]:
        with market.client(on) as client:
            return [r["id"] for r in client.get(url, headers=market.bearer(market.agency)).json()["records"]]

    with market.client() as client:  # the public portal stays public
        assert [r["id"] for r in client.get(f"/api/v1/subjects/{subject}/records").json()["records"]] == [
            record
        ]

    revoke_all(market)
    assert seen() == []  # registered or not, nothing without authorizations
    clear_agency(market, subject=subject, by_provider=False, until=WEEK)
    assert seen() == []  # subject yes, provider no
    other = fresh_company()
    other_record = public_penalty(market, other)
    clear_agency(market, subject=other, by_subject=False, until=WEEK)
    assert _read(market, other) == []  # provider yes, subject no
    assert seen() == [record]  # both: the provider's grant covers its items, the subject's its own records
    assert seen(WEEK + timedelta(days=1)) == []  # both ended
    with market.session() as session:
        received = session.scalars(select(Receipt.record_id).where(Receipt.org_code == market.agency)).all()
    assert record in received and other_record not in received

    revoke_all(market)
    assert seen() == []  # the provider withdrew its authorization


def revoke_all(market: Market) -> None:
    """The provider withdraws every authorization it gave, through the API."""
    with market.session() as session:
        numbers = [g.number for g in registry.grants_by(session, market.provider) if g.revoked_at is None]
    with market.client() as client:
        for number in numbers:
            answer = client.post(
                f"/api/v1/agencies/grants/{number}/revoke", headers=market.bearer(market.provider)
            )
            assert answer.status_code == 200 and answer.json()["revoked_at"]


def _read(market: Market, subject: str) -> list[dict[str, object]]:
    with market.client() as client:
        answer = client.get(
            f"/api/v1/subjects/{subject}/records?purpose=authorized_service",
            headers=market.bearer(market.agency),
        )
    records: list[dict[str, object]] = answer.json()["records"]
    return records


@pytest.mark.req("MKT-3")
def test_a_suspended_or_cancelled_agency_is_given_nothing(market: Market) -> None:
    subject = fresh_company()
    record = public_penalty(market, subject)
    clear_agency(market, subject=subject)
    assert [r["id"] for r in _read(market, subject)] == [record]

    def status(value: str, reason: str = "") -> int:
        with market.client() as client:
            answer = client.post(
                f"/api/v1/agencies/{market.agency}/status",
                headers=market.bearer("operator"),
                json={"status": value, "reason": reason},
            )
        return answer.status_code

    assert status("suspended") == 422  # a suspension states why
    assert status("suspended", "违规承揽业务，责令整改") == 200
    assert _read(market, subject) == []
    with market.client() as client:
        listed = {a["org"]: a for a in client.get("/api/v1/agencies").json()}
    assert listed[market.agency]["status_label"] == "已暂停"
    assert status("active", "整改完毕") == 200
    assert [r["id"] for r in _read(market, subject)] == [record]


@pytest.mark.req("MKT-3")
def test_a_provider_authorizes_only_its_own_items_for_a_limited_time(market: Market) -> None:
    with transaction(session_factory(market.engine)) as session:
        register_agency(session, market)
    with market.client() as client:
        foreign = client.post(
            "/api/v1/agencies/grants",
            headers=market.bearer(market.provider),
            json={
                "agency": market.agency,
                "items": ["court-dishonest-debtor"],
                "valid_until": NEXT_MONTH.isoformat(),
            },
        )
        endless = client.post(
            "/api/v1/agencies/grants",
            headers=market.bearer(market.provider),
            json={"agency": market.agency, "items": ["admin-penalty"], "valid_until": "2030-01-01"},
        )
        mine = client.get("/api/v1/agencies/grants", headers=market.bearer(market.provider))
    assert foreign.json()["error"]["code"] == "provider_grant.items"
    assert "court-dishonest-debtor" in foreign.json()["error"]["message"]
    assert endless.json()["error"]["code"] == "provider_grant.valid_until"
    assert mine.status_code == 200


@pytest.mark.req("MKT-3")
def test_a_cancelled_registration_is_final(market: Market) -> None:
    org = f"{market.agency}-old"
    with transaction(session_factory(market.engine)) as session:
        access.create_org(
            session,
            by=system_actor(RULES),
            now=market.settings.clock.now(),
            code=org,
            name="某已注销信用服务公司",
            kind="agency",
            uscc=fresh_company(),
        )
        registry.register(
            session,
            org_code=org,
            filing_number=f"备案-{org}",
            registered_on=TODAY,
            business_scope="信用评级",
            commitment="守法诚信",
            actor=SYSTEM,
            now=market.settings.clock.now(),
            today=TODAY,
        )
        registry.set_status(
            session,
            org_code=org,
            status="cancelled",
            reason="自行注销",
            actor=SYSTEM,
            now=market.settings.clock.now(),
            today=TODAY,
        )
        with pytest.raises(XinyongError) as refused:
            registry.set_status(
                session,
                org_code=org,
                status="active",
                reason="",
                actor=SYSTEM,
                now=market.settings.clock.now(),
                today=TODAY,
            )
    assert refused.value.code == "agency.cancelled"
