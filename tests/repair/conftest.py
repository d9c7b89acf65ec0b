"""A provider (市场监管) with penalty records on a company of this test's own, under a chosen profile, and
shortcuts to act on chosen days through ``repair.service``."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.access.security import secret_key
from xinyong.audit.service import AuditActor
from xinyong.clock import CHINA_TZ
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.lists import service as lists
from xinyong.profiles.loader import load_profile
from xinyong.records.models import Record
from xinyong.settings import Settings
from xinyong.web.app import create_app
from xinyong.workdays import working_calendar

from ..conftest import TODAY, org_with_token, uscc_code
from ..records.conftest import penalty


@dataclass
class RepairWorld:
    settings: Settings
    engine: Engine
    provider: str
    headers: dict[str, str]
    company: str
    company_name: str

    def session(self) -> Session:
        return session_factory(self.engine)()

    def context(self, day: date, org: str | None = None) -> lists.Context:
        data_dir = self.settings.data_dir.resolve()
        return lists.context(
            data_dir,
            profile=load_profile(self.settings.profile),
            calendar=working_calendar(data_dir),
            actor=AuditActor(account_id=None, org=org, label="经办人"),
            today=day,
            now=datetime.combine(day, time(10), tzinfo=CHINA_TZ),
        )

    def push(self, decided: date, *, severity: str = "general") -> int:
        """A penalty on the company decided on ``decided``; its record id."""
        number = f"苏市监罚〔{decided.year}〕{secrets.token_hex(3)}号"
        body = {
            "item": "admin-penalty",
            "severity": severity,
            "records": [
                penalty(
                    number,
                    subject_name=self.company_name,
                    uscc=self.company,
                    decision_date=decided.isoformat(),
                    valid_until=decided.replace(year=decided.year + 3).isoformat(),
                )
            ],
        }
        with TestClient(create_app(self.settings)) as client:
            answer = client.post("/api/v1/records", headers=self.headers, json=body).json()
        assert answer["accepted"] == 1, answer["rejects"]
        with self.session() as session:
            found = session.query(Record).filter(Record.document_number == number).one()
            return found.id


def world(database_url: str, folder: Path, profile: str) -> RepairWorld:
    settings = Settings(database_url=database_url, data_dir=folder, fixed_date=TODAY, profile=profile)
    engine = make_engine(database_url)
    initialise(engine, settings)
    tag = secrets.token_hex(3)
    provider = f"scj-{tag}"
    with transaction(session_factory(engine)) as session:
        token = org_with_token(
            session,
            code=provider,
            kind="provider",
            role="provider",
            key=secret_key(settings.data_dir.resolve()),
            now=settings.clock.now(),
            name="某市市场监督管理局",
        )
    company = uscc_code(secrets.randbelow(9_000_000))
    return RepairWorld(
        settings,
        engine,
        provider,
        {"Authorization": f"Bearer {token}"},
        company,
        f"苏州修复测试{tag}有限公司",
    )


@pytest.fixture
def jiangsu(database_url: str, tmp_path: Path) -> Iterator[RepairWorld]:
    made = world(database_url, tmp_path / "var", "jiangsu")
    yield made
    made.engine.dispose()


@pytest.fixture
def national(database_url: str, tmp_path: Path) -> Iterator[RepairWorld]:
    made = world(database_url, tmp_path / "var", "national")
    yield made
    made.engine.dispose()
