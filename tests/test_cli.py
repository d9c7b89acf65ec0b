"""The ``xinyong`` command: exit 0 on success, 1 on refused input with the reason on stderr."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from xinyong.settings import Settings


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xinyong", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


@pytest.fixture
def env(settings: Settings) -> dict[str, str]:
    return {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_DATA_DIR": str(settings.data_dir)}


def test_init_is_idempotent(env: dict[str, str]) -> None:
    first = run("init", env=env)
    assert first.returncode == 0, first.stderr
    second = run("init", env=env)
    assert second.returncode == 0 and "未变化" in second.stdout and "已载入" not in second.stdout


@pytest.mark.req("SUB-2")
def test_id_check_exit_codes_and_json() -> None:
    ok = run("id", "check", "91110000802100433B", "--json")
    assert ok.returncode == 0 and json.loads(ok.stdout)["kind"] == "uscc"
    bad = run("id", "check", "91110000802100433A")
    assert bad.returncode == 1 and "uscc.checksum" in bad.stderr and "Traceback" not in bad.stderr
    bad_json = run("id", "check", "110105194902300021", "--json")
    assert bad_json.returncode == 1
    assert json.loads(bad_json.stdout)["error"]["code"] == "citizen_id.birth_date"


@pytest.mark.req("SUB-2")
def test_id_check_as_of_refuses_a_birth_date_after_that_day() -> None:
    assert run("id", "check", "110105202001010015", "--as-of", "2026-11-23").returncode == 0
    later = run("id", "check", "110105202001010015", "--as-of", "2019-12-31")
    assert later.returncode == 1 and "citizen_id.birth_date" in later.stderr


@pytest.mark.req("PROF-2")
def test_calendar_commands() -> None:
    added = run("calendar", "add-working-days", "2026-09-30", "3")
    assert (added.returncode, added.stdout.strip()) == (0, "2026-10-10")
    day = run("calendar", "is-working-day", "2026-10-01", "--json")
    assert day.returncode == 0 and json.loads(day.stdout)["working"] is False
    estimated = run("calendar", "add-working-days", "2099-12-30", "3")
    assert estimated.stdout.strip() == "2100-01-04" and "估算" in estimated.stderr
    assert "节假日安排未知" in estimated.stderr  # the log warning an operator acts on


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("calendar", "add-working-days", "2026-09-30", "-3"), "calendar.negative_days"),
        (("calendar", "add-working-days", "2026-02-30", "3"), "date.invalid"),
        (("calendar", "is-working-day", "tomorrow"), "date.invalid"),
        (("profile", "show", "atlantis"), "profile.unknown"),
        (("id", "check", "123", "--as-of", "yesterday"), "date.invalid"),
    ],
)
def test_refused_input_exits_1_with_code(args: tuple[str, ...], code: str) -> None:
    result = run(*args)
    assert result.returncode == 1 and code in result.stderr and "Traceback" not in result.stderr


def test_usage_errors_exit_1_too() -> None:
    result = run("calendar", "add-working-days")
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_a_malformed_environment_setting_is_named() -> None:
    result = run("id", "check", "91110000802100433B", env={"XINYONG_FIXED_DATE": "someday"})
    assert result.returncode == 1 and "XINYONG_FIXED_DATE" in result.stderr


@pytest.mark.req("PROF-1")
def test_profile_show_json_and_table(tmp_path: Path) -> None:
    shown = run("profile", "show", "jiangsu", "--json")
    document = json.loads(shown.stdout)
    assert document["name"] == "jiangsu" and document["objection"]["deadlines"]["review"]["value"] == 10
    table = run("profile", "show", "ct", env={"COLUMNS": "400"})
    assert table.returncode == 0 and "CT 第十六条" in table.stdout


@pytest.mark.req("PROF-1")
def test_a_deployment_profile_file_names_the_bad_key(tmp_path: Path) -> None:
    local = tmp_path / "mycity.toml"
    local.write_text(
        'extends = "jiangsu"\nname = "mycity"\ntitle = "某市"\n'
        '[repair.publicity_days]\nvalue = "five"\nbasis = "某市办法第十条"\n',
        encoding="utf-8",
    )
    result = run("profile", "show", str(local))
    assert result.returncode == 1
    assert "profile.invalid" in result.stderr and str(local) in result.stderr
    assert "repair.publicity_days.value" in result.stderr


def test_serve_refuses_an_uninitialised_database(tmp_path: Path) -> None:
    result = run("serve", env={"XINYONG_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"})
    assert result.returncode == 1 and "xinyong init" in result.stderr


@pytest.mark.req("PROF-1")
def test_an_unknown_profile_stops_start_up(env: dict[str, str]) -> None:
    assert run("init", env=env).returncode == 0
    result = run("serve", env={**env, "XINYONG_PROFILE": "atlantis"})
    assert result.returncode == 1 and "profile.unknown" in result.stderr and "jiangsu" in result.stderr


@pytest.mark.req("PROF-1")
def test_every_problem_in_a_profile_file_is_listed(tmp_path: Path) -> None:
    local = tmp_path / "typos.toml"
    local.write_text(
        'extends = "jinan"\nname = "typos"\ntitle = "某市"\n'
        '[objection.deadlines]\nchek = { value = 3, basis = "x" }\n'
        '[leniency.minor_age]\nvalue = true\nbasis = "x"\n',
        encoding="utf-8",
    )
    result = run("profile", "show", str(local))
    assert result.returncode == 1
    assert "objection.deadlines.chek" in result.stderr and "leniency.minor_age.value" in result.stderr
    assert "应为整数" in result.stderr


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("postgresql+psycopg://someone:hunter2@127.0.0.1:1/none", "database.error"),
        ("mysql+nodriver://someone:hunter2@localhost/x", "database.url"),
        ("sqlite:////proc/no/such/dir/x.db", "database.url"),
        ("not a url", "database.url"),
    ],
)
def test_database_problems_are_refused_without_a_traceback_or_the_password(url: str, code: str) -> None:
    result = run("init", env={"XINYONG_DATABASE_URL": url})
    assert result.returncode == 1 and code in result.stderr
    assert "Traceback" not in result.stderr and "hunter2" not in result.stderr + result.stdout


def test_a_port_out_of_range_is_refused() -> None:
    result = run("serve", "--port", "70000")
    assert result.returncode == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["0", "20261123", "2026-11-23T00:00"])
def test_a_fixed_date_must_be_written_yyyy_mm_dd(value: str) -> None:
    result = run("id", "check", "91110000802100433B", env={"XINYONG_FIXED_DATE": value})
    assert result.returncode == 1 and "XINYONG_FIXED_DATE" in result.stderr and "YYYY-MM-DD" in result.stderr


@pytest.fixture
def own_db(tmp_path: Path) -> dict[str, str]:
    """A database of this test's own, for commands that change or damage it."""
    return {"XINYONG_DATABASE_URL": f"sqlite:///{tmp_path}/own.db", "XINYONG_DATA_DIR": str(tmp_path / "var")}


