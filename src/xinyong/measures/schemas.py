"""Credit-check API input and output (CHK-1, CHK-2). The output models document the answer; the routes send
large batches as they were built, without validating 100,000 results a second time."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from xinyong.fields import Moment


class CheckIn(BaseModel):
    codes: list[str] = Field(
        min_length=1,
        description="统一社会信用代码或公民身份号码，一次最多 100,000 个；无效的逐个报告，其余照常审查",
    )
    scenario: str = Field(
        max_length=32, description="审查场景，如 bidding（招标投标）、procurement（政府采购）"
    )
    purpose: str = Field(max_length=64, description="查询目的代码（见 GET /api/v1/purposes），须列明")
    names: dict[str, str] = Field(
        default={}, description="代码 → 名称或姓名（可选）：用于比对证件号码已脱敏的名单信息"
    )


class MembershipOut(BaseModel):
    entry: str = Field(description="名单记录编号")
    list_type: str
    list_name: str
    kind: Literal["red", "black"]
    kind_name: str
    determining: str = Field(description="名单类型的认定单位")
    determining_org: str = Field(description="作出认定或报送的机构代码")
    legal_basis: str = Field(description="设立名单的依据")
    subject_name: str
    entered_on: date | None
    term_end: date | None
    match: Literal["exact", "responsible", "probable"] = Field(
        description="exact 主体本身；responsible 所在组织被列入、本人为责任人员；probable 脱敏信息可能匹配"
    )
    role: str | None = Field(default=None, description="责任人员的角色（match 为 responsible 时）")
    organisation: str | None = Field(default=None, description="被列入的组织（match 为 responsible 时）")
    masked_id: str | None = Field(default=None, description="名单公布的脱敏证件号码（match 为 probable 时）")


class MeasureOut(BaseModel):
    code: str
    kind: Literal["reward", "punishment"]
    matter: str
    means: str
    implementing: str
    legal_basis: str
    target: Literal["subject", "subject_and_responsible"]
    entries: list[str] = Field(description="据以适用的名单记录编号")


class FlagsOut(BaseModel):
    lenient: bool = Field(description="公示期内的失信信息中有适用宽容审慎（从轻、减轻）的")
    objected: bool = Field(description="公示期内的失信信息中有异议处理中的")


class GradeOut(BaseModel):
    grade: str
    label: str
    score: float
    model: str
    model_version: str
    run: int
    grade_id: int
    as_of: str
    objection: str | None = Field(default=None, description="正在办理的对该评价结果的异议案件编号（EVA-4）")
    corrected: bool = Field(default=False, description="评价结果经异议核查后已重新评价")


class ResultOut(BaseModel):
    row: int = Field(description="在请求或文件中的行号")
    code: str
    verdict: Literal["pass", "warn", "intercept"]
    lists: list[MembershipOut]
    measures: list[MeasureOut] = Field(description="该场景适用的措施及其依据")
    negative_records: int = Field(description="公示期内的失信信息条数")
    tolerance: bool | None = Field(
        default=None,
        description="可予容缺受理（COM-3）：未列入严重失信主体名单、不是被列入名单组织的责任人员、"
        "无公示期内的失信信息；作出信用承诺后可享受容缺受理等便利；早于此项的审查记录为空",
    )
    flags: FlagsOut
    reasons: list[str] = Field(description="结论的中文说明")
    grade: GradeOut | None = Field(
        default=None, description="现行的公共信用综合评价等级（CHK-1）；未评价为空"
    )


class RowErrorOut(BaseModel):
    row: int
    field: str | None
    code: str
    message: str
    value: str


class CheckSummaryOut(BaseModel):
    number: str = Field(description="审查编号，也是审查证明的编号")
    at: Moment
    org: str
    department: str
    actor: str
    scenario: str
    scenario_name: str
    purpose: str
    purpose_label: str
    as_of: date
    total: int
    intercepted: int
    warned: int
    passed: int
    invalid: int
    certificate: bool = Field(description="是否已出具审查证明")


class CheckOut(CheckSummaryOut):
    results: list[ResultOut]
    errors: list[RowErrorOut]


class CheckLogOut(BaseModel):
    total: int
    checks: list[CheckSummaryOut]
