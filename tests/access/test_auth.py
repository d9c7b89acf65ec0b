"""Signing in, tokens, sessions, CSRF, rate limits, subject identity checks, and reads through the gate."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from xinyong.access import service
from xinyong.access.deps import CreditReader
from xinyong.access.gate import Gate, Info
from xinyong.access.models import ApiToken, LoginSession
from xinyong.access.policy import policy
from xinyong.access.security import keyed_hash, secret_key, split_token
from xinyong.audit import service as audit
from xinyong.db.engine import session_factory
from xinyong.web.app import create_app

from ..conftest import CapturingVerifier
from .conftest import PASSWORD, World, credentials

HTML = {"accept": "text/html"}


def bearer(world: World, role: str) -> dict[str, str]:
    return credentials(world, role)[0]


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the form carries a CSRF token"
    return match.group(1)


@pytest.fixture
def browser(world: World) -> Iterator[TestClient]:
    """A fresh browser (its own cookies, its own rate-limit counts) on the shared world."""
    with TestClient(create_app(world.app_settings)) as client:
        yield client


def login(client: TestClient, username: str, password: str, csrf: str | None = None) -> object:
    token = csrf if csrf is not None else csrf_of(client.get("/login", headers=HTML).text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )


# -------------------------------------------------------------------------------------------- tokens


@pytest.mark.req("SEC-3")
def test_a_token_identifies_its_account_and_roles(world: World, app_client: TestClient) -> None:
    body = app_client.get("/api/v1/me", headers=bearer(world, "user_department")).json()
    assert body["org"] == world.dept and "user_department" in body["roles"]
    assert "check.run" in body["permissions"] and "org.manage" not in body["permissions"]


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer xy_000000000000_nope", "auth.invalid_token"),
        ("Bearer garbage", "auth.invalid_token"),
        ("Basic dXNlcjpwYXNz", "auth.scheme"),
        ("Bearer ", "auth.scheme"),
    ],
)
def test_bad_tokens_are_401_with_a_code(app_client: TestClient, header: str, code: str) -> None:
    response = app_client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401 and response.json()["error"]["code"] == code


def test_tokens_and_sessions_are_kept_only_as_keyed_hashes(world: World, world_engine: Engine) -> None:
    parts = split_token(world.tokens["provider"])
    assert parts is not None
    secret = parts[1]
    with session_factory(world_engine)() as session:
        tokens = session.scalars(select(ApiToken.secret_hash)).all()
        sessions = session.scalars(select(LoginSession.token_hash)).all()
    plain_hash = hashlib.sha256(secret.encode()).hexdigest()
    assert tokens and all(secret not in value and value != plain_hash for value in tokens)
    key = secret_key(world.app_settings.data_dir.resolve())
    assert keyed_hash(key, secret) in tokens  # keyed by the deployment's secret, not a bare digest
    assert world.subject_cookie not in sessions and keyed_hash(key, world.subject_cookie) in sessions


def test_an_expired_token_is_refused(world: World) -> None:
    later = world.app_settings.model_copy(
        update={"fixed_date": world.app_settings.fixed_date + timedelta(days=31)}  # type: ignore[operator]
    )
    with TestClient(create_app(later)) as client:
        response = client.get("/api/v1/me", headers=bearer(world, "provider"))
    assert response.status_code == 401 and response.json()["error"]["code"] == "auth.token_expired"


@pytest.mark.req("SEC-1", "SEC-2")
def test_the_operator_manages_orgs_accounts_and_tokens_by_api(world: World, app_client: TestClient) -> None:
    admin = bearer(world, "operator_admin")
    org = app_client.post(
        "/api/v1/orgs",
        headers=admin,
        json={"code": f"tax-{world.suffix}", "name": "税务局", "kind": "provider"},
    )
    assert org.status_code == 201, org.text
    username = f"sys-{world.suffix}"
    account = app_client.post(
        "/api/v1/accounts",
        headers=admin,
        json={
            "org": f"tax-{world.suffix}",
            "username": username,
            "display_name": "征管系统",
            "roles": ["provider"],
            "client": True,
        },
    )
    assert account.status_code == 201, account.text
    created = app_client.post(
        "/api/v1/tokens",
        headers=admin,
        json={"username": username, "name": "征管系统", "expires": "2027-06-30"},
    )
    assert created.status_code == 201, created.text
    token = created.json()["token"]
    assert (
        app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["kind"] == "client"
    )
    listed = app_client.get("/api/v1/tokens", headers=admin).text
    assert token not in listed and created.json()["prefix"] in listed
    revoked = app_client.delete(f"/api/v1/tokens/{created.json()['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    after = app_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 401 and after.json()["error"]["code"] == "auth.token_revoked"
    actions = [e["action"] for e in app_client.get("/api/v1/audit/events", headers=admin).json()]
    assert {"org.create", "account.create", "token.create", "token.revoke"} <= set(actions)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"roles": ["dictator"]}, "access.unknown_role"),
        ({"roles": ["operator_admin"]}, "access.role_not_for_org"),
        ({"roles": ["provider"], "password": "short"}, "account.password_weak"),
        ({"roles": ["provider"], "username": "A B"}, "account.username_invalid"),
        ({"roles": [], "password": PASSWORD}, "account.role_required"),
    ],
)
def test_bad_account_input_is_refused_with_a_code(
    world: World, app_client: TestClient, body: dict[str, object], code: str
) -> None:
    account = {
        "org": world.dept,
        "username": f"bad-{world.suffix}",
        "display_name": "x",
        "password": PASSWORD,
        **body,
    }
    response = app_client.post("/api/v1/accounts", headers=bearer(world, "operator_admin"), json=account)
    assert response.status_code == 422 and response.json()["error"]["code"] == code


def test_an_org_with_a_wrong_uscc_is_refused(world: World, app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/orgs",
        headers=bearer(world, "operator_admin"),
        json={"code": f"x-{world.suffix}", "name": "某局", "kind": "user", "uscc": "91110000802100433A"},
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "uscc.checksum"


# ---------------------------------------------------------------------------------- portal sign-in


def test_signing_in_sets_a_protected_cookie_and_out_ends_it(world: World, browser: TestClient) -> None:
    response = login(browser, world.usernames["operator_staff"], PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/admin"  # type: ignore[attr-defined]
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("xinyong_session="))  # type: ignore[attr-defined]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "operator_staff 用户" in browser.get("/me", headers=HTML).text
    csrf = csrf_of(browser.get("/me", headers=HTML).text)
    browser.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert browser.get("/admin", headers=HTML).status_code == 401


@pytest.mark.req("SEC-3")
def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(world: World, browser: TestClient) -> None:
    wrong = login(browser, world.usernames["provider"], "not the password")
    unknown = login(browser, f"nobody-{world.suffix}", "not the password")
    assert wrong.status_code == unknown.status_code == 401  # type: ignore[attr-defined]

    def message(page: str) -> str:
        return re.sub(r'name="(csrf_token|username)" value="[^"]*"', "", page)

    assert message(wrong.text) == message(unknown.text)  # type: ignore[attr-defined]
    assert "auth.invalid_credentials" in wrong.text  # type: ignore[attr-defined]


def test_a_form_without_its_csrf_token_is_refused(world: World, browser: TestClient) -> None:
    browser.get("/login", headers=HTML)
    response = login(browser, world.usernames["provider"], PASSWORD, csrf="forged")
    assert response.status_code == 403 and "auth.csrf" in response.text  # type: ignore[attr-defined]


def test_repeated_failures_are_stopped_even_with_the_right_password(
    world: World, browser: TestClient
) -> None:
    username = world.usernames["determining"]
    for _ in range(10):
        assert login(browser, username, "wrong password!").status_code == 401  # type: ignore[attr-defined]
    blocked = login(browser, username, PASSWORD)
    assert blocked.status_code == 429 and "auth.rate_limited" in blocked.text  # type: ignore[attr-defined]


def test_passwords_never_reach_the_log(
    world: World, browser: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    login(browser, world.usernames["agency"], "a secret guess 123")
    assert "a secret guess 123" not in caplog.text
    assert "login failed" in caplog.text


def test_pages_carry_security_headers(browser: TestClient) -> None:
    for path in ("/", "/login", "/api/v1/purposes"):
        headers = browser.get(path, headers=HTML).headers
        assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Cache-Control"] == "no-store"


# ---------------------------------------------------------------------------- subjects and the gate


@pytest.mark.req("DIS-5")
def test_a_subject_signs_in_with_a_one_time_code(
    world: World, browser: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="xinyong.identity")
    page = browser.get("/me/login", headers=HTML).text
    assert "演示模式" in page
    started = browser.post(
        "/me/login",
        data={"code": "11010519491231002X", "name": "王五", "csrf_token": csrf_of(page)},
        headers=HTML,
    )
    challenge = re.search(r'name="challenge" value="([^"]+)"', started.text)
    sent = re.search(r"登录验证码：(\d{6})", caplog.text)
    assert challenge and sent
    wrong = browser.post(
        "/me/login/verify",
        data={
            "challenge": challenge.group(1),
            "one_time_code": "000000" if sent.group(1) != "000000" else "111111",
            "csrf_token": csrf_of(started.text),
        },
        headers=HTML,
    )
    assert wrong.status_code == 401 and "identity.failed" in wrong.text
    right = browser.post(
        "/me/login/verify",
        data={
            "challenge": challenge.group(1),
            "one_time_code": sent.group(1),
            "csrf_token": csrf_of(started.text),
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/me"
    me = browser.get("/me", headers=HTML).text
    assert "11010519491231002X" in me and "查询记录" in me


def test_a_bad_identifier_is_refused_before_any_code_is_sent(world: World, browser: TestClient) -> None:
    page = browser.get("/me/login", headers=HTML).text
    refused = browser.post(
        "/me/login",
        data={"code": "91110000802100433A", "name": "某公司", "csrf_token": csrf_of(page)},
        headers=HTML,
    )
    assert refused.status_code == 422 and "uscc.checksum" in refused.text


@pytest.fixture
def reading_client(world: World) -> Iterator[TestClient]:
    """The app plus one route that reads a subject's shared information the way later modules will."""
    app = create_app(world.app_settings)

    @app.get("/api/v1/test-read/{subject_key}")
    def read(subject_key: str, gate: Annotated[Gate, Depends(CreditReader("credit.read"))]) -> dict[str, str]:
        decision = gate.check(
            Info(subject_key, "shared", "tax-amount", shared_with=frozenset({world.dept})),
            target_type="record",
            target_id="R-1",
        )
        return {"mode": str(decision.mode)}

    with TestClient(app) as client:
        yield client


