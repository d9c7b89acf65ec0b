"""The shape of a jurisdiction profile: every rule that differs between jurisdictions (PROF-1).

A profile file sets values; each value names the article it comes from (``basis``). Where a regulation
only says 及时 (promptly) or is silent, the profile still needs a number to run on: it sets one and marks
it ``chosen = true`` so no page presents an operator's choice as law.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_serializer, model_validator

Severity = Literal["minor", "general", "serious"]
SEVERITIES: tuple[Severity, ...] = ("minor", "general", "serious")
SEVERITY_LABELS: dict[Severity, str] = {"minor": "轻微失信", "general": "一般失信", "serious": "严重失信"}

PeriodStart = Literal["decision_date", "behaviour_end", "determination_date"]
PERIOD_START_LABELS: dict[PeriodStart, str] = {
    "decision_date": "决定日期",
    "behaviour_end": "失信行为终止之日",
    "determination_date": "失信行为认定之日",
}

DisclosureMode = Literal["public", "shared", "duty", "real_name", "authorized"]
Domain = Literal["food", "drug", "special_equipment", "work_safety", "fire"]

ObjectionStep = Literal[
    "handle",  # the receiving unit handles the objection alone and answers (JN 40: 3)
    "handle_with_verification",  # other units must help verify (JN 40: 7)
    "check",  # the platform checks the application before referring it (LN 37: 3)
    "review",  # the platform and the provider together complete the review, from receipt (JS-P 32: 10)
    "own_error_notice",  # an error of the platform's own: corrected at once, applicant told (LN 37: 2)
    "provider_reply",  # the provider verifies and replies to the platform (LN 37: 5; JS-P 32: 5)
    "result_notice",  # the applicant is told in writing after the provider's reply (LN 37: 2)
    "correction",  # a confirmed error is corrected and republished (JS-P 32: 3)
]

STEP_LABELS: dict[str, str] = {
    "handle": "本单位审核处理并告知",
    "handle_with_verification": "需其他单位协助核查的处理并告知",
    "check": "平台核查/审核",
    "review": "平台与提供单位完成审核（自收到申请起）",
    "own_error_notice": "平台自身原因错误：更正并告知申请人",
    "provider_reply": "提供单位核实回复",
    "result_notice": "收到回复后书面告知申请人",
    "correction": "确有错误的修正并更正发布",
}
DOMAIN_LABELS: dict[Domain, str] = {
    "food": "食品",
    "drug": "药品",
    "special_equipment": "特种设备",
    "work_safety": "安全生产",
    "fire": "消防",
}
MODE_LABELS: dict[str, str] = {
    "public": "公开",
    "shared": "政务共享",
    "duty": "依职权查询",
    "real_name": "实名认证查询",
    "authorized": "授权查询",
}

_SPAN = re.compile(r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<days>\d+)D)?$")

T = TypeVar("T")


V = TypeVar("V")


def _every_severity(by_severity: dict[Severity, V]) -> dict[Severity, V]:
    missing = [s for s in SEVERITIES if s not in by_severity]
    if missing:
        raise ValueError(f"缺少失信等级：{'、'.join(missing)}")
    return by_severity


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Span(_Strict):
    """A calendar length such as 3 months or 5 years, written in profiles as ISO 8601 (``P3M``, ``P5Y``)."""

    years: int = Field(default=0, ge=0)
    months: int = Field(default=0, ge=0)
    days: int = Field(default=0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _SPAN.match(value.strip().upper())
            if not match or value.strip().upper() == "P":
                raise ValueError(f"期限格式应为 ISO 8601，如 P3M、P1Y、P5D，实际为 {value!r}")
            return {k: int(v) for k, v in match.groupdict().items() if v is not None}
        return value

    @model_serializer
    def _iso(self) -> str:
        return self.iso()

    def iso(self) -> str:
        parts = [(self.years, "Y"), (self.months, "M"), (self.days, "D")]
        text = "".join(f"{n}{unit}" for n, unit in parts if n)
        return "P" + (text or "0D")

    def label(self) -> str:
        parts = [(self.years, "年"), (self.months, "个月"), (self.days, "日")]
        return "".join(f"{n}{unit}" for n, unit in parts if n) or "0日"

    def key(self) -> tuple[int, int]:
        """Orders spans by length (months, days); used to compare caps."""
        return (self.years * 12 + self.months, self.days)


# Bounds that catch a mistyped profile, not legal limits.
WorkingDays = Annotated[int, Field(ge=1, le=365)]
OptionalWorkingDays = Annotated[int, Field(ge=0, le=365)]
Keep = Annotated[int, Field(ge=0, le=64)]
Age = Annotated[int, Field(ge=0, le=18)]


class Setting(_Strict, Generic[T]):
    """One value with the article it comes from."""

    value: T
    basis: str = Field(min_length=1)
    chosen: bool = False

    def label(self) -> str:
        return f"{self.basis}（运营方设定，非该法规规定）" if self.chosen else self.basis


class TierRule(_Strict):
    """Publicity of one severity under one regime: whether published, earliest repair, longest publicity."""

    published: bool = True
    min: Span
    max: Span

    @model_validator(mode="after")
    def _min_not_after_max(self) -> TierRule:
        if self.min.key() > self.max.key():
            raise ValueError(f"最短公示期 {self.min.label()} 长于最长公示期 {self.max.label()}")
        return self


class PublicityRegime(_Strict):
    """The national rule in force for records decided on or after ``effective_from``."""

    effective_from: date
    basis: str = Field(min_length=1)
    tiers: dict[Severity, TierRule]
    special_domains: list[Domain] = []
    special_min: Span | None = None

    @field_validator("tiers")
    @classmethod
    def _all_tiers(cls, tiers: dict[Severity, TierRule]) -> dict[Severity, TierRule]:
        return _every_severity(tiers)

    @model_validator(mode="after")
    def _domains_need_a_minimum(self) -> PublicityRegime:
        if bool(self.special_domains) != (self.special_min is not None):
            raise ValueError("special_domains 与 special_min 须同时设置")
        return self


class LocalPeriod(_Strict):
    """A jurisdiction's own longest public period, counted from its own start date (JN 22, JS-P 30)."""

    runs_from: PeriodStart
    max: dict[Severity, Span]
    basis: str = Field(min_length=1)

    @field_validator("max")
    @classmethod
    def _all_tiers(cls, caps: dict[Severity, Span]) -> dict[Severity, Span]:
        return _every_severity(caps)


