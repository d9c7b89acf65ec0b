"""What the market API takes and gives: consents, submissions, the agency registry, providers' grants."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

from xinyong.fields import IsoDate, Moment
from xinyong.market.models import AgencyGrant, Consent
from xinyong.market.registry import Listed


class ConsentOut(BaseModel):
    number: str
    subject: str
    collector: str
    kinds: list[str] = Field(description="可采集的信息种类（代码，见 data/market.toml）")
    method: str
    use: str
    told: list[str] = Field(description="同意书载明已告知信用主体的事项")
    valid_until: IsoDate
    recorded_by: str = Field(description="subject 信用主体在线同意；collector 采集单位上传签署的同意书")
    document: str | None = Field(description="签署的同意书文件名（采集单位上传时）")
    created_at: Moment
    revoked_at: Moment | None

    @classmethod
    def of(cls, row: Consent) -> ConsentOut:
        return cls(
            number=row.number,
            subject=row.subject_key,
            collector=row.collector,
            kinds=json.loads(row.kinds),
            method=row.method,
            use=row.use,
            told=json.loads(row.told),
            valid_until=row.valid_until,
            recorded_by=row.recorded_by,
            document=row.document_name,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )


class MarketRecordsIn(BaseModel):
    records: list[dict[str, Any]] = Field(
        min_length=1, max_length=10_000, description="字段名 → 值；每条须写明采集同意书编号 consent"
    )


class AgencyIn(BaseModel):
    org: str = Field(
        max_length=64, description="信用服务机构的机构代码（机构类型 agency，已登记统一社会信用代码）"
    )
    filing_number: str = Field(max_length=64, description="登记备案编号")
    registered_on: IsoDate
    business_scope: str = Field(max_length=500)
    commitment: str = Field(max_length=4000, description="信用服务机构的信用承诺（JN 45）")


class AgencyOut(BaseModel):
    org: str
    name: str
    uscc: str
    filing_number: str
    registered_on: IsoDate
    business_scope: str
    commitment: str
    status: str
    status_label: str
    status_reason: str | None
    status_since: date

    @classmethod
    def of(cls, found: Listed) -> AgencyOut:
        row = found.agency
        return cls(
            org=row.org_code,
            name=found.name,
            uscc=row.uscc,
            filing_number=row.filing_number,
            registered_on=row.registered_on,
            business_scope=row.business_scope,
            commitment=row.commitment,
            status=row.status,
            status_label=found.status_label,
            status_reason=row.status_reason,
            status_since=row.status_since,
        )


class StatusIn(BaseModel):
    status: Literal["active", "suspended", "cancelled"]
    reason: str = Field(default="", max_length=500)


class ProviderGrantIn(BaseModel):
    agency: str = Field(max_length=64, description="信用服务机构的机构代码")
    items: list[str] = Field(min_length=1, max_length=50, description="本单位报送的目录项代码")
    valid_until: IsoDate


class ProviderGrantOut(BaseModel):
    number: str
    provider: str
    agency: str
    items: list[str]
    valid_until: IsoDate
    created_at: Moment
    revoked_at: Moment | None

    @classmethod
    def of(cls, row: AgencyGrant) -> ProviderGrantOut:
        return cls(
            number=row.number,
            provider=row.provider,
            agency=row.agency,
            items=json.loads(row.items),
            valid_until=row.valid_until,
            created_at=row.created_at,
            revoked_at=row.revoked_at,
        )
