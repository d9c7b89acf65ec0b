"""Credit checks: verdicts with their explanation, the measure list's scope, entries that no longer count,
masked entries, responsible persons, batches, the check log, certificates and the command line (CHK-1,
CHK-2, MEA-5, MEA-7, PER-3)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zlib
from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy import select

from xinyong.access.actors import system_actor
from xinyong.access.policy import policy
from xinyong.access.service import audit_actor
from xinyong.audit import service as audit
from xinyong.clock import CHINA_TZ
from xinyong.db.engine import session_factory, transaction
from xinyong.disclosure import reports
from xinyong.measures import check
from xinyong.measures.models import CreditCheck

from ..conftest import TODAY
from .conftest import World


@pytest.mark.req("CHK-1")
@pytest.mark.req("MEA-7")
def test_a_black_listed_company_is_intercepted_in_bidding_with_entry_measure_and_basis(world: World) -> None:
    result = world.one(world.codes["listed"], "bidding")
    assert result["verdict"] == "intercept"
    [listed] = result["lists"]
    assert listed["list_type"] == "tax-major-violation" and listed["match"] == "exact"
    assert listed["entry"].startswith("MD") and listed["entered_on"] == "2026-11-02"
    assert "税收征收管理法" in listed["legal_basis"] and listed["determining"] == "税务机关"
    [measure] = result["measures"]
    assert measure["code"] == "restrict-bidding" and measure["kind"] == "punishment"
    assert "招标投标法实施条例" in measure["legal_basis"] and measure["entries"] == [listed["entry"]]
    assert any(listed["entry"] in reason and "限制参与招标投标活动" in reason for reason in result["reasons"])


@pytest.mark.req("MEA-5")
@pytest.mark.req("CHK-1")
def test_in_a_scenario_no_measure_covers_a_negative_record_warns_and_nothing_else_passes(
    world: World,
) -> None:
    listed = world.one(world.codes["listed"], "consumption", purpose="daily_supervision")
    assert listed["verdict"] == "warn" and listed["measures"] == []
    assert listed["lists"][0]["list_type"] == "tax-major-violation"  # the membership is still shown
    assert listed["negative_records"] == 1 and any("公示期内" in r for r in listed["reasons"])
    assert any("无适用措施" in r for r in listed["reasons"])
    clean = world.one(world.codes["clean"], "bidding")
    assert (clean["verdict"], clean["lists"], clean["measures"]) == ("pass", [], [])


@pytest.mark.req("MEA-5")
def test_a_measure_that_names_another_list_type_is_not_applied(world: World) -> None:
    code = world.codes["wage"]
    bidding = world.one(code, "bidding")  # restrict-bidding does not name wage-arrears
    assert (bidding["verdict"], bidding["measures"]) == ("pass", [])
    funds = world.one(code, "funds", purpose="funds")  # restrict-funds does
    assert funds["verdict"] == "intercept" and [m["code"] for m in funds["measures"]] == ["restrict-funds"]


@pytest.mark.req("PER-3")
def test_an_expired_or_removed_entry_never_intercepts(world: World) -> None:
    expired = world.one(world.codes["expired"], "bidding")  # term ended yesterday, the sweep has not run
    assert (expired["verdict"], expired["lists"]) == ("pass", [])
    removed = world.one(world.codes["removed"], "bidding")  # removed after repair
    assert (removed["verdict"], removed["lists"]) == ("pass", [])
    with transaction(session_factory(world.engine)) as session:  # the day before the term ended, it did
        before = check.run(
            session,
            data_dir=world.settings.data_dir.resolve(),
            codes=[check.Wanted(row=1, code=world.codes["expired"])],
            scenario="bidding",
            purpose="bidding",
            roles=frozenset({"user_department"}),
            org_code=world.dept,
            actor=audit_actor(system_actor(policy())),
            as_of=date(2026, 11, 22),
            now=datetime.combine(TODAY, time(9), tzinfo=CHINA_TZ),
            marked_shown=False,
        )
    assert before.results[0]["verdict"] == "intercept"


@pytest.mark.req("MEA-7")
@pytest.mark.req("MEA-5")
def test_a_masked_court_entry_is_a_probable_match_by_name_and_visible_digits_never_an_intercept(
    world: World,
) -> None:
    codes = world.codes
    debtor = world.one(codes["debtor"], "consumption", purpose="daily_supervision")  # name from the archive
    assert debtor["verdict"] == "warn" and debtor["measures"] == []
    [probable] = debtor["lists"]
    assert (
        probable["match"] == "probable"
        and probable["masked_id"] == f"{codes['debtor'][:10]}****{codes['debtor'][14:]}"
    )
    assert any("可能为同一主体" in r and "不作为拦截依据" in r for r in debtor["reasons"])
    named = world.one(
        codes["debtor"], "consumption", purpose="daily_supervision", names={codes["debtor"]: "王 五"}
    )
    assert named["verdict"] == "warn"
    other_name = world.one(codes["lookalike"], "consumption", purpose="daily_supervision")  # 赵六
    assert (other_name["verdict"], other_name["lists"]) == ("pass", [])
    other_digits = world.one(codes["namesake"], "consumption", purpose="daily_supervision")  # also 王五
    assert (other_digits["verdict"], other_digits["lists"]) == ("pass", [])


@pytest.mark.req("MEA-7")
def test_masked_entries_are_found_alike_for_a_few_codes_looked_up_and_a_batch_that_reads_them_all(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    codes = [world.codes[role] for role in ("debtor", "namesake", "lookalike", "clean")]
    looked_up = world.check(codes, "consumption", purpose="daily_supervision")["results"]
    monkeypatch.setattr(check, "LOOKED_UP_MASKS", len(codes) - 1)
    read_all = world.check(codes, "consumption", purpose="daily_supervision")["results"]
    assert [(r["verdict"], r["lists"]) for r in looked_up] == [(r["verdict"], r["lists"]) for r in read_all]
    assert [r["verdict"] for r in looked_up] == ["warn", "pass", "pass", "pass"]
    assert looked_up[0]["lists"][0]["match"] == "probable"


@pytest.mark.req("MEA-5")
def test_a_responsible_person_gets_only_the_measures_that_reach_responsible_persons(world: World) -> None:
    person = world.codes["legal_rep"]
    awards = world.one(person, "awards", purpose="awards")  # restrict-awards: subject_and_responsible
    assert awards["verdict"] == "intercept"
    [mark] = awards["lists"]
    assert (mark["match"], mark["role"], mark["organisation"]) == (
        "responsible",
        "legal_representative",
        world.codes["listed"],
    )
    assert [m["target"] for m in awards["measures"]] == ["subject_and_responsible"]
    bidding = world.one(person, "bidding")  # restrict-bidding reaches the company only
    assert (bidding["verdict"], bidding["measures"]) == ("pass", [])
    assert any("无及于责任人员的适用措施" in r for r in bidding["reasons"])


@pytest.mark.req("CHK-2")
def test_a_batch_reports_bad_codes_by_row_and_checks_the_rest(world: World) -> None:
    codes = [world.codes["listed"], "91370100MA0000000X", "", world.codes["clean"], "12345"]
    found = world.check(codes, "bidding")
    assert found["http"] == 200
    assert [(r["row"], r["verdict"]) for r in found["results"]] == [(1, "intercept"), (4, "pass")]
    assert [(e["row"], e["field"]) for e in found["errors"]] == [(2, "codes"), (3, "codes"), (5, "codes")]
    assert found["errors"][0]["code"] == "uscc.checksum" and found["errors"][1]["code"] == "identifier.empty"
    assert all(e["message"] for e in found["errors"])
    assert (found["total"], found["intercepted"], found["passed"], found["invalid"]) == (5, 1, 1, 3)


@pytest.mark.req("CHK-2")
def test_unknown_scenario_purpose_and_too_many_codes_are_refused_whole(world: World) -> None:
    unknown = world.check([world.codes["clean"]], "gambling")
    assert unknown["http"] == 422 and unknown["error"]["code"] == "check.unknown_scenario"
    assert "bidding（招标投标）" in unknown["error"]["message"]
    purpose = world.check([world.codes["clean"]], "bidding", purpose="curiosity")
    assert purpose["http"] == 422 and purpose["error"]["code"] == "access.purpose_unknown"
    too_many = world.check([world.codes["clean"]] * (check.MAX_CODES + 1), "bidding")
    assert too_many["http"] == 422 and too_many["error"]["code"] == "check.too_many"
    assert "100,000" in too_many["error"]["message"] and "100,001" in too_many["error"]["message"]


@pytest.mark.req("CHK-2")
def test_each_check_is_logged_with_department_and_purpose(world: World) -> None:
    found = world.check([world.codes["listed"]], "procurement", purpose="procurement")
    with session_factory(world.engine)() as session:
        row = session.scalar(select(CreditCheck).where(CreditCheck.number == found["number"]))
        assert row is not None
        assert (row.org_code, row.scenario, row.purpose, row.total, row.intercepted) == (
            world.dept,
            "procurement",
            "procurement",
            1,
            1,
        )
        assert check.contents(row)[0] == found["results"]
        logged = audit.access_log(session, subject_key=world.codes["listed"], actions=["check.run"])
    assert any(e.target_id == found["number"] and e.purpose == "procurement" for e in logged)


@pytest.mark.req("CHK-2")
@pytest.mark.parametrize("chunk", [check.PACK_CHUNK, 3, 1])  # compressed in one go, or chunk by chunk
def test_the_log_keeps_each_result_as_the_compact_json_line_the_answer_sends(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check, "PACK_CHUNK", chunk)
    results = [
        {"row": 1, "code": "91370100MA0000001X", "verdict": "intercept", "lists": [{"name": "失信名单"}]},
        {"row": 3, "code": "91370100MA0000002X", "verdict": "warn", "grade": None, "flags": {"objected": 1}},
        {"row": 4, "code": "91370100MA0000003X", "verdict": "pass", "reasons": ["未查见“名单”信息\\"]},
        {"row": 5, "code": "91370100MA0000004X", "verdict": "warn", "negative_records": 2},
    ]
    errors = [{"row": 2, "field": "codes", "code": "uscc.checksum", "message": "校验码错误"}]
    packed = check._pack(iter(results), errors)

    def written(value: object) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    assert packed.lines == [written(r) for r in results] and packed.failed == written(errors)
    assert zlib.decompress(packed.data) == b"\n".join([written(errors), *map(written, results)])
    assert (packed.verdicts, packed.errors) == ({"intercept": 1, "warn": 2, "pass": 1}, 1)
    only_errors = check._pack(iter([]), errors)  # every code refused: the log holds the errors alone
    assert only_errors.lines == [] and zlib.decompress(only_errors.data) == written(errors)


@pytest.mark.req("CHK-2")
def test_a_department_reads_and_exports_its_own_check_log_only(world: World) -> None:
    number = world.check([world.codes["listed"], world.codes["clean"]], "bidding")["number"]
    own = world.client.get("/api/v1/checks", headers=world.headers[world.dept]).json()
    assert number in [c["number"] for c in own["checks"]] and own["total"] >= 1
    theirs = world.client.get("/api/v1/checks", headers=world.headers[world.other]).json()
    assert number not in [c["number"] for c in theirs["checks"]]
    # A page beyond any database's integers is refused in the one error format, not a 500 (SEC-4).
    beyond = world.client.get("/api/v1/checks?offset=9223372036854775808", headers=world.headers[world.dept])
    assert beyond.status_code == 422 and beyond.json()["error"]["field"] == "offset"
    hidden = world.client.get(f"/api/v1/checks/{number}/results", headers=world.headers[world.other])
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "check.not_found"
    exported = world.client.get("/api/v1/checks?format=csv", headers=world.headers[world.dept])
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0] == "审查编号" and any(r[0] == number and r[4] == "招标投标（bidding）" for r in rows)
    book = load_workbook(
        io.BytesIO(world.client.get("/api/v1/checks?format=xlsx", headers=world.headers[world.dept]).content)
    )
    assert number in [r[0] for r in book.active.iter_rows(values_only=True)]
    again = world.client.get(f"/api/v1/checks/{number}/results", headers=world.headers[world.dept]).json()
    assert [r["verdict"] for r in again["results"]] == ["intercept", "pass"] and again["number"] == number
    results = world.client.get(
        f"/api/v1/checks/{number}/results?format=csv", headers=world.headers[world.dept]
    )
    lines = list(csv.reader(io.StringIO(results.content.decode("utf-8-sig"))))
    assert [line[2] for line in lines[1:]] == ["拦截", "通过"]


@pytest.mark.req("CHK-2")
def test_a_certificate_verifies_and_a_changed_copy_does_not(world: World) -> None:
    number = world.check([world.codes["listed"], world.codes["clean"], "bad"], "bidding")["number"]
    issued = world.client.post(f"/api/v1/checks/{number}/certificate", headers=world.headers[world.dept])
    assert issued.status_code == 200 and issued.content.startswith(b"%PDF")
    assert issued.headers["x-report-number"] == number
    code = reports.verification_code(world.key, number)
    with session_factory(world.engine)() as session:
        found = reports.find(session, key=world.key, number=number, code=code)
        assert found is not None and found.kind == "check"
        assert reports.matches(found, issued.content)
        assert not reports.matches(found, issued.content.replace(b"%%EOF", b"%%EOF\n% changed"))
    page = world.client.get(f"/verify/{number}?code={code}")
    assert page.status_code == 200 and number in page.text and "信用审查证明" in page.text
    checked = world.client.post(
        f"/api/v1/reports/{number}/verify", data={"code": code}, files={"file": ("c.pdf", issued.content)}
    ).json()
    assert (checked["title"], checked["subject"], checked["file_matches"]) == ("信用审查证明", None, True)
    again = world.client.post(f"/api/v1/checks/{number}/certificate", headers=world.headers[world.dept])
    assert again.status_code == 422 and again.json()["error"]["code"] == "check.certificate_issued"
    other = world.client.post(f"/api/v1/checks/{number}/certificate", headers=world.headers[world.other])
    assert other.status_code == 404


@pytest.mark.req("CHK-2")
@pytest.mark.req("MEA-7")
def test_a_department_uploads_an_applicant_file_with_names(world: World, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "证件号码"])
    sheet.append(["王五", world.codes["lookalike"]])  # the masked entry's digits, but not its name
    sheet.append(["王五", world.codes["namesake"]])
    sheet.append(["张三", "370102197501010000"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = world.client.post(
        "/api/v1/checks/upload",
        headers=world.headers[world.dept],
        data={"scenario": "hiring", "purpose": "hiring_promotion"},
        files={"file": ("申请人.xlsx", buffer.getvalue())},
    )
    found = response.json()
    assert response.status_code == 200, found
    assert [(r["row"], r["verdict"]) for r in found["results"]] == [(2, "warn"), (3, "pass")]
    assert found["results"][0]["lists"][0]["match"] == "probable"  # the file's name, not the archive's
    assert [(e["row"], e["field"]) for e in found["errors"]] == [(4, "证件号码")]


# ------------------------------------------------------------------------------------------- command line
def _run(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "XINYONG_DATABASE_URL": world.settings.database_url,
        "XINYONG_DATA_DIR": str(world.settings.data_dir),
        "XINYONG_FIXED_DATE": TODAY.isoformat(),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "xinyong", "check", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.mark.req("CHK-2")
@pytest.mark.req("MEA-7")
@pytest.mark.parametrize("kind", ["csv", "xlsx", "txt"])
def test_the_check_command_takes_csv_xlsx_and_plain_lists(world: World, tmp_path: Path, kind: str) -> None:
    codes = [world.codes["listed"], "91370100MA0000000X", world.codes["debtor"]]
    if kind == "csv":
        path = tmp_path / "投标人.csv"
        lines = [f"1,{codes[0]},", f"2,{codes[1]},", f"3,,{codes[2]}"]  # a person by 证件号码
        path.write_text("序号,统一社会信用代码,证件号码\n" + "\n".join(lines) + "\n", "utf-8")
        first = 2
    elif kind == "xlsx":
        path, first = tmp_path / "申请人.xlsx", 2
        book = Workbook()
        book.active.append(["证件号码"])
        for code in codes:
            book.active.append([code])
        book.save(path)
    else:
        path, first = tmp_path / "codes.txt", 1
        path.write_text("\n".join(codes) + "\n", "utf-8")
    done = _run(world, str(path), "--scenario", "bidding", "--department", world.dept, "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert set(document) >= {"results", "errors"}
    verdicts = {r["row"]: r["verdict"] for r in document["results"]}
    if kind == "xlsx":  # the 证件号码 column takes citizen IDs: the company's USCC is refused there
        assert verdicts == {first + 2: "warn"}
        assert [e["row"] for e in document["errors"]] == [first, first + 1]
    else:
        assert verdicts == {first: "intercept", first + 2: "warn"}
        assert [(e["row"], e["code"]) for e in document["errors"]] == [(first + 1, "uscc.checksum")]
    assert set(document["results"][0]) >= {"code", "verdict", "lists", "measures"}


def test_the_check_command_refuses_with_the_reason_on_stderr(world: World, tmp_path: Path) -> None:
    path = tmp_path / "codes.txt"
    path.write_text(world.codes["clean"] + "\n", "utf-8")
    unknown = _run(world, str(path), "--scenario", "gambling", "--department", world.dept)
    assert unknown.returncode == 1 and "check.unknown_scenario" in unknown.stderr
    nobody = _run(world, str(path), "--scenario", "bidding", "--department", "nobody-here")
    assert nobody.returncode == 1 and "org.not_found" in nobody.stderr
    table = tmp_path / "投标人.csv"
    table.write_text(f"企业名称,代码\n某公司,{world.codes['clean']}\n", "utf-8")
    no_column = _run(world, str(table), "--scenario", "bidding", "--department", world.dept)
    assert no_column.returncode == 1 and "check.no_code_column" in no_column.stderr
    no_purpose = _run(world, str(path), "--scenario", "hiring", "--department", world.dept)
    assert no_purpose.returncode == 1 and "--purpose" in no_purpose.stderr
    human = _run(
        world, str(path), "--scenario", "hiring", "--purpose", "hiring_promotion", "--department", world.dept
    )
    assert human.returncode == 0 and "通过 1 个" in human.stdout
