"""Credit commitments (COM-1, COM-2): the list of commitment matters, and the fulfilment of a commitment.

A subject's commitments are records of the catalog item ``commitment``, delivered like any other; their
fulfilment is a new version of that record, set by the department that accepted the commitment. A false or
broken commitment is dishonesty information: it becomes a record of the item ``dishonest-commitment``
through the same ingestion path an import takes, never written directly, so it is checked, versioned,
published and counted exactly like every other negative record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from xinyong.audit.service import AuditActor
from xinyong.clock import Clock
from xinyong.commitments.schema import Matter, MattersFile
from xinyong.errors import NotFound, XinyongError
from xinyong.profiles.schema import Profile, Severity
from xinyong.records import ingest
from xinyong.records import service as records
from xinyong.records.models import STANDING_STATES, Record
from xinyong.reference import read_model
from xinyong.rules.text import plain

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "commitments"
ITEM, DISHONEST_ITEM = "commitment", "dishonest-commitment"
OUTCOMES = {"kept": "已履行承诺", "broken": "未履行承诺", "false": "虚假承诺"}
PROCEDURE = "fulfilment"


@dataclass(frozen=True)
class Matters:
    matters: dict[str, Matter]
    digest: str


@lru_cache(maxsize=8)
def matters(data_dir: Path) -> Matters:
    """The national matters, then the deployment's ``commitments/*.toml``; each names its kind, its
    department and its basis, or the file is refused."""
    local = data_dir / "commitments"
    paths = sorted(SHIPPED_DIR.glob("*.toml")) + (sorted(local.glob("*.toml")) if local.is_dir() else [])
    found: dict[str, Matter] = {}
    digests = []
    for path in paths:
        parsed, digest = read_model(path, MattersFile, code="commitments", what="承诺事项清单")
        shipped = path.parent == SHIPPED_DIR
        if shipped != (parsed.scope == "national"):
            raise XinyongError(
                "commitments.scope", f"{path}：scope 应为 {'national' if shipped else 'local'}"
            )
        for matter in parsed.matters:
            if matter.code in found:
                raise XinyongError("commitments.code_clash", f"{path}：承诺事项代码 {matter.code} 已存在")
            found[matter.code] = matter
        digests.append(digest)
    return Matters(found, "".join(digests))


@dataclass(frozen=True)
class Assessment:
    """What the accepting department found: kept, broken or false; for the last two the facts, the number
    of its finding and how serious the dishonesty is."""

    outcome: str
    facts: str = ""
    document_number: str = ""
    severity: Severity = "general"


@dataclass(frozen=True)
class Fulfilment:
    record: int
    outcome: str
    job: int | None  # the import job that made the dishonesty record, if any


def _commitment(session: Session, record_id: int, department: str) -> Record:
    """A standing commitment the department delivered; anything else is not found (nothing revealed)."""
    record = records.find(session, record_id)
    if record is None or record.item_code != ITEM or record.provider != department:
        raise NotFound("commitment.not_found", f"没有本单位受理的编号为 {record_id} 的信用承诺")
    if record.state not in STANDING_STATES:
        raise XinyongError("commitment.not_standing", f"信用承诺 {record_id} 已不在使用中")
    if json.loads(record.data).get("fulfilment") in OUTCOMES.values():
        raise XinyongError("commitment.assessed", f"信用承诺 {record_id} 的履约情况已记录")
    return record


def fulfil(
    factory: sessionmaker[Session],
    *,
    record_id: int,
    assessment: Assessment,
    department: str,
    actor: AuditActor,
    profile: Profile,
    clock: Clock,
) -> Fulfilment:
    """Record the fulfilment of a commitment. A broken or false one first becomes a dishonesty record
    through ingestion; if that row is refused, the commitment stays as it was and the refusal is raised."""
    if assessment.outcome not in OUTCOMES:
        raise XinyongError("commitment.outcome", f"履约情况应为：{'、'.join(OUTCOMES)}", field="outcome")
    label = OUTCOMES[assessment.outcome]
    with factory() as session:
        data = json.loads(_commitment(session, record_id, department).data)
    job = None
    if assessment.outcome != "kept":
        job = _dishonesty(factory, record_id, data, assessment, department, actor, profile, clock)
    with factory() as session, session.begin():
        record = _commitment(session, record_id, department)
        records.change(
            session,
            record=record,
            procedure=PROCEDURE,
            reason=f"承诺受理单位核查履约情况：{label}" + (f"（失信信息导入批次 {job}）" if job else ""),
            actor=actor,
            now=clock.now(),
            data={**data, "fulfilment": label},
        )
    return Fulfilment(record_id, assessment.outcome, job)


def _dishonesty(
    factory: sessionmaker[Session],
    record_id: int,
    data: dict[str, str],
    assessment: Assessment,
    department: str,
    actor: AuditActor,
    profile: Profile,
    clock: Clock,
) -> int:
    facts = plain(assessment.facts, field="facts", max_length=2000, label="失信事实", multiline=True)
    if not facts or not assessment.document_number.strip():
        raise XinyongError(
            "commitment.facts_required", "未履行或虚假承诺须写明失信事实和认定文书编号", field="facts"
        )
    row = {
        "subject_name": data.get("subject_name", ""),
        "uscc": data.get("uscc", ""),
        "id_number": data.get("id_number", ""),
        "commitment_record": str(record_id),
        "commitment_matter": data.get("commitment_matter", ""),
        "outcome": OUTCOMES[assessment.outcome],
        "facts": facts,
        "document_number": assessment.document_number.strip()[:128],
        "decision_date": clock.today().isoformat(),
        "authority": data.get("authority", ""),
        "source": data.get("source", ""),
    }
    delivery = ingest.Delivery(
        provider=department,
        item_code=DISHONEST_ITEM,
        route="api",
        actor=actor,
        default_severity=assessment.severity,
    )
    summary = ingest.run(
        factory, delivery=delivery, rows=ingest.from_mappings([row], set(row)), profile=profile, clock=clock
    )
    if summary.rejected:
        first = summary.rejects[0]
        raise XinyongError(first["code"], first["message"], field=first.get("field"))
    if not summary.accepted:
        raise XinyongError("commitment.duplicate", f"认定文书 {row['document_number']} 已报送过")
    return summary.job
