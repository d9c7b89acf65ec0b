"""The market pages in Chromium: a subject on its phone consents, declares and revokes on ``/me/market``
(MKT-1, MKT-2); the public registry; the operator registers and suspends an agency; a provider authorizes
one (MKT-3). Screenshots go to ``XINYONG_SCREENSHOTS`` as ``market-*.png``."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from xinyong.access import service as access
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.db.engine import session_factory, transaction

from ..live import headless_chromium, served, shot
from .conftest import Market, fresh_company

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live(market: Market) -> Iterator[str]:
    with served(market.settings) as base:
        yield base


@pytest.fixture
def chromium() -> Iterator[object]:
    with headless_chromium() as launched:
        yield launched


def fits(page: object) -> bool:
    """Nothing sticks out sideways on a phone."""
    return bool(page.evaluate("document.documentElement.scrollWidth - window.innerWidth <= 0"))  # type: ignore[attr-defined]


@pytest.mark.browser
@pytest.mark.req("MKT-1", "MKT-2")
def test_a_subject_consents_declares_and_revokes_on_its_phone(
    market: Market, live: str, chromium: object
) -> None:
    context = chromium.new_context(viewport=PHONE)  # type: ignore[attr-defined]
    context.add_cookies([{"name": "xinyong_session", "value": market.cookie, "url": live}])
    page = context.new_page()
    page.goto(live + "/me")
    page.click('a[href="/me/market"]')
    page.wait_for_url("**/me/market")
    page.click("text=同意一个单位采集")
    page.select_option('select[name="collector"]', market.other_collector)
    page.check('input[name="kinds"][value="honour"]')
    page.check('input[name="kinds"][value="certification"]')
    page.select_option('select[name="use"]', "member_management")
    page.select_option('select[name="method"]', "member_agreement")
    page.fill('input[name="valid_until"]', "2027-06-30")
    page.click("#consent-form button[type=submit]")  # not every told item confirmed: refused, kept
    assert "market.consent_told" in page.inner_text("main")
    assert page.is_checked('input[name="kinds"][value="honour"]')
    for box in page.query_selector_all('input[name="told"]'):
        box.check()
    page.fill('input[name="valid_until"]', "2027-06-30")
    assert fits(page)
    shot(page, "market-consent-form")
    page.click("#consent-form button[type=submit]")
    page.wait_for_url("**/me/market#consents")
    main = page.inner_text("main")
    assert f"单位{market.other_collector}" in main and "会员信用管理" in main and "2027-06-30" in main

    page.click("text=自行申报市场信用信息")
    page.select_option('select[name="kind"]', "资质认证")
    page.fill('textarea[name="content"]', "ISO 9001 质量管理体系认证")
    page.fill('input[name="occurred_on"]', "2026-05-20")
    page.fill('input[name="issuer"]', "某认证有限公司")
    page.check('input[name="responsible"]')
    page.click("#declaration-form button[type=submit]")
    page.wait_for_url("**/me/market#declarations")
    assert "ISO 9001 质量管理体系认证" in page.inner_text("main")
    assert "主体自行申报，申报人对其真实性负责" in page.inner_text("main")
    assert fits(page)
    shot(page, "market-me")

    page.click("#consents button:has-text('撤回同意'), table button:has-text('撤回同意')")
    page.wait_for_url("**/me/market#consents")
    assert "已撤回" in page.inner_text("main")
    page.goto(live + "/agencies")
    assert fits(page)
    shot(page, "market-registry-phone")
    context.close()


@pytest.mark.browser
@pytest.mark.req("MKT-3")
def test_the_operator_registers_and_suspends_and_a_provider_authorizes_in_chromium(
    market: Market, live: str, chromium: object
) -> None:
    code = f"xyfw-{secrets.token_hex(3)}"
    with transaction(session_factory(market.engine)) as session:
        access.create_org(
            session,
            by=system_actor(policy()),
            now=market.settings.clock.now(),
            code=code,
            name="诚信评级服务有限公司",
            kind="agency",
            uscc=fresh_company(),
        )
    operator = chromium.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, extra_http_headers=market.bearer("operator")
    )
    page = operator.new_page()
    page.goto(live + "/admin")
    page.click('a[href="/admin/agencies"]')
    page.select_option('select[name="org"]', code)
    page.fill('input[name="filing_number"]', f"鲁信备{code[-6:]}号")
    page.fill('input[name="registered_on"]', "2026-03-01")
    page.fill('textarea[name="business_scope"]', "信用评级、信用管理咨询")
    page.fill('textarea[name="commitment"]', "依法独立开展业务，客观公正评价，保守商业秘密和个人隐私。")
    page.click("#agency-form button[type=submit]")
    page.wait_for_url("**/admin/agencies")
    assert "诚信评级服务有限公司" in page.inner_text("main")
    row = page.locator("tr", has_text="诚信评级服务有限公司")
    row.locator('select[name="status"]').select_option("suspended")
    row.locator('input[name="reason"]').fill("未按规定报送年度业务报告")
    row.locator("button").click()
    page.wait_for_url("**/admin/agencies")
    assert "未按规定报送年度业务报告" in page.inner_text("main")
    shot(page, "market-registry-admin")
    page.goto(live + "/agencies")
    assert "已暂停" in page.inner_text("main")
    shot(page, "market-registry")
    operator.close()

    provider = chromium.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, extra_http_headers=market.bearer(market.provider)
    )
    page = provider.new_page()
    page.goto(live + "/admin/agency-grants")
    page.select_option('select[name="agency"]', code)
    page.check('input[name="items"][value="admin-penalty"]')
    page.fill('input[name="valid_until"]', "2027-01-31")
    page.click("#grant-form button[type=submit]")
    page.wait_for_url("**/admin/agency-grants")
    assert code in page.inner_text("main") and "2027-01-31" in page.inner_text("main")
    shot(page, "market-provider-grants")
    provider.close()
