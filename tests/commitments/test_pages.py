"""The operator's revocation case page (REV-1) and the subject's deletion button on its own page (REP-7),
in Chromium. Set ``XINYONG_SCREENSHOTS=DIR`` to keep screenshots, as in ``tests/lists/test_pages.py``."""

from __future__ import annotations

import json

import pytest

from ..lists import test_pages as lists_pages
from ..live import shot
from ..records.conftest import penalty
from .conftest import CaseWorld
from .test_deletion import award

live, chromium = lists_pages.live, lists_pages.chromium  # the live server and browser, shared


@pytest.mark.browser
@pytest.mark.req("REV-1", "REP-7")
def test_the_operator_revokes_from_the_case_page_and_the_subject_deletes_its_award(
    case_world: CaseWorld, live: str, chromium: object
) -> None:
    world, company, name = case_world, case_world.lists.company, case_world.lists.company_name
    with world.client() as client:
        world.push(
            client, "admin-penalty", [penalty("济市监罚〔2026〕77号", uscc=company)], severity="general"
        )
        world.push(client, "award", [award(company, name)])
        [record] = world.records(company, "admin-penalty")
        [prize] = world.records(company, "award")
        body = {
            "record": record.id,
            "kind": "revoked",
            "effective_on": "2026-11-18",
            "document": "行政判决书（2026）鲁0102行初12号",
        }
        number = client.post("/api/v1/revocations", headers=world.provider_headers, json=body).json()[
            "number"
        ]

    operator = chromium.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    operator.add_cookies([{"name": "xinyong_session", "value": world.operator_cookie(), "url": live}])
    page = operator.new_page()
    page.goto(live + "/admin/revocations")
    page.click(f"text={number}")
    page.wait_for_url(f"**/admin/revocations/{number}")
    text = page.inner_text("main")
    assert "待平台处理" in text and "2026-11-23（3 个工作日）" in text and "2026-11-25（2 个工作日）" in text
    shot(page, "commitments-revocation-pending")
    page.click("#apply")
    page.wait_for_url(f"**/admin/revocations/{number}")
    text = page.inner_text("main")
    assert "已处理" in text and "当前状态：已撤销" in text and page.locator("#apply").count() == 0
    shot(page, "commitments-revocation-applied")
    operator.close()

    subject = chromium.new_context(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
    subject.add_cookies(
        [{"name": "xinyong_session", "value": world.lists.signed_in(company, name), "url": live}]
    )
    page = subject.new_page()
    page.goto(live + "/me")
    form = page.locator(f'form[action="/me/records/{prize.id}/deletion"]')
    assert form.count() == 1 and page.locator("form.deletion").count() == 1  # the award only, not the penalty
    form.locator('input[name="reason"]').fill("不再需要公开")
    shot(page, "commitments-me-deletion")
    form.locator("button").click()
    page.wait_for_url("**/me#records")
    assert page.locator("form.deletion").count() == 0
    assert "已删除" in page.inner_text("main")  # still in its own history
    assert json.loads(prize.data)["award_name"] in page.content()
    shot(page, "commitments-me-deleted")
    subject.close()
