"""The tip pages (PUB-1): the public form on a phone, the confirmation with number and follow-up code, the
tracking page, the department's queue and handling page, where alone the reporter is shown on request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from xinyong.audit.models import AuditEvent
from xinyong.tips import service
from xinyong.tips.models import TipReporter
from xinyong.web.app import create_app

from ..live import headless_chromium, served, shot
from .conftest import COMPANY_NAME, PDF, REPORTER_NAME, REPORTER_PHONE, World, csrf


@pytest.mark.req("PUB-1")
def test_a_refused_form_comes_back_with_what_was_typed_and_a_signed_in_subject_may_file(world: World) -> None:
    with TestClient(create_app(world.settings)) as client:
        assert 'href="/tips/new"' in client.get("/").text  # linked from the home page
        page = client.get("/tips/new")
        fields = {
            "csrf_token": csrf(page.text),
            "kind": "complaint",
            "category": "credit-information",
            "subject_name": "某信用服务公司",
            "facts": "",
            "reporter_name": "",
            "reporter_contact": "",
        }
        refused = client.post("/tips", data=fields)
        assert refused.status_code == 422 and "tip.facts_required" in refused.text
        assert "某信用服务公司" in refused.text and 'id="tip-form"' in refused.text
        client.cookies.set("xinyong_session", world.subject_cookie)
        page = client.get("/tips/new")
        filed = client.post(
            "/tips",
            data={
                **fields,
                "csrf_token": csrf(page.text),
                "facts": "收费出具信用报告",
                "reporter_name": "张投诉",
            },
        )
        assert filed.status_code == 200 and "查询码只显示这一次" in filed.text
        number = re.search(r'id="tip-number">(JB\w+)<', filed.text)
    assert number is not None
    with world.session() as session:
        tip = service.get(session, number.group(1))
        kept = session.scalar(select(TipReporter).where(TipReporter.tip_id == tip.id))
        assert tip.org_code == "operator" and kept is not None
        assert (kept.name, kept.anonymous, kept.account_id is not None) == ("张投诉", False, True)
        # The signed-in reporter is kept apart: neither the steps nor the audit log name its account.
        labels = [s.actor_label for s in service.steps_of(session, tip.id)]
        events = session.scalars(select(AuditEvent).where(AuditEvent.target_id == tip.number)).all()
        assert labels == ["举报人", "平台（按事项类别自动转交）"]
        assert [e.actor_account_id for e in events] == [None, None]
        assert [
            e for e in events if world.company in e.actor_label + e.detail or COMPANY_NAME in e.actor_label
        ] == []


# ------------------------------------------------------------------------------------------- in Chromium
@pytest.fixture
def live(world: World) -> Iterator[str]:
    with served(world.settings) as base:
        yield base


@pytest.fixture
def chromium() -> Iterator[object]:
    with headless_chromium() as launched:
        yield launched


@pytest.mark.browser
@pytest.mark.req("PUB-1")
def test_a_reporter_files_on_a_phone_and_the_department_answers_in_chromium(
    world: World, live: str, chromium: object, tmp_path: Path
) -> None:
    evidence = tmp_path / "现场照片.pdf"
    evidence.write_bytes(PDF)
    phone = chromium.new_context(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
    page = phone.new_page()
    page.goto(live + "/")
    page.click('a.card[href="/tips/new"]')
    page.wait_for_url("**/tips/new")
    page.check('input[name="kind"][value="tip"]')
    page.select_option('select[name="category"]', "illegal-business")
    page.fill('input[name="subject_name"]', COMPANY_NAME)
    page.fill('input[name="subject_code"]', world.company)
    page.fill('textarea[name="facts"]', "该公司未取得营业执照，在居民楼内生产销售食品")
    page.set_input_files('input[name="evidence"]', str(evidence))
    page.fill('input[name="reporter_name"]', REPORTER_NAME)
    page.fill('input[name="reporter_contact"]', REPORTER_PHONE)
    shot(page, "tip-form-phone")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.click("#tip-form button[type=submit]")
    page.wait_for_selector("#tip-code")
    number, code = page.inner_text("#tip-number"), page.inner_text("#tip-code")
    assert number.startswith("JB") and len(code) == service.CODE_LENGTH
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, "tip-filed-phone")
    page.click(f'a[href="/tips/track?number={number}"]')
    page.fill('input[name="code"]', code.lower())  # typed as it comes
    page.click("#track-form button[type=submit]")
    page.wait_for_selector("#track-result")
    assert "待受理" in page.inner_text("#track-result")
    shot(page, "tip-track-phone")

    desk = chromium.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, extra_http_headers=world.headers
    )
    office = desk.new_page()
    office.goto(live + "/admin/tips")
    queue = office.inner_text("main")
    assert number in queue and REPORTER_NAME not in queue and REPORTER_PHONE not in queue
    shot(office, "tip-queue-department")
    office.click(f'a[href="/admin/tips/{number}"]')
    assert REPORTER_NAME not in office.inner_text("main")
    office.click('form[action$="/reporter"] button')
    office.wait_for_selector("#reporter")
    assert REPORTER_NAME in office.inner_text("#reporter") and REPORTER_PHONE in office.inner_text(
        "#reporter"
    )
    shot(office, "tip-handling-reporter-shown")
    office.click('form[action$="/acceptance"] button')
    office.wait_for_selector("#answer")
    office.fill('#answer textarea[name="text"]', "经查属实，已责令停止生产并立案调查")
    office.click("#answer button[type=submit]")
    office.wait_for_url(f"**/admin/tips/{number}")
    assert "已答复" in office.inner_text("main")
    shot(office, "tip-handling-answered")

    page.goto(live + f"/tips/track?number={number}")
    page.fill('input[name="code"]', code)
    page.click("#track-form button[type=submit]")
    page.wait_for_selector("#track-result")
    result = page.inner_text("#track-result")
    assert "已答复" in result and "已责令停止生产" in result
    shot(page, "tip-track-answered-phone")

    operator = chromium.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, extra_http_headers=world.operator
    )
    desk = operator.new_page()
    desk.goto(live + "/admin/tips")
    assert number in desk.inner_text("main")
    shot(desk, "tip-queue-operator")
    desk.click(f'a[href="/admin/tips/{number}"]')
    body = desk.inner_text("main")
    assert "举报人身份只有承办单位可以查看" in body and REPORTER_NAME not in body
    assert desk.locator('form[action$="/reporter"]').count() == 0
    shot(desk, "tip-handling-operator")
