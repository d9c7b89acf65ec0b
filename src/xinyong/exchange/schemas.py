"""What the exchange API answers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from xinyong.exchange.models import ExchangeWatermark
from xinyong.fields import Moment


class PackageReject(BaseModel):
    file: str = Field(description="交换包中的文件，如 records.jsonl")
    row: int | None = Field(description="该文件的行号")
    field: str | None
    code: str
    message: str


class ImportedOut(BaseModel):
    producer: str = Field(description="发送方平台的机构代码")
    kind: str = Field(description="snapshot（全量）或 increment（增量）")
    watermark: dict[str, str]
    accepted: int
    rejected: int
    duplicates: int
    corrected: int
    removed: int
    unmatched: int = Field(description="要求撤回、但本平台从未收到的记录数")
    jobs: list[int] = Field(description="导入批次编号（每个目录项一个）")
    rejects: list[PackageReject]
    lists: dict[str, int]

    @classmethod
    def of(cls, result: dict[str, Any]) -> ImportedOut:
        return cls.model_validate(result)


class WatermarkOut(BaseModel):
    destination: str
    watermark: str = Field(description="记录版本号:名单步骤号，下一个增量包从此之后开始")
    package: str
    updated_at: Moment

    @classmethod
    def of(cls, row: ExchangeWatermark) -> WatermarkOut:
        return cls(
            destination=row.destination,
            watermark=f"{row.record_version}:{row.list_step}",
            package=row.package,
            updated_at=row.updated_at,
        )
