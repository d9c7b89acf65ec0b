"""A subject declares its own market credit information; it answers for it, and the declaration is marked as
self-declared wherever it is shown (MKT-2; JN 16; LN 13)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from xinyong.records.models import Record

from .conftest import Market

MARK = "主体自行申报，申报人对其真实性负责"


def token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def declare(client: TestClient, **fields: str) -> Any:
    form = {
        "csrf_token": token(client.get("/me/market").text),
        "kind": "荣誉表彰",
        "content": "2026年度市级守合同重信用企业（行业协会评定）",
        "occurred_on": "2026-03-01",
        "issuer": "某市企业信用协会",
    } | fields
    return client.post("/me/market/declarations", data=form, follow_redirects=False)


def declared(market: Market) -> list[Record]:
    with market.session() as session:
        query = select(Record).where(
            Record.subject_key == market.company, Record.item_code == "self-declared"
        )
        return list(session.scalars(query))


@pytest.mark.req("MKT-2")
def test_a_declaration_without_the_responsibility_statement_is_refused(market: Market) -> None:
    before = len(declared(market))
    with market.client() as client:
        client.cookies.set("xinyong_session", market.cookie)
        answer = declare(client, content="未勾选声明的申报")
    assert answer.status_code == 422
    assert "market.responsibility_required" in answer.text
    assert "未勾选声明的申报" in answer.text  # what was typed comes back
    assert len(declared(market)) == before


@pytest.mark.req("MKT-2")
def test_a_declaration_is_recorded_with_the_statement_and_marked_wherever_it_is_shown(market: Market) -> None:
    with market.client() as client:
        client.cookies.set("xinyong_session", market.cookie)
        answer = declare(client, responsible="yes")
        assert answer.status_code == 303
        api = client.get(f"/api/v1/subjects/{market.company}/records").json()
        me = client.get("/me").text
        market_page = client.get("/me/market").text
        archive = client.get(f"/subjects/{market.company}?category=other").text
        public = TestClient(client.app).get(f"/api/v1/subjects/{market.company}/records").json()
    [record] = [r for r in declared(market) if "守合同重信用" in r.data]
    data = json.loads(record.data)
    assert (data["responsibility"], record.provider, record.route) == (MARK, "operator", "market")
    shown = [r for r in api["records"] if r["id"] == record.id]
    assert shown and shown[0]["self_declared"] == MARK
    assert all(r["self_declared"] is None for r in api["records"] if r["item"] != "self-declared")
    for page in (me, market_page, archive):
        assert MARK in page and "守合同重信用" in page
    assert record.id not in [r["id"] for r in public["records"]]  # not public by default
