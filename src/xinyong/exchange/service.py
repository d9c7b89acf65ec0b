"""Exchange with other platforms (INT-1; JN 18, LN 16, JS-P 23, JS-J 二十二): export what may be shared as a
signed package, import others' packages through the one ingestion path.

Export reads set-based and streams: records and list entries go from a server-side cursor line by line
into the zip. Import refuses a package whose signature or checksums fail before using any line; then
records go through ``records.ingest`` (duplicates counted there), received list entries become records of
the ``received-list-entry`` item that ``lists.receive`` turns into entries (LIST-10), and removals become
withdrawals through ``records.service``. Only this module writes the watermarks.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from itertools import chain, groupby
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.access import service as access
from xinyong.access.security import secret_key
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.catalog import service as catalog
from xinyong.catalog.schema import Item
from xinyong.clock import Clock
from xinyong.db.bulk import insert_ignore, refresh_statistics
from xinyong.disclosure import service as disclosure
from xinyong.errors import Problem, XinyongError
from xinyong.exchange.models import ExchangeWatermark
from xinyong.exchange.package import (
    LIST_ENTRIES,
    RECORDS,
    REMOVALS,
    Line,
    Package,
    Watermark,
    Writer,
    created_at,
    manifest_of,
)
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry
from xinyong.profiles.schema import Profile
from xinyong.records import ingest
from xinyong.records import service as records
from xinyong.rules import identifiers
from xinyong.rules.identifiers import IdType
from xinyong.settings import Settings
from xinyong.workdays import working_calendar

BATCH = 1000  # rows fetched per round trip; also how often progress is reported
ROUTE = "province"  # the ingestion route of what another platform sent
RECEIVED_ITEM = "received-list-entry"
SHOWN_REJECTS = 100
SWEEP = "sweep"  # the destination whose watermark the daily increment keeps


def key_of(settings: Settings) -> bytes:
    """The HMAC key: the exchange key the platforms agreed on, else this deployment's own secret key."""
    return settings.exchange_key.encode() if settings.exchange_key else secret_key(settings.data_dir)


def exchangeable(item: Item) -> bool:
    """May records of this item leave the platform? Public ones, and those the catalog shares with every
    department (``shared_with = ["*"]``): the 可共享数据 of JN 18. Authorized-only items never do."""
    return item.disclosure == "public" or "*" in item.shared_with


# ------------------------------------------------------------------------------------------- watermarks
def watermark(session: Session, destination: str) -> Watermark | None:
    row = session.get(ExchangeWatermark, destination)
    return Watermark(row.record_version, row.list_step) if row else None


def _keep_watermark(
    session: Session, *, destination: str, upto: Watermark, package: str, clock: Clock
) -> None:
    """Move the destination's watermark up to ``upto``. Two exports at once (two sweeps) each keep theirs
    in turn: the row is made once and locked, and it never moves back, whichever commits last."""
    kept = {"record_version": upto.record_version, "list_step": upto.list_step, "package": package[:255]}
    kept["updated_at"] = clock.now()
    if insert_ignore(session, ExchangeWatermark, [{"destination": destination, **kept}], ["destination"]):
        return
    row = session.get_one(ExchangeWatermark, destination, with_for_update=True, populate_existing=True)
    if upto.record_version < row.record_version or upto.list_step < row.list_step:
        return  # an export that started later went further
    for name, value in kept.items():
        setattr(row, name, value)


def watermarks(session: Session) -> list[ExchangeWatermark]:
    return list(session.scalars(select(ExchangeWatermark).order_by(ExchangeWatermark.destination)))


# ------------------------------------------------------------------------------------------- export
@dataclass(frozen=True)
class Exported:
    path: Path
    kind: str
    since: Watermark
    upto: Watermark
    rows: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "package": str(self.path),
            "kind": self.kind,
            "watermark": {"from": str(self.since), "to": str(self.upto)},
            "files": self.rows,
        }


