"""Regional government integrity evaluation and local government debt warnings (GOV-4, JS-G 二(五), 三(五)).

Regions are administrative divisions (行政区划代码); a body's archive names its region. The indicators, their
weights, the grade thresholds and the debt warning lines come from ``data/government/evaluation.toml`` (or a
deployment's own ``$XINYONG_DATA_DIR/government/evaluation.toml``), every number with its basis and marked
as the operator's choice where the regulation gives none. Each indicator is counted for all regions at once
in the database; a run is kept, and the public page shows the latest.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.errors import NotFound, XinyongError
from xinyong.government import service
from xinyong.government.contracts import OPEN, amount_of
from xinyong.government.models import (
    ArchiveEntry,
    Body,
    CivilServant,
    DebtFigure,
    EvaluationRun,
    Obligation,
    Region,
    RegionScore,
)
from xinyong.government.schema import Debt, EvaluationFile, Indicator
from xinyong.records import service as records
from xinyong.reference import read_model

SHIPPED = Path(__file__).resolve().parent.parent / "data" / "government" / "evaluation.toml"
REGION_CODE = re.compile(r"^[1-9]\d{5}(\d{3})?$")  # GB/T 2260 county level, or a township's nine digits
LEVEL_LABELS = {
    "red": "红色预警（债务高风险地区）",
    "yellow": "黄色预警（债务较高风险地区）",
    "none": "未达预警线",
}
FIRST_YEAR = 1990


@lru_cache(maxsize=8)
def rules(data_dir: Path) -> EvaluationFile:
    """The deployment's own evaluation file if it has one, else the shipped one; refused when not valid."""
    local = data_dir / "government" / "evaluation.toml"
    parsed, _ = read_model(
        local if local.is_file() else SHIPPED, EvaluationFile, code="government", what="政务诚信评价"
    )
    return parsed


# ------------------------------------------------------------------------------------------- regions
def add_region(session: Session, *, code: str, name: str, actor: AuditActor, now: datetime) -> Region:
    value = code.strip()
    if not REGION_CODE.match(value):
        raise XinyongError(
            "government.region_code",
            f"行政区划代码“{value[:20]}”应为 6 位（县级以上）或 9 位（乡镇）数字",
            field="code",
        )
    if session.scalar(select(Region.id).where(Region.code == value)) is not None:
        raise XinyongError("government.region_exists", f"行政区划 {value} 已登记", field="code")
    made = Region(code=value, name=service.text(name, "name", "区域名称", max_length=100), created_at=now)
    session.add(made)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="government.region",
        target_type="government_region",
        target_id=value,
    )
    return made


def regions(session: Session) -> list[Region]:
    return list(session.scalars(select(Region).order_by(Region.code)))


# ---------------------------------------------------------------------------------------------- debt
def set_debt(
    session: Session,
    *,
    region_code: str,
    year: int,
    debt_balance: str,
    fiscal_capacity: str,
    source: str,
    actor: AuditActor,
    now: datetime,
) -> DebtFigure:
    """A region's debt balance and comprehensive fiscal capacity for a year; entered again, it replaces the
    year's figures and the audit log keeps what they were."""
    place = service.region(session, region_code)
    if not FIRST_YEAR <= year <= now.year:
        raise XinyongError("government.year", f"年度应在 {FIRST_YEAR} 至 {now.year} 之间", field="year")
    balance = amount_of(debt_balance, "debt_balance", "政府债务余额")
    capacity = amount_of(fiscal_capacity, "fiscal_capacity", "综合财力")
    if balance is None:
        raise XinyongError("government.required", "请填写政府债务余额（元）", field="debt_balance")
    if not capacity:
        raise XinyongError(
            "government.capacity_zero",
            "综合财力应为大于 0 的金额（元），否则无法计算债务率",
            field="fiscal_capacity",
        )
    found = session.scalar(
        select(DebtFigure).where(DebtFigure.region_code == place.code, DebtFigure.year == year)
    )
    before = (
        None if found is None else {"debt": str(found.debt_balance), "capacity": str(found.fiscal_capacity)}
    )
    if found is None:
        found = DebtFigure(region_code=place.code, year=year)
        session.add(found)
    found.debt_balance, found.fiscal_capacity = balance, capacity
    found.source = service.text(source, "source", "数据来源")
    found.actor_label, found.updated_at = actor.label, now
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="government.debt",
        target_type="government_debt",
        target_id=f"{place.code}:{year}",
        detail={"debt": str(balance), "capacity": str(capacity), "before": before},
    )
    return found


