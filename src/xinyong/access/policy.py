"""Roles, permissions, information grades and query purposes, read from ``data/access.toml`` (SEC-3).

Authorization is data: routes name a permission, the policy says which roles hold it. Nothing in the code
asks "is this an operator?"; it asks the policy.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from xinyong.errors import XinyongError, explain

POLICY_FILE = Path(__file__).parent.parent / "data" / "access.toml"

OrgKind = Literal["operator", "provider", "determining", "user", "agency", "court", "platform", "collector"]
ORG_KIND_LABELS: dict[str, str] = {
    "operator": "公共信用信息工作机构",
    "provider": "信息提供单位",
    "determining": "认定单位",
    "user": "信息使用单位",
    "agency": "信用服务机构",
    "court": "人民法院",
    "platform": "上级信用平台",
    "collector": "市场信用信息采集单位",  # industry associations, chambers of commerce, enterprises (LN 13)
}
Grade = Literal["public", "shared", "authorized", "subject_only"]
Mode = Literal["public", "shared", "authorized", "self"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Role(_Strict):
    label: str = Field(min_length=1)
    org_kinds: list[OrgKind]
    permissions: list[str] = Field(min_length=1)


class GradeRule(_Strict):
    label: str = Field(min_length=1)
    modes: list[Mode] = Field(min_length=1)


class ModeRule(_Strict):
    roles: list[str]


class Purpose(_Strict):
    label: str = Field(min_length=1)
    roles: list[str] = Field(min_length=1)


class Reads(_Strict):
    permissions: list[str] = Field(min_length=1)


class Policy(_Strict):
    roles: dict[str, Role]
    grades: dict[Grade, GradeRule]
    modes: dict[Literal["shared"], ModeRule]
    purposes: dict[str, Purpose]
    reads: Reads

    @model_validator(mode="after")
    def _references_exist(self) -> Policy:
        for needed in ("public", "subject"):
            if needed not in self.roles:
                raise ValueError(f"缺少角色 {needed}")
        named = [*self.modes["shared"].roles, *(r for p in self.purposes.values() for r in p.roles)]
        unknown = sorted(set(named) - set(self.roles))
        if unknown:
            raise ValueError(f"引用了未定义的角色：{'、'.join(unknown)}")
        return self

    def permissions(self, roles: frozenset[str]) -> frozenset[str]:
        return frozenset(p for role in roles for p in self.roles[role].permissions)

    def all_permissions(self) -> frozenset[str]:
        return self.permissions(frozenset(self.roles))

    def role_fits(self, role: str, kind: OrgKind) -> bool:
        return role in self.roles and kind in self.roles[role].org_kinds

    def check_role(self, role: str, kind: OrgKind) -> None:
        if role not in self.roles or role in ("public", "subject"):
            known = "、".join(r for r in self.roles if r not in ("public", "subject"))
            raise XinyongError("access.unknown_role", f"未知的角色 {role!r}；可选：{known}", field="role")
        if not self.role_fits(role, kind):
            raise XinyongError(
                "access.role_not_for_org",
                f"{ORG_KIND_LABELS[kind]}的账号不能担任“{self.roles[role].label}”",
                field="role",
            )

    def purpose(self, code: str | None, roles: frozenset[str]) -> Purpose:
        """The purpose a department's non-public read names; refused when missing or not one of its own."""
        if not code:
            raise XinyongError(
                "access.purpose_required", "查询非公开信息须列明查询目的（purpose）", field="purpose"
            )
        found = self.purposes.get(code)
        if found is None:
            known = "、".join(f"{k}（{p.label}）" for k, p in self.purposes.items())
            raise XinyongError(
                "access.purpose_unknown", f"未知的查询目的 {code!r}；可选：{known}", field="purpose"
            )
        if not roles & set(found.roles):
            raise XinyongError(
                "access.purpose_not_allowed",
                f"查询目的“{found.label}”不在本账号的职责范围内",
                field="purpose",
            )
        return found


def load_policy(path: Path = POLICY_FILE) -> Policy:
    try:
        with path.open("rb") as fh:
            return Policy.model_validate(tomllib.load(fh))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise XinyongError("policy.invalid", f"{path}：无法读取：{exc}") from exc
    except ValidationError as exc:
        problems = "；".join(f"{'.'.join(str(p) for p in e['loc'])}：{explain(e)}" for e in exc.errors())
        raise XinyongError("policy.invalid", f"{path}：{problems}") from exc


@lru_cache(maxsize=1)
def policy() -> Policy:
    return load_policy()