def run_input(*args: str, env: dict[str, str], text_in: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xinyong", *args],
        input=text_in,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200", **env},
    )


@pytest.mark.req("SEC-1")
def test_administration_from_the_command_line(own_db: dict[str, str]) -> None:
    first = run("init", env=own_db)
    assert first.returncode == 0 and "已创建平台运营机构" in first.stdout
    assert "xinyong user add --org operator --username admin" in first.stdout  # no default password
    added = run_input(
        "user",
        "add",
        "--org",
        "operator",
        "--username",
        "admin",
        "--name",
        "管理员",
        "--role",
        "operator_admin",
        "--password-stdin",
        env=own_db,
        text_in="a long enough pass\n",
    )
    assert added.returncode == 0, added.stderr
    assert "尚无平台管理员" not in run("init", env=own_db).stdout
    org = run(
        "org",
        "add",
        "--code",
        "scjgj",
        "--name",
        "市场监督管理局",
        "--kind",
        "provider",
        "--json",
        env=own_db,
    )
    assert org.returncode == 0 and json.loads(org.stdout)["code"] == "scjgj"
    client = run(
        "user",
        "add",
        "--org",
        "scjgj",
        "--username",
        "scj-system",
        "--role",
        "provider",
        "--client",
        env=own_db,
    )
    assert client.returncode == 0, client.stderr
    token = run(
        "token",
        "create",
        "--user",
        "scj-system",
        "--name",
        "监管系统",
        "--expires",
        "2027-06-30",
        "--json",
        env={**own_db, "XINYONG_FIXED_DATE": "2026-11-23"},
    )
    assert token.returncode == 0 and json.loads(token.stdout)["token"].startswith("xy_")
    verified = run("audit", "verify", "--json", env=own_db)
    assert verified.returncode == 0 and json.loads(verified.stdout)["checked"] >= 5


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("org", "add", "--code", "x y", "--name", "某局", "--kind", "provider"), "org.code_invalid"),
        (("org", "add", "--code", "abc", "--name", "某局", "--kind", "bank"), "org.kind_invalid"),
        (
            ("user", "add", "--org", "nowhere", "--username", "abc", "--role", "provider", "--client"),
            "org.not_found",
        ),
        (
            ("user", "add", "--org", "operator", "--username", "abc", "--role", "emperor", "--client"),
            "access.unknown_role",
        ),
        (
            ("token", "create", "--user", "ghost", "--name", "x", "--expires", "2027-01-01"),
            "account.not_found",
        ),
        (("token", "revoke", "424242"), "token.not_found"),
    ],
)
def test_bad_administration_input_is_refused(
    own_db: dict[str, str], args: tuple[str, ...], code: str
) -> None:
    assert run("init", env=own_db).returncode == 0
    result = run(*args, env=own_db)
    assert result.returncode == 1 and code in result.stderr and "Traceback" not in result.stderr


