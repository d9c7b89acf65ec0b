"""``/healthz``: is the app up, and is its database on the newest schema."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from xinyong.db import migrate
from xinyong.profiles.schema import Profile
from xinyong.settings import Settings
from xinyong.web import deps

router = APIRouter(tags=["health"])


class SchemaState(BaseModel):
    head: str | None
    current: str | None


class HealthOut(BaseModel):
    status: Literal["ok", "schema_outdated", "database_unreachable"]
    profile: str
    schema_: SchemaState = Field(alias="schema")
    fixed_date: date | None = None


@router.get(
    "/healthz",
    summary="健康检查",
    response_model=HealthOut,
    responses={503: {"model": HealthOut, "description": "数据库不可达或未迁移到最新版本"}},
)
def healthz(
    request: Request,
    settings: Annotated[Settings, Depends(deps.settings)],
    profile: Annotated[Profile, Depends(deps.profile)],
) -> JSONResponse:
    head = migrate.head_revision()
    try:
        current = migrate.current_revision(request.app.state.engine)
        status = "ok" if current == head else "schema_outdated"
    except SQLAlchemyError:
        current, status = None, "database_unreachable"
    body = HealthOut.model_validate(
        {
            "status": status,
            "profile": profile.name,
            "schema": {"head": head, "current": current},
            "fixed_date": settings.fixed_date,
        }
    )
    content = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    return JSONResponse(content, status_code=200 if status == "ok" else 503)
