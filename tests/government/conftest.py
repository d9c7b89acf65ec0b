"""A platform for government integrity: the operator's staff (with a token and a portal session), a
provider that delivers government dishonesty, a department that reads civil servants' archives for hiring,
and helpers that register regions, bodies and civil servants of this test's own."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.settings import Settings
from xinyong.web.app import create_app

from ..conftest import TODAY, citizen_code, org_with_token


def body_code(seed: int, category: str = "11") -> str:
    """A valid USCC of a body registered by an establishment authority (机关 11, 事业单位 12)."""
    body = f"{category}370100MB{seed:07d}"
    return body + uscc.calc_check_digit(body)


@dataclass
class GovWorld:
    settings: Settings
    engine: Engine
    client: TestClient
    operator: dict[str, str]
    provider: dict[str, str]
    provider_code: str
    hiring: dict[str, str]
    staff_username: str

    def session(self) -> Session:
        return session_factory(self.engine)()

    def post(
        self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None, status: int = 201
    ) -> Any:
        response = self.client.post(f"/api/v1/government/{path}", headers=headers or self.operator, json=body)
        assert response.status_code == status, response.text
        return response.json()

    def region(self, name: str = "历下区") -> str:
        code = f"{secrets.randbelow(800_000_000) + 110_000_000}"  # nine digits: a township, unique per test
        self.post("regions", {"code": code, "name": name})
        return code

    def body(self, region: str, name: str = "某区住房和城乡建设局") -> str:
        code = body_code(secrets.randbelow(9_000_000))
        self.post("bodies", {"code": code, "name": name, "region": region})
        return code

    def servant(self, body: str, name: str = "王建国", post: str = "科长") -> str:
        code = citizen_code(secrets.randbelow(1000))
        self.post("civil-servants", {"code": code, "name": name, "body": body, "post": post})
        return code

    def staff_cookie(self) -> str:
        with transaction(session_factory(self.engine)) as session:
            account = access.get_account(session, self.staff_username)
            return access.start_session(
                session,
                key=secret_key(self.settings.data_dir.resolve()),
                policy=policy(),
                account=account,
                now=self.settings.clock.now(),
            )


def make_world(database_url: str, folder: Path, profile: str = "national") -> Iterator[GovWorld]:
    settings = Settings(database_url=database_url, data_dir=folder, fixed_date=TODAY, profile=profile)
    engine = make_engine(database_url)
    initialise(engine, settings)
    tag = secrets.token_hex(3)
    key = secret_key(settings.data_dir.resolve())
    now = settings.clock.now()
    staff = f"zzb-{tag}"
    with transaction(session_factory(engine)) as session:
        operator = org_with_token(
            session, code=f"op-{tag}", kind="operator", role="operator_staff", key=key, now=now
        )
        provider = org_with_token(
            session, code=f"jw-{tag}", kind="provider", role="provider", key=key, now=now, name="某市纪委监委"
        )
        hiring = org_with_token(
            session,
            code=f"rs-{tag}",
            kind="user",
            role="user_department",
            key=key,
            now=now,
            name="某市人社局",
        )
        access.create_account(
            session,
            by=system_actor(policy()),
            policy=policy(),
            now=now,
            org_code=access.OPERATOR_CODE,
            username=staff,
            display_name="组织部门经办人",
            roles=["operator_staff"],
            password="correct horse battery",
        )
    with TestClient(create_app(settings)) as client:
        yield GovWorld(
            settings,
            engine,
            client,
            {"Authorization": f"Bearer {operator}"},
            {"Authorization": f"Bearer {provider}"},
            f"jw-{tag}",
            {"Authorization": f"Bearer {hiring}"},
            staff,
        )
    engine.dispose()


@pytest.fixture
def gov(database_url: str, tmp_path: Path) -> Iterator[GovWorld]:
    yield from make_world(database_url, tmp_path / "var")
