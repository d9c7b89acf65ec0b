"""The subject files from its archive with an upload and downloads the written reply (OBJ-1, OBJ-3)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from xinyong.access.security import secret_key
from xinyong.db.engine import session_factory, transaction
from xinyong.deadlines import service as deadlines
from xinyong.disclosure.pdf import find_font
from xinyong.lists.documents import verification_code
from xinyong.objections import documents, service
from xinyong.web.app import create_app

from ..conftest import org_with_token, subject_cookie
from ..live import headless_chromium, served, shot
from .conftest import PDF, World


@pytest.mark.req("OBJ-1")
@pytest.mark.req("OBJ-3")
def test_subject_files_with_evidence_and_downloads_the_reply(world: World) -> None:
    key = secret_key(world.settings.data_dir.resolve())
    now = world.settings.clock.now()
    with transaction(session_factory(world.engine)) as session:
        cookie = subject_cookie(session, key=key, code=world.company, name="异议测试有限公司", now=now)
    with TestClient(create_app(world.settings)) as client:
        client.cookies.set("xinyong_session", cookie)
        assert f"/me/objections/new?record={world.records[0]}" in client.get("/me").text
        page = client.get(f"/me/objections/new?record={world.records[0]}")
        assert page.status_code == 200, page.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        form = {
            "csrf_token": token.group(1),
            "target": f"record:{world.records[0]}",
            "grounds": "wrong_or_incomplete",
            "statement": "金额有误",
        }
        bad = client.post(
            "/me/objections", data=form, files=[("evidence", ("a.pdf", b"not a pdf", "application/pdf"))]
        )
        assert bad.status_code == 422 and "objection.file_type" in bad.text
        assert "金额有误" in bad.text and "提交异议" in bad.text  # the form again, with what was typed
        sent = client.post(
            "/me/objections",
            data=form,
            files=[("evidence", ("决定书.pdf", PDF, "application/pdf"))],
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        number = sent.headers["location"].rsplit("/", 1)[1]
        case_page = client.get(f"/me/objections/{number}")
        link = re.search(rf'href="(/me/objections/{number}/evidence/\d+)"', case_page.text)
        assert link is not None and client.get(link.group(1)).content == PDF  # the evidence as filed
        assert "平台核查/审核" in case_page.text and "2026-11-26" in case_page.text  # 3 working days
        with transaction(session_factory(world.engine)) as session:
            ctx = world.ctx("national", date(2026, 11, 24))
            issue = documents.issuer(
                session,
                ctx,
                font=find_font(world.settings.data_dir.resolve()),
                key=key,
                verify_base="http://testserver",
                data_dir=world.settings.data_dir.resolve(),
            )
            service.decide(
                session, ctx, number=number, outcome="confirmed", text="经核实无误", issue_reply=issue
            )
        reply = client.get(f"/me/objections/{number}/reply")
        assert reply.status_code == 200 and reply.content.startswith(b"%PDF")
        # Anyone holding the reply verifies it by its number and code, and that the file is unchanged.
        with transaction(session_factory(world.engine)) as session:
            reply_number = service.get(session, number).reply_number
        assert reply_number is not None
        code = verification_code(key, reply_number)
        checked = client.post(
            f"/api/v1/reports/{reply_number}/verify",
            data={"code": code},
            files={"file": ("reply.pdf", reply.content, "application/pdf")},
        )
        assert checked.status_code == 200, checked.text
        assert checked.json()["title"] == documents.TITLE and checked.json()["file_matches"] is True
        forged = client.post(
            f"/api/v1/reports/{reply_number}/verify",
            data={"code": code},
            files={"file": ("reply.pdf", reply.content + b" ", "application/pdf")},
        )
        assert forged.json()["file_matches"] is False
        wrong = client.get(f"/api/v1/reports/{reply_number}", params={"code": "AAAAAAAAAA"})
        assert wrong.status_code == 404


@pytest.mark.req("OBJ-3")
def test_a_refused_reply_comes_back_on_the_case_page_and_changes_nothing(world: World) -> None:
    with transaction(session_factory(world.engine)) as session:
        found = world.file(session, "national", date(2026, 11, 23), world.records[1])
        service.refer(session, world.ctx("national", date(2026, 11, 23)), number=found.number, text="请核实")
        number = found.number
    with TestClient(create_app(world.settings), headers=world.headers) as provider:
        page = provider.get(f"/admin/objections/{number}")
        assert page.status_code == 200, page.text
        link = re.search(rf'href="(/admin/objections/{number}/evidence/(\d+))"', page.text)
        assert link is not None and provider.get(link.group(1)).content.startswith(b"%PDF")
        assert (
            provider.get(f"/admin/objections/{number}/evidence/{int(link.group(2)) + 999}").status_code == 404
        )
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        refused = provider.post(
            f"/admin/objections/{number}/reply",
            data={
                "csrf_token": token.group(1),
                "verification": "error",
                "text": "金额录入错误",
                "data": '{"uscc": "91110000802100433B"}',  # whose record it is cannot be corrected
            },
        )
        assert refused.status_code == 422 and "objection.field" in refused.text and number in refused.text
    with transaction(session_factory(world.engine)) as session:
        case = service.get(session, number)
        assert (case.status, case.verification, case.corrected_data) == ("referred", None, None)
        reply_step = [
            d for d in deadlines.of_case(session, "objection", number) if d.step == "provider_reply"
        ]
        assert [d.done_on for d in reply_step] == [None]


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
@pytest.mark.req("OBJ-1", "OBJ-3")
def test_a_subject_files_with_an_upload_and_the_operator_refers_it_in_chromium(
    world: World, live: str, chromium: object, tmp_path: Path
) -> None:
    key = secret_key(world.settings.data_dir.resolve())
    now = world.settings.clock.now()
    with transaction(session_factory(world.engine)) as session:
        cookie = subject_cookie(session, key=key, code=world.company, name="异议测试有限公司", now=now)
        operator = org_with_token(
            session, code=f"op-{world.provider}", kind="operator", role="operator_staff", key=key, now=now
        )
    evidence = tmp_path / "缴款凭证.pdf"
    evidence.write_bytes(PDF)
    subject = chromium.new_context(viewport={"width": 375, "height": 740})  # type: ignore[attr-defined]
    subject.add_cookies([{"name": "xinyong_session", "value": cookie, "url": live}])
    page = subject.new_page()
    page.goto(live + "/me")
    page.click(f'a[href="/me/objections/new?record={world.records[0]}"]')
    page.wait_for_url("**/me/objections/new*")
    page.select_option('select[name="grounds"]', "wrong_or_incomplete")
    page.fill('textarea[name="statement"]', "罚款已于决定当月缴清，记录的罚款金额有误")
    page.set_input_files('input[name="evidence"]', str(evidence))
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, "objection-form-phone")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/me/objections/YY*")
    number = page.url.rsplit("/", 1)[1]
    body = page.inner_text("main")
    assert "缴款凭证.pdf" in body and "2026-11-26" in body  # the check is due in 3 working days
    shot(page, "objection-case-subject")
    staff = chromium.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, extra_http_headers={"Authorization": f"Bearer {operator}"}
    )
    desk = staff.new_page()
    desk.goto(live + "/admin/cases")
    assert number in desk.inner_text("main")
    desk.click(f'a[href="/admin/objections/{number}"]')
    desk.fill('form[action$="/referral"] textarea[name="text"]', "请核实罚款金额")
    desk.click('form[action$="/referral"] button[type=submit]')
    desk.wait_for_url(f"**/admin/objections/{number}")
    assert "提供单位核实回复" in desk.inner_text("main")  # the provider's step is now due
    shot(desk, "objection-case-operator")