def test_a_weak_password_is_refused(own_db: dict[str, str]) -> None:
    assert run("init", env=own_db).returncode == 0
    result = run_input(
        "user",
        "add",
        "--org",
        "operator",
        "--username",
        "admin",
        "--role",
        "operator_admin",
        "--password-stdin",
        env=own_db,
        text_in="short\n",
    )
    assert result.returncode == 1 and "account.password_weak" in result.stderr


@pytest.mark.req("SEC-1")
def test_audit_verify_names_the_altered_row(own_db: dict[str, str]) -> None:
    assert run("init", env=own_db).returncode == 0
    for code in ("aaa", "bbb", "ccc"):
        assert (
            run("org", "add", "--code", code, "--name", "某局", "--kind", "user", env=own_db).returncode == 0
        )
    database = own_db["XINYONG_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE audit_event SET target_id = 'zzz' WHERE target_id = 'bbb'")
        seq = conn.execute("SELECT seq FROM audit_event WHERE target_id = 'zzz'").fetchone()[0]
    result = run("audit", "verify", env=own_db)
    assert result.returncode == 1 and "audit.altered" in result.stderr and f"seq {seq}" in result.stderr


@pytest.mark.req("SEC-1")
def test_cutting_off_the_newest_rows_is_caught_by_the_anchor(own_db: dict[str, str], tmp_path: Path) -> None:
    assert run("init", env=own_db).returncode == 0
    for code in ("aaa", "bbb"):
        assert (
            run("org", "add", "--code", code, "--name", "某局", "--kind", "user", env=own_db).returncode == 0
        )
    anchored = run("audit", "verify", "--json", env=own_db)
    head = json.loads(anchored.stdout)["head_seq"]
    assert (tmp_path / "var" / "audit-anchors.txt").read_text().startswith(f"{head} ")
    database = own_db["XINYONG_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:  # a consistent rewrite: newest row gone, head wound back
        prev = conn.execute("SELECT prev_hash FROM audit_event WHERE seq = ?", (head,)).fetchone()[0]
        conn.execute("DELETE FROM audit_event WHERE seq = ?", (head,))
        conn.execute("UPDATE audit_head SET seq = ?, last_hash = ?", (head - 1, prev))
    result = run("audit", "verify", env=own_db)
    assert result.returncode == 1 and "audit.removed" in result.stderr and f"第 {head} 条" in result.stderr


@pytest.mark.req("ING-1", "ING-3")
def test_import_a_file_from_the_command_line(own_db: dict[str, str], tmp_path: Path) -> None:
    from tests.records.test_import import write_csv

    from .records.conftest import penalty

    assert run("init", env=own_db).returncode == 0
    assert (
        run(
            "org", "add", "--code", "scjgj", "--name", "市场监督管理局", "--kind", "provider", env=own_db
        ).returncode
        == 0
    )
    rows = [penalty("市监罚〔2026〕1号"), penalty("市监罚〔2026〕2号", decision_date="2026-02-30")]
    path = write_csv(tmp_path / "处罚.csv", rows)
    result = run(
        "import",
        str(path),
        "--item",
        "admin-penalty",
        "--provider",
        "scjgj",
        "--severity",
        "general",
        "--json",
        env=own_db,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert (summary["accepted"], summary["rejected"], summary["duplicates"]) == (1, 1, 0)
    assert summary["rejects"][0] == {
        "row": 3,
        "field": "decision_date",
        "code": "date.invalid",
        "message": summary["rejects"][0]["message"],
    }
    refused = run("import", str(path), "--item", "gossip", "--provider", "scjgj", env=own_db)
    assert refused.returncode == 1 and "catalog.unknown_item" in refused.stderr


@pytest.mark.req("ING-1")
def test_demo_generates_data_once_and_prints_a_one_time_admin_password(own_db: dict[str, str]) -> None:
    first = run("demo", "--subjects", "40", "--seed", "3", "--no-serve", env=own_db)
    assert first.returncode == 0, first.stderr
    assert "演示管理员账号：admin" in first.stdout and "40 个信用主体" in first.stdout
    second = run("demo", "--subjects", "40", "--seed", "3", "--no-serve", env=own_db)
    assert (
        second.returncode == 0 and "入库 0 条记录" in second.stdout and "演示管理员账号" not in second.stdout
    )


@pytest.mark.req("PER-2")
def test_the_sweep_from_the_command_line_archives_ended_periods_once(
    own_db: dict[str, str], tmp_path: Path
) -> None:
    from tests.records.test_import import write_csv

    from .records.conftest import penalty

    assert run("init", env=own_db).returncode == 0
    assert (
        run("org", "add", "--code", "scjgj", "--name", "市监局", "--kind", "provider", env=own_db).returncode
        == 0
    )
    rows = [penalty("市监罚〔2023〕1号", decision_date="2023-06-01"), penalty("市监罚〔2026〕1号")]
    path = write_csv(tmp_path / "处罚.csv", rows)
    imported = run(
        "import",
        str(path),
        "--item",
        "admin-penalty",
        "--provider",
        "scjgj",
        "--severity",
        "general",
        env=own_db,
    )
    assert imported.returncode == 0, imported.stderr
    first = run("sweep", "--as-of", "2026-11-23", "--json", env=own_db)
    assert first.returncode == 0, first.stderr
    swept = json.loads(first.stdout)
    packages = own_db["XINYONG_DATA_DIR"] + "/exchange/out/"  # the day's exchange packages (INT-1)
    assert swept.pop("exchange_snapshot").endswith("snapshot-2026-11-23.zip")
    assert swept.pop("exchange_package").startswith(packages)
    assert swept == {
        "as_of": "2026-11-23",
        "expired": 1,
        "notices": 0,
        "received": 0,
        "entries_ended": 0,
        "red_entered": 0,
        "reminders": 0,
        "case_reminders": 0,
        "case_overdue": 0,
        "repairs_applied": 0,
        "government_overdue": 0,
    }
    again = run("sweep", "--as-of", "2026-11-23", env=own_db)
    assert again.returncode == 0 and "0 条信息公示期满" in again.stdout
    later = json.loads(run("sweep", "--as-of", "2030-01-01", "--json", env=own_db).stdout)
    assert later["expired"] == 1  # the 2026 penalty's period has ended by then
    bad = run("sweep", "--as-of", "2026-02-30", env=own_db)
    assert bad.returncode == 1 and "date.invalid" in bad.stderr
