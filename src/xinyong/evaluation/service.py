"""Evaluation runs, grades, their explanation and export, and inspection plans (EVA-1, EVA-2, EVA-3, CHK-1).

A run scores every subject the model covers in batches of subjects (each batch one transaction, its grades
written in bulk) and is marked finished at the end: a run stopped half-way never becomes the current one.
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import FromClause, func, select
from sqlalchemy.orm import Session, sessionmaker

from xinyong.access.gate import Gate, Info
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.db import bulk
from xinyong.disclosure import service as disclosure
from xinyong.errors import NotFound, XinyongError
from xinyong.evaluation import inspection, loading, scoring
from xinyong.evaluation.models import EvaluationGrade, EvaluationRun, InspectionPick, InspectionPlan
from xinyong.evaluation.schema import EvaluationModel
from xinyong.profiles.schema import Profile
from xinyong.records import report
from xinyong.records.models import STANDING_STATES
from xinyong.rules.text import plain
from xinyong.subjects.models import Subject

BATCH = 5000
ITEM = "evaluation"  # what the gate is asked about: a subject's evaluation (SUB-3 keeps it in the archive)
Progress = Callable[[int], None]


@lru_cache(maxsize=32)
def model_of(run_model: str) -> EvaluationModel:
    """The model a run applied, from the copy it keeps (parsed once per process)."""
    return EvaluationModel.model_validate_json(run_model)


def counted_states(profile: Profile) -> tuple[str, ...]:
    """A record marked by an objection counts only where the profile keeps it in use (OBJ-2)."""
    return STANDING_STATES if disclosure.marked_shown(profile) else ("active",)


# ------------------------------------------------------------------------------------------- runs
@dataclass(frozen=True)
class RunResult:
    run: int
    model: str
    version: str
    as_of: date
    subjects: int
    grades: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "model": self.model,
            "model_version": self.version,
            "as_of": self.as_of.isoformat(),
            "subjects": self.subjects,
            "grades": self.grades,
        }


def population(factory: sessionmaker[Session], model: EvaluationModel) -> int:
    with factory() as session:
        return (
            session.scalar(
                select(func.count()).select_from(Subject).where(Subject.kind.in_(model.subject_kinds))
            )
            or 0
        )


def run(
    factory: sessionmaker[Session],
    *,
    data_dir: Path,
    profile: Profile,
    as_of: date,
    actor: AuditActor,
    clock_now: Callable[[], datetime],
    progress: Progress | None = None,
) -> RunResult:
    """Grade every subject the model in force on ``as_of`` covers; the run is kept beside earlier ones."""
    model = loading.models(data_dir).in_force(as_of)
    states = counted_states(profile)
    with factory() as session, session.begin():
        found = EvaluationRun(
            model_code=model.code,
            model_version=model.version,
            model=model.model_dump_json(),
            states=json.dumps(list(states)),
            as_of=as_of,
            actor_label=actor.label[:200],
            started_at=clock_now(),
        )
        session.add(found)
        session.flush()
        run_id = found.id
        rules = scoring.basis(session, model=model, as_of=as_of, states=states, data_dir=data_dir)
    grades: Counter[str] = Counter()
    last = ""
    while True:
        with factory() as session, session.begin():
            keys = list(
                session.scalars(
                    select(Subject.key)
                    .where(Subject.kind.in_(model.subject_kinds), Subject.key > last)
                    .order_by(Subject.key)
                    .limit(BATCH)
                )
            )
            if keys:
                rows = _grades(session, rules, run_id, keys)
                bulk.insert_rows(session, EvaluationGrade, rows)
                grades.update(r["grade"] for r in rows)
        if progress is not None and keys:
            progress(len(keys))
        if len(keys) < BATCH:
            break
        last = keys[-1]
    ordered = {b.grade: grades[b.grade] for b in model.sorted_bands()}
    with factory() as session, session.begin():
        found = session.get_one(EvaluationRun, run_id)
        found.subjects = sum(ordered.values())
        found.grades = json.dumps(ordered)
        found.finished_at = clock_now()
        audit.record(
            session,
            at=found.finished_at,
            actor=actor,
            action="evaluation.run",
            target_type="evaluation_run",
            target_id=str(run_id),
            detail={
                "model": model.key,
                "as_of": as_of.isoformat(),
                "subjects": found.subjects,
                "grades": ordered,
            },
        )
    return RunResult(run_id, model.code, model.version, as_of, sum(ordered.values()), ordered)


def _grades(session: Session, rules: scoring.Basis, run_id: int, keys: Sequence[str]) -> list[dict[str, Any]]:
    found = scoring.counts(session, rules, keys[0], keys[-1])
    rows = []
    for key in keys:
        centi, values = scoring.score(rules.model, found.get(key, {}))
        rows.append(
            {
                "run_id": run_id,
                "subject_key": key,
                "score": centi,
                "grade": rules.model.band(centi).grade,
                "values": json.dumps(values, separators=(",", ":")),
            }
        )
    return rows


def runs(session: Session, *, limit: int = 50) -> list[EvaluationRun]:
    return list(session.scalars(select(EvaluationRun).order_by(EvaluationRun.id.desc()).limit(limit)))


def get_run(session: Session, run_id: int) -> EvaluationRun:
    found = session.get(EvaluationRun, run_id) if 0 < run_id < 2**31 else None
    if found is None or found.finished_at is None:
        raise NotFound("evaluation.run_not_found", f"没有编号为 {run_id} 的已完成评价", field="run")
    return found


def current_run(session: Session, on: date) -> EvaluationRun | None:
    """The latest finished run as of ``on``: its grades are the current ones."""
    return session.scalar(
        select(EvaluationRun)
        .where(EvaluationRun.finished_at.is_not(None), EvaluationRun.as_of <= on)
        .order_by(EvaluationRun.id.desc())
        .limit(1)
    )


# ------------------------------------------------------------------------------------------- grades
def grade_summary(run: EvaluationRun, grade: EvaluationGrade) -> dict[str, Any]:
    """A grade as credit checks and pages show it."""
    band = next(b for b in model_of(run.model).bands if b.grade == grade.grade)
    return {
        "grade": grade.grade,
        "label": band.label,
        "score": grade.score / 100,
        "model": run.model_code,
        "model_version": run.model_version,
        "run": run.id,
        "grade_id": grade.id,
        "as_of": run.as_of.isoformat(),
    }


def current_grades(session: Session, keys: FromClause, on: date) -> dict[str, dict[str, Any]]:
    """The current grade as of ``on`` of each subject among ``keys`` (a one-column table ``value``), CHK-1."""
    found = current_run(session, on)
    if found is None:
        return {}
    rows = session.scalars(
        select(EvaluationGrade).where(
            EvaluationGrade.run_id == found.id, EvaluationGrade.subject_key.in_(select(keys.c.value))
        )
    )
    return {row.subject_key: grade_summary(found, row) for row in rows}


def grade_of(session: Session, subject_key: str, on: date) -> tuple[EvaluationRun, EvaluationGrade] | None:
    found = current_run(session, on)
    if found is None:
        return None
    row = session.scalar(
        select(EvaluationGrade).where(
            EvaluationGrade.run_id == found.id, EvaluationGrade.subject_key == subject_key
        )
    )
    return (found, row) if row is not None else None


@dataclass(frozen=True)
class Explained:
    run: EvaluationRun
    grade: EvaluationGrade
    explanation: scoring.Explanation

    @property
    def consistent(self) -> bool:
        """Whether recomputing now gives the stored score: records changed since the run make it differ."""
        return self.explanation.score == self.grade.score


def explain(session: Session, *, subject_key: str, on: date, data_dir: Path) -> Explained:
    """The current grade of a subject, recomputed record by record from the model and day of its run."""
    found = grade_of(session, subject_key, on)
    if found is None:
        raise NotFound("evaluation.not_evaluated", "该主体尚无公共信用综合评价结果", field="code")
    run_, grade = found
    rules = scoring.basis(
        session,
        model=model_of(run_.model),
        as_of=run_.as_of,
        states=tuple(json.loads(run_.states)),
        data_dir=data_dir,
    )
    return Explained(run_, grade, scoring.explain(session, rules, subject_key))


def _through(gate: Gate, subject_key: str, data_dir: Path) -> None:
    """Ask the gate, as the model in force grades a subject's evaluation; the read is logged."""
    model = loading.models(data_dir).in_force(gate.today)
    info = Info(
        subject_key=subject_key, grade=model.disclosure, item=ITEM, shared_with=frozenset(model.shared_with)
    )
    gate.check(info, action="archive.read", target_type="evaluation", target_id=subject_key)


