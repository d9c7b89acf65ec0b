"""The measure list and the joint rewards-and-punishments loop (MEA-1..8).

Measures come only from the list files: the national base list plus the deployment's supplement. When an
entry is made, every organisation that carries a duty one of its measures names gets a task, pushed
through the outbox; it responds, implements and feeds back through the API; the sweep reminds the late
ones; when the entry ends every task ends and its organisation is told to stop (MEA-8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.db.bulk import insert_ignore
from xinyong.errors import Forbidden, NotFound, XinyongError
from xinyong.measures.models import Implementer, RpTask
from xinyong.measures.schema import Measure, MeasuresFile
from xinyong.outbox import service as outbox
from xinyong.reference import read_model

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "measures"
TASK_STEPS = ("pushed", "responded", "implemented", "fed_back")
TASK_STATUS_LABELS = {
    "pushed": "已推送",
    "responded": "已响应",
    "implemented": "已实施",
    "fed_back": "已反馈",
    "ended": "已终止",
}


@dataclass(frozen=True)
class MeasureList:
    """Every measure in force and every checking scenario, with the files they came from."""

    measures: dict[str, Measure]
    scenarios: dict[str, str]
    digest: str
    sources: tuple[str, ...]

    def for_list_type(self, list_type: str) -> list[Measure]:
        return [m for m in self.measures.values() if list_type in m.list_types]

    def for_scenario(self, list_type: str, scenario: str) -> list[Measure]:
        return [m for m in self.for_list_type(list_type) if scenario in m.scenarios]

    def scenario(self, code: str) -> str:
        if code not in self.scenarios:
            known = "、".join(f"{k}（{v}）" for k, v in self.scenarios.items())
            raise XinyongError(
                "check.unknown_scenario", f"未知的审查场景“{code}”；可用的场景：{known}", field="scenario"
            )
        return code


@lru_cache(maxsize=8)
def measure_list(data_dir: Path, known_list_types: frozenset[str]) -> MeasureList:
    """The national list, then the deployment's ``measures/*.toml``; a measure that names a list type that
    does not exist, or a scenario nobody defined, is refused at load (MEA-1)."""
    local = data_dir / "measures"
    paths = sorted(SHIPPED_DIR.glob("*.toml")) + (sorted(local.glob("*.toml")) if local.is_dir() else [])
    measures: dict[str, Measure] = {}
    scenarios: dict[str, str] = {}
    digests = []
    for path in paths:
        parsed, digest = read_model(path, MeasuresFile, code="measures", what="奖惩措施清单")
        shipped = path.parent == SHIPPED_DIR
        if shipped != (parsed.scope == "national"):
            raise XinyongError("measures.scope", f"{path}：scope 应为 {'national' if shipped else 'local'}")
        digests.append(digest)
        scenarios.update(parsed.scenarios)
        for measure in parsed.measures:
            if measure.code in measures:
                raise XinyongError("measures.code_clash", f"{path}：措施代码 {measure.code} 已存在")
            unknown = sorted(set(measure.list_types) - known_list_types)
            if unknown:
                raise XinyongError(
                    "measures.unknown_list_type",
                    f"{path}：措施 {measure.code} 引用了不存在的名单类型 {unknown}",
                )
            measures[measure.code] = measure
    for measure in measures.values():
        missing = sorted(set(measure.scenarios) - set(scenarios))
        if missing:
            raise XinyongError(
                "measures.unknown_scenario", f"措施 {measure.code} 引用了未定义的审查场景 {missing}"
            )
    return MeasureList(measures, scenarios, "".join(digests), tuple(str(p) for p in paths))


# ------------------------------------------------------------------------------------------- duties
def assign(session: Session, *, duty: str, org_code: str, actor: AuditActor, now: datetime) -> None:
    """Name an organisation of this deployment as carrying ``duty`` (e.g. ``bidding``)."""
    access.get_org(session, org_code)
    added = insert_ignore(
        session, Implementer, [{"duty": duty, "org_code": org_code, "created_at": now}], ["duty", "org_code"]
    )
    if added:
        audit.record(
            session,
            at=now,
            actor=actor,
            action="measures.assign",
            target_type="duty",
            target_id=duty,
            detail={"org": org_code},
        )


def implementers(session: Session) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for duty, org in session.execute(select(Implementer.duty, Implementer.org_code).order_by(Implementer.id)):
        found.setdefault(duty, []).append(org)
    return found


# ------------------------------------------------------------------------------------------- the loop
@dataclass(frozen=True)
class EntryFacts:
    """What a task needs to know of a list entry, without the lists module's tables."""

    id: int
    number: str
    list_type: str
    list_name: str
    subject_key: str | None
    subject_name: str
    entered_on: date
    term_end: date | None


