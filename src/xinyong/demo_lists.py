"""Demo lists: the court list received, some black and red listings run through their whole procedure
on earlier days, a few removals to announce, and the departments that implement each duty."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from xinyong import sweep
from xinyong.audit.service import AuditActor
from xinyong.errors import XinyongError
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry
from xinyong.measures import service as measures
from xinyong.records.models import Record
from xinyong.settings import Settings

# Which demo organisation carries each duty the measure list names.
DUTIES = {
    "bidding": "demo-ggzy",
    "procurement": "demo-czj",
    "funds": "demo-czj",
    "licensing": "demo-xzspj",
    "supervision": "demo-scjgj",
    "awards": "demo-fgw",
    "hiring": "demo-hrss",
    "consumption": "demo-court",
}
# Local listings made on the demo data: list type, determining organisation, the records that ground it.
BLACK = (("tax-major-violation", "demo-tax"), ("market-serious-violation", "demo-scjgj"))
RED = (("tax-a-grade", "demo-tax", "tax-a-grade"),)
# The procedure's days, counted back from today: proposal and notice, decision, a removal.
NOTICE_DAYS_AGO, DECISION_DAYS_AGO, REMOVAL_DAYS_AGO = 45, 25, 5


@dataclass
class ListCounts:
    received: int = 0
    black: int = 0
    red: int = 0
    removed: int = 0


def generate(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    actor: AuditActor,
    subjects: int,
    progress: Callable[[int, int], None] | None = None,
) -> ListCounts:
    """Idempotent like the rest of the demo: subjects that already have an entry of a type are skipped."""
    rules = sweep.Rules.of(settings)
    today, now = settings.clock.today(), settings.clock.now()
    counts = ListCounts()
    with factory() as session, session.begin():
        for duty, org in DUTIES.items():
            measures.assign(session, duty=duty, org_code=org, actor=actor, now=now)
    counts.received = sweep.receive_lists(
        factory, as_of=today, clock=settings.clock, actor=actor, rules=rules
    ).entered
    wanted = max(3, subjects // 200)
    steps = len(BLACK) + len(RED)
    if progress is not None:
        progress(0, steps)

    def context(days_ago: int) -> lists.Context:
        return days_before(rules, actor=actor, today=today, now=now, days=days_ago)

    for done, (list_type, org) in enumerate(BLACK):
        with factory() as session, session.begin():
            keys = _candidates(session, provider=org, list_type=list_type, serious=True, limit=wanted)
            for index, key in enumerate(keys):
                entry = lists.propose(
                    session,
                    context(NOTICE_DAYS_AGO),
                    list_type=list_type,
                    subject_key=key,
                    org_code=org,
                    reasons="经查实，该主体违法行为情节严重，符合严重失信主体名单认定标准",
                )
                lists.serve_notice(session, context(NOTICE_DAYS_AGO), number=entry.number, org_code=org)
                lists.decide(
                    session,
                    context(DECISION_DAYS_AGO),
                    number=entry.number,
                    org_code=org,
                    listed=True,
                    answer="陈述申辩期内未提出陈述申辩",
                )
                counts.black += 1
                if index == 0:  # one of each type repaired, so the portal has a removal to announce
                    lists.remove(
                        session,
                        context(REMOVAL_DAYS_AGO),
                        number=entry.number,
                        reason="repair",
                        org_code=org,
                        text="已履行行政处罚义务并完成信用修复，提前移出",
                    )
                    counts.removed += 1
        if progress is not None:
            progress(done + 1, steps)
    for done, (list_type, org, item) in enumerate(RED, start=len(BLACK)):
        with factory() as session, session.begin():
            for key in _candidates(session, provider=org, list_type=list_type, item=item, limit=wanted):
                try:
                    entry = lists.determine_red(
                        session,
                        context(DECISION_DAYS_AGO),
                        list_type=list_type,
                        subject_key=key,
                        org_code=org,
                        reasons="上一评价年度纳税信用评价为A级",
                    )
                except XinyongError:  # the cross-check refused a black-listed subject, as it must
                    continue
                counts.red += lists.enter_red_after_publicity(session, context(0), entry.number)
        if progress is not None:
            progress(done + 1, steps)
    return counts


def days_before(
    rules: sweep.Rules, *, actor: AuditActor, today: date, now: datetime, days: int
) -> lists.Context:
    """A procedure step's context ``days`` before today: demo procedures ran on earlier days."""
    return lists.context(
        rules.data_dir,
        profile=rules.profile,
        calendar=rules.calendar,
        actor=actor,
        today=today - timedelta(days=days),
        now=now - timedelta(days=days),
    )


def _candidates(
    session: Session,
    *,
    provider: str,
    list_type: str,
    limit: int,
    serious: bool = False,
    item: str | None = None,
) -> list[str]:
    """The first ``limit`` companies with records of ``provider`` (serious ones, or of ``item``), less
    those already with an entry of the type: the same ones on every run, so a second run adds nothing."""
    query = select(Record.subject_key).where(
        Record.provider == provider,
        Record.state == "active",
        Record.subject_key.like("9%"),  # companies: USCC category 9 (enterprises)
    )
    query = query.where(Record.severity == "serious") if serious else query.where(Record.item_code == item)
    chosen = list(session.scalars(query.distinct().order_by(Record.subject_key).limit(limit)))
    listed = set(
        session.scalars(
            select(ListEntry.subject_key).where(
                ListEntry.list_type == list_type, ListEntry.subject_key.in_(chosen)
            )
        )
    )
    return [key for key in chosen if key not in listed]