@pytest.mark.req("DIS-3", "SEC-2", "DIS-6")
def test_a_department_read_is_purpose_bound_logged_and_shown_to_the_subject(
    world: World, reading_client: TestClient, world_engine: Engine
) -> None:
    dept = bearer(world, "user_department")
    refused = reading_client.get(f"/api/v1/test-read/{world.subject_key}", headers=dept)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "access.purpose_required"
    read = reading_client.get(
        f"/api/v1/test-read/{world.subject_key}", headers=dept, params={"purpose": "licensing"}
    )
    assert read.status_code == 200 and read.json() == {"mode": "shared"}
    with session_factory(world_engine)() as session:
        logged = audit.access_log(session, subject_key=world.subject_key, limit=5)
    assert logged[0].purpose == "licensing" and logged[0].actor_org == world.dept
    assert logged[0].action == "record.read" and logged[0].target_id == "R-1"
    reading_client.cookies.set("xinyong_session", world.subject_cookie)
    mine = reading_client.get("/api/v1/me/access-log").json()
    assert mine[0]["purpose"] == "licensing" and "user_department 用户" in mine[0]["actor_label"]


@pytest.mark.req("SEC-2")
def test_a_refused_department_is_in_the_audit_log(
    world: World, app_client: TestClient, world_engine: Engine
) -> None:
    response = app_client.post(
        "/api/v1/orgs", headers=bearer(world, "agency"), json={"code": "x", "name": "x", "kind": "user"}
    )
    assert response.status_code == 403
    with world_engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT actor_org, target_id FROM audit_event"
                " WHERE action = 'access.refused' ORDER BY seq DESC"
            )
        ).first()
    assert row is not None and row[0] == world.agency and row[1] == "POST /api/v1/orgs"


