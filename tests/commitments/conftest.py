"""A platform for the record procedures and commitments: the lists world (a determining department, a
company, a person), plus a provider that delivers records and the operator's staff who handle cases."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.records.models import Record
from xinyong.web.app import create_app

from ..conftest import org_with_token
from ..lists import conftest as shared
from ..lists.conftest import ListsWorld

OPERATOR_USER = "yyf-staff"
lists_world = shared.lists_world  # the fixture, shared


@dataclass
class CaseWorld:
    lists: ListsWorld
    provider: str
    provider_headers: dict[str, str]
    operator_headers: dict[str, str]
    operator_username: str

    def client(self) -> TestClient:
        return TestClient(create_app(self.lists.settings))

    def push(self, client: TestClient, item: str, rows: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        response = client.post(
            "/api/v1/records", headers=self.provider_headers, json={"item": item, "records": rows, **extra}
        )
        assert response.status_code == 200, response.text
        summary: dict[str, Any] = response.json()
        assert summary["accepted"] == len(rows), summary
        return summary

    def records(self, subject: str, item: str) -> list[Record]:
        with self.lists.session() as session:
            query = select(Record).where(Record.subject_key == subject, Record.item_code == item)
            return list(session.scalars(query.order_by(Record.id)))

    def operator_cookie(self) -> str:
        """A portal session for the operator's staff member."""
        with self.lists.transaction() as session:
            account = access.get_account(session, self.operator_username)
            return access.start_session(
                session,
                key=self.lists.key,
                policy=policy(),
                account=account,
                now=self.lists.settings.clock.now(),
            )


@pytest.fixture
def case_world(lists_world: ListsWorld) -> CaseWorld:
    tag = secrets.token_hex(3)
    provider, username = f"scj-{tag}", f"{OPERATOR_USER}-{tag}"
    now = lists_world.settings.clock.now()
    rules = policy()
    with lists_world.transaction() as session:
        token = org_with_token(
            session,
            code=provider,
            kind="provider",
            role="provider",
            key=lists_world.key,
            now=now,
            name=f"某市市场监督管理局{tag}",
        )
        access.create_account(
            session,
            by=system_actor(rules),
            policy=rules,
            now=now,
            org_code=access.OPERATOR_CODE,
            username=username,
            display_name="平台经办人",
            roles=["operator_staff"],
            client=True,
        )
        staff = access.create_token(
            session,
            by=system_actor(rules),
            key=lists_world.key,
            now=now,
            username=username,
            name="测试",
            expires_at=now + timedelta(days=30),
        )
    return CaseWorld(
        lists_world,
        provider,
        {"Authorization": f"Bearer {token}"},
        {"Authorization": f"Bearer {staff.value}"},
        username,
    )
