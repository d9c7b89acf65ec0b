"""Commitments: the list of commitment matters (COM-1), a subject's commitments and their fulfilment in its
archive (COM-1), a false or broken commitment as dishonesty information through ingestion (COM-2)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from xinyong.commitments import service
from xinyong.errors import XinyongError
from xinyong.records import service as records

from .conftest import CaseWorld


def commitment(subject: str, name: str, **overrides: Any) -> dict[str, Any]:
    row = {
        "subject_name": name,
        "subject_category": "法人及非法人组织",
        "uscc": subject,
        "commitment_type": "审批替代型（告知承诺）",
        "commitment_matter": "食品经营许可",
        "commitment_content": "本单位承诺申请材料真实，经营场所符合食品安全要求",
        "document_number": f"CN{secrets.token_hex(4)}",
        "decision_date": "2026-09-01",
        "authority": "某市市场监督管理局",
    }
    row.update(overrides)
    return row


@pytest.mark.req("COM-1")
def test_the_shipped_matters_cover_every_kind_each_with_department_and_basis(tmp_path: Path) -> None:
    found = service.matters(tmp_path)
    kinds = {m.kind for m in found.matters.values()}
    assert kinds == {"notification", "tolerance", "voluntary", "repair", "industry"}
    assert all(m.department and m.basis for m in found.matters.values())
    assert "CT 第三十二条" in found.matters["tolerance-acceptance"].basis


@pytest.mark.req("COM-1")
def test_a_local_matter_is_added_and_a_matter_without_basis_is_refused(tmp_path: Path) -> None:
    local = tmp_path / "commitments"
    local.mkdir()
    (local / "city.toml").write_text(
        'scope = "local"\napproved_by = "某市发展改革委"\n[[matters]]\ncode = "food-licence"\n'
        'name = "食品经营许可告知承诺"\nkind = "notification"\ndepartment = "市场监督管理局"\n'
        'basis = "某市告知承诺事项目录（2026年）"\n',
        encoding="utf-8",
    )
    assert service.matters(tmp_path).matters["food-licence"].kind == "notification"
    bad = tmp_path / "bad"
    (bad / "commitments").mkdir(parents=True)
    (bad / "commitments" / "x.toml").write_text(
        'scope = "local"\napproved_by = "x"\n[[matters]]\ncode = "y"\nname = "y"\nkind = "promise"\n'
        'department = "z"\nbasis = ""\n',
        encoding="utf-8",
    )
    with pytest.raises(XinyongError) as refused:
        service.matters(bad)
    assert refused.value.code == "commitments.invalid" and "basis" in refused.value.problem.message


@pytest.mark.req("COM-1")
def test_the_matters_are_listed_by_the_api(case_world: CaseWorld) -> None:
    with case_world.client() as client:
        listed = client.get("/api/v1/commitments/matters").json()
    assert {m["kind_label"] for m in listed} >= {"告知承诺", "容缺受理承诺", "信用修复承诺", "行业自律承诺"}


@pytest.mark.req("COM-1")
def test_a_kept_commitment_is_a_new_version_of_the_record_in_the_archive(case_world: CaseWorld) -> None:
    world = case_world
    with world.client() as client:
        world.push(client, "commitment", [commitment(world.lists.company, world.lists.company_name)])
        [made] = world.records(world.lists.company, "commitment")
        other = client.post(
            f"/api/v1/commitments/{made.id}/fulfilment", headers=world.lists.headers, json={"outcome": "kept"}
        )
        kept = client.post(
            f"/api/v1/commitments/{made.id}/fulfilment",
            headers=world.provider_headers,
            json={"outcome": "kept"},
        )
        again = client.post(
            f"/api/v1/commitments/{made.id}/fulfilment",
            headers=world.provider_headers,
            json={"outcome": "false"},
        )
    assert other.status_code == 404  # only the department that accepted it
    assert kept.json() == {"record": made.id, "outcome": "kept", "job": None}
    assert again.json()["error"]["code"] == "commitment.assessed"
    with world.lists.session() as session:
        versions = records.versions_of(session, made.id)
    assert [v.procedure for v in versions] == ["ingest", "fulfilment"]
    assert json.loads(versions[-1].data)["fulfilment"] == "已履行承诺"
    assert world.records(world.lists.company, "dishonest-commitment") == []


@pytest.mark.req("COM-2")
@pytest.mark.parametrize(("outcome", "label"), [("false", "虚假承诺"), ("broken", "未履行承诺")])
def test_a_false_or_broken_commitment_becomes_a_negative_record_through_ingestion(
    case_world: CaseWorld, outcome: str, label: str
) -> None:
    world = case_world
    subject = world.lists.company
    with world.client() as client:
        world.push(client, "commitment", [commitment(subject, world.lists.company_name)])
        [made] = world.records(subject, "commitment")
        missing = client.post(
            f"/api/v1/commitments/{made.id}/fulfilment",
            headers=world.provider_headers,
            json={"outcome": outcome},
        )
        body = {
            "outcome": outcome,
            "facts": "现场核查经营场所与承诺不符",
            "document_number": "济市监信认〔2026〕5号",
        }
        done = client.post(
            f"/api/v1/commitments/{made.id}/fulfilment", headers=world.provider_headers, json=body
        )
        job = client.get(f"/api/v1/imports/{done.json()['job']}", headers=world.provider_headers).json()
    assert missing.json()["error"]["code"] == "commitment.facts_required"
    [negative] = world.records(subject, "dishonest-commitment")
    data = json.loads(negative.data)
    assert (data["commitment_record"], data["outcome"]) == (str(made.id), label)
    assert negative.state == "active" and negative.severity == "general" and negative.route == "api"
    assert negative.job_id == done.json()["job"] and job["accepted"] == 1  # an import job like any other
    assert negative.public_until is not None and negative.public_until > negative.decision_date  # type: ignore[operator]
    with world.lists.session() as session:
        assert json.loads(records.get(session, made.id).data)["fulfilment"] == label


@pytest.mark.req("COM-1")
def test_the_command_line_lists_the_matters_and_refuses_a_bad_local_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from xinyong.cli import app

    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path))
    listed = CliRunner().invoke(app, ["commitments", "matters", "--json"])
    assert listed.exit_code == 0, listed.output
    assert {m["kind"] for m in json.loads(listed.stdout)} >= {"notification", "tolerance", "industry"}
    (tmp_path / "bad" / "commitments").mkdir(parents=True)
    (tmp_path / "bad" / "commitments" / "x.toml").write_text('scope = "national"\n', encoding="utf-8")
    monkeypatch.setenv("XINYONG_DATA_DIR", str(tmp_path / "bad"))
    refused = CliRunner().invoke(app, ["commitments", "matters"])
    assert refused.exit_code == 1 and "commitments.invalid" in refused.output
