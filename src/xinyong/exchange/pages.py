"""The operator's exchange page (``/admin/exchange``): where each destination's exports stand and the
packages written for other platforms. Packages are imported by the API or the command line."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.exchange import service
from xinyong.exchange.schemas import WatermarkOut
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
Manager = Annotated[Actor, Depends(Permission("exchange.manage"))]
SHOWN_PACKAGES = 20


@router.get("/admin/exchange", response_class=HTMLResponse)
def exchange_page(request: Request, session: DB, _: Manager) -> HTMLResponse:
    settings = request.app.state.settings
    return render(
        request,
        "exchange_admin.html",
        {
            "active": "admin",
            "platform": settings.exchange_platform,
            "watermarks": [WatermarkOut.of(row) for row in service.watermarks(session)],
            "packages": service.written(settings, limit=SHOWN_PACKAGES),
        },
    )
