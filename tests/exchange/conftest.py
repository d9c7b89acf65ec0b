"""Two platforms: a city platform on the test database that exports, and a second platform on a SQLite
file of its own that imports; both share an exchange key. The city delivers penalties and determines a
black-list entry through the real procedures, so what is exchanged is what the platform really holds."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.access.service import audit_actor
from xinyong.audit.service import AuditActor
from xinyong.clock import CHINA_TZ
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.exchange import service as exchange
from xinyong.exchange.package import Watermark
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry
from xinyong.profiles.loader import load_profile
from xinyong.records import ingest
from xinyong.records import service as records
from xinyong.settings import Settings
from xinyong.workdays import working_calendar

from ..conftest import TODAY, org_with_token, uscc_code
from ..records.conftest import penalty

EXCHANGE_KEY = "shared-exchange-key-for-tests"


@dataclass
class Platforms:
    city: Settings
    city_engine: Engine
    other: Settings
    other_engine: Engine
    provider: str  # the city's provider department
    determining: str  # the city's tax bureau, determining the black list
    start: Watermark  # where the city stood before this test's data

    @property
    def city_sessions(self) -> sessionmaker[Session]:
        return session_factory(self.city_engine)

    @property
    def other_sessions(self) -> sessionmaker[Session]:
        return session_factory(self.other_engine)

    def deliver(self, *records: dict[str, Any]) -> ingest.Summary:
        """Penalties delivered to the city by its provider, through the one ingestion path."""
        actor = AuditActor(account_id=None, org=self.provider, label="市场监督管理局经办人")
        delivery = ingest.Delivery(
            provider=self.provider,
            item_code="admin-penalty",
            route="api",
            actor=actor,
            default_severity="general",
        )
        return ingest.run(
            self.city_sessions,
            delivery=delivery,
            rows=ingest.from_mappings(records, {str(k) for r in records for k in r}),
            profile=load_profile("national"),
            clock=self.city.clock,
        )

    def blacklist(self, subject: str, *, on: date) -> ListEntry:
        """A black-list entry the city's tax bureau determined through the whole procedure."""
        with transaction(self.city_sessions) as session:
            entry = lists.propose(
                session,
                self._context(on),
                list_type="tax-major-violation",
                subject_key=subject,
                reasons="虚开增值税专用发票，金额较大",
                org_code=self.determining,
            )
            lists.serve_notice(session, self._context(on), number=entry.number, org_code=self.determining)
            return lists.decide(
                session,
                self._context(on + timedelta(days=30)),
                number=entry.number,
                org_code=self.determining,
                listed=True,
                answer="",
            )

    def remove(self, number: str, *, on: date) -> None:
        with transaction(self.city_sessions) as session:
            lists.remove(
                session, self._context(on), number=number, reason="repair", text="已完成信用修复，提前移出",
                org_code=self.determining,
            )  # fmt: skip

    def _context(self, day: date) -> lists.Context:
        data_dir = self.city.data_dir.resolve()
        return lists.context(
            data_dir,
            profile=load_profile("national"),
            calendar=working_calendar(data_dir),
            actor=AuditActor(account_id=None, org=self.determining, label="税务局经办人"),
            today=day,
            now=datetime.combine(day, time(10), tzinfo=CHINA_TZ),
        )

    def export(self, path: Path, since: Watermark | None = None) -> exchange.Exported:
        return exchange.export_package(
            self.city_sessions, path=path, settings=self.city, since=since, actor=receiver(self.city).actor
        )

    def receive(self, path: Path) -> exchange.Imported:
        return exchange.import_package(
            self.other_sessions,
            path=path,
            key=exchange.key_of(self.other),
            max_bytes=self.other.exchange_max_bytes,
            receiver=receiver(self.other),
        )


def receiver(settings: Settings) -> exchange.Receiver:
    return exchange.Receiver(
        profile=load_profile("national"),
        clock=settings.clock,
        actor=audit_actor(system_actor(policy())),
        data_dir=settings.data_dir.resolve(),
    )


def company(name: str) -> tuple[str, str]:
    return uscc_code(secrets.randbelow(9_000_000)), name


def penalty_of(code: str, name: str, number: str) -> dict[str, Any]:
    return penalty(number, uscc=code, subject_name=name)


@pytest.fixture
def platforms(settings: Settings, engine: Engine, tmp_path: Path) -> Iterator[Platforms]:
    tag = secrets.token_hex(3)
    city = settings.model_copy(update={"exchange_key": EXCHANGE_KEY, "exchange_platform": f"city-{tag}"})
    other = Settings(
        database_url=f"sqlite:///{tmp_path / 'other.db'}",
        data_dir=tmp_path / "other-var",
        fixed_date=TODAY,
        exchange_key=EXCHANGE_KEY,
        exchange_platform="province",
    )
    other_engine = make_engine(other.database_url)
    initialise(other_engine, other)
    now = city.clock.now()
    with transaction(session_factory(engine)) as session:
        key = secret_key(city.data_dir.resolve())
        org_with_token(session, code=f"scj-{tag}", kind="provider", role="provider", key=key, now=now)
        org_with_token(session, code=f"tax-{tag}", kind="determining", role="determining", key=key, now=now)
        start = Watermark(records.last_version_id(session), lists.last_step_id(session))
    with transaction(session_factory(other_engine)) as session:
        key = secret_key(other.data_dir.resolve())
        org_with_token(session, code=f"city-{tag}", kind="platform", role="provider", key=key, now=now)
    yield Platforms(city, engine, other, other_engine, f"scj-{tag}", f"tax-{tag}", start)
    other_engine.dispose()
