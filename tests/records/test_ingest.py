"""Providers push records: only catalog items, on legal documents; bad rows refused with row, field and
reason, good rows beside them kept; nothing duplicated, however often or by whichever route (ING, DATA)."""

from __future__ import annotations

import io
import json
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from xinyong.audit.service import AuditActor
from xinyong.clock import in_beijing
from xinyong.db.engine import session_factory
from xinyong.records import service
from xinyong.records.models import ImportJob, Record, RecordVersion

from .conftest import SCJGJ_USCC, Provider, penalty


def push(
    api: TestClient,
    headers: dict[str, str],
    *records: dict[str, Any],
    item: str = "admin-penalty",
    severity: str | None = "general",
) -> dict[str, Any]:
    body: dict[str, Any] = {"item": item, "records": list(records)}
    if severity:
        body["severity"] = severity
    response = api.post("/api/v1/records", headers=headers, json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def codes(summary: dict[str, Any]) -> set[tuple[int, str, str]]:
    return {(r["row"], r["field"], r["code"]) for r in summary["rejects"]}


@pytest.mark.req("ING-1", "ING-3")
def test_good_rows_are_kept_beside_bad_ones_with_row_field_and_reason(
    provider: Provider, api: TestClient
) -> None:
    tag = secrets.token_hex(3)
    summary = push(
        api,
        provider.headers,
        penalty(f"市监罚〔2026〕{tag}1号"),
        penalty(f"市监罚〔2026〕{tag}2号", uscc="91110000802100433A"),
        penalty(f"市监罚〔2026〕{tag}3号", decision_date="2026-02-30"),
        penalty(f"市监罚〔2026〕{tag}4号", fine_amount="2000元"),
    )
    assert (summary["accepted"], summary["rejected"], summary["duplicates"]) == (1, 3, 0)
    assert codes(summary) == {
        (2, "uscc", "uscc.checksum"),
        (3, "decision_date", "date.invalid"),
        (4, "fine_amount", "number.invalid"),
    }
    assert all(r["message"] for r in summary["rejects"])
    with session_factory(provider.engine)() as session:
        kept = service.rejects(session, summary["job"])
    assert [(r.row, r.code) for r in kept] == [
        (2, "uscc.checksum"),
        (3, "date.invalid"),
        (4, "number.invalid"),
    ]
    assert json.loads(kept[0].values)["document_number"].endswith("2号")  # the refused row is kept whole


@pytest.mark.req("ING-3", "ING-6")
def test_the_same_record_twice_or_by_another_route_is_not_duplicated(
    provider: Provider, api: TestClient
) -> None:
    number = f"市监罚〔2026〕{secrets.token_hex(3)}号"
    first = push(api, provider.headers, penalty(number))
    again = push(api, provider.headers, penalty(number), penalty(number))
    via_province = push(api, provider.province_headers, penalty(number))  # relayed by the provincial platform
    assert (first["accepted"], again["accepted"], again["duplicates"]) == (1, 0, 2)
    assert (via_province["accepted"], via_province["duplicates"]) == (0, 1)  # same original provider
    with session_factory(provider.engine)() as session:
        count = session.scalar(
            select(func.count()).select_from(Record).where(Record.document_number == number)
        )
    assert count == 1


@pytest.mark.req("ING-2")
def test_a_negative_record_needs_its_document_number_and_date(provider: Provider, api: TestClient) -> None:
    summary = push(api, provider.headers, penalty("", decision_date=""))
    assert {("document_number", "field.required"), ("decision_date", "field.required")} <= {
        (r["field"], r["code"]) for r in summary["rejects"]
    }
    assert summary["accepted"] == 0


@pytest.mark.req("ING-4", "PER-4", "PER-1")
def test_severity_is_required_and_sets_the_public_period(provider: Provider, api: TestClient) -> None:
    tag = secrets.token_hex(3)
    missing = push(api, provider.headers, penalty(f"{tag}-a"), severity=None)
    assert codes(missing) == {(1, "severity", "record.severity_required")}
    serious = push(api, provider.headers, penalty(f"{tag}-b", severity="严重"), severity=None)
    general = push(api, provider.headers, penalty(f"{tag}-c"), severity="general")
    minor = push(api, provider.headers, penalty(f"{tag}-d", severity="轻微"), severity=None)
    assert serious["accepted"] == general["accepted"] == minor["accepted"] == 1
    with session_factory(provider.engine)() as session:
        rows = {
            r.document_number: r
            for r in session.scalars(
                select(Record).where(Record.document_number.in_([f"{tag}-b", f"{tag}-c", f"{tag}-d"]))
            )
        }
    # Decided 2026-04-10 under order 36: serious to 2029-04-10 (repair from 2027-04-11), general 2027-04-10.
    assert (str(rows[f"{tag}-b"].public_until), str(rows[f"{tag}-b"].earliest_repair)) == (
        "2029-04-10",
        "2027-04-11",
    )
    assert str(rows[f"{tag}-c"].public_until) == "2027-04-10" and rows[f"{tag}-c"].severity == "general"
    assert rows[f"{tag}-d"].published is False


@pytest.mark.req("PER-1")
def test_a_public_until_later_than_the_rule_is_capped_and_says_so(
    provider: Provider, api: TestClient
) -> None:
    number = f"{secrets.token_hex(3)}-cap"
    push(api, provider.headers, penalty(number, public_until="2031-01-01"))
    with session_factory(provider.engine)() as session:
        record = session.scalar(select(Record).where(Record.document_number == number))
    assert record is not None and str(record.public_until) == "2027-04-10"
    assert "已按 2027-04-10 处理" in json.loads(record.notes)[0]


@pytest.mark.req("DATA-1")
def test_forbidden_personal_data_refuses_the_row(provider: Provider, api: TestClient) -> None:
    summary = push(api, provider.headers, penalty(f"{secrets.token_hex(3)}-blood", 血型="A"))
    assert codes(summary) == {(1, "血型", "data.forbidden")} and summary["accepted"] == 0


@pytest.mark.req("DATA-2")
def test_a_persons_finances_need_written_consent(provider: Provider, api: TestClient) -> None:
    person = {
        "uscc": "",
        "subject_category": "自然人",
        "id_type": "身份证",
        "id_number": "110105198001010016",
        "subject_name": "王五",
    }
    tag = secrets.token_hex(3)
    refused = push(api, provider.headers, penalty(f"{tag}-x", 收入="120000", **person))
    assert codes(refused) == {(1, "收入", "data.consent_required")}
    allowed = push(
        api, provider.headers, penalty(f"{tag}-y", 收入="120000", consent_ref="同意书2026-01", **person)
    )
    assert allowed["accepted"] == 1


@pytest.mark.req("ING-5")
def test_a_minors_record_is_flagged_for_lenient_treatment(provider: Provider, api: TestClient) -> None:
    number = f"{secrets.token_hex(3)}-minor"
    # Born 2009-05-01: 16 on the 2026-04-10 decision date.
    push(
        api,
        provider.headers,
        penalty(
            number,
            uscc="",
            subject_category="自然人",
            id_type="身份证",
            id_number="110105200905010019",
            subject_name="小明",
        ),
    )
    with session_factory(provider.engine)() as session:
        record = session.scalar(select(Record).where(Record.document_number == number))
    assert record is not None and record.lenient == "minor"


@pytest.mark.req("CAT-1", "ING-1")
def test_nothing_outside_the_catalog_and_only_its_providers(provider: Provider, api: TestClient) -> None:
    unknown = api.post(
        "/api/v1/records", headers=provider.headers, json={"item": "neighbour-gossip", "records": [{"x": 1}]}
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "catalog.unknown_item"
    court_only = api.post(
        "/api/v1/records",
        headers=provider.headers,
        json={"item": "court-dishonest-debtor", "records": [{"x": 1}]},
    )
    assert (
        court_only.status_code == 422 and court_only.json()["error"]["code"] == "record.provider_not_allowed"
    )


@pytest.mark.req("SEC-1", "ING-7")
def test_each_record_has_a_first_version_and_its_provider(provider: Provider, api: TestClient) -> None:
    number = f"{secrets.token_hex(3)}-v"
    summary = push(api, provider.headers, penalty(number))
    with session_factory(provider.engine)() as session:
        record = session.scalar(select(Record).where(Record.document_number == number))
        assert record is not None
        versions = service.versions_of(session, record.id)
        job = service.get_job(session, summary["job"])
    assert record.provider == provider.org and record.route == "api" and record.version == 1
    assert [(v.version, v.procedure) for v in versions] == [(1, "ingest")] and versions[0].data == record.data
    assert (job.status, job.accepted) == ("done", 1)


def test_every_version_row_belongs_to_a_record(provider: Provider) -> None:
    with session_factory(provider.engine)() as session:
        orphans = session.scalar(
            select(func.count())
            .select_from(RecordVersion)
            .where(~RecordVersion.record_id.in_(select(Record.id)))
        )
    assert orphans == 0


@pytest.mark.req("ING-1", "ING-3")
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_upload_a_file_and_download_the_reject_report(
    provider: Provider, api: TestClient, tmp_path: Path, fmt: str
) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]

    from .test_import import write_csv

    tag = secrets.token_hex(3)
    path = write_csv(tmp_path / "处罚.csv", [penalty(f"{tag}-1"), penalty(f"{tag}-2", fine_amount="=1+1")])
    with path.open("rb") as fh:
        response = api.post(
            "/api/v1/imports",
            headers=provider.headers,
            data={"item": "admin-penalty", "severity": "general"},
            files={"file": ("处罚.csv", fh, "text/csv")},
        )
    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["accepted"], summary["rejected"]) == (1, 1)
    status = api.get(f"/api/v1/imports/{summary['job']}", headers=provider.headers).json()
    assert (status["status"], status["filename"], status["total"]) == ("done", "处罚.csv", 2)
    download = api.get(
        f"/api/v1/imports/{summary['job']}/rejects", headers=provider.headers, params={"format": fmt}
    )
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    if fmt == "csv":
        lines = download.content.decode("utf-8-sig").splitlines()
    else:
        sheet = load_workbook(io.BytesIO(download.content)).active
        lines = [",".join(str(c or "") for c in row) for row in sheet.iter_rows(values_only=True)]
    assert lines[0].startswith("行号,字段,错误代码,说明")
    assert "3,fine_amount,number.invalid" in lines[1]
    other = api.get(f"/api/v1/imports/{summary['job']}", headers=provider.province_headers)
    assert other.status_code == 422 and other.json()["error"]["code"] == "import.not_found"


