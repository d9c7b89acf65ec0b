"""The JSON API: identifier and calendar endpoints, and one error shape everywhere."""

from __future__ import annotations

import sqlite3
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError

from xinyong.db import migrate
from xinyong.settings import Settings
from xinyong.web.app import create_app


def error_of(response: object) -> dict[str, object]:
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field", "row"}
    return dict(body["error"])


def test_healthz_reports_schema_and_fixed_date(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["schema"]["current"] == body["schema"]["head"] == migrate.head_revision()
    assert body["fixed_date"] == "2026-11-23"
    assert body["profile"] == "national"


def test_every_response_says_when_today_is_fixed(client: TestClient, settings: Settings) -> None:
    assert client.get("/api/v1/calendar/days/2026-10-10").headers["X-Xinyong-Fixed-Date"] == "2026-11-23"
    assert client.get("/api/v1/nothing").headers["X-Xinyong-Fixed-Date"] == "2026-11-23"
    with TestClient(create_app(settings.model_copy(update={"fixed_date": None}))) as live:
        assert "X-Xinyong-Fixed-Date" not in live.get("/api/v1/calendar/days/2026-10-10").headers


def test_healthz_says_when_the_database_is_not_migrated(settings: Settings, tmp_path: object) -> None:
    empty = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/empty.db"})
    with TestClient(create_app(empty)) as fresh:
        response = fresh.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "schema_outdated"


@pytest.mark.req("SUB-2")
def test_a_valid_uscc(client: TestClient) -> None:
    body = client.get("/api/v1/identifiers/91110000802100433B").json()
    assert body == {
        "sex_label": None,
        "valid": True,
        "kind": "uscc",
        "label": "统一社会信用代码",
        "value": "91110000802100433B",
        "birth_date": None,
        "sex": None,
        "region": None,
    }


@pytest.mark.req("SUB-2")
def test_a_valid_citizen_id_gives_birth_date_and_sex(client: TestClient) -> None:
    body = client.get("/api/v1/identifiers/11010519491231002x").json()
    assert body["kind"] == "citizen_id" and body["value"] == "11010519491231002X"
    assert body["birth_date"] == "1949-12-31" and (body["sex"], body["sex_label"]) == ("female", "女")


@pytest.mark.req("SUB-2")
def test_a_wrong_check_character_is_422_naming_the_expected_one(client: TestClient) -> None:
    response = client.get("/api/v1/identifiers/91110000802100433A")
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "uscc.checksum" and error["field"] == "code"
    assert "第18位" in str(error["message"]) and "“B”" in str(error["message"])


@pytest.mark.req("PROF-2")
def test_working_days_endpoint(client: TestClient) -> None:
    body = client.get("/api/v1/calendar/working-days", params={"start": "2026-09-30", "days": 3}).json()
    assert body == {
        "start": "2026-09-30",
        "days": 3,
        "date": "2026-10-10",
        "estimated": False,
        "estimated_years": [],
    }
    # No schedule will ever be published this far ahead: weekends only, and the answer says so.
    body = client.get("/api/v1/calendar/working-days", params={"start": "2099-12-30", "days": 3}).json()
    assert body["date"] == "2100-01-04" and body["estimated"] and body["estimated_years"] == [2099, 2100]


@pytest.mark.req("PROF-2")
def test_calendar_day_endpoint(client: TestClient) -> None:
    body = client.get("/api/v1/calendar/days/2026-10-10").json()
    assert body["working"] and body["reason"] == "调休上班：国庆节"


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"start": "2026-09-30", "days": -3}, "calendar.negative_days", "days"),
        ({"start": "2026-09-30", "days": 99999}, "calendar.too_many_days", "days"),
        ({"start": "2026-02-30", "days": 3}, "date.invalid", "start"),
        ({"start": "0", "days": 3}, "date.invalid", "start"),
        ({"start": "20260930", "days": 3}, "date.invalid", "start"),
        ({"start": "2026-09-30", "days": "three"}, "request.int_parsing", "days"),
        ({"days": 3}, "request.missing", "start"),
    ],
)
def test_bad_calendar_input_is_422_with_code_and_field(
    client: TestClient, params: dict[str, str | int], code: str, field: str
) -> None:
    response = client.get("/api/v1/calendar/working-days", params=params)
    assert response.status_code == 422
    error = error_of(response)
    assert (error["code"], error["field"]) == (code, field)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error["message"]))


def test_unknown_api_paths_use_the_error_shape(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and error_of(response)["code"] == "http.404"


def test_an_unexpected_failure_is_a_500_in_the_error_shape(settings: Settings, engine: object) -> None:
    app: FastAPI = create_app(settings)

    @app.get("/api/v1/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/api/v1/boom")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal" and "secret" not in str(error["message"])
    assert response.headers["X-Xinyong-Fixed-Date"] == "2026-11-23"


class _Refusal(Exception):
    """What a driver raises: its message, and PostgreSQL's SQLSTATE where it has one."""

    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.req("SEC-4")
@pytest.mark.parametrize(
    ("orig", "status", "code"),
    [
        (sqlite3.OperationalError("database is locked"), 503, "db.busy"),
        (_Refusal("deadlock detected", "40P01"), 503, "db.busy"),
        (_Refusal("could not serialize access", "40001"), 503, "db.busy"),
        (_Refusal("lock not available", "55P03"), 503, "db.busy"),
        (sqlite3.OperationalError("no such table: record"), 500, "internal"),
        (_Refusal("relation does not exist", "42P01"), 500, "internal"),
    ],
)
def test_a_busy_database_asks_to_retry_and_other_database_failures_stay_internal(
    settings: Settings, engine: object, orig: Exception, status: int, code: str
) -> None:
    """Under load SQLite's one writer can stay busy past the timeout, and PostgreSQL can break a deadlock:
    its transaction was rolled back and a retry helps, so it is a 503 with Retry-After, not a crash."""
    app: FastAPI = create_app(settings)

    @app.post("/api/v1/busy")
    def refused() -> None:
        raise OperationalError("INSERT INTO credit_check ...", {}, orig)

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.post("/api/v1/busy")
    assert response.status_code == status and error_of(response)["code"] == code
    assert (response.headers.get("Retry-After") == "1") == (status == 503)
    assert "INSERT" not in response.text and "credit_check" not in response.text


def test_openapi_lists_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/identifiers/{code}",
        "/api/v1/calendar/working-days",
        "/api/v1/calendar/days/{day}",
        "/api/v1/profile",
        "/healthz",
    } <= set(paths)


@pytest.mark.req("PROF-1")
def test_the_profile_endpoint_shows_the_settings_in_force(client: TestClient) -> None:
    body = client.get("/api/v1/profile").json()
    assert body["name"] == "national"
    assert body["publicity"]["regimes"][-1]["effective_from"] == "2026-04-01"
    assert body["objection"]["deadlines"]["check"]["chosen"] is True


@hypothesis_settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(code=st.text(max_size=40), start=st.text(max_size=12), days=st.text(max_size=8))
def test_no_input_crashes_the_server(client: TestClient, code: str, start: str, days: str) -> None:
    responses = [
        client.get(f"/api/v1/identifiers/{quote(code, safe='')}"),
        client.get("/api/v1/calendar/working-days", params={"start": start, "days": days}),
        client.get(f"/api/v1/calendar/days/{quote(start, safe='')}"),
    ]
    for response in responses:
        assert response.status_code in (200, 404, 422), response.text
        if response.status_code != 200:
            error_of(response)
