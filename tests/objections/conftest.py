"""A platform with a provider that delivered penalty records on a company, an operator with a token, and
shortcuts to run the objection procedure on chosen days under any profile."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from xinyong.access.security import secret_key
from xinyong.audit.service import AuditActor
from xinyong.clock import CHINA_TZ
from xinyong.db.engine import session_factory, transaction
from xinyong.evidence import Upload
from xinyong.lists import service as lists
from xinyong.objections import service
from xinyong.objections.models import Objection
from xinyong.profiles.loader import load_profile
from xinyong.records.models import Record
from xinyong.settings import Settings
from xinyong.web.app import create_app
from xinyong.workdays import working_calendar

from ..conftest import org_with_token, uscc_code
from ..records.conftest import penalty

PDF = b"%PDF-1.4\n% evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@dataclass
class World:
    settings: Settings
    engine: Engine
    provider: str
    headers: dict[str, str]  # the provider's token
    company: str
    other: str  # another company
    records: list[int]  # the company's records
    foreign: int  # the other company's record

    def session(self) -> Session:
        return session_factory(self.engine)()

    def ctx(self, profile: str, day: date, *, org: str = "operator") -> lists.Context:
        data_dir = self.settings.data_dir.resolve()
        return lists.context(
            data_dir,
            profile=load_profile(profile),
            calendar=working_calendar(data_dir),
            actor=AuditActor(account_id=None, org=org, label=f"{org}经办人"),
            today=day,
            now=datetime.combine(day, time(10), tzinfo=CHINA_TZ),
        )

    def file(self, session: Session, profile: str, day: date, record: int, **overrides: object) -> Objection:
        arguments: dict[str, object] = {
            "data_dir": self.settings.data_dir.resolve(),
            "subject_key": self.company,
            "target_kind": "record",
            "target_ref": str(record),
            "grounds": "wrong_or_incomplete",
            "statement": "罚款金额记录有误，应为1000元",
            "evidence": [Upload("决定书.pdf", PDF)],
        }
        arguments.update(overrides)
        return service.file(session, self.ctx(profile, day), **arguments)  # type: ignore[arg-type]


@pytest.fixture
def world(settings: Settings, engine: Engine) -> World:
    tag = secrets.token_hex(3)
    provider = f"scj-{tag}"
    key = secret_key(settings.data_dir.resolve())
    now = settings.clock.now()
    company, other = uscc_code(secrets.randbelow(9_000_000)), uscc_code(secrets.randbelow(9_000_000))
    with transaction(session_factory(engine)) as session:
        token = org_with_token(session, code=provider, kind="provider", role="provider", key=key, now=now)
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "item": "admin-penalty",
        "severity": "general",
        "records": [
            penalty(f"济市监罚〔2026〕{tag}1号", subject_name="异议测试有限公司", uscc=company),
            penalty(f"济市监罚〔2026〕{tag}2号", subject_name="异议测试有限公司", uscc=company),
            penalty(f"济市监罚〔2026〕{tag}3号", subject_name="他人有限公司", uscc=other),
        ],
    }
    with TestClient(create_app(settings)) as client:
        pushed = client.post("/api/v1/records", headers=headers, json=body).json()
        assert pushed["accepted"] == 3, pushed
    with session_factory(engine)() as session:
        mine = list(
            session.scalars(select(Record.id).where(Record.subject_key == company).order_by(Record.id))
        )
        foreign = session.scalar(select(Record.id).where(Record.subject_key == other))
    assert foreign is not None
    return World(settings, engine, provider, headers, company, other, mine, foreign)
