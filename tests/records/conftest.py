"""A provider organisation with tokens, on the test database, for ingestion tests."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from xinyong.access.security import secret_key
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.settings import Settings
from xinyong.web.app import create_app

from ..conftest import TODAY, org_with_token

COMPANY = "91110000802100433B"
SCJGJ_USCC = "11370100MB2859097Y"


@dataclass
class Provider:
    settings: Settings
    engine: Engine
    org: str
    headers: dict[str, str]
    province_headers: dict[str, str]


@pytest.fixture(scope="module")
def provider(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    settings = Settings(
        database_url=database_url, data_dir=tmp_path_factory.mktemp("ingest") / "var", fixed_date=TODAY
    )
    engine = make_engine(database_url)
    initialise(engine, settings)
    tag, now = secrets.token_hex(3), settings.clock.now()
    key = secret_key(settings.data_dir.resolve())
    tokens = {}
    with transaction(session_factory(engine)) as session:
        for code, kind in ((f"scj-{tag}", "provider"), (f"prov-{tag}", "platform")):
            tokens[code] = org_with_token(
                session, code=code, kind=kind, role="provider", key=key, now=now, name="市场监督管理局"
            )
    yield Provider(
        settings,
        engine,
        f"scj-{tag}",
        {"Authorization": f"Bearer {tokens[f'scj-{tag}']}"},
        {"Authorization": f"Bearer {tokens[f'prov-{tag}']}"},
    )
    engine.dispose()


@pytest.fixture(scope="module")
def api(provider: Provider) -> Iterator[TestClient]:
    with TestClient(create_app(provider.settings)) as client:
        yield client


def penalty(number: str, **overrides: Any) -> dict[str, Any]:
    record = {
        "subject_name": "某某有限公司",
        "subject_category": "法人及非法人组织",
        "uscc": COMPANY,
        "legal_representative": "李四",
        "document_number": number,
        "violation_type": "虚假宣传",
        "violation_facts": "发布虚假广告",
        "penalty_basis": "《广告法》第五十五条",
        "penalty_category": "罚款",
        "penalty_content": "罚款2000元",
        "fine_amount": "0.2",
        "decision_date": "2026-04-10",
        "valid_until": "2027-04-10",
        "authority": "某市市场监督管理局",
        "authority_uscc": SCJGJ_USCC,
        "source": "某市市场监督管理局",
        "source_uscc": SCJGJ_USCC,
    }
    record.update(overrides)
    return record
