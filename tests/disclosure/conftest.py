"""A platform with records on a company and a person, a department item shared with one department only,
departments with tokens and the company signed in as its own subject."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from xinyong.access import service as access
from xinyong.access.policy import policy
from xinyong.access.security import secret_key
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.settings import Settings
from xinyong.web.app import create_app

from ..conftest import TODAY, CapturingVerifier, citizen_code, org_with_token, uscc_code
from ..records.conftest import penalty

_SEED = secrets.randbelow(1000)
COMPANY = uscc_code(1_000_000 + _SEED)  # this module's own subjects, whatever other modules stored
PERSON = citizen_code(_SEED)
COMPANY_NAME = "华信科技（济南）有限公司"
LOCAL_CATALOG = """
scope = "local"
version = "2026-test-{tag}"
effective_from = 2026-01-01
approved_by = "某市社会信用体系建设领导小组"

[[items]]
code = "site-inspection"
name = "现场检查结果"
category = "other"
subject_kinds = ["legal_person", "unincorporated", "individual_business"]
disclosure = "shared"
shared_with = ["{dept}"]
retention = "profile"
update_cycle = "检查结束后7个工作日内"
providers = ["provider"]
use_scope = "日常监管"
legal_basis = "某市公共信用信息管理办法"

[[items.fields]]
name = "subject_name"
label = "被检查单位"
type = "text"
required = true

[[items.fields]]
name = "uscc"
label = "统一社会信用代码"
type = "identifier"
required = true

[[items.fields]]
name = "decision_date"
label = "检查日期"
type = "date"
required = true

[[items.fields]]
name = "finding"
label = "检查结论"
type = "text"
required = true
"""


@dataclass
class Portal:
    settings: Settings
    engine: Engine
    tokens: dict[str, str]
    dept: str
    other: str
    subject_cookie: str
    provider: str
    agency: str

    def bearer(self, org: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[org]}"}


@pytest.fixture(scope="package")
def portal(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Portal]:
    tag = secrets.token_hex(3)
    folder = tmp_path_factory.mktemp("portal") / "var"
    (folder / "catalog").mkdir(parents=True)
    dept, other, provider, agency = f"fgw-{tag}", f"zjj-{tag}", f"scj-{tag}", f"xyfw-{tag}"
    (folder / "catalog" / "local.toml").write_text(LOCAL_CATALOG.format(dept=dept, tag=tag), encoding="utf-8")
    settings = Settings(database_url=database_url, data_dir=folder, fixed_date=TODAY)
    engine = make_engine(database_url)
    initialise(engine, settings)
    now, rules = settings.clock.now(), policy()
    key = secret_key(settings.data_dir.resolve())
    tokens: dict[str, str] = {}
    with transaction(session_factory(engine)) as session:
        for code, kind, role in (
            (provider, "provider", "provider"),
            (dept, "user", "user_department"),
            (other, "user", "user_department"),
            (agency, "agency", "agency"),
        ):
            tokens[code] = org_with_token(
                session, code=code, kind=kind, role=role, key=key, now=now, name=f"单位{code}"
            )
        verifier = CapturingVerifier()
        challenge = access.start_identity_check(
            session, key=key, verifier=verifier, now=now, code=COMPANY, name=COMPANY_NAME
        )
        account = access.finish_identity_check(
            session, key=key, policy=rules, now=now, challenge_id=challenge, code=verifier.sent[-1][1]
        )
        assert account is not None
        cookie = access.start_session(session, key=key, policy=rules, account=account, now=now)
    made = Portal(settings, engine, tokens, dept, other, cookie, provider, agency)
    with TestClient(create_app(settings)) as client:
        headers = made.bearer(provider)
        body = {
            "item": "admin-penalty",
            "severity": "general",
            "records": [
                penalty(f"济市监罚〔2026〕{tag}1号", subject_name=COMPANY_NAME, uscc=COMPANY),
                penalty(
                    f"济市监罚〔2026〕{tag}2号",
                    subject_name="张三丰",
                    subject_category="自然人",
                    uscc="",
                    id_type="身份证",
                    id_number=PERSON,
                ),
            ],
        }
        pushed = client.post("/api/v1/records", headers=headers, json=body).json()
        assert pushed["accepted"] == 2, pushed["rejects"]
        inspection = {
            "item": "site-inspection",
            "records": [
                {
                    "subject_name": COMPANY_NAME,
                    "uscc": COMPANY,
                    "decision_date": "2026-05-06",
                    "finding": "消防通道堵塞",
                }
            ],
        }
        assert client.post("/api/v1/records", headers=headers, json=inspection).json()["accepted"] == 1
    yield made
    engine.dispose()


@pytest.fixture(scope="package")
def client(portal: Portal) -> Iterator[TestClient]:
    with TestClient(create_app(portal.settings)) as test_client:
        yield test_client
