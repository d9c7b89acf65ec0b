"""Reading evaluation model files: the shipped national base model, then the deployment's own models
(EVA-1). A file that is not a valid model stops start-up with every problem named by its file and line;
TOML readers give no line numbers for values, so the line of the key in question is found in the text.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import ValidationError

from xinyong.catalog import service as catalog
from xinyong.errors import NotFound, XinyongError, explain
from xinyong.evaluation.schema import EvaluationModel, KeyPath, problems
from xinyong.lists import service as lists

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "evaluation"
_KEY = re.compile(r"""^\s*(?:"([^"]+)"|([A-Za-z0-9_-]+))\s*=""")
_TABLE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]")


def line_of(text: str, path: KeyPath) -> int | None:
    """The line (from 1) of the key that ``path`` names: a top-level key, the ``index``-th ``[[table]]``, or
    a key inside it; the table's header when the key is not written (a missing key)."""
    table, index, key = _parts(path)
    seen = -1
    inside = table is None
    header: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        opened = _TABLE.match(line)
        if opened:
            if table is None:
                return None
            if opened.group(2) == table and opened.group(1) == "[[":
                seen += 1
            inside = opened.group(2) == table and seen == index
            if inside:
                header = number
                if key is None:
                    return number
            elif header is not None:
                return header
            continue
        found = _KEY.match(line)
        if inside and found and (found.group(1) or found.group(2)) == key:
            return number
    return header


def _parts(path: KeyPath) -> tuple[str | None, int | None, str | None]:
    if len(path) >= 2 and isinstance(path[1], int):
        key = path[2] if len(path) > 2 and isinstance(path[2], str) else None
        return str(path[0]), path[1], key
    return None, None, str(path[0]) if path else None


def _refused(path: Path, text: str, found: list[tuple[KeyPath, str]]) -> XinyongError:
    located = [(line_of(text, where), where, message) for where, message in found]
    said = "；".join(
        f"第 {line or '?'} 行（{'.'.join(map(str, where))}）：{message}" for line, where, message in located
    )
    first_line, first_where, _ = located[0]
    return XinyongError(
        "evaluation.invalid",
        f"{path}：评价模型有误：{said}",
        field=".".join(map(str, first_where)),
        row=first_line,
    )


def read(path: Path, items: frozenset[str], list_types: frozenset[str]) -> tuple[EvaluationModel, str]:
    """One model file, checked; refused with each problem's file and line."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        document = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise XinyongError("evaluation.unreadable", f"{path}：无法读取评价模型：{exc}") from exc
    try:
        model = EvaluationModel.model_validate(document)
    except ValidationError as exc:
        raise _refused(path, text, [(tuple(e["loc"]), explain(e)) for e in exc.errors()[:10]]) from exc
    found = problems(model, items, list_types)
    shipped = path.parent == SHIPPED_DIR
    if shipped != (model.scope == "national"):
        found.insert(0, (("scope",), f"scope 应为 {'national' if shipped else 'local'}"))
    if found:
        raise _refused(path, text, found)
    return model, hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Models:
    """Every published model version, by ``code@version``."""

    by_key: dict[str, EvaluationModel]
    digest: str

    def in_force(self, day: date) -> EvaluationModel:
        """The model that took effect last on or before ``day``; a local model before the national one of
        the same day."""
        candidates = [m for m in self.by_key.values() if m.effective_from <= day]
        if not candidates:
            raise NotFound("evaluation.no_model", f"{day} 没有已生效的公共信用综合评价模型")
        return max(candidates, key=lambda m: (m.effective_from, m.scope == "local"))


@lru_cache(maxsize=8)
def models(data_dir: Path) -> Models:
    """The national model files, then the deployment's ``evaluation/*.toml``; each is checked against the
    catalog and the list types in force, and no version is published twice."""
    local = data_dir / "evaluation"
    paths = sorted(SHIPPED_DIR.glob("*.toml")) + (sorted(local.glob("*.toml")) if local.is_dir() else [])
    items = frozenset(i.code for source in catalog.sources(data_dir) for i in source.catalog.items)
    types = frozenset(lists.list_types(data_dir).types)
    found: dict[str, EvaluationModel] = {}
    digests = []
    for path in paths:
        model, digest = read(path, items, types)
        if model.key in found:
            raise XinyongError(
                "evaluation.version_clash", f"{path}：评价模型 {model.code} 版本 {model.version} 已发布"
            )
        found[model.key] = model
        digests.append(digest)
    return Models(found, "".join(digests))