@pytest.mark.req("ING-3", "ING-6")
def test_authority_codes_are_checked_and_written_one_way(provider: Provider, api: TestClient) -> None:
    number = f"{secrets.token_hex(3)}-case"
    wrong = push(api, provider.headers, penalty(f"{number}-w", authority_uscc="11370100MB28590970"))
    assert (1, "authority_uscc", "uscc.checksum") in codes(wrong)
    first = push(api, provider.headers, penalty(number))
    lower = push(api, provider.headers, penalty(number, source_uscc=SCJGJ_USCC.lower()))
    assert (first["accepted"], lower["duplicates"]) == (1, 1)


@pytest.mark.req("ING-7", "ING-3")
def test_a_redelivery_with_other_content_is_a_correction_kept_as_a_version(
    provider: Provider, api: TestClient
) -> None:
    number = f"市监罚〔2026〕{secrets.token_hex(3)}号"
    push(api, provider.headers, penalty(number))
    corrected = push(api, provider.headers, penalty(number, fine_amount="0.5", penalty_content="罚款5000元"))
    again = push(api, provider.headers, penalty(number, fine_amount="0.5", penalty_content="罚款5000元"))
    assert (corrected["accepted"], corrected["corrected"], corrected["duplicates"]) == (0, 1, 0)
    assert (again["corrected"], again["duplicates"]) == (0, 1)
    with session_factory(provider.engine)() as session:
        record = session.scalars(select(Record).where(Record.document_number == number)).one()
        versions = service.versions_of(session, record.id)
        job = service.get_job(session, corrected["job"])
    assert record.version == 2 and json.loads(record.data)["fine_amount"] == "0.5"
    assert [(v.version, v.procedure) for v in versions] == [(1, "ingest"), (2, "correction")]
    assert json.loads(versions[0].data)["fine_amount"] == "0.2"  # what it said before is kept
    assert f"导入批次 {job.id}" in versions[1].reason and job.corrected == 1


