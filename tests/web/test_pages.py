"""Portal pages rendered on the server: Chinese, with the fixed date shown, errors inline."""

from __future__ import annotations

import gc

import anyio
import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from tests.conftest import uscc_code
from xinyong.audit.models import AuditEvent
from xinyong.db.engine import session_factory, transaction
from xinyong.rules import identifiers
from xinyong.settings import Settings
from xinyong.subjects import service as subjects
from xinyong.web.app import create_app, serving_app

HTML = {"accept": "text/html"}


def test_home_page_is_chinese_and_shows_the_fixed_date(client: TestClient) -> None:
    response = client.get("/", headers=HTML)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert "公共信用信息平台" in response.text
    assert "系统日期固定为 2026-11-23" in response.text


def test_without_a_fixed_date_no_banner(settings: Settings, engine: object) -> None:
    with TestClient(create_app(settings.model_copy(update={"fixed_date": None}))) as live:
        assert "系统日期固定为" not in live.get("/", headers=HTML).text


def test_a_serving_process_sets_aside_what_it_made_while_starting(settings: Settings, engine: object) -> None:
    """``xinyong serve``'s app freezes its start-up heap so the cycle collector stops walking it under load;
    an app of the tests, many to a process, leaves the collector alone."""
    gc.unfreeze()
    try:
        with TestClient(create_app(settings)) as plain:
            assert plain.get("/healthz").status_code == 200 and gc.get_freeze_count() == 0
        with TestClient(serving_app(settings)) as served:
            assert served.get("/healthz").status_code == 200 and gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_a_serving_process_answers_its_busiest_pages_before_its_first_visitor(
    settings: Settings, engine: Engine
) -> None:
    """The templates of the home, search and subject pages are compiled while the process starts, from
    the first organisation on record, and warming them leaves no trace in the audit log."""
    with transaction(session_factory(engine)) as session:
        subjects.ensure(
            session,
            subjects=[
                subjects.NewSubject(identifiers.validate(uscc_code(7)), "济南市历下区示例商贸有限公司")
            ],
            now=settings.clock.now(),
        )
    counted = select(func.count()).select_from(AuditEvent)
    with session_factory(engine)() as session:
        before = session.scalar(counted)
    app = serving_app(settings)

    async def started() -> set[str]:
        async with app.router.lifespan_context(app):
            return {name for _, name in app.state.templates.env.cache}

    try:
        assert {"home.html", "search.html", "subject.html"} <= anyio.run(started)
    finally:
        gc.unfreeze()
    with session_factory(engine)() as session:
        assert session.scalar(counted) == before
    plain = create_app(settings)
    with TestClient(plain):
        assert not plain.state.templates.env.cache  # an app of the tests compiles what it is asked for


def test_a_serving_process_without_a_database_still_starts(settings: Settings, tmp_path: object) -> None:
    """No tables yet: nothing to warm, and ``/healthz`` says what is wrong."""
    empty = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/empty.db"})
    try:
        with TestClient(serving_app(empty)) as served:
            response = served.get("/healthz")
        assert response.status_code == 503 and response.json()["status"] == "schema_outdated"
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("threads", [1, 4, 9])
def test_routes_run_in_as_many_threads_as_the_setting_says(
    settings: Settings, engine: object, threads: int
) -> None:
    app = create_app(settings.model_copy(update={"request_threads": threads}))

    async def limit() -> float:
        async with app.router.lifespan_context(app):
            return anyio.to_thread.current_default_thread_limiter().total_tokens

    assert anyio.run(limit) == threads


@pytest.mark.req("SUB-2")
def test_id_check_page_names_the_wrong_character(client: TestClient) -> None:
    response = client.get("/tools/id-check", params={"code": "91110000802100433A"}, headers=HTML)
    assert response.status_code == 422
    assert "第18位校验码应为“B”" in response.text and "uscc.checksum" in response.text
    ok = client.get("/tools/id-check", params={"code": "9111 0000 8021 0043 3b"}, headers=HTML)
    assert ok.status_code == 200 and "有效的统一社会信用代码" in ok.text and "91110000802100433B" in ok.text


@pytest.mark.req("PROF-2")
def test_working_days_page_lists_each_day_with_its_reason(client: TestClient) -> None:
    response = client.get("/tools/working-days", params={"start": "2026-09-30", "days": "3"}, headers=HTML)
    assert response.status_code == 200
    assert "第 3 个工作日是 2026-10-10" in response.text
    assert "法定节假日：国庆节" in response.text and "调休上班：国庆节" in response.text


@pytest.mark.parametrize(
    ("start", "days", "code"),
    [
        ("2026-13-01", "3", "date.invalid"),
        ("2026-09-30", "-1", "calendar.negative_days"),
        ("2026-09-30", "x", "number.invalid"),
    ],
)
def test_working_days_page_shows_bad_input_inline(
    client: TestClient, start: str, days: str, code: str
) -> None:
    response = client.get("/tools/working-days", params={"start": start, "days": days}, headers=HTML)
    assert response.status_code == 422 and code in response.text and 'role="alert"' in response.text


@pytest.mark.req("PROF-1")
def test_rules_page_marks_operator_choices_apart_from_law(settings: Settings, engine: object) -> None:
    with TestClient(create_app(settings.model_copy(update={"profile": "jiangsu"}))) as jiangsu:
        text = jiangsu.get("/rules", headers=HTML).text
    assert "江苏" in text and "JS-P 第三十二条" in text
    assert "运营方设定" in text
    row = text.split("异议办理时限（工作日）：平台与提供单位完成审核（自收到申请起）")[1].split("</tr>")[0]
    assert "<td>10</td>" in row and "运营方设定" not in row


def test_unknown_pages_get_a_chinese_404_page(client: TestClient) -> None:
    response = client.get("/no/such/page", headers=HTML)
    assert response.status_code == 404 and "页面或资源不存在" in response.text and "http.404" in response.text