def test_the_audit_chain_still_verifies_after_all_this(world: World, app_client: TestClient) -> None:
    result = app_client.post("/api/v1/audit/verify", headers=bearer(world, "operator_admin")).json()
    assert result["ok"] and result["checked"] > 10


def test_spraying_many_names_from_one_address_is_stopped(world: World, browser: TestClient) -> None:
    statuses = [login(browser, f"guess-{n}-{world.suffix}", "whatever pass").status_code for n in range(31)]  # type: ignore[attr-defined]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


def test_a_failed_sign_in_keeps_no_typed_text(
    world: World, browser: TestClient, world_engine: Engine
) -> None:
    typed = f"my-secret-password-{world.suffix}"
    login(browser, typed, "x" * 12)
    with world_engine.connect() as conn:
        rows = conn.execute(
            text("SELECT target_id, detail FROM audit_event WHERE action = 'auth.login_failed'")
        ).all()
    assert rows and all(typed not in str(row) for row in rows)


@pytest.mark.req("DIS-5")
def test_a_code_allows_five_attempts_then_none(world: World, world_engine: Engine) -> None:
    key = secret_key(world.app_settings.data_dir.resolve())
    now = world.app_settings.clock.now()
    verifier = CapturingVerifier()
    with session_factory(world_engine)() as session:
        challenge = service.start_identity_check(
            session, key=key, verifier=verifier, now=now, code="11010519491231002X", name="王五"
        )
        session.commit()
        right = verifier.sent[-1][1]
        wrong = "000000" if right != "000000" else "111111"
        for _ in range(5):
            assert (
                service.finish_identity_check(
                    session, key=key, policy=policy(), now=now, challenge_id=challenge, code=wrong
                )
                is None
            )
        session.commit()
        assert (
            service.finish_identity_check(
                session, key=key, policy=policy(), now=now, challenge_id=challenge, code=right
            )
            is None
        )
        late = service.start_identity_check(
            session, key=key, verifier=verifier, now=now, code="11010519491231002X", name="王五"
        )
        session.commit()
        expired = now + timedelta(minutes=11)
        assert (
            service.finish_identity_check(
                session, key=key, policy=policy(), now=expired, challenge_id=late, code=verifier.sent[-1][1]
            )
            is None
        )


