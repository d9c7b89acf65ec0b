"""The catalog page: what the platform collects, how it is disclosed and on what basis (CAT-1, CAT-2)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from xinyong.access.deps import DB
from xinyong.catalog import service
from xinyong.catalog.schema import CATEGORY_LABELS, NEGATIVE_KIND_LABELS, SUBJECT_KIND_LABELS
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)

DISCLOSURE_LABELS = {"public": "公开", "shared": "政务共享", "authorized": "授权查询"}
TYPE_LABELS = {
    "text": "文本",
    "date": "日期",
    "decimal": "数值",
    "integer": "整数",
    "identifier": "代码",
    "choice": "选项",
}


@router.get("/catalog", response_class=HTMLResponse)
def catalog_page(request: Request, session: DB) -> HTMLResponse:
    today = request.app.state.settings.clock.today()
    in_force = service.items_in_force(session, today)
    return render(
        request,
        "catalog.html",
        {
            "active": "catalog",
            "today": today,
            "items": [f for f in in_force if f.scope != "market"],
            "market_items": [f for f in in_force if f.scope == "market"],  # not public credit information
            "categories": CATEGORY_LABELS,
            "kinds": SUBJECT_KIND_LABELS,
            "negative_kinds": NEGATIVE_KIND_LABELS,
            "disclosures": DISCLOSURE_LABELS,
            "types": TYPE_LABELS,
        },
    )
