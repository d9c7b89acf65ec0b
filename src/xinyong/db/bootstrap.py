"""``xinyong init``: migrate to the newest schema and load the shipped reference data; safe to repeat."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xinyong.db import migrate
from xinyong.db.engine import session_factory, transaction
from xinyong.db.models import ReferenceDataset
from xinyong.profiles.loader import load_profile
from xinyong.settings import Settings
from xinyong.workdays import read_table, table_paths


@dataclass(frozen=True)
class Snapshot:
    """A reference dataset as read from its files: a digest to compare, and how to write it."""

    name: str
    source: str
    digest: str
    entries: int
    write: Callable[[Session], None] | None = None


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


def _profile(settings: Settings) -> Snapshot:
    profile = load_profile(settings.profile, (settings.data_dir / "profiles",))
    payload = json.dumps(profile.model_dump(mode="json"), sort_keys=True, ensure_ascii=False).encode()
    return Snapshot("profile", profile.name, _digest(payload), 1)


SNAPSHOTS: list[Callable[[Settings], Snapshot]] = [_holidays, _profile]


def load_reference_data(session: Session, settings: Settings) -> list[LoadResult]:
    results = []
    for build in SNAPSHOTS:
        snapshot = build(settings)
        row = session.get(ReferenceDataset, snapshot.name)
        changed = row is None or row.digest != snapshot.digest or row.source != snapshot.source
        if changed:
            if snapshot.write is not None:
                snapshot.write(session)
            row = row or ReferenceDataset(name=snapshot.name)
            row.digest, row.entries, row.source = snapshot.digest, snapshot.entries, snapshot.source
            row.loaded_at = settings.clock.now()
            session.add(row)
        results.append(LoadResult(snapshot.name, snapshot.entries, changed))
    return results


def initialise(engine: Engine, settings: Settings) -> list[LoadResult]:
    migrate.upgrade(engine)
    with transaction(session_factory(engine)) as session:
        return load_reference_data(session, settings)
