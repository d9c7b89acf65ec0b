"""Evaluation pages in Chromium: the published model on a phone, a subject's own grade explained, the
operator's runs with the export form, a subject's grade for the operator through the gate, and an inspection
plan drawn from the form. Screenshots go to ``XINYONG_SCREENSHOTS`` as ``evaluation-*.png``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..live import headless_chromium, served, shot
from .conftest import EvalWorld

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def live(world: EvalWorld) -> Iterator[str]:
    with served(world.settings) as base:
        yield base


@pytest.fixture
def chromium() -> Iterator[object]:
    with headless_chromium() as launched:
        yield launched


@pytest.mark.browser
@pytest.mark.req("EVA-1")
def test_the_model_and_a_subjects_own_grade_in_chromium(
    world: EvalWorld, live: str, chromium: object
) -> None:
    world.evaluate()
    phone = chromium.new_context(viewport=PHONE)  # type: ignore[attr-defined]
    page = phone.new_page()
    page.goto(live + "/")
    page.click('a[href="/evaluation"]')
    page.wait_for_url("**/evaluation")
    text = page.inner_text("main")
    assert "公共信用综合评价模型" in text and "信用较差" in text and "30%" in text
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "evaluation-model-phone")
    phone.add_cookies([{"name": "xinyong_session", "value": world.cookie("fined"), "url": live}])
    page.goto(live + "/me")
    assert "公共信用综合评价等级 D（信用较差）" in page.inner_text("#evaluation + p")
    page.click('a[href="/me/evaluation"]')
    page.wait_for_url("**/me/evaluation")
    assert "综合评价得分 56.00" in page.inner_text("#grade")
    assert page.locator("#parts tbody tr").count() == 7 and "行政处罚信息" in page.inner_text("#parts")
    assert page.evaluate(OVERFLOW) <= 0
    shot(page, "evaluation-me-phone")
    phone.close()


@pytest.mark.browser
@pytest.mark.req("EVA-2", "EVA-3")
def test_the_operator_runs_looks_up_and_plans_in_chromium(
    world: EvalWorld, live: str, chromium: object
) -> None:
    operator = chromium.new_context(  # type: ignore[attr-defined]
        viewport=DESKTOP, extra_http_headers=world.headers["operator_admin"], accept_downloads=True
    )
    page = operator.new_page()
    page.goto(live + "/admin")
    page.click('a[href="/admin/evaluation"]')
    page.wait_for_url("**/admin/evaluation")
    page.click("#run-now")
    page.wait_for_url("**/admin/evaluation")
    assert page.locator("#runs tbody tr").count() >= 1
    shot(page, "evaluation-runs")
    form = page.locator("form.export").first
    form.locator('input[name="recipient"]').fill("某银行济南分行")
    with page.expect_download() as download:
        form.locator("button").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    page.fill("#lookup-code", world.code("listed"))
    page.click("#lookup button")
    page.wait_for_url("**/admin/evaluation/subject?*")
    assert "信用等级 D" in page.inner_text("#grade") and "严重失信主体名单" in page.inner_text("#parts")
    shot(page, "evaluation-subject-operator")
    page.goto(live + "/admin/inspections")
    page.fill("#plan-title", "2026年第四季度双随机抽查")
    page.fill("#plan-seed", "20261123")
    page.check('input[name="grades"][value="D"]')
    page.fill("#plan-inspectors", "ZF001 张三\nZF002 李四\nZF003 王五")
    page.click("#plan-form button[type=submit]")
    page.wait_for_url("**/admin/inspections/JC*")
    assert page.locator("#sample tbody tr").count() >= 1 and "每个对象 2 名" in page.inner_text("main")
    shot(page, "evaluation-inspection-plan")
    page.goto(live + "/admin/inspections")
    page.fill("#plan-title", "人员不足")
    page.fill("#plan-seed", "1")
    page.fill("#plan-inspectors", "ZF001 张三")
    page.click("#plan-form button[type=submit]")
    assert "名录只有 1 名" in page.inner_text(".alert") and page.input_value("#plan-title") == "人员不足"
    shot(page, "evaluation-inspection-refused")
    operator.close()
