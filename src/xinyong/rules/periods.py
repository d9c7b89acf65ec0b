"""When a negative record is published, may be repaired, and leaves public view (PER-1, PER-2, PER-4).

Periods are counted as the Civil Code counts them (民法典 第二百零一条、第二百零三条): the decision day
itself is not counted, and a period of months or years ends on the corresponding day (the month's last day
when there is none). So a 3-year period from 2026-04-10 has 2029-04-10 as its last public day, and the
3-month minimum is complete at the end of 2026-07-10: repair may be applied for from 2026-07-11.

Several rules may bound one record: the national rule in force on the decision date, the jurisdiction's own
longest period counted from its own start date (Jinan: end of the behaviour; Jiangsu: determination), and a
period the catalog item states. The earliest end wins, and the result says which rule set it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from xinyong.profiles.schema import (
    PERIOD_START_LABELS,
    SEVERITY_LABELS,
    Publicity,
    PublicityRegime,
    Severity,
    Span,
)
from xinyong.rules.calendar import ONE_DAY


def add_span(day: date, span: Span) -> date:
    """``day`` plus a calendar span; a missing day clamps to the month's end (民法典 203)."""
    return day + relativedelta(years=span.years, months=span.months, days=span.days)


@dataclass(frozen=True)
class PublicPeriod:
    """``earliest_repair`` is None when publicity ends before the minimum is served: nothing to repair."""

    published: bool
    start: date
    last_public_day: date
    earliest_repair: date | None
    basis: tuple[str, ...]
    end_basis: str

    def is_public_on(self, day: date) -> bool:
        return self.published and self.start <= day <= self.last_public_day


def regime_for(publicity: Publicity, decision_date: date) -> PublicityRegime:
    """The national rule in force on the decision date; records older than every rule take the oldest one."""
    chosen = publicity.regimes[0]
    for regime in publicity.regimes:
        if regime.effective_from <= decision_date:
            chosen = regime
    return chosen


def public_period(
    publicity: Publicity,
    *,
    severity: Severity,
    decision_date: date,
    behaviour_end: date | None = None,
    determination_date: date | None = None,
    domain: str | None = None,
    item_max: Span | None = None,
) -> PublicPeriod:
    regime = regime_for(publicity, decision_date)
    tier = regime.tiers[severity]
    minimum = tier.min
    if domain is not None and domain in regime.special_domains and regime.special_min is not None:
        minimum = max(minimum, regime.special_min, key=Span.key)
    basis = [f"{SEVERITY_LABELS[severity]}：{regime.basis}"]

    caps: list[tuple[date, str]] = [(add_span(decision_date, tier.max), regime.basis)]
    local = publicity.local
    if local is not None:
        starts = {
            "decision_date": decision_date,
            "behaviour_end": behaviour_end,
            "determination_date": determination_date,
        }
        local_start = starts[local.runs_from]
        if local_start is None:
            local_start = decision_date
            basis.append(f"未提供{PERIOD_START_LABELS[local.runs_from]}，本地期限按决定日期起算")
        caps.append((add_span(local_start, local.max[severity]), local.basis))
        basis.append(local.basis)
    if item_max is not None:
        caps.append((add_span(decision_date, item_max), f"目录项规定公示期限{item_max.label()}"))

    last_day, end_basis = min(caps, key=lambda cap: cap[0])
    earliest_repair = add_span(decision_date, minimum)
    if minimum.key() != (0, 0):
        earliest_repair += ONE_DAY
    return PublicPeriod(
        published=tier.published and last_day >= decision_date,
        start=decision_date,
        last_public_day=last_day,
        earliest_repair=earliest_repair if earliest_repair <= last_day else None,
        basis=tuple(basis),
        end_basis=end_basis,
    )
