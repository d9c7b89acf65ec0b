"""Repair and interview API shapes."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from xinyong.fields import IsoDate
from xinyong.records.models import MAX_ID
from xinyong.repair import service
from xinyong.repair.models import Interview, RepairCase, RepairObjection


class OpinionIn(BaseModel):
    agrees: bool
    text: str = Field(max_length=4000, description="书面意见：同意或不同意的理由")


class ObjectionIn(BaseModel):
    text: str = Field(max_length=4000)
    contact: str = Field(max_length=200, description="异议人姓名和联系方式")


class VerifyIn(BaseModel):
    upheld: bool = Field(description="异议经核实是否成立")
    finding: str = Field(max_length=4000)


class RefuseIn(BaseModel):
    reasons: str = Field(max_length=4000)


class InterviewIn(BaseModel):
    record: int = Field(ge=1, le=MAX_ID)
    kind: str = Field(max_length=16, description="reminder（提示约谈）或 warning（警示约谈）")
    held_on: IsoDate
    department: str = Field(max_length=200)
    content: str = Field(max_length=4000)
    outcome: str = Field(max_length=4000)


class InterviewOut(BaseModel):
    number: str
    record: int
    kind: str
    kind_label: str
    held_on: IsoDate
    department: str
    content: str
    outcome: str

    @classmethod
    def of(cls, row: Interview) -> InterviewOut:
        return cls(
            number=row.number,
            record=row.record_id,
            kind=row.kind,
            kind_label=service.INTERVIEW_KINDS[row.kind],
            held_on=row.held_on,
            department=row.department,
            content=row.content,
            outcome=row.outcome,
        )


class ObjectionOut(BaseModel):
    received_on: date
    text: str
    verified_on: date | None
    upheld: bool | None
    finding: str | None

    @classmethod
    def of(cls, row: RepairObjection) -> ObjectionOut:
        return cls(
            received_on=row.received_on,
            text=row.text,
            verified_on=row.verified_on,
            upheld=row.upheld,
            finding=row.finding,
        )


class NoticeOut(BaseModel):
    """A case in publicity as the public sees it."""

    number: str
    name: str
    key: str
    item: str
    document: str | None
    opinion: str
    publicity_until: date


class CaseOut(BaseModel):
    number: str
    record: int
    subject: str
    provider: str
    status: str
    status_label: str
    ways: list[str]
    corrected_on: date
    commitment: str | None
    reorganization_ruling: str | None
    filed_on: date
    agrees: bool | None
    opinion: str | None
    opinion_on: date | None
    publicity_until: date | None
    decided_on: date | None
    reasons: str | None
    fee: int = Field(0, description="信用修复不收取任何费用")
    files: list[str]
    objections: list[ObjectionOut]
    interviews: list[InterviewOut]

    @classmethod
    def of(
        cls,
        case: RepairCase,
        files: list[str],
        objections: list[RepairObjection],
        interviews: list[Interview],
    ) -> CaseOut:
        return cls(
            number=case.number,
            record=case.record_id,
            subject=case.subject_key,
            provider=case.provider,
            status=case.status,
            status_label=service.STATUS_LABELS[case.status],
            ways=service.ways_of(case),
            corrected_on=case.corrected_on,
            commitment=case.commitment,
            reorganization_ruling=case.reorganization_ruling,
            filed_on=case.filed_on,
            agrees=case.agrees,
            opinion=case.opinion,
            opinion_on=case.opinion_on,
            publicity_until=case.publicity_until,
            decided_on=case.decided_on,
            reasons=case.reasons,
            files=files,
            objections=[ObjectionOut.of(o) for o in objections],
            interviews=[InterviewOut.of(i) for i in interviews],
        )
