"""The period's figures, computed by hand from the world's deliveries and the holiday table (RPT-1, RPT-2,
RPT-3, ING-8), and their API with its exports."""

from __future__ import annotations

import io
import secrets
from datetime import date

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped,unused-ignore]

from xinyong.db.engine import session_factory, transaction
from xinyong.profiles.loader import load_profile
from xinyong.reports import service, tables
from xinyong.reports.service import Period

from ..conftest import org_with_token, uscc_code
from ..records.conftest import penalty
from .conftest import ReportWorld, deliver

AUTUMN = Period(date(2026, 9, 1), date(2026, 11, 23))
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))


def _provider(world: ReportWorld, period: Period) -> service.ProviderStats:
    with world.session() as session:
        report = tables.provider_report(session, settings=world.settings, period=period)
    (found,) = [s for s in report.providers if s.org == world.provider]
    return found


@pytest.mark.req("ING-8")
def test_delay_is_counted_in_working_days_against_the_profile_limit(world: ReportWorld) -> None:
    limit = load_profile("national").timeliness.double_publicity_days
    assert limit.value == 7
    stats = _provider(world, AUTUMN)
    # 30 Oct -> 10 Nov: 7 working days (on time); 30 Oct -> 11 Nov: 8 (late); 30 Sep -> 12 Oct: 4 (on time,
    # the National Day holiday not counted, the make-up Saturday counted).
    assert (stats.measured, stats.on_time) == (3, 2)
    assert stats.on_time_share == pytest.approx(0.6667)
    assert stats.average_delay == pytest.approx((7 + 8 + 4) / 3, abs=0.01)
    # November alone holds the two late-October decisions: one on time of two.
    november = _provider(world, NOVEMBER)
    assert (november.measured, november.on_time, november.average_delay) == (2, 1, 7.5)


@pytest.mark.req("RPT-1")
def test_volume_rejects_and_completeness_per_provider(world: ReportWorld) -> None:
    stats = _provider(world, AUTUMN)
    # Three pushes: four rows, one refused (no decision date); three records received, all complete.
    assert (stats.received, stats.delivered_rows, stats.rejected_rows) == (3, 4, 1)
    assert stats.rejection_rate == 0.25
    assert (stats.complete, stats.completeness) == (3, 1.0)
    assert (stats.corrected, stats.withdrawn) == (0, 0)


@pytest.mark.req("RPT-2")
def test_providers_that_sent_nothing_are_listed(world: ReportWorld) -> None:
    with world.session() as session:
        report = tables.provider_report(session, settings=world.settings, period=AUTUMN)
    silent = {s.org: s for s in report.silent}
    assert world.idle in silent and world.provider not in silent
    assert {"行政处罚信息", "行政许可信息"} <= set(silent[world.idle].items.split("、"))
    # Before the first delivery the active provider is silent too.
    with world.session() as session:
        early = tables.provider_report(
            session, settings=world.settings, period=Period(AUTUMN.start, AUTUMN.start)
        )
    assert world.provider in {s.org for s in early.silent}


@pytest.mark.req("RPT-1")
@pytest.mark.req("RPT-3")
def test_department_reads_checks_and_joint_rewards_and_punishments(world: ReportWorld) -> None:
    with world.session() as session:
        (found,) = [s for s in service.departments(session, period=NOVEMBER) if s.org == world.department]
        loop = [s for s in service.rp(session, period=NOVEMBER) if s.org_code == world.department]
        october = service.rp(session, period=Period(date(2026, 10, 1), date(2026, 10, 31)))
    assert (found.queries, found.purposes) == (3, "行政许可 2；政府采购 1")
    assert (found.checks, found.checked_subjects, found.intercepted, found.warned) == (1, 3, 1, 0)
    # Two tasks pushed 2 November: both pushed, one carried through to feedback, one not responded by 9 Nov.
    assert (found.pushed, found.responded, found.implemented, found.fed_back, found.overdue) == (
        2,
        1,
        1,
        1,
        1,
    )
    assert [(s.list_type, s.pushed, s.fed_back) for s in loop] == [("tax-serious", 2, 1)]
    assert world.department not in {s.org_code for s in october}


@pytest.mark.req("RPT-1")
def test_cases_handled_on_time(world: ReportWorld) -> None:
    with world.session() as session:
        found = service.cases(session, period=NOVEMBER, today=date(2026, 11, 23))
    (mine,) = [s for s in found if s.org == world.department]
    # Three steps due 9 November: done that day, done on the 12th, still open.
    assert (mine.kind, mine.due, mine.on_time, mine.late, mine.open_overdue) == ("objection", 3, 1, 1, 1)
    assert mine.on_time_share == pytest.approx(1 / 3, abs=0.001)


