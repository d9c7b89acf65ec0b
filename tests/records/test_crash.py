"""An import killed with SIGKILL half-way and run again ends with every row exactly once (ING-3, ING-6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from xinyong.db.engine import session_factory
from xinyong.records.models import ImportJob

from ..crash import PROVIDER, Own, chain_intact, finish, importing, kill_when, own, penalties, start

__all__ = ["own"]

ROWS = 100_000


@pytest.mark.req("SEC-4", "SEC-1", "ING-3", "ING-6", "ING-7")
def test_an_import_killed_half_way_and_run_again_has_every_row_once(own: Own, tmp_path: Path) -> None:
    command = importing(penalties(tmp_path / "penalties.csv", range(ROWS)))
    stored = "SELECT count(*) FROM record"

    killed = start(own, *command)
    kill_when(killed, lambda: 20_000 < own.scalar(stored) < ROWS)
    before = own.scalar(stored)
    assert 20_000 < before < ROWS

    summary = json.loads(finish(start(own, *command, "--json")))
    # The rows the killed run stored are recognised as sent before; only the rest are new.
    assert (summary["accepted"], summary["duplicates"], summary["rejected"]) == (ROWS - before, before, 0)

    assert own.scalar(stored) == ROWS
    assert own.scalar("SELECT count(DISTINCT document_number) FROM record") == ROWS  # each row, none twice
    first_versions = "SELECT count(*) FROM record_version WHERE version = 1 AND procedure = 'ingest'"
    assert own.scalar(first_versions) == ROWS
    assert own.scalar("SELECT count(*) FROM record_version") == ROWS  # nothing half-written

    with session_factory(own.engine)() as session:
        first, second = session.scalars(
            select(ImportJob).where(ImportJob.provider == PROVIDER).order_by(ImportJob.id)
        ).all()
    # The killed job never finished, and its counters hold exactly what it stored: they were written in
    # the same transactions as its rows.
    assert (first.status, first.finished_at, first.accepted, first.total) == ("running", None, before, before)
    assert own.scalar("SELECT count(*) FROM record WHERE job_id = :job", job=first.id) == before
    assert (second.status, second.total, second.accepted) == ("done", ROWS, ROWS - before)
    assert chain_intact(own.engine).ok
