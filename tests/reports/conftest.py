"""A provider that delivers 双公示 penalties on chosen days (one row refused), an idle provider, a user
department with reads, checks and joint R&P tasks, objection deadlines, and an operator token to read it all.
Every organisation has a code of this test's own, so figures of other tests in the same database do not mix.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.access.security import secret_key
from xinyong.audit import service as audit
from xinyong.clock import CHINA_TZ
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.deadlines import service as deadlines
from xinyong.measures.models import CreditCheck, RpTask
from xinyong.profiles.schema import Setting
from xinyong.settings import Settings
from xinyong.web.app import create_app
from xinyong.workdays import working_calendar

from ..conftest import TODAY, org_with_token, uscc_code
from ..measures.conftest import insert_entry
from ..records.conftest import penalty

# (decision date, arrival day): Friday 30 October to Tuesday 10 November is 7 working days (2-6, 9, 10
# November); to Wednesday 11 November 8; 30 September to 12 October only 4, since 1-7 October are the
# National Day holiday and Saturday 10 October is a make-up working day (8, 9, 10, 12 October).
DELIVERIES = (
    (date(2026, 10, 30), date(2026, 11, 10)),
    (date(2026, 10, 30), date(2026, 11, 11)),
    (date(2026, 9, 30), date(2026, 10, 12)),
)


@dataclass
class ReportWorld:
    settings: Settings
    engine: Engine
    provider: str
    idle: str
    department: str
    headers: dict[str, str]
    key: Any

    def session(self) -> Session:
        return session_factory(self.engine)()

    def get(self, path: str, **params: Any) -> Any:
        with TestClient(create_app(self.settings)) as client:
            return client.get(path, headers=self.headers, params=params)


def deliver(settings: Settings, token: str, item: str, rows: list[dict[str, str]], *, arrived: date) -> Any:
    """``rows`` of ``item`` pushed by the provider holding ``token``, arriving on ``arrived``."""
    on_day = Settings(
        database_url=settings.database_url, data_dir=settings.data_dir, fixed_date=arrived, profile="national"
    )
    with TestClient(create_app(on_day)) as client:
        return client.post(
            "/api/v1/records",
            headers={"Authorization": f"Bearer {token}"},
            json={"item": item, "severity": "general", "records": rows},
        ).json()


def _deliver(settings: Settings, token: str, decided: date, arrived: date, *, bad_row: bool) -> None:
    """One penalty arriving on ``arrived``; with ``bad_row`` a second row without its decision date."""
    rows = [penalty(f"测罚〔2026〕{secrets.token_hex(4)}号", uscc=uscc_code(secrets.randbelow(9_000_000)))]
    rows[0]["decision_date"] = decided.isoformat()
    if bad_row:
        rows.append(penalty(f"测罚〔2026〕{secrets.token_hex(4)}号", decision_date=""))
    answer = deliver(settings, token, "admin-penalty", rows, arrived=arrived)
    assert answer["accepted"] == 1, answer


def _use(session: Session, department: str) -> None:
    """Two logged reads for licensing, one for procurement, one credit check of 3 subjects (1 intercepted),
    and two joint R&P tasks pushed in November: one fed back, one not responded by its date."""
    actor = audit.AuditActor(account_id=None, org=department, label="经办人")
    for purpose in ("licensing", "licensing", "procurement"):
        audit.record(
            session,
            at=datetime.combine(date(2026, 11, 5), time(10), tzinfo=CHINA_TZ),
            actor=actor,
            action="record.read",
            purpose=purpose,
        )
    at = datetime.combine(date(2026, 11, 6), time(10), tzinfo=CHINA_TZ)
    session.add(
        CreditCheck(
            number=f"CK{secrets.token_hex(6)}",
            org_code=department,
            actor_label="经办人",
            scenario="licensing",
            purpose="licensing",
            as_of=date(2026, 11, 6),
            total=3,
            intercepted=1,
            warned=0,
            errors=0,
            results=b"",
            at=at,
        )
    )
    entry = insert_entry(session, list_type="tax-serious", determining_org=department, subject_name="某公司")
    for fed_back in (True, False):
        session.add(
            RpTask(
                entry_id=entry.id,
                subject_key=None,
                list_type="tax-serious",
                measure=f"m{int(fed_back)}",
                org_code=department,
                status="fed_back" if fed_back else "pushed",
                pushed_on=date(2026, 11, 2),
                respond_by=date(2026, 11, 9),
                updated_at=at,
            )
        )


def _cases(session: Session, department: str) -> None:
    """Three objection steps due in November: one done on time, one done late, one still open and overdue."""
    calendar = working_calendar(Path("/nonexistent"))
    days = Setting[int](value=5, basis="测试")
    for n, done in enumerate((date(2026, 11, 9), date(2026, 11, 12), None)):
        case_of = deadlines.Case("objection", f"YY{secrets.token_hex(5)}{n}", "x")
        deadlines.start(
            session,
            calendar=calendar,
            case_of=case_of,
            step="verify",
            label="核查",
            days=days,
            org_code=department,
            started_on=date(2026, 11, 2),  # due 9 November
            now=datetime.combine(date(2026, 11, 2), time(9), tzinfo=CHINA_TZ),
        )
        if done:
            deadlines.finish(session, case_of=case_of, step="verify", on=done, now=datetime.now(CHINA_TZ))


@pytest.fixture(scope="package")
def world(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportWorld]:
    folder = tmp_path_factory.mktemp("reports")
    settings = Settings(database_url=database_url, data_dir=folder, fixed_date=TODAY, profile="national")
    engine = make_engine(database_url)
    initialise(engine, settings)
    tag = secrets.token_hex(3)
    key, now = secret_key(folder.resolve()), settings.clock.now()
    with transaction(session_factory(engine)) as session:
        provider = org_with_token(
            session,
            code=f"rpt-p-{tag}",
            kind="provider",
            role="provider",
            key=key,
            now=now,
            name="统计测试局",
        )
        org_with_token(
            session,
            code=f"rpt-q-{tag}",
            kind="provider",
            role="provider",
            key=key,
            now=now,
            name="沉默测试局",
        )
        org_with_token(
            session,
            code=f"rpt-u-{tag}",
            kind="user",
            role="user_department",
            key=key,
            now=now,
            name="使用测试局",
        )
        operator = org_with_token(
            session, code=f"rpt-o-{tag}", kind="operator", role="operator_staff", key=key, now=now
        )
        _use(session, f"rpt-u-{tag}")
        _cases(session, f"rpt-u-{tag}")
    for n, (decided, arrived) in enumerate(DELIVERIES):
        _deliver(settings, provider, decided, arrived, bad_row=n == 0)
    yield ReportWorld(
        settings,
        engine,
        f"rpt-p-{tag}",
        f"rpt-q-{tag}",
        f"rpt-u-{tag}",
        {"Authorization": f"Bearer {operator}"},
        key,
    )
    engine.dispose()