def initiate(
    session: Session,
    *,
    entry: EntryFacts,
    measures: Sequence[Measure],
    respond_by: date,
    today: date,
    now: datetime,
) -> int:
    """One task per measure and implementing organisation, each pushed through the outbox (MEA-6)."""
    duties = implementers(session)
    rows, messages = [], []
    for measure in measures:
        for org in duties.get(measure.duty, []):
            rows.append(
                {
                    "entry_id": entry.id,
                    "subject_key": entry.subject_key,
                    "list_type": entry.list_type,
                    "measure": measure.code,
                    "org_code": org,
                    "status": "pushed",
                    "pushed_on": today,
                    "respond_by": respond_by,
                    "updated_at": now,
                }
            )
            messages.append(
                outbox.Message(
                    kind="rp_task",
                    org_code=org,
                    subject_key=entry.subject_key,
                    payload={
                        "entry": entry.number,
                        "list_type": entry.list_type,
                        "list_name": entry.list_name,
                        "subject": entry.subject_key,
                        "subject_name": entry.subject_name,
                        "measure": measure.code,
                        "matter": measure.matter,
                        "means": measure.means,
                        "legal_basis": measure.legal_basis,
                        "entered_on": entry.entered_on.isoformat(),
                        "term_end": entry.term_end.isoformat() if entry.term_end else None,
                        "respond_by": respond_by.isoformat(),
                    },
                    dedupe_key=f"rp_task:{entry.id}:{measure.code}:{org}",
                )
            )
    created = insert_ignore(session, RpTask, rows, ["entry_id", "measure", "org_code"])
    outbox.enqueue(session, messages, now=now)
    return created


def end_tasks(
    session: Session, *, entries: Sequence[EntryFacts], reason: str, today: date, now: datetime
) -> int:
    """The entries left their lists: every open task ends and its organisation is told to stop (MEA-8,
    PER-3). One query, one update and one batch of messages for all of them."""
    if not entries:
        return 0
    by_id = {entry.id: entry for entry in entries}
    tasks = list(
        session.scalars(
            select(RpTask)
            .where(RpTask.entry_id.in_(list(by_id)), RpTask.ended_on.is_(None))
            .order_by(RpTask.id)
        )
    )
    session.execute(
        update(RpTask)
        .where(RpTask.entry_id.in_(list(by_id)), RpTask.ended_on.is_(None))
        .values(ended_on=today, updated_at=now)
    )
    outbox.enqueue(
        session,
        [
            outbox.Message(
                kind="entry_ended",
                org_code=task.org_code,
                subject_key=by_id[task.entry_id].subject_key,
                payload={
                    "entry": by_id[task.entry_id].number,
                    "list_type": by_id[task.entry_id].list_type,
                    "subject": by_id[task.entry_id].subject_key,
                    "measure": task.measure,
                    "ended_on": today.isoformat(),
                    "reason": reason,
                    "instruction": "该主体已移出名单，请停止实施相应措施",
                },
                dedupe_key=f"entry_ended:{task.entry_id}:{task.measure}:{task.org_code}",
            )
            for task in tasks
        ],
        now=now,
    )
    return len(tasks)


def tasks_of(session: Session, *, org_code: str | None = None, entry_id: int | None = None) -> list[RpTask]:
    query = select(RpTask).order_by(RpTask.id)
    if org_code is not None:
        query = query.where(RpTask.org_code == org_code)
    if entry_id is not None:
        query = query.where(RpTask.entry_id == entry_id)
    return list(session.scalars(query))