@dataclass(frozen=True)
class Warning:
    region_code: str
    region_name: str
    year: int
    debt_balance: Decimal
    fiscal_capacity: Decimal
    ratio: Decimal  # debt balance / comprehensive fiscal capacity
    level: str

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self.level]


def level_of(ratio: Decimal, debt: Debt) -> str:
    """Red at or above the red line, yellow at or above the yellow one (JS-G 三(五))."""
    if ratio >= Decimal(str(debt.red.value)):
        return "red"
    if ratio >= Decimal(str(debt.yellow.value)):
        return "yellow"
    return "none"


def warnings(session: Session, debt: Debt) -> list[Warning]:
    """Each region's latest year with its debt ratio and warning level, red first."""
    latest = (
        select(DebtFigure.region_code, func.max(DebtFigure.year).label("year"))
        .group_by(DebtFigure.region_code)
        .subquery()
    )
    query = (
        select(DebtFigure, Region.name)
        .join(latest, and_(latest.c.region_code == DebtFigure.region_code, latest.c.year == DebtFigure.year))
        .join(Region, Region.code == DebtFigure.region_code)
    )
    found = []
    for figure, name in session.execute(query).all():
        ratio = (figure.debt_balance / figure.fiscal_capacity).quantize(Decimal("0.0001"))
        found.append(
            Warning(
                figure.region_code,
                name,
                figure.year,
                figure.debt_balance,
                figure.fiscal_capacity,
                ratio,
                level_of(ratio, debt),
            )
        )
    order = {"red": 0, "yellow": 1, "none": 2}
    return sorted(found, key=lambda w: (order[w.level], -w.ratio, w.region_code))


# ---------------------------------------------------------------------------------------- evaluation
@dataclass(frozen=True)
class Measured:
    """One indicator of one region: what was counted and the score it gives (None: no data)."""

    code: str
    label: str
    weight: int
    value: float | None
    score: float | None


@dataclass(frozen=True)
class Result:
    region_code: str
    region_name: str
    score: Decimal
    grade: str
    grade_label: str
    indicators: list[Measured]


@dataclass(frozen=True)
class Facts:
    """What was counted for each region, set-based."""

    bodies: Counter[str]
    dishonesty: Counter[str]
    due: Counter[str]
    on_time: Counter[str]
    overdue: Counter[str]
    satisfaction: dict[str, float]


def _facts(session: Session, as_of: date) -> Facts:
    bodies: Counter[str] = Counter(
        dict(session.execute(select(Body.region_code, func.count()).group_by(Body.region_code)).all())
    )
    region_of = dict(session.execute(select(Body.subject_key, Body.region_code)).all())
    region_of |= dict(
        session.execute(
            select(CivilServant.subject_key, Body.region_code).join(
                Body, Body.subject_key == CivilServant.body_key
            )
        ).all()
    )
    dishonesty: Counter[str] = Counter()
    for keys in (select(Body.subject_key), select(CivilServant.subject_key)):
        for key, count in records.standing_counts(session, item_code=service.ITEM, subject_keys=keys).items():
            dishonesty[region_of[key]] += count
    considered = and_(
        Obligation.status != "terminated", or_(Obligation.due_on < as_of, Obligation.status == "fulfilled")
    )
    late = or_(
        Obligation.status.in_(("overdue", "broken")),
        and_(Obligation.status.in_(OPEN), Obligation.due_on < as_of),
    )
    on_time = and_(Obligation.status == "fulfilled", Obligation.fulfilled_on <= Obligation.due_on)
    rows = session.execute(
        select(
            Body.region_code,
            func.count(),
            func.sum(case((on_time, 1), else_=0)),
            func.sum(case((late, 1), else_=0)),
        )
        .join(Body, Body.subject_key == Obligation.subject_key)
        .where(considered)
        .group_by(Body.region_code)
    ).all()
    latest = (
        select(ArchiveEntry.subject_key, func.max(ArchiveEntry.year).label("year"))
        .where(ArchiveEntry.dimension == "satisfaction", ArchiveEntry.recorded_on <= as_of)
        .group_by(ArchiveEntry.subject_key)
        .subquery()
    )
    satisfaction = session.execute(
        select(Body.region_code, func.avg(ArchiveEntry.score))
        .join(
            latest,
            and_(latest.c.subject_key == ArchiveEntry.subject_key, latest.c.year == ArchiveEntry.year),
        )
        .join(Body, Body.subject_key == ArchiveEntry.subject_key)
        .where(ArchiveEntry.dimension == "satisfaction", ArchiveEntry.recorded_on <= as_of)
        .group_by(Body.region_code)
    ).all()
    return Facts(
        bodies,
        dishonesty,
        Counter({r[0]: int(r[1]) for r in rows}),
        Counter({r[0]: int(r[2] or 0) for r in rows}),
        Counter({r[0]: int(r[3] or 0) for r in rows}),
        {code: float(mean) for code, mean in satisfaction if mean is not None},
    )


