"""What providers send and what they get back."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class RecordsIn(BaseModel):
    item: str = Field(max_length=64, description="目录项代码，如 admin-penalty")
    severity: Literal["minor", "general", "serious"] | None = Field(
        default=None, description="失信程度的默认值（记录本身写明的优先）"
    )
    records: list[dict[str, Any]] = Field(min_length=1, max_length=10_000, description="字段名 → 值")


class RejectOut(BaseModel):
    row: int | None
    field: str | None
    code: str
    message: str


class ImportOut(BaseModel):
    job: int
    accepted: int
    rejected: int
    duplicates: int
    corrected: int = Field(description="再次报送而内容有变、作为更正记为新版本的记录数")
    rejects: list[RejectOut]
    warnings: list[str] = []
