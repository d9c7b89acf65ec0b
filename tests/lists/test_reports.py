"""Credit reports name the subject's list entries: the public version those on display (LIST-8), the
subject's own version every entry with its status and procedure, a person's the listings of its
organisations (LIST-6), the special report the black listings of the chosen domains and period (DIS-10)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from .conftest import ListsWorld
from .test_documents import START, pdf_text


@pytest.mark.req("LIST-8", "DIS-7", "DIS-10", "LIST-6")
def test_reports_show_the_entries_each_version_may_show(lists_world: ListsWorld, tmp_path: Path) -> None:
    world = lists_world
    with world.transaction() as session:
        active = world.blacklist(session, world.company, on=START)
        expired = world.blacklist(session, world.company, on=date(2023, 1, 3), term_end=date(2024, 2, 1))
    with world.client() as client:
        public = client.get(f"/api/v1/subjects/{world.company}/report", headers=world.headers)
        client.cookies.set("xinyong_session", world.signed_in(world.company, world.company_name))
        own = client.get(f"/api/v1/subjects/{world.company}/report", params={"kind": "subject"})
        period = {"domains": ["tax", "market"], "start": (START - timedelta(days=365)).isoformat()}
        special = client.get(
            f"/api/v1/subjects/{world.company}/special-report", params={**period, "end": "2026-11-23"}
        )
        client.cookies.set("xinyong_session", world.signed_in(world.officer, "李四"))
        officer = client.get(f"/api/v1/subjects/{world.officer}/report", params={"kind": "subject"})
    assert public.status_code == own.status_code == special.status_code == officer.status_code == 200
    shown = pdf_text(public.content, tmp_path, "report-public")
    assert active.number in shown and expired.number not in shown and "重大税收违法失信主体名单" in shown
    assert "虚开增值税专用发票" not in shown  # the reasons stay in the subject's own version
    mine = pdf_text(own.content, tmp_path, "report-own")
    assert active.number in mine and expired.number in mine and "【名单有效】" in mine
    assert "送达事先告知书" in mine and "虚开增值税专用发票" in mine
    found = pdf_text(special.content, tmp_path, "report-special")
    assert "严重失信主体名单：查见1条" in found and active.number in found  # tax; the 2023 one ended before
    assert "严重失信主体名单：未查见" in found  # market
    marked = pdf_text(officer.content, tmp_path, "report-officer")
    assert f"所在单位{world.company_name}被列入重大税收违法失信主体名单（{active.number}）" in marked