def _measure(indicator: Indicator, facts: Facts, code: str) -> Measured:
    value: float | None = None
    score: float | None = None
    penalty = indicator.penalty.value if indicator.penalty is not None else 0
    if indicator.kind == "per_body_penalty" and facts.bodies[code]:
        value = facts.dishonesty[code] / facts.bodies[code]
        score = max(0.0, 100 - value * penalty)
    elif indicator.kind == "on_time_share" and facts.due[code]:
        value = score = 100 * facts.on_time[code] / facts.due[code]
    elif indicator.kind == "count_penalty" and facts.due[code]:
        value = float(facts.overdue[code])
        score = max(0.0, 100 - value * penalty)
    elif indicator.kind == "mean_score" and code in facts.satisfaction:
        value = score = facts.satisfaction[code]
    rounded = None if value is None else round(value, 2)
    return Measured(
        indicator.code,
        indicator.label,
        indicator.weight.value,
        rounded,
        None if score is None else round(score, 2),
    )


def _result(file: EvaluationFile, region: Region, facts: Facts) -> Result | None:
    """The weighted score over the indicators with data, and its grade; None when a region has none."""
    measured = [_measure(i, facts, region.code) for i in file.indicators]
    scored = [m for m in measured if m.score is not None]
    if not scored:
        return None
    total = sum(m.weight * (m.score or 0) for m in scored) / sum(m.weight for m in scored)
    grade = next(g for g in file.grades if total >= g.min_score.value)
    return Result(
        region.code,
        region.name,
        Decimal(str(total)).quantize(Decimal("0.01")),
        grade.code,
        grade.label,
        measured,
    )


def evaluate(
    session: Session,
    *,
    file: EvaluationFile,
    as_of: date,
    actor: AuditActor,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[EvaluationRun, list[Result]]:
    """Evaluate every registered region as of a day and keep the run; regions without any data are left
    out, not given a score they did not earn."""
    places = regions(session)
    facts = _facts(session, as_of)
    results = []
    for done, place in enumerate(places, start=1):
        found = _result(file, place, facts)
        if found is not None:
            results.append(found)
        if progress is not None:
            progress(done, len(places))
    run = EvaluationRun(as_of=as_of, regions=len(results), actor_label=actor.label, created_at=now)
    session.add(run)
    session.flush()
    session.add_all(
        RegionScore(
            run_id=run.id,
            region_code=r.region_code,
            score=r.score,
            grade=r.grade,
            indicators=json.dumps([asdict(m) for m in r.indicators], ensure_ascii=False),
        )
        for r in results
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action="government.evaluate",
        target_type="government_evaluation_run",
        target_id=str(run.id),
        detail={"as_of": as_of.isoformat(), "regions": {r.region_code: r.grade for r in results}},
    )
    return run, sorted(results, key=lambda r: (-r.score, r.region_code))


def latest(session: Session, file: EvaluationFile) -> tuple[EvaluationRun | None, list[Result]]:
    """The latest run with each region's result, best first."""
    run = session.scalar(select(EvaluationRun).order_by(EvaluationRun.id.desc()).limit(1))
    if run is None:
        return None, []
    labels = {g.code: g.label for g in file.grades}
    rows = session.execute(
        select(RegionScore, Region.name)
        .join(Region, Region.code == RegionScore.region_code)
        .where(RegionScore.run_id == run.id)
        .order_by(RegionScore.score.desc(), RegionScore.region_code)
    ).all()
    return run, [
        Result(
            score.region_code,
            name,
            score.score,
            score.grade,
            labels.get(score.grade, score.grade),
            [Measured(**m) for m in json.loads(score.indicators)],
        )
        for score, name in rows
    ]


def region_or_404(session: Session, code: str) -> Region:
    try:
        return service.region(session, code)
    except XinyongError as exc:
        raise NotFound(exc.code, exc.message, field="region") from exc
