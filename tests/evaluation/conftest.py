"""A platform to evaluate: a provider that delivers penalties and awards, a user department that checks, the
operator's admin and staff, and companies of this test package's own with what each one should score."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.access.service import audit_actor
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.evaluation import service
from xinyong.profiles.loader import load_profile
from xinyong.settings import Settings
from xinyong.web.app import create_app

from ..commitments.test_deletion import award
from ..conftest import TODAY, org_with_token, subject_cookie, uscc_code
from ..measures.conftest import insert_entry
from ..records.conftest import penalty


@dataclass
class EvalWorld:
    settings: Settings
    engine: Engine
    key: bytes
    provider: str
    dept: str
    headers: dict[str, dict[str, str]]  # by role: provider, user_department, operator_admin, operator_staff
    companies: dict[str, tuple[str, str]]  # role in the tests → (code, name)

    def session(self) -> Session:
        return session_factory(self.engine)()

    def client(self) -> TestClient:
        return TestClient(create_app(self.settings))

    def code(self, role: str) -> str:
        return self.companies[role][0]

    def push(self, item: str, rows: list[dict[str, Any]], severity: str | None = None) -> None:
        body: dict[str, Any] = {"item": item, "records": rows, **({"severity": severity} if severity else {})}
        with self.client() as client:
            answer = client.post("/api/v1/records", headers=self.headers["provider"], json=body).json()
        assert answer["accepted"] == len(rows), answer

    def evaluate(self, as_of: date = TODAY) -> service.RunResult:
        return service.run(
            session_factory(self.engine),
            data_dir=self.settings.data_dir.resolve(),
            profile=load_profile("national"),
            as_of=as_of,
            actor=audit_actor(system_actor(policy())),
            clock_now=self.settings.clock.now,
        )

    def cookie(self, role: str) -> str:
        code, name = self.companies[role]
        with transaction(session_factory(self.engine)) as session:
            return subject_cookie(session, key=self.key, code=code, name=name, now=self.settings.clock.now())


def _penalty(code: str, name: str, decided: str) -> dict[str, Any]:
    return penalty(
        f"评测罚〔2026〕{secrets.token_hex(4)}号",
        subject_name=name,
        uscc=code,
        decision_date=decided,
        valid_until="2029-12-31",
    )


@pytest.fixture(scope="package")
def world(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EvalWorld]:
    """Companies: ``clean`` nothing that counts; ``awarded`` two awards; ``fined`` two general penalties and
    one serious; ``listed`` a black-list entry and one serious penalty."""
    tag, seed = secrets.token_hex(3), 4_000_000 + secrets.randbelow(1_000_000)
    settings = Settings(
        database_url=database_url, data_dir=tmp_path_factory.mktemp("evaluation") / "var", fixed_date=TODAY
    )
    engine = make_engine(database_url)
    initialise(engine, settings)
    key = secret_key(settings.data_dir.resolve())
    now = settings.clock.now()
    provider, dept = f"scj-{tag}", f"ztb-{tag}"
    with transaction(session_factory(engine)) as session:
        tokens = {
            role: org_with_token(
                session, code=code, kind=kind, role=role, key=key, now=now, name=f"单位{code}"
            )
            for code, kind, role in (
                (provider, "provider", "provider"),
                (dept, "user", "user_department"),
                (f"yy-{tag}", "operator", "operator_admin"),
                (f"yz-{tag}", "operator", "operator_staff"),
            )
        }
    roles = ("clean", "awarded", "fined", "listed")
    companies = {role: (uscc_code(seed + n), f"评价测试{tag}{role}有限公司") for n, role in enumerate(roles)}
    made = EvalWorld(
        settings,
        engine,
        key,
        provider,
        dept,
        {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()},
        companies,
    )
    clean, awarded, fined, listed = (companies[r] for r in roles)
    # The clean company's award is older than the positive window (3 years): it names the company, no more.
    made.push("award", [{**award(*clean), "decision_date": "2022-06-01"}])
    made.push("award", [award(*awarded), award(*awarded)])
    made.push("admin-penalty", [_penalty(*fined, "2026-03-01"), _penalty(*fined, "2026-06-01")], "general")
    made.push("admin-penalty", [_penalty(*fined, "2025-06-01")], "serious")
    made.push("admin-penalty", [_penalty(*listed, "2026-02-01")], "serious")
    with transaction(session_factory(engine)) as session:
        insert_entry(
            session,
            list_type="tax-major-violation",
            determining_org=provider,
            subject_name=listed[1],
            subject_key=listed[0],
        )
    yield made
    engine.dispose()