@pytest.mark.req("ING-7")
def test_only_the_provider_withdraws_its_record_with_a_reason(provider: Provider, api: TestClient) -> None:
    number = f"市监罚〔2026〕{secrets.token_hex(3)}号"
    push(api, provider.headers, penalty(number))
    with session_factory(provider.engine)() as session:
        record_id = session.scalars(select(Record.id).where(Record.document_number == number)).one()
    path = f"/api/v1/records/{record_id}/withdraw"
    by_province = api.post(path, headers=provider.province_headers, json={"reason": "错报"})
    assert by_province.status_code == 422 and by_province.json()["error"]["code"] == "record.not_found"
    blank = api.post(path, headers=provider.headers, json={"reason": "  "})
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "record.reason_required"
    done = api.post(path, headers=provider.headers, json={"reason": "文号录入错误"})
    assert done.status_code == 200 and done.json() == {
        "record": record_id,
        "state": "withdrawn",
        "version": 2,
    }
    twice = api.post(path, headers=provider.headers, json={"reason": "文号录入错误"})
    assert twice.json()["error"]["code"] == "record.already_withdrawn"
    with session_factory(provider.engine)() as session:
        versions = service.versions_of(session, record_id)
    assert [(v.version, v.state, v.procedure, v.reason) for v in versions][-1] == (
        2,
        "withdrawn",
        "withdrawal",
        "文号录入错误",
    )


