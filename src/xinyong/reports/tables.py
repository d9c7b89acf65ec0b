"""Each report as a table a person reads: Chinese headers and rows, for the dashboard, the exports and the
command line (RPT-1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from xinyong.measures.service import LoopStats
from xinyong.profiles.loader import load_profile
from xinyong.reports import service
from xinyong.reports.service import CaseStats, DepartmentStats, Period, ProviderReport
from xinyong.settings import Settings
from xinyong.workdays import working_calendar

KINDS = ("providers", "timeliness", "silent", "departments", "rp", "cases")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: Sequence[str]
    rows: list[list[Any]]


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def providers(report: ProviderReport) -> Table:
    return Table(
        "providers",
        "信息提供单位归集情况",
        [
            "单位代码",
            "单位名称",
            "归集记录数",
            "报送行数",
            "拒收行数",
            "拒收率",
            "完整率",
            f"“双公示”计时记录数（时限{report.limit_days}个工作日）",
            "按时上网数",
            "按时率",
            "平均延迟（工作日）",
            "更正数",
            "撤回数",
        ],
        [
            [
                s.org,
                s.name,
                s.received,
                s.delivered_rows,
                s.rejected_rows,
                percent(s.rejection_rate),
                percent(s.completeness),
                s.measured,
                s.on_time,
                percent(s.on_time_share),
                "—" if s.average_delay is None else s.average_delay,
                s.corrected,
                s.withdrawn,
            ]
            for s in report.providers
        ],
    )


def timeliness(report: ProviderReport) -> Table:
    return Table(
        "timeliness",
        "按目录项更新周期的报送时效",
        [
            "单位代码",
            "单位名称",
            "目录项",
            "时限（工作日）",
            "时限依据",
            "计时记录数",
            "按时到达数",
            "按时率",
            "平均延迟（工作日）",
        ],
        [
            [
                t.org,
                t.name,
                t.item_name,
                t.limit_days,
                "辖区配置（“双公示”）" if t.from_profile else "目录更新周期",
                t.measured,
                t.on_time,
                percent(t.on_time_share),
                "—" if t.average_delay is None else t.average_delay,
            ]
            for t in report.items
        ],
    )


def silent(report: ProviderReport) -> Table:
    return Table(
        "silent",
        "期间内未报送任何信息的提供单位",
        ["单位代码", "单位名称", "目录列明其提供的目录项"],
        [[s.org, s.name, s.items] for s in report.silent],
    )


def departments(stats: list[DepartmentStats]) -> Table:
    return Table(
        "departments",
        "信息使用单位使用情况",
        [
            "单位代码",
            "单位名称",
            "查询次数",
            "按目的",
            "信用审查次数",
            "审查主体数",
            "拦截",
            "提示",
            "联合奖惩推送",
            "响应",
            "实施",
            "反馈",
            "逾期未响应",
        ],
        [
            [
                s.org,
                s.name,
                s.queries,
                s.purposes,
                s.checks,
                s.checked_subjects,
                s.intercepted,
                s.warned,
                s.pushed,
                s.responded,
                s.implemented,
                s.fed_back,
                s.overdue,
            ]
            for s in stats
        ],
    )


def rp(stats: list[LoopStats]) -> Table:
    return Table(
        "rp",
        "联合奖惩闭环（按部门、名单）",
        ["实施部门", "名单类型", "推送", "响应", "实施", "反馈", "逾期未响应"],
        [
            [s.org_code, s.list_type, s.pushed, s.responded, s.implemented, s.fed_back, s.overdue]
            for s in stats
        ],
    )


def cases(stats: list[CaseStats]) -> Table:
    return Table(
        "cases",
        "异议、修复等办理时限",
        ["类别", "办理单位", "期间内到期步骤", "按时办结", "逾期办结", "逾期未办结", "按时率"],
        [
            [s.label, s.name, s.due, s.on_time, s.late, s.open_overdue, percent(s.on_time_share)]
            for s in stats
        ],
    )


def provider_report(session: Session, *, settings: Settings, period: Period) -> ProviderReport:
    """The provider figures with the calendar and the 双公示 limit of the running profile (ING-8)."""
    return service.providers(
        session,
        period=period,
        calendar=working_calendar(settings.data_dir.resolve()),
        limit=load_profile(settings.profile).timeliness.double_publicity_days,
    )


def build(session: Session, *, kind: str, settings: Settings, period: Period) -> Table:
    """One of ``KINDS`` as a table."""
    if kind in ("providers", "timeliness", "silent"):
        report = provider_report(session, settings=settings, period=period)
        return {"providers": providers, "timeliness": timeliness, "silent": silent}[kind](report)
    if kind == "departments":
        return departments(service.departments(session, period=period))
    if kind == "rp":
        return rp(service.rp(session, period=period))
    return cases(service.cases(session, period=period, today=settings.clock.today()))