def read(session: Session, gate: Gate, *, subject_key: str, data_dir: Path) -> Explained:
    """A subject's explained grade through the gate: not public; the subject itself, departments with a
    stated purpose (the model's ``disclosure``), or an authorized party. The read is logged."""
    _through(gate, subject_key, data_dir)
    return explain(session, subject_key=subject_key, on=gate.today, data_dir=data_dir)


def own_grade(session: Session, gate: Gate, *, data_dir: Path) -> dict[str, Any] | None:
    """The signed-in subject's current grade for its own page, read through the gate like any other."""
    if gate.actor.subject_key is None:
        return None
    key = gate.actor.subject_key
    try:
        _through(gate, key, data_dir)
    except NotFound:  # no model in force yet: nothing evaluated
        return None
    found = grade_of(session, key, gate.today)
    return grade_summary(*found) if found else None


# ------------------------------------------------------------------------------------------- export
EXPORT_HEADERS = [
    "统一社会信用代码/证件号码",
    "名称",
    "综合评价得分",
    "信用等级",
    "等级名称",
    "评价模型",
    "模型版本",
    "评价日",
]


def export(
    session: Session, *, run_id: int, recipient: str, format: str, actor: AuditActor, now: datetime
) -> tuple[bytes, str, str]:
    """A run's grades as CSV or XLSX for a financial institution or industry association, logged with who
    exported it for whom (EVA-3); the file's content, media type and name."""
    who = plain(recipient, field="recipient", max_length=200, label="提供对象")
    if not who:
        raise XinyongError(
            "evaluation.recipient_required", "请写明评价结果提供给哪个机构（recipient）", field="recipient"
        )
    if format not in ("csv", "xlsx"):
        raise XinyongError("evaluation.format", "导出格式应为 csv 或 xlsx", field="format")
    found = get_run(session, run_id)
    labels = {b.grade: b.label for b in model_of(found.model).bands}
    rows = [
        [
            key,
            name,
            score / 100,
            grade,
            labels.get(grade, grade),
            found.model_code,
            found.model_version,
            found.as_of.isoformat(),
        ]
        for key, name, score, grade in session.execute(
            select(EvaluationGrade.subject_key, Subject.name, EvaluationGrade.score, EvaluationGrade.grade)
            .join(Subject, Subject.key == EvaluationGrade.subject_key)
            .where(EvaluationGrade.run_id == found.id)
            .order_by(EvaluationGrade.subject_key)
        )
    ]
    content, media = report.spreadsheet(EXPORT_HEADERS, rows, format, "信用评价结果")
    audit.record(
        session,
        at=now,
        actor=actor,
        action="evaluation.export",
        target_type="evaluation_run",
        target_id=str(found.id),
        detail={
            "recipient": who,
            "format": format,
            "rows": len(rows),
            "model": f"{found.model_code}@{found.model_version}",
        },
    )
    return content, media, f"信用评价结果-{found.as_of.isoformat()}-第{found.id}次.{format}"


