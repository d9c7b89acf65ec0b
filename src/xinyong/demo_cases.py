"""Demo subject-rights cases, filed on earlier days so the work queue has something due, something overdue
and something done: objections at each stage and credit repairs, one of them applied."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong import sweep
from xinyong.audit.service import AuditActor
from xinyong.demo_lists import days_before
from xinyong.errors import XinyongError
from xinyong.lists import service as lists
from xinyong.objections import service as objections
from xinyong.objections.models import Objection
from xinyong.records.models import Record
from xinyong.repair import service as repair
from xinyong.repair.models import RepairCase
from xinyong.settings import Settings

# Days ago each demo objection was filed, and how far it has come: still at the operator's check (one of
# them overdue), referred to its provider, verified by the provider and waiting for the operator's reply.
OBJECTIONS = ((1, "open"), (9, "open"), (6, "referred"), (8, "replied"))
# Days ago each demo repair was applied for (the first gets its provider's opinion, OPINION_DAYS_AGO), and how
# long before applying the subject had corrected the act. Demo scheduling, not legal periods: those come
# from the profile when the service checks each application.
REPAIRS_FILED_DAYS_AGO = (12, 8, 4)
OPINION_DAYS_AGO = 2
CORRECTED_BEFORE_FILING = timedelta(days=30)


@dataclass
class CaseCounts:
    objections: int = 0
    repairs: int = 0
    repaired: int = 0


def generate(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    actor: AuditActor,
    progress: Callable[[int, int], None] | None = None,
) -> CaseCounts:
    """Idempotent like the rest of the demo: records that already have a case are not used again."""
    rules = sweep.Rules.of(settings)
    today, now = settings.clock.today(), settings.clock.now()
    data_dir = settings.data_dir.resolve()
    counts = CaseCounts()
    if progress is not None:
        progress(0, 2)

    def context(days_ago: int) -> lists.Context:
        return days_before(rules, actor=actor, today=today, now=now, days=days_ago)

    with factory() as session, session.begin():
        used = set(session.scalars(select(Objection.target_ref)))
        candidates = _penalties(session, skip=used, limit=len(OBJECTIONS))
        for (days_ago, stage), record in zip(OBJECTIONS, candidates, strict=False):
            found = objections.file(
                session,
                context(days_ago),
                data_dir=data_dir,
                subject_key=record.subject_key,
                target_kind="record",
                target_ref=str(record.id),
                grounds="wrong_or_incomplete",
                statement="处罚决定书载明的违法事实与实际不符，罚款已于决定当月缴清，申请核实更正",
                evidence=[],
            )
            counts.objections += 1
            if stage == "open":
                continue
            objections.refer(session, context(days_ago - 1), number=found.number, text="请核实处罚事实")
            if stage == "replied":
                objections.reply(
                    session,
                    context(days_ago - 4),
                    number=found.number,
                    org_code=record.provider,
                    verification="confirmed",
                    text="经核对原始卷宗，处罚信息与决定书一致",
                    data=None,
                )
    if progress is not None:
        progress(1, 2)
    with factory() as session, session.begin():
        cased = set(session.scalars(select(RepairCase.record_id)))
        earliest = today - timedelta(days=max(REPAIRS_FILED_DAYS_AGO))
        repairable = _repairable(session, skip=cased, today=today, earliest=earliest)
        for index, (days_ago, record) in enumerate(zip(REPAIRS_FILED_DAYS_AGO, repairable, strict=False)):
            ctx = context(days_ago)
            try:
                case = repair.file(
                    session,
                    ctx,
                    subject_key=record.subject_key,
                    application=repair.Application(
                        record_id=record.id,
                        correction="已全额缴纳罚款并完成整改，建立合规管理制度",
                        corrected_on=ctx.today - CORRECTED_BEFORE_FILING,
                        ways=("commitment", "rectification"),
                        commitment="本单位承诺今后严格遵守法律法规，不再发生同类失信行为",
                    ),
                    data_dir=data_dir,
                )
            except XinyongError:  # a demo record that does not qualify under this profile is skipped
                continue
            counts.repairs += 1
            if index == 0:
                repair.give_opinion(
                    session,
                    context(OPINION_DAYS_AGO),
                    number=case.number,
                    org_code=record.provider,
                    agrees=True,
                    text="经核查，该主体已履行处罚决定并完成整改，同意信用修复",
                )
                counts.repaired += case.status == "applied"
    if progress is not None:
        progress(2, 2)
    return counts


def _penalties(session: Session, *, skip: set[str], limit: int) -> list[Record]:
    query = (
        select(Record)
        .where(Record.item_code == "admin-penalty", Record.state == "active", Record.subject_key.like("9%"))
        .order_by(Record.id.desc())
        .limit(limit + len(skip))
    )
    return [r for r in session.scalars(query) if str(r.id) not in skip][:limit]


def _repairable(session: Session, *, skip: set[int], today: date, earliest: date) -> list[Record]:
    """General penalties of companies in their public period whose earliest repair date was before
    ``earliest`` (the first demo application), without a case yet."""
    query = (
        select(Record)
        .where(
            Record.item_code == "admin-penalty",
            Record.state == "active",
            Record.severity == "general",
            Record.subject_key.like("9%"),
            Record.public_until >= today,
            Record.earliest_repair < earliest,
            Record.id.not_in(skip),
        )
        .order_by(Record.decision_date, Record.id)
        .limit(len(REPAIRS_FILED_DAYS_AGO))
    )
    return list(session.scalars(query))
