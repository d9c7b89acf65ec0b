"""Alembic environment: runs on the connection ``xinyong.db.migrate`` hands over, or on the settings URL."""

from __future__ import annotations

from alembic import context

from xinyong.access.models import Organisation  # noqa: F401  (registers the access tables)
from xinyong.audit.models import AuditEvent, AuditHead  # noqa: F401  (registers the audit tables)
from xinyong.catalog.models import CatalogItem  # noqa: F401  (registers the catalog tables)
from xinyong.db.base import Base
from xinyong.db.engine import make_engine
from xinyong.db.models import ReferenceDataset  # noqa: F401  (registers the table on the metadata)
from xinyong.deadlines.models import Deadline  # noqa: F401  (registers the deadline tables)
from xinyong.disclosure.models import Grant  # noqa: F401  (registers the authorization table)
from xinyong.evaluation.models import EvaluationRun  # noqa: F401  (registers the evaluation tables)
from xinyong.exchange.models import ExchangeWatermark  # noqa: F401  (registers the exchange watermarks)
from xinyong.government.models import Body  # noqa: F401  (registers the government integrity tables)
from xinyong.lists.models import ListEntry  # noqa: F401  (registers the list tables)
from xinyong.market.models import Consent  # noqa: F401  (registers the consent and agency tables)
from xinyong.measures.models import RpTask  # noqa: F401  (registers the measure tables)
from xinyong.objections.models import Objection  # noqa: F401  (registers the objection tables)
from xinyong.outbox.models import OutboxMessage  # noqa: F401  (registers the outbox)
from xinyong.records.models import Record  # noqa: F401  (registers the record tables)
from xinyong.repair.models import RepairCase  # noqa: F401  (registers the repair and interview tables)
from xinyong.settings import get_settings
from xinyong.subjects.models import Subject  # noqa: F401  (registers the subject tables)
from xinyong.tips.models import Tip  # noqa: F401  (registers the tip tables)

config = context.config
connection = config.attributes.get("connection")


def run(conn: object) -> None:
    context.configure(
        connection=conn,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    with make_engine(get_settings().database_url).connect() as conn:
        run(conn)
        conn.commit()