def advance(
    session: Session,
    *,
    task_id: int,
    step: str,
    org_code: str,
    text: str | None,
    actor: AuditActor,
    today: date,
    now: datetime,
) -> RpTask:
    """Respond, implement or feed back, in that order, only by the task's own organisation (MEA-6)."""
    task = session.get(RpTask, task_id)
    if task is None:
        raise NotFound("rp_task.not_found", f"联合奖惩任务 {task_id} 不存在")
    if task.org_code != org_code:
        raise Forbidden("rp_task.not_yours", "只有任务的实施部门可以办理此任务")
    if task.ended_on is not None:
        raise XinyongError(
            "rp_task.ended", f"该主体已于 {task.ended_on} 移出名单，任务已终止，请停止实施措施"
        )
    if step not in TASK_STEPS[1:]:
        raise XinyongError("rp_task.unknown_step", f"未知的办理环节“{step}”", field="step")
    expected = TASK_STEPS[TASK_STEPS.index(task.status) + 1] if task.status != TASK_STEPS[-1] else None
    if step != expected:
        wanted = TASK_STATUS_LABELS[expected] if expected else "无（已反馈）"
        raise XinyongError(
            "rp_task.out_of_order",
            f"任务当前为“{TASK_STATUS_LABELS[task.status]}”，下一环节应为：{wanted}",
            field="step",
        )
    if step == "fed_back" and not (text or "").strip():
        raise XinyongError("rp_task.feedback_required", "反馈须写明实施情况和成效", field="text")
    task.status = step
    setattr(
        task,
        {"responded": "responded_on", "implemented": "implemented_on", "fed_back": "fed_back_on"}[step],
        today,
    )
    if step == "fed_back":
        task.feedback = (text or "").strip()[:4000]
    task.updated_at = now
    audit.record(
        session,
        at=now,
        actor=actor,
        action=f"rp_task.{step}",
        target_type="rp_task",
        target_id=str(task.id),
        subject_key=task.subject_key,
        detail={"measure": task.measure, "text": (text or "")[:500]},
    )
    return task


def remind_overdue(session: Session, *, as_of: date, now: datetime) -> int:
    """Tasks not responded to by their date get one reminder per day through the outbox (MEA-6)."""
    late = list(
        session.scalars(
            select(RpTask).where(
                RpTask.status == "pushed",
                RpTask.ended_on.is_(None),
                RpTask.respond_by < as_of,
                (RpTask.reminded_on.is_(None)) | (RpTask.reminded_on < as_of),
            )
        )
    )
    messages = [
        outbox.Message(
            kind="reminder",
            org_code=task.org_code,
            subject_key=task.subject_key,
            payload={"task": task.id, "measure": task.measure, "respond_by": task.respond_by.isoformat()},
            dedupe_key=f"reminder:{task.id}:{as_of.isoformat()}",
        )
        for task in late
    ]
    outbox.enqueue(session, messages, now=now)
    for task in late:
        task.reminded_on = as_of
    return len(late)


@dataclass(frozen=True)
class LoopStats:
    org_code: str
    list_type: str
    pushed: int
    responded: int
    implemented: int
    fed_back: int
    overdue: int


def loop_stats(
    session: Session, *, as_of: date, pushed_from: date | None = None, pushed_to: date | None = None
) -> list[LoopStats]:
    """Per implementing organisation and list type: how far the tasks have come (MEA-6, RPT-3); with a
    period, only the tasks pushed in it (the periodic report, RPT-1)."""
    period = [RpTask.pushed_on >= pushed_from] if pushed_from else []
    period += [RpTask.pushed_on <= pushed_to] if pushed_to else []
    reached = [
        func.sum(case((RpTask.status.in_(TASK_STEPS[i:]), 1), else_=0)) for i in range(len(TASK_STEPS))
    ]
    late = (RpTask.status == "pushed") & RpTask.ended_on.is_(None) & (RpTask.respond_by < as_of)
    rows = session.execute(
        select(RpTask.org_code, RpTask.list_type, *reached, func.sum(case((late, 1), else_=0)))
        .where(*period)
        .group_by(RpTask.org_code, RpTask.list_type)
        .order_by(RpTask.org_code, RpTask.list_type)
    )
    return [LoopStats(org, lt, *(int(v or 0) for v in counts)) for org, lt, *counts in rows]
