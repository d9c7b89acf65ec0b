"""The operator's dashboard in Chromium: the charts and tables of the chosen period, the period form and the
export links, on a desk screen and a phone (RPT-1, RPT-2, ING-8).

Screenshots go to ``XINYONG_SCREENSHOTS`` when set, as ``reports-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from xinyong.web.app import create_app

from ..live import headless_chromium, served, shot
from .conftest import ReportWorld


@pytest.fixture
def live(world: ReportWorld) -> Iterator[str]:
    with served(world.settings) as url:
        yield url


@pytest.fixture
def chromium() -> Iterator[object]:
    with headless_chromium() as browser:
        yield browser


def test_the_dashboard_is_for_the_operator_only(world: ReportWorld) -> None:
    assert world.get("/admin/dashboard").status_code == 200
    with TestClient(create_app(world.settings)) as client:
        assert client.get("/admin/dashboard", follow_redirects=False).status_code in (303, 401, 403)


@pytest.mark.browser
@pytest.mark.req("RPT-1", "RPT-2", "ING-8")
def test_dashboard_in_chromium(world: ReportWorld, live: str, chromium: object) -> None:
    for name, viewport in (
        ("desk", {"width": 1280, "height": 900}),
        ("phone", {"width": 390, "height": 844}),
    ):
        context = chromium.new_context(viewport=viewport, extra_http_headers=world.headers)  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(live + "/admin")
        page.click('a[href="/admin/dashboard"]')
        page.fill('input[name="from"]', "2026-09-01")
        page.fill('input[name="to"]', "2026-11-23")
        page.click("form.search button[type=submit]")
        page.wait_for_url("**/admin/dashboard?from=2026-09-01&to=2026-11-23")
        main = page.inner_text("main")
        assert "统计测试局" in main and "沉默测试局" in main and "使用测试局" in main
        assert page.locator("svg[role=img]").count() == 4
        assert "2026-10" in page.inner_html("main") and "67%" in page.inner_html("main")
        assert (
            page.locator(
                'a[href*="/api/v1/statistics/providers?from=2026-09-01"][href*="format=xlsx"]'
            ).count()
            == 1
        )
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        shot(page, f"reports-dashboard-{name}")
        context.close()
