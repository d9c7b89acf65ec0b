"""The ingestion pipeline shared by the API, file imports and the command line (ING-1, ING-3).

Rows stream through in batches: each batch is checked row by row (pure), then written set-based in one
transaction with the job's counters, so memory stays flat and a stopped import run again only adds what was
missing. The provider must be a registered organisation of a kind the catalog item names.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from xinyong.access import service as access
from xinyong.audit.service import AuditActor
from xinyong.catalog import service as catalog
from xinyong.catalog.service import ItemInForce
from xinyong.clock import Clock
from xinyong.db.bulk import refresh_statistics
from xinyong.errors import Problem, XinyongError
from xinyong.profiles.schema import Profile, Severity
from xinyong.records import service
from xinyong.records.headers import (
    check,
    map_headers,
    normalise_header,
    row_problems,
    to_fields,
    unknown_columns,
)
from xinyong.records.readers import read_rows
from xinyong.records.validate import RECORD_COLUMNS, Candidate, Rejected, RowChecker
from xinyong.rules.text import storable

BATCH = 2000
REFRESH_STATISTICS = 50_000  # rows after which the planner's statistics are refreshed (a bulk load)
SHOWN_REJECTS = 100


@dataclass(frozen=True)
class IncomingRow:
    """One row as delivered: its number as the sender sees it, its item fields, and any other columns."""

    row: int
    values: Mapping[str, str]
    extra: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Summary:
    job: int
    accepted: int
    rejected: int
    duplicates: int
    corrected: int
    rejects: list[dict[str, Any]]
    warnings: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "corrected": self.corrected,
            "rejects": self.rejects,
            "warnings": self.warnings,
        }


@dataclass(frozen=True)
class Delivery:
    """Who delivers what: the provider organisation, the catalog item code, the route, the acting party."""

    provider: str
    item_code: str
    route: str
    actor: AuditActor
    filename: str | None = None
    default_severity: Severity | None = None


def resolve(session: Session, delivery: Delivery, today: date) -> ItemInForce:
    """The item in force, once the provider is known to be one the item names (CAT-1, ING-7)."""
    found = catalog.item_in_force(session, delivery.item_code, today)
    org = access.get_org(session, delivery.provider)
    if org.kind not in found.item.providers and "*" not in found.item.providers:
        raise XinyongError(
            "record.provider_not_allowed",
            f"机构 {org.code}（{org.kind}）不是目录项“{found.item.name}”的信息提供单位",
            field="provider",
        )
    if found.scope == "market" and delivery.route != "market":  # the consent is checked there (MKT-1)
        raise XinyongError(
            "record.market_route",
            f"“{found.item.name}”是市场信用信息，须经 /api/v1/market/records 报送，以核验信用主体的同意",
            field="item",
        )
    return found


def run(
    factory: sessionmaker[Session],
    *,
    delivery: Delivery,
    rows: Iterable[IncomingRow],
    profile: Profile,
    clock: Clock,
    warnings: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
    found: ItemInForce | None = None,
    optional: frozenset[str] = frozenset(),
) -> Summary:
    """Check and store ``rows`` for ``delivery``, a batch per transaction; returns what happened.

    ``found`` is the item as :func:`resolve` gave it, for callers that needed it already; ``optional`` the
    required fields this delivery need not fill (an old-template file's, see ``records.headers``).
    """
    today = clock.today()
    with factory() as session, session.begin():
        found = found or resolve(session, delivery, today)
        job = service.start_job(
            session,
            provider=delivery.provider,
            item_code=delivery.item_code,
            route=delivery.route,
            filename=delivery.filename,
            actor=delivery.actor,
            now=clock.now(),
        )
    candidates: list[Candidate] = []
    rejected: list[tuple[Rejected, dict[str, str]]] = []
    shown: list[dict[str, Any]] = []
    checker = RowChecker(
        item=found.item,
        profile=profile,
        today=today,
        provider=delivery.provider,
        default_severity=delivery.default_severity,
        optional=optional,
    )

    def store(batch: list[Candidate], refused: list[tuple[Rejected, dict[str, str]]]) -> None:
        with factory() as session, session.begin():
            service.store_batch(
                session,
                job=job,
                item_id=found.item_id,
                candidates=batch,
                rejected=refused,
                actor=delivery.actor,
                now=clock.now(),
            )
        if progress is not None:
            progress(len(batch) + len(refused))

    try:
        for incoming in rows:
            result = checker.check(incoming.values, incoming.extra, incoming.row)
            if incoming.problems:
                problems = list(incoming.problems) + (result.problems if isinstance(result, Rejected) else [])
                result = Rejected(incoming.row, problems)
            if isinstance(result, Rejected):
                rejected.append((result, {**incoming.values, **incoming.extra}))
                shown.extend(_shown(p) for p in result.problems if len(shown) < SHOWN_REJECTS)
            else:
                candidates.append(result)
            if len(candidates) + len(rejected) >= BATCH:
                store(candidates, rejected)
                candidates, rejected = [], []
        store(candidates, rejected)
    except XinyongError as exc:  # the file broke off: what was stored before stays, and the job says why
        with factory() as session, session.begin():
            service.finish_job(
                session, job_id=job.id, actor=delivery.actor, now=clock.now(), failure=exc.problem
            )
        raise
    with factory() as session, session.begin():
        job = service.finish_job(session, job_id=job.id, actor=delivery.actor, now=clock.now())
        if job.accepted >= REFRESH_STATISTICS:
            refresh_statistics(session, ["subject", "record", "record_version"])
        return Summary(
            job.id, job.accepted, job.rejected, job.duplicates, job.corrected, shown, list(warnings or [])
        )


def _shown(problem: Problem) -> dict[str, Any]:
    """A refusal as the answer quotes it, whatever the sender's text held."""
    field = problem.field and storable(problem.field)
    return replace(problem, field=field, message=storable(problem.message)).as_dict()


def from_mappings(records: Iterable[Mapping[str, Any]], found_fields: set[str]) -> Iterable[IncomingRow]:
    """API records (field name → value) as incoming rows: unknown keys are carried as other columns."""
    for number, record in enumerate(records, start=1):
        values = {k: _text(v) for k, v in record.items() if k in found_fields}
        extra = {k: _text(v) for k, v in record.items() if k not in found_fields}
        problems = tuple(
            Problem("value.type", f"“{k[:64]}”应为文本、数字或日期，而不是{_KINDS[type(v)]}", k[:64], number)
            for k, v in record.items()
            if type(v) in _KINDS
        )
        if problems:  # what a nested value means is unknown: it is neither stored nor checked further
            values = {k: v for k, v in values.items() if k not in {p.field for p in problems}}
        yield IncomingRow(number, values, extra, problems)


_KINDS = {dict: "对象", list: "数组", bool: "真假值"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()[:10]
    return str(value)


def _meta_name(header: str) -> str | None:
    """The record column (severity, consent ...) a file header names, if any."""
    wanted = normalise_header(header)
    for name, spellings in RECORD_COLUMNS.items():
        if wanted in {normalise_header(s) for s in spellings}:
            return name
    return None


def import_file(
    factory: sessionmaker[Session],
    *,
    path: Path,
    delivery: Delivery,
    profile: Profile,
    clock: Clock,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """A department's CSV or XLSX file through the pipeline: headers checked once, rows streamed (ING-1)."""
    with factory() as session:
        found = resolve(session, delivery, clock.today())
    with read_rows(path, name=delivery.filename) as source:
        mapping = map_headers(found.item, source.headers)
        check(mapping)
        first = next(source, None)
        if first is None:
            raise XinyongError(
                "file.no_rows",
                f"{delivery.filename or path.name}：只有列名行（表头），没有数据行",
                row=source.header_row,
            )
        meta = {h: name for h in mapping.unknown if (name := _meta_name(h)) is not None}
        others = [h for h in mapping.unknown if h not in meta]
        warnings = [p.message for p in unknown_columns(replace(mapping, unknown=others))]

        def rows() -> Iterator[IncomingRow]:
            for row in itertools.chain([first], source):
                extra = {name: row.values.get(h, "") for h, name in meta.items()}
                extra.update({h: row.values.get(h, "") for h in others})
                yield IncomingRow(row.row, to_fields(mapping, row), extra, tuple(row_problems(mapping, row)))

        return run(
            factory,
            delivery=delivery,
            rows=rows(),
            profile=profile,
            clock=clock,
            warnings=warnings,
            progress=progress,
            found=found,
            optional=mapping.optional,
        )
