"""Department files in the national 双公示 format: CSV (UTF-8, GB18030) and XLSX, streamed in batches;
bad rows reported, good rows kept, a file sent twice or an import stopped and run again adds each row once."""

from __future__ import annotations

import csv
import io
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy import func, select, text

from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.db.engine import session_factory
from xinyong.errors import XinyongError
from xinyong.profiles.loader import load_profile
from xinyong.profiles.schema import Severity
from xinyong.records import ingest
from xinyong.records import service as records_service
from xinyong.records.models import ImportJob, Record

from .conftest import Provider, penalty

# The national penalty template's labels for the fields of ``penalty()``.
LABELS = {
    "subject_name": "行政相对人名称",
    "subject_category": "行政相对人类别",
    "uscc": "行政相对人代码_1(统一社会信用代码)",
    "legal_representative": "法定代表人",
    "document_number": "行政处罚决定书文号",
    "violation_type": "违法行为类型",
    "violation_facts": "违法事实",
    "penalty_basis": "处罚依据",
    "penalty_category": "处罚类别",
    "penalty_content": "处罚内容",
    "fine_amount": "罚款金额（万元）",
    "decision_date": "处罚决定日期",
    "valid_until": "处罚有效期",
    "authority": "处罚机关",
    "authority_uscc": "处罚机关统一社会信用代码",
    "source": "数据来源单位",
    "source_uscc": "数据来源单位统一社会信用代码",
}


def table(rows: list[dict[str, Any]], extra: tuple[str, ...] = ()) -> tuple[list[str], list[list[str]]]:
    headers = [*LABELS.values(), *extra]
    body = [[str(r.get(k, "")) for k in LABELS] + [str(r.get(e, "")) for e in extra] for r in rows]
    return headers, body


def write_csv(
    path: Path, rows: list[dict[str, Any]], *, encoding: str = "utf-8-sig", extra: tuple[str, ...] = ()
) -> Path:
    headers, body = table(rows, extra)
    buffer = io.StringIO()
    csv.writer(buffer).writerows([headers, *body])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(provider: Provider, path: Path, severity: Severity | None = "general") -> ingest.Summary:
    delivery = ingest.Delivery(
        provider=provider.org,
        item_code="admin-penalty",
        route="file",
        actor=audit_actor(system_actor(policy())),
        filename=path.name,
        default_severity=severity,
    )
    return ingest.import_file(
        session_factory(provider.engine),
        path=path,
        delivery=delivery,
        profile=load_profile("national"),
        clock=provider.settings.clock,
    )


def stored(provider: Provider, numbers: list[str]) -> int:
    with session_factory(provider.engine)() as session:
        query = select(func.count()).select_from(Record).where(Record.document_number.in_(numbers))
        return int(session.scalar(query) or 0)


@pytest.mark.req("ING-1", "ING-3")
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_a_csv_with_one_bad_row_keeps_the_others(provider: Provider, tmp_path: Path, encoding: str) -> None:
    tag = secrets.token_hex(3)
    rows = [penalty(f"罚{tag}-{n}号") for n in range(5)]
    rows[2]["uscc"] = "91110000802100433A"  # a wrong check character
    summary = run(provider, write_csv(tmp_path / "penalties.csv", rows, encoding=encoding))
    assert (summary.accepted, summary.rejected) == (4, 1)
    assert [(r["row"], r["field"], r["code"]) for r in summary.rejects] == [(4, "uscc", "uscc.checksum")]


@pytest.mark.req("ING-1")
def test_an_xlsx_file_with_real_dates_and_numbers(provider: Provider, tmp_path: Path) -> None:
    from datetime import date

    tag = secrets.token_hex(3)
    headers, body = table([penalty(f"罚{tag}-x号")])
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    row: list[Any] = list(body[0])
    row[list(LABELS).index("decision_date")] = date(2026, 4, 10)
    row[list(LABELS).index("fine_amount")] = 0.2
    sheet.append(row)
    path = tmp_path / "penalties.xlsx"
    book.save(path)
    summary = run(provider, path)
    assert (summary.accepted, summary.rejected) == (1, 0)
    with session_factory(provider.engine)() as session:
        record = session.scalar(select(Record).where(Record.document_number == f"罚{tag}-x号"))
    assert record is not None and json.loads(record.data)["fine_amount"] == "0.2"
    assert str(record.decision_date) == "2026-04-10"


@pytest.mark.req("DATA-1", "ING-2")
def test_a_blood_type_column_and_a_missing_document_number_refuse_their_rows(
    provider: Provider, tmp_path: Path
) -> None:
    tag = secrets.token_hex(3)
    rows = [penalty(f"罚{tag}-1号", 血型="A"), penalty("", 血型=""), penalty(f"罚{tag}-3号", 血型="")]
    summary = run(provider, write_csv(tmp_path / "p.csv", rows, extra=("血型",)))
    assert summary.accepted == 1
    found = {(r["row"], r["field"], r["code"]) for r in summary.rejects}
    assert (2, "血型", "data.forbidden") in found and (3, "document_number", "field.required") in found


@pytest.mark.req("ING-4")
def test_a_severity_column_in_the_file(provider: Provider, tmp_path: Path) -> None:
    tag = secrets.token_hex(3)
    rows = [penalty(f"罚{tag}-s号", 失信程度="严重")]
    summary = run(provider, write_csv(tmp_path / "p.csv", rows, extra=("失信程度",)), severity=None)
    assert summary.accepted == 1 and summary.warnings == []
    with session_factory(provider.engine)() as session:
        record = session.scalar(select(Record).where(Record.document_number == f"罚{tag}-s号"))
    assert record is not None and record.severity == "serious"


