"""The operators' and providers' dashboard of case steps: the operator sees every organisation's open steps,
a provider only its own; overdue steps come first, each says how late or how long is left in working days."""

from __future__ import annotations

import secrets
from datetime import date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.conftest import org_with_token
from xinyong.access.security import secret_key
from xinyong.clock import CHINA_TZ
from xinyong.deadlines import service as deadlines
from xinyong.profiles.loader import load_profile
from xinyong.settings import Settings
from xinyong.workdays import working_calendar

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=CHINA_TZ)


@pytest.mark.req("OBJ-3")
def test_open_steps_by_due_date_overdue_first_for_whoever_must_act(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    tag = secrets.token_hex(3)
    national = load_profile("national", ())
    calendar = working_calendar(settings.data_dir.resolve())
    key = secret_key(settings.data_dir.resolve())
    with Session(engine) as session, session.begin():
        operator = org_with_token(
            session, code=f"op{tag}", kind="operator", role="operator_staff", key=key, now=NOW
        )
        provider = org_with_token(
            session, code=f"pr{tag}", kind="provider", role="provider", key=key, now=NOW
        )
        other = f"ot{tag}"
        steps = (
            ("objection", f"YY{tag}1", "provider_reply", f"pr{tag}", date(2026, 11, 19)),  # due 11-26
            ("revocation", f"CX{tag}1", "apply", f"pr{tag}", date(2026, 11, 10)),  # due 11-12: late
            ("repair", f"XF{tag}1", "opinion", other, date(2026, 11, 20)),  # another organisation's
        )
        for kind, number, step, org, started in steps:
            deadlines.start(
                session,
                calendar=calendar,
                case_of=deadlines.Case(kind, number, f"key{tag}"),
                step=step,
                label=step,
                days=national.objection.deadlines["provider_reply"]
                if kind != "revocation"
                else national.revocation.platform_apply_days,
                org_code=org,
                started_on=started,
                now=NOW,
            )

    def queue(token: str) -> list[tuple[str, str, str, int]]:
        answer = client.get("/api/v1/deadlines", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200, answer.text
        mine = [d for d in answer.json() if tag in d["case"]]
        return [(d["case"], d["state"], d["due_on"], d["working_days"]) for d in mine]

    # 11-12 to 11-23 is 7 working days late; 11-26 is 3 working days away.
    assert queue(provider) == [
        (f"CX{tag}1", "overdue", "2026-11-12", 7),
        (f"YY{tag}1", "due", "2026-11-26", 3),
    ]
    assert [case for case, *_ in queue(operator)] == [f"CX{tag}1", f"YY{tag}1", f"XF{tag}1"]
    page = client.get("/admin/cases", headers={"Authorization": f"Bearer {provider}"})
    assert page.status_code == 200
    html = page.text
    assert html.index(f"CX{tag}1") < html.index(f"YY{tag}1") and f"XF{tag}1" not in html
    assert "超期 7 个工作日" in html and f'href="/admin/revocations/CX{tag}1"' in html
    anonymous = client.get("/api/v1/deadlines")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"]
