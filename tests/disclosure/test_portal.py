"""What each party sees of a subject: the public (masked, inside public periods), departments on duty
(shared items only, logged), authorized parties (scope, purpose, end, revocation) and the subject itself."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.audit import service as audit
from xinyong.catalog import service as catalog
from xinyong.db.engine import session_factory, transaction
from xinyong.disclosure import service
from xinyong.errors import XinyongError
from xinyong.profiles.loader import load_profile
from xinyong.records.models import Record
from xinyong.records.validate import Candidate, RowChecker
from xinyong.rules.identifiers import validate
from xinyong.settings import Settings
from xinyong.subjects import service as subjects
from xinyong.web.app import create_app

from ..conftest import TODAY, citizen_code, uscc_code
from ..records.conftest import penalty
from .conftest import COMPANY, COMPANY_NAME, PERSON, Portal


def records(client: TestClient, code: str, **kwargs: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/subjects/{code}/records", **kwargs)
    assert response.status_code == 200, response.text
    return dict(response.json())


def items(answer: dict[str, Any]) -> list[str]:
    return sorted(r["item"] for r in answer["records"])


@pytest.mark.req("DIS-2")
@pytest.mark.parametrize("query", ["华信科技", "華信科技（濟南）", "华信科技(济南)有限", "信科技"])
def test_search_finds_a_company_by_part_of_its_name_however_typed(client: TestClient, query: str) -> None:
    found = client.get("/api/v1/subjects", params={"q": query}).json()
    assert COMPANY in [s["code"] for s in found["subjects"]]
    page = client.get("/search", params={"q": query})
    assert page.status_code == 200 and COMPANY_NAME in page.text


@pytest.mark.req("DIS-2")
def test_a_code_goes_straight_to_the_subject_page(client: TestClient) -> None:
    response = client.get("/search", params={"q": COMPANY.lower()}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/subjects/{COMPANY}"


@pytest.mark.req("DIS-2", "PUB-2")
def test_the_public_sees_public_items_only(client: TestClient) -> None:
    answer = records(client, COMPANY)
    assert items(answer) == ["admin-penalty"]  # the shared inspection result is not public
    assert {r["mode"] for r in answer["records"]} == {"public"}
    page = client.get(f"/subjects/{COMPANY}")
    assert page.status_code == 200 and "行政处罚信息" in page.text and "消防通道堵塞" not in page.text


@pytest.mark.req("DATA-3")
def test_a_persons_number_and_name_never_appear_unmasked_in_public(client: TestClient) -> None:
    responses = [
        client.get(f"/api/v1/subjects/{PERSON}/records"),
        client.get("/api/v1/subjects", params={"q": PERSON}),
        client.get("/search", params={"q": PERSON}),
        client.get(f"/subjects/{PERSON}"),
    ]
    for response in responses:
        assert response.status_code == 200, response.text
        assert PERSON not in response.text and "张三丰" not in response.text
    answer = responses[0].json()
    assert answer["subject"]["code"] == PERSON[:6] + "*" * 8 + PERSON[-4:]
    assert answer["subject"]["name"] == "张**" and answer["records"][0]["data"]["subject_name"] == "张**"
    assert client.get("/api/v1/subjects", params={"q": "张三丰"}).json()["total"] == 0  # names find no people
    assert "没有找到" in client.get("/search", params={"q": "张三丰"}).text


@pytest.mark.req("DIS-1", "DIS-3")
def test_a_department_sees_what_is_shared_with_it_for_a_stated_purpose(
    portal: Portal, client: TestClient
) -> None:
    headers = portal.bearer(portal.dept)
    answer = records(client, COMPANY, headers=headers, params={"purpose": "daily_supervision"})
    assert items(answer) == ["admin-penalty", "site-inspection"]
    shared = next(r for r in answer["records"] if r["item"] == "site-inspection")
    assert shared["mode"] == "shared" and shared["data"]["finding"] == "消防通道堵塞"
    with session_factory(portal.engine)() as session:
        log = audit.access_log(session, subject_key=COMPANY, limit=50)
    assert any(e.action == "record.read" and e.purpose == "daily_supervision" for e in log)
    without_purpose = records(client, COMPANY, headers=headers)
    assert items(without_purpose) == ["admin-penalty"]  # no purpose, no shared read (DIS-3)


@pytest.mark.req("DIS-1")
def test_a_department_the_item_is_not_shared_with_does_not_see_it(portal: Portal, client: TestClient) -> None:
    answer = records(
        client, COMPANY, headers=portal.bearer(portal.other), params={"purpose": "daily_supervision"}
    )
    assert items(answer) == ["admin-penalty"]


def _grant(portal: Portal, *, until: date, items: list[str], purpose: str = "authorized_service") -> str:
    with transaction(session_factory(portal.engine)) as session:
        return service.grant(
            session,
            subject_key=COMPANY,
            grantee_org=portal.other,
            items=items,
            purpose=purpose,
            valid_until=until,
            policy=policy(),
            profile=load_profile("national"),
            actor=audit_actor(system_actor(policy())),
            now=portal.settings.clock.now(),
            today=TODAY,
        ).number


@pytest.mark.req("DIS-4", "DIS-5")
def test_an_authorization_opens_its_items_for_its_purpose_until_revoked(
    portal: Portal, client: TestClient
) -> None:
    number = _grant(portal, until=TODAY + timedelta(days=10), items=["site-inspection"])
    headers = portal.bearer(portal.other)
    answer = records(client, COMPANY, headers=headers, params={"purpose": "authorized_service"})
    opened = next(r for r in answer["records"] if r["item"] == "site-inspection")
    assert (opened["mode"], opened["authorization"]) == ("authorized", number)
    assert items(records(client, COMPANY, headers=headers, params={"purpose": "bidding"})) == [
        "admin-penalty"
    ]
    with transaction(session_factory(portal.engine)) as session:
        service.revoke(
            session,
            subject_key=COMPANY,
            number=number,
            actor=audit_actor(system_actor(policy())),
            now=portal.settings.clock.now(),
        )
    after = records(client, COMPANY, headers=headers, params={"purpose": "authorized_service"})
    assert items(after) == ["admin-penalty"]


@pytest.mark.req("DIS-4")
def test_an_authorization_ends_on_its_day_and_has_one(portal: Portal) -> None:
    number = _grant(portal, until=TODAY, items=["site-inspection"])
    headers = portal.bearer(portal.other)
    params = {"purpose": "authorized_service"}
    with TestClient(create_app(portal.settings)) as today:
        assert "site-inspection" in items(records(today, COMPANY, headers=headers, params=params))
    tomorrow = Settings(
        database_url=portal.settings.database_url,
        data_dir=portal.settings.data_dir,
        fixed_date=TODAY + timedelta(1),
    )
    with TestClient(create_app(tomorrow)) as later:
        assert items(records(later, COMPANY, headers=headers, params=params)) == ["admin-penalty"]
    assert number.startswith("SQ20261123")
    year = load_profile("national").disclosure.authorization_max.value
    assert (year.years, year.months, year.days) == (1, 0, 0)
    for until, wanted in (
        (TODAY + timedelta(days=366), "authorization.valid_until"),
        (TODAY - timedelta(1), "authorization.valid_until"),
    ):
        with pytest.raises(XinyongError) as caught:
            _grant(portal, until=until, items=["site-inspection"])
        assert caught.value.code == wanted
    with pytest.raises(XinyongError) as no_items:
        _grant(portal, until=TODAY, items=[])
    assert no_items.value.code == "authorization.items"
    with pytest.raises(XinyongError) as any_purpose:
        _grant(portal, until=TODAY, items=["site-inspection"], purpose="any")
    assert any_purpose.value.code == "authorization.purpose"


@pytest.mark.req("DIS-6")
def test_the_subject_sees_everything_with_versions_and_who_looked(portal: Portal, client: TestClient) -> None:
    client.cookies.set("xinyong_session", portal.subject_cookie)
    try:
        answer = records(client, COMPANY)
        page = client.get("/me")
    finally:
        client.cookies.clear()
    assert items(answer) == ["admin-penalty", "site-inspection"]
    assert {r["mode"] for r in answer["records"]} == {"self"}
    assert all(r["versions"] and r["versions"][0]["procedure"] == "ingest" for r in answer["records"])
    assert "消防通道堵塞" in page.text and "我的授权" in page.text and "查询记录" in page.text


@pytest.mark.req("DIS-2")
@pytest.mark.parametrize(
    "query", ["", " ", "x" * 1000, "' OR 1=1 --", "<script>alert(1)</script>", "%", "_", "\\", "\x00x"]
)
def test_bad_queries_get_clear_answers(client: TestClient, query: str) -> None:
    page = client.get("/search", params={"q": query})
    api = client.get("/api/v1/subjects", params={"q": query})
    assert page.status_code == 200 and api.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    if query.strip() in ("%", "_", "\\"):
        assert api.json()["total"] == 0  # wildcards are matched as characters


@pytest.mark.req("DIS-2")
def test_an_unknown_code_is_a_chinese_404(client: TestClient) -> None:
    page = client.get("/subjects/91370100MA0000000X")
    api = client.get("/api/v1/subjects/91370100MA0000000X/records")
    assert page.status_code == 404 and "没有该代码的信用主体" in page.text
    assert api.status_code == 404 and api.json()["error"]["code"] == "subject.not_found"


@pytest.mark.req("PER-2", "PER-1")
@pytest.mark.parametrize("profile", ["jinan", "jiangsu"])
def test_a_record_is_public_on_its_last_day_and_not_the_day_after(portal: Portal, profile: str) -> None:
    with session_factory(portal.engine)() as session:
        item = catalog.item_in_force(session, "admin-penalty", TODAY).item
    checker = RowChecker(item=item, profile=load_profile(profile), today=TODAY, provider="p")
    extra = {"severity": "一般", "behaviour_end": "2026-03-01", "determination_date": "2026-04-01"}
    checked = checker.check(penalty("罚1号", decision_date="2026-04-10"), extra, 2)
    assert isinstance(checked, Candidate) and checked.public_until is not None
    record = Record(
        state="active",
        published=checked.published,
        public_until=checked.public_until,
        decision_date=date(2026, 4, 10),
    )
    last = checked.public_until
    assert service.publicly_visible(record, item, last, marked_shown=False)
    assert not service.publicly_visible(record, item, last + timedelta(days=1), marked_shown=False)
    before_decision = date(2026, 4, 9)
    assert not service.publicly_visible(record, item, before_decision, marked_shown=False)
    record.state = "withdrawn"
    assert not service.publicly_visible(record, item, last, marked_shown=False)


@pytest.mark.req("DIS-4", "DIS-5")
def test_the_subject_gives_and_revokes_an_authorization_on_its_page(
    portal: Portal, client: TestClient
) -> None:
    client.cookies.set("xinyong_session", portal.subject_cookie)
    try:
        page = client.get("/me")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token and "我的授权" in page.text
        form = {
            "csrf_token": token.group(1),
            "grantee": portal.dept,
            "items": ["site-inspection", "admin-penalty"],
            "purpose": "bidding",
            "valid_until": (TODAY + timedelta(days=30)).isoformat(),
        }
        given = client.post("/me/authorizations", data=form, follow_redirects=False)
        assert given.status_code == 303
        listed = client.get("/api/v1/authorizations").json()
        mine = next(g for g in listed if g["grantee"] == portal.dept and g["purpose"] == "bidding")
        assert mine["items"] == ["admin-penalty", "site-inspection"] and mine["revoked_at"] is None
        too_long = client.post("/me/authorizations", data={**form, "valid_until": "2028-01-01"})
        assert too_long.status_code == 422 and "授权截止日期" in too_long.text
        no_token = client.post("/me/authorizations", data={**form, "csrf_token": "forged"})
        assert no_token.status_code == 403
        revoked = client.post(
            f"/me/authorizations/{mine['number']}/revoke", data={"csrf_token": token.group(1)}
        )
        assert revoked.status_code == 200  # back on the page after the redirect
        after = next(g for g in client.get("/api/v1/authorizations").json() if g["number"] == mine["number"])
        assert after["revoked_at"] is not None
    finally:
        client.cookies.clear()
    department = client.post("/me/authorizations", headers=portal.bearer(portal.dept), data={})
    assert department.status_code in (401, 403)


@pytest.mark.req("DATA-3", "SUB-2")
def test_a_business_run_under_a_persons_number_and_a_passport_holder_are_handled_as_people(
    portal: Portal, client: TestClient
) -> None:
    operator = citizen_code(900 + secrets.randbelow(99))
    rows = [
        penalty(
            f"济市监罚〔2026〕{secrets.token_hex(3)}号",
            subject_name="李记早餐店",
            subject_category="个体工商户",
            uscc="",
            id_type="身份证",
            id_number=operator,
        ),
        penalty(
            f"济市监罚〔2026〕{secrets.token_hex(3)}号",
            subject_name="John Smith",
            subject_category="自然人",
            uscc="",
            id_type="护照",
            id_number="E12345678",
        ),
    ]
    body = {"item": "admin-penalty", "severity": "general", "records": rows}
    pushed = client.post("/api/v1/records", headers=portal.bearer(portal.provider), json=body).json()
    assert pushed["accepted"] == 2, pushed["rejects"]
    assert client.get("/api/v1/subjects", params={"q": "李记早餐"}).json()["total"] == 0
    shop = client.get(f"/api/v1/subjects/{operator}/records")
    assert operator not in shop.text and "李记早餐店" not in shop.text
    passport = client.get("/api/v1/subjects/passport:E12345678/records")
    assert passport.status_code == 200 and len(passport.json()["records"]) == 1
    assert "E12345678" not in client.get("/subjects/passport:E12345678").text


@pytest.mark.req("DIS-2")
def test_a_search_page_past_the_last_goes_to_the_last(client: TestClient) -> None:
    """A link kept from a longer result list shows the last page of the results there are now."""
    past = client.get("/search", params={"q": "华信科技", "page": 500}, follow_redirects=False)
    assert (
        past.status_code == 303
        and past.headers["location"] == "/search?q=%E5%8D%8E%E4%BF%A1%E7%A7%91%E6%8A%80&page=1"
    )
    last = client.get(past.headers["location"])
    assert last.status_code == 200 and COMPANY_NAME in last.text and "没有找到" not in last.text
    nothing = client.get("/search", params={"q": "没有这家公司", "page": 3})
    assert nothing.status_code == 200 and "没有找到与“没有这家公司”相符的信用主体" in nothing.text


@pytest.mark.req("DIS-2")
def test_a_broad_search_says_it_lists_the_closest_matches_only(portal: Portal, client: TestClient) -> None:
    """Past ``MAX_FOUND`` matches the count stops: the page says "at least", lists the shortest names, and
    asks for more of the name, rather than showing the cap as the number found."""
    names = [f"广域远航{'物流' * (n % 3)}有限公司{n:04d}" for n in range(subjects.MAX_FOUND + 5)]
    with transaction(session_factory(portal.engine)) as session:
        subjects.ensure(
            session,
            subjects=[
                subjects.NewSubject(validate(uscc_code(40_000 + n)), name) for n, name in enumerate(names)
            ],
            now=portal.settings.clock.now(),
        )
    broad = client.get("/search", params={"q": "广域远航"})
    assert broad.status_code == 200
    assert f"相符的信用主体至少有 {subjects.MAX_FOUND} 个" in broad.text and "输入更完整的名称" in broad.text
    assert f"找到 {subjects.MAX_FOUND} 个" not in broad.text
    assert min(names, key=len) in broad.text and "物流物流" not in broad.text  # shortest names first
    part = "广域远航物流物流有限公司000"
    narrow = client.get("/search", params={"q": part})
    found = sum(part in name for name in names)
    assert f"找到 {found} 个信用主体" in narrow.text and "至少" not in narrow.text
