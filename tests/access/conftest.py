"""A small world for access tests: one account (with a token or a session) for every role."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from xinyong.access import service
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.settings import Settings
from xinyong.web.app import create_app

from ..conftest import TODAY, CapturingVerifier, uscc_code

ROLES = (
    "public",
    "operator_admin",
    "operator_staff",
    "provider",
    "determining",
    "user_department",
    "agency",
    "subject",
    "collector",  # market: associations and enterprises collecting market credit information
)
PASSWORD = "correct horse battery"


@dataclass
class World:
    app_settings: Settings
    suffix: str
    dept: str
    agency: str
    usernames: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    subject_key: str = ""
    subject_cookie: str = ""


@pytest.fixture(scope="module")
def world_settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("access") / "var",
        fixed_date=TODAY,
        profile="national",
    )


@pytest.fixture(scope="module")
def world_engine(world_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(world_settings.database_url)
    initialise(engine, world_settings)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def world(world_settings: Settings, world_engine: Engine) -> World:
    """Built once per test module: argon2 makes accounts deliberately slow to create."""
    settings, engine = world_settings, world_engine
    suffix = secrets.token_hex(3)
    now = settings.clock.now()
    key = secret_key(settings.data_dir.resolve())
    rules = policy()
    actor = system_actor(rules)
    made = World(settings, suffix, dept=f"dept-{suffix}", agency=f"agency-{suffix}")
    with transaction(session_factory(engine)) as session:
        service.create_org(session, by=actor, now=now, code=made.dept, name="市场监督管理局", kind="provider")
        service.create_org(session, by=actor, now=now, code=made.agency, name="某信用服务公司", kind="agency")
        orgs = {"operator_admin": "operator", "operator_staff": "operator", "agency": made.agency}
        orgs["collector"] = f"xh-{suffix}"
        service.create_org(
            session, by=actor, now=now, code=orgs["collector"], name="某协会", kind="collector"
        )
        for role in ROLES:
            if role in ("public", "subject"):
                continue
            username = f"{role.replace('_', '-')}-{suffix}"
            service.create_account(
                session,
                by=actor,
                policy=rules,
                now=now,
                org_code=orgs.get(role, made.dept),
                username=username,
                display_name=f"{role} 用户",
                roles=[role],
                password=PASSWORD,
            )
            issued = service.create_token(
                session,
                by=actor,
                key=key,
                now=now,
                username=username,
                name="测试",
                expires_at=now + timedelta(days=30),
            )
            made.usernames[role] = username
            made.tokens[role] = issued.value
        verifier = CapturingVerifier()
        # A company no other module touches: what a route answers it must not depend on other tests' data.
        made.subject_key = uscc_code(int(suffix, 16) % 10_000_000)
        challenge = service.start_identity_check(
            session, key=key, verifier=verifier, now=now, code=made.subject_key, name="某某有限公司"
        )
        account = service.finish_identity_check(
            session, key=key, policy=rules, now=now, challenge_id=challenge, code=verifier.sent[-1][1]
        )
        assert account is not None
        made.subject_cookie = service.start_session(session, key=key, policy=rules, account=account, now=now)
    return made


@pytest.fixture(scope="module")
def app_client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.app_settings)) as test_client:
        yield test_client


def credentials(world: World, role: str) -> tuple[dict[str, str], dict[str, str]]:
    """(headers, cookies) that make a request as ``role``."""
    if role == "public":
        return {}, {}
    if role == "subject":
        return {}, {"xinyong_session": world.subject_cookie}
    return {"Authorization": f"Bearer {world.tokens[role]}"}, {}
