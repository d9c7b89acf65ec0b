"""The government integrity pages in Chromium: the operator registers a body from its phone and records an
archive entry, reads a civil servant's archive for its purpose, records a contract and is refused a change
without legal procedure; the public page shows the evaluation, the debt warnings and the published
commitments with persons masked (GOV-1, GOV-3, GOV-4). Screenshots: ``government-*.png``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from xinyong import demo, demo_government
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.db.engine import session_factory

from ..live import headless_chromium, served, shot
from .conftest import GovWorld, body_code
from .test_contracts import contract

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def seeded(gov: GovWorld) -> GovWorld:
    """The demo's government data on top of this test's own (the demo organisations deliver it)."""
    demo.ensure_organisations(gov.engine, gov.settings)
    demo_government.generate(
        session_factory(gov.engine), gov.settings, actor=audit_actor(system_actor(policy()))
    )
    return gov


@pytest.fixture
def live(seeded: GovWorld) -> Iterator[str]:
    with served(seeded.settings) as base:
        yield base


@pytest.fixture
def chromium() -> Iterator[object]:
    with headless_chromium() as launched:
        yield launched


def fits(page: object) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.req("GOV-1", "GOV-3")
def test_the_operator_works_the_archives_and_contracts_in_chromium(
    seeded: GovWorld, live: str, chromium: object
) -> None:
    region = seeded.region("测试区")
    context = chromium.new_context(viewport=PHONE)  # type: ignore[attr-defined]
    context.add_cookies([{"name": "xinyong_session", "value": seeded.staff_cookie(), "url": live}])
    page = context.new_page()
    page.goto(live + "/admin")
    page.click('a[href="/admin/government"]')
    page.click('summary:has-text("建立政府机构档案")')
    code = body_code(1234567)
    page.fill("#body-code", code)
    page.fill("#body-name", "测试区审计局")
    page.select_option("#body-region", region)
    page.click('button:has-text("建档")')
    page.wait_for_selector("text=测试区审计局")
    fits(page)
    shot(page, "government-index")
    page.click('a:has-text("测试区审计局")')
    page.click('summary:has-text("记入档案")')
    page.select_option("#entry-dimension", "satisfaction")
    page.fill("#entry-title", "2025 年度群众满意度测评")
    page.fill("#entry-content", "第三方测评")
    page.fill("#entry-score", "88")
    page.fill("#entry-department", "区委组织部")
    page.click('button:has-text("记入")')  # no year: refused, the reason above the form
    assert "请填写测评或考核所属年度" in page.inner_text("main")
    assert page.input_value("#entry-score") == "88"  # the form comes back as it was filled
    page.fill("#entry-year", "2025")
    page.click('button:has-text("记入")')
    assert "2025 年 88 分" in page.inner_text("main")
    fits(page)
    shot(page, "government-body")

    page.goto(live + "/admin/government")
    page.click(
        f'a[href^="/admin/government/archives/{demo_government.citizen_code(1)}"]'
    )  # the demo's 王建国
    assert "城建科科长" in page.inner_text("main") and "年度考核" in page.inner_text("main")
    assert "政务诚信档案管理" in page.inner_text("main")
    fits(page)
    shot(page, "government-servant")

    made = seeded.post("commitments", contract(code, ("交付用地", "2026-12-31")))
    page.goto(live + f"/admin/government/commitments/{made['number']}")
    page.click('summary:has-text("依法变更或解除")')
    page.select_option("#ch-kind", "termination")
    page.fill("#ch-reason", "因政府换届重新研究")
    page.click('button:has-text("提交")')
    assert "government.procedure_required" in page.inner_text("main")
    fits(page)
    shot(page, "government-commitment")
    page.goto(live + "/admin/government/commitments")
    assert "1 项逾期" in page.inner_text("main")  # the demo's overdue obligation
    shot(page, "government-commitments")
    page.goto(live + "/admin/government/regions")
    page.click('button:has-text("开展评价")')
    assert "红色预警" in page.inner_text("main") and "黄色预警" in page.inner_text("main")
    shot(page, "government-regions")


@pytest.mark.browser
@pytest.mark.req("GOV-4")
def test_the_public_page_shows_the_evaluation_warnings_and_published_commitments(
    seeded: GovWorld, live: str, chromium: object
) -> None:
    page = chromium.new_context(viewport=PHONE).new_page()  # type: ignore[attr-defined]
    page.goto(live + "/")
    page.click('a[href="/government"]')
    text = page.inner_text("main")
    assert "历下区" in text and "市中区" in text
    assert "红色预警（债务高风险地区）" in text and "黄色预警（债务较高风险地区）" in text
    assert "智能制造产业园招商引资协议" in text and "逾期未履行" in text
    fits(page)
    shot(page, "government-public")
    wide = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()  # type: ignore[attr-defined]
    wide.goto(live + "/government")
    shot(wide, "government-public-wide")
