"""The bad-input corpus (SEC-4): every file of ``files/`` and of ``generated.py`` through every way in, as
the table of README.md says. Adding a file and its line adds a case."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from xinyong.access.security import secret_key
from xinyong.cli import app as cli
from xinyong.db.bootstrap import initialise
from xinyong.db.engine import make_engine, session_factory, transaction
from xinyong.records.models import Record
from xinyong.records.validate import RECORD_COLUMNS
from xinyong.settings import Settings
from xinyong.web.app import create_app

from ..conftest import TODAY, org_with_token
from ..records.conftest import COMPANY
from ..records.test_import import LABELS
from .generated import GENERATORS

HERE = Path(__file__).parent
FILES = HERE / "files"
REQS = ("SEC-4", "ING-1", "ING-3")
# A JSON push checks text as a field, not as a file's cell.
JSON_CODES = {"cell.control_character": "text.control_character", "cell.too_long": "text.too_long"}
FIELD_NAMES = {label: name for name, label in LABELS.items()} | {
    "证件类型": "id_type",
    "证件号码": "id_number",
}
FIELD_NAMES |= {spelling: name for name, spellings in RECORD_COLUMNS.items() for spelling in spellings}
# Refusals of a file as such, before any row is read, whichever service reads it.
READER_CODES = {"file.empty", "file.encoding", "file.too_large_zip", "file.corrupt"}
# Refusals that name the file as its sender called it (an upload is kept under another name).
NAMING_CODES = READER_CODES | {"file.quote", "file.no_rows", "file.line_too_long"}


@dataclass(frozen=True)
class Expected:
    row: int | None
    field: str | None
    code: str | None


@dataclass(frozen=True)
class Case:
    file: str
    item: str
    level: str
    stored: int
    expected: tuple[Expected, ...]
    peak_mb: int | None

    @property
    def id(self) -> str:
        return f"{self.file}:{self.item}"


def _cell(text: str) -> str | None:
    text = text.strip().strip("`")
    return None if text in ("—", "") else text


def load_cases() -> list[Case]:
    """The README's tables, one case per (file, item), with a line per expected refusal."""
    found: dict[tuple[str, str], Case] = {}
    for line in (HERE / "README.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        file, item, _, level, code, row, field, stored = cells[:8]
        peak = int(cells[8]) if len(cells) > 8 else None
        key = (str(_cell(file)), item)
        expected = Expected(int(r) if (r := _cell(row)) else None, _cell(field), _cell(code))
        before = found.get(key)
        found[key] = Case(
            key[0], item, level, int(stored), (*(before.expected if before else ()), expected), peak
        )
    return list(found.values())


CASES = load_cases()
PUSHED = [c for c in CASES if c.file.endswith(".json")]
FILED = [c for c in CASES if c not in PUSHED]
COMMITTED = [c for c in FILED if c.file not in GENERATORS]
MADE = [c for c in FILED if c.file in GENERATORS]
ROW_CASES = [c for c in COMMITTED if c.level == "row"]


@dataclass
class World:
    settings: Settings
    engine: Engine
    client: TestClient
    provider: str
    headers: dict[str, dict[str, str]]
    made: Path

    def records(self) -> int:
        with session_factory(self.engine)() as session:
            return session.scalar(select(func.count()).select_from(Record)) or 0


@pytest.fixture(scope="module")
def world(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    data_dir = tmp_path_factory.mktemp("corpus") / "var"
    settings = Settings(database_url=database_url, data_dir=data_dir, fixed_date=TODAY)
    engine = make_engine(database_url)
    initialise(engine, settings)
    tag, now, key = secrets.token_hex(3), settings.clock.now(), secret_key(data_dir.resolve())
    with transaction(session_factory(engine)) as session:
        tokens = {
            role: org_with_token(session, code=f"{role[:4]}-{tag}", kind=kind, role=role, key=key, now=now)
            for role, kind in (
                ("provider", "provider"),
                ("user_department", "user"),
                ("operator_admin", "operator"),
            )
        }
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield World(
            settings,
            engine,
            client,
            f"prov-{tag}",
            {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()},
            tmp_path_factory.mktemp("generated"),
        )
    engine.dispose()


def path_of(world: World, case: Case) -> Path:
    if case.file in GENERATORS:
        made = world.made / case.file
        return made if made.exists() else GENERATORS[case.file](world.made)
    return FILES / case.file


def chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def assert_answered(world: World) -> None:
    assert world.client.get("/healthz").status_code == 200


def assert_outcome(case: Case, status: int, body: dict[str, Any], *, json_push: bool = False) -> None:
    """``body`` is the import's answer or the refusal as the table expects; a JSON push numbers from 1."""
    assert status != 500, body
    if case.level == "file":
        code = case.expected[0].code or ""
        assert status == (int(code[5:]) if code.startswith("http.") else 422), body
        error = body["error"]
        want = case.expected[0]
        assert (error["code"], error["row"]) == (want.code, want.row) and chinese(error["message"])
        return
    assert status == 200, body
    assert body["accepted"] + body["duplicates"] + body["corrected"] == case.stored
    wanted = [e for e in case.expected if e.code]
    shift = 1 if json_push else 0
    got = {(r["row"], r["field"], r["code"]) for r in body["rejects"]}
    for expected in wanted:
        refusal = JSON_CODES.get(expected.code or "", expected.code) if json_push else expected.code
        row = expected.row - shift if expected.row else None
        assert (row, expected.field, refusal) in got, body["rejects"]
    assert body["rejected"] == len({e.row for e in wanted})
    assert all(chinese(r["message"]) for r in body["rejects"])


def upload(world: World, case: Case, path: Path) -> tuple[int, dict[str, Any]]:
    with path.open("rb") as content:
        response = world.client.post(
            "/api/v1/imports",
            headers=world.headers["provider"],
            data={"item": case.item, "severity": "general"},
            files={"file": (case.file, content)},
        )
    return response.status_code, response.json()


def assert_named(case: Case, body: dict[str, Any]) -> None:
    if case.level == "file" and case.expected[0].code in NAMING_CODES:
        assert body["error"]["message"].startswith(f"{case.file}："), body


def check_stored(world: World, case: Case, before: int, body: dict[str, Any]) -> None:
    """Nothing half-written: a refused file adds no record, a read one exactly those it accepted."""
    added = world.records() - before
    assert added == (body["accepted"] if case.level == "row" else 0)


@pytest.mark.req(*REQS)
@pytest.mark.parametrize("case", COMMITTED, ids=lambda c: c.id)
def test_upload(world: World, case: Case) -> None:
    before = world.records()
    status, body = upload(world, case, FILES / case.file)
    assert_outcome(case, status, body)
    assert_named(case, body)
    check_stored(world, case, before, body)
    assert_answered(world)


@pytest.mark.req(*REQS)
@pytest.mark.parametrize("case", MADE, ids=lambda c: c.id)
def test_generated_upload_in_bounded_memory(world: World, case: Case) -> None:
    path = path_of(world, case)
    before = world.records()
    tracemalloc.start()
    try:
        status, body = upload(world, case, path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_outcome(case, status, body)
    assert_named(case, body)
    check_stored(world, case, before, body)
    assert case.peak_mb is not None and peak < case.peak_mb * 1024 * 1024, f"{peak / 2**20:.0f} MB"
    assert_answered(world)


@pytest.mark.req(*REQS)
@pytest.mark.parametrize("case", FILED, ids=lambda c: c.id)
def test_command_line(world: World, case: Case) -> None:
    env = {
        "XINYONG_DATABASE_URL": world.settings.database_url,
        "XINYONG_DATA_DIR": str(world.settings.data_dir),
        "XINYONG_FIXED_DATE": TODAY.isoformat(),
    }
    args = ["import", str(path_of(world, case)), "--item", case.item, "--provider", world.provider]
    before = world.records()
    result = CliRunner().invoke(cli, [*args, "--severity", "general", "--json"], env=env)
    assert result.exit_code == (1 if case.level == "file" else 0), result.output
    body = json.loads(result.stdout)
    assert_outcome(case, 422 if case.level == "file" else 200, body)
    check_stored(world, case, before, body)


def json_records(path: Path) -> list[dict[str, str]]:
    """The file's rows as a provider's system would push them: field names, other columns as they are."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if raw.isascii() or _utf8(raw) else raw.decode("gb18030")
    header, *rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    names = [FIELD_NAMES.get(h.lstrip("\ufeff"), h) for h in header]
    return [{n: v for n, v in zip(names, row, strict=True) if v} for row in rows]


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@pytest.mark.req(*REQS)
@pytest.mark.parametrize("case", ROW_CASES, ids=lambda c: c.id)
def test_json_push(world: World, case: Case) -> None:
    body = {"item": case.item, "severity": "general", "records": json_records(FILES / case.file)}
    before = world.records()
    response = world.client.post("/api/v1/records", headers=world.headers["provider"], json=body)
    assert_outcome(case, response.status_code, response.json(), json_push=True)
    check_stored(world, case, before, response.json())
    assert_answered(world)


@pytest.mark.req(*REQS)
@pytest.mark.parametrize("case", PUSHED, ids=lambda c: c.id)
def test_json_body(world: World, case: Case) -> None:
    before = world.records()
    response = world.client.post(
        "/api/v1/records",
        headers={**world.headers["provider"], "Content-Type": "application/json"},
        content=(FILES / case.file).read_bytes(),
    )
    assert_outcome(case, response.status_code, response.json())
    check_stored(world, case, before, response.json())
    assert_answered(world)


@pytest.mark.req("SEC-4", "ING-3")
def test_what_cannot_be_stored_is_quoted_back_replaced(world: World) -> None:
    """A NUL or a lone surrogate in a column's name is refused and quoted as U+FFFD, never a fault."""
    records = json_records(FILES / "uscc-check-character.csv")[:1]
    records[0] |= {"宗教\x00": "有", "血型\ud800": "A"}
    body = json.dumps({"item": "admin-penalty", "severity": "general", "records": records})
    response = world.client.post(
        "/api/v1/records",
        headers={**world.headers["provider"], "Content-Type": "application/json"},
        content=body,
    )
    assert response.status_code == 200, response.text
    fields = {r["field"] for r in response.json()["rejects"] if r["code"] == "data.forbidden"}
    assert fields == {"宗教\ufffd", "血型\ufffd"}
    job = response.json()["job"]
    report = world.client.get(f"/api/v1/imports/{job}/rejects", headers=world.headers["provider"])
    assert report.status_code == 200 and "宗教\ufffd" in report.text


@pytest.mark.req("SEC-4", "ING-1", "CHK-1")
@pytest.mark.parametrize("case", FILED, ids=lambda c: c.id)
def test_credit_check_upload(world: World, case: Case) -> None:
    """The check upload reads files with the same readers: a file they refuse is refused the same way."""
    with path_of(world, case).open("rb") as content:
        response = world.client.post(
            "/api/v1/checks/upload",
            headers=world.headers["user_department"],
            data={"scenario": "hiring", "purpose": "hiring_promotion"},
            files={"file": (case.file, content)},
        )
    code = case.expected[0].code
    if case.level == "file" and code in READER_CODES:
        assert response.status_code == 422 and response.json()["error"]["code"] == code
        assert_named(case, response.json())
    else:
        assert response.status_code in (200, 422), response.text
    assert chinese(response.text)
    assert_answered(world)


@pytest.mark.req("SEC-4", "INT-1")
@pytest.mark.parametrize("case", FILED, ids=lambda c: c.id)
def test_exchange_package_upload(world: World, case: Case) -> None:
    """None of the corpus is a signed package: each is refused by the package checks, with a code."""
    with path_of(world, case).open("rb") as content:
        response = world.client.post(
            "/api/v1/exchange/packages",
            headers=world.headers["operator_admin"],
            files={"file": (case.file, content)},
        )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"].startswith("exchange.") and chinese(error["message"])
    assert_answered(world)


@pytest.mark.req("SEC-4", "DATA-3", "DIS-1")
def test_html_and_sql_are_stored_verbatim_and_shown_escaped(world: World) -> None:
    case = next(c for c in COMMITTED if c.file == "html-sql-in-text.csv")
    upload(world, case, FILES / case.file)
    attack = "<script>x()</script>';DROP TABLE record;--"
    with session_factory(world.engine)() as session:
        record = session.scalars(
            select(Record).where(Record.document_number == attack)
        ).one()  # the table is still there, and the text is as sent
        data = json.loads(record.data)
        assert data["violation_facts"] == data["authority"] == data["subject_name"] == attack
    page = world.client.get(f"/subjects/{COMPANY}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "<script>x()" not in page.text and "onerror" not in page.text
    assert "&lt;script&gt;x()&lt;/script&gt;" in page.text


@pytest.mark.req("SEC-4")
def test_every_file_has_a_line_in_the_table_and_every_line_a_file() -> None:
    listed = {c.file for c in COMMITTED + PUSHED}
    assert listed == {p.name for p in FILES.iterdir()}
    assert {c.file for c in MADE} == set(GENERATORS)
