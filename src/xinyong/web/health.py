"""``/healthz``: is the app up, and is its database on the newest schema."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from xinyong.db import migrate
from xinyong.settings import Settings
from xinyong.web import deps

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="健康检查")
def healthz(request: Request, settings: Annotated[Settings, Depends(deps.settings)]) -> JSONResponse:
    head = migrate.head_revision()
    body: dict[str, Any] = {"status": "ok", "profile": settings.profile, "schema": {"head": head}}
    try:
        current = migrate.current_revision(request.app.state.engine)
    except SQLAlchemyError:
        current = None
        body["status"] = "database_unreachable"
    body["schema"]["current"] = current
    if body["status"] == "ok" and current != head:
        body["status"] = "schema_outdated"
    if settings.fixed_date is not None:
        body["fixed_date"] = settings.fixed_date.isoformat()
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)
