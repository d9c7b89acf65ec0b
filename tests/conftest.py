"""Shared fixtures: a migrated database (SQLite file, or PostgreSQL when XINYONG_TEST_DATABASE_URL is set),
settings pinned to a fixed day, and the app under test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine
from xinyong.rules import identifiers
from xinyong.settings import Settings
from xinyong.web.app import create_app

TODAY = date(2026, 11, 23)

# CI (`--hypothesis-profile=ci`) tries the same examples on every run, without a time limit per example: a
# landing is not decided by the draw or by the machine's speed. A developer's run keeps drawing new ones.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None)


def uscc_code(seed: int) -> str:
    """A valid USCC of a Jinan company, different for each seed."""
    body = f"91370100MA{seed:07d}"
    return body + uscc.calc_check_digit(body)


def citizen_code(seed: int) -> str:
    """A valid citizen ID of a person born 1980-01-01 in Jinan, different for each seed below 1000."""
    body = f"37010219800101{seed:03d}"
    return next(body + c for c in "0123456789X" if identifiers.is_valid(body + c))


def org_with_token(
    session: Session, *, code: str, kind: str, role: str, key: bytes, now: datetime, name: str = "测试单位"
) -> str:
    """An organisation with a system account in ``role`` and a 30-day API token for it; the token text.
    For ``kind="operator"`` the account joins the one operator organisation and ``code`` only names it."""
    rules = policy()
    if kind != "operator":
        access.create_org(session, by=system_actor(rules), now=now, code=code, name=name, kind=kind)
    access.create_account(
        session,
        by=system_actor(rules),
        policy=rules,
        now=now,
        org_code=access.OPERATOR_CODE if kind == "operator" else code,
        username=f"{code}-sys",
        display_name="系统",
        roles=[role],
        client=True,
    )
    issued = access.create_token(
        session,
        by=system_actor(rules),
        key=key,
        now=now,
        username=f"{code}-sys",
        name="对接",
        expires_at=now + timedelta(days=30),
    )
    return issued.value


class CapturingVerifier:
    """Stands in for the real-name service: keeps the codes it was asked to send."""

    label = "测试"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, *, subject_key: str, name: str, code: str) -> None:
        self.sent.append((subject_key, code))


def subject_cookie(session: Session, *, key: bytes, code: str, name: str, now: datetime) -> str:
    """A portal session cookie for a subject that passed the real-name check, as at ``/me/login``."""
    verifier = CapturingVerifier()
    challenge = access.start_identity_check(
        session, key=key, verifier=verifier, now=now, code=code, name=name
    )
    account = access.finish_identity_check(
        session, key=key, policy=policy(), now=now, challenge_id=challenge, code=verifier.sent[-1][1]
    )
    assert account is not None
    return access.start_session(session, key=key, policy=policy(), account=account, now=now)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("XINYONG_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url, data_dir=tmp_path / "var", fixed_date=TODAY, profile="national"
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    initialise(engine, settings)
    yield engine
    engine.dispose()


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client
