"""Reading a shipped or local TOML reference file into its pydantic model, every problem named by its key."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from xinyong.errors import XinyongError, explain

M = TypeVar("M", bound=BaseModel)


def read_model(path: Path, model: type[M], *, code: str, what: str) -> tuple[M, str]:
    """The file as ``model`` and the SHA-256 of its bytes; refused as ``<code>.unreadable`` / ``.invalid``."""
    try:
        raw = path.read_bytes()
        document = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise XinyongError(f"{code}.unreadable", f"{path}：无法读取{what}：{exc}") from exc
    try:
        parsed = model.model_validate(document)
    except ValidationError as exc:
        problems = "；".join(f"{'.'.join(str(p) for p in e['loc'])}：{explain(e)}" for e in exc.errors()[:10])
        raise XinyongError(f"{code}.invalid", f"{path}：{what}有误：{problems}") from exc
    return parsed, hashlib.sha256(raw).hexdigest()
