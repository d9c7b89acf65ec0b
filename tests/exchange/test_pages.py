"""The operator's exchange page in Chromium, on a desk and on a phone (INT-1)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from xinyong.access.security import secret_key
from xinyong.db.engine import transaction
from xinyong.exchange import service as exchange

from ..conftest import org_with_token
from ..live import headless_chromium, served, shot
from .conftest import Platforms, company, penalty_of, receiver


@pytest.fixture
def chromium() -> Iterator[object]:
    with headless_chromium() as launched:
        yield launched


@pytest.mark.browser
@pytest.mark.req("INT-1")
def test_the_operator_sees_watermarks_and_packages_in_chromium(
    platforms: Platforms, chromium: object, tmp_path: Path
) -> None:
    code, name = company("己测试印务有限公司")
    platforms.deliver(penalty_of(code, name, "济市监罚〔2026〕501号"))
    out = platforms.city.data_dir / "exchange" / "out"
    exchange.export_package(
        platforms.city_sessions, path=out / "province-1.zip", settings=platforms.city, since=platforms.start,
        actor=receiver(platforms.city).actor,
        destination="province",
    )  # fmt: skip
    key, tag = secret_key(platforms.city.data_dir.resolve()), secrets.token_hex(3)
    with transaction(platforms.city_sessions) as session:
        token = org_with_token(
            session,
            code=f"op-{tag}",
            kind="operator",
            role="operator_admin",
            key=key,
            now=platforms.city.clock.now(),
        )
    headers = {"Authorization": f"Bearer {token}"}
    with served(platforms.city) as base:
        for name_, viewport in (
            ("desk", {"width": 1280, "height": 900}),
            ("phone", {"width": 375, "height": 740}),
        ):
            context = chromium.new_context(viewport=viewport, extra_http_headers=headers)  # type: ignore[attr-defined]
            page = context.new_page()
            page.goto(base + "/admin")
            page.click('a[href="/admin/exchange"]')
            page.wait_for_url("**/admin/exchange")
            text = page.inner_text("main")
            assert "province" in text and "province-1.zip" in text and "增量" in text
            assert platforms.city.exchange_platform in text
            shot(page, f"exchange-admin-{name_}")
            context.close()
