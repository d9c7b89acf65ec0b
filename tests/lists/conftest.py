"""A platform with a determining department (税务), a company with its legal representative and a person,
and shortcuts that take an entry through the real procedure (``lists.service``) on chosen days."""

from __future__ import annotations

import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.access.security import secret_key
from xinyong.audit.service import AuditActor
from xinyong.clock import CHINA_TZ
from xinyong.db.engine import session_factory, transaction
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry
from xinyong.profiles.loader import load_profile
from xinyong.rules import identifiers
from xinyong.settings import Settings
from xinyong.subjects import service as subjects
from xinyong.web.app import create_app
from xinyong.workdays import working_calendar

from ..conftest import TODAY, org_with_token, subject_cookie, uscc_code

BLACK = "tax-major-violation"
RED = "tax-a-grade"


def person_code() -> str:
    """A valid citizen ID nobody else in the shared test database is likely to have."""
    born = date(1950, 1, 1) + timedelta(days=secrets.randbelow(18_000))
    body = f"370102{born:%Y%m%d}{secrets.randbelow(1000):03d}"
    return next(body + c for c in "0123456789X" if identifiers.is_valid(body + c))


@dataclass
class ListsWorld:
    settings: Settings
    engine: Engine
    key: bytes  # the platform's secret key (verification codes)
    org: str  # the determining department, kind "determining"
    org_name: str
    headers: dict[str, str]  # its Bearer token
    company: str
    company_name: str
    person: str
    person_name: str
    officer: str  # the company's legal representative (LIST-6)

    def session(self) -> Session:
        return session_factory(self.engine)()

    def transaction(self) -> AbstractContextManager[Session]:
        """One unit of work, committed when the block succeeds."""
        return transaction(session_factory(self.engine))

    def context(self, day: date) -> lists.Context:
        """The procedure's context on ``day``, acting for the determining department."""
        data_dir = self.settings.data_dir.resolve()
        return lists.context(
            data_dir,
            profile=load_profile("national"),
            calendar=working_calendar(data_dir),
            actor=AuditActor(account_id=None, org=self.org, label=f"{self.org_name}经办人"),
            today=day,
            now=datetime.combine(day, time(10), tzinfo=CHINA_TZ),
        )

    def blacklist(
        self,
        session: Session,
        subject: str,
        *,
        on: date,
        term_end: date | None = None,
        statement: str | None = None,
        answer: str = "",
    ) -> ListEntry:
        """Propose and serve the notice on ``on``, optionally hear a statement, decide 30 days later."""
        ctx = self.context(on)
        entry = lists.propose(
            session,
            ctx,
            list_type=BLACK,
            subject_key=subject,
            reasons="虚开增值税专用发票，金额较大",
            org_code=self.org,
        )
        lists.serve_notice(session, ctx, number=entry.number, org_code=self.org)
        if statement is not None:
            lists.state_case(
                session, ctx, number=entry.number, subject_key=subject, text=statement, objection=False
            )
        return lists.decide(
            session,
            self.context(on + timedelta(days=30)),
            number=entry.number,
            org_code=self.org,
            listed=True,
            answer=answer,
            term_end=term_end,
        )

    def redlist(self, session: Session, subject: str, *, on: date) -> ListEntry:
        """Determine on ``on``; the publicity ends without objection and the entry is made 30 days later."""
        entry = lists.determine_red(
            session,
            self.context(on),
            list_type=RED,
            subject_key=subject,
            reasons="纳税信用评价为A级",
            org_code=self.org,
        )
        assert lists.enter_red_after_publicity(session, self.context(on + timedelta(days=30)), entry.number)
        return entry

    def add_company(self, session: Session, name: str) -> str:
        """Another company of this test's own, by its code."""
        code = uscc_code(secrets.randbelow(9_000_000))
        subjects.ensure(
            session,
            subjects=[subjects.NewSubject(identifiers.validate(code), name)],
            now=self.settings.clock.now(),
        )
        return code

    def client(self) -> TestClient:
        return TestClient(create_app(self.settings))

    def signed_in(self, subject: str, name: str) -> str:
        """A portal session cookie for the subject itself."""
        with self.transaction() as session:
            return subject_cookie(
                session, key=self.key, code=subject, name=name, now=self.settings.clock.now()
            )


@pytest.fixture
def lists_world(settings: Settings, engine: Engine) -> ListsWorld:
    tag = secrets.token_hex(3)
    org, org_name = f"swj-{tag}", f"某市税务局{tag}"
    key = secret_key(settings.data_dir.resolve())
    now = settings.clock.now()
    company, person, officer = uscc_code(secrets.randbelow(9_000_000)), person_code(), person_code()
    company_name, person_name = f"济南诚信测试{tag}有限公司", "王小明"
    with transaction(session_factory(engine)) as session:
        token = org_with_token(
            session, code=org, kind="determining", role="determining", key=key, now=now, name=org_name
        )
        subjects.ensure(
            session,
            subjects=[
                subjects.NewSubject(identifiers.validate(company), company_name),
                subjects.NewSubject(identifiers.validate(person), person_name),
            ],
            now=now,
        )
        subjects.add_related_person(
            session,
            org_key=company,
            role="legal_representative",
            person=identifiers.validate(officer),
            name="李四",
            since=TODAY - timedelta(days=2000),
            source=org,
            now=now,
        )
    return ListsWorld(
        settings,
        engine,
        key,
        org,
        org_name,
        {"Authorization": f"Bearer {token}"},
        company,
        company_name,
        person,
        person_name,
        officer,
    )
