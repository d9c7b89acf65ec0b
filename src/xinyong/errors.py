"""One error type for refused input, shared by rules, services, the CLI and the API.

Every refusal carries a stable machine code (``uscc.checksum``), a Chinese message for people,
and where it applies the field and the row of the input that is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None
    row: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class XinyongError(Exception):
    """Input was refused; ``problem`` says what is wrong and where. ``status`` is its HTTP status."""

    status = 422

    def __init__(self, code: str, message: str, *, field: str | None = None, row: int | None = None):
        super().__init__(f"{code}: {message}")
        self.problem = Problem(code=code, message=message, field=field, row=row)

    @property
    def code(self) -> str:
        return self.problem.code

    @property
    def message(self) -> str:
        return self.problem.message


class Unauthenticated(XinyongError):
    """No valid sign-in or token: the caller must identify itself (HTTP 401)."""

    status = 401


class Forbidden(XinyongError):
    """The caller is known but its role, duty or authorization does not allow this (HTTP 403)."""

    status = 403


class NotFound(XinyongError):
    """What was asked for by name does not exist (HTTP 404)."""

    status = 404


class TooManyAttempts(XinyongError):
    """Too many failed attempts from this address or for this account (HTTP 429)."""

    status = 429


# Chinese wording for the pydantic error types that people meet in settings, profiles and requests.
VALIDATION_MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不是可识别的设置项（拼写错误？）",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "dict_type": "应为表（TOML table）",
    "model_type": "应为表（TOML table）",
    "date_from_datetime_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_parsing": "应为日期，格式 YYYY-MM-DD",
    "date_type": "应为日期，格式 YYYY-MM-DD",
    "greater_than_equal": "不能小于 {ge}",
    "less_than_equal": "不能大于 {le}",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不符合要求（{pattern}）",
    "too_short": "至少需要 {min_length} 项",
    "literal_error": "取值应为 {expected}",
    "enum": "取值应为 {expected}",
    "json_invalid": "不是有效的 JSON",
    "int_parsing_size": "数值超出范围",
    "date_from_datetime_inexact": "应为日期，格式 YYYY-MM-DD",
}


def explain(error: Mapping[str, Any]) -> str:
    """One pydantic error in Chinese; our own validators already raise Chinese ``ValueError`` text."""
    kind = str(error.get("type", ""))
    if "." in kind:  # one of our own codes, raised inside a validator with its Chinese message
        return str(error.get("msg", kind))
    ctx = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    template = VALIDATION_MESSAGES.get(kind)
    if template is None:
        return f"取值无效（{error.get('msg', kind)}）"
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace(" or ", "、").replace(", ", "、")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template