def test_subject_account_names_cannot_be_taken(world: World, app_client: TestClient) -> None:
    response = app_client.post(
        "/api/v1/accounts",
        headers=bearer(world, "operator_admin"),
        json={
            "org": world.dept,
            "username": f"subject:{world.subject_key}",
            "roles": ["provider"],
            "password": PASSWORD,
        },
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "account.username_invalid"


@pytest.mark.parametrize(
    ("body", "code"),
    [({"name": "税务局\x00"}, "text.control_character"), ({"name": "局" * 201}, "text.too_long")],
)
def test_names_with_control_characters_or_too_long_are_refused(
    world: World, app_client: TestClient, body: dict[str, str], code: str
) -> None:
    org = {"code": f"n-{world.suffix}", "kind": "user", **body}
    response = app_client.post("/api/v1/orgs", headers=bearer(world, "operator_admin"), json=org)
    assert response.status_code == 422 and response.json()["error"]["code"] == code


def test_creating_the_same_org_at_once_gives_one_201_and_refusals(
    world: World, app_client: TestClient
) -> None:
    statuses: list[int] = []

    def create() -> None:
        response = app_client.post(
            "/api/v1/orgs",
            headers=bearer(world, "operator_admin"),
            json={"code": f"race-{world.suffix}", "name": "某局", "kind": "user"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [422] * 5


def test_staff_cannot_post_admin_forms_and_forms_need_their_token(world: World, browser: TestClient) -> None:
    assert login(browser, world.usernames["operator_staff"], PASSWORD).status_code == 303  # type: ignore[attr-defined]
    page = browser.get("/admin", headers=HTML).text
    assert "登记机构" not in page  # the form is not offered
    refused = browser.post(
        "/admin/orgs",
        data={"code": "zz", "name": "x", "kind": "user", "csrf_token": csrf_of(browser.get("/me").text)},
        headers=HTML,
    )
    assert refused.status_code == 403 and "access.forbidden" in refused.text
    forged = browser.post("/logout", data={"csrf_token": "forged"}, headers=HTML)
    assert forged.status_code == 403 and "auth.csrf" in forged.text


@pytest.mark.req("SEC-2")
def test_a_refusal_by_the_gate_is_in_the_audit_log(
    world: World, reading_client: TestClient, world_engine: Engine
) -> None:
    agency = bearer(world, "agency")
    refused = reading_client.get(
        f"/api/v1/test-read/{world.subject_key}", headers=agency, params={"purpose": "authorized_service"}
    )
    assert refused.status_code == 403
    with world_engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT actor_org, detail FROM audit_event WHERE action = 'access.refused' ORDER BY seq DESC"
            )
        ).first()
    # An agency not in the registry is refused before its authorizations are looked at (MKT-3).
    assert row is not None and row[0] == world.agency and "access.agency_not_active" in row[1]


@pytest.mark.req("SEC-4")
def test_api_moments_carry_their_offset(world: World, app_client: TestClient) -> None:
    """RFC 3339 as the OpenAPI document promises: SQLite hands back naive datetimes, Beijing time."""
    orgs = app_client.get("/api/v1/orgs", headers=bearer(world, "operator_admin")).json()
    tokens = app_client.get("/api/v1/tokens", headers=bearer(world, "operator_admin")).json()
    moments = [o["created_at"] for o in orgs] + [t["expires_at"] for t in tokens]
    assert moments and all(re.search(r"(Z|[+-]\d\d:\d\d)$", m) for m in moments), moments


@pytest.mark.req("SEC-4")
def test_a_token_expiry_given_as_a_number_is_refused(world: World, app_client: TestClient) -> None:
    body = {"username": world.usernames["provider"], "name": "对接", "expires": 0}
    response = app_client.post("/api/v1/tokens", headers=bearer(world, "operator_admin"), json=body)
    assert response.status_code == 422 and response.json()["error"]["field"] == "expires"
