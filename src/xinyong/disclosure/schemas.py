"""What the disclosure API answers: subjects found, records shown, authorizations."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from xinyong.fields import Moment


class SubjectOut(BaseModel):
    code: str = Field(description="主体代码；自然人的证件号码按脱敏规则显示")
    name: str
    kind: str


class SearchOut(BaseModel):
    total: int
    subjects: list[SubjectOut]


class VersionOut(BaseModel):
    version: int
    state: str
    procedure: str
    reason: str
    actor: str
    at: Moment


class RecordOut(BaseModel):
    id: int
    item: str
    item_name: str
    category: str
    provider: str
    document_number: str | None
    decision_date: date | None
    public_until: date | None
    state: str
    mode: str = Field(description="本次可见的依据：public 公开、shared 政务共享、authorized 授权、self 本人")
    authorization: str | None = Field(description="依授权查询时的授权编号")
    data: dict[str, Any]
    self_declared: str | None = Field(
        default=None, description="自行申报的信息带此标注：主体自行申报，申报人对其真实性负责（MKT-2）"
    )
    versions: list[VersionOut] | None = Field(default=None, description="仅信用主体本人查询时列出全部版本")


class SubjectRecordsOut(BaseModel):
    subject: SubjectOut
    records: list[RecordOut]


class GrantOut(BaseModel):
    number: str
    grantee: str | None
    grantee_name: str
    items: list[str]
    purpose: str
    valid_until: date
    created_at: Moment
    revoked_at: Moment | None


class ReportCheckOut(BaseModel):
    number: str
    kind: str
    title: str
    as_of: date
    issued_at: Moment
    subject: SubjectOut | None = Field(description="报告所涉信用主体；信用审查证明涉及一批主体，为空")
    digest: str = Field(description="出具时报告文件的 SHA-256 摘要")
    file_matches: bool | None = Field(default=None, description="上传的文件与出具时是否一致（仅上传核验时）")
