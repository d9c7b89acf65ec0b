"""Reporters are protected (PUB-1, JS-J 十五 严格保护举报人合法权益): who reported is seen only by the
department the tip is routed to, when it asks, and each look is audited; no listing, log, message or
anything the reported subject sees or exports carries it."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from xinyong.audit.models import AuditEvent
from xinyong.tips.models import TipReporter
from xinyong.web.app import create_app

from ..disclosure.test_reports import pdf_text
from .conftest import REPORTER_NAME, REPORTER_PHONE, World, csrf, form

SECRETS = (REPORTER_NAME, REPORTER_PHONE)


def leaks(body: str) -> list[str]:
    return [s for s in SECRETS if s in body]


@pytest.mark.req("PUB-1")
def test_only_the_handling_department_sees_the_reporter_and_each_look_is_audited(world: World) -> None:
    with TestClient(create_app(world.settings)) as client:
        number = client.post("/api/v1/tips", data=form(world)).json()["number"]
        # Listings and the case itself carry no reporter, for the operator or the department.
        for headers in (world.operator, world.headers):
            assert leaks(client.get("/api/v1/tips", headers=headers).text) == []
            assert leaks(client.get(f"/api/v1/tips/{number}", headers=headers).text) == []
            assert leaks(client.get("/admin/tips", headers=headers).text) == []
            assert leaks(client.get(f"/admin/tips/{number}", headers=headers).text) == []
        # The operator routes by the matter; the reporter is not its business unless the tip is its own.
        assert client.get(f"/api/v1/tips/{number}/reporter", headers=world.operator).status_code == 404
        assert client.get(f"/api/v1/tips/{number}/reporter", headers=world.other_headers).status_code == 404
        shown = client.get(f"/api/v1/tips/{number}/reporter", headers=world.headers)
        assert shown.status_code == 200, shown.text
        assert shown.json() == {"anonymous": False, "name": REPORTER_NAME, "contact": REPORTER_PHONE}
        page = client.get(f"/admin/tips/{number}", headers=world.headers)
        revealed = client.post(
            f"/admin/tips/{number}/reporter", headers=world.headers, data={"csrf_token": csrf(page.text)}
        )
        assert (
            revealed.status_code == 200
            and REPORTER_NAME in revealed.text
            and "已记入审计日志" in revealed.text
        )
        audit = client.get("/api/v1/audit/events?action=tip.reporter_read", headers=world.operator).json()
    looks = [e for e in audit if e["target_id"] == number]
    assert len(looks) == 2 and all(e["actor_org"] == world.dept for e in looks)
    assert leaks(str(looks)) == []


@pytest.mark.req("PUB-1")
def test_no_log_message_or_case_table_holds_the_reporter(world: World) -> None:
    with TestClient(create_app(world.settings)) as client:
        number = client.post("/api/v1/tips", data=form(world)).json()["number"]
        client.get(f"/api/v1/tips/{number}/reporter", headers=world.headers)
        client.post(f"/api/v1/tips/{number}/acceptance", headers=world.headers)
        client.post(f"/api/v1/tips/{number}/answer", headers=world.headers, data={"text": "已查处"})
    with world.session() as session:
        stored = {
            table: " ".join(str(v) for row in session.execute(text(f"SELECT * FROM {table}")) for v in row)
            for table in ("tip", "tip_step", "tip_file", "deadline", "outbox_message", "audit_event")
        }
        filed = session.scalars(select(AuditEvent).where(AuditEvent.action == "tip.filed")).all()
        kept = session.scalars(select(TipReporter)).all()
    assert {table: leaks(body) for table, body in stored.items()} == {key: [] for key in stored}
    assert {e.actor_label for e in filed} == {"举报人"} and {e.actor_account_id for e in filed} == {None}
    assert REPORTER_NAME in {r.name for r in kept}  # kept, but only here


@pytest.mark.req("PUB-1")
def test_the_reported_subject_never_sees_tips_or_their_reporters(world: World, tmp_path: Path) -> None:
    with TestClient(create_app(world.settings)) as client:
        number = client.post("/api/v1/tips", data=form(world)).json()["number"]
        client.get(f"/api/v1/tips/{number}/reporter", headers=world.headers)
        client.cookies.set("xinyong_session", world.subject_cookie)
        own = {
            "me": client.get("/me"),
            "records": client.get(f"/api/v1/subjects/{world.company}/records"),
            "access_log": client.get("/api/v1/me/access-log"),
            "report": client.get(f"/api/v1/subjects/{world.company}/report?kind=subject"),
        }
        assert {name: r.status_code for name, r in own.items()} == dict.fromkeys(own, 200)
        bodies = {name: r.text for name, r in own.items() if name != "report"}
        bodies["report"] = pdf_text(own["report"].content, tmp_path)
        assert "被举报测试有限公司" in bodies["report"]  # the subject's own report, read back as text
        assert {name: leaks(b) for name, b in bodies.items()} == {key: [] for key in bodies}
        assert [name for name, b in bodies.items() if number in b] == []
        # Its session holds no tip permission: the tip and its reporter do not exist for it.
        assert client.get(f"/api/v1/tips/{number}/reporter").status_code == 403
        assert client.get(f"/admin/tips/{number}").status_code == 403
