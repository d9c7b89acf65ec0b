"""A platform whose tip categories route to this test's own departments (a deployment's ``tips.toml``), a
company with a penalty record and a portal session, an operator, and shortcuts to file and handle tips on
chosen days through ``tips.service``."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.access.security import secret_key
from xinyong.audit.service import AuditActor
from xinyong.clock import CHINA_TZ
from xinyong.db.engine import session_factory, transaction
from xinyong.lists import service as lists
from xinyong.profiles.loader import load_profile
from xinyong.settings import Settings
from xinyong.tips import service
from xinyong.web.app import create_app
from xinyong.workdays import working_calendar

from ..conftest import org_with_token, subject_cookie, uscc_code
from ..records.conftest import penalty

PDF = b"%PDF-1.4\n% tip evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
REPORTER_NAME = "王举报"
REPORTER_PHONE = "13912345678"
COMPANY_NAME = "被举报测试有限公司"


@dataclass
class World:
    settings: Settings
    engine: Engine
    dept: str  # market supervision: illegal business
    other: str  # emergency management: work safety
    headers: dict[str, str]  # the market supervision department's token
    other_headers: dict[str, str]
    operator: dict[str, str]  # operator staff token
    company: str
    subject_cookie: str

    def session(self) -> Session:
        return session_factory(self.engine)()

    def ctx(self, day: date, *, org: str = "operator") -> lists.Context:
        data_dir = self.settings.data_dir.resolve()
        return lists.context(
            data_dir,
            profile=load_profile(self.settings.profile),
            calendar=working_calendar(data_dir),
            actor=AuditActor(account_id=None, org=org, label=f"{org}经办人"),
            today=day,
            now=datetime.combine(day, time(10), tzinfo=CHINA_TZ),
        )

    def file(self, session: Session, day: date, **overrides: Any) -> service.Filed:
        values: dict[str, Any] = {
            "kind": "tip",
            "category": "illegal-business",
            "facts": f"该公司无照经营，地点在某区某路 {secrets.token_hex(3)} 号",
            "subject_code": self.company,
            "subject_name": COMPANY_NAME,
        }
        values.update(overrides)
        return service.file(
            session,
            self.ctx(day),
            key=secret_key(self.settings.data_dir.resolve()),
            data_dir=self.settings.data_dir.resolve(),
            report=service.Report(**values),
            evidence=[],
            account_id=None,
            duplicate_window=timedelta(hours=self.settings.tip_duplicate_hours),
        )


def csrf(page: str) -> str:
    """The CSRF token a portal page carries for its forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def form(world: World, **overrides: str) -> dict[str, str]:
    """The multipart fields of an API filing: a named tip about the company."""
    values = {
        "kind": "tip",
        "category": "illegal-business",
        "facts": f"该公司无照经营，地点在某区某路 {secrets.token_hex(3)} 号",
        "subject_code": world.company,
        "subject_name": COMPANY_NAME,
        "reporter_name": REPORTER_NAME,
        "reporter_contact": REPORTER_PHONE,
    }
    values.update(overrides)
    return values


@pytest.fixture
def world(settings: Settings, engine: Engine) -> World:
    tag = secrets.token_hex(3)
    dept, other = f"scj-{tag}", f"yj-{tag}"
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "tips.toml").write_text(
        f"""scope = "local"
approved_by = "测试"

[[categories]]
code = "illegal-business"
name = "非法经营"
department = "市场监督管理部门"
org = "{dept}"
basis = "JS-J 十五"

[[categories]]
code = "work-safety"
name = "安全生产违法行为"
department = "应急管理部门"
org = "{other}"
basis = "JS-J 十五"

[[categories]]
code = "environment"
name = "环境违法行为"
department = "生态环境部门"
org = "sthj-{tag}"
basis = "JS-J 十五（该机构未登记）"

[[categories]]
code = "credit-information"
name = "信用信息与信用服务"
department = "公共信用信息工作机构"
org = "operator"
basis = "CT 第三十八条"
""",
        encoding="utf-8",
    )
    key = secret_key(data_dir)
    now = settings.clock.now()
    company = uscc_code(secrets.randbelow(9_000_000))
    with transaction(session_factory(engine)) as session:
        token = org_with_token(session, code=dept, kind="provider", role="provider", key=key, now=now)
        other_token = org_with_token(session, code=other, kind="provider", role="provider", key=key, now=now)
        operator = org_with_token(
            session, code=f"op-{tag}", kind="operator", role="operator_staff", key=key, now=now
        )
    headers = {"Authorization": f"Bearer {token}"}
    body = {
        "item": "admin-penalty",
        "severity": "general",
        "records": [penalty(f"济市监罚〔2026〕{tag}1号", subject_name=COMPANY_NAME, uscc=company)],
    }
    with TestClient(create_app(settings)) as client:
        pushed = client.post("/api/v1/records", headers=headers, json=body).json()
        assert pushed["accepted"] == 1, pushed
    with transaction(session_factory(engine)) as session:
        cookie = subject_cookie(session, key=key, code=company, name=COMPANY_NAME, now=now)
    return World(
        settings,
        engine,
        dept,
        other,
        headers,
        {"Authorization": f"Bearer {other_token}"},
        {"Authorization": f"Bearer {operator}"},
        company,
        cookie,
    )
