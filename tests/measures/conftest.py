"""A platform for credit checks: user departments with tokens, a determining department that black-lists
through the procedure, a provider whose penalties are negative records, and entries of every kind a check
meets (in force, expired, removed, received with a masked identity number, marked on a responsible person)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.access.service import audit_actor
from xinyong.clock import CHINA_TZ
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry
from xinyong.profiles.loader import load_profile
from xinyong.rules import identifiers
from xinyong.settings import Settings
from xinyong.subjects import service as subjects
from xinyong.web.app import create_app
from xinyong.workdays import working_calendar

from ..conftest import TODAY, org_with_token, uscc_code
from ..records.conftest import penalty

# The black-listing procedure runs before the checks: proposed and noticed on this day, decided after the
# defence period, so its entries are in force on TODAY.
PROPOSED_ON = date(2026, 10, 20)
DECIDED_ON = date(2026, 11, 2)


def person_code(seed: int) -> str:
    """A valid citizen ID of a person born in 1975 in Jinan, different for each seed below 300,000."""
    day = date(1975, 1, 1).toordinal() + seed // 1000
    body = f"370102{date.fromordinal(day):%Y%m%d}{seed % 1000:03d}"
    return next(body + c for c in "0123456789X" if identifiers.is_valid(body + c))


def masked(code: str) -> str:
    """As court lists publish it: birth month and day hidden."""
    return f"{code[:10]}****{code[14:]}"


@dataclass
class World:
    settings: Settings
    engine: Engine
    client: TestClient
    key: bytes
    dept: str
    other: str
    tax: str
    headers: dict[str, dict[str, str]]
    codes: dict[str, str]  # role in the tests → code

    def check(
        self,
        codes: list[str],
        scenario: str,
        *,
        purpose: str = "bidding",
        names: dict[str, str] | None = None,
        org: str | None = None,
    ) -> Any:
        body = {"codes": codes, "scenario": scenario, "purpose": purpose, "names": names or {}}
        response = self.client.post("/api/v1/checks", headers=self.headers[org or self.dept], json=body)
        return {"http": response.status_code, **response.json()}

    def one(self, code: str, scenario: str, **kwargs: Any) -> dict[str, Any]:
        found = self.check([code], scenario, **kwargs)
        assert found["http"] == 200, found
        result: dict[str, Any] = found["results"][0]
        return result

    def context(self, day: date) -> lists.Context:
        data_dir = self.settings.data_dir.resolve()
        return lists.context(
            data_dir,
            profile=load_profile("national"),
            calendar=working_calendar(data_dir),
            actor=audit_actor(system_actor(policy())),
            today=day,
            now=datetime.combine(day, time(10), tzinfo=CHINA_TZ),
        )


def black_list(world: World, session: Session, *, list_type: str, subject: str) -> str:
    """The whole procedure: proposal, notice, the defence period, the decision (LIST-3)."""
    proposed = lists.propose(
        session,
        world.context(PROPOSED_ON),
        list_type=list_type,
        subject_key=subject,
        reasons="虚开增值税专用发票，情节严重",
        org_code=world.tax,
    )
    lists.serve_notice(session, world.context(PROPOSED_ON), number=proposed.number, org_code=world.tax)
    lists.decide(
        session, world.context(DECIDED_ON), number=proposed.number, org_code=world.tax, listed=True, answer=""
    )
    return proposed.number


def insert_entry(
    session: Session,
    *,
    list_type: str,
    determining_org: str,
    subject_name: str,
    subject_key: str | None = None,
    masked_id: str | None = None,
    entered_on: date = date(2026, 6, 1),
    term_end: date | None = None,
    status: str = "active",
) -> ListEntry:
    """An entry received from its source as it stands, when how it came about is not what a test is about."""
    entry = ListEntry(
        number=f"MD{entered_on:%Y%m%d}{secrets.token_hex(4).upper()}",
        list_type=list_type,
        kind="black",
        subject_key=subject_key,
        subject_name=subject_name,
        masked_id=masked_id,
        status=status,
        source="court" if list_type == "court-dishonest-debtor" else "national",
        source_ref=f"test:{secrets.token_hex(8)}",
        determining_org=determining_org,
        reasons="接收自来源方",
        measures="[]",
        entered_on=entered_on,
        term_end=term_end,
        wrongful=False,
        recover_benefits=False,
        created_at=datetime.combine(entered_on, time(9), tzinfo=CHINA_TZ),
        updated_at=datetime.combine(entered_on, time(9), tzinfo=CHINA_TZ),
    )
    session.add(entry)
    session.flush()
    return entry


@pytest.fixture(scope="package")
def world(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tag, seed = secrets.token_hex(3), 2_000_000 + secrets.randbelow(1_000_000)
    settings = Settings(
        database_url=database_url, data_dir=tmp_path_factory.mktemp("checks") / "var", fixed_date=TODAY
    )
    engine = make_engine(database_url)
    initialise(engine, settings)
    key = secret_key(settings.data_dir.resolve())
    now = settings.clock.now()
    dept, other, tax, provider = f"ztb-{tag}", f"cgb-{tag}", f"swj-{tag}", f"scj-{tag}"
    person_seed = secrets.randbelow(290_000)
    codes = {
        "listed": uscc_code(
            seed
        ),  # black-listed by procedure (tax), with a penalty and a legal representative
        "legal_rep": person_code(person_seed),
        "removed": uscc_code(seed + 1),  # black-listed, then removed after repair
        "wage": uscc_code(seed + 2),  # on the wage-arrears list only
        "expired": uscc_code(seed + 3),  # on a list whose term ended yesterday
        "clean": uscc_code(seed + 4),
        "debtor": person_code(person_seed + 1),  # on the court list with a masked number
        "namesake": person_code(person_seed + 2),  # same name as the debtor, other digits
    }
    debtor = codes["debtor"]
    codes["lookalike"] = next(  # the debtor's visible digits, another birthday: another person
        code
        for day in range(365)
        if (code := f"{debtor[:10]}{date(1975, 1, 1) + timedelta(days=day):%m%d}{debtor[14:]}") != debtor
        and identifiers.is_valid(code)
    )
    with transaction(session_factory(engine)) as session:
        tokens = {
            code: org_with_token(
                session, code=code, kind=kind, role=role, key=key, now=now, name=f"单位{code}"
            )
            for code, kind, role in (
                (dept, "user", "user_department"),
                (other, "user", "user_department"),
                (tax, "determining", "determining"),
                (provider, "provider", "provider"),
            )
        }
    world = World(
        settings,
        engine,
        TestClient(create_app(settings)),
        key,
        dept,
        other,
        tax,
        {org: {"Authorization": f"Bearer {token}"} for org, token in tokens.items()},
        codes,
    )
    with world.client:
        pushed = world.client.post(
            "/api/v1/records",
            headers=world.headers[provider],
            json={
                "item": "admin-penalty",
                "severity": "general",
                "records": [
                    penalty(f"济税罚〔2026〕{tag}号", subject_name="诚信测试有限公司", uscc=codes["listed"])
                ],
            },
        ).json()
        assert pushed["accepted"] == 1, pushed
        with transaction(session_factory(engine)) as session:
            _populate(world, session, now)
        yield world
    engine.dispose()


def _populate(world: World, session: Session, now: datetime) -> None:
    codes = world.codes
    subjects.ensure(
        session,
        subjects=[
            subjects.NewSubject(identifiers.validate(codes[k]), name)
            for k, name in (
                ("listed", "诚信测试有限公司"),
                ("removed", "已修复测试有限公司"),
                ("debtor", "王五"),
                ("namesake", "王五"),
                ("lookalike", "赵六"),
            )
        ],
        now=now,
    )
    subjects.add_related_person(
        session,
        org_key=codes["listed"],
        role="legal_representative",
        person=identifiers.validate(codes["legal_rep"]),
        name="李四",
        since=date(2020, 1, 1),
        source=world.tax,
        now=now,
    )
    black_list(world, session, list_type="tax-major-violation", subject=codes["listed"])
    removed = black_list(world, session, list_type="tax-major-violation", subject=codes["removed"])
    lists.remove(
        session,
        world.context(date(2026, 11, 10)),
        number=removed,
        reason="repair",
        text="已缴清税款、滞纳金和罚款，信用修复完成",
        org_code=world.tax,
    )
    insert_entry(
        session,
        determining_org=world.tax,
        list_type="wage-arrears",
        subject_key=codes["wage"],
        subject_name="欠薪测试有限公司",
    )
    insert_entry(
        session,
        determining_org=world.tax,
        list_type="public-resource-serious",
        subject_key=codes["expired"],
        subject_name="期满测试有限公司",
        entered_on=date(2023, 11, 22),
        term_end=date(2026, 11, 22),
    )
    insert_entry(
        session,
        determining_org=world.tax,
        list_type="court-dishonest-debtor",
        subject_name="王五",
        masked_id=masked(codes["debtor"]),
    )
