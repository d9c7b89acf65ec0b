"""The portal in headless Debian Chromium: Chinese pages, working forms, no sideways scroll on phones.

Set ``XINYONG_SCREENSHOTS=DIR`` to keep a screenshot of each page.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from xinyong.access import service
from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.catalog import service as catalog
from xinyong.catalog.schema import Item
from xinyong.catalog.service import SHIPPED_DIR, read_file
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.profiles.loader import load_profile
from xinyong.records import ingest
from xinyong.settings import Settings

from ..live import headless_chromium, served, shot
from ..records.conftest import penalty

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "a long enough pass"
PERSON = "11010519491231002X"


def catalog_item(engine: Engine, settings: Settings) -> Item:
    with session_factory(engine)() as session:
        return catalog.item_in_force(session, "admin-penalty", settings.clock.today()).item


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("live")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'live.db'}", data_dir=folder / "var", fixed_date=date(2026, 11, 23)
    )
    engine = make_engine(settings.database_url)
    initialise(engine, settings)
    with transaction(session_factory(engine)) as session:
        service.create_account(
            session,
            by=system_actor(policy()),
            policy=policy(),
            now=settings.clock.now(),
            org_code="operator",
            username="admin",
            display_name="管理员",
            roles=["operator_admin"],
            password=ADMIN_PASSWORD,
        )
        service.create_org(
            session,
            by=system_actor(policy()),
            now=settings.clock.now(),
            code="scj",
            name="市场监管局",
            kind="provider",
        )
    delivery = ingest.Delivery(
        provider="scj",
        item_code="admin-penalty",
        route="api",
        actor=service.audit_actor(system_actor(policy())),
        default_severity="general",
    )
    rows = [
        penalty("济市监罚〔2026〕1号", subject_name="华信科技（济南）有限公司"),
        penalty(
            "济市监罚〔2026〕2号",
            subject_name="张三丰",
            subject_category="自然人",
            uscc="",
            id_type="身份证",
            id_number=PERSON,
        ),
    ]
    fields = {f.name for f in catalog_item(engine, settings).fields}
    summary = ingest.run(
        session_factory(engine),
        delivery=delivery,
        rows=ingest.from_mappings(rows, fields),
        profile=load_profile("national"),
        clock=settings.clock,
    )
    assert summary.accepted == 2, summary.rejects
    with served(settings) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with headless_chromium() as launched:
        yield launched


@pytest.mark.parametrize(("width", "height", "label"), [(1280, 900, "desktop"), (375, 740, "phone")])
def test_home_page_renders_without_sideways_scroll(
    browser: object, base_url: str, width: int, height: int, label: str
) -> None:
    page = browser.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    page.goto(base_url + "/")
    assert page.title().startswith("首页")
    assert "系统日期固定为 2026-11-23" in page.inner_text(".fixed-date")
    assert page.inner_text("h1") == "信用信息公示与查询"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than a {width}px screen"
    shot(page, f"home-{label}")
    page.close()


@pytest.mark.req("SUB-2")
def test_checking_a_code_from_the_home_page(browser: object, base_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base_url + "/tools/id-check?code=91110000802100433A")
    alert = page.inner_text("[role=alert]")
    assert "第18位校验码应为“B”" in alert and "uscc.checksum" in alert
    shot(page, "id-check-error")
    page.fill("#code", "11010519491231002X")
    page.click("form.stack button")
    page.wait_for_selector(".result.ok")
    assert "有效的公民身份号码" in page.inner_text(".result.ok")
    assert "1949-12-31" in page.inner_text(".result.ok")
    shot(page, "id-check-ok")
    page.close()


@pytest.mark.req("PROF-2")
def test_working_day_calculator(browser: object, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
    page.goto(base_url + "/tools/working-days")
    page.fill("#start", "2026-09-30")
    page.fill("#days", "3")
    page.click("form.stack button")
    page.wait_for_selector(".result.ok")
    assert "2026-10-10" in page.inner_text(".result.ok")
    assert page.locator("table.days tbody tr").count() == 10
    shot(page, "working-days-phone")
    page.close()


@pytest.mark.req("PROF-1")
def test_rules_page_shows_basis_and_operator_choices(browser: object, base_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base_url + "/rules")
    assert page.locator("table.rules").count() >= 5
    assert page.locator(".tag.chosen").count() > 1
    assert "国家发展改革委令第36号" in page.inner_text("main")
    shot(page, "rules")
    page.close()


def test_api_docs_render_from_local_assets(browser: object, base_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)
    page.goto(base_url + "/api/docs")
    # Swagger UI builds the page of 137 operations in the browser: seconds on a busy machine.
    page.wait_for_selector(".opblock-summary-path", timeout=60000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/identifiers/{code}" in [p.replace("\u200b", "") for p in paths]
    assert outside == []
    shot(page, "api-docs")
    page.close()


@pytest.mark.req("SEC-3")
def test_the_operator_signs_in_and_registers_a_department(browser: object, base_url: str) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base_url + "/admin")
    assert "请先登录" in page.inner_text("main")
    page.goto(base_url + "/login?next=/admin")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("form.stack button")
    page.wait_for_url("**/admin")
    assert "尚未核验过审计链" in page.inner_text("main")
    page.click("text=逐条核验哈希链")
    page.wait_for_selector(".result.ok")
    assert "哈希链完好" in page.inner_text(".result.ok")
    page.click("text=登记机构")
    page.fill("#org-code", "scjgj")
    page.fill("#org-name", "市场监督管理局")
    page.select_option("#org-kind", "provider")
    page.click("form[action='/admin/orgs'] button")
    page.wait_for_selector(".result.ok")
    assert "已登记机构 市场监督管理局" in page.inner_text(".result.ok")
    shot(page, "admin")
    page.close()


@pytest.mark.req("DIS-5", "DIS-6")
def test_a_subject_signs_in_with_the_code_from_the_log(
    browser: object, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="xinyong.identity")
    page = browser.new_page(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
    page.goto(base_url + "/me/login")
    page.fill("#code", "91110000802100433B")
    page.fill("#name", "某某有限公司")
    page.click("form.stack button")
    page.wait_for_selector("#one_time_code")
    shot(page, "me-login-code")
    code = re.findall(r"登录验证码：(\d{6})", caplog.text)[-1]
    page.fill("#one_time_code", code)
    page.click("form.stack button")
    page.wait_for_url("**/me")
    text = page.inner_text("main")
    assert "91110000802100433B" in text and "查询记录" in text
    assert "我的信用记录" in text and "济市监罚〔2026〕1号" in text and "我的授权" in text
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, "me-subject-phone")
    page.close()


@pytest.mark.req("CAT-1", "CAT-2")
def test_the_catalog_page_lists_what_is_collected(browser: object, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
    page.goto(base_url + "/catalog")
    headings = page.locator("main section.panel").first.locator("h2").all_inner_texts()  # market: own panel
    shipped = [item.name for item in read_file(SHIPPED_DIR / "national.toml").catalog.items]
    assert [h.split(" ")[0] for h in headings] == shipped and any("行政处罚信息" in h for h in headings)
    text = page.inner_text("main")
    assert "本地“双公示”时限" in text and "文书作出之日起 20 个工作日内到达平台" in text  # RPT-1
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot(page, "catalog-phone")
    page.close()


@pytest.mark.req("DIS-2", "DATA-3")
def test_search_in_traditional_characters_and_open_the_company(browser: object, base_url: str) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
    page.goto(base_url + "/")
    page.fill("#q", "華信科技")
    page.click("form.search button")
    page.wait_for_url("**/search?*")
    shot(page, "search")
    page.click("text=华信科技（济南）有限公司")
    page.wait_for_url("**/subjects/*")
    text = page.inner_text("main")
    assert "行政处罚信息" in text and "济市监罚〔2026〕1号" in text
    shot(page, "subject")
    page.goto(base_url + "/search?q=" + PERSON)
    page.wait_for_url("**/subjects/*")
    shown = page.inner_text("main")
    assert "张**" in shown and "110105********002X" in shown
    assert PERSON not in page.content() and "张三丰" not in page.content()
    shot(page, "subject-person")
    page.close()


@pytest.mark.req("DIS-7")
def test_download_a_report_and_verify_it(browser: object, base_url: str, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils not installed")
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(base_url + "/login?next=/search?q=华信")
    page.fill("#username", "admin")
    page.fill("#password", ADMIN_PASSWORD)
    page.click("form.stack button")
    page.wait_for_url("**/search?*")
    page.click("text=华信科技（济南）有限公司")
    page.wait_for_url("**/subjects/*")
    with page.expect_download() as download:
        page.click("text=出具公开信息版信用报告（PDF）")
    path = tmp_path / "report.pdf"
    download.value.save_as(str(path))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"核验地址\s+(\S+)", text)
    assert found and "华信科技（济南）有限公司" in text
    page.goto(found.group(1))
    assert "是本平台出具的信用报告（公开信息版）" in page.inner_text("main")
    page.set_input_files("input[type=file]", str(path))
    page.click("form.stack button")
    page.wait_for_selector(".result.ok >> text=完全一致")
    shot(page, "verify-report")
    page.close()
