"""The portal's list page (public, no login): entries shown exactly while valid (LIST-8), removals announced
where the listing was published (LIST-7), persons masked (DATA-3); a subject's page and its own archive show
its entries, and a person's archive the listings of its organisations (LIST-6).

Set ``XINYONG_SCREENSHOTS=DIR`` to keep screenshots of the pages, as in ``tests/web/test_browser.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from xinyong.lists import service as lists

from ..conftest import TODAY
from ..live import headless_chromium, served, shot
from .conftest import ListsWorld

START = TODAY - timedelta(days=60)


def every_page(client: TestClient, tab: str) -> str:
    """The tab's pages one after another: other tests' entries share the database."""
    text, page = "", 1
    while True:
        response = client.get("/lists", params={"tab": tab, "page": page})
        assert response.status_code == 200
        text += response.text
        if "下一页" not in response.text:
            return text
        page += 1


@pytest.mark.req("LIST-8")
def test_the_page_shows_valid_entries_and_hides_expired_ones(lists_world: ListsWorld) -> None:
    world = lists_world
    with world.transaction() as session:
        active = world.blacklist(session, world.company, on=START)
        expired_company = world.add_company(session, "过期测试有限公司" + world.org)
        # Entered in 2023 for a year: its term ended before today, though no sweep has removed it yet.
        expired = world.blacklist(session, expired_company, on=date(2023, 1, 3), term_end=date(2024, 2, 1))
        red_company = world.add_company(session, "守信测试有限公司" + world.org)
        world.redlist(session, red_company, on=START)
        basis = world.context(TODAY).types.get("tax-major-violation").legal_basis
    assert expired.status == "active" and expired.term_end is not None and expired.term_end < TODAY
    with world.client() as client:
        black = every_page(client, "black")
        red = every_page(client, "red")
        home = client.get("/").text
    assert world.company_name in black and f'href="/subjects/{world.company}"' in black
    assert str(active.entered_on) in black and f"至 {active.term_end}" in black
    assert world.org_name in black and basis in black
    assert expired_company not in black and "过期测试有限公司" + world.org not in black
    assert "守信测试有限公司" + world.org in red and "守信测试有限公司" + world.org not in black
    assert 'href="/lists"' in home  # linked from the home page and the navigation


@pytest.mark.req("LIST-7", "LIST-9")
def test_removals_and_corrections_are_announced_on_the_same_page(lists_world: ListsWorld) -> None:
    world = lists_world
    with world.transaction() as session:
        repaired = world.blacklist(session, world.company, on=START)
        lists.remove(
            session,
            world.context(TODAY),
            number=repaired.number,
            reason="repair",
            text="已补缴税款",
            org_code=world.org,
        )
        wrong_company = world.add_company(session, "误列测试有限公司" + world.org)
        wrong = world.blacklist(session, wrong_company, on=START)
        lists.correct_wrongful(
            session, world.context(TODAY), number=wrong.number, text="同名企业，识别错误", org_code=world.org
        )
    with world.client() as client:
        black = every_page(client, "black")
        removed = every_page(client, "removed")
    assert world.company_name not in black and "误列测试有限公司" + world.org not in black
    row = removed[removed.index(world.company_name) :].split("</tr>")[0]
    assert "移出（信用修复）" in row and TODAY.isoformat() in row
    corrected = removed[removed.index("误列测试有限公司" + world.org) :].split("</tr>")[0]
    assert "更正" in corrected and "认定错误" in corrected
    assert "虚开增值税专用发票" not in removed and "同名企业" not in removed  # no reasons repeated


@pytest.mark.req("DATA-3")
def test_a_person_is_masked_as_everywhere_on_the_portal(lists_world: ListsWorld) -> None:
    world = lists_world
    with world.transaction() as session:
        world.blacklist(session, world.person, on=START)
    with world.client() as client:
        black = every_page(client, "black")
    masked = world.person[:6] + "*" * 8 + world.person[-4:]
    assert "王**" in black and masked in black
    assert world.person not in black and world.person_name not in black  # not even in a link


@pytest.mark.req("LIST-6", "LIST-8")
def test_the_subject_page_and_the_archives_show_the_entries(lists_world: ListsWorld) -> None:
    world = lists_world
    with world.transaction() as session:
        entry = world.blacklist(session, world.company, on=START, statement="本公司不知情", answer="不予采纳")
        name = world.context(TODAY).types.get("tax-major-violation").name
    with world.client() as client:
        public = client.get(f"/subjects/{world.company}").text
        client.cookies.set("xinyong_session", world.signed_in(world.company, world.company_name))
        own = client.get("/me").text
        client.cookies.set("xinyong_session", world.signed_in(world.officer, "李四"))
        officer = client.get("/me").text
    section = public[public.index("<h2>名单</h2>") :]
    assert name in section and f"{entry.entered_on} 列入" in section and f"至 {entry.term_end}" in section
    assert entry.number in own and "名单有效" in own
    for step in ("提出拟列入", "送达事先告知书", "陈述申辩：", "本公司不知情", "作出决定", "不予采纳"):
        assert step in own
    assert f"所在单位{world.company_name}被列入{name}（{entry.number}）" in officer
    assert "法定代表人" in officer


# ------------------------------------------------------------------------------------------- in Chromium
@pytest.fixture
def live(lists_world: ListsWorld) -> Iterator[str]:
    with served(lists_world.settings) as base:
        yield base


@pytest.fixture
def chromium() -> Iterator[object]:
    with headless_chromium() as launched:
        yield launched


@pytest.mark.browser
@pytest.mark.req("LIST-8", "DATA-3")
@pytest.mark.parametrize(("width", "height", "label"), [(1280, 900, "desktop"), (375, 740, "phone")])
def test_the_list_page_and_a_listed_subject_in_chromium(
    lists_world: ListsWorld, live: str, chromium: object, width: int, height: int, label: str
) -> None:
    world = lists_world
    with world.transaction() as session:
        world.blacklist(session, world.company, on=START)
        world.blacklist(session, world.person, on=START)
    page = chromium.new_page(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    page.goto(live + "/")
    page.click("header nav >> text=信用名单")
    page.wait_for_url("**/lists")
    text = page.inner_text("main")
    assert page.title().startswith("信用名单") and "严重失信主体名单（" in text and "移出公告（" in text
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, f"lists-{label}")
    page.goto(live + f"/subjects/{world.company}")
    assert "重大税收违法失信主体名单" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, f"subject-listed-{label}")
    page.close()


@pytest.mark.req("LIST-3")
def test_the_subject_states_its_case_from_its_own_page_within_the_defence_period(
    lists_world: ListsWorld,
) -> None:
    world = lists_world
    with world.transaction() as session:
        ctx = world.context(TODAY)
        entry = lists.propose(
            session,
            ctx,
            list_type="tax-major-violation",
            subject_key=world.company,
            reasons="虚开发票",
            org_code=world.org,
        )
        lists.serve_notice(session, ctx, number=entry.number, org_code=world.org)
    with world.client() as client:
        client.cookies.set("xinyong_session", world.signed_in(world.company, world.company_name))
        page = client.get("/me").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token is not None and f"/me/lists/{entry.number}/statement" in page and "陈述申辩期至" in page
        form = {"csrf_token": token.group(1), "text": "发票系供应商开具，本公司不知情", "objection": "yes"}
        forged = client.post(f"/me/lists/{entry.number}/statement", data={**form, "csrf_token": "forged"})
        heard = client.post(f"/me/lists/{entry.number}/statement", data=form, follow_redirects=False)
    assert forged.status_code == 403 and heard.status_code == 303
    with world.session() as session:
        steps = [(s.step, s.text) for s in lists.steps_of(session, entry.id)]
    assert steps[-1] == ("objection", "发票系供应商开具，本公司不知情")