@pytest.mark.req("ING-3")
def test_the_same_file_twice_adds_nothing_the_second_time(provider: Provider, tmp_path: Path) -> None:
    tag = secrets.token_hex(3)
    path = write_csv(tmp_path / "p.csv", [penalty(f"罚{tag}-{n}号") for n in range(3)])
    first, second = run(provider, path), run(provider, path)
    assert (first.accepted, second.accepted, second.duplicates) == (3, 0, 3)


@pytest.mark.req("ING-3")
def test_an_import_stopped_half_way_and_run_again_stores_every_row_once(
    provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = secrets.token_hex(3)
    numbers = [f"罚{tag}-{n}号" for n in range(10)]
    path = write_csv(tmp_path / "p.csv", [penalty(n) for n in numbers])
    monkeypatch.setattr(ingest, "BATCH", 4)
    calls = {"n": 0}
    original = records_service.store_batch

    def dies_on_the_second_batch(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a killed process
        return original(*args, **kwargs)

    monkeypatch.setattr(records_service, "store_batch", dies_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        run(provider, path)
    assert stored(provider, numbers) == 4  # the first batch, committed; the second rolled back whole
    monkeypatch.setattr(records_service, "store_batch", original)
    again = run(provider, path)
    assert (again.accepted, again.duplicates) == (6, 4) and stored(provider, numbers) == 10


@pytest.mark.req("ING-1")
def test_wrong_headers_say_which_are_missing(provider: Provider, tmp_path: Path) -> None:
    path = tmp_path / "wrong.csv"
    path.write_text("名称,日期\n某公司,2026-01-01\n", encoding="utf-8")
    with pytest.raises(XinyongError) as caught:
        run(provider, path)
    assert caught.value.code == "file.headers" and "行政处罚决定书文号" in caught.value.message


OLD_TEMPLATE = ["CF_WSH", "CF_CFMC", "CF_CFLB1", "CF_SY", "CF_YJ", "CF_XDR_MC", "CF_XDR_SHXYM", "CF_FR"]
OLD_TEMPLATE += ["CF_JG", "CF_JDRQ", "CF_XZJG", "CF_ZT", "DFBM", "SJC"]


@pytest.mark.req("ING-1", "ING-3")
def test_a_file_in_the_old_template_needs_only_the_old_columns(provider: Provider, tmp_path: Path) -> None:
    number = f"济市监罚〔2017〕{secrets.token_hex(3)}号"
    row = [number, "虚假宣传案", "罚款", "发布虚假广告", "《广告法》第五十五条", "某某有限公司"]
    row += [penalty("")["uscc"], "李四", "罚款2000元", "2017/06/30", "某市市场监督管理局", "0", "370100"]
    row += ["2017-07-01 10:00:00"]
    path = tmp_path / "old.csv"
    with path.open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows([OLD_TEMPLATE, row])
    summary = run(provider, path)
    assert (summary.accepted, summary.rejected) == (1, 0), summary.rejects
    assert summary.warnings == []  # every old column has its field
    with session_factory(provider.engine)() as session:
        record = session.scalars(select(Record).where(Record.document_number == number)).one()
    data = json.loads(record.data)
    assert (data["penalty_content"], data["region_code"], data["status"]) == ("罚款2000元", "370100", "0")
    assert record.decision_date is not None and record.decision_date.isoformat() == "2017-06-30"


@pytest.mark.req("ING-1")
def test_a_current_file_missing_some_of_the_new_columns_is_refused(
    provider: Provider, tmp_path: Path
) -> None:
    headers, _ = table([])
    kept = [h for h in headers if h not in ("数据来源单位", "数据来源单位统一社会信用代码")]
    path = tmp_path / "p.csv"
    path.write_text(",".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(XinyongError) as caught:
        run(provider, path)
    assert caught.value.code == "file.headers"
    assert (
        "数据来源单位" in caught.value.message
        and "处罚机关" not in caught.value.message.split("缺少必填列")[1]
    )


@pytest.mark.req("ING-3")
def test_a_file_that_breaks_off_keeps_what_came_before_and_the_job_says_why(
    provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tag = secrets.token_hex(3)
    numbers = [f"罚{tag}-{n}号" for n in range(5)]
    path = write_csv(tmp_path / "p.csv", [penalty(n) for n in numbers], encoding="utf-8")
    with path.open("a", encoding="utf-8") as fh:
        fh.write('某公司,"' + "长" * 1_100_000 + "\r\n")  # a quote never closed: the rest is one huge cell
    monkeypatch.setattr(ingest, "BATCH", 2)
    with pytest.raises(XinyongError) as caught:
        run(provider, path)
    assert caught.value.code == "file.line_too_long"
    with session_factory(provider.engine)() as session:
        job = session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(1)).one()
    assert (job.status, job.accepted) == ("failed", 4) and job.message
    assert stored(provider, numbers) == 4  # two whole batches; the row being read when it broke is not stored


@pytest.mark.req("ING-1")
def test_a_bulk_load_refreshes_the_planners_statistics(
    provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "REFRESH_STATISTICS", 2)
    tag = secrets.token_hex(3)
    summary = run(provider, write_csv(tmp_path / "p.csv", [penalty(f"罚{tag}-{n}号") for n in range(3)]))
    assert summary.accepted == 3
    if provider.engine.dialect.name == "postgresql":
        with provider.engine.connect() as conn:
            analysed = conn.execute(
                text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'record'")
            ).scalar_one()
        assert analysed is not None
