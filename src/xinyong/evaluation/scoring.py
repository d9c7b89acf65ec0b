"""How a model scores subjects: one SQL condition per indicator, used twice, so the explanation of a score
cannot drift from the score.

- :func:`counts` sums each condition over a range of subjects at once (``GROUP BY subject_key``, one query
  over records and one over list entries for a whole batch: DESIGN principle 6);
- :func:`explain` lists, for one subject, the records and list entries each condition lets through, and
  what each brought.

Like ``measures.check``, this module reads records and list entries itself, read-only: their services
look up one subject at a time, an evaluation looks at all of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, and_, case, func, or_, select, text
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog
from xinyong.evaluation.schema import Band, EvaluationModel, Indicator
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry
from xinyong.profiles.schema import SEVERITY_LABELS
from xinyong.records.models import STANDING, Record


@dataclass(frozen=True)
class Basis:
    """What a score rests on besides the model: the day, the record states that count (a record marked by
    an objection counts where the profile keeps it in use, OBJ-2), and the catalog in force that day."""

    model: EvaluationModel
    as_of: date
    states: tuple[str, ...]
    categories: dict[str, frozenset[str]]
    item_names: dict[str, str]
    list_names: dict[str, str]


def basis(
    session: Session, *, model: EvaluationModel, as_of: date, states: tuple[str, ...], types: lists.ListTypes
) -> Basis:
    categories: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for found in catalog.items_in_force(session, as_of):
        categories[found.item.category].add(found.item.code)
        names[found.item.code] = found.item.name
    return Basis(
        model,
        as_of,
        states,
        {category: frozenset(codes) for category, codes in categories.items()},
        names,
        {code: t.name for code, t in types.types.items()},
    )


# ------------------------------------------------------------------------------------------- conditions
def _since(as_of: date, indicator: Indicator) -> date:
    span = indicator.window
    assert span is not None  # the loader refuses a record indicator without a window
    return as_of - relativedelta(years=span.years, months=span.months, days=span.days)


def _record_condition(basis: Basis, indicator: Indicator) -> ColumnElement[bool]:
    """A standing record decided inside the window, not past its public period on the day."""
    as_of = basis.as_of
    kind: ColumnElement[bool]
    if indicator.kind == "category":
        kind = Record.item_code.in_(basis.categories.get(str(indicator.category), ()))
    elif indicator.kind == "severity":
        negative = basis.categories.get("negative", ())
        kind = and_(Record.item_code.in_(negative), Record.severity == indicator.severity)
    else:
        kind = Record.item_code == indicator.item
    return and_(
        Record.state.in_(basis.states),
        Record.decision_date > _since(as_of, indicator),
        Record.decision_date <= as_of,
        or_(Record.public_until.is_(None), Record.public_until >= as_of),
        kind,
    )


def _entry_in_force(as_of: date) -> tuple[ColumnElement[bool], ...]:
    """As a credit check counts an entry: active, inside its term, entered by the day (PER-3)."""
    return (*lists.in_force(as_of), or_(ListEntry.entered_on.is_(None), ListEntry.entered_on <= as_of))


def _list_condition(indicator: Indicator) -> ColumnElement[bool]:
    if indicator.list_type is not None:
        return ListEntry.list_type == indicator.list_type
    return ListEntry.kind == indicator.list_kind


def _split(model: EvaluationModel) -> tuple[list[Indicator], list[Indicator]]:
    return [i for i in model.indicators if i.kind != "list"], [
        i for i in model.indicators if i.kind == "list"
    ]


# ------------------------------------------------------------------------------------------- set-based
def counts(session: Session, basis: Basis, first: str, last: str) -> dict[str, dict[str, int]]:
    """For every subject whose key lies between ``first`` and ``last``: each indicator's count."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    records, entries = _split(basis.model)
    if records:
        rows = session.execute(
            select(
                Record.subject_key,
                *(func.sum(case((_record_condition(basis, i), 1), else_=0)) for i in records),
            )
            .where(text(STANDING), Record.subject_key.between(first, last))
            .group_by(Record.subject_key)
        )
        for key, *sums in rows:
            found[key].update({i.code: int(n or 0) for i, n in zip(records, sums, strict=True)})
    if entries:
        rows = session.execute(
            select(
                ListEntry.subject_key, *(func.sum(case((_list_condition(i), 1), else_=0)) for i in entries)
            )
            .where(ListEntry.subject_key.between(first, last), *_entry_in_force(basis.as_of))
            .group_by(ListEntry.subject_key)
        )
        for key, *sums in rows:
            found[key].update({i.code: int(n or 0) for i, n in zip(entries, sums, strict=True)})
    return found


