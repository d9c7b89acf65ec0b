"""Identity verification of subjects signing in (DIS-5), as a pluggable step.

A deployment connects its real-name service (SMS gateway, the government identity platform, an
enterprise's e-licence) by naming a class in ``XINYONG_IDENTITY_VERIFIER`` (``package.module:Class``).
The default, ``log``, is for demonstration only: it writes the one-time code to the server log.
"""

from __future__ import annotations

import importlib
import logging
from typing import Protocol

from xinyong.errors import XinyongError

log = logging.getLogger("xinyong.identity")


class IdentityVerifier(Protocol):
    label: str

    def send(self, *, subject_key: str, name: str, code: str) -> None:
        """Deliver ``code`` to the subject by a channel that proves who it is."""


class LogCodeVerifier:
    label = "演示模式：验证码输出到服务器日志，正式部署须接入实名认证服务"

    def send(self, *, subject_key: str, name: str, code: str) -> None:
        log.warning("【演示】信用主体 %s（%s）的登录验证码：%s（10 分钟内有效）", subject_key, name, code)


def load_verifier(spec: str) -> IdentityVerifier:
    if spec == "log":
        return LogCodeVerifier()
    module_name, _, attr = spec.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise XinyongError(
            "settings.invalid",
            f"XINYONG_IDENTITY_VERIFIER={spec!r} 无法加载：应为 log 或 包.模块:类名（{exc}）",
            field="XINYONG_IDENTITY_VERIFIER",
        ) from exc
    verifier: IdentityVerifier = factory()
    return verifier
