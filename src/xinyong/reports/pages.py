"""The operator's dashboard: the period's figures as charts and tables, with export links (RPT-1, RPT-2,
RPT-3, ING-8)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from xinyong.access.actors import Actor
from xinyong.access.deps import DB, Permission
from xinyong.reports import charts, service, tables
from xinyong.reports.api import From, To
from xinyong.reports.service import Period
from xinyong.web.render import render

router = APIRouter(include_in_schema=False)
FUNNEL_STEPS = ("推送", "响应", "实施", "反馈")


@router.get("/admin/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: DB,
    actor: Annotated[Actor, Depends(Permission("report.read"))],
    start: From = None,
    end: To = None,
) -> HTMLResponse:
    settings = request.app.state.settings
    period = Period.of(start, end, today=settings.clock.today())
    report = tables.provider_report(session, settings=settings, period=period)
    users = service.departments(session, period=period)
    funnel = [(d.name, (d.pushed, d.responded, d.implemented, d.fed_back)) for d in users if d.pushed]
    timed = [(s.name, s.on_time_share) for s in report.providers if s.on_time_share is not None]
    return render(
        request,
        "dashboard.html",
        {
            "active": "admin",
            "actor": actor,
            "period": period,
            "report": report,
            "charts": {
                "volume": charts.bars(
                    "各提供单位归集记录数", [(s.name, s.received) for s in report.providers]
                ),
                "timely": charts.bars(f"“双公示”{report.limit_days}个工作日内上网比例", timed, percent=True),
                "months": charts.columns("每月归集记录数", report.months),
                "funnel": charts.funnel("联合奖惩闭环", FUNNEL_STEPS, funnel),
            },
            "tables": [
                tables.providers(report),
                tables.timeliness(report),
                tables.silent(report),
                tables.departments(users),
                tables.rp(service.rp(session, period=period)),
                tables.cases(service.cases(session, period=period, today=settings.clock.today())),
            ],
        },
    )