def score(model: EvaluationModel, found: Mapping[str, int]) -> tuple[int, dict[str, list[int]]]:
    """The score in hundredths of a point (Σ weight × points) and each indicator's [value, points]."""
    values = {i.code: [found.get(i.code, 0), i.points(found.get(i.code, 0))] for i in model.indicators}
    return sum(i.weight * values[i.code][1] for i in model.indicators), values


# ------------------------------------------------------------------------------------------- one subject
@dataclass(frozen=True)
class Counted:
    """A record or list entry an indicator counted, and the points it brought (0 beyond the cap)."""

    kind: str  # record or list_entry
    ref: str
    what: str
    day: date | None
    detail: str
    points: int

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "day": self.day.isoformat() if self.day else None}


@dataclass
class Part:
    indicator: Indicator
    counted: list[Counted] = field(default_factory=list)

    @property
    def value(self) -> int:
        return len(self.counted)

    @property
    def points(self) -> int:
        return self.indicator.points(self.value)

    @property
    def weighted(self) -> int:
        """Hundredths of a point this indicator adds to the score."""
        return self.indicator.weight * self.points


@dataclass(frozen=True)
class Explanation:
    model: EvaluationModel
    as_of: date
    parts: list[Part]

    @property
    def score(self) -> int:
        return sum(p.weighted for p in self.parts)

    @property
    def band(self) -> Band:
        return self.model.band(self.score)


def explain(session: Session, basis: Basis, subject_key: str) -> Explanation:
    """Each indicator of the model with the records and entries it counts for one subject, newest first."""
    parts = []
    for indicator in basis.model.indicators:
        part = Part(indicator)
        rows = (
            _entries(session, basis, indicator, subject_key)
            if indicator.kind == "list"
            else _records(session, basis, indicator, subject_key)
        )
        for n, (kind, ref, what, day, detail) in enumerate(rows):
            part.counted.append(
                Counted(kind, ref, what, day, detail, indicator.per if n < indicator.cap else 0)
            )
        parts.append(part)
    return Explanation(basis.model, basis.as_of, parts)


def _records(session: Session, basis: Basis, indicator: Indicator, key: str) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(Record.id, Record.item_code, Record.decision_date, Record.severity)
        .where(text(STANDING), Record.subject_key == key, _record_condition(basis, indicator))
        .order_by(Record.decision_date.desc(), Record.id.desc())
    )
    return [
        (
            "record",
            str(r.id),
            basis.item_names.get(r.item_code, r.item_code),
            r.decision_date,
            _severity(r.severity),
        )
        for r in rows
    ]


def _severity(value: str | None) -> str:
    return SEVERITY_LABELS.get(value, value) if value else ""  # type: ignore[call-overload]


def _entries(session: Session, basis: Basis, indicator: Indicator, key: str) -> list[tuple[Any, ...]]:
    rows = session.execute(
        select(ListEntry.number, ListEntry.list_type, ListEntry.entered_on, ListEntry.term_end)
        .where(ListEntry.subject_key == key, _list_condition(indicator), *_entry_in_force(basis.as_of))
        .order_by(ListEntry.entered_on.desc(), ListEntry.id.desc())
    )
    return [
        (
            "list_entry",
            r.number,
            basis.list_names.get(r.list_type, r.list_type),
            r.entered_on,
            f"有效期至 {r.term_end}" if r.term_end else "至移出之日",
        )
        for r in rows
    ]
