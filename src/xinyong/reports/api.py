"""Statistics API for the operator: one route per table, for a period, as JSON or a CSV/XLSX download
(RPT-1, RPT-2, RPT-3, ING-8). Aggregates only: no record content leaves through here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.fields import IsoDate
from xinyong.records import report
from xinyong.reports import tables
from xinyong.reports.service import Period

router = APIRouter(tags=["statistics"])
Reader = Annotated[Actor, Depends(Permission("report.read"))]
From = Annotated[IsoDate | None, Query(alias="from", description="统计期间开始日期，默认本月1日")]
To = Annotated[IsoDate | None, Query(alias="to", description="统计期间结束日期（含），默认今天")]
Format = Annotated[Literal["json", "csv", "xlsx"], Query(description="json、csv 或 xlsx")]


def download(table: tables.Table, period: Period, format: str) -> Response:
    """The table as a spreadsheet through the shared writer, named after the table and the period."""
    content, media = report.spreadsheet(table.headers, table.rows, format, table.title[:31])
    name = quote(f"{table.title}-{period.start}至{period.end}.{format}")
    return Response(
        content, media_type=media, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"}
    )


def _endpoint(kind: str) -> Callable[..., Response]:
    def endpoint(
        request: Request,
        session: DB,
        actor: Reader,
        start: From = None,
        end: To = None,
        format: Format = "json",
    ) -> Response:
        settings = request.app.state.settings
        period = Period.of(start, end, today=settings.clock.today())
        table = tables.build(session, kind=kind, settings=settings, period=period)
        if format != "json":
            return download(table, period, format)
        return JSONResponse(
            {
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "title": table.title,
                "headers": list(table.headers),
                "rows": table.rows,
            }
        )

    endpoint.__name__ = f"statistics_{kind}"
    return endpoint


for _kind in tables.KINDS:
    router.add_api_route(
        f"/statistics/{_kind}",
        _endpoint(_kind),
        methods=["GET"],
        response_class=Response,
        summary=f"统计：{_kind}",
    )