# ------------------------------------------------------------------------------------------- inspection plans
def plan(
    session: Session, *, request: inspection.Request, today: date, actor: AuditActor, now: datetime
) -> InspectionPlan:
    """Draw and keep a 双随机 inspection plan from the current grades (EVA-2)."""
    found = current_run(session, today)
    if found is None:
        raise XinyongError("inspection.no_grades", "尚无公共信用综合评价结果，无法按等级抽查；请先运行评价")
    model = model_of(found.model)
    query = select(EvaluationGrade.subject_key, EvaluationGrade.grade).where(
        EvaluationGrade.run_id == found.id
    )
    if request.grades:
        query = query.where(EvaluationGrade.grade.in_(request.grades))
    if request.keys:
        query = query.where(EvaluationGrade.subject_key.in_(request.keys))
    graded = [(key, grade) for key, grade in session.execute(query.order_by(EvaluationGrade.subject_key))]
    missing = sorted(set(request.keys) - {key for key, _ in graded})
    if missing and not request.grades:
        raise XinyongError(
            "inspection.not_graded",
            f"{len(missing)} 个主体没有本次评价的等级（如 {missing[0]}），不能列入抽查范围",
            field="codes",
            row=request.keys.index(missing[0]) + 1,
        )
    picks = inspection.draw(graded, model, request)
    made = InspectionPlan(
        number=f"JC{today:%Y%m%d}{secrets.token_hex(4).upper()}",
        title=request.title,
        run_id=found.id,
        seed=request.seed,
        inputs=json.dumps(request.inputs(model), ensure_ascii=False),
        population=len(graded),
        sampled=len(picks),
        actor_label=actor.label[:200],
        created_at=now,
    )
    session.add(made)
    session.flush()
    bulk.insert_rows(
        session,
        InspectionPick,
        [
            {
                "plan_id": made.id,
                "subject_key": p.subject_key,
                "grade": p.grade,
                "frequency": p.frequency,
                "inspectors": json.dumps(list(p.inspectors), ensure_ascii=False),
            }
            for p in picks
        ],
    )
    audit.record(
        session,
        at=now,
        actor=actor,
        action="inspection.plan",
        target_type="inspection_plan",
        target_id=made.number,
        detail={"run": found.id, "seed": request.seed, "population": len(graded), "sampled": len(picks)},
    )
    return made