@pytest.mark.req("RPT-1")
def test_api_gives_each_table_as_json_csv_and_xlsx(world: ReportWorld) -> None:
    answer = world.get("/api/v1/statistics/providers", **{"from": "2026-09-01", "to": "2026-11-23"})
    assert answer.status_code == 200
    body = answer.json()
    assert (body["from"], body["to"]) == ("2026-09-01", "2026-11-23")
    (row,) = [r for r in body["rows"] if r[0] == world.provider]
    assert row[2:6] == [3, 4, 1, "25.0%"]
    sheet = world.get(
        "/api/v1/statistics/providers", **{"from": "2026-09-01", "to": "2026-11-23", "format": "xlsx"}
    )
    book = load_workbook(io.BytesIO(sheet.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "单位代码" and any(r[0] == world.provider for r in rows[1:])
    csv = world.get(
        "/api/v1/statistics/silent", **{"from": "2026-09-01", "to": "2026-11-23", "format": "csv"}
    )
    assert csv.headers["content-type"].startswith("text/csv") and world.idle in csv.content.decode(
        "utf-8-sig"
    )
    for kind in ("departments", "rp", "cases"):
        assert world.get(f"/api/v1/statistics/{kind}").status_code == 200


def test_a_period_that_ends_before_it_starts_is_refused(world: ReportWorld) -> None:
    answer = world.get("/api/v1/statistics/cases", **{"from": "2026-11-10", "to": "2026-11-01"})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "report.period"
    assert answer.json()["error"]["field"] == "to"


@pytest.mark.req("SEC-4", "RPT-1")
@pytest.mark.parametrize("value", ["0", "1700000000", "2026-11-23T08:00:00"])
def test_a_period_date_must_be_written_yyyy_mm_dd(world: ReportWorld, value: str) -> None:
    """A number is not read as seconds since 1970: ``to=0`` once gave the statistics of 1970-01-01."""
    answer = world.get("/api/v1/statistics/providers", to=value)
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "to" and "YYYY-MM-DD" in answer.json()["error"]["message"]


@pytest.mark.req("RPT-1")
@pytest.mark.req("ING-8")
def test_each_item_is_timed_against_its_own_update_cycle(world: ReportWorld) -> None:
    """An abnormal-operation listing decided Monday 12 October that arrives Monday 9 November is 20 working
    days late: on time against its own catalog limit of 20, late against the 双公示 7; a penalty of the same
    provider stays timed by the profile's limit."""
    org = f"rpt-t-{secrets.token_hex(3)}"
    with transaction(session_factory(world.engine)) as session:
        token = org_with_token(
            session, code=org, kind="provider", role="provider", key=world.key, now=world.settings.clock.now()
        )
    listing = {
        "subject_name": "某某贸易有限公司",
        "uscc": uscc_code(secrets.randbelow(9_000_000)),
        "listing_reason": "通过登记的住所或者经营场所无法联系",
        "document_number": f"测异〔2026〕{secrets.token_hex(4)}号",
        "decision_date": "2026-10-12",
        "authority": "某市市场监督管理局",
    }
    fine = penalty(f"测罚〔2026〕{secrets.token_hex(4)}号", uscc=uscc_code(secrets.randbelow(9_000_000)))
    fine["decision_date"] = "2026-10-12"
    for item, row in (("abnormal-operation", listing), ("admin-penalty", fine)):
        answer = deliver(world.settings, token, item, [row], arrived=date(2026, 11, 9))
        assert answer["accepted"] == 1, answer
    with world.session() as session:
        report = tables.provider_report(session, settings=world.settings, period=AUTUMN)
    mine = {t.item: t for t in report.items if t.org == org}
    abnormal, fined = mine["abnormal-operation"], mine["admin-penalty"]
    assert (abnormal.limit_days, abnormal.from_profile) == (20, False)
    assert (abnormal.measured, abnormal.on_time, abnormal.average_delay) == (1, 1, 20)
    assert (fined.limit_days, fined.from_profile) == (7, True)
    assert (fined.measured, fined.on_time, fined.average_delay) == (1, 0, 20)
    # The 双公示 columns of the provider table count only the items timed by the profile.
    (stats,) = [s for s in report.providers if s.org == org]
    assert (stats.received, stats.measured, stats.on_time) == (2, 1, 0)
    # The same table through the API, with its Chinese headers.
    answer = world.get("/api/v1/statistics/timeliness", **{"from": "2026-09-01", "to": "2026-11-23"}).json()
    assert answer["headers"][3] == "时限（工作日）"
    assert [r[2:8] for r in answer["rows"] if r[0] == org] == [
        ["经营异常名录信息", 20, "目录更新周期", 1, 1, "100.0%"],
        ["行政处罚信息", 7, "辖区配置（“双公示”）", 1, 0, "0.0%"],
    ]
