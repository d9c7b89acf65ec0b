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

from sqlalchemy import FromClause, func, outerjoin, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from xinyong.access.gate import Gate, Info
from xinyong.audit import service as audit
from xinyong.audit.service import AuditActor
from xinyong.db import bulk
from xinyong.disclosure import service as disclosure
from xinyong.errors import NotFound, XinyongError
from xinyong.evaluation import inspection, loading, scoring
from xinyong.evaluation.models import (
    EvaluationGrade,
    EvaluationReview,
    EvaluationRun,
    InspectionPick,
    InspectionPlan,
)
from xinyong.evaluation.schema import EvaluationModel
from xinyong.lists import service as lists
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
        rules = scoring.basis(
            session, model=model, as_of=as_of, states=states, types=lists.list_types(data_dir)
        )
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
def _reviews(session: Session, grade_ids: Sequence[int]) -> dict[int, list[EvaluationReview]]:
    """The objection reviews of each of these grades, oldest first (EVA-4)."""
    found: dict[int, list[EvaluationReview]] = {}
    if grade_ids:
        query = select(EvaluationReview).where(EvaluationReview.grade_id.in_(grade_ids))
        for review in session.scalars(query.order_by(EvaluationReview.id)):
            found.setdefault(review.grade_id, []).append(review)
    return found


def _corrected() -> tuple[Any, Any]:
    """For set-based reads: the latest correction of each grade, to outer-join, and the standing grade
    letter and score as SQL expressions (the run's unless an objection corrected it)."""
    latest = (
        select(EvaluationReview.grade_id, func.max(EvaluationReview.id).label("id"))
        .where(EvaluationReview.status == "corrected")
        .group_by(EvaluationReview.grade_id)
        .subquery()
    )
    review = aliased(EvaluationReview)
    joined = outerjoin(EvaluationGrade, latest, latest.c.grade_id == EvaluationGrade.id).outerjoin(
        review, review.id == latest.c.id
    )
    columns = (
        func.coalesce(review.grade, EvaluationGrade.grade).label("grade"),
        func.coalesce(review.score, EvaluationGrade.score).label("score"),
    )
    return joined, columns


@dataclass(frozen=True)
class Standing:
    """A grade as it stands: as the run gave it or as an objection last corrected it (EVA-4), with the
    number of an objection still being handled against it."""

    run: EvaluationRun
    grade: EvaluationGrade
    reviews: tuple[EvaluationReview, ...] = ()

    @property
    def correction(self) -> EvaluationReview | None:
        return next((r for r in reversed(self.reviews) if r.status == "corrected"), None)

    @property
    def score(self) -> int:
        found = self.correction
        return found.score if found is not None and found.score is not None else self.grade.score

    @property
    def letter(self) -> str:
        found = self.correction
        return found.grade if found is not None and found.grade else self.grade.grade

    @property
    def objection(self) -> str | None:
        return next((r.objection for r in self.reviews if r.status == "open"), None)

    def summary(self) -> dict[str, Any]:
        """The grade as credit checks and pages show it."""
        band = next(b for b in model_of(self.run.model).bands if b.grade == self.letter)
        return {
            "grade": self.letter,
            "label": band.label,
            "score": self.score / 100,
            "model": self.run.model_code,
            "model_version": self.run.model_version,
            "run": self.run.id,
            "grade_id": self.grade.id,
            "as_of": self.run.as_of.isoformat(),
            "objection": self.objection,
            "corrected": self.correction is not None,
        }


def current_grades(session: Session, keys: FromClause, on: date) -> dict[str, dict[str, Any]]:
    """The current grade as of ``on`` of each subject among ``keys`` (a one-column table ``value``), CHK-1."""
    found = current_run(session, on)
    if found is None:
        return {}
    rows = list(
        session.scalars(
            select(EvaluationGrade).where(
                EvaluationGrade.run_id == found.id, EvaluationGrade.subject_key.in_(select(keys.c.value))
            )
        )
    )
    reviews = _reviews(session, [row.id for row in rows])
    return {row.subject_key: Standing(found, row, tuple(reviews.get(row.id, ()))).summary() for row in rows}


