"""The visibility gate decides who sees what, for which purpose, and says why (SEC-3, DIS-1, DIS-3, DIS-4)."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.access.actors import Actor, public_actor
from xinyong.access.gate import Authorization, Info, decide
from xinyong.access.policy import Grade, policy

RULES = policy()
TODAY = date(2026, 11, 23)
SUBJECT = "91110000802100433B"


def department(role: str = "user_department", org: str = "scjgj") -> Actor:
    roles = frozenset({role, "public"})
    return Actor("person", "张三（市场监管局）", roles, RULES.permissions(roles), account_id=7, org_code=org)


def subject(key: str = SUBJECT) -> Actor:
    roles = frozenset({"subject", "public"})
    return Actor("subject", "某某公司", roles, RULES.permissions(roles), account_id=9, subject_key=key)


PUBLIC_RECORD = Info(SUBJECT, "public", "admin-penalty", publicly_visible=True)
SHARED_RECORD = Info(SUBJECT, "shared", "tax-amount", shared_with=frozenset({"scjgj"}))


@pytest.mark.req("DIS-1", "SEC-3")
def test_public_information_in_its_period_is_open_to_anyone_unlogged() -> None:
    decision = decide(RULES, public_actor(RULES), PUBLIC_RECORD, purpose=None, today=TODAY)
    assert decision.allowed and decision.mode == "public" and not decision.logged


@pytest.mark.req("DIS-1", "SEC-3")
def test_public_information_outside_its_period_is_not_public() -> None:
    hidden = Info(SUBJECT, "public", "admin-penalty", publicly_visible=False)
    decision = decide(RULES, public_actor(RULES), hidden, purpose=None, today=TODAY)
    assert not decision.allowed and decision.code == "access.not_public"


@pytest.mark.req("DIS-3", "SEC-3")
def test_a_department_reads_shared_information_for_a_listed_purpose_and_is_logged() -> None:
    decision = decide(RULES, department(), SHARED_RECORD, purpose="licensing", today=TODAY)
    assert decision.allowed and decision.mode == "shared" and decision.logged
    assert decision.purpose == "licensing" and "行政许可" in decision.reason


@pytest.mark.req("DIS-3")
@pytest.mark.parametrize(
    ("purpose", "code"),
    [
        (None, "access.purpose_required"),
        ("", "access.purpose_required"),
        ("curiosity", "access.purpose_unknown"),
        ("report_issuing", "access.purpose_not_allowed"),
    ],
)
def test_a_department_read_without_a_proper_purpose_is_refused(purpose: str | None, code: str) -> None:
    decision = decide(RULES, department(), SHARED_RECORD, purpose=purpose, today=TODAY)
    assert not decision.allowed and decision.code == code and not decision.logged


@pytest.mark.req("DIS-3", "SEC-3")
def test_information_not_shared_with_the_department_stays_closed_whatever_the_purpose() -> None:
    decision = decide(RULES, department(org="gtj"), SHARED_RECORD, purpose="licensing", today=TODAY)
    assert not decision.allowed and decision.code == "access.not_shared"


@pytest.mark.req("SEC-3")
def test_an_agency_has_no_government_sharing() -> None:
    agency = department(role="agency", org="scjgj")
    decision = decide(RULES, agency, SHARED_RECORD, purpose="authorized_service", today=TODAY)
    assert not decision.allowed and decision.code == "access.no_authorization"


@pytest.mark.req("DIS-6", "SEC-3")
def test_the_subject_sees_its_own_information_of_every_grade() -> None:
    grades: tuple[Grade, ...] = ("public", "shared", "authorized", "subject_only")
    for grade in grades:
        info = Info(SUBJECT, grade, "x", archived=True)
        decision = decide(RULES, subject(), info, purpose=None, today=TODAY)
        assert decision.allowed and decision.mode == "self", grade
    other = decide(RULES, subject("11010519491231002X"), SHARED_RECORD, purpose=None, today=TODAY)
    assert not other.allowed


@pytest.mark.req("SEC-3")
def test_subject_only_information_is_closed_to_every_department() -> None:
    private = Info(SUBJECT, "subject_only", "real-estate", shared_with=frozenset({"*"}))
    for role in ("user_department", "provider", "determining", "operator_admin", "operator_staff"):
        decision = decide(RULES, department(role=role), private, purpose="licensing", today=TODAY)
        assert not decision.allowed, role


@pytest.mark.req("PER-2", "SEC-3")
def test_archived_information_is_closed_to_departments_too() -> None:
    archived = Info(SUBJECT, "shared", "tax-amount", shared_with=frozenset({"scjgj"}), archived=True)
    decision = decide(RULES, department(), archived, purpose="licensing", today=TODAY)
    assert not decision.allowed and decision.code == "access.archived"


GRANT = Authorization(
    id="AUTH-1",
    subject_key=SUBJECT,
    grantee_account_id=None,
    grantee_org="xinyi",
    items=frozenset({"tax-amount"}),
    purpose="authorized_service",
    valid_until=date(2026, 12, 31),
)


@pytest.mark.req("DIS-4")
def test_an_authorization_opens_its_scope_for_its_purpose_until_its_end() -> None:
    agency = department(role="agency", org="xinyi")
    info = Info(SUBJECT, "authorized", "tax-amount")
    allowed = decide(RULES, agency, info, purpose="authorized_service", today=TODAY, authorizations=[GRANT])
    assert allowed.allowed and allowed.mode == "authorized" and allowed.authorization_id == "AUTH-1"
    assert allowed.logged
    refusals = [
        decide(RULES, agency, info, purpose="licensing", today=TODAY, authorizations=[GRANT]),
        decide(
            RULES, agency, info, purpose="authorized_service", today=date(2027, 1, 1), authorizations=[GRANT]
        ),
        decide(
            RULES,
            agency,
            Info(SUBJECT, "authorized", "other-item"),
            purpose="authorized_service",
            today=TODAY,
            authorizations=[GRANT],
        ),
        decide(
            RULES,
            agency,
            info,
            purpose="authorized_service",
            today=TODAY,
            authorizations=[Authorization(**{**GRANT.__dict__, "revoked": True})],
        ),
        decide(
            RULES,
            department(role="agency", org="other"),
            info,
            purpose="authorized_service",
            today=TODAY,
            authorizations=[GRANT],
        ),
    ]
    assert [r.allowed for r in refusals] == [False] * 5
    assert all(r.code == "access.no_authorization" for r in refusals)
