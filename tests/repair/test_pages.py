"""The repair pages: the subject applies from its own page and is told from which day it can (REP-1, REP-2);
the publicity shows persons masked and takes objections (REP-3); the provider gives its opinion and records
an interview from its case page (REP-3, REP-5); one run in Chromium with screenshots.

Screenshots go to ``XINYONG_SCREENSHOTS`` (``/tmp/shots`` when unset) as ``repair-*.png``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from xinyong.access.security import secret_key
from xinyong.db.engine import session_factory, transaction
from xinyong.evidence import Upload
from xinyong.records.models import Record
from xinyong.repair import service
from xinyong.repair.service import Application
from xinyong.web.app import create_app

from ..conftest import citizen_code, subject_cookie
from ..live import headless_chromium, served, shot
from ..records.conftest import penalty
from .conftest import RepairWorld

PDF = b"%PDF-1.4\n% evidence\n"


def signed_in(world: RepairWorld, code: str, name: str) -> str:
    with transaction(session_factory(world.engine)) as session:
        key = secret_key(world.settings.data_dir.resolve())
        return subject_cookie(session, key=key, code=code, name=name, now=world.settings.clock.now())


def token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def person_record(world: RepairWorld, decided: date) -> tuple[int, str]:
    """A penalty on a person decided on ``decided``: its record id and the person's citizen ID."""
    person = citizen_code(secrets.randbelow(1000))
    number = f"苏市监罚〔{decided.year}〕{secrets.token_hex(3)}号"
    body = {
        "item": "admin-penalty",
        "severity": "general",
        "records": [
            penalty(
                number,
                subject_name="张三丰",
                subject_category="自然人",
                uscc="",
                id_type="身份证",
                id_number=person,
                decision_date=decided.isoformat(),
                valid_until=decided.replace(year=decided.year + 3).isoformat(),
            )
        ],
    }
    with TestClient(create_app(world.settings)) as client:
        answer = client.post("/api/v1/records", headers=world.headers, json=body).json()
    assert answer["accepted"] == 1, answer["rejects"]
    with world.session() as session:
        found = session.scalar(select(Record).where(Record.document_number == number))
        assert found is not None
        return found.id, found.subject_key


def filed(world: RepairWorld, record: int, subject: str) -> str:
    with world.session() as session, session.begin():
        case = service.file(
            session,
            world.context(date(2026, 11, 23)),
            subject_key=subject,
            application=Application(
                record_id=record,
                correction="已缴清罚款并公开更正",
                corrected_on=date(2025, 1, 10),
                ways=("commitment", "rectification"),
                commitment="承诺今后不再发布虚假广告",
                files=(Upload("整改报告.pdf", PDF),),
            ),
            data_dir=world.settings.data_dir.resolve(),
        )
        return case.number