def grade_of(session: Session, subject_key: str, on: date) -> Standing | None:
    found = current_run(session, on)
    if found is None:
        return None
    row = session.scalar(
        select(EvaluationGrade).where(
            EvaluationGrade.run_id == found.id, EvaluationGrade.subject_key == subject_key
        )
    )
    if row is None:
        return None
    return Standing(found, row, tuple(_reviews(session, [row.id]).get(row.id, ())))


def _basis(session: Session, run_: EvaluationRun, types: lists.ListTypes) -> scoring.Basis:
    """The model and day of a run, with the record states it counted: what a recomputation rests on."""
    return scoring.basis(
        session,
        model=model_of(run_.model),
        as_of=run_.as_of,
        states=tuple(json.loads(run_.states)),
        types=types,
    )


@dataclass(frozen=True)
class Explained:
    standing: Standing
    explanation: scoring.Explanation

    @property
    def consistent(self) -> bool:
        """Whether recomputing now gives the stored score: records changed since the run make it differ."""
        return self.explanation.score == self.standing.score


def explain(session: Session, *, subject_key: str, on: date, data_dir: Path) -> Explained:
    """The current grade of a subject, recomputed record by record from the model and day of its run."""
    found = grade_of(session, subject_key, on)
    if found is None:
        raise NotFound("evaluation.not_evaluated", "该主体尚无公共信用综合评价结果", field="code")
    rules = _basis(session, found.run, lists.list_types(data_dir))
    return Explained(found, scoring.explain(session, rules, subject_key))


# ------------------------------------------------------------------------------------------- objections
def objected(session: Session, *, grade_id: int, subject_key: str, on: date) -> Standing:
    """The subject's own current grade, which an objection may be against (EVA-4); an earlier run's grade
    or another subject's is not found, whether it exists or not."""
    found = grade_of(session, subject_key, on)
    if found is None or found.grade.id != grade_id:
        raise NotFound("evaluation.grade_not_found", f"您当前的评价结果中没有编号 {grade_id}", field="target")
    return found


def mark_objection(session: Session, *, found: Standing, objection: str, now: datetime) -> None:
    """Mark the grade at once: pages and credit checks show that an objection is being handled."""
    session.add(
        EvaluationReview(
            grade_id=found.grade.id,
            subject_key=found.grade.subject_key,
            objection=objection,
            status="open",
            opened_at=now,
        )
    )
    session.flush()


def close_objection(
    session: Session,
    *,
    objection: str,
    corrected: bool,
    reason: str,
    types: lists.ListTypes,
    actor: AuditActor,
    now: datetime,
) -> EvaluationReview:
    """Answer an objection to a grade: upheld, the grade stands and the mark goes; found improper, the
    subject is graded again by the run's own model and day on the records as they now stand (those the
    objection showed wrong were corrected or deleted through their own versions). The grade row is kept."""
    review = session.scalars(
        select(EvaluationReview).where(
            EvaluationReview.objection == objection, EvaluationReview.status == "open"
        )
    ).one()
    grade = session.get_one(EvaluationGrade, review.grade_id)
    run_ = session.get_one(EvaluationRun, grade.run_id)
    review.status, review.reason, review.closed_at = ("corrected" if corrected else "confirmed"), reason, now
    if corrected:
        rules = _basis(session, run_, types)
        review.score, values = scoring.score(
            rules.model,
            scoring.counts(session, rules, grade.subject_key, grade.subject_key).get(grade.subject_key, {}),
        )
        review.grade = rules.model.band(review.score).grade
        review.values = json.dumps(values, separators=(",", ":"))
    audit.record(
        session,
        at=now,
        actor=actor,
        action="evaluation.objection_closed",
        target_type="evaluation_grade",
        target_id=str(grade.id),
        detail={
            "objection": objection,
            "status": review.status,
            "before": {"score": grade.score, "grade": grade.grade},
            "after": {"score": review.score, "grade": review.grade} if corrected else None,
        },
    )
    return review


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
    return found.summary() if found else None


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
    joined, standing = _corrected()
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
        for key, name, grade, score in session.execute(
            select(EvaluationGrade.subject_key, Subject.name, *standing)
            .select_from(joined)
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
    joined, (letter, _) = _corrected()
    query = (
        select(EvaluationGrade.subject_key, letter)
        .select_from(joined)
        .where(EvaluationGrade.run_id == found.id)
    )
    if request.grades:
        query = query.where(letter.in_(request.grades))
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