def plans(session: Session, *, limit: int = 50) -> list[InspectionPlan]:
    return list(session.scalars(select(InspectionPlan).order_by(InspectionPlan.id.desc()).limit(limit)))


def get_plan(session: Session, number: str) -> InspectionPlan:
    found = session.scalar(select(InspectionPlan).where(InspectionPlan.number == number[:32]))
    if found is None:
        raise NotFound("inspection.not_found", f"没有编号为 {number[:32]} 的抽查计划", field="number")
    return found


def sample(session: Session, found: InspectionPlan) -> list[dict[str, Any]]:
    """The subjects drawn, with name, grade, yearly frequency and inspectors (id and name)."""
    names = {i["id"]: i["name"] for i in json.loads(found.inputs)["inspectors"]}
    rows = session.execute(
        select(InspectionPick, Subject.name)
        .join(Subject, Subject.key == InspectionPick.subject_key)
        .where(InspectionPick.plan_id == found.id)
        .order_by(InspectionPick.grade, InspectionPick.subject_key)
    )
    return [
        {
            "code": pick.subject_key,
            "name": name,
            "grade": pick.grade,
            "frequency": pick.frequency,
            "inspectors": [{"id": i, "name": names.get(i, i)} for i in json.loads(pick.inspectors)],
        }
        for pick, name in rows
    ]


SAMPLE_HEADERS = ["序号", "统一社会信用代码/证件号码", "名称", "信用等级", "年度抽查次数", "检查人员"]


def sample_file(session: Session, found: InspectionPlan, format: str) -> tuple[bytes, str, str]:
    if format not in ("csv", "xlsx"):
        raise XinyongError("inspection.format", "导出格式应为 csv 或 xlsx", field="format")
    rows = [
        [
            n,
            s["code"],
            s["name"],
            s["grade"],
            s["frequency"],
            "、".join(f"{i['name']}（{i['id']}）" for i in s["inspectors"]),
        ]
        for n, s in enumerate(sample(session, found), start=1)
    ]
    content, media = report.spreadsheet(SAMPLE_HEADERS, rows, format, "抽查名单")
    return content, media, f"双随机抽查名单-{found.number}.{format}"
