"""One error shape for every endpoint: ``{"error": {"code", "message", "field", "row"}}``.

Portal pages get the same information as a Chinese HTML page; nothing ever shows a traceback.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from xinyong.errors import Problem, XinyongError, explain
from xinyong.web.headers import decorate
from xinyong.web.routes import operations

log = logging.getLogger("xinyong.web")


class ErrorBody(BaseModel):
    code: str = Field(description="稳定的错误代码，供程序判断，如 uscc.checksum")
    message: str = Field(description="中文说明")
    field: str | None = Field(default=None, description="出错的字段或参数")
    row: int | None = Field(default=None, description="出错的行号（批量导入）")


class ErrorOut(BaseModel):
    error: ErrorBody


# Declared on every API router so that the OpenAPI document shows the error shape actually returned.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "请求体无法解析"},
    401: {"model": ErrorOut, "description": "未登录或访问令牌无效"},
    403: {"model": ErrorOut, "description": "角色、职责或授权不允许"},
    404: {"model": ErrorOut, "description": "资源不存在"},
    422: {"model": ErrorOut, "description": "输入被拒绝：代码、中文说明、字段"},
    429: {"model": ErrorOut, "description": "尝试次数过多"},
    500: {"model": ErrorOut, "description": "服务器内部错误"},
    503: {"model": ErrorOut, "description": "数据库正忙，请稍后重试"},
}

HTTP_MESSAGES = {
    400: "请求无效：请求体无法解析（应为 UTF-8 编码的 JSON 或表单，数字不超过 4,300 位，嵌套不过深）",
    401: "需要登录或提供有效的访问令牌",
    403: "无权访问",
    404: "页面或资源不存在",
    405: "不支持该请求方法",
    413: "上传内容过大",
    500: "服务器内部错误，已记录，请稍后再试",
}
BUSY = Problem(code="db.busy", message="系统繁忙：数据库正在处理其他写入，请稍后重试")
# PostgreSQL's answers that retrying cures: serialization failure, deadlock, lock not available.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def busy(exc: DBAPIError) -> bool:
    """The database refused for now, not for good: SQLite's one writer still busy after the busy timeout, or
    a PostgreSQL lock conflict. The transaction that met it was rolled back, and every write path is safe to
    send again (a re-sent record is recognised), so the client may simply retry."""
    if isinstance(exc.orig, sqlite3.OperationalError):
        return "locked" in str(exc.orig) or "busy" in str(exc.orig)
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def _chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")


def render_problem(
    request: Request, problem: Problem, status: int, headers: Mapping[str, str] | None = None
) -> Response:
    if wants_json(request):
        return JSONResponse({"error": problem.as_dict()}, status_code=status, headers=headers)
    templates: Jinja2Templates = request.app.state.templates
    context = {"problem": problem, "status": status}
    return templates.TemplateResponse(request, "error.html", context, status_code=status, headers=headers)


def _validation_problem(exc: RequestValidationError) -> Problem:
    first = exc.errors()[0]
    if first.get("type") == "json_invalid":  # its location is the character where parsing stopped
        where = first.get("loc", ())[-1]
        return Problem(code="request.json_invalid", message=f"请求体不是有效的 JSON（第 {where} 个字符附近）")
    loc = [str(part) for part in first.get("loc", ()) if part not in ("query", "path", "body", "header")]
    field = ".".join(loc) or None
    reason = explain(first)
    message = f"参数 {field}：{reason}" if field else reason
    kind = str(first.get("type", "invalid"))
    return Problem(code=kind if "." in kind else f"request.{kind}", message=message, field=field)


def _allowed_methods(request: Request) -> str:
    """Every method some route serves on this path: Starlette names only the first matching route's."""
    path = request.url.path
    methods = {m for m, template, _ in operations(request.app) if compile_path(template)[0].match(path)}
    return ", ".join(sorted(methods))


def install(app: FastAPI) -> None:
    @app.exception_handler(XinyongError)
    async def refused(request: Request, exc: XinyongError) -> Response:
        return render_problem(request, exc.problem, exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return render_problem(request, _validation_problem(exc), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) and _chinese(exc.detail) else None
        message = detail or HTTP_MESSAGES.get(exc.status_code, "请求失败")
        problem = Problem(code=f"http.{exc.status_code}", message=message)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        return render_problem(request, problem, exc.status_code, headers)

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, exc: DBAPIError) -> Response:
        if not busy(exc):
            return await crashed(request, exc)
        log.warning("database busy on %s %s: %s", request.method, request.url.path, exc.orig)
        return render_problem(request, BUSY, 503, {"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        response = render_problem(request, Problem(code="internal", message=HTTP_MESSAGES[500]), 500)
        # Sent outside the app's middleware, so it adds the common headers itself.
        decorate(
            response.headers,
            path=request.url.path,
            fixed=request.app.state.settings.fixed_date,
            request_id=getattr(request.state, "request_id", None),
        )
        return response
