"""Catalog API: the items in force on a day, as published to departments and the public (CAT-1, CAT-2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from xinyong.access.deps import DB, PublicAccess
from xinyong.catalog import service
from xinyong.catalog.schemas import CatalogItemOut
from xinyong.fields import IsoDate

router = APIRouter(tags=["catalog"])


@router.get("/catalog", response_model=list[CatalogItemOut], summary="公共信用信息目录（某日有效的目录项）")
def catalog(
    request: Request,
    session: DB,
    _: PublicAccess,
    as_of: Annotated[IsoDate | None, Query(description="日期，默认今天")] = None,
) -> list[CatalogItemOut]:
    day = as_of or request.app.state.settings.clock.today()
    return [CatalogItemOut.of(found) for found in service.items_in_force(session, day)]