@pytest.mark.req("REP-1")
@pytest.mark.req("REP-2")
@pytest.mark.req("REP-6")
def test_the_subject_is_told_from_which_day_then_files_with_evidence(jiangsu: RepairWorld) -> None:
    old = jiangsu.push(date(2025, 12, 1))  # minimum publicity served 2026-03-02
    with TestClient(create_app(jiangsu.settings)) as client:
        client.cookies.set("xinyong_session", signed_in(jiangsu, jiangsu.company, jiangsu.company_name))
        me = client.get("/me").text
        assert f"/me/repair/new?record={old}" in me and "信用修复与约谈" in me
        page = client.get(f"/me/repair/new?record={old}")
        assert page.status_code == 200 and "免费" in page.text and "须作出信用承诺" in page.text
        form = {
            "csrf_token": token(page.text),
            "record": str(old),
            "ways": ["commitment", "rectification"],
            "corrected_on": "2025-11-25",  # 1 year clean only from 2026-11-25
            "correction": "已缴清罚款，撤下虚假广告并公开更正",
            "commitment": "本单位承诺今后不再发布虚假广告",
        }
        refused = client.post("/me/repair", data=form)
        assert refused.status_code == 422
        assert "repair.not_yet" in refused.text and "2026-11-25" in refused.text
        assert 'id="possible-on"' in refused.text and "已缴清罚款" in refused.text  # the form keeps its input
        bad = client.post(
            "/me/repair",
            data={**form, "corrected_on": "2025-01-10"},
            files=[("files", ("a.pdf", b"no", "application/pdf"))],
        )
        assert bad.status_code == 422 and "repair.file_type" in bad.text
        assert 'name="reorganization_ruling"' in page.text  # a company may state a reorganization (REP-6)
        undated = client.post(
            "/me/repair",
            data={**form, "corrected_on": "2025-01-10", "reorganization_ruling": "（2026）苏05破3号"},
        )
        assert undated.status_code == 422 and "repair.reorganization" in undated.text
        assert "（2026）苏05破3号" in undated.text
        sent = client.post(
            "/me/repair",
            data={
                **form,
                "corrected_on": "2025-01-10",
                "reorganization_ruling": "（2026）苏05破3号",
                "reorganization_on": "2026-03-02",
            },
            files=[("files", ("整改报告.pdf", PDF, "application/pdf"))],
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        number = sent.headers["location"].rsplit("/", 1)[1]
        case = client.get(f"/me/repair/{number}").text
        assert (
            "待提供单位提出意见" in case and "整改报告.pdf" in case and "提供单位提出书面信用修复意见" in case
        )
        with jiangsu.session() as session:
            filed_case = service.get(session, number)
            assert (filed_case.reorganization_ruling, filed_case.reorganization_on) == (
                "（2026）苏05破3号",
                date(2026, 3, 2),
            )
        assert number in client.get("/me").text
        assert client.get(f"/me/repair/new?record={old}").status_code == 200
        duplicate = client.post("/me/repair", data={**form, "corrected_on": "2025-01-10"})
        assert duplicate.status_code == 422 and "repair.duplicate" in duplicate.text
    recent = jiangsu.push(date(2026, 10, 9))  # its minimum publicity is not yet served
    with TestClient(create_app(jiangsu.settings)) as client:
        client.cookies.set("xinyong_session", signed_in(jiangsu, jiangsu.company, jiangsu.company_name))
        early = client.get(f"/me/repair/new?record={recent}").text
        assert "repair.not_yet" in early and "可申请日期" in early and 'id="repair-form"' not in early


@pytest.mark.req("REP-3")
@pytest.mark.req("REP-5")
def test_the_provider_gives_its_opinion_and_the_publicity_masks_the_person(jiangsu: RepairWorld) -> None:
    record, person = person_record(jiangsu, date(2025, 12, 1))
    number = filed(jiangsu, record, person)
    with TestClient(create_app(jiangsu.settings), headers=jiangsu.headers) as provider:
        queue = provider.get("/admin/repair").text
        assert number in queue
        page = provider.get(f"/admin/repair/{number}").text
        assert 'id="opinion"' in page and "整改报告.pdf" in page
        link = re.search(rf'href="(/admin/repair/{number}/files/\d+)"', page)
        assert link is not None and provider.get(link.group(1)).content == PDF  # the evidence, to check it
        undecided = {"csrf_token": token(page), "text": "已整改到位"}  # neither for nor against
        again = provider.post(f"/admin/repair/{number}/opinion", data=undecided, follow_redirects=False)
        assert again.status_code == 422 and "repair.agrees" in again.text and 'id="opinion"' in again.text
        form = {"csrf_token": token(page), "agrees": "yes", "text": "已整改到位，同意修复"}
        assert (
            provider.post(f"/admin/repair/{number}/opinion", data=form, follow_redirects=False).status_code
            == 303
        )
        interview = {
            "csrf_token": token(page),
            "kind": "warning",
            "held_on": "2026-11-20",
            "department": "信用监管科",
            "content": "督促纠正失信行为",
            "outcome": "当事人已承诺整改",
        }
        assert provider.post(f"/admin/repair/{number}/interviews", data=interview).status_code == 200
        after = provider.get(f"/admin/repair/{number}").text
        assert "修复意见公示中" in after and "警示约谈" in after and 'id="opinion"' not in after
    with TestClient(create_app(jiangsu.settings)) as anyone:
        public = anyone.get("/repair-publicity").text
        assert number in public and "已整改到位，同意修复" in public
        assert "张三丰" not in public and person not in public and "张" in public
        assert "/repair-publicity" in anyone.get("/lists").text
        listed = [n for n in anyone.get("/api/v1/repairs/publicity").json() if n["number"] == number]
        assert len(listed) == 1 and set(listed[0]) == {
            "number",
            "name",
            "key",
            "item",
            "document",
            "opinion",
            "publicity_until",
        }  # no interviews, evidence or objections for the public
        assert person not in str(listed) and "张三丰" not in str(listed)
        objection = {
            "csrf_token": token(public),
            "text": "该当事人仍在发布虚假广告",
            "contact": "13800000000",
        }
        missing = anyone.post(f"/repair-publicity/{number}/objections", data={**objection, "contact": ""})
        assert missing.status_code == 422 and "repair.required" in missing.text
        sent = anyone.post(f"/repair-publicity/{number}/objections", data=objection, follow_redirects=False)
        assert sent.status_code == 303
    with jiangsu.session() as session:
        assert service.get(session, number).status == "objected"
        assert [i.kind for i in service.interviews_of(session, record_id=record)] == ["warning"]


# ------------------------------------------------------------------------------------------- in Chromium
@pytest.fixture
def live(jiangsu: RepairWorld) -> Iterator[str]:
    with served(jiangsu.settings) as base:
        yield base


@pytest.fixture
def chromium() -> Iterator[object]:
    with headless_chromium() as launched:
        yield launched


def _shot(page: object, name: str) -> None:
    shot(page, f"repair-{name}")


@pytest.mark.browser
@pytest.mark.req("REP-1", "REP-3")
def test_an_application_with_an_upload_in_chromium(
    jiangsu: RepairWorld, live: str, chromium: object, tmp_path: Path
) -> None:
    record = jiangsu.push(date(2025, 12, 1))
    cookie = signed_in(jiangsu, jiangsu.company, jiangsu.company_name)
    evidence = tmp_path / "整改报告.pdf"
    evidence.write_bytes(PDF)
    subject = chromium.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    subject.add_cookies([{"name": "xinyong_session", "value": cookie, "url": live}])
    page = subject.new_page()
    page.goto(live + "/me")
    page.click(f'a[href="/me/repair/new?record={record}"]')
    page.wait_for_url("**/me/repair/new*")
    page.check('input[name="ways"][value="rectification"]')
    page.fill('input[name="corrected_on"]', "2025-01-10")
    page.fill('textarea[name="correction"]', "已缴清罚款，撤下虚假广告并公开更正")
    page.fill('textarea[name="commitment"]', "本单位承诺今后不再发布虚假广告")
    page.set_input_files('input[name="files"]', str(evidence))
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    _shot(page, "form")
    page.click("#repair-form button[type=submit]")
    page.wait_for_url("**/me/repair/XF*")
    number = page.url.rsplit("/", 1)[1]
    assert "待提供单位提出意见" in page.inner_text("main") and "整改报告.pdf" in page.inner_text("main")
    _shot(page, "case")
    with jiangsu.session() as session, session.begin():
        service.give_opinion(
            session,
            jiangsu.context(date(2026, 11, 23), jiangsu.provider),
            number=number,
            org_code=jiangsu.provider,
            agrees=True,
            text="已整改到位，同意修复",
        )
    page.goto(live + "/repair-publicity")
    assert number in page.inner_text("main")
    _shot(page, "publicity")
    subject.close()
    provider = chromium.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900}, extra_http_headers=jiangsu.headers
    )
    admin = provider.new_page()
    admin.goto(live + f"/admin/repair/{number}")
    assert "修复意见公示中" in admin.inner_text("main")
    _shot(admin, "admin")
    provider.close()