@pytest.mark.req("SUB-1", "SUB-2")
def test_the_subject_category_must_agree_with_the_code(provider: Provider, api: TestClient) -> None:
    tag = secrets.token_hex(3)
    summary = push(
        api,
        provider.headers,
        penalty(f"市监罚〔2026〕{tag}1号", subject_category="自然人"),
        penalty(
            f"市监罚〔2026〕{tag}2号",
            subject_category="法人及非法人组织",
            uscc="",
            id_type="身份证",
            id_number="11010519491231002X",
        ),
        penalty(
            f"市监罚〔2026〕{tag}3号",
            subject_category="自然人",
            uscc="",
            id_type="身份证",
            id_number="11010519491231002X",
        ),
    )
    assert codes(summary) == {
        (1, "subject_category", "subject.category_mismatch"),
        (2, "subject_category", "subject.category_mismatch"),
    }
    assert summary["accepted"] == 1


@pytest.mark.req("CAT-2")
def test_an_item_collects_only_the_subject_kinds_it_names(provider: Provider, api: TestClient) -> None:
    record = {
        "subject_name": "某市市场监督管理局",
        "uscc": SCJGJ_USCC,  # 11…: an organ of government, which the A-grade taxpayer list does not name
        "tax_year": "2025",
        "grade": "A",
        "decision_date": "2026-04-10",
        "authority": "国家税务总局某市税务局",
    }
    summary = push(api, provider.headers, record, item="tax-a-grade", severity=None)
    assert codes(summary) == {(1, "uscc", "record.subject_kind_not_allowed")}
    assert "政府机构" in summary["rejects"][0]["message"]


@pytest.mark.req("ING-3")
def test_decisions_are_not_dated_in_the_future_and_periods_not_before_them(
    provider: Provider, api: TestClient
) -> None:
    tag = secrets.token_hex(3)
    summary = push(
        api,
        provider.headers,
        penalty(f"市监罚〔2026〕{tag}1号", decision_date="2026-11-24", valid_until="2027-11-24"),
        penalty(f"市监罚〔2026〕{tag}2号", valid_until="2026-04-09"),
        penalty(f"市监罚〔2026〕{tag}3号", decision_date="2026-11-23", valid_until="2026-11-23"),
    )
    assert codes(summary) == {
        (1, "decision_date", "date.future"),
        (2, "valid_until", "date.order"),
    }
    assert "早于处罚决定日期 2026-04-10" in next(r["message"] for r in summary["rejects"] if r["row"] == 2)


@pytest.mark.req("ING-7", "ING-6")
def test_only_the_delivering_provider_corrects_and_every_change_counts(
    provider: Provider, api: TestClient
) -> None:
    number = f"市监罚〔2026〕{secrets.token_hex(3)}号"
    push(api, provider.headers, penalty(number))
    relayed = push(api, provider.province_headers, penalty(number, fine_amount="9"))
    assert (relayed["corrected"], relayed["duplicates"]) == (0, 1)  # another organisation cannot rewrite it
    graver = push(api, provider.headers, penalty(number), severity="serious")
    assert graver["corrected"] == 1  # the severity alone changed: a correction, with the period it sets
    with session_factory(provider.engine)() as session:
        record = session.scalars(select(Record).where(Record.document_number == number)).one()
    assert (record.severity, record.version, json.loads(record.data)["fine_amount"]) == ("serious", 2, "0.2")


@pytest.mark.req("ING-7")
def test_a_job_silent_past_the_limit_is_shown_interrupted_and_the_provider_told_to_send_again(
    provider: Provider, api: TestClient
) -> None:
    """A killed import never finishes: while its batches keep coming it is running, after
    ``STALLED_AFTER`` without one it is interrupted, with the advice to send the same file again."""
    now = provider.settings.clock.now()
    actor = AuditActor(account_id=None, org=provider.org, label="测试")
    jobs = {}
    with session_factory(provider.engine)() as session, session.begin():
        for name, silent in (("quiet", service.STALLED_AFTER + timedelta(minutes=1)), ("busy", timedelta(0))):
            job = service.start_job(
                session,
                provider=provider.org,
                item_code="admin-penalty",
                route="file",
                filename=f"{name}.csv",
                actor=actor,
                now=now - timedelta(hours=1),
            )
            job.progressed_at = now - silent
            jobs[name] = job.id
    quiet = api.get(f"/api/v1/imports/{jobs['quiet']}", headers=provider.headers).json()
    busy = api.get(f"/api/v1/imports/{jobs['busy']}", headers=provider.headers).json()
    assert quiet["status"] == "interrupted" and "重新提交同一文件" in quiet["message"]
    assert busy["status"] == "running" and busy["message"] is None
    with session_factory(provider.engine)() as session:
        stored = session.get(ImportJob, jobs["quiet"])
        assert (
            stored is not None and stored.status == "running"
        )  # shown, never written: a late batch still counts
        assert stored.progressed_at is not None
        limit = in_beijing(stored.progressed_at) + service.STALLED_AFTER
        assert service.shown_status(stored, limit) == "running"  # interrupted only past the limit