class Publicity(_Strict):
    regimes: list[PublicityRegime] = Field(min_length=1)
    local: LocalPeriod | None = None
    retention: Setting[Span] = Field(description="公示期满后档案保存期限（目录项未规定时）")

    @field_validator("regimes")
    @classmethod
    def _sorted(cls, regimes: list[PublicityRegime]) -> list[PublicityRegime]:
        return sorted(regimes, key=lambda r: r.effective_from)


class Objection(_Strict):
    mark_suspends_publicity: Setting[bool] = Field(description="异议标注期间暂停公示")
    deadlines: dict[ObjectionStep, Setting[WorkingDays]] = Field(description="异议办理时限（工作日）")
    pause_for: Setting[list[str]] = Field(description="不计入办理时限的事项")


class Revocation(_Strict):
    provider_notice_days: Setting[WorkingDays] = Field(description="提供单位告知平台时限（工作日）")
    platform_apply_days: Setting[WorkingDays] = Field(description="平台撤销或变更时限（工作日）")


class Repair(_Strict):
    clean_period: Setting[Span] = Field(description="纠正后未再发生同类失信的期间")
    publicity_days: Setting[OptionalWorkingDays] = Field(description="修复意见公示期（工作日）")
    requires_commitment: Setting[bool] = Field(description="须作出信用承诺")
    opinion_days: Setting[WorkingDays] = Field(description="提供单位提出书面修复意见时限（工作日）")


class Cases(_Strict):
    remind_before_days: Setting[OptionalWorkingDays] = Field(
        description="异议、撤销、修复各办理环节到期前提醒（工作日）"
    )


class Leniency(_Strict):
    minor_age: Setting[Age] = Field(description="未成年人宽容审慎认定起始年龄（周岁）")


class Lists(_Strict):
    removed_key_monitoring: Setting[Span] = Field(description="移出严重失信主体名单后重点监测期限")
    defence_days: Setting[WorkingDays] = Field(description="列入严重失信主体名单前陈述申辩期限（工作日）")
    red_publicity_days: Setting[WorkingDays] = Field(description="红名单公示期（工作日）")
    response_days: Setting[WorkingDays] = Field(description="联合奖惩实施部门响应时限（工作日）")


class Disclosure(_Strict):
    modes: Setting[list[DisclosureMode]] = Field(description="披露方式")
    authorization_max: Setting[Span] = Field(description="信用主体一次授权的最长期限（DIS-4）")
    special_report_max: Setting[Span] = Field(description="专项信用报告可选的最长查询期间（DIS-10）")


class Market(_Strict):
    consent_max: Setting[Span] = Field(description="信用主体一次采集同意的最长期限（MKT-1）")
    provider_grant_max: Setting[Span] = Field(
        description="信息提供单位一次授权信用服务机构的最长期限（MKT-3）"
    )


class Masking(_Strict):
    """How the public portal de-identifies natural persons (DATA-3): how much of each value stays visible."""

    name_keep_start: Setting[Keep] = Field(description="姓名保留前几个字")
    citizen_id_keep_start: Setting[Keep] = Field(description="身份证号保留前几位")
    citizen_id_keep_end: Setting[Keep] = Field(description="身份证号保留后几位")
    phone_keep_start: Setting[Keep] = Field(description="手机号保留前几位")
    phone_keep_end: Setting[Keep] = Field(description="手机号保留后几位")
    address_keep_start: Setting[Keep] = Field(description="地址保留前几个字")


class Timeliness(_Strict):
    double_publicity_days: Setting[WorkingDays] = Field(description="“双公示”信息上网时限（工作日）")


class Tips(_Strict):
    accept_days: Setting[WorkingDays] = Field(description="举报投诉转交后主管部门受理时限（工作日）")
    answer_days: Setting[WorkingDays] = Field(description="举报投诉受理后办理并答复时限（工作日）")


class Profile(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str = Field(min_length=1)
    extends: str | None = None
    sources: list[str] = []
    publicity: Publicity = Field(description="公示期限")
    objection: Objection = Field(description="异议")
    revocation: Revocation = Field(description="撤销")
    repair: Repair = Field(description="信用修复")
    cases: Cases = Field(description="办理时限提醒")
    leniency: Leniency = Field(description="宽容审慎")
    lists: Lists = Field(description="名单")
    disclosure: Disclosure = Field(description="信息披露")
    market: Market = Field(description="市场信用信息与信用服务机构")
    masking: Masking = Field(description="脱敏")
    timeliness: Timeliness = Field(description="时效")
    tips: Tips = Field(description="举报投诉")
