"""``xinyong init``: migrate, record the reference data in force, create the operator; safe to repeat.

The database keeps a digest of each reference dataset (the holiday tables, the resolved jurisdiction
profile) it was initialised with, so ``serve`` can refuse to run a database under rules nobody initialised
it for, and ``init`` reloads only what changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.access.policy import POLICY_FILE, policy
from xinyong.catalog import service as catalog
from xinyong.db import migrate
from xinyong.db.engine import session_factory, transaction
from xinyong.db.models import ReferenceDataset
from xinyong.lists import service as lists
from xinyong.measures import service as measures
from xinyong.profiles.loader import load_profile
from xinyong.settings import Settings
from xinyong.workdays import read_table, table_paths


@dataclass(frozen=True)
class Snapshot:
    """A reference dataset as read from its files: where from, a digest to compare, how many entries, and
    how to write it into the database when it changed (None for data the platform reads from files)."""

    name: str
    source: str
    digest: str
    entries: int
    write: Callable[[Session, datetime], None] | None = None


@dataclass(frozen=True)
class LoadResult:
    name: str
    entries: int
    changed: bool


def _digest(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _holidays(settings: Settings) -> Snapshot:
    paths = table_paths(settings.data_dir)
    years = [schedule for path in paths for schedule in read_table(path)]
    payload = b"".join(path.read_bytes() for path in paths)
    return Snapshot("holidays", "；".join(str(p) for p in paths), _digest(payload), len(years))


def _policy(settings: Settings) -> Snapshot:
    return Snapshot("access-policy", str(POLICY_FILE), _digest(POLICY_FILE.read_bytes()), len(policy().roles))


def _profile(settings: Settings) -> Snapshot:
    profile = load_profile(settings.profile, (settings.data_dir / "profiles",))
    payload = json.dumps(profile.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode()
    return Snapshot("profile", profile.name, _digest(payload), 1)


def _catalog(settings: Settings) -> Snapshot:
    found = catalog.sources(settings.data_dir)

    def write(session: Session, now: datetime) -> None:
        for source in found:
            catalog.install(session, source, now=now)

    digest = _digest("".join(s.digest for s in found).encode())
    items = sum(len(s.catalog.items) for s in found)
    return Snapshot("catalog", "；".join(str(s.path) for s in found), digest, items, write)


def _lists(settings: Settings) -> Snapshot:
    """List types and the measure list are read from their files; the digest tells when they changed."""
    types = lists.list_types(settings.data_dir.resolve())
    found = measures.measure_list(settings.data_dir.resolve(), frozenset(types.types))
    sources = "；".join(types.sources + found.sources)
    return Snapshot("lists", sources, _digest((types.digest + found.digest).encode()), len(found.measures))


SNAPSHOTS: list[Callable[[Settings], Snapshot]] = [_holidays, _profile, _policy, _catalog, _lists]


def load_reference_data(session: Session, settings: Settings) -> list[LoadResult]:
    results = []
    for build in SNAPSHOTS:
        snapshot = build(settings)
        row = session.get(ReferenceDataset, snapshot.name)
        changed = row is None or (row.digest, row.source) != (snapshot.digest, snapshot.source)
        if changed:
            if snapshot.write is not None:
                snapshot.write(session, settings.clock.now())
            row = row or ReferenceDataset(name=snapshot.name)
            row.digest, row.entries, row.source = snapshot.digest, snapshot.entries, snapshot.source
            row.loaded_at = settings.clock.now()
            session.add(row)
        results.append(LoadResult(snapshot.name, snapshot.entries, changed))
    return results


@dataclass(frozen=True)
class InitReport:
    datasets: list[LoadResult]
    operator_created: bool
    admins: int


def initialise(engine: Engine, settings: Settings) -> InitReport:
    """Migrate, record the reference data, and make sure the operator organisation exists."""
    migrate.upgrade(engine)
    with transaction(session_factory(engine)) as session:
        datasets = load_reference_data(session, settings)
        operator, created = access.ensure_operator(
            session, now=settings.clock.now(), name=settings.operator_name
        )
        admins = access.count_role(session, org=operator, role="operator_admin")
    return InitReport(datasets, created, admins)


def outdated(engine: Engine, settings: Settings) -> list[str]:
    """What ``init`` still has to do: ``schema`` if migrations are pending, and each changed dataset."""
    if migrate.current_revision(engine) != migrate.head_revision():
        return ["schema"]
    with session_factory(engine)() as session:
        recorded = {row.name: row.digest for row in session.scalars(select(ReferenceDataset))}
    return [s.name for s in (build(settings) for build in SNAPSHOTS) if recorded.get(s.name) != s.digest]
