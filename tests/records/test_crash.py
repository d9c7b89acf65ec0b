"""An import killed with SIGKILL half-way and run again ends with every row exactly once (ING-3, ING-6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.ingest import penalty_file
from xinyong.db.engine import session_factory
from xinyong.records.models import ImportJob

from ..crash import Own, chain_intact, finish, kill_when, own, start

__all__ = ["own"]

ROWS = 100_000


@pytest.mark.req("SEC-4", "ING-3", "ING-6", "ING-7")
def test_an_import_killed_half_way_and_run_again_has_every_row_once(own: Own, tmp_path: Path) -> None:
    delivery, path = penalty_file(own.engine, own.settings, ROWS, tmp_path)
    mine = {"provider": delivery.provider}
    stored = "SELECT count(*) FROM record WHERE provider = :provider"

    command = ["import", str(path), "--item", "admin-penalty", "--provider", delivery.provider]
    command += ["--severity", "general"]
    killed = start(own, *command)
    kill_when(killed, lambda: 20_000 < own.scalar(stored, **mine) < ROWS)
    before = own.scalar(stored, **mine)
    assert 20_000 < before < ROWS

    summary = json.loads(finish(start(own, *command, "--json")))
    # The rows the killed run stored are recognised as sent before; only the rest are new.
    assert (summary["accepted"], summary["duplicates"], summary["rejected"]) == (ROWS - before, before, 0)

    assert own.scalar(stored, **mine) == ROWS
    numbers = "SELECT count(DISTINCT document_number) FROM record WHERE provider = :provider"
    assert own.scalar(numbers, **mine) == ROWS  # each row of the file, none twice
    versions = (
        "SELECT count(*) FROM record_version v JOIN record r ON r.id = v.record_id "
        "WHERE r.provider = :provider AND v.version = 1 AND v.procedure = 'ingest'"
    )
    assert own.scalar(versions, **mine) == ROWS
    assert own.scalar("SELECT count(*) FROM record_version") == ROWS  # no version without its record

    with session_factory(own.engine)() as session:
        first, second = session.scalars(
            select(ImportJob).where(ImportJob.provider == delivery.provider).order_by(ImportJob.id)
        ).all()
    # The killed job never finished, and its counters hold exactly what it stored: they were written in
    # the same transactions as its rows.
    assert (first.status, first.finished_at, first.accepted, first.total) == ("running", None, before, before)
    by_first = "SELECT count(*) FROM record WHERE job_id = :job"
    assert own.scalar(by_first, job=first.id) == before
    assert (second.status, second.total, second.accepted) == ("done", ROWS, ROWS - before)
    assert chain_intact(own.engine).ok