def export_package(
    factory: sessionmaker[Session],
    *,
    path: Path,
    settings: Settings,
    since: Watermark | None,
    actor: AuditActor,
    destination: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Exported:
    """Write a package of what changed after ``since`` (an increment) or, with ``since`` None, of all that
    stands (a snapshot); remember where it ended for ``destination`` so its next increment starts there.
    Every package is audited: what left the platform, when, for whom, by whom."""
    clock, kind = settings.clock, ("snapshot" if since is None else "increment")
    start = since or Watermark(0, 0)
    with factory() as session, session.begin():
        # The day's imports and the sweep before this changed many rows: with figures from before them
        # PostgreSQL plans "records with a version in the range" as one range scan per record.
        refresh_statistics(session, ["record", "record_version", "list_entry", "list_step"])
    with factory() as session:
        upto = Watermark(records.last_version_id(session), lists.last_step_id(session))
        codes = [f.item.code for f in catalog.items_in_force(session, clock.today()) if exchangeable(f.item)]
        names = {t.code: t.name for t in lists.list_types(settings.data_dir.resolve()).types.values()}
        orgs = {org.code: org.name for org in access.list_orgs(session)}

        def counted(lines: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            for number, line in enumerate(lines, start=1):
                if progress is not None and number % BATCH == 0:
                    progress(BATCH)
                yield line

        def changed(standing: bool) -> Iterator[Row[Any]]:
            return records.changed_between(
                session,
                after=start.record_version,
                upto=upto.record_version,
                item_codes=codes,
                standing=standing,
                batch=BATCH,
            )

        def entries(active: bool) -> Iterator[ListEntry]:
            return lists.determined_between(
                session, after=start.list_step, upto=upto.list_step, active=active, batch=BATCH
            )

        # A package appears whole or not at all, and two exports at once (two sweeps) never share a part file.
        part = path.with_name(f"{path.name}.{secrets.token_hex(4)}.part")
        writer = Writer(part, key=key_of(settings))
        rows = {RECORDS: writer.add(RECORDS, counted(_record_line(r) for r in changed(True)))}
        rows[LIST_ENTRIES] = writer.add(
            LIST_ENTRIES, counted(_entry_line(e, names, orgs) for e in entries(True))
        )
        removed: Iterator[dict[str, Any]] = iter(())
        if since is not None:  # a snapshot lists what stands; an increment also what left
            removed = chain(
                ({"kind": "record", **_record_line(r)} for r in changed(False)),
                ({"kind": "list_entry", **_entry_line(e, names, orgs)} for e in entries(False)),
            )
        rows[REMOVALS] = writer.add(REMOVALS, counted(removed))
        writer.close(
            {
                "producer": settings.exchange_platform,
                "producer_name": settings.operator_name,
                "kind": kind,
                "watermark": {"from": str(start), "to": str(upto)},
                "created_at": created_at(clock.now()),
            }
        )
        part.replace(path)
    done = Exported(path, kind, start, upto, rows)
    with factory() as session, session.begin():
        if destination is not None:
            _keep_watermark(session, destination=destination, upto=upto, package=path.name, clock=clock)
        audit.record(
            session,
            at=clock.now(),
            actor=actor,
            action="exchange.export",
            target_type="exchange_package",
            target_id=path.name[:200],
            detail={**done.as_dict(), "package": path.name, "destination": destination},
        )
    return done


def _record_line(record: Row[Any]) -> dict[str, Any]:
    """A record as another platform needs it: its identity (item, original provider, document number,
    subject), its fields and where it stands."""
    fields = json.loads(record.data)
    return {
        "item": record.item_code,
        "provider": record.provider,
        "document_number": record.document_number,
        "dedupe_key": record.dedupe_key,
        "subject_key": record.subject_key,
        "subject_name": fields.get("subject_name", ""),
        "fields": fields,
        "severity": record.severity,
        "state": record.state,
        "version": record.version,
        "decision_date": record.decision_date,
        "public_until": record.public_until,
    }


def _entry_line(entry: ListEntry, names: dict[str, str], orgs: dict[str, str]) -> dict[str, Any]:
    return {
        "number": entry.number,
        "list_type": entry.list_type,
        "list_name": names.get(entry.list_type, entry.list_type),
        "subject_key": entry.subject_key,
        "subject_name": entry.subject_name,
        "determining_org": entry.determining_org,
        "determining_unit": orgs.get(entry.determining_org, entry.determining_org),
        "reasons": entry.reasons,
        "entered_on": entry.entered_on,
        "term_end": entry.term_end,
        "removed_on": entry.removed_on,
        "status": entry.status,
    }


# ------------------------------------------------------------------------------------------- import
@dataclass
class Imported:
    producer: str
    kind: str
    watermark: dict[str, str]
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    corrected: int = 0
    removed: int = 0
    unmatched: int = 0  # removals of records this platform never received
    jobs: list[int] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    lists: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def refuse(self, file: str, problem: Problem) -> None:
        self.rejected += 1
        if len(self.rejects) < SHOWN_REJECTS:
            self.rejects.append({"file": file, **problem.as_dict()})

    def add(self, file: str, summary: ingest.Summary) -> None:
        self.accepted += summary.accepted
        self.rejected += summary.rejected
        self.duplicates += summary.duplicates
        self.corrected += summary.corrected
        self.jobs.append(summary.job)
        room = max(0, SHOWN_REJECTS - len(self.rejects))
        self.rejects.extend({"file": file, **r} for r in summary.rejects[:room])


@dataclass(frozen=True)
class Receiver:
    """What an import needs besides the package: the rules, the clock, who acts."""

    profile: Profile
    clock: Clock
    actor: AuditActor
    data_dir: Path


def import_package(
    factory: sessionmaker[Session], *, path: Path, key: bytes, max_bytes: int, receiver: Receiver
) -> Imported:
    """Verify a package, then take in its records, list entries and removals; running it again adds
    nothing. The sending platform must be registered as an organisation of kind ``platform``."""
    with Package(path, key=key, max_bytes=max_bytes) as package:
        manifest = package.manifest
        producer = str(manifest.get("producer") or "")
        with factory() as session:
            org = access.get_org(session, producer)
        if org.kind != "platform":
            raise XinyongError(
                "exchange.not_platform",
                f"发送方 {producer} 不是登记为上级或其他信用平台（platform）的机构",
                field="producer",
            )
        result = Imported(producer, str(manifest["kind"]), dict(manifest.get("watermark") or {}))
        _records(factory, package, result, receiver)
        _entries(factory, package, result, receiver)
        _removals(factory, package, result, receiver)
    if result.accepted or result.removed or result.corrected:  # received lists act like local ones (LIST-10)
        received = _receive_lists(factory, receiver)
        result.lists = {"entered": received.entered, "removed": received.removed}
    return result


def _good(package: Package, name: str, result: Imported) -> Iterator[Line]:
    for line in package.lines(name):
        if line.problem is not None:
            result.refuse(name, line.problem)
        else:
            yield line


def _ingest(
    factory: sessionmaker[Session],
    *,
    file: str,
    item_code: str,
    rows: Iterator[ingest.IncomingRow],
    result: Imported,
    receiver: Receiver,
) -> None:
    """One item's rows through the one ingestion path, as the sending platform's delivery."""
    delivery = ingest.Delivery(
        provider=result.producer, item_code=item_code, route=ROUTE, actor=receiver.actor, filename=file
    )
    try:
        with factory() as session:
            found = ingest.resolve(session, delivery, receiver.clock.today())
    except XinyongError as exc:  # an item this platform does not have, or not from platforms: every row
        for row in rows:
            result.refuse(file, Problem(exc.code, exc.message, "item", row.row))
        return
    summary = ingest.run(
        factory, delivery=delivery, rows=rows, profile=receiver.profile, clock=receiver.clock, found=found
    )
    result.add(file, summary)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _records(factory: sessionmaker[Session], package: Package, result: Imported, receiver: Receiver) -> None:
    """Records grouped by item (the sender writes them in item order), each group one ingestion job."""
    for item_code, lines in groupby(
        _good(package, RECORDS, result), key=lambda line: _text(_value(line, "item"))
    ):
        rows = (
            ingest.IncomingRow(
                line.number,
                {k: _text(v) for k, v in (_value(line, "fields") or {}).items()},
                {"severity": _text(_value(line, "severity"))},
            )
            for line in lines
        )
        _ingest(factory, file=RECORDS, item_code=item_code, rows=rows, result=result, receiver=receiver)


def _value(line: Line, name: str) -> Any:
    return (line.value or {}).get(name)


def _identity(subject_key: str) -> dict[str, str]:
    """The identifier fields of a subject key (``subjects.service.key_of`` in reverse)."""
    kind, _, value = subject_key.rpartition(":")
    if kind:
        return {"id_type": kind, "id_number": value}
    found = identifiers.validate(value)
    return {"uscc": value} if found.kind is IdType.USCC else {"id_number": value}


def _entry_fields(line: Line, producer_name: str) -> dict[str, str]:
    """A list entry sent by another platform as the fields of a ``received-list-entry`` record."""
    value = line.value or {}
    try:
        identity = _identity(_text(value.get("subject_key")))
    except XinyongError:
        identity = {"uscc": _text(value.get("subject_key"))}  # refused by the ingestion with its reason
    return {
        **identity,
        "subject_name": _text(value.get("subject_name")),
        "list_name": _text(value.get("list_name")),
        "determining_unit": _text(value.get("determining_unit")),
        "basis_document_number": _text(value.get("number")),
        "facts": _text(value.get("reasons")),
        "entered_on": _text(value.get("entered_on")),
        "term_end": _text(value.get("term_end")),
        "region": producer_name,
    }


def _entries(factory: sessionmaker[Session], package: Package, result: Imported, receiver: Receiver) -> None:
    """List entries, one ingestion job of ``received-list-entry`` records (LIST-10)."""
    name = str(package.manifest.get("producer_name") or result.producer)
    for _, lines in groupby(_good(package, LIST_ENTRIES, result), key=lambda _: RECEIVED_ITEM):
        rows = (ingest.IncomingRow(line.number, _entry_fields(line, name)) for line in lines)
        _ingest(
            factory, file=LIST_ENTRIES, item_code=RECEIVED_ITEM, rows=rows, result=result, receiver=receiver
        )


def _removals(factory: sessionmaker[Session], package: Package, result: Imported, receiver: Receiver) -> None:
    """Records and entries the sender withdrew, repaired, revoked or ended are withdrawn here, each with
    its reason; one already withdrawn is a duplicate. A batch per transaction."""
    lines = _good(package, REMOVALS, result)
    while batch := [line for _, line in zip(range(BATCH), lines, strict=False)]:
        with factory() as session, session.begin():
            withdrawn = [r for line in batch if (r := _withdraw(session, line, result, receiver)) is not None]
            disclosure.stop_use(
                session,
                record_ids=withdrawn,
                reason="推送方平台已撤回、修复或移出该信息",
                as_of=receiver.clock.today(),
                now=receiver.clock.now(),
                case="withdrawal",
            )


def _withdraw(session: Session, line: Line, result: Imported, receiver: Receiver) -> int | None:
    value = line.value or {}
    kind = value.get("kind")
    if kind not in ("record", "list_entry"):
        result.refuse(
            REMOVALS,
            Problem(
                "exchange.removal_kind",
                f"{REMOVALS} 第 {line.number} 行的 kind 应为 record 或 list_entry",
                "kind",
                line.number,
            ),
        )
        return None
    record = records.delivered(
        session,
        provider=result.producer,
        item_code=_text(value.get("item")) if kind == "record" else RECEIVED_ITEM,
        document_number=_text(value.get("document_number") if kind == "record" else value.get("number")),
        subject_key=_text(value.get("subject_key")),
    )
    if record is None:
        result.unmatched += 1
        return None
    if record.state == "withdrawn":
        result.duplicates += 1
        return None
    state = _text(value.get("state") or value.get("status"))
    records.withdraw(
        session,
        record_id=record.id,
        provider=result.producer,
        reason=f"推送方平台 {result.producer} 已撤回或移出（其状态：{state or '未说明'}）",
        actor=receiver.actor,
        now=receiver.clock.now(),
    )
    result.removed += 1
    return record.id


def _receive_lists(factory: sessionmaker[Session], receiver: Receiver) -> lists.Received:
    from xinyong import sweep  # the sweep runs exports: imported here, not at the top, to keep no cycle

    rules = sweep.Rules(receiver.profile, working_calendar(receiver.data_dir), receiver.data_dir)
    clock = receiver.clock
    return sweep.receive_lists(factory, as_of=clock.today(), clock=clock, actor=receiver.actor, rules=rules)


@dataclass(frozen=True)
class Written:
    """A package in the outgoing folder, as its manifest describes it."""

    name: str
    size: int
    kind: str
    watermark: dict[str, str]
    rows: dict[str, int]


def written(settings: Settings, *, limit: int) -> list[Written]:
    """The newest packages in ``$XINYONG_DATA_DIR/exchange/out/`` (the sweep's and the operator's)."""
    folder = settings.data_dir / "exchange" / "out"
    paths = (
        sorted(folder.glob("*.zip"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.is_dir() else []
    )
    found = []
    for path in paths[:limit]:
        manifest = manifest_of(path)
        rows = {str(f["name"]): int(f["rows"]) for f in manifest["files"]}
        found.append(Written(path.name, path.stat().st_size, manifest["kind"], manifest["watermark"], rows))
    return found


def daily_packages(
    factory: sessionmaker[Session], *, settings: Settings, as_of: date, actor: AuditActor
) -> tuple[Path | None, Path]:
    """The sweep's exchange job, under ``$XINYONG_DATA_DIR/exchange/out/``: the increment since the last
    sweep's, and a full snapshot when the latest is ``exchange_snapshot_days`` old. Their paths: the
    increment, and the latest snapshot (None when there is none). A snapshot reads every standing record
    (at ten million records, minutes: docs/scale.md), so a deployment may write it less often or apart."""
    folder = settings.data_dir / "exchange" / "out"
    latest = _latest_snapshot(folder, on=as_of)
    snapshot = latest[0] if latest else None
    days = settings.exchange_snapshot_days
    if days and (latest is None or latest[1] <= as_of - timedelta(days=days)):
        snapshot = folder / f"snapshot-{as_of.isoformat()}.zip"
        export_package(factory, path=snapshot, settings=settings, since=None, actor=actor)
    with factory() as session:
        start = watermark(session, SWEEP) or Watermark(0, 0)
    increment = folder / f"increment-{as_of.isoformat()}-{start.record_version}-{start.list_step}.zip"
    export_package(factory, path=increment, settings=settings, since=start, actor=actor, destination=SWEEP)
    return snapshot, increment


def _latest_snapshot(folder: Path, *, on: date) -> tuple[Path, date] | None:
    """The newest ``snapshot-YYYY-MM-DD.zip`` in ``folder`` written for ``on`` or a day before, with its day;
    a file whose name is no date is not one of them."""
    written = []
    for path in folder.glob("snapshot-*.zip"):
        try:
            day = date.fromisoformat(path.stem.removeprefix("snapshot-"))
        except ValueError:
            continue
        if day <= on:
            written.append((path, day))
    return max(written, key=lambda found: found[1], default=None)
