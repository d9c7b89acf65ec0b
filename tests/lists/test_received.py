"""Lists received from the courts act like local ones (LIST-10): ``xinyong import --item
court-dishonest-debtor`` creates or updates black-list entries, masked IDs included."""

from __future__ import annotations

import csv
import json
import secrets
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from xinyong.audit.service import AuditActor
from xinyong.db.engine import session_factory
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry
from xinyong.records import service as records
from xinyong.records.models import Record
from xinyong.settings import Settings

from ..conftest import citizen_code, uscc_code
from ..test_cli import run

HEADERS = [
    "被执行人姓名/名称", "身份证号码/组织机构代码", "统一社会信用代码", "法定代表人或者负责人姓名",
    "执行法院", "省份", "执行依据文号", "立案时间", "案号", "做出执行依据单位", "生效法律文书确定的义务",
    "被执行人的履行情况", "失信被执行人行为具体情形", "发布时间",
]  # fmt: skip


def _row(name: str, card: str, uscc: str, case: str) -> list[str]:
    return [
        name, card, uscc, "王五" if uscc else "", "济南市历下区人民法院", "山东",
        f"（2025）鲁0102民初{case}号", "2026年03月02日", f"（2026）鲁0102执{case}号",
        "济南市历下区人民法院", "支付货款12万元", "全部未履行",
        "有履行能力而拒不履行生效法律文书确定义务", "2026年05月13日",
    ]  # fmt: skip


@pytest.fixture
def env(settings: Settings, engine: Engine) -> dict[str, str]:
    return {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_DATA_DIR": str(settings.data_dir)}


@pytest.mark.req("LIST-10")
def test_a_court_list_import_creates_entries_and_a_court_removal_ends_them(
    env: dict[str, str], settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    court = f"court-{secrets.token_hex(3)}"
    seed = secrets.randbelow(900_000)
    company, person = uscc_code(seed), citizen_code(seed % 1000)
    masked = "3423011964****3224"
    assert (
        run(
            "org", "add", "--code", court, "--name", "济南市历下区人民法院", "--kind", "court", env=env
        ).returncode
        == 0
    )
    path = tmp_path / "court.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADERS)
        writer.writerow(_row("济南拖欠测试有限公司", "", company, f"{seed}1"))
        writer.writerow(_row("赵六", person, "", f"{seed}2"))
        writer.writerow(_row("钱七", masked, "", f"{seed}3"))
        writer.writerow(_row("孙八", "3423011964**", "", f"{seed}4"))  # neither a code nor a masked one
    done = run(
        "import", str(path), "--item", "court-dishonest-debtor", "--provider", court, "--json", env=env
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["accepted"], summary["rejected"]) == (3, 1), summary["rejects"]
    assert summary["rejects"][0]["row"] == 5 and summary["rejects"][0]["field"] == "id_number"
    assert summary["lists"] == {"entered": 3, "removed": 0}

    factory = session_factory(engine)
    with factory() as session:
        entries = {
            e.subject_name: e
            for e in session.scalars(select(ListEntry).where(ListEntry.determining_org == court))
        }
    assert {n: (e.status, e.subject_key, e.masked_id) for n, e in entries.items()} == {
        "济南拖欠测试有限公司": ("active", company, None),
        "赵六": ("active", person, None),
        "钱七": ("active", None, masked),  # a masked ID names nobody for sure
    }
    assert entries["赵六"].entered_on is not None and entries["赵六"].entered_on.isoformat() == "2026-05-13"

    again = json.loads(
        run(
            "import", str(path), "--item", "court-dishonest-debtor", "--provider", court, "--json", env=env
        ).stdout
    )
    assert (again["duplicates"], again["lists"]) == (3, {"entered": 0, "removed": 0})  # nothing twice

    with factory() as session, session.begin():
        record_id = session.scalar(
            select(Record.id).where(Record.subject_key == person, Record.provider == court)
        )
        assert record_id is not None
        records.withdraw(
            session,
            record_id=record_id,
            provider=court,
            reason="被执行人已履行完毕，法院删除失信信息",
            actor=AuditActor(account_id=None, org=court, label="法院系统"),
            now=settings.clock.now(),
        )
    swept = run("sweep", "--json", env=env)
    assert swept.returncode == 0, swept.stderr
    assert json.loads(swept.stdout)["received"] >= 1
    with factory() as session:
        ended = lists.get(session, entries["赵六"].number)
    assert (ended.status, ended.removal_reason) == ("removed", "source")


@pytest.mark.req("MEA-6")
def test_duties_are_assigned_by_command_and_unknown_duties_refused(env: dict[str, str]) -> None:
    org = f"ggzy-{secrets.token_hex(3)}"
    assert (
        run("org", "add", "--code", org, "--name", "公共资源交易中心", "--kind", "user", env=env).returncode
        == 0
    )
    assigned = run("measures", "assign", "bidding", org, env=env)
    assert assigned.returncode == 0 and org in assigned.stdout
    unknown = run("measures", "assign", "teleport", org, env=env)
    assert (
        unknown.returncode == 1 and "measures.unknown_duty" in unknown.stderr and "bidding" in unknown.stderr
    )
    types = json.loads(run("lists", "types", "--json", env=env).stdout)
    assert all(t["legal_basis"] and t["determining"] for t in types)


@pytest.mark.req("LIST-10")
def test_lists_pushed_by_the_national_platform_act_like_local_ones(
    env: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    platform = f"platform-{secrets.token_hex(3)}"
    seed = secrets.randbelow(900_000)
    current, lapsed = uscc_code(seed), uscc_code(seed + 1)
    added = run(
        "org", "add", "--code", platform, "--name", "省公共信用信息平台", "--kind", "platform", env=env
    )
    assert added.returncode == 0, added.stderr
    path = tmp_path / "pushed.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            [
                "主体名称",
                "统一社会信用代码",
                "名单名称",
                "认定单位",
                "认定文书文号",
                "失信事实",
                "列入日期",
                "有效期至",
            ]
        )
        writer.writerow(
            ["外省失信测试有限公司", current, "拖欠农民工工资失信联合惩戒对象名单", "某省人社厅",
             f"某人社列〔2026〕{seed}号", "拖欠农民工工资", "2026-06-01", "2029-05-31"]
        )  # fmt: skip
        writer.writerow(
            ["期满测试有限公司", lapsed, "重大税收违法失信主体名单", "某省税务局",
             f"某税列〔2023〕{seed}号", "虚开发票", "2023-06-01", "2026-05-31"]
        )  # fmt: skip
    done = run(
        "import", str(path), "--item", "received-list-entry", "--provider", platform, "--json", env=env
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["lists"] == {"entered": 2, "removed": 0}
    assert run("sweep", "--json", env=env).returncode == 0
    with session_factory(engine)() as session:
        found = {
            e.subject_key: e
            for e in session.scalars(select(ListEntry).where(ListEntry.determining_org == platform))
        }
    assert (found[current].status, found[current].term_end.isoformat()) == ("active", "2029-05-31")  # type: ignore[union-attr]
    assert (found[lapsed].status, found[lapsed].removal_reason) == ("removed", "term_end")
    assert "拖欠农民工工资失信联合惩戒对象名单" in lists_step_texts(engine, found[current].id)


def lists_step_texts(engine: Engine, entry_id: int) -> str:
    with session_factory(engine)() as session:
        return "；".join(s.text for s in lists.steps_of(session, entry_id))
