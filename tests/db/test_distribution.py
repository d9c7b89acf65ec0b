"""Every table that grows with subjects carries the subject key, so PostgreSQL can be distributed by it
(DESIGN principle 6); every table has its place on a Citus cluster, as docs/scale.md lays it out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import String, create_engine, text

from xinyong.db import migrate
from xinyong.db.base import Base

# Distributed by the subject key, all co-located: a subject's rows live on one worker. ``list_mark`` keys
# the listed organisation (its entry's subject) as ``org_key``; ``subject`` names its own key ``key``.
DISTRIBUTED = {
    "subject": "key",
    "related_person": "subject_key",
    "record": "subject_key",
    "record_version": "subject_key",
    "revocation_case": "subject_key",
    "deletion_request": "subject_key",
    "list_entry": "subject_key",
    "list_step": "subject_key",
    "list_document": "subject_key",
    "list_mark": "org_key",
    "rp_task": "subject_key",
    "objection": "subject_key",
    "objection_evidence": "subject_key",
    "objection_step": "subject_key",
    "repair_case": "subject_key",
    "repair_file": "subject_key",
    "repair_objection": "subject_key",
    "interview": "subject_key",
    "deadline": "subject_key",
    "deadline_pause": "subject_key",
    "authorization_grant": "subject_key",
    "disclosure_receipt": "subject_key",
    "credit_report": "subject_key",
    "evaluation_grade": "subject_key",
    "evaluation_review": "subject_key",
    "inspection_pick": "subject_key",
    "market_consent": "subject_key",
    "government_archive_entry": "subject_key",
    "government_archive_version": "subject_key",
    "government_commitment": "subject_key",
    "government_obligation": "subject_key",
    "government_commitment_change": "subject_key",
    "government_exemption": "subject_key",
}
# Small, read everywhere, joined with distributed tables: a copy on every worker.
REFERENCE = {
    "organisation",
    "catalog_version",
    "catalog_item",
    "reference_dataset",
    "implementer",
    "credit_agency",
    "import_job",
    "evaluation_run",
    "inspection_plan",
}
# Kept on the coordinator: accounts and sessions, the audit hash chain, queues and watermarks, per-batch
# rows, tips (many name no registered subject), the government bodies' own registers and region figures.
COORDINATOR = {
    "account",
    "account_role",
    "api_token",
    "login_session",
    "identity_challenge",
    "audit_event",
    "audit_head",
    "import_reject",
    "credit_check",
    "outbox_message",
    "org_webhook",
    "exchange_watermark",
    "agency_grant",
    "tip",
    "tip_reporter",
    "tip_file",
    "tip_step",
    "government_region",
    "government_body",
    "government_civil_servant",
    "government_debt",
    "government_evaluation_run",
    "government_region_score",
}


def test_every_table_has_one_place_on_a_cluster() -> None:
    tables = set(Base.metadata.tables)
    placed = [*DISTRIBUTED, *REFERENCE, *COORDINATOR]
    assert len(placed) == len(set(placed)), "a table is placed twice"
    assert set(placed) == tables, f"new tables to place: {tables - set(placed)}; gone: {set(placed) - tables}"


def test_distributed_tables_carry_the_subject_key() -> None:
    for name, column in DISTRIBUTED.items():
        key = Base.metadata.tables[name].c.get(column)
        assert key is not None, f"{name} has no {column}"
        assert isinstance(key.type, String) and key.type.length == 64, f"{name}.{column} is not a subject key"
    # Foreign keys between distributed tables join rows of one subject: the parent is distributed too.
    for name in DISTRIBUTED:
        for fk in Base.metadata.tables[name].foreign_keys:
            parent = fk.column.table.name
            assert parent in DISTRIBUTED or parent in REFERENCE, f"{name} refers to {parent}, kept aside"


def test_the_migration_gives_existing_pauses_their_subject_key(tmp_path: Path) -> None:
    """Pauses written before the column existed get their deadline's subject key, in one statement."""
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = migrate.alembic_config()
    now, day = datetime(2026, 11, 2, 9, tzinfo=UTC), date(2026, 11, 2)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0025")
        conn.execute(
            text(
                "INSERT INTO deadline (id, kind, case_number, step, label, basis, subject_key, org_code, "
                "started_on, days, due_on, paused_since, updated_at) VALUES (7, 'objection', 'YY1', "
                "'provider_reply', '核实', '依据', '91370100MA0000001X', 'scjgj', :day, 5, :day, :day, :now)"
            ),
            {"day": day, "now": now},
        )
        conn.execute(
            text("INSERT INTO deadline_pause (deadline_id, reason, first_day) VALUES (7, '专家评审', :day)"),
            {"day": day},
        )
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0026")
        keys = conn.execute(text("SELECT subject_key FROM deadline_pause")).scalars().all()
    assert keys == ["91370100MA0000001X"]
    engine.dispose()
