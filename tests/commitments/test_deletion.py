"""A subject deletes its own positive information (REP-7): the record becomes ``deleted`` by the deletion
procedure, leaves every view but the subject's own history, and the request is kept; another subject's
record or one that is not positive is refused."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

import pytest
from fastapi.testclient import TestClient

from xinyong.records import deletion
from xinyong.records import service as records

from ..records.conftest import penalty
from .conftest import CaseWorld


def award(subject: str, name: str) -> dict[str, Any]:
    return {
        "subject_name": name,
        "uscc": subject,
        "award_name": f"诚信经营示范单位{secrets.token_hex(2)}",
        "document_number": f"济政字〔2026〕{secrets.randbelow(900) + 100}号",
        "decision_date": "2026-05-10",
        "authority": "某市人民政府",
    }


def _form(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/me").text)
    assert found is not None
    return found.group(1)


@pytest.mark.req("REP-7")
def test_the_subject_deletes_its_own_award_and_it_leaves_every_view_but_its_history(
    case_world: CaseWorld,
) -> None:
    world, company, name = case_world, case_world.lists.company, case_world.lists.company_name
    with world.client() as client:
        world.push(client, "award", [award(company, name)])
        [record] = world.records(company, "award")
        before = client.get(f"/subjects/{company}").text
        client.cookies.set("xinyong_session", world.lists.signed_in(company, name))
        own = client.get("/me").text
        token = _form(client)
        forged = client.post(
            f"/me/records/{record.id}/deletion", data={"csrf_token": "x", "reason": "不愿公开"}
        )
        done = client.post(
            f"/me/records/{record.id}/deletion",
            data={"csrf_token": token, "reason": "不愿公开"},
            follow_redirects=False,
        )
        history = client.get("/me").text
        client.cookies.clear()
        after = client.get(f"/subjects/{company}").text
    award_name = json.loads(record.data)["award_name"]
    assert award_name in before and f"/me/records/{record.id}/deletion" in own
    assert forged.status_code == 403 and done.status_code == 303
    assert award_name not in after
    assert award_name in history and f"/me/records/{record.id}/deletion" not in history  # kept, no button
    with world.lists.session() as session:
        gone = records.get(session, record.id)
        assert gone.state == "deleted"
        last = records.versions_of(session, record.id)[-1]
        assert (last.procedure, last.state) == ("deletion", "deleted") and "不愿公开" in last.reason
        [asked] = deletion.requests_of(session, company)
        assert (asked.record_id, asked.reason) == (record.id, "不愿公开") and name in asked.actor_label


@pytest.mark.req("REP-7")
def test_another_subjects_record_is_not_found_and_a_negative_record_is_not_positive(
    case_world: CaseWorld,
) -> None:
    world, company, name = case_world, case_world.lists.company, case_world.lists.company_name
    with world.client() as client:
        world.push(client, "award", [award(company, name)])
        world.push(
            client,
            "admin-penalty",
            [penalty(f"济罚〔2026〕{secrets.token_hex(3)}号", uscc=company)],
            severity="general",
        )
        [own_award] = world.records(company, "award")
        [own_penalty] = world.records(company, "admin-penalty")
        client.cookies.set(
            "xinyong_session", world.lists.signed_in(world.lists.person, world.lists.person_name)
        )
        token = _form(client)
        stranger = client.post(f"/me/records/{own_award.id}/deletion", data={"csrf_token": token})
        client.cookies.set("xinyong_session", world.lists.signed_in(company, name))
        token = _form(client)
        negative = client.post(f"/me/records/{own_penalty.id}/deletion", data={"csrf_token": token})
        nothing = client.post("/me/records/999999999/deletion", data={"csrf_token": token})
        on_behalf = client.post(
            f"/api/v1/records/{own_award.id}/deletion",
            headers=world.operator_headers,
            json={"reason": "主体来电申请", "subject": company},
        )
    assert stranger.status_code == 404 and "record.not_found" in stranger.text
    assert negative.status_code == 422 and "deletion.not_positive" in negative.text
    assert nothing.status_code == 404
    assert on_behalf.status_code == 200 and on_behalf.json()["state"] == "deleted"
    with world.lists.session() as session:
        assert records.get(session, own_penalty.id).state == "active"
