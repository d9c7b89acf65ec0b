"""Tip API shapes. None of the shapes a listing or a case uses has a field for the reporter: only
:class:`ReporterOut`, answered by the audited reporter route, does."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from xinyong.deadlines.models import Deadline
from xinyong.objections.schemas import DueOut  # the one shape of a case step's due date
from xinyong.tips.categories import Category
from xinyong.tips.models import Tip, TipFile, TipReporter, TipStep
from xinyong.tips.service import KINDS, STATUS_LABELS, STEP_LABELS


class CategoryOut(BaseModel):
    code: str
    name: str
    department: str
    org: str
    basis: str

    @classmethod
    def of(cls, category: Category) -> CategoryOut:
        return cls(**category.model_dump())


class FiledOut(BaseModel):
    number: str = Field(description="举报编号")
    code: str = Field(description="查询码：凭编号和查询码查询办理进度，只显示这一次")
    status: str
    status_label: str
    filed_on: date


class TrackIn(BaseModel):
    code: str = Field(max_length=64, description="提交时得到的查询码")


class StepOut(BaseModel):
    step: str
    label: str
    on: date
    text: str

    @classmethod
    def of(cls, step: TipStep) -> StepOut:
        return cls(step=step.step, label=STEP_LABELS.get(step.step, step.step), on=step.on, text=step.text)


class TrackOut(BaseModel):
    """What the reporter sees: the status, the dates and the answer; not who handles it internally."""

    number: str
    kind_label: str
    status: str
    status_label: str
    filed_on: date
    answer: str | None
    answered_on: date | None
    answer_document: str | None
    steps: list[tuple[date, str]]

    @classmethod
    def of(cls, tip: Tip, steps: list[TipStep], document: TipFile | None) -> TrackOut:
        return cls(
            number=tip.number,
            kind_label=KINDS[tip.kind],
            status=tip.status,
            status_label=STATUS_LABELS[tip.status],
            filed_on=tip.filed_on,
            answer=tip.answer,
            answered_on=tip.answered_on,
            answer_document=document.filename if document is not None else None,
            steps=[(s.on, STEP_LABELS.get(s.step, s.step)) for s in steps],
        )


class FileOut(BaseModel):
    role: str
    filename: str
    media_type: str
    size: int
    sha256: str


class TipOut(BaseModel):
    number: str
    kind: str
    kind_label: str
    category: str
    subject: str | None
    subject_name: str | None
    facts: str
    org: str
    status: str
    status_label: str
    filed_on: date
    answer: str | None
    answered_on: date | None
    steps: list[StepOut]
    deadlines: list[DueOut]
    files: list[FileOut]

    @classmethod
    def of(cls, tip: Tip, steps: list[TipStep], dues: list[Deadline], files: list[TipFile]) -> TipOut:
        return cls(
            number=tip.number,
            kind=tip.kind,
            kind_label=KINDS[tip.kind],
            category=tip.category,
            subject=tip.subject_key,
            subject_name=tip.subject_name,
            facts=tip.facts,
            org=tip.org_code,
            status=tip.status,
            status_label=STATUS_LABELS[tip.status],
            filed_on=tip.filed_on,
            answer=tip.answer,
            answered_on=tip.answered_on,
            steps=[StepOut.of(s) for s in steps],
            deadlines=[DueOut.of(d) for d in dues],
            files=[
                FileOut(
                    role=f.role, filename=f.filename, media_type=f.media_type, size=f.size, sha256=f.digest
                )
                for f in files
            ],
        )


class ReporterOut(BaseModel):
    anonymous: bool
    name: str | None
    contact: str | None

    @classmethod
    def of(cls, kept: TipReporter) -> ReporterOut:
        return cls(anonymous=kept.anonymous, name=kept.name, contact=kept.contact)


class RouteIn(BaseModel):
    org: str = Field(max_length=64, description="改派到的机构代码")
    text: str = Field(max_length=4000, description="改派理由")


class RefuseIn(BaseModel):
    text: str = Field(max_length=4000, description="不予受理的理由")
